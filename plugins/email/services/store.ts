/**
 * Table access shared by the email services: prefixed names, a tenant's rows, the
 * record scope of messages and threads (they follow their linked customer), and row mappers.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { readInt, readJson, type Actor, type Database, type Executor } from '../../../core/plugin/index.js';

/** An email table (without the `email_` prefix). */
export type EmailTable = 'accounts' | 'threads' | 'messages' | 'attachments' | 'ingested' | 'cursors' | 'quarantine' | 'templates' | 'bounces';

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

  rows(trx: Executor, name: EmailTable, tenantId: string): Knex.QueryBuilder {
    return trx(this.table(name)).where(`${this.table(name)}.tenant_id`, tenantId);
  }

  /**
   * A tenant's rows of `messages` or `threads` the actor may see: a row linked to a
   * customer only when the customer is within the actor's `customer` scope; an unlinked
   * row only at `all` scope. Compiled into the SQL.
   */
  scoped(trx: Executor, name: 'messages' | 'threads', actor: Actor): Knex.QueryBuilder {
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

  forUpdate(q: Knex.QueryBuilder): Knex.QueryBuilder {
    return this.db.dialect === 'sqlite' ? q : q.forUpdate();
  }
}

/** A stored list of strings. */
export const strings = (v: unknown): string[] => readJson<string[]>(v, []);
/** A stored instant as ISO, or undefined. */
export const isoOrUndefined = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : new Date(readInt(v)).toISOString());
