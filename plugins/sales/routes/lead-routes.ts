/** `/leads` (API capture, status, conversion) and the public `/web-leads/{formKey}`. */
import { actorOf, defined, expectedVersion, withEtag, type PluginApp } from '../../../core/plugin/index.js';
import type { SalesServices } from '../services/container.js';
import { idParams, ifMatchHeaders, pageOf, problemSchema, withEtagHeader } from '../schemas/common.js';
import { conversionSchema, convertSchema, formKeyParams, leadInputSchema, leadListQuerySchema, leadPatchSchema, leadSchema, webLeadSchema } from '../schemas/lead-schemas.js';

const tags = ['sales: leads'];

/** Registers the lead routes. */
export function leadRoutes(app: PluginApp, { leads, conversion, webForms }: SalesServices): void {
  app.post('/leads', {
    config: { permission: 'sales.lead.create' },
    schema: { operationId: 'sales.lead.create', summary: 'Create a lead (deduplicated, assigned and scored)', description: 'A lead with the email or phone of an open lead answers 409 LEAD_DUPLICATE; a new lead is assigned by the tenant\'s rules (unless `ownerId` is given) and scored. Emits `lead.created`.', tags, body: leadInputSchema, response: { 201: leadSchema, '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, (await leads.create(actorOf(request), request.body))!, 201));

  app.get('/leads', {
    config: { permission: 'sales.lead.read' },
    schema: {
      operationId: 'sales.lead.list', summary: 'List leads (newest first, within your record scope)', description: 'Leads within the caller\'s record scope, filtered by status, owner or source.',
      tags,
      querystring: leadListQuerySchema,
      response: { 200: pageOf(leadSchema), '4xx': problemSchema },
    },
  }, async (request) => leads.list(actorOf(request), defined(request.query)));

  app.get('/leads/:id', {
    config: { permission: 'sales.lead.read' },
    schema: { operationId: 'sales.lead.get', summary: 'Get a lead', description: 'One lead within the caller\'s record scope; the `ETag` header is its version.', tags, params: idParams, response: { 200: withEtagHeader(leadSchema), '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await leads.get(actorOf(request), request.params.id)));

  app.patch('/leads/:id', {
    config: { permission: 'sales.lead.update' },
    schema: { operationId: 'sales.lead.update', summary: 'Update a lead or change its status (JSON merge-patch, If-Match)', description: 'JSON merge-patch; status moves new → contacted → qualified or disqualified (conversion is its own operation). With `If-Match` a stale version answers 412.', headers: ifMatchHeaders, tags, params: idParams, body: leadPatchSchema, response: { 200: withEtagHeader(leadSchema), '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await leads.update(actorOf(request), request.params.id, request.body, expectedVersion(request.headers['if-match']))));

  app.post('/leads/:id/convert', {
    config: { permission: 'sales.lead.convert' },
    schema: { operationId: 'sales.lead.convert', summary: 'Convert a lead to a customer (new or existing) and optionally a deal, atomically', description: 'In one transaction: creates the customer (or links an existing one), optionally a deal, and marks the lead converted. With `If-Match` a stale lead answers 412.', headers: ifMatchHeaders, tags, params: idParams, body: convertSchema, response: { 200: conversionSchema, '4xx': problemSchema } },
  }, async (request) => conversion.convert(actorOf(request), request.params.id, request.body, expectedVersion(request.headers['if-match'])));

  app.post('/web-leads/:formKey', {
    // Public: no credential; the tenant comes from the key. Limited per form and client
    // address in the database (`webLeadsPerMinute`), so the budget holds across processes.
    // People fill it in: a refused submission lists every field to fix at once.
    config: { public: true, allFieldErrors: true },
    schema: {
      operationId: 'sales.web-lead.submit', summary: 'Public web-to-lead form submission (no credential; answers the same whatever happened)', description: 'For the lead form on a public web page: no credential, the tenant comes from the form key. A duplicate of an open lead answers 202 like a new one, so the answer reveals nothing about existing leads; rate limited per form and client address. A refused body lists every field error at once.',
      tags,
      params: formKeyParams,
      body: webLeadSchema,
      response: { 202: { type: 'object', additionalProperties: false, required: ['status'], properties: { status: { type: 'string' } } }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    await webForms.submit(request.params.formKey, request.body, { id: String(request.id), clientAddress: request.ip });
    return reply.code(202).send({ status: 'received' });
  });
}
