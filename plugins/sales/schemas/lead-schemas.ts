/** JSON Schemas of leads, conversion and the public web form. */
import { amount, currency, date, id, line, nullable, obj, pageQuery, phoneString, principal, stamps, str } from './common.js';
import { dealSchema } from './deal-schemas.js';

const utm = { type: 'object', additionalProperties: false, properties: { source: str(200, 1), medium: str(200, 1), campaign: str(200, 1) } } as const;
const email = { type: 'string', format: 'email', maxLength: 320 } as const;
const phone = phoneString;

const writable = {
  name: line(300, 1),
  email,
  phone,
  company: line(300, 1),
  source: str(100, 1),
  utm,
  territory: str(100, 1),
  tags: { type: 'array', maxItems: 50, items: str(100, 1) },
  notes: str(5000, 1),
  ownerId: principal,
} as const;

/** Body of POST /leads. `score` is computed, so it is read-only (a 400 if sent). */
export const leadInputSchema = { type: 'object', additionalProperties: false, required: ['name'], properties: { ...writable, status: { type: 'string', enum: ['new', 'contacted', 'qualified'] } } } as const;

/** Body of PATCH /leads/{id}; disqualifying needs a reason. */
export const leadPatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    // Spelled out (not mapped over `writable`) so the patch type is derived from it.
    name: writable.name,
    email: nullable(writable.email),
    phone: nullable(writable.phone),
    company: nullable(writable.company),
    source: nullable(writable.source),
    utm: nullable(writable.utm),
    territory: nullable(writable.territory),
    tags: nullable(writable.tags),
    notes: nullable(writable.notes),
    ownerId: nullable(writable.ownerId),
    status: { type: 'string', enum: ['new', 'contacted', 'qualified', 'disqualified'] },
    disqualifyReason: str(1000, 1),
  },
  if: { required: ['status'], properties: { status: { const: 'disqualified' } } },
  then: { required: ['disqualifyReason'] },
} as const;

/** Query of GET /leads. */
export const leadListQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { status: { type: 'string', enum: ['new', 'contacted', 'qualified', 'disqualified', 'converted'] }, ownerId: { type: 'string', maxLength: 200 }, source: { type: 'string', maxLength: 100 }, ...pageQuery },
} as const;

/** Params of the public POST /web-leads/{formKey}. */
export const formKeyParams = { type: 'object', additionalProperties: false, required: ['formKey'], properties: { formKey: str(64, 1) } } as const;

/** A lead in responses. */
export const leadSchema = obj({
  id: { type: 'string' },
  // Spelled out in `writable`'s order (not mapped over it) so the lead type is derived from it.
  name: { type: 'string' },
  email: { type: 'string' },
  phone: { type: 'string' },
  company: { type: 'string' },
  source: { type: 'string' },
  utm,
  territory: { type: 'string' },
  tags: { type: 'array', items: { type: 'string' } },
  notes: { type: 'string' },
  ownerId: { type: 'string' },
  status: { type: 'string' },
  score: { type: 'integer' },
  teamId: { type: 'string' },
  disqualifyReason: { type: 'string' },
  matchedCustomerId: { type: 'string' },
  customerId: { type: 'string' },
  dealId: { type: 'string' },
  convertedAt: { type: 'string' },
  ...stamps,
}, ['id', 'name', 'utm', 'tags', 'status', 'score', 'createdAt', 'updatedAt', 'version']);

/** Body of POST /leads/{id}/convert. */
export const convertSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    customerId: id,
    deal: { type: 'object', additionalProperties: false, required: ['title', 'amount', 'pipelineId'], properties: { title: line(300, 1), amount, pipelineId: id, stageId: id, currency, expectedCloseDate: date } },
  },
} as const;

/** Response of a conversion. */
export const conversionSchema = obj({
  lead: leadSchema,
  customer: obj({ id: { type: 'string' }, name: { type: 'string' } }, ['id', 'name']),
  customerCreated: { type: 'boolean' },
  deal: { anyOf: [dealSchema, { type: 'null' }] },
}, ['lead', 'customer', 'customerCreated', 'deal']);

/** Body of the public web-to-lead POST: an email or a phone; `website` is the honeypot. */
export const webLeadSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: line(300, 1), email, phone, company: line(300, 1), message: str(5000, 1), utm, website: str(500) },
  anyOf: [{ required: ['email'] }, { required: ['phone'] }],
} as const;
