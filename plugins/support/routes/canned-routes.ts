/** `/canned-responses`: ready answers, and their rendering for one ticket. */
import { actorOf, expectedVersion, withEtag, type PluginApp } from '../../../core/plugin/index.js';
import type { SupportServices } from '../services/container.js';
import { idParams, ifMatchHeaders, problemSchema } from '../schemas/common.js';
import { cannedInputSchema, cannedListQuery, cannedPatchSchema, cannedSchema, renderedSchema, renderParams } from '../schemas/csat-schemas.js';

const tags = ['support-canned'];
const listOf = (items: unknown) => ({ type: 'object', additionalProperties: false, required: ['items'], properties: { items: { type: 'array', items } } });

/** Registers the canned response routes. */
export function cannedRoutes(app: PluginApp, { canned }: SupportServices): void {
  app.post('/canned-responses', {
    config: { permission: 'support.canned.manage' },
    schema: { summary: 'Create a canned response', operationId: 'support.canned-response.create', description: 'A ready answer in one language: a Handlebars template over `ticket` (number, subject, status, priority, channel, tags, createdAt), `customer` (name, givenName, familyName, email, phone) and `agent` (id, name), with the helpers `digits`, `number` and `date`. Compiled on save: a broken template answers 422 CANNED_TEMPLATE_INVALID.', tags, body: cannedInputSchema, response: { 201: cannedSchema, '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await canned.create(actorOf(request), request.body), 201));

  app.get('/canned-responses', {
    config: { permission: 'support.canned.use' },
    schema: { summary: 'List canned responses', operationId: 'support.canned-response.list', description: 'The tenant\'s canned responses by name (up to 1000), optionally of one language.', tags, querystring: cannedListQuery, response: { 200: listOf(cannedSchema), '4xx': problemSchema } },
  }, async (request) => canned.list(actorOf(request), request.query.locale));

  app.get('/canned-responses/:id', {
    config: { permission: 'support.canned.use' },
    schema: { summary: 'Get a canned response', operationId: 'support.canned-response.get', description: 'One canned response; the `ETag` header is its version.', tags, params: idParams, response: { 200: cannedSchema, '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await canned.get(actorOf(request), request.params.id)));

  app.patch('/canned-responses/:id', {
    config: { permission: 'support.canned.manage' },
    schema: { summary: 'Change a canned response (merge-patch, If-Match)', operationId: 'support.canned-response.update', description: 'Merge-patch of name, language and body; the result is compiled again (422 CANNED_TEMPLATE_INVALID). With `If-Match` a stale version answers 412.', headers: ifMatchHeaders, tags, params: idParams, body: cannedPatchSchema, response: { 200: cannedSchema, '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await canned.update(actorOf(request), request.params.id, request.body, expectedVersion(request.headers['if-match']))));

  app.delete('/canned-responses/:id', {
    config: { permission: 'support.canned.manage' },
    schema: { summary: 'Delete a canned response', operationId: 'support.canned-response.delete', description: 'Deletes a canned response and answers 204.', tags, params: idParams, response: { 204: { type: 'null' }, '4xx': problemSchema } },
  }, async (request, reply) => {
    await canned.delete(actorOf(request), request.params.id);
    return reply.code(204).send();
  });

  app.post('/tickets/:id/canned-responses/:cannedId/render', {
    config: { permission: 'support.canned.use', bodyless: true },
    schema: { summary: 'Render a canned response for a ticket', operationId: 'support.canned-response.render', description: 'The canned response rendered as plain text with the ticket\'s, its customer\'s and the agent\'s fields, for the agent to insert into a reply; nothing is sent. A ticket outside the caller\'s record scope answers 404.', tags, params: renderParams, response: { 200: renderedSchema, '4xx': problemSchema } },
  }, async (request) => canned.render(actorOf(request), request.params.id, request.params.cannedId));
}
