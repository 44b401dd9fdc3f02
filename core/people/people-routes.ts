/** `GET /api/v1/people?ids=…`: names of the subjects a page shows (owners, authors). */
import type { FastifyInstance } from 'fastify';
import type { PeyvandTypeProvider } from '../plugin/route-types.js';
import type { Kernel } from '../kernel/kernel.js';
import { actorOf } from '../http/request-guards.js';
import { problemSchema } from '../http/problem.js';

const personSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'kind'],
  properties: { id: { type: 'string' }, name: { type: 'string' }, kind: { type: 'string', enum: ['user', 'api_key', 'system'] } },
} as const;

/** Registers the people directory route. */
export function peopleRoutes(scope: FastifyInstance, kernel: Kernel): void {
  // Request types come from the route schemas, as in plugins.
  const app = scope.withTypeProvider<PeyvandTypeProvider>();
  app.get('/people', {
    config: { permission: 'core.person.read' },
    schema: {
      operationId: 'core.person.list',
      description: 'Widgets and reports show people by name: pass owner and assignee ids (`ids=a,b` or repeated `ids`), get back the names Peyvand has seen for them. An id with no known name is simply missing from `items`.',
      summary: 'Display names of subjects (host users by their token name claim, API keys by name); unknown ones are left out',
      tags: ['people'],
      querystring: { type: 'object', additionalProperties: false, required: ['ids'], properties: { ids: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 200 } } } },
      response: { 200: { type: 'object', additionalProperties: false, required: ['items'], properties: { items: { type: 'array', items: personSchema } } }, '4xx': problemSchema },
    },
  }, async (request) => ({ items: await kernel.people.find(actorOf(request).tenantId, request.query.ids.flatMap((id) => id.split(',')).filter(Boolean).slice(0, 100)) }));
}
