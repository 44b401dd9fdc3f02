/** `/settings` and `/web-forms`: per-tenant sales configuration, for admins. */
import { actorOf, expectedVersion, withEtag, type PluginApp } from '../../../core/plugin/index.js';
import type { SalesServices } from '../services/container.js';
import { idParams, ifMatchHeaders, pageOf, pageQuerySchema, problemSchema, withEtagHeader } from '../schemas/common.js';
import { settingsPatchSchema, settingsSchema, webFormInputSchema, webFormSchema } from '../schemas/settings-schemas.js';

const tags = ['sales: settings'];
const config = { permission: 'sales.settings.manage' };

/** Registers the settings routes. */
export function settingsRoutes(app: PluginApp, { settings, webForms }: SalesServices): void {
  app.get('/settings', {
    config,
    schema: { operationId: 'sales.settings.get', summary: 'Sales settings: accepted currencies, assignment and scoring rules', description: 'Accepted currencies, lead assignment rules (by territory, tag or source) and scoring rules; the `ETag` header is their version.', tags, response: { 200: withEtagHeader(settingsSchema), '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await settings.get(actorOf(request).tenantId)));

  app.patch('/settings', {
    config,
    schema: { operationId: 'sales.settings.update', summary: 'Change sales settings (given keys replace; If-Match)', description: 'Each given key replaces the stored one. With `If-Match` a stale version answers 412.', headers: ifMatchHeaders, tags, body: settingsPatchSchema, response: { 200: withEtagHeader(settingsSchema), '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await settings.update(actorOf(request), request.body, expectedVersion(request.headers['if-match']))));

  app.post('/web-forms', {
    config,
    schema: { operationId: 'sales.web-form.create', summary: 'Create a web-to-lead form and its public key', description: 'A form for a public web page, with its own key, allowed fields and the source stamped on its leads.', tags, body: webFormInputSchema, response: { 201: webFormSchema, '4xx': problemSchema } },
  }, async (request, reply) => reply.code(201).send(await webForms.create(actorOf(request), request.body)));

  app.get('/web-forms', {
    config,
    schema: { operationId: 'sales.web-form.list', summary: 'List web-to-lead forms', description: 'Every web-to-lead form of the tenant with its key.', tags, querystring: pageQuerySchema, response: { 200: pageOf(webFormSchema), '4xx': problemSchema } },
  }, async (request) => webForms.list(actorOf(request), { limit: request.query.limit, ...(request.query.cursor && { cursor: request.query.cursor }) }));

  app.delete('/web-forms/:id', {
    config,
    schema: { operationId: 'sales.web-form.delete', summary: 'Delete a web-to-lead form (its key stops working)', description: 'Submissions to its key are refused from now on; leads already received stay.', tags, params: idParams, response: { 204: { type: 'null' }, '4xx': problemSchema } },
  }, async (request, reply) => {
    await webForms.delete(actorOf(request), request.params.id);
    return reply.code(204).send();
  });
}
