/** `/rewards` and `/redemptions`: the catalog, redemption, and codes the shop verifies and uses. */
import { actorOf, type PluginApp } from '../../../core/plugin/index.js';
import type { LoyaltyServices } from '../services/container.js';
import { idParams, pageOf, pageQuerySchema, problemSchema } from '../schemas/common.js';
import { codeParams, redeemSchema, redemptionSchema, redemptionStatusSchema, rewardInputSchema, rewardSchema } from '../schemas/account-schemas.js';

const tags = ['loyalty: rewards'];

/** Registers the reward routes. */
export function rewardRoutes(app: PluginApp, { rewards }: LoyaltyServices): void {
  app.post('/rewards', {
    config: { permission: 'loyalty.program.manage' },
    schema: { summary: 'Add a reward to the catalog', description: 'Adds a reward costing `cost` points: no `stock` means unlimited, `tier` limits it to customers in that tier or above, `validUntil` ends the offer. Answers 201 with the reward.', operationId: 'loyalty.reward.create', tags, body: rewardInputSchema, response: { 201: rewardSchema, '4xx': problemSchema } },
  }, async (request, reply) => reply.code(201).send(await rewards.create(actorOf(request), request.body)));

  app.get('/rewards', {
    config: { permission: 'loyalty.account.read' },
    schema: { summary: 'The rewards catalog, newest first', description: 'The tenant’s rewards catalog, newest first, a page at a time (`limit`, `cursor`, `nextCursor`), including rewards that are out of stock or past `validUntil`.', operationId: 'loyalty.reward.list', tags, querystring: pageQuerySchema, response: { 200: pageOf(rewardSchema), '4xx': problemSchema } },
  }, async (request) => rewards.list(actorOf(request).tenantId, request.query.limit, request.query.cursor));

  app.post('/rewards/:id/redeem', {
    config: { permission: 'loyalty.reward.redeem' },
    schema: { summary: 'Redeem a reward for a customer: spends points, takes stock, issues a code', description: 'In one transaction: checks the customer’s tier and spendable points, takes a unit of stock, writes a `redeem` ledger entry and issues a one-time code (201); a repeated Idempotency-Key answers the same redemption. 409 INSUFFICIENT_POINTS or OUT_OF_STOCK, 422 REWARD_EXPIRED or REWARD_TIER_REQUIRED, 404 for an unknown reward or a customer you cannot see.', operationId: 'loyalty.reward.redeem', tags, params: idParams, body: redeemSchema, response: { 201: redemptionSchema, '4xx': problemSchema } },
  }, async (request, reply) => {
    const header = request.headers['idempotency-key'];
    const key = typeof header === 'string' && header.trim() ? header.trim() : undefined;
    return reply.code(201).send(await rewards.redeem(actorOf(request), request.params.id, request.body.customerId, key));
  });

  app.get('/redemptions/:code', {
    config: { permission: 'loyalty.reward.redeem' },
    schema: { summary: 'Verify a redemption code', description: 'Looks up a redemption code (case-insensitive) so a shop or till can check it before use: the reward, the customer, and `usedAt` (null while unused). An unknown code answers 404 REDEMPTION_NOT_FOUND.', operationId: 'loyalty.redemption.get', tags, params: codeParams, response: { 200: redemptionStatusSchema, '4xx': problemSchema } },
  }, async (request) => rewards.verify(actorOf(request).tenantId, request.params.code));

  app.post('/redemptions/:code/use', {
    config: { permission: 'loyalty.reward.redeem', bodyless: true },
    schema: { summary: 'Mark a redemption code used (once)', description: 'Marks a redemption code used, once: 204; a second use answers 409 REDEMPTION_USED and an unknown code 404 REDEMPTION_NOT_FOUND.', operationId: 'loyalty.redemption.use', tags, params: codeParams, response: { 204: { type: 'null' }, '4xx': problemSchema } },
  }, async (request, reply) => {
    await rewards.use(actorOf(request), request.params.code);
    return reply.code(204).send();
  });
}
