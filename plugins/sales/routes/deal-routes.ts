/** `/deals`: CRUD, move between stages, win, lose, stage history. */
import { actorOf, defined, expectedVersion, withEtag, type PluginApp } from '../../../core/plugin/index.js';
import type { SalesServices } from '../services/container.js';
import { idParams, ifMatchHeaders, pageOf, problemSchema, withEtagHeader } from '../schemas/common.js';
import { dealInputSchema, dealListQuerySchema, dealPatchSchema, dealSchema, historySchema, lostSchema, moveSchema } from '../schemas/deal-schemas.js';

const tags = ['sales: deals'];

/** Registers the deal routes. */
export function dealRoutes(app: PluginApp, { deals }: SalesServices): void {
  app.post('/deals', {
    config: { permission: 'sales.deal.create' },
    schema: { operationId: 'sales.deal.create', summary: 'Create a deal', description: 'A deal for a customer in a pipeline stage, with its amount in minor units and currency. Emits `deal.created`.', tags, body: dealInputSchema, response: { 201: dealSchema, '4xx': problemSchema } },
  }, async (request, reply) => {
    const deal = await deals.create(actorOf(request), request.body);
    return withEtag(reply.header('location', `${request.url.replace(/\/$/, '')}/${deal.id}`), deal, 201);
  });

  app.get('/deals', {
    config: { permission: 'sales.deal.read' },
    schema: {
      operationId: 'sales.deal.list', summary: 'List deals (newest first, within your record scope)', description: 'Deals within the caller\'s record scope, filtered by pipeline, stage, status, owner or customer.',
      tags,
      querystring: dealListQuerySchema,
      response: { 200: pageOf(dealSchema), '4xx': problemSchema },
    },
  }, async (request) => deals.list(actorOf(request), defined(request.query)));

  app.get('/deals/:id', {
    config: { permission: 'sales.deal.read' },
    schema: { operationId: 'sales.deal.get', summary: 'Get a deal', description: 'One deal within the caller\'s record scope, with the customer\'s name; the `ETag` header is its version.', tags, params: idParams, response: { 200: withEtagHeader(dealSchema), '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await deals.get(actorOf(request), request.params.id)));

  app.patch('/deals/:id', {
    config: { permission: 'sales.deal.update' },
    schema: { operationId: 'sales.deal.update', summary: 'Update a deal (JSON merge-patch, If-Match)', description: 'JSON merge-patch of the deal\'s fields; stage and status change through move, won and lost. With `If-Match` a stale version answers 412.', headers: ifMatchHeaders, tags, params: idParams, body: dealPatchSchema, response: { 200: withEtagHeader(dealSchema), '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await deals.update(actorOf(request), request.params.id, request.body, expectedVersion(request.headers['if-match']))));

  app.delete('/deals/:id', {
    config: { permission: 'sales.deal.delete' },
    schema: { operationId: 'sales.deal.delete', summary: 'Delete a deal', description: 'Deletes the deal and emits `deal.deleted`.', tags, params: idParams, response: { 204: { type: 'null' }, '4xx': problemSchema } },
  }, async (request, reply) => {
    await deals.delete(actorOf(request), request.params.id);
    return reply.code(204).send();
  });

  app.post('/deals/:id/move', {
    config: { permission: 'sales.deal.update' },
    schema: { operationId: 'sales.deal.move', summary: 'Move an open deal to another stage of its pipeline', description: 'Records the stage change in the deal\'s history and emits `deal.stage_changed`; a closed deal answers 422 DEAL_NOT_OPEN.', tags, params: idParams, body: moveSchema, response: { 200: dealSchema, '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await deals.move(actorOf(request), request.params.id, request.body.stageId)));

  app.post('/deals/:id/won', {
    config: { permission: 'sales.deal.update', bodyless: true },
    schema: { operationId: 'sales.deal.win', summary: 'Mark an open deal won', description: 'Closes the deal as won and emits `deal.won`; a closed deal answers 422 DEAL_NOT_OPEN.', tags, params: idParams, response: { 200: dealSchema, '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await deals.close(actorOf(request), request.params.id, { status: 'won' })));

  app.post('/deals/:id/lost', {
    config: { permission: 'sales.deal.update' },
    schema: { operationId: 'sales.deal.lose', summary: 'Mark an open deal lost, with the reason', description: 'Closes the deal as lost with the reason and emits `deal.lost`; a closed deal answers 422 DEAL_NOT_OPEN.', tags, params: idParams, body: lostSchema, response: { 200: dealSchema, '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await deals.close(actorOf(request), request.params.id, { status: 'lost', reason: request.body.reason })));

  app.get('/deals/:id/history', {
    config: { permission: 'sales.deal.read' },
    schema: { operationId: 'sales.deal.history', summary: 'The stages a deal went through, with time in each', description: 'Each stage the deal entered, when, by whom, and how long it stayed.', tags, params: idParams, response: { 200: historySchema, '4xx': problemSchema } },
  }, async (request) => deals.history(actorOf(request), request.params.id));
}
