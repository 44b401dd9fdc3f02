/** `/program`: the tenant's loyalty program, replaced as a whole. */
import { actorOf, expectedVersion, type PluginApp } from '../../../core/plugin/index.js';
import type { LoyaltyServices } from '../services/container.js';
import { problemSchema } from '../schemas/common.js';
import { programInputSchema, programSchema } from '../schemas/program-schemas.js';

const tags = ['loyalty: program'];


/** Registers the program routes. */
export function programRoutes(app: PluginApp, { programs }: LoyaltyServices): void {
  app.get('/program', {
    config: { permission: 'loyalty.account.read' },
    schema: { summary: 'The loyalty program: earning, lock, expiry, tiers, referral rule', description: 'The tenant’s loyalty program, with its version as the `ETag` header; 404 PROGRAM_NOT_FOUND until the first PUT.', operationId: 'loyalty.program.get', tags, response: { 200: programSchema, '4xx': problemSchema } },
  }, async (request, reply) => {
    const program = await programs.get(actorOf(request).tenantId);
    return reply.header('etag', `"${program.version}"`).send(program);
  });

  app.put('/program', {
    config: { permission: 'loyalty.program.manage' },
    schema: { summary: 'Replace the loyalty program (If-Match honoured)', description: 'Replaces the whole program and answers it with the new version as the `ETag`; an unknown currency, a repeated tier key or tier thresholds that do not rise answer 422 PROGRAM_INVALID. With `If-Match` a stale or malformed version answers 412 PRECONDITION_FAILED.', operationId: 'loyalty.program.put', tags, body: programInputSchema, response: { 200: programSchema, '4xx': problemSchema } },
  }, async (request, reply) => {
    const program = await programs.put(actorOf(request), request.body, expectedVersion(request.headers['if-match']));
    return reply.header('etag', `"${program.version}"`).send(program);
  });
}
