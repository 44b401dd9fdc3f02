/**
 * Building blocks of the support JSON Schemas; the shared ones come from core. They keep
 * their literal types (`as const`), so request types are derived from the schemas.
 */
import { boundedString, lineString } from '../../../core/plugin/index.js';

export { idParams, ifMatchHeaders, nullable, pageOf, pageQuery, pageQuerySchema, problemSchema } from '../../../core/plugin/index.js';

/** A string of bounded length. */
export const str = boundedString;

/** Ticket channels. */
export const CHANNELS = ['email', 'web', 'phone', 'chat', 'api'] as const;
/** Ticket priorities, lowest first. */
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
/** Ticket statuses. */
export const STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
/** A single-line text (names, subjects): no line breaks or text-direction controls (core's `single-line`). */
export const line = lineString;
/** A record id in a body or query (an unknown one is a 404, not a 400). */
export const id = str(64, 1);
/** A person or team id of the host ERP. */
export const principal = str(200, 1);
export const channel = { type: 'string', enum: [...CHANNELS] } as const;
export const priority = { type: 'string', enum: [...PRIORITIES] } as const;
export const status = { type: 'string', enum: [...STATUSES] } as const;
export const tags = { type: 'array', maxItems: 50, items: str(100, 1) } as const;
export const customFields = { type: 'object', maxProperties: 100 } as const;

/** A response object: every listed field, nothing else. */
export const obj = <const P extends Record<string, object>, const R extends readonly string[] = []>(properties: P, required: R = [] as unknown as R) =>
  ({ type: 'object', additionalProperties: false, required, properties }) as const;

/** Response fields every versioned record has. */
export const stamps = { createdAt: { type: 'string' }, updatedAt: { type: 'string' }, version: { type: 'integer' } } as const;
