/** JSON Schemas of CSAT links and answers, complaints and canned responses. */
import { line, obj, pageQuery, stamps, str } from './common.js';

/** Params of the public survey routes: any text up to a path parameter's limit (a forged token is a 404, not a 400). */
export const csatTokenParams = { type: 'object', additionalProperties: false, required: ['token'], properties: { token: str(100, 1) } } as const;

/** Answer of POST /tickets/{id}/csat-link. */
export const csatLinkSchema = obj({ url: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } }, ['url', 'expiresAt']);

/** Answer of GET /csat/{token}. */
export const csatSurveySchema = obj({ ticketNumber: { type: 'integer' }, subject: { type: 'string' }, locale: { type: 'string', enum: ['fa', 'en'] } }, ['ticketNumber', 'subject', 'locale']);

/** Body of POST /csat/{token}. */
export const csatAnswerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['rating'],
  properties: { rating: { type: 'integer', minimum: 1, maximum: 5 }, comment: str(2000) },
} as const;

const day = { type: 'string', maxLength: 40, description: 'A date (`2026-03-21`, the whole day in UTC) or an instant (ISO 8601)' } as const;

/** Query of GET /reports/complaints. */
export const complaintQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { ...day, description: 'Start (inclusive); default 90 days before `to`. A date (`2026-03-21`) or an instant.' },
    to: { ...day, description: 'End (exclusive; a date includes its whole day); default now.' },
    min: { type: 'integer', minimum: 1, maximum: 1000, default: 2, description: 'Least number of complaints in the period' },
  },
} as const;

/** Answer of GET /reports/complaints. */
export const complaintReportSchema = obj({
  from: { type: 'string' },
  to: { type: 'string' },
  min: { type: 'integer' },
  items: { type: 'array', items: obj({ customerId: { type: 'string' }, complaints: { type: 'integer' }, lastComplaintAt: { type: 'string' } }, ['customerId', 'complaints', 'lastComplaintAt']) },
}, ['from', 'to', 'min', 'items']);

const locale = { type: 'string', enum: ['fa', 'en'] } as const;
const body = str(20_000, 1);

/** Body of POST /canned-responses. */
export const cannedInputSchema = { type: 'object', additionalProperties: false, required: ['name', 'locale', 'body'], properties: { name: line(200, 1), locale, body } } as const;

/** Body of PATCH /canned-responses/{id}. */
export const cannedPatchSchema = { type: 'object', additionalProperties: false, minProperties: 1, properties: { name: line(200, 1), locale, body } } as const;

/** Query of GET /canned-responses. */
export const cannedListQuery = { type: 'object', additionalProperties: false, properties: { locale } } as const;

/** A canned response in responses. */
export const cannedSchema = obj({ id: { type: 'string' }, name: { type: 'string' }, locale, body: { type: 'string' }, ...stamps }, ['id', 'name', 'locale', 'body', 'createdAt', 'updatedAt', 'version']);

/** Answer of the render route. */
export const renderedSchema = obj({ id: { type: 'string' }, locale, text: { type: 'string' } }, ['id', 'locale', 'text']);

/** Params of the render route. */
export const renderParams = { type: 'object', additionalProperties: false, required: ['id', 'cannedId'], properties: { id: { type: 'string', maxLength: 64 }, cannedId: { type: 'string', maxLength: 64 } } } as const;

/** A complaint's follow-up: the task of the manager of the ticket's queue (`assigneeId` null: any manager). */
export const followUpSchema = obj({
  id: { type: 'string' },
  ticketId: { type: 'string' },
  ticketNumber: { type: 'integer' },
  customerId: { type: ['string', 'null'] },
  reason: { type: 'string', enum: ['low_rating', 'tagged'] },
  rating: { type: ['integer', 'null'] },
  assigneeId: { type: ['string', 'null'] },
  status: { type: 'string', enum: ['open', 'done'] },
  createdAt: { type: 'string' },
  doneAt: { type: 'string' },
  doneBy: { type: 'string' },
  note: { type: 'string' },
}, ['id', 'ticketId', 'ticketNumber', 'customerId', 'reason', 'rating', 'assigneeId', 'status', 'createdAt']);

/** Query of `GET /follow-ups`. */
export const followUpQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ['open', 'done'], description: 'Open (the default) or done follow-ups' },
    assigneeId: { ...str(200, 1), description: 'Only those of this manager' },
    ...pageQuery,
  },
} as const;

/** Body of `POST /follow-ups/{id}/done`. */
export const followUpDoneSchema = { type: 'object', additionalProperties: false, properties: { note: { ...str(2000, 1), description: 'What was done: a call, a refund, an apology' } } } as const;
