/** `/accounts`, `/adjustments`, `/referrals`: balances, the ledger, corrections, referral codes. */
import { actorOf, type PluginApp } from '../../../core/plugin/index.js';
import type { LoyaltyServices } from '../services/container.js';
import { pageOf, pageQuerySchema, problemSchema } from '../schemas/common.js';
import { accountSchema, adjustmentSchema, customerParams, entrySchema, referralApplySchema } from '../schemas/account-schemas.js';

const tags = ['loyalty: accounts'];
const idempotencyKey = (header: string | string[] | undefined) => (typeof header === 'string' && header.trim() ? header.trim() : undefined);

/** Registers the account routes. */
export function accountRoutes(app: PluginApp, { accounts, ledger, referrals }: LoyaltyServices): void {
  app.get('/accounts/:customerId', {
    config: { permission: 'loyalty.account.read' },
    schema: { summary: 'A customer’s balance (available, locked, lifetime, expiring soon) and tier', description: 'The balance derived from the ledger at read time: points spendable now (negative while a debt is open), points still locked in the returns window, lifetime earned, points expiring soon, and the tier with progress to the next (null without one). A customer with no activity answers 200 with zeros; a customer you cannot see answers 404.', operationId: 'loyalty.account.get', tags, params: customerParams, response: { 200: accountSchema, '4xx': problemSchema } },
  }, async (request) => accounts.get(actorOf(request), request.params.customerId));

  app.get('/accounts/:customerId/ledger', {
    config: { permission: 'loyalty.account.read' },
    schema: { summary: 'A customer’s ledger, newest first; signed points sum to the balance', description: 'The customer’s ledger entries, newest first, a page at a time (`limit`, `cursor`, `nextCursor`); `points` is signed (redeem, expire and reverse entries are negative), so the entries sum to the balance. A customer you cannot see answers 404.', operationId: 'loyalty.ledger.list', tags, params: customerParams, querystring: pageQuerySchema, response: { 200: pageOf(entrySchema), '4xx': problemSchema } },
  }, async (request) => {
    const actor = actorOf(request);
    await accounts.assertVisible(actor, request.params.customerId);
    return ledger.page(actor.tenantId, request.params.customerId, request.query.limit, request.query.cursor);
  });

  app.post('/adjustments', {
    config: { permission: 'loyalty.points.adjust' },
    schema: { summary: 'Correct a balance with a signed adjustment entry (Idempotency-Key honoured)', description: 'Appends a signed `adjust` entry (entries are never edited): positive points lapse after the program’s `expiryMonths`, negative points are taken from the balance and may leave it negative. Answers 201 with the entry; a repeated Idempotency-Key answers the same entry, and a customer you cannot see answers 404.', operationId: 'loyalty.adjustment.create', tags, body: adjustmentSchema, response: { 201: entrySchema, '4xx': problemSchema } },
  }, async (request, reply) => reply.code(201).send(await accounts.adjust(actorOf(request), request.body, idempotencyKey(request.headers['idempotency-key']))));

  app.get('/referrals/:customerId', {
    config: { permission: 'loyalty.account.read' },
    schema: { summary: 'A customer’s referral code (created on first request)', description: 'The customer’s referral code, drawn on the first request and the same afterwards; a customer you cannot see answers 404.', operationId: 'loyalty.referral.get', tags, params: customerParams, response: { 200: { type: 'object', additionalProperties: false, required: ['code'], properties: { code: { type: 'string' } } }, '4xx': problemSchema } },
  }, async (request) => referrals.code(actorOf(request), request.params.customerId));

  app.post('/referrals/apply', {
    config: { permission: 'loyalty.referral.apply' },
    schema: { summary: 'Link a referred customer to the owner of a referral code (before their first paid order)', description: 'Records the owner of the referral code as the customer’s referrer; when the customer’s first order is paid, both earn the program’s referral points. 404 REFERRAL_CODE_NOT_FOUND; 422 SELF_REFERRAL, REFERRAL_LOOP, ALREADY_REFERRED (another referrer; the same one answers 200) or REFERRAL_TOO_LATE (after a paid order).', operationId: 'loyalty.referral.apply', tags, body: referralApplySchema, response: { 200: { type: 'object', additionalProperties: false, required: ['customerId', 'referredBy'], properties: { customerId: { type: 'string' }, referredBy: { type: 'string' } } }, '4xx': problemSchema } },
  }, async (request) => referrals.apply(actorOf(request), request.body.customerId, request.body.code));
}
