/** `/api/v1/warranty/claims`: every route with its permission, schemas and operationId. */
import { actorOf, idParams, pageOf, problemSchema, type PluginApp, type PluginContext } from 'peyvand/plugin';
import { ClaimService } from './claims.js';
import { claimInputSchema, claimListQuery, claimPatchSchema, claimSchema } from './schemas.js';

const tags = ['warranty: claims'];

/**
 * The plugin's `routes` hook: the app is already scoped to `/api/v1/warranty`. No route
 * names its request types: `PluginApp` derives `request.body`/`query`/`params` from the
 * route's schemas.
 */
export function warrantyRoutes(app: PluginApp, ctx: PluginContext): void {
  const claims = new ClaimService(ctx);

  app.post('/claims', {
    config: { permission: 'warranty.claim.create' },
    schema: {
      operationId: 'warranty.claim.create', summary: 'Open a warranty claim', tags,
      description: 'Opens a claim for a product the ERP sold to a customer. The caller owns it; `warranty.claim.opened` is emitted.',
      body: claimInputSchema, response: { 201: claimSchema, '4xx': problemSchema },
    },
  }, async (request, reply) => reply.code(201).send(await claims.open(actorOf(request), request.body)));

  app.get('/claims', {
    config: { permission: 'warranty.claim.read' },
    schema: {
      operationId: 'warranty.claim.list', summary: 'List warranty claims (newest first, within your record scope)', tags,
      description: 'Claims the caller may see (agents their own, managers their team\'s), filtered by status or customer, a page at a time.',
      querystring: claimListQuery, response: { 200: pageOf(claimSchema), '4xx': problemSchema },
    },
  }, async (request) => claims.list(actorOf(request), request.query));

  app.get('/claims/:id', {
    config: { permission: 'warranty.claim.read' },
    schema: {
      operationId: 'warranty.claim.get', summary: 'Get a warranty claim', tags,
      description: 'One claim within the caller\'s record scope; one outside it answers 404 like a missing one.',
      params: idParams, response: { 200: claimSchema, '4xx': problemSchema },
    },
  }, async (request) => claims.get(actorOf(request), request.params.id));

  app.patch('/claims/:id', {
    config: { permission: 'warranty.claim.update' },
    schema: {
      operationId: 'warranty.claim.update', summary: 'Edit a claim or move it along its status flow', tags,
      description: 'JSON merge-patch. `status` moves open → in_review → approved → resolved (or to rejected); rejecting and resolving need a `resolution`. A status change emits `warranty.claim.status_changed`.',
      params: idParams, body: claimPatchSchema, response: { 200: claimSchema, '4xx': problemSchema },
    },
  }, async (request) => claims.update(actorOf(request), request.params.id, request.body));

  app.delete('/claims/:id', {
    config: { permission: 'warranty.claim.delete' },
    schema: {
      operationId: 'warranty.claim.delete', summary: 'Delete a warranty claim', tags,
      description: 'Deletes a claim within the caller\'s record scope and emits `warranty.claim.deleted`.',
      params: idParams, response: { 204: { type: 'null' }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    await claims.remove(actorOf(request), request.params.id);
    return reply.code(204).send();
  });
}
