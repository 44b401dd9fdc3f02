/**
 * The bulk baseline: raw better-sqlite3, one prepared INSERT per table, one transaction
 * per batch, writing the same rows Peyvand's import writes for a new customer — the
 * customer, its identities, refs and tags, its search entry (docs row + FTS5 row), an
 * audit entry and an outbox event — into the same schema (Peyvand's migrations). It
 * derives identities and search terms with Peyvand's own pure functions, since those
 * rows must hold the same values; it skips everything else the service does: JSON Schema
 * validation, looking up existing refs, the per-row rules, knex.
 *
 * `customersOnly` writes just the customer rows: the floor of any importer, reported for
 * reference.
 */
import Sqlite, { type Statement } from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { identitiesOf, searchFieldsOf } from '../../core/customers/identities.js';
import { hex, indexTerms, tenantKey } from '../../core/customers/search-index/terms.js';
import type { GeneratedCustomer } from '../generate.js';

const P = 'crm_';

/** Raw inserter of generated customers into one tenant. */
export class RawImporter {
  private readonly db: Sqlite;
  /** The tenant the rows belong to. */
  readonly tenantId: string;
  private readonly tenantKey: string;
  private readonly stmts: Record<'customer' | 'identity' | 'ref' | 'tag' | 'doc' | 'fts' | 'audit' | 'event', Statement>;

  /** `tenantId`: an existing tenant to fill (another bench's dataset); a new `raw` tenant without it. */
  constructor(file: string, private readonly customersOnly = false, tenantId?: string) {
    this.db = new Sqlite(file);
    this.tenantId = tenantId ?? uuidv7();
    // The pragmas Peyvand's connection sets (core/db/connect.ts).
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.tenantKey = tenantKey(this.tenantId);
    const now = Date.now();
    if (!tenantId) this.db.prepare(`insert into ${P}tenants (id, slug, name, locale, time_zone, settings, created_at, updated_at) values (?, 'raw', 'Raw', 'fa', 'Asia/Tehran', '{}', ?, ?)`).run(this.tenantId, now, now);
    this.stmts = {
      customer: this.db.prepare(`insert into ${P}customers (id, tenant_id, kind, name, given_name, family_name, organization_id, emails, phones, addresses, tags, custom_fields, external_refs, locale, owner_id, team_id, version, created_at, updated_at) values (?, ?, ?, ?, ?, ?, null, ?, ?, '[]', ?, '{}', ?, ?, 'system:raw', null, 1, ?, ?)`),
      identity: this.db.prepare(`insert into ${P}customer_identities (tenant_id, kind, value, customer_id) values (?, ?, ?, ?)`),
      ref: this.db.prepare(`insert into ${P}customer_refs (tenant_id, source, external_id, customer_id) values (?, ?, ?, ?)`),
      tag: this.db.prepare(`insert into ${P}customer_tags (tenant_id, tag, customer_id) values (?, ?, ?)`),
      doc: this.db.prepare(`insert into ${P}customer_search_docs (tenant_id, customer_id) values (?, ?)`),
      fts: this.db.prepare(`insert into ${P}customer_search (rowid, terms) values (?, ?)`),
      audit: this.db.prepare(`insert into ${P}audit_log (id, tenant_id, actor, actor_kind, action, entity_type, entity_id, before, after, request_id, occurred_at) values (?, ?, 'system:raw', 'system', 'customer.create', 'customer', ?, null, ?, null, ?)`),
      event: this.db.prepare(`insert into ${P}outbox (id, tenant_id, type, aggregate_type, aggregate_id, data, occurred_at) values (?, ?, 'customer.created', 'customer', ?, ?, ?)`),
    };
  }

  /** Inserts one batch in one transaction; returns the new customers' ids. */
  insertBatch(rows: readonly GeneratedCustomer[]): string[] {
    const s = this.stmts;
    const t = this.tenantId;
    const ids: string[] = [];
    this.db.transaction(() => {
      const now = Date.now();
      const at = new Date(now).toISOString();
      for (const { source, externalId, input } of rows) {
        const id = uuidv7();
        ids.push(id);
        const refs = [{ source, id: externalId }];
        const tags = input.tags ?? [];
        const emails = input.emails ?? [];
        const phones = input.phones ?? [];
        s.customer.run(id, t, input.kind, input.name, input.givenName ?? null, input.familyName ?? null, JSON.stringify(emails), JSON.stringify(phones), JSON.stringify(tags), JSON.stringify(refs), input.locale ?? null, now, now);
        if (this.customersOnly) continue;
        for (const i of identitiesOf({ name: input.name, emails, phones })) s.identity.run(t, i.kind, i.value, id);
        s.ref.run(t, source, externalId, id);
        for (const tag of tags) s.tag.run(t, tag, id);
        const terms = indexTerms(searchFieldsOf({ name: input.name, givenName: input.givenName ?? undefined, familyName: input.familyName ?? undefined, emails, phones }));
        const doc = s.doc.run(t, id).lastInsertRowid;
        s.fts.run(doc, terms.map((term) => `${this.tenantKey}z${hex(term)}`).join(' '));
        const customer = JSON.stringify({ id, ...input, emails, phones, addresses: [], tags, customFields: {}, externalRefs: refs, ownerId: 'system:raw', createdAt: at, updatedAt: at, version: 1 });
        s.audit.run(uuidv7(), t, id, customer, now);
        s.event.run(uuidv7(), t, id, `{"customer":${customer}}`, now);
      }
    })();
    return ids;
  }

  close(): void {
    this.db.close();
  }
}
