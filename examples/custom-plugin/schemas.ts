/** The claim as the API shows it, its JSON Schemas, and the status flow. */
import { boundedString, lineString, nullable } from 'peyvand/plugin';

/** Where a claim is: opened, looked at, decided, and (when approved) resolved. */
export type ClaimStatus = 'open' | 'in_review' | 'approved' | 'rejected' | 'resolved';

/** The statuses a claim may move to from each status; `rejected` and `resolved` are final. */
export const CLAIM_TRANSITIONS: Readonly<Record<ClaimStatus, readonly ClaimStatus[]>> = {
  open: ['in_review', 'rejected'],
  in_review: ['approved', 'rejected'],
  approved: ['resolved'],
  rejected: [],
  resolved: [],
};

/** A warranty claim. */
export interface ClaimDto {
  id: string;
  customerId: string;
  /** The ERP's product (`odoo:product.product/42`). */
  productRef: string;
  serialNumber: string | null;
  problem: string;
  status: ClaimStatus;
  /** Why it was rejected, or how it was resolved. */
  resolution: string | null;
  ownerId: string;
  teamId: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** Body of `POST /claims`. */
export interface ClaimInput {
  customerId: string;
  productRef: string;
  serialNumber?: string;
  problem: string;
}

/** Body of `PATCH /claims/{id}` (JSON merge-patch). */
export interface ClaimPatch {
  problem?: string;
  serialNumber?: string | null;
  status?: ClaimStatus;
  resolution?: string;
}

const statuses = Object.keys(CLAIM_TRANSITIONS);
const text = (type: string) => ({ type });
const orNull = (type: string) => ({ type: [type, 'null'] });

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
};

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
};

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
};

/** Query schema of `GET /claims`. */
export const claimListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: statuses },
    customerId: boundedString(64, 1),
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    cursor: boundedString(500),
  },
};
