/** JSON Schemas of deals. */
import { amount, currency, date, id, line, nullable, obj, pageQuery, principal, stamps, str } from './common.js';

/** A line item as the deal response shows it. */
const lineItem = {
  type: 'object',
  additionalProperties: false,
  required: ['productRef', 'name', 'quantity', 'unitPrice'],
  properties: {
    productRef: { type: 'object', additionalProperties: false, required: ['source', 'id'], properties: { source: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]{0,63}$' }, id: str(128, 1) } },
    // Plain here: the response is compiled by fast-json-stringify, which knows no Peyvand format.
    name: str(300, 1),
    quantity: { type: 'number', minimum: 0, maximum: 1e9 },
    unitPrice: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  },
} as const;
/** A line item as a request writes it: its name one line, like every name. */
const lineItemInput = { ...lineItem, properties: { ...lineItem.properties, name: line(300, 1) } } as const;
const status = { type: 'string', enum: ['open', 'won', 'lost'] } as const;
/** Losing a deal needs a reason, whichever route loses it. */
const lostNeedsReason = { if: { required: ['status'], properties: { status: { const: 'lost' } } }, then: { required: ['lostReason'] } } as const;

const writable = {
  title: line(300, 1),
  customerId: id,
  pipelineId: id,
  stageId: id,
  amount,
  currency,
  expectedCloseDate: date,
  ownerId: principal,
  teamId: principal,
  status,
  lostReason: str(1000, 1),
  lineItems: { type: 'array', maxItems: 200, items: lineItemInput },
} as const;

/** Body of POST /deals. */
export const dealInputSchema = { type: 'object', additionalProperties: false, required: ['title', 'customerId', 'pipelineId', 'amount'], properties: writable, ...lostNeedsReason } as const;

/** Body of PATCH /deals/{id} (JSON merge-patch). */
export const dealPatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { ...writable, expectedCloseDate: nullable(date), teamId: nullable(principal), ownerId: nullable(principal) },
  ...lostNeedsReason,
} as const;

/** Query of GET /deals. */
export const dealListQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { pipelineId: id, stageId: id, status, ownerId: { type: 'string', maxLength: 200 }, customerId: id, ...pageQuery },
} as const;

/** Body of POST /deals/{id}/move. */
export const moveSchema = { type: 'object', additionalProperties: false, required: ['stageId'], properties: { stageId: id } } as const;
/** Body of POST /deals/{id}/lost. */
export const lostSchema = { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: str(1000, 1) } } as const;

/** A deal in responses. */
export const dealSchema = obj({
  id: { type: 'string' },
  title: { type: 'string' },
  customerId: { type: 'string' },
  pipelineId: { type: 'string' },
  stageId: { type: 'string' },
  amount: { type: 'integer' },
  currency: { type: 'string' },
  expectedCloseDate: { type: 'string' },
  ownerId: { type: 'string' },
  teamId: { type: 'string' },
  status: { type: 'string', enum: ['open', 'won', 'lost'] },
  lostReason: { type: 'string' },
  lineItems: { type: 'array', items: lineItem },
  leadId: { type: 'string' },
  stageEnteredAt: { type: 'string' },
  closedAt: { type: 'string' },
  // Read-only, from the customer record: not in the body schemas, so sending it is a 400.
  customerName: { type: ['string', 'null'], description: "The customer's name; null when the customer was deleted or is outside your record scope" },
  ...stamps,
}, ['id', 'title', 'customerId', 'customerName', 'pipelineId', 'stageId', 'amount', 'currency', 'status', 'lineItems', 'stageEnteredAt', 'createdAt', 'updatedAt', 'version']);

/** GET /deals/{id}/history. */
export const historySchema = obj({
  items: { type: 'array', items: obj({ pipelineId: { type: 'string' }, stageId: { type: 'string' }, enteredAt: { type: 'string' }, leftAt: { type: 'string' }, timeInStageMs: { type: 'integer' }, actor: { type: 'string' } }) },
}, ['items']);
