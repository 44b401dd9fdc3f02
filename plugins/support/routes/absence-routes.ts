/** `/agents/{id}/absence`, `/agents/absences`: agents away, and their tickets handed on. */
import { actorOf, type PluginApp } from '../../../core/plugin/index.js';
import type { SupportServices } from '../services/container.js';
import { line, obj, principal, problemSchema } from '../schemas/common.js';

const agentParams = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: principal } } as const;
const absenceProperties = { agentId: { type: 'string' }, since: { type: 'string', format: 'date-time' }, until: { type: 'string', format: 'date-time' }, reason: { type: 'string' } } as const;
const absenceSchema = obj(absenceProperties, ['agentId', 'since', 'until']);
const absenceSetSchema = obj({ ...absenceProperties, reassigned: { type: 'array', items: { type: 'string' } } }, ['agentId', 'since', 'until', 'reassigned']);
const absenceInput = { type: 'object', additionalProperties: false, required: ['until'], properties: { until: { type: 'string', format: 'date-time' }, reason: line(300) } } as const;

/** Registers the absence routes. */
export function absenceRoutes(app: PluginApp, { absences }: SupportServices): void {
  app.put('/agents/:id/absence', {
    config: { permission: 'support.ticket.update' },
    schema: {
      summary: 'Mark an agent absent until a time, handing on their open tickets', operationId: 'support.absence.put',
      description: 'From now until `until` (at most a year ahead) the agent is passed over by automatic assignment, and each of their open tickets goes at once to the member its queue picks by its rule among those on shift and present — or to nobody when the queue assigns by hand, no one is available, or the ticket has no queue. Replaces an absence already set. An agent may mark themselves; marking someone else takes `support.ticket.assign`. `reassigned` lists the tickets handed on.',
      tags: ['support-queues'], params: agentParams, body: absenceInput, response: { 200: absenceSetSchema, '4xx': problemSchema },
    },
  }, async (request) => absences.set(actorOf(request), request.params.id, request.body));

  app.delete('/agents/:id/absence', {
    config: { permission: 'support.ticket.update' },
    schema: { summary: 'End an agent\u2019s absence now', operationId: 'support.absence.delete', description: 'The agent takes part in automatic assignment again from now; tickets handed on stay where they went. 404 when the agent is not absent.', tags: ['support-queues'], params: agentParams, response: { 204: { type: 'null' }, '4xx': problemSchema } },
  }, async (request, reply) => {
    await absences.end(actorOf(request), request.params.id);
    return reply.code(204).send();
  });

  app.get('/agents/absences', {
    config: { permission: 'support.ticket.read' },
    schema: { summary: 'List agents\u2019 absences not over yet', operationId: 'support.absence.list', description: 'Every absence that has not ended, by agent.', tags: ['support-queues'], response: { 200: { type: 'object', additionalProperties: false, required: ['items'], properties: { items: { type: 'array', items: absenceSchema } } }, '4xx': problemSchema } },
  }, async (request) => absences.list(actorOf(request).tenantId));
}
