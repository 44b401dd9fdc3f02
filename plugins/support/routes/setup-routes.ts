/** `/calendars`, `/queues`, `/sla-policies`, `/settings`: what a support team is set up with. */
import { actorOf, expectedVersion, withEtag, type PluginApp } from '../../../core/plugin/index.js';
import type { SupportServices } from '../services/container.js';
import { idParams, ifMatchHeaders, nullable, problemSchema } from '../schemas/common.js';
import { calendarInputSchema, calendarParams, calendarSchema, importResultSchema, policyInputSchema, policyPatchSchema, policySchema, queueInputSchema, queuePatchSchema, queueSchema } from '../schemas/setup-schemas.js';

// `schema` is itself a JSON Schema document: open on purpose, as core's customer custom fields.
const fieldSchema = { type: 'object', additionalProperties: true, required: ['type'], properties: { type: { const: 'object' } } } as const;
const ticketFieldsSchema = { type: 'object', additionalProperties: false, required: ['schema'], properties: { schema: fieldSchema } } as const;
const ticketFieldsResult = { type: 'object', additionalProperties: false, required: ['schema'], properties: { schema: nullable(fieldSchema) } } as const;
const listOf = (items: unknown) => ({ type: 'object', additionalProperties: false, required: ['items'], properties: { items: { type: 'array', items } } });

/** Registers the setup routes. */
export function setupRoutes(app: PluginApp, { calendars, queues, sla, ticketFields }: SupportServices): void {
  const changed = sla.calendarChanged.bind(sla);
  // An iCalendar file arrives as text; the plugin's scope only.
  app.addContentTypeParser('text/calendar', { parseAs: 'string', bodyLimit: 2 * 1024 * 1024 }, (_req, body, done) => done(null, body));

  app.put('/calendars/:id', {
    config: { permission: 'support.sla.manage' },
    schema: { summary: 'Create or replace a business calendar', operationId: 'support.calendar.put', description: 'Creates or replaces a business calendar: time zone (default Asia/Tehran), open ranges per weekday (several per day; a weekday left out is closed; default Saturday–Wednesday 08:00–16:00, Thursday to noon), holidays as Jalali or Gregorian dates, one-off or yearly. Recomputes the SLA due times of open tickets whose policy uses it.', tags: ['support-calendars'], params: calendarParams, body: calendarInputSchema, response: { 200: calendarSchema, '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, (await calendars.put(actorOf(request), request.params.id, request.body, changed)).calendar));

  app.get('/calendars/:id', {
    config: { permission: 'support.ticket.read' },
    schema: { summary: 'Get a business calendar', operationId: 'support.calendar.get', description: 'One business calendar.', tags: ['support-calendars'], params: calendarParams, response: { 200: calendarSchema, '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await calendars.get(actorOf(request).tenantId, request.params.id)));

  app.get('/calendars', {
    config: { permission: 'support.ticket.read' },
    schema: { summary: 'List business calendars', operationId: 'support.calendar.list', description: 'The tenant\'s business calendars, by id.', tags: ['support-calendars'], response: { 200: listOf(calendarSchema), '4xx': problemSchema } },
  }, async (request) => calendars.list(actorOf(request).tenantId));

  app.post('/calendars/:id/holidays/import', {
    config: { permission: 'support.sla.manage' },
    schema: {
      summary: 'Add the all-day events of an iCalendar (.ics) file as holidays',
      operationId: 'support.calendar.import-holidays', description: 'Adds the all-day events of an iCalendar (`text/calendar`) body as one-off Gregorian holidays, skipping dates the calendar already has.',
      tags: ['support-calendars'],
      params: calendarParams,
      body: { type: 'string', minLength: 1 },
      consumes: ['text/calendar'],
      response: { 200: importResultSchema, '4xx': problemSchema },
    },
  }, async (request) => calendars.importIcs(actorOf(request), request.params.id, request.body, changed));

  app.post('/queues', {
    config: { permission: 'support.queue.manage' },
    schema: { summary: 'Create a queue', operationId: 'support.queue.create', description: 'A queue with its members and assignment rule (round-robin or least-open among the members on shift by the queue\'s calendar, or manual).', tags: ['support-queues'], body: queueInputSchema, response: { 201: queueSchema, '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await queues.create(actorOf(request), request.body), 201));

  app.get('/queues', {
    config: { permission: 'support.ticket.read' },
    schema: { summary: 'List queues', operationId: 'support.queue.list', description: 'The tenant\'s queues.', tags: ['support-queues'], response: { 200: listOf(queueSchema), '4xx': problemSchema } },
  }, async (request) => queues.list(actorOf(request).tenantId));

  app.patch('/queues/:id', {
    config: { permission: 'support.queue.manage' },
    schema: { summary: 'Change a queue (JSON merge-patch, If-Match)', operationId: 'support.queue.update', description: 'JSON merge-patch of a queue; with `If-Match` a stale version answers 412.', headers: ifMatchHeaders, tags: ['support-queues'], params: idParams, body: queuePatchSchema, response: { 200: queueSchema, '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await queues.update(actorOf(request), request.params.id, request.body, expectedVersion(request.headers['if-match']))));

  app.post('/sla-policies', {
    config: { permission: 'support.sla.manage' },
    schema: { summary: 'Create an SLA policy (recomputes open tickets)', operationId: 'support.sla-policy.create', description: 'An SLA policy: conditions that choose it (priority, channel, queue, customer tag; the most specific match wins), targets in business minutes on a calendar, and the escalation on a breach. Open tickets are recomputed.', tags: ['support-sla'], body: policyInputSchema, response: { 201: policySchema, '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await sla.createPolicy(actorOf(request), request.body), 201));

  app.get('/sla-policies', {
    config: { permission: 'support.ticket.read' },
    schema: { summary: 'List SLA policies', operationId: 'support.sla-policy.list', description: 'The tenant\'s SLA policies.', tags: ['support-sla'], response: { 200: listOf(policySchema), '4xx': problemSchema } },
  }, async (request) => sla.listPolicies(actorOf(request).tenantId));

  app.patch('/sla-policies/:id', {
    config: { permission: 'support.sla.manage' },
    schema: { summary: 'Change an SLA policy (merge-patch, If-Match; recomputes open tickets)', operationId: 'support.sla-policy.update', description: 'Merge-patch of a policy (`targets` members merge). Open tickets are recomputed: due times move, a disabled policy leaves its tickets without SLA, a due time moved into the future is no longer breached.', headers: ifMatchHeaders, tags: ['support-sla'], params: idParams, body: policyPatchSchema, response: { 200: policySchema, '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await sla.updatePolicy(actorOf(request), request.params.id, request.body, expectedVersion(request.headers['if-match']))));

  app.delete('/sla-policies/:id', {
    config: { permission: 'support.sla.manage' },
    schema: { summary: 'Delete an SLA policy (recomputes open tickets)', operationId: 'support.sla-policy.delete', description: 'Deletes a policy; its open tickets are recomputed.', tags: ['support-sla'], params: idParams, response: { 204: { type: 'null' }, '4xx': problemSchema } },
  }, async (request, reply) => {
    await sla.deletePolicy(actorOf(request), request.params.id);
    return reply.code(204).send();
  });

  app.put('/settings/ticket-fields', {
    config: { permission: 'support.settings.manage' },
    schema: {
      summary: 'Set the JSON Schema tickets’ customFields must satisfy', operationId: 'support.ticket-fields.put',
      description: 'From now on, a ticket opened through the API or by an agent, and every change of a ticket\'s `customFields`, must satisfy this JSON Schema (422 `CUSTOM_FIELDS_INVALID` naming each field otherwise). The same mechanism and limits as customers\' custom fields; tickets opened by customers (mail, portal) are not held to it until an agent changes their fields.',
      tags: ['support-settings'], body: ticketFieldsSchema, response: { 200: ticketFieldsSchema, '4xx': problemSchema },
    },
  }, async (request) => ({ schema: await ticketFields.put(actorOf(request), request.body.schema) }));

  app.get('/settings/ticket-fields', {
    config: { permission: 'support.ticket.read' },
    schema: { summary: 'Get the JSON Schema of tickets’ customFields', operationId: 'support.ticket-fields.get', description: 'The schema set by `PUT`; `null` when none is set (any object is accepted).', tags: ['support-settings'], response: { 200: ticketFieldsResult, '4xx': problemSchema } },
  }, async (request) => ({ schema: await ticketFields.schema(actorOf(request).tenantId) }));
}
