/** `/tasks`: calls, meetings and to-dos; completing one writes the customer's timeline. */
import { actorOf, defined, expectedVersion, withEtag, type PluginApp } from '../../../core/plugin/index.js';
import type { SalesServices } from '../services/container.js';
import { idParams, ifMatchHeaders, pageOf, problemSchema, withEtagHeader } from '../schemas/common.js';
import { taskInputSchema, taskListQuerySchema, taskPatchSchema, taskSchema } from '../schemas/task-schemas.js';

const tags = ['sales: tasks'];

/** Registers the task routes. */
export function taskRoutes(app: PluginApp, { tasks }: SalesServices): void {
  app.post('/tasks', {
    config: { permission: 'sales.task.create' },
    schema: { operationId: 'sales.task.create', summary: 'Create a task linked to a lead, a deal or a customer', description: 'A to-do with a due time and an owner, linked to a lead, a deal or a customer; `task.reminder_due` fires `remindBeforeMinutes` before it is due.', tags, body: taskInputSchema, response: { 201: taskSchema, '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await tasks.create(actorOf(request), request.body), 201));

  app.get('/tasks', {
    config: { permission: 'sales.task.read' },
    schema: {
      operationId: 'sales.task.list', summary: 'List tasks (soonest due first, within your record scope)', description: 'Tasks within the caller\'s record scope, soonest due first, filtered by status, owner or linked record.',
      tags,
      querystring: taskListQuerySchema,
      response: { 200: pageOf(taskSchema), '4xx': problemSchema },
    },
  }, async (request) => tasks.list(actorOf(request), defined(request.query)));

  app.get('/tasks/:id', {
    config: { permission: 'sales.task.read' },
    schema: { operationId: 'sales.task.get', summary: 'Get a task', description: 'One task within the caller\'s record scope; the `ETag` header is its version.', tags, params: idParams, response: { 200: withEtagHeader(taskSchema), '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await tasks.get(actorOf(request), request.params.id)));

  app.patch('/tasks/:id', {
    config: { permission: 'sales.task.update' },
    schema: { operationId: 'sales.task.update', summary: 'Update, complete or cancel a task (JSON merge-patch, If-Match)', description: 'JSON merge-patch; setting the status to `done` or `cancelled` closes it. With `If-Match` a stale version answers 412.', headers: ifMatchHeaders, tags, params: idParams, body: taskPatchSchema, response: { 200: withEtagHeader(taskSchema), '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await tasks.update(actorOf(request), request.params.id, request.body, expectedVersion(request.headers['if-match']))));
}
