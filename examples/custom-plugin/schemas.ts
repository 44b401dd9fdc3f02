/**
 * The claim as the API shows it, its JSON Schemas, and the status flow. The schemas are
 * written `as const`: the routes' and the service's input and output types are derived
 * from them (`SchemaType`), so there is one declaration of each shape.
 */
import { boundedString, lineString, nullable, pageQuery, type SchemaType } from 'peyvand/plugin';

/** Where a claim can be: opened, looked at, decided, and (when approved) resolved. */
const statuses = ['open', 'in_review', 'approved', 'rejected', 'resolved'] as const;

/** Where a claim is. */
export type ClaimStatus = (typeof statuses)[number];

/** The statuses a claim may move to from each status; `rejected` and `resolved` are final. */
export const CLAIM_TRANSITIONS: Readonly<Record<ClaimStatus, readonly ClaimStatus[]>> = {
  open: ['in_review', 'rejected'],
  in_review: ['approved', 'rejected'],
  approved: ['resolved'],
  rejected: [],
  resolved: [],
};

const text = <const T extends string>(type: T) => ({ type }) as const;
const orNull = <const T extends string>(type: T) => ({ type: [type, 'null'] }) as const;

/** A claim in responses and event data. */
export const claimSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'customerId', 'productRef', 'serialNumber', 'problem', 'status', 'resolution', 'ownerId', 'teamId', 'version', 'createdAt', 'updatedAt'],
  properties: {
    id: text('string'),
    customerId: text('string'),
    productRef: text('string'),
    serialNumber: orNull('string'),
    problem: text('string'),
    status: { type: 'string', enum: statuses },
    resolution: orNull('string'),
    ownerId: text('string'),
    teamId: orNull('string'),
    version: text('integer'),
    createdAt: text('string'),
    updatedAt: text('string'),
  },
} as const;

/**
 * A warranty claim: the type of {@link claimSchema}, so the service cannot return a field
 * the response lacks. `productRef` is the ERP's product (`odoo:product.product/42`);
 * `resolution` says why it was rejected, or how it was resolved.
 */
export type ClaimDto = SchemaType<typeof claimSchema>;

/** Body schema of `POST /claims`. */
export const claimInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['customerId', 'productRef', 'problem'],
  properties: {
    customerId: boundedString(64, 1),
    productRef: lineString(200, 1),
    serialNumber: lineString(100, 1),
    problem: boundedString(5000, 1),
  },
} as const;

/** Body of `POST /claims`. */
export type ClaimInput = SchemaType<typeof claimInputSchema>;

/** Body schema of `PATCH /claims/{id}`. */
export const claimPatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    problem: boundedString(5000, 1),
    serialNumber: nullable(lineString(100, 1)),
    status: { type: 'string', enum: statuses },
    resolution: boundedString(5000, 1),
  },
} as const;

/** Body of `PATCH /claims/{id}` (JSON merge-patch). */
export type ClaimPatch = SchemaType<typeof claimPatchSchema>;

/** Query schema of `GET /claims`. */
export const claimListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: statuses },
    customerId: boundedString(64, 1),
    ...pageQuery,
  },
} as const;

/** Filters of the claim list: `limit` is always there (ajv applies its default of 50). */
export type ClaimListFilter = SchemaType<typeof claimListQuery>;
