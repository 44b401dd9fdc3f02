/**
 * JSON Schemas of the ERP routes: connections, runs, issues, inbound pushes. They are the
 * one source of the ERP's input, connection and run types: `ErpMapping`, `FieldOwnership`,
 * `ErpSchedule`, `ErpConnectionInput`/`Patch`, `ErpConnectionDto`, `RunDto` and `RunIssue`
 * are derived from them with `SchemaType`, so what ajv accepts, what fast-json-stringify
 * sends and what the service types say cannot drift.
 */
import { lineString, pageQuery } from '../plugin/schemas.js';
import { ERP_ENTITIES, ERP_PUSH_FIELDS, erpPushFieldSchema, type ErpEntity } from '../plugin/erp.js';
import type { SchemaType } from '../plugin/route-types.js';

const str = { type: 'string' } as const;

/** How a run started (`push`: a CRM change written back to the ERP). */
export const RUN_TRIGGERS = ['manual', 'scheduled', 'inbound', 'push'] as const;

/** How a run started. */
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/** Where a run is: `queued` → `running` → `succeeded|failed`. */
export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;

/** Where a run is. */
export type RunStatus = (typeof RUN_STATUSES)[number];
const owner = { type: 'string', enum: ['erp', 'crm', 'newest'] } as const;
const customerFields = ['kind', 'name', 'givenName', 'familyName', 'emails', 'phones', 'addresses', 'organizationId'];

const entityOwnership = (fields: string[]) => ({
  anyOf: [
    owner,
    {
      type: 'object',
      additionalProperties: false,
      properties: {
        default: owner,
        fields: { type: 'object', additionalProperties: false, maxProperties: 100, patternProperties: { [`^(${fields.join('|')}|customFields\\.[A-Za-z0-9_]{1,64})$`]: owner } },
      },
    },
  ],
}) as const;

/** `fieldOwnership`: per entity one owner, or a default and per-field owners. */
export const fieldOwnershipSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { customers: entityOwnership(customerFields), orders: entityOwnership([]), invoices: entityOwnership([]) },
} as const;

/** `mapping`: ref source, entities on/off, ERP fields copied into custom fields. */
export const mappingSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    source: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]{0,63}$' },
    customers: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        customFields: { type: 'object', maxProperties: 50, additionalProperties: false, patternProperties: { '^[A-Za-z0-9_]{1,64}$': { type: 'string', minLength: 1, maxLength: 100 } } },
        push: {
          type: 'object',
          additionalProperties: false,
          required: ['fields'],
          description: 'Write-back: these fields (owned by `crm`, or `newest` where the CRM changed last; `customFields.<key>` for a custom field the mapping names an ERP field for) are written to the ERP when the CRM changes them; `create` also creates the CRM\'s new customers in the ERP. Orders and invoices are the ERP\'s documents and never pushed.',
          properties: {
            fields: { type: 'array', minItems: 1, maxItems: ERP_PUSH_FIELDS.length + 50, uniqueItems: true, items: erpPushFieldSchema },
            create: { type: 'boolean' },
          },
        },
      },
    },
    orders: { type: 'object', additionalProperties: false, properties: { enabled: { type: 'boolean' } } },
    invoices: { type: 'object', additionalProperties: false, properties: { enabled: { type: 'boolean' } } },
  },
} as const;

/** `schedule`: null (manual and inbound only) or an interval. */
export const scheduleSchema = {
  anyOf: [
    { type: 'null' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['intervalMinutes'],
      properties: { intervalMinutes: { type: 'integer', minimum: 1, maximum: 10080 }, fullEveryHours: { type: 'integer', minimum: 1, maximum: 8760 } },
    },
  ],
} as const;

const name = lineString(200, 1);
// Adapter settings are checked against the adapter's own schema later; here every value is bounded
// first: at most 50 keys, each a scalar (text up to 4 KiB), a list of up to 100 scalars, or a
// map of up to 50 scalars.
const scalar = { anyOf: [{ type: 'string', maxLength: 4096 }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }] } as const;
const configKey = { type: 'string', maxLength: 100 } as const;
const config = {
  type: 'object',
  maxProperties: 50,
  propertyNames: configKey,
  additionalProperties: { anyOf: [...scalar.anyOf, { type: 'array', maxItems: 100, items: scalar }, { type: 'object', maxProperties: 50, propertyNames: configKey, additionalProperties: scalar }] },
  description: 'Adapter settings (at most 50 keys; text values up to 4096 characters); secret keys (apiKey, apiSecret, password, databaseUrl, secret) are write-only',
} as const;

export const connectionCreateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'adapter', 'config'],
  properties: { name, adapter: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,39}$' }, config, mapping: mappingSchema, fieldOwnership: fieldOwnershipSchema, schedule: scheduleSchema },
} as const;

export const connectionPatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { name, config, mapping: mappingSchema, fieldOwnership: fieldOwnershipSchema, schedule: scheduleSchema },
} as const;

export const connectionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'adapter', 'config', 'secretsSet', 'mapping', 'fieldOwnership', 'schedule', 'nextRunAt', 'createdAt', 'updatedAt', 'version'],
  properties: {
    id: str,
    name: str,
    adapter: str,
    config: { type: 'object', additionalProperties: true },
    secretsSet: { type: 'array', items: str, description: 'Secret config keys that are set (never returned)' },
    mapping: mappingSchema,
    fieldOwnership: fieldOwnershipSchema,
    schedule: scheduleSchema,
    nextRunAt: { type: ['string', 'null'] },
    createdAt: str,
    updatedAt: str,
    version: { type: 'integer' },
  },
} as const;

export const testResultSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ok'],
  properties: { ok: { type: 'boolean' }, error: { type: 'object', additionalProperties: false, required: ['code', 'message'], properties: { code: str, message: str } } },
} as const;

// Written out (not built with Object.fromEntries) so the schema keeps its literal type and
// `RunDto` can be derived from it; the served JSON is the same.
const count = { type: 'integer' } as const;
const countsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['created', 'updated', 'unchanged', 'deleted', 'failed', 'conflicts'],
  properties: { created: count, updated: count, unchanged: count, deleted: count, failed: count, conflicts: count },
} as const;

// Every ERP entity, in ERP_ENTITIES' order: `satisfies` refuses a missing or an unknown one.
const countsByEntitySchema = { customers: countsSchema, orders: countsSchema, invoices: countsSchema } as const satisfies Record<ErpEntity, typeof countsSchema>;

export const runCreateSchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { dryRun: { type: 'boolean', default: false }, full: { type: 'boolean', default: false } },
} as const;

export const runAcceptedSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'status'],
  properties: { id: str, status: { type: 'string', enum: RUN_STATUSES } },
} as const;

export const runSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'connectionId', 'trigger', 'status', 'dryRun', 'full', 'counts', 'countsByEntity', 'startedAt', 'finishedAt'],
  properties: {
    id: str,
    connectionId: str,
    trigger: { type: 'string', enum: RUN_TRIGGERS },
    status: { type: 'string', enum: RUN_STATUSES },
    dryRun: { type: 'boolean' },
    full: { type: 'boolean' },
    counts: countsSchema,
    countsByEntity: { type: 'object', additionalProperties: false, required: ERP_ENTITIES, properties: countsByEntitySchema },
    error: { type: 'object', additionalProperties: false, required: ['code', 'message'], properties: { code: str, message: str } },
    startedAt: { type: ['string', 'null'] },
    finishedAt: { type: ['string', 'null'] },
  },
} as const;

export const issueSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['entity', 'externalId', 'code', 'message', 'payload'],
  properties: { entity: { type: 'string', enum: ERP_ENTITIES }, externalId: str, code: str, message: str, payload: {} },
} as const;

/** Body the ERP pushes to `POST /erp/inbound/{connectionId}`. */
export const inboundSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['changes'],
  properties: {
    changes: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['entity', 'externalId', 'action'],
        properties: {
          entity: { type: 'string', enum: ERP_ENTITIES },
          externalId: { type: 'string', minLength: 1, maxLength: 128 },
          action: { type: 'string', enum: ['upsert', 'delete'] },
          modifiedAt: { type: 'string', format: 'date-time' },
          // The record as the entity's sink reads it; the sink validates its fields (a bad record is an issue of the run).
          data: { type: 'object', maxProperties: 200 },
        },
      },
    },
  },
} as const;

/** Query of `GET /erp/connections/{id}/runs`: a page, optionally of one trigger. */
export const runListQuery = { type: 'object', additionalProperties: false, properties: { ...pageQuery, trigger: { type: 'string', enum: RUN_TRIGGERS } } } as const;

/** Per-connection mapping: the ref source, which entities sync, ERP fields copied into custom fields, write-back. */
export type ErpMapping = SchemaType<typeof mappingSchema>;

/** Write-back of customers (`mapping.customers.push`): the fields pushed, and whether CRM-made customers are created in the ERP. */
export type ErpPushConfig = NonNullable<NonNullable<ErpMapping['customers']>['push']>;

/** Per-field ownership: per entity one owner, or a default and per-field owners. */
export type FieldOwnership = SchemaType<typeof fieldOwnershipSchema>;

/** How often a connection syncs by itself; `fullEveryHours` makes a scheduled run full (deletion detection). */
export type ErpSchedule = NonNullable<SchemaType<typeof scheduleSchema>>;

/** Body of `POST /erp/connections`. */
export type ErpConnectionInput = SchemaType<typeof connectionCreateSchema>;

/** Body of `PATCH /erp/connections/{id}`: config keys merge (a secret left out is kept). */
export type ErpConnectionPatch = SchemaType<typeof connectionPatchSchema>;

/** A connection as the API returns it (no secrets; `secretsSet` names the secret keys that are set). */
export type ErpConnectionDto = SchemaType<typeof connectionSchema>;

/** Body of `POST /erp/connections/{id}/runs` (null or `{}`: a normal run; ajv fills the defaults). */
export type RunCreateInput = SchemaType<typeof runCreateSchema>;

/** A run as the API returns it and `erp.run_finished` carries it. */
export type RunDto = SchemaType<typeof runSchema>;

/** What happened to records of one entity in a run. */
export type RunCounts = RunDto['counts'];

/** A record-level issue of a run (`code`: `FIELD_CONFLICT`, `DELETED_IN_ERP`, `VALIDATION_FAILED`, `ORGANIZATION_NOT_FOUND`…). */
export type RunIssue = SchemaType<typeof issueSchema>;

/** A change the ERP pushes (`POST /erp/inbound/{connectionId}`). */
export type InboundChange = SchemaType<typeof inboundSchema>['changes'][number];
