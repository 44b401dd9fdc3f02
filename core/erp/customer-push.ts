/**
 * Write-back of customers to the ERP. A CRM change of a customer (`customer.created`,
 * `customer.updated`, read from the outbox by a core subscriber, so never inside the
 * request) queues a `push` run on each connection that pushes one of the fields that
 * changed against the sync base; the runner executes it under the connection's lease
 * like any run, so pushes of one connection (hence of one customer) never overlap each
 * other nor a pull, and a transient ERP failure is retried with the runs' backoff. A
 * push writes only the CRM-owned fields whose value differs from the base, then stores
 * the ERP's answer as the new base: the next pull reads the record back as unchanged
 * instead of echoing it as a CRM change.
 *
 * @module
 */
import { readJson, type Database } from '../db/database.js';
import { isUniqueViolation } from '../plugin/sql.js';
import { normalizePhone } from '../plugin/persian/phone.js';
import type { Actor } from '../plugin/actor.js';
import type { ChangeRecorder } from '../audit/change-recorder.js';
import type { CustomerDto } from '../plugin/customers.js';
import type { CustomerService } from '../customers/customer-service.js';
import type { EventSubscriber, PeyvandEvent } from '../plugin/events.js';
import { ErpRunError, type ErpAdapter, type ErpConnector, type ErpCustomerWrite, type ErpPushField, type ErpRecord, type ErpStandardPushField } from '../plugin/erp.js';
import { customKey, ownerOf, pushedFields, sourceOf, type ErpConnectionDto, type ErpMapping, type LoadedConnection } from './connections.js';
import type { FieldOwnership } from './ownership.js';
import type { PushRunPayload } from './erp-rows.js';
import { equivalentCustomerValue } from './ownership.js';
import type { RunCounts } from './erp-schemas.js';
import type { RunStore } from './runs.js';
import type { RecordState, SyncState } from './sync-state.js';

type PushTarget = Pick<ErpConnectionDto, 'id' | 'adapter' | 'mapping' | 'fieldOwnership'>;

/** What a push would do for one customer. */
type PushPlan =
  | { kind: 'update'; link: { externalId: string } & RecordState; fields: ErpPushField[] }
  | { kind: 'create'; fields: ErpPushField[] };

/** What one push run works with. */
export interface PushContext {
  runId: string;
  /** The run's actor (`erp:<connection id>`, `requestId = erp-run:<run id>`): the audit context. */
  actor: Actor;
  connection: LoadedConnection;
  connector: ErpConnector;
  counts: RunCounts;
  customerId: string;
  /** The run's last attempt: a transient failure is then recorded as an issue too. */
  final: boolean;
}

/** What the pusher needs. */
export interface PusherDependencies {
  db: Database;
  state: SyncState;
  runs: RunStore;
  customers: CustomerService;
  changes: ChangeRecorder;
  adapters: ReadonlyMap<string, ErpAdapter>;
  /** Starts a connection's queued runs (the runner's `kick`). */
  kick(connectionId: string): void;
}

/** The ERP's form of a pushed field, as the customer sink stores it in the base (a custom field from the raw record, `false`/null as absent). */
function erpValue(record: ErpRecord, field: ErpPushField, mapping: ErpMapping): unknown {
  const key = customKey(field);
  if (key === undefined) return record.data[field as ErpStandardPushField];
  const value = ((record.raw ?? {}) as Record<string, unknown>)[mapping.customers?.customFields?.[key] ?? ''];
  return value === false || value === null ? undefined : value;
}

/** The CRM's value of a pushed field. */
function crmValue(customer: CustomerDto, field: ErpPushField): unknown {
  const key = customKey(field);
  return key === undefined ? customer[field as ErpStandardPushField] : customer.customFields[key];
}

/** Queues pushes on CRM changes and executes push runs. */
export class CustomerPusher {
  /** The core subscriber that turns CRM changes of customers into push runs. */
  readonly subscriber: EventSubscriber = {
    id: 'core.erp-push',
    events: ['customer.created', 'customer.updated'],
    handle: (event) => this.onCustomerChanged(event),
  };

  constructor(private readonly deps: PusherDependencies) {}

  private async onCustomerChanged(event: PeyvandEvent): Promise<void> {
    const { db, customers, runs } = this.deps;
    const rows = await db.rows('erp_connections').where('tenant_id', event.tenantId).select('id', 'adapter', 'mapping', 'field_ownership');
    const targets: PushTarget[] = rows
      .map((r) => ({ id: r.id, adapter: r.adapter, mapping: readJson<ErpMapping>(r.mapping, {}), fieldOwnership: readJson<FieldOwnership>(r.field_ownership, {}) }))
      .filter((c) => pushedFields(c).length > 0 && this.deps.adapters.get(c.adapter)?.writes?.customers);
    if (targets.length === 0) return;
    // The live customer, not the event's copy: a replayed old event must not push old values.
    const customer = await customers.store.find(db.knex, event.tenantId, event.aggregateId);
    if (!customer) return;
    // An older version's event: the event of the live version queues the push (once, not once per change).
    const version = (event.data as { customer?: { version?: unknown } }).customer?.version;
    if (typeof version === 'number' && version < customer.version) return;
    const pushed: PushRunPayload = { customerId: customer.id };
    const payload = JSON.stringify(pushed);
    for (const target of targets) {
      if (!(await this.plan(target, customer))) continue;
      // One queued push per customer and connection: it reads the values when it runs.
      const queued = await db.rows('erp_runs').where({ connection_id: target.id, trigger: 'push', status: 'queued', payload }).first('id');
      if (!queued) {
        try {
          await runs.create(db.knex, event.tenantId, target.id, { trigger: 'push', dryRun: false, full: false, payload: pushed, sourceEvent: event.id });
        } catch (err) {
          // This event already queued its push (delivered twice while that run was running).
          if (isUniqueViolation(err)) continue;
          throw err;
        }
      }
      this.deps.kick(target.id);
    }
  }

  /**
   * Update where the customer is linked and a pushed field differs from the base (the ERP
   * value last synced); create where it is not linked, the push creates, and it has no ref
   * of this connection's source (such a customer is being synced: the next pull links it).
   */
  private async plan(target: PushTarget, customer: CustomerDto): Promise<PushPlan | undefined> {
    const fields = pushedFields(target);
    const link = await this.deps.state.byLocalId(target.id, 'customers', customer.id);
    if (link) {
      const changed = fields.filter((f) => !equivalentCustomerValue(f, crmValue(customer, f), link.base[f]));
      return changed.length ? { kind: 'update', link, fields: changed } : undefined;
    }
    if (!target.mapping.customers?.push?.create) return undefined;
    if (customer.externalRefs.some((r) => r.source === sourceOf(target))) return undefined;
    return { kind: 'create', fields };
  }

  /** Executes one push run: writes the plan to the ERP, keeps the answer as the base, audits. */
  async run(ctx: PushContext): Promise<void> {
    const { db, customers } = this.deps;
    const customer = await customers.store.find(db.knex, ctx.actor.tenantId, ctx.customerId);
    const plan = customer && ctx.connector.write ? await this.plan(ctx.connection, customer) : undefined;
    if (!customer || !plan) {
      ctx.counts.unchanged++;
      return;
    }
    if (plan.kind === 'update') plan.fields = await this.withoutNewerErpValues(ctx, customer, plan);
    if (plan.fields.length === 0) {
      ctx.counts.unchanged++;
      return;
    }
    const values = this.valuesOf(ctx.connection, customer, plan);
    const externalId = plan.kind === 'update' ? plan.link.externalId : null;
    let record: ErpRecord;
    try {
      // A create carries the customer's id: the adapter finds a record an earlier, unanswered create made.
      record = await ctx.connector.write!('customers', externalId, values, plan.kind === 'create' ? customer.id : undefined);
    } catch (err) {
      if (err instanceof ErpRunError && (!err.transient || ctx.final)) {
        ctx.counts.failed++;
        await this.deps.runs.addIssues(ctx.actor.tenantId, ctx.runId, [{ entity: 'customers', externalId: externalId ?? customer.id, code: err.code, message: err.message, payload: { customerId: customer.id, externalId, fields: values } }]);
      }
      throw err;
    }
    await this.remember(ctx, customer, plan, record);
    ctx.counts[plan.kind === 'create' ? 'created' : 'updated']++;
  }

  /** What goes to the ERP: the plan's fields (custom ones under their ERP field), and on a create `kind` and `name`. */
  private valuesOf(connection: LoadedConnection, customer: CustomerDto, plan: PushPlan): ErpCustomerWrite {
    const values: ErpCustomerWrite = plan.kind === 'create' ? { kind: customer.kind, name: customer.name } : {};
    for (const f of plan.fields) {
      const key = customKey(f);
      if (key === undefined) Object.assign(values, { [f]: customer[f as ErpStandardPushField] });
      else (values.erpFields ??= {})[connection.mapping.customers!.customFields![key]!] = customer.customFields[key] ?? null;
    }
    // Phones go out in their canonical form (Latin digits, no separators): what ERPs search and dial.
    if (values.phones) values.phones = values.phones.map((p) => ({ ...p, value: normalizePhone(p.value) ?? p.value }));
    return values;
  }

  /**
   * Drops `newest` fields the ERP changed after the CRM did: the ERP's value is the newer
   * one and the next pull applies it. Needs the adapter's `readById`; without it the CRM's
   * change, the one that queued this push, is taken as the newer.
   */
  private async withoutNewerErpValues(ctx: PushContext, customer: CustomerDto, plan: Extract<PushPlan, { kind: 'update' }>): Promise<ErpPushField[]> {
    const newest = plan.fields.filter((f) => ownerOf(ctx.connection.fieldOwnership, 'customers', f) === 'newest');
    if (newest.length === 0 || !ctx.connector.readById) return plan.fields;
    const live = (await ctx.connector.readById('customers', plan.link.externalId)) as ErpRecord | undefined;
    if (!live?.modifiedAt || Date.parse(live.modifiedAt) <= Date.parse(customer.updatedAt)) return plan.fields;
    const mapping = ctx.connection.mapping;
    return plan.fields.filter((f) => !newest.includes(f) || equivalentCustomerValue(f, erpValue(live, f, mapping), plan.link.base[f]));
  }

  /** The ERP's answer becomes the base; a created record's id becomes the customer's ref. */
  private async remember(ctx: PushContext, customer: CustomerDto, plan: PushPlan, record: ErpRecord): Promise<void> {
    const { db, customers, changes, state } = this.deps;
    const { tenantId } = ctx.actor;
    let base: Record<string, unknown>;
    if (plan.kind === 'update') {
      base = { ...plan.link.base };
      for (const f of plan.fields) base[f] = erpValue(record, f, ctx.connection.mapping);
    } else {
      const d = record.data;
      base = { kind: d.kind, name: d.name, givenName: d.givenName || undefined, familyName: d.familyName || undefined, emails: d.emails, phones: d.phones, addresses: d.addresses };
      for (const key of Object.keys(ctx.connection.mapping.customers?.customFields ?? {})) base[`customFields.${key}`] = erpValue(record, `customFields.${key}`, ctx.connection.mapping);
    }
    await state.saveRecords(tenantId, ctx.connection.id, 'customers', [{ externalId: record.externalId, localId: customer.id, base }]);
    await db.transaction(async (trx) => {
      if (plan.kind === 'create') {
        const before = await customers.getForWrite(trx, ctx.actor, customer.id);
        await customers.applyChange(trx, ctx.actor, before, { ...before, externalRefs: [...before.externalRefs, { source: sourceOf(ctx.connection), id: record.externalId }] });
      }
      const pushed = { connectionId: ctx.connection.id, customerId: customer.id, externalId: record.externalId, created: plan.kind === 'create', fields: plan.fields };
      await changes.record(trx, ctx.actor, { action: 'erp.customer.push', entityType: 'customer', entityId: customer.id, after: { ...pushed, values: Object.fromEntries(plan.fields.map((f) => [f, crmValue(customer, f)])) } }, { type: 'erp.customer_pushed', data: pushed });
    });
  }
}
