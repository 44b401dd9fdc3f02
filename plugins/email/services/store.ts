/**
 * Table access shared by the email services: prefixed names, a tenant's rows, the
 * record scope of messages and threads (they follow their linked customer), and row mappers.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { readInt, readJson, type Actor, type BigIntColumn, type Database, type Executor, type JsonTextColumn, type PluginTable, type PluginTables, type RowQuery } from '../../../core/plugin/index.js';
// The email tables' entries in PluginTables, which the types below read.
import './rows.js';

/** An email table (without the `email_` prefix): the ones `rows.ts` declares. */
export type EmailTable = PluginTable extends infer T ? (T extends `email_${infer N}` ? N : never) : never;

/** The row type of an email table (`rows.ts`). */
export type EmailRow<N extends EmailTable> = PluginTables[`email_${N}`];

/** The key a Message-ID is matched by: case-insensitive, angle brackets stripped. */
export function messageKey(messageId: string): string {
  return createHash('sha256').update(stripBrackets(messageId).toLowerCase()).digest('hex');
}

/** `<a@b>` → `a@b`. */
export function stripBrackets(id: string): string {
  return id.trim().replace(/^<|>$/g, '');
}

/** Table access for one deployment. */
export class EmailStore {
  constructor(readonly db: Database) {}

  table(name: EmailTable): string {
    return this.db.table(`email_${name}`);
  }

  /** A tenant's rows of a table. */
  rows<N extends EmailTable>(trx: Executor, name: N, tenantId: string): RowQuery<EmailRow<N>> {
    return trx<EmailRow<N>>(this.table(name)).where(`${this.table(name)}.tenant_id`, tenantId);
  }

  /**
   * A tenant's rows of `messages` or `threads` the actor may see: a row linked to a
   * customer only when the customer is within the actor's `customer` scope; an unlinked
   * row only at `all` scope. Compiled into the SQL.
   */
  scoped<N extends 'messages' | 'threads'>(trx: Executor, name: N, actor: Actor): RowQuery<EmailRow<N>> {
    const q = this.rows(trx, name, actor.tenantId);
    const scope = actor.scopes.customer ?? 'all';
    if (scope === 'all') return q;
    const t = this.table(name);
    const customers = this.db.table('customers');
    return q.whereIn(`${t}.customer_id`, (sub) => {
      sub.select('id').from(customers).where('tenant_id', actor.tenantId);
      if (scope === 'own' || actor.teams.length === 0) sub.where('owner_id', actor.subject);
      else sub.where((w) => w.where('owner_id', actor.subject).orWhereIn('team_id', actor.teams));
    });
  }

  /** A tenant's slug and locale, read through `trx` (core's tenant service reads outside it). */
  async tenant(trx: Executor, tenantId: string): Promise<{ id: string; slug: string; locale: string }> {
    const row = await trx(this.db.table('tenants')).where('id', tenantId).first('slug', 'locale');
    return { id: tenantId, slug: String(row?.slug ?? tenantId), locale: String(row?.locale ?? 'en') };
  }

  /** Adds a row lock on PostgreSQL and MySQL; SQLite's single writer serializes anyway. */
  forUpdate<Q extends Knex.QueryBuilder>(q: Q): Q {
    return this.db.dialect === 'sqlite' ? q : (q.forUpdate() as Q);
  }
}

/** A stored list of strings. */
export const strings = (v: JsonTextColumn | undefined): string[] => readJson<string[]>(v, []);
/** A stored instant as ISO, or undefined. */
export const isoOrUndefined = (v: BigIntColumn | null): string | undefined => (v === null ? undefined : new Date(readInt(v)).toISOString());
