/**
 * ERP connections of a tenant: adapter, config (secrets sealed with the secret box and
 * never returned), mapping, field ownership and schedule. Every change is audited and
 * emits its event in the same transaction.
 *
 * @module
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { newId } from '../plugin/ids.js';
import { coreError } from '../plugin/errors.js';
import { readInt, readJson, type Database, type Executor } from '../db/database.js';
import type { SecretBox } from '../auth/secret-box.js';
import type { Actor } from '../plugin/actor.js';
import type { ChangeRecorder } from '../audit/change-recorder.js';
import { checkTarget, describeRefusal } from '../webhooks/address-guard.js';
import type { WebhookSettings } from '../webhooks/webhook-settings.js';
import type { ErpAdapter, ErpEntity, ErpPushField, ErpWritableField } from '../plugin/erp.js';
import { erpError } from './erp-errors.js';
import type { ErpConnectionRow } from './erp-rows.js';
import type { FieldOwner } from './ownership.js';
import type { ErpConnectionDto, ErpConnectionInput, ErpConnectionPatch, ErpMapping, ErpSchedule, FieldOwnership } from './erp-schemas.js';

export type { ErpConnectionDto, ErpConnectionInput, ErpConnectionPatch, ErpMapping, ErpPushConfig, ErpSchedule } from './erp-schemas.js';

/** A connection with its full config (secrets opened), for the engine. */
export interface LoadedConnection extends ErpConnectionDto {
  tenantId: string;
  fullConfig: Record<string, unknown>;
}

/** Connection use cases. */
export class ConnectionService {
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv({ allErrors: false, strict: false, useDefaults: true });

  constructor(
    private readonly db: Database,
    private readonly secrets: SecretBox,
    private readonly changes: ChangeRecorder,
    private readonly adapters: ReadonlyMap<string, ErpAdapter>,
    private readonly guard: Pick<WebhookSettings, 'allowlist' | 'resolve'>,
  ) {}

  /** The adapter of a name, or a 422 naming the installed ones. */
  adapter(name: string): ErpAdapter {
    const adapter = this.adapters.get(name);
    if (!adapter) throw erpError('ERP_ADAPTER_UNKNOWN', { adapter: name, installed: [...this.adapters.keys()].sort().join(', ') || '-' });
    return adapter;
  }

  async create(actor: Actor, input: ErpConnectionInput): Promise<ErpConnectionDto> {
    const adapter = this.adapter(input.adapter);
    const config = await this.checkConfig(adapter, input.config);
    checkPush(adapter, input.mapping ?? {}, input.fieldOwnership ?? {});
    const now = Date.now();
    const id = newId();
    const schedule = input.schedule ?? null;
    const row: ErpConnectionRow = {
      id,
      tenant_id: actor.tenantId,
      name: input.name,
      adapter: adapter.name,
      ...this.configColumns(adapter, config),
      mapping: JSON.stringify(input.mapping ?? {}),
      field_ownership: JSON.stringify(input.fieldOwnership ?? {}),
      schedule: schedule ? JSON.stringify(schedule) : null,
      next_run_at: schedule ? now + schedule.intervalMinutes * 60_000 : null,
      lease_owner: null,
      lease_until: 0,
      created_at: now,
      updated_at: now,
      version: 1,
    };
    return this.db.transaction(async (trx) => {
      await this.db.rows('erp_connections', trx).insert(row);
      const dto = this.fromRow(row);
      await this.changes.record(trx, actor, { action: 'erp.connection.create', entityType: 'erp_connection', entityId: id, after: dto }, { type: 'erp.connection_created', data: { connection: dto } });
      return dto;
    });
  }

  async list(actor: Actor): Promise<ErpConnectionDto[]> {
    const rows = await this.db.rows('erp_connections').where('tenant_id', actor.tenantId).orderBy('id');
    return rows.map((r) => this.fromRow(r));
  }

  async get(actor: Actor, id: string, trx: Executor = this.db.knex): Promise<ErpConnectionDto> {
    return this.fromRow(await this.row(trx, actor.tenantId, id));
  }

  /** Applies the patch; `expectedVersion` (from If-Match) makes a stale version a 412. */
  async update(actor: Actor, id: string, patch: ErpConnectionPatch, expectedVersion?: number): Promise<ErpConnectionDto> {
    return this.db.transaction(async (trx) => {
      const before = await this.row(trx, actor.tenantId, id);
      const { version } = before;
      if (expectedVersion !== undefined && expectedVersion !== version) throw coreError('PRECONDITION_FAILED', { current: version });
      const adapter = this.adapter(before.adapter);
      const values: Partial<ErpConnectionRow> = { updated_at: Date.now(), version: version + 1 };
      if (patch.name !== undefined) values.name = patch.name;
      if (patch.config !== undefined) Object.assign(values, this.configColumns(adapter, await this.checkConfig(adapter, { ...this.fullConfig(before), ...patch.config })));
      if (patch.mapping !== undefined || patch.fieldOwnership !== undefined) checkPush(adapter, patch.mapping ?? readJson<ErpMapping>(before.mapping, {}), patch.fieldOwnership ?? readJson<FieldOwnership>(before.field_ownership, {}));
      if (patch.mapping !== undefined) values.mapping = JSON.stringify(patch.mapping);
      if (patch.fieldOwnership !== undefined) values.field_ownership = JSON.stringify(patch.fieldOwnership);
      if (patch.schedule !== undefined) {
        values.schedule = patch.schedule ? JSON.stringify(patch.schedule) : null;
        values.next_run_at = patch.schedule ? Date.now() + patch.schedule.intervalMinutes * 60_000 : null;
      }
      // Only the version read: a concurrent change in between is a 412, not a lost update.
      const updated = await this.db.rows('erp_connections', trx).where({ tenant_id: actor.tenantId, id, version }).update(values);
      if (updated !== 1) throw coreError('PRECONDITION_FAILED', { current: version });
      const after = this.fromRow({ ...before, ...values });
      await this.changes.record(trx, actor, { action: 'erp.connection.update', entityType: 'erp_connection', entityId: id, before: this.fromRow(before), after }, { type: 'erp.connection_updated', data: { connection: after } });
      return after;
    });
  }

  /** Deletes the connection with its runs, issues, cursors and sync state; synced records stay. */
  async delete(actor: Actor, id: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      const before = this.fromRow(await this.row(trx, actor.tenantId, id));
      const runs = this.db.rows('erp_runs', trx).select('id').where({ tenant_id: actor.tenantId, connection_id: id });
      await this.db.rows('erp_run_issues', trx).whereIn('run_id', runs).delete();
      for (const table of ['erp_runs', 'erp_cursors', 'erp_records', 'erp_inbound_signatures'] as const) await this.db.rows(table, trx).where({ connection_id: id }).delete();
      await this.db.rows('erp_connections', trx).where({ tenant_id: actor.tenantId, id }).delete();
      await this.changes.record(trx, actor, { action: 'erp.connection.delete', entityType: 'erp_connection', entityId: id, before }, { type: 'erp.connection_deleted', data: { connection: before } });
    });
  }

  /** The connection with its opened secrets (engine and inbound route only). */
  async load(tenantId: string, id: string, trx: Executor = this.db.knex): Promise<LoadedConnection> {
    const row = await this.row(trx, tenantId, id);
    return { ...this.fromRow(row), tenantId, fullConfig: this.fullConfig(row) };
  }

  /** Loads a connection by id alone (the inbound webhook knows no tenant before verifying). */
  async loadUnscoped(id: string): Promise<LoadedConnection | undefined> {
    const row = await this.db.rows('erp_connections').where({ id }).first();
    return row ? { ...this.fromRow(row), tenantId: row.tenant_id, fullConfig: this.fullConfig(row) } : undefined;
  }

  private async row(trx: Executor, tenantId: string, id: string): Promise<ErpConnectionRow> {
    const row = await this.db.rows('erp_connections', trx).where({ tenant_id: tenantId, id }).first();
    if (!row) throw erpError('ERP_CONNECTION_NOT_FOUND', { id });
    return row;
  }

  /** Validates `config` against the adapter's schema and its URL against the address guard. */
  private async checkConfig(adapter: ErpAdapter, config: Record<string, unknown>): Promise<Record<string, unknown>> {
    let validate = this.validators.get(adapter.name);
    if (!validate) this.validators.set(adapter.name, (validate = this.ajv.compile(adapter.configSchema)));
    const copy = structuredClone(config);
    if (!validate(copy)) {
      const errors = (validate.errors ?? []).map((e) => ({ path: `/config${e.instancePath}`, message: e.message ?? 'invalid' }));
      throw erpError('ERP_CONFIG_INVALID', { adapter: adapter.name }, { errors });
    }
    if (typeof copy.url === 'string') {
      const checked = await checkTarget(copy.url, this.guard.allowlist, this.guard.resolve);
      if (!checked.ok) throw erpError('ERP_ADDRESS_REFUSED', { reason: describeRefusal(checked.refusal) });
    }
    return copy;
  }

  private configColumns(adapter: ErpAdapter, config: Record<string, unknown>): { config: string; secrets_sealed: string } {
    const open: Record<string, unknown> = {};
    const secret: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(config)) (adapter.secretFields.includes(key) ? secret : open)[key] = value;
    return { config: JSON.stringify(open), secrets_sealed: this.secrets.seal(JSON.stringify(secret)) };
  }

  private fullConfig(row: ErpConnectionRow): Record<string, unknown> {
    return { ...readJson<Record<string, unknown>>(row.config, {}), ...(JSON.parse(this.secrets.open(row.secrets_sealed)) as Record<string, unknown>) };
  }

  private fromRow(row: ErpConnectionRow): ErpConnectionDto {
    const secretKeys = Object.keys(JSON.parse(this.secrets.open(row.secrets_sealed)) as object).sort();
    return {
      id: row.id,
      name: row.name,
      adapter: row.adapter,
      config: readJson<Record<string, unknown>>(row.config, {}),
      secretsSet: secretKeys,
      mapping: readJson<ErpMapping>(row.mapping, {}),
      fieldOwnership: readJson<FieldOwnership>(row.field_ownership, {}),
      schedule: readJson<ErpSchedule | null>(row.schedule, null),
      nextRunAt: row.next_run_at == null ? null : new Date(readInt(row.next_run_at)).toISOString(),
      createdAt: new Date(readInt(row.created_at)).toISOString(),
      updatedAt: new Date(readInt(row.updated_at)).toISOString(),
      version: row.version,
    };
  }
}

/**
 * Refuses a push the adapter cannot do (422 `ERP_PUSH_UNSUPPORTED`, naming the field when
 * the adapter writes others), of a custom field the mapping does not name an ERP field for
 * (422 `ERP_PUSH_FIELD_UNMAPPED`), or of a field the CRM may not win (422
 * `ERP_PUSH_NOT_CRM_OWNED`: pushing an ERP-owned field would fight the next pull).
 */
function checkPush(adapter: ErpAdapter, mapping: ErpMapping, ownership: FieldOwnership): void {
  const push = mapping.customers?.push;
  if (!push) return;
  const writable = adapter.writes?.customers ?? [];
  for (const field of push.fields) {
    const custom = customKey(field);
    if (!writable.includes(custom === undefined ? (field as ErpWritableField) : 'customFields')) throw erpError('ERP_PUSH_UNSUPPORTED', { adapter: adapter.name, field, writable: writable.join(', ') || '-' });
    if (custom !== undefined && !mapping.customers?.customFields?.[custom]) throw erpError('ERP_PUSH_FIELD_UNMAPPED', { field, key: custom });
    const owner = ownerOf(ownership, 'customers', field);
    if (!PUSHED_OWNERS.has(owner)) throw erpError('ERP_PUSH_NOT_CRM_OWNED', { field, owner });
  }
}

/** Owners under which the CRM's value may go to the ERP (`newest`: when the CRM's change is the newer). */
const PUSHED_OWNERS = new Set<FieldOwner>(['crm', 'newest']);

/** The custom field key of a pushed field (`customFields.tax` → `tax`). */
export function customKey(field: ErpPushField): string | undefined {
  return field.startsWith('customFields.') ? field.slice('customFields.'.length) : undefined;
}

/** The customer fields a connection pushes (none when it has no push configured). */
export function pushedFields(connection: Pick<ErpConnectionDto, 'mapping' | 'fieldOwnership'>): ErpPushField[] {
  if (!entityEnabled(connection, 'customers')) return [];
  return (connection.mapping.customers?.push?.fields ?? []).filter((f) => PUSHED_OWNERS.has(ownerOf(connection.fieldOwnership, 'customers', f)));
}

/** The ref source of a connection's records. */
export function sourceOf(connection: Pick<ErpConnectionDto, 'adapter' | 'mapping'>): string {
  return connection.mapping.source ?? connection.adapter;
}

/** Whether the mapping syncs an entity (all do unless switched off). */
export function entityEnabled(connection: Pick<ErpConnectionDto, 'mapping'>, entity: ErpEntity): boolean {
  return connection.mapping[entity]?.enabled !== false;
}

/** The owner of one field of an entity under a connection's ownership rules (default `erp`). */
export function ownerOf(ownership: FieldOwnership, entity: ErpEntity, field: string): FieldOwner {
  const rule = ownership[entity];
  if (rule === undefined) return 'erp';
  if (typeof rule === 'string') return rule;
  return rule.fields?.[field] ?? rule.default ?? 'erp';
}
