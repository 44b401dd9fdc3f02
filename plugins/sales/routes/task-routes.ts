/** `/tasks`: calls, meetings and to-dos; completing one writes the customer's timeline. */
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../../../core/index.js';
import type { SalesServices } from '../services/container.js';
import type { TaskInput, TaskListFilter, TaskPatch } from '../services/tasks.js';
import { dateTime, id, idParams, pageOf, pageQuery, problemSchema } from '../schemas/common.js';
import { taskInputSchema, taskPatchSchema, taskSchema } from '../schemas/task-schemas.js';
import { defined, expectedVersion, withEtag } from './http.js';

const tags = ['sales: tasks'];

/** Registers the task routes. */
export function taskRoutes(app: FastifyInstance, { tasks }: SalesServices): void {
  app.post<{ Body: TaskInput }>('/tasks', {
    config: { permission: 'sales.task.create' },
    schema: { summary: 'Create a task linked to a lead, a deal or a customer', tags, body: taskInputSchema, response: { 201: taskSchema, '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await tasks.create(actorOf(request), request.body), 201));

  app.get<{ Querystring: Omit<TaskListFilter, 'limit'> & { limit: number } }>('/tasks', {
    config: { permission: 'sales.task.read' },
    schema: {
      summary: 'List tasks (soonest due first, within your record scope)',
      tags,
      querystring: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: ['open', 'done', 'cancelled'] }, assigneeId: { type: 'string', maxLength: 200 }, leadId: id, dealId: id, customerId: id, dueBefore: dateTime, ...pageQuery } },
      response: { 200: pageOf(taskSchema), '4xx': problemSchema },
    },
  }, async (request) => tasks.list(actorOf(request), defined(request.query)));

  app.get<{ Params: { id: string } }>('/tasks/:id', {
    config: { permission: 'sales.task.read' },
    schema: { summary: 'Get a task', tags, params: idParams, response: { 200: taskSchema, '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await tasks.get(actorOf(request), request.params.id)));

  app.patch<{ Params: { id: string }; Body: TaskPatch }>('/tasks/:id', {
    config: { permission: 'sales.task.update' },
    schema: { summary: 'Update, complete or cancel a task (JSON merge-patch, If-Match)', tags, params: idParams, body: taskPatchSchema, response: { 200: taskSchema, '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await tasks.update(actorOf(request), request.params.id, request.body, expectedVersion(request.headers['if-match']))));
}
