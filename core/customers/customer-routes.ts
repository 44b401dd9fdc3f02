/** HTTP routes of the customer registry (`/api/v1/customers…`). */
import { problemSchema } from '../http/problem.js';
import type { FastifyInstance } from 'fastify';
import { coreError } from '../errors.js';
import { actorOf } from '../http/request-guards.js';
import type { CustomerService } from './customer-service.js';
import type { MergeService } from './merge-service.js';
import type { TimelineService, TimelineInput } from './timeline-service.js';
import type { CustomerInput, CustomerPatch } from './customer-types.js';
import { customerInputSchema, customerPatchSchema, customerSchema, idParams, pageOf, pageQuery, timelineEntrySchema, timelineInputSchema } from './customer-schemas.js';

const tags = ['customers'];

/** Parses `If-Match: "3"` (or `W/"3"`); `*` and absence mean no precondition. */
function expectedVersion(header: string | undefined): number | undefined {
  if (!header || header.trim() === '*') return undefined;
  const match = /^(?:W\/)?"(\d+)"$/.exec(header.trim());
  if (!match) throw coreError('PRECONDITION_FAILED', { current: 'unknown' });
  return Number(match[1]);
}

/** Registers the customer routes. */
export function customerRoutes(app: FastifyInstance, services: { customers: CustomerService; merge: MergeService; timeline: TimelineService }): void {
  const { customers, merge, timeline } = services;

  app.post<{ Body: CustomerInput }>('/customers', {
    config: { permission: 'core.customer.create' },
    schema: { summary: 'Create a customer', tags, body: customerInputSchema, response: { 201: customerSchema, '4xx': problemSchema } },
  }, async (request, reply) => {
    const customer = await customers.create(actorOf(request), request.body);
    return reply.code(201).header('etag', `"${customer.version}"`).header('location', `${request.url.replace(/\/$/, '')}/${customer.id}`).send(customer);
  });

  app.get<{ Querystring: { q?: string; tag?: string; ownerId?: string; organizationId?: string; limit: number; cursor?: string } }>('/customers', {
    config: { permission: 'core.customer.read' },
    schema: {
      summary: 'List and search customers (Persian-aware q)',
      tags,
      querystring: { type: 'object', additionalProperties: false, properties: { q: { type: 'string', maxLength: 200 }, tag: { type: 'string', maxLength: 100 }, ownerId: { type: 'string', maxLength: 200 }, organizationId: { type: 'string', maxLength: 64 }, ...pageQuery } },
      response: { 200: pageOf(customerSchema), '4xx': problemSchema },
    },
  }, async (request) => {
    const { q, tag, ownerId, organizationId, limit, cursor } = request.query;
    return customers.list(actorOf(request), { limit, ...(q !== undefined && { q }), ...(tag && { tag }), ...(ownerId && { ownerId }), ...(organizationId && { organizationId }), ...(cursor && { cursor }) });
  });

  app.get<{ Params: { id: string } }>('/customers/:id', {
    config: { permission: 'core.customer.read' },
    schema: { summary: 'Get a customer', tags, params: idParams, response: { 200: customerSchema, '4xx': problemSchema } },
  }, async (request, reply) => {
    const customer = await customers.get(actorOf(request), request.params.id);
    return reply.header('etag', `"${customer.version}"`).send(customer);
  });

  app.patch<{ Params: { id: string }; Body: CustomerPatch }>('/customers/:id', {
    config: { permission: 'core.customer.update' },
    schema: { summary: 'Update a customer (JSON merge-patch, If-Match)', tags, params: idParams, body: customerPatchSchema, response: { 200: customerSchema, '4xx': problemSchema } },
  }, async (request, reply) => {
    const customer = await customers.update(actorOf(request), request.params.id, request.body, expectedVersion(request.headers['if-match']));
    return reply.header('etag', `"${customer.version}"`).send(customer);
  });

  app.delete<{ Params: { id: string } }>('/customers/:id', {
    config: { permission: 'core.customer.delete' },
    schema: { summary: 'Delete a customer', tags, params: idParams, response: { 204: { type: 'null' }, '4xx': problemSchema } },
  }, async (request, reply) => {
    await customers.delete(actorOf(request), request.params.id);
    return reply.code(204).send();
  });

  app.put<{ Params: { source: string; externalId: string }; Body: CustomerInput }>('/customers/by-ref/:source/:externalId', {
    config: { permission: 'core.customer.update' },
    schema: {
      summary: 'Create or update a customer by external reference (ERP sync)',
      tags,
      params: { type: 'object', additionalProperties: false, required: ['source', 'externalId'], properties: { source: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]{0,63}$' }, externalId: { type: 'string', minLength: 1, maxLength: 128 } } },
      body: customerInputSchema,
      response: { 200: customerSchema, 201: customerSchema, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const { created, customer } = await customers.upsertByRef(actorOf(request), request.params.source, request.params.externalId, request.body);
    return reply.code(created ? 201 : 200).header('etag', `"${customer.version}"`).send(customer);
  });

  app.post<{ Params: { id: string }; Body: { from: string[] } }>('/customers/:id/merge', {
    config: { permission: 'core.customer.merge' },
    schema: {
      summary: 'Merge other customers into this one',
      tags,
      params: idParams,
      body: { type: 'object', additionalProperties: false, required: ['from'], properties: { from: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'string', maxLength: 64 } } } },
      response: { 200: customerSchema, '4xx': problemSchema },
    },
  }, async (request) => merge.merge(actorOf(request), request.params.id, request.body.from));

  app.get<{ Params: { id: string } }>('/customers/:id/duplicates', {
    config: { permission: 'core.customer.read' },
    schema: {
      summary: 'Possible duplicates of a customer, with the matching reason',
      tags,
      params: idParams,
      response: {
        200: { type: 'object', additionalProperties: false, properties: { items: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { customer: customerSchema, reasons: { type: 'array', items: { type: 'string' } } } } } } },
        '4xx': problemSchema,
      },
    },
  }, async (request) => ({ items: await merge.duplicates(actorOf(request), request.params.id) }));

  app.get<{ Params: { id: string }; Querystring: { limit: number; cursor?: string } }>('/customers/:id/timeline', {
    config: { permission: 'core.timeline.read' },
    schema: { summary: 'A customer timeline, newest first', tags, params: idParams, querystring: { type: 'object', additionalProperties: false, properties: pageQuery }, response: { 200: pageOf(timelineEntrySchema), '4xx': problemSchema } },
  }, async (request) => timeline.list(actorOf(request), request.params.id, { limit: request.query.limit, ...(request.query.cursor && { cursor: request.query.cursor }) }));

  app.post<{ Params: { id: string }; Body: TimelineInput }>('/customers/:id/timeline', {
    config: { permission: 'core.timeline.write' },
    schema: { summary: 'Add an interaction to a customer timeline', tags, params: idParams, body: timelineInputSchema, response: { 201: timelineEntrySchema, '4xx': problemSchema } },
  }, async (request, reply) => reply.code(201).send(await timeline.add(actorOf(request), request.params.id, request.body)));
}
