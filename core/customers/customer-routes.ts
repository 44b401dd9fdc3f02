/** HTTP routes of the customer registry (`/api/v1/customers…`). */
import { problemSchema } from '../http/problem.js';
import type { FastifyInstance } from 'fastify';
import { expectedVersion } from '../plugin/http.js';
import { actorOf } from '../http/request-guards.js';
import type { CustomerService } from './customer-service.js';
import type { MergeService } from './merge-service.js';
import type { TimelineService } from './timeline-service.js';
import type { PeyvandTypeProvider } from '../plugin/route-types.js';
import { ifMatchHeaders, withEtagHeader } from '../plugin/schemas.js';
import { customerInputSchema, customerPatchSchema, customerSchema, idParams, pageOf, pageQuery, timelineEntrySchema, timelineInputSchema } from './customer-schemas.js';

const tags = ['customers'];


/** Registers the customer routes. */
export function customerRoutes(scope: FastifyInstance, services: { customers: CustomerService; merge: MergeService; timeline: TimelineService }): void {
  // Request types come from the route schemas, as in plugins.
  const app = scope.withTypeProvider<PeyvandTypeProvider>();
  const { customers, merge, timeline } = services;

  app.post('/customers', {
    config: { permission: 'core.customer.create' },
    schema: { operationId: 'core.customer.create', summary: 'Create a customer', description: 'Creates a person or an organization. Honours `Idempotency-Key`: a replay answers the first response. The answer carries the new record\'s `ETag` and `Location`.', tags, body: customerInputSchema, response: { 201: withEtagHeader(customerSchema), '4xx': problemSchema } },
  }, async (request, reply) => {
    const customer = await customers.create(actorOf(request), request.body);
    return reply.code(201).header('etag', `"${customer.version}"`).header('location', `${request.url.replace(/\/$/, '')}/${customer.id}`).send(customer);
  });

  app.get('/customers', {
    config: { permission: 'core.customer.read' },
    schema: {
      operationId: 'core.customer.list', summary: 'List and search customers (Persian-aware q)', description: 'Customers within the caller\'s record scope, newest first. `q` is Persian-aware: Arabic and Persian yeh and kaf, ZWNJ, diacritics and the three digit systems all match.',
      tags,
      querystring: { type: 'object', additionalProperties: false, properties: { q: { type: 'string', maxLength: 200 }, tag: { type: 'string', maxLength: 100 }, ownerId: { type: 'string', maxLength: 200 }, organizationId: { type: 'string', maxLength: 64 }, ...pageQuery } },
      response: { 200: pageOf(customerSchema), '4xx': problemSchema },
    },
  }, async (request) => {
    const { q, tag, ownerId, organizationId, limit, cursor } = request.query;
    return customers.list(actorOf(request), { limit, ...(q !== undefined && { q }), ...(tag && { tag }), ...(ownerId && { ownerId }), ...(organizationId && { organizationId }), ...(cursor && { cursor }) });
  });

  app.get('/customers/:id', {
    config: { permission: 'core.customer.read' },
    schema: { operationId: 'core.customer.get', summary: 'Get a customer', description: 'One customer within the caller\'s record scope; another tenant\'s or an unseen one answers 404. The `ETag` header is the version to send back in `If-Match`.', tags, params: idParams, response: { 200: withEtagHeader(customerSchema), '4xx': problemSchema } },
  }, async (request, reply) => {
    const customer = await customers.get(actorOf(request), request.params.id);
    return reply.header('etag', `"${customer.version}"`).send(customer);
  });

  app.patch('/customers/:id', {
    config: { permission: 'core.customer.update' },
    schema: { operationId: 'core.customer.update', summary: 'Update a customer (JSON merge-patch, If-Match)', description: 'JSON merge-patch (`application/merge-patch+json` or `application/json`): given fields replace, `null` removes an optional field. With `If-Match` a stale version answers 412.', headers: ifMatchHeaders, tags, params: idParams, body: customerPatchSchema, response: { 200: withEtagHeader(customerSchema), '4xx': problemSchema } },
  }, async (request, reply) => {
    const customer = await customers.update(actorOf(request), request.params.id, request.body, expectedVersion(request.headers['if-match']));
    return reply.header('etag', `"${customer.version}"`).send(customer);
  });

  app.delete('/customers/:id', {
    config: { permission: 'core.customer.delete' },
    schema: { operationId: 'core.customer.delete', summary: 'Delete a customer', description: 'Deletes the customer and emits `customer.deleted`; plugins holding references react to that event.', tags, params: idParams, response: { 204: { type: 'null' }, '4xx': problemSchema } },
  }, async (request, reply) => {
    await customers.delete(actorOf(request), request.params.id);
    return reply.code(204).send();
  });

  app.put('/customers/by-ref/:source/:externalId', {
    config: { permission: 'core.customer.update' },
    schema: {
      operationId: 'core.customer.upsert-by-ref', summary: 'Create or update a customer by external reference (ERP sync)', description: 'Idempotent upsert for ERP sync: 201 when the reference was new, 200 when the customer it names was updated.',
      tags,
      params: { type: 'object', additionalProperties: false, required: ['source', 'externalId'], properties: { source: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]{0,63}$' }, externalId: { type: 'string', minLength: 1, maxLength: 128 } } },
      body: customerInputSchema,
      response: { 200: customerSchema, 201: customerSchema, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const { created, customer } = await customers.upsertByRef(actorOf(request), request.params.source, request.params.externalId, request.body);
    return reply.code(created ? 201 : 200).header('etag', `"${customer.version}"`).send(customer);
  });

  app.post('/customers/:id/merge', {
    config: { permission: 'core.customer.merge' },
    schema: {
      operationId: 'core.customer.merge', summary: 'Merge other customers into this one', description: 'In one transaction the listed customers are merged into this survivor and removed; plugins move their own records on `customer.merged`.',
      tags,
      params: idParams,
      body: { type: 'object', additionalProperties: false, required: ['from'], properties: { from: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'string', maxLength: 64 } } } },
      response: { 200: customerSchema, '4xx': problemSchema },
    },
  }, async (request) => merge.merge(actorOf(request), request.params.id, request.body.from));

  app.get('/customers/:id/duplicates', {
    config: { permission: 'core.customer.read' },
    schema: {
      operationId: 'core.customer.duplicates', summary: 'Possible duplicates of a customer, with the matching reason', description: 'Customers within the caller\'s record scope that share an email, phone or name with this one, each with the reasons (`email`, `phone`, `name`) it matched.',
      tags,
      params: idParams,
      response: {
        200: { type: 'object', additionalProperties: false, properties: { items: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { customer: customerSchema, reasons: { type: 'array', items: { type: 'string' } } } } } } },
        '4xx': problemSchema,
      },
    },
  }, async (request) => ({ items: await merge.duplicates(actorOf(request), request.params.id) }));

  app.get('/customers/:id/timeline', {
    config: { permission: 'core.timeline.read' },
    schema: { operationId: 'core.timeline.list', summary: 'A customer timeline, newest first', description: 'Every interaction with the customer (email, call, chat, ERP document, note), newest first.', tags, params: idParams, querystring: { type: 'object', additionalProperties: false, properties: pageQuery }, response: { 200: pageOf(timelineEntrySchema), '4xx': problemSchema } },
  }, async (request) => timeline.list(actorOf(request), request.params.id, { limit: request.query.limit, ...(request.query.cursor && { cursor: request.query.cursor }) }));

  app.post('/customers/:id/timeline', {
    config: { permission: 'core.timeline.write' },
    schema: { operationId: 'core.timeline.create', summary: 'Add an interaction to a customer timeline', description: 'Records an interaction on a channel, inbound or outbound, at the time it happened (now by default).', tags, params: idParams, body: timelineInputSchema, response: { 201: timelineEntrySchema, '4xx': problemSchema } },
  }, async (request, reply) => reply.code(201).send(await timeline.add(actorOf(request), request.params.id, request.body)));
}
