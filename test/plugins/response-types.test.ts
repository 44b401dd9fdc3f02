/**
 * Response types come from the response schemas (issue 11: one source per shape). A
 * plugin's DTO is `SchemaType<typeof itsResponseSchema>`, and the services and mappers
 * are declared to return it, so code that answers with a field the schema lacks, or
 * without one the schema requires, does not compile. The `@ts-expect-error` lines below
 * are checked by `npm run typecheck`: should a DTO drift from its schema again (written
 * by hand, or widened), the error they expect disappears and the typecheck fails.
 *
 * At run time, mapped records are validated against the very schemas the types come
 * from, as fast-json-stringify would shape them: nothing is dropped or missing.
 */
import t from 'tap';
import { Ajv } from 'ajv';
import type { SchemaType } from '../../core/plugin/index.js';
import type { ClaimDto } from '../../examples/custom-plugin/schemas.js';
import type { MessageDto as EmailMessageDto } from '../../plugins/email/services/messages.js';
import type { QuarantineDto } from '../../plugins/email/services/quarantine.js';
import type { obj as loyaltyObj } from '../../plugins/loyalty/schemas/common.js';
import type { RewardDto } from '../../plugins/loyalty/services/rewards.js';
import { dealSchema } from '../../plugins/sales/schemas/deal-schemas.js';
import { leadSchema } from '../../plugins/sales/schemas/lead-schemas.js';
import type { DealStatus, DealView, LeadDto, TaskDto } from '../../plugins/sales/services/records.js';
import { dealViewFromRow, leadFromRow } from '../../plugins/sales/services/records.js';
import type { DealViewRow, LeadRow } from '../../plugins/sales/services/rows.js';
import { messageSchema } from '../../plugins/support/schemas/ticket-schemas.js';
import { messageFromRow, type TicketDto } from '../../plugins/support/services/records.js';
import type { MessageRow } from '../../plugins/support/services/rows.js';

/** True when A and B are the same type (not merely assignable either way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const same = <A, B>(check: Equal<A, B>): Equal<A, B> => check;

// The derived types are what the schemas say: required fields present, the rest optional.
same<DealStatus, 'open' | 'won' | 'lost'>(true);
same<DealView['customerName'], string | null>(true);
same<DealView['expectedCloseDate'], string | undefined>(true);
same<TicketDto['sla'], { policyId: string; targets: Array<{ kind: 'first_response' | 'next_response' | 'resolution'; dueAt: string | null; state: 'running' | 'paused' | 'met' | 'breached'; remainingBusinessMinutes: number }> } | null>(true);
same<RewardDto, { id: string; name: string; cost: number; stock: number | null; tier: string | null; partner: string | null; validUntil: string | null; createdAt: string }>(true);
// Loyalty's `obj` without `required` makes every field required, in the schema and in its type.
same<SchemaType<ReturnType<typeof loyaltyObj<{ a: { type: 'string' }; b: { type: 'integer' } }>>>, { a: string; b: number }>(true);

// A field the schema lacks does not compile, nor does a missing required one.
export function answers(view: DealView, lead: LeadDto, task: TaskDto, ticket: TicketDto, claim: ClaimDto, mail: EmailMessageDto, held: QuarantineDto): unknown[] {
  // @ts-expect-error -- `probability` is not a field of the deal response schema
  const deal: DealView = { ...view, probability: 50 };
  // @ts-expect-error -- the lead response schema requires `score`
  const unscored: LeadDto = { id: lead.id, name: lead.name, utm: {}, tags: [], status: 'new', createdAt: lead.createdAt, updatedAt: lead.updatedAt, version: 1 };
  // @ts-expect-error -- a task's `status` is one of the statuses the service writes
  const done: TaskDto = { ...task, status: 'finished' };
  // @ts-expect-error -- `sla` is required (null when no policy applies), not optional
  const noSla: TicketDto = { ...ticket, sla: undefined };
  // @ts-expect-error -- `customerName` is not a field of the claim response schema
  const named: ClaimDto = { ...claim, customerName: 'Sara' };
  // @ts-expect-error -- the message response schema has `html`, not `body`
  const body: EmailMessageDto = { ...mail, body: '<p>Hi</p>' };
  // @ts-expect-error -- the quarantine schema lists no field as required, but the service answers every one
  const partial: QuarantineDto = { id: held.id, accountId: held.accountId };
  return [deal, unscored, done, noSla, named, body, partial];
}

const ajv = new Ajv({ strict: false });
const stamps = { version: 3, created_at: 1_767_225_600_000, updated_at: 1_767_312_000_000 };

t.test('a mapped deal, lead and message are exactly what their response schemas allow', async (t) => {
  const deal: DealViewRow = {
    id: 'd1', tenant_id: 't1', title: 'Fiber link', customer_id: 'c1', pipeline_id: 'p1', stage_id: 's1', amount: 12_000_000, currency: 'IRR',
    expected_close_date: '2026-03-21', owner_id: 'u1', team_id: null, status: 'open', lost_reason: null,
    line_items: JSON.stringify([{ productRef: { source: 'odoo', id: '42' }, name: 'Router', quantity: 2, unitPrice: 6_000_000 }]),
    lead_id: null, stage_entered_at: 1_767_225_600_000, closed_at: null, customer_name: 'Sara Ahmadi', ...stamps,
  };
  const lead: LeadRow = {
    id: 'l1', tenant_id: 't1', name: 'Reza', email: 'reza@example.com', phone: null, company: null, source: 'web', utm_source: 'ads', utm_medium: null, utm_campaign: null,
    territory: null, tags: '["vip"]', notes: null, email_key: 'reza@example.com', phone_key: null, open_email_key: 'reza@example.com', open_phone_key: null, status: 'new', score: 10,
    owner_id: null, team_id: null, disqualify_reason: null, matched_customer_id: null, customer_id: null, deal_id: null, web_form_id: null,
    contacted_at: null, qualified_at: null, disqualified_at: null, converted_at: null, ...stamps,
  };
  const message: MessageRow = { id: 'm1', tenant_id: 't1', ticket_id: 'k1', visibility: 'public', author_kind: 'agent', author_id: 'u1', body: 'Fixed', email_message_id: null, created_at: 1_767_225_600_000 };
  for (const [name, schema, dto] of [['deal', dealSchema, dealViewFromRow(deal)], ['lead', leadSchema, leadFromRow(lead)], ['message', messageSchema, messageFromRow(message)]] as const) {
    const validate = ajv.compile(schema);
    t.ok(validate(dto), `${name}: ${ajv.errorsText(validate.errors)}`);
  }
  t.same(dealViewFromRow(deal).lineItems, [{ productRef: { source: 'odoo', id: '42' }, name: 'Router', quantity: 2, unitPrice: 6_000_000 }]);
  t.same(leadFromRow(lead).utm, { source: 'ads' }, 'absent utm fields are left out, not null');
});
