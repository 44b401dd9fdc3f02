/**
 * Bulk upsert by external ref: what the ERP sync and imports use for thousands of
 * customers at a time. Each row gets exactly what `CustomerService.upsertByRef` gives one
 * customer — the API's JSON Schema, normalization, the owner/custom-field/organization
 * rules, derived rows, an audit entry and one outbox event per created or updated
 * customer, unchanged customers skipped — but a batch is ONE transaction written with
 * multi-row statements, so a million customers cost thousands of statements, not millions.
 *
 * A row that breaks a rule is reported `invalid` and skipped; the other rows are written.
 * A failure of the batch itself (the database, a concurrent change) rolls all of it back.
 */
import type { Knex } from 'knex';
import { Ajv, type ValidateFunction } from 'ajv';
import { isUniqueViolation, type Database } from '../db/database.js';
import { coreError, PeyvandError } from '../plugin/errors.js';
import { can, type Actor } from '../plugin/actor.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Outbox } from '../events/outbox.js';
import type { TenantService } from '../tenancy/tenant-service.js';
import type { JsonSchema } from '../plugin/contract.js';
import { applyRecordScope } from '../plugin/record-scope.js';
import { toPeyvandError } from '../http/problem.js';
import { withFormats } from '../http/validation.js';
import type { CustomerService } from './customer-service.js';
import { changedFields, withExternalRef } from './customer-changes.js';
import { customerInputSchema } from './customer-schemas.js';
import { rowFromCustomer, type CustomerDto } from './customer-types.js';
import { planWaves, refErrors, refKey, type ImportResult, type ImportRow } from './import-plan.js';

export type { ImportResult, ImportRow } from './import-plan.js';

/** A row to write, with its position in the batch. */
interface Change {
  index: number;
  before: CustomerDto | undefined;
  next: CustomerDto;
  changed: string[];
}

/** Bulk customer upsert; the kernel exposes it as `kernel.customerImport`. */
export class CustomerImportService {
  private readonly validate: ValidateFunction;

  constructor(
    private readonly db: Database,
    private readonly customers: CustomerService,
    private readonly audit: AuditLog,
    private readonly outbox: Outbox,
    private readonly tenants: TenantService,
  ) {
    // The HTTP body validator's options: no coercion, unknown fields refused.
    const ajv = withFormats(new Ajv({ removeAdditional: false, useDefaults: true, coerceTypes: false, allErrors: false, strict: false }));
    this.validate = ajv.compile(customerInputSchema);
  }

  /**
   * Creates or updates each row's customer by its `source`/`externalId` in one
   * transaction; results come in row order. A ref repeated within the batch is applied in
   * order, like consecutive `upsertByRef` calls. Needs `core.customer.update` (the sync
   * route's permission), and `core.customer.create` for the rows that create. With `trx`
   * the batch is part of the caller's transaction.
   */
  async upsertMany(actor: Actor, rows: readonly ImportRow[], trx?: Knex.Transaction): Promise<ImportResult[]> {
    if (!can(actor, 'core.customer.update')) throw coreError('FORBIDDEN', { permission: 'core.customer.update' });
    const checked = rows.map((row) => this.check(row));
    const valid = rows.map((row, index) => ({ row, index })).filter(({ index }) => checked[index] === undefined);
    const writeAll = async (t: Knex.Transaction) => {
      const out = new Map<number, ImportResult>();
      const schema = (await this.tenants.settings(actor.tenantId, t)).customFieldsSchema;
      for (const wave of planWaves(valid)) await this.writeWave(t, actor, wave, schema, out);
      return out;
    };
    // Inside the caller's transaction (a file import commits its progress with the batch): no retry of our own.
    if (trx) {
      const written = await writeAll(trx);
      return checked.map((result, index) => result ?? written.get(index)!);
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const written = await this.db.transaction(writeAll);
        return checked.map((result, index) => result ?? written.get(index)!);
      } catch (err) {
        // Another writer took one of these refs after we looked; a retry reads it as existing.
        if (attempt < 3 && isUniqueViolation(err)) continue;
        throw err;
      }
    }
  }

  /** The API's checks of one row: body schema and by-ref path rules. Undefined: valid. */
  private check(row: ImportRow): ImportResult | undefined {
    const errors = refErrors(row.source, row.externalId);
    if (errors.length) return { status: 'invalid', code: 'VALIDATION_FAILED', errors };
    if (this.validate(row.input)) return undefined;
    // The HTTP layer's own mapping of ajv errors, so paths and messages match a 400 of the API.
    return invalid(toPeyvandError({ validation: this.validate.errors, validationContext: 'body' }));
  }

  /** One wave (each ref once): batch reads, the per-row rules, then the writes. */
  private async writeWave(trx: Knex.Transaction, actor: Actor, wave: ReadonlyArray<{ row: ImportRow; index: number }>, schema: JsonSchema | undefined, out: Map<number, ImportResult>): Promise<void> {
    const store = this.customers.store;
    const inputs = wave.map(({ row }) => withExternalRef(row.input, row.source, row.externalId));
    const holders = await store.idsByRefs(trx, actor.tenantId, inputs.flatMap((input) => input.externalRefs ?? []));
    const existingIds = wave.map(({ row }) => holders.get(refKey(row.source, row.externalId)));
    const known = existingIds.filter((id): id is string => id !== undefined);
    const befores = await store.findMany(trx, actor.tenantId, known, (q) => applyRecordScope(q, actor, 'customer'), { forUpdate: true });
    const orgs = await store.findMany(trx, actor.tenantId, inputs.flatMap((i) => (typeof i.organizationId === 'string' ? [i.organizationId] : [])));
    const now = Date.now();
    const changes: Change[] = [];
    wave.forEach(({ index }, i) => {
      try {
        const existingId = existingIds[i];
        const before = existingId === undefined ? undefined : befores.get(existingId);
        // Outside the actor's record scope is "not found", as for a single upsert.
        if (existingId !== undefined && !before) throw coreError('CUSTOMER_NOT_FOUND', { id: existingId });
        if (!before && !can(actor, 'core.customer.create')) throw coreError('FORBIDDEN', { permission: 'core.customer.create' });
        const next = this.customers.draft(actor, inputs[i]!, before, now);
        const organization = next.organizationId === undefined ? undefined : orgs.get(next.organizationId);
        this.customers.assertWritable(actor, next, before, { customFieldsSchema: schema, organization });
        claimRefs(holders, next);
        const changed = before ? changedFields(before, next) : [];
        if (before && changed.length === 0) out.set(index, { status: 'unchanged', id: before.id });
        else changes.push({ index, before, next, changed });
      } catch (err) {
        if (!(err instanceof PeyvandError)) throw err;
        out.set(index, invalid(err));
      }
    });
    await this.write(trx, actor, changes, now);
    for (const c of changes) out.set(c.index, { status: c.before ? 'updated' : 'created', id: c.next.id });
  }

  /** Inserts the new customers, updates the changed ones, then derived rows, audit and events. */
  private async write(trx: Knex.Transaction, actor: Actor, changes: Change[], now: number): Promise<void> {
    const at = new Date(now).toISOString();
    for (const c of changes) if (c.before) c.next = { ...c.next, version: c.before.version + 1, updatedAt: at };
    const created = changes.filter((c) => !c.before).map((c) => c.next);
    const teamId = actor.teams[0] ?? null;
    await this.db.insertRows('customers', trx, created.map((c) => ({ id: c.id, tenant_id: actor.tenantId, ...rowFromCustomer(c), team_id: teamId, version: 1, created_at: now, updated_at: now })));
    const updated = changes.filter((c) => c.before);
    for (const { before, next } of updated) {
      // The version guard, as in a single update: a concurrent change fails the batch.
      const n = await this.customers.store.query(trx, actor.tenantId).where({ id: next.id, version: before!.version }).update({ ...rowFromCustomer(next), version: next.version, updated_at: now });
      if (n !== 1) throw coreError('PRECONDITION_FAILED', { current: before!.version });
    }
    await this.customers.store.writeDerivedMany(trx, actor.tenantId, created, { isNew: true });
    await this.customers.store.writeDerivedMany(trx, actor.tenantId, updated.map((c) => c.next));
    // Audit entries and events in row order, one per written customer.
    await this.audit.recordMany(trx, actor, changes.map(({ before, next }) => (before ? { action: 'customer.update', entityType: 'customer', entityId: next.id, before, after: next } : { action: 'customer.create', entityType: 'customer', entityId: next.id, after: next })));
    const options = (id: string) => ({ tenantId: actor.tenantId, aggregateType: 'customer', aggregateId: id });
    await this.outbox.emitMany(trx, changes.map(({ before, next, changed }) => (before ? { type: 'customer.updated', data: { customer: next, changed }, options: options(next.id) } : { type: 'customer.created', data: { customer: next }, options: options(next.id) })));
  }
}

/** Every ref of `c` must be free or already its own, also against earlier rows of the batch; then they are its. */
function claimRefs(holders: Map<string, string>, c: CustomerDto): void {
  for (const ref of c.externalRefs) {
    const holder = holders.get(refKey(ref.source, ref.id));
    if (holder !== undefined && holder !== c.id) throw coreError('EXTERNAL_REF_TAKEN', {}, { errors: [{ path: '/externalRefs', message: `${ref.source}/${ref.id} belongs to another customer` }] });
  }
  for (const ref of c.externalRefs) holders.set(refKey(ref.source, ref.id), c.id);
}

function invalid(err: PeyvandError): ImportResult {
  return { status: 'invalid', code: err.code, errors: err.errors ?? [] };
}
