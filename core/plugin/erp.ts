/**
 * The ERP adapter contract. Core runs the sync (connections, runs, cursors, ownership,
 * deletions, issues); an adapter only speaks its ERP's protocol and maps the ERP's
 * documents to the canonical records below. Adapters live in `adapters/<name>/` as
 * plugins that register themselves through `ctx.erp.registerAdapter` in `bootstrap`.
 *
 * @module
 */
import type { Logger } from 'pino';
import type { JsonSchema } from './types.js';
import { customFieldPathSchema, type SchemaType } from './route-types.js';
import type { Address, LabeledValue } from './customers.js';

/** The kinds of records a sync moves. */
export const ERP_ENTITIES = ['customers', 'orders', 'invoices'] as const;

/** A kind of record a sync moves. */
export type ErpEntity = (typeof ERP_ENTITIES)[number];

/** A customer as the ERP has it, mapped to Peyvand's fields. */
export interface ErpCustomer {
  kind: 'person' | 'organization';
  name: string;
  givenName?: string;
  familyName?: string;
  emails: LabeledValue[];
  phones: LabeledValue[];
  addresses: Address[];
  /** The ERP id of the organization this contact belongs to (Odoo `parent_id`). */
  organizationRef?: string | null;
}

/**
 * Standard customer fields a connection may push to the ERP (`mapping.customers.push.fields`);
 * custom fields are pushed as `customFields.<key>` where `mapping.customers.customFields`
 * names their ERP field. Only customers are written: orders and invoices are the ERP's
 * documents, read-only here.
 */
export const ERP_PUSH_FIELDS = ['name', 'emails', 'phones'] as const;

/** A standard customer field a connection may push. */
export type ErpStandardPushField = (typeof ERP_PUSH_FIELDS)[number];

/**
 * JSON Schema of one pushed field (an item of `mapping.customers.push.fields`): a standard
 * field or `customFields.<key>`. The one source of {@link ErpPushField}.
 */
export const erpPushFieldSchema = { anyOf: [{ type: 'string', enum: ERP_PUSH_FIELDS }, customFieldPathSchema] } as const;

/** A customer field a connection may push: a standard one or a mapped custom field. */
export type ErpPushField = SchemaType<typeof erpPushFieldSchema>;

/** What an adapter can write: standard fields, and `customFields` when it writes the ERP fields a mapping names. */
export type ErpWritableField = ErpStandardPushField | 'customFields';

/** The entities a connector may write (customers only). */
export type ErpWritableEntity = 'customers';

/**
 * What {@link ErpConnector.write} sends: on an update only the fields that changed; on a
 * create `kind` and `name` always, with the other pushed fields.
 */
export interface ErpCustomerWrite {
  kind?: ErpCustomer['kind'];
  name?: string;
  emails?: LabeledValue[];
  phones?: LabeledValue[];
  /** Mapped custom fields, by the ERP field `mapping.customers.customFields` names (`tax_id`). */
  erpFields?: Record<string, unknown>;
}

/** One record read from the ERP. */
export interface ErpRecord<T = ErpCustomer> {
  externalId: string;
  /** When the ERP last changed it (ISO 8601, UTC), for `newest` ownership. */
  modifiedAt?: string;
  data: T;
  /** The ERP's own payload, kept on issues so an integrator sees exactly what came in. */
  raw: unknown;
}

/** A page of changes since a cursor. */
export interface ChangePage<T = ErpCustomer> {
  records: ErpRecord<T>[];
  /** Ids the ERP reports as deleted (where it can tell). */
  deleted?: string[];
  /** Records the adapter could not map (no name, a malformed push): failed, with the reason. */
  rejected?: Array<{ externalId: string; message: string; raw: unknown }>;
  /** The cursor after this page: persisted once the page is written, so a re-run resumes here. */
  cursor: string | null;
}

/** Why a whole run cannot go on (the ERP refused the credentials, is unreachable…). */
export class ErpRunError extends Error {
  constructor(
    /** Stable code shown in the run's `error.code`. */
    readonly code: string,
    message: string,
    /** Whether trying again later may succeed (network, 5xx, 429). */
    readonly transient = false,
  ) {
    super(message);
    this.name = 'ErpRunError';
  }
}

/** A request to the ERP over HTTP(S), through the address guard. */
export interface ErpHttpRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  headers?: Record<string, string>;
  /** Serialized as JSON. */
  json?: unknown;
  /**
   * False for a request that is not safe to repeat (a create): it is sent once, and a
   * network failure, timeout or 5xx comes back to the adapter (a 5xx as the response, a
   * lost reply as a transient `ERP_UNREACHABLE`), which must find out whether the ERP
   * committed it before sending it again. Default true.
   */
  retry?: boolean;
}

/** The ERP's answer: status and parsed JSON body (or the text when it is not JSON). */
export interface ErpHttpResponse {
  status: number;
  body: unknown;
}

/** What core hands an adapter when it connects. */
export interface AdapterRuntime {
  /** HTTP through the webhook address guard, with timeouts and retries with backoff on 429/5xx/network errors. */
  http(request: ErpHttpRequest): Promise<ErpHttpResponse>;
  /** Checks that a database host may be reached (the same guard, for the sql adapter). */
  checkHost(host: string, port: number): Promise<void>;
  logger: Logger;
  /** Records pushed by the ERP itself (the inbound webhook), for the run they started. */
  inbound?: unknown;
}

/** A live connection to one ERP, for the length of one run or test. */
export interface ErpConnector {
  /** The entities this connection can read, in the order they are synced. */
  readonly entities: readonly ErpEntity[];
  /** Checks the credentials and reachability; throws {@link ErpRunError}. */
  test(): Promise<void>;
  /** Changes since `cursor` (null: from the beginning), page by page, in a stable order. */
  readChanges(entity: ErpEntity, cursor: string | null): AsyncIterable<ChangePage<unknown>>;
  /**
   * True when the ERP has no change feed for this entity (the sql adapter's full-compare
   * mode): every run reads it from the beginning and compares ids to find deletions, as a
   * full run does. Absent: false.
   */
  readsAll?(entity: ErpEntity): boolean;
  /** One record by its ERP id (to resolve a contact's organization); undefined when gone. */
  readById?(entity: ErpEntity, externalId: string): Promise<ErpRecord<unknown> | undefined>;
  /**
   * Writes a customer to the ERP: creates it when `externalId` is null, else updates only
   * the given fields. Returns the record as the ERP holds it afterwards (read back, so the
   * engine keeps the ERP's own form of the values as the sync base and the next pull sees
   * them unchanged). Throws {@link ErpRunError}: transient ones are retried by the engine
   * with backoff, the others become an issue of the push run. Absent: the adapter cannot
   * write, and a connection using it cannot configure a push.
   *
   * A create carries `key`, the CRM's id of the record: the adapter stores it in the ERP
   * record and looks the record up by it before creating (and after a create whose reply
   * was lost), updating the record it finds instead, so a retried create never makes a
   * second ERP record.
   */
  write?(entity: ErpWritableEntity, externalId: string | null, fields: ErpCustomerWrite, key?: string): Promise<ErpRecord<ErpCustomer>>;
  /** Releases what the connector opened (database pools). */
  close?(): Promise<void>;
}

/** An adapter: its name, its config schema and how it connects. */
export interface ErpAdapter {
  /** The `adapter` value of a connection (`odoo`). */
  readonly name: string;
  /** JSON Schema of `config` (with `additionalProperties: false`). */
  readonly configSchema: JsonSchema;
  /** Config keys that are secrets: sealed at rest, never returned. */
  readonly secretFields: readonly string[];
  /** Whether runs read from the ERP (false: the ERP pushes, as for `webhook`). */
  readonly pulls: boolean;
  /**
   * The fields each entity's connector can write ({@link ErpConnector.write}); `customFields`:
   * any ERP field a mapping names for a custom field (sent in `erpFields`). A push
   * configuration naming any other field, or any field for an adapter without this, is
   * refused with a 422.
   */
  readonly writes?: Partial<Record<ErpWritableEntity, readonly ErpWritableField[]>>;
  /** Opens a connector for one run. Throws {@link ErpRunError} for unusable config. */
  connect(config: Record<string, unknown>, runtime: AdapterRuntime): Promise<ErpConnector> | ErpConnector;
}

/** Where adapter plugins register; plugins receive it as `ctx.erp`. */
export interface ErpAdapterRegistry {
  /** Adds an adapter; a second adapter with the same name is a boot error. */
  registerAdapter(adapter: ErpAdapter): void;
}
