/**
 * One open lead per person, enforced by the database: `open_email_key` and
 * `open_phone_key` carry a lead's normalized email and phone while it is open (new,
 * contacted, qualified) and are NULL otherwise, under a unique index per tenant. Two
 * captures of the same person at once — two requests, two processes — cannot both
 * commit: the second insert waits for the first and fails (PostgreSQL and MySQL), or
 * runs after it (SQLite's single writer), and is answered as a duplicate.
 *
 * Every dialect lets a unique index hold many NULLs, so closed leads never collide.
 * Leads that already duplicate each other keep their place: the oldest open lead of a
 * key gets it, the others stay without (they were captured before the rule existed).
 */
import type { Migration } from '../../../core/plugin/index.js';

const OPEN = ['new', 'contacted', 'qualified'];
const BATCH = 1000;

export const leadOpenKeysMigration: Migration = {
  name: '005_lead_open_keys',
  async up({ knex, table }) {
    const leads = table('sales_leads');
    await knex.schema.alterTable(leads, (t) => {
      t.string('open_email_key', 190).nullable();
      t.string('open_phone_key', 32).nullable();
    });
    const seen = new Set<string>();
    for (let after = ''; ; ) {
      const rows = await knex(leads).whereIn('status', OPEN).where('id', '>', after).orderBy('id').limit(BATCH).select('id', 'tenant_id', 'email_key', 'phone_key');
      if (rows.length === 0) break;
      // Whether this lead is the first open one of the tenant with its key (oldest id first).
      const firstWith = (column: 'email_key' | 'phone_key', row: Record<string, unknown>): boolean => {
        if (row[column] == null) return false;
        const key = `${String(row.tenant_id)}|${column}|${String(row[column])}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      };
      const email = rows.filter((r) => firstWith('email_key', r)).map((r) => String(r.id));
      const phone = rows.filter((r) => firstWith('phone_key', r)).map((r) => String(r.id));
      if (email.length) await knex(leads).whereIn('id', email).update({ open_email_key: knex.ref('email_key') });
      if (phone.length) await knex(leads).whereIn('id', phone).update({ open_phone_key: knex.ref('phone_key') });
      after = String(rows[rows.length - 1]!.id);
    }
    await knex.schema.alterTable(leads, (t) => {
      // Short explicit names: MySQL caps identifiers at 64 characters, prefix included.
      t.unique(['tenant_id', 'open_email_key'], { indexName: `${leads}_t_open_email_ux` });
      t.unique(['tenant_id', 'open_phone_key'], { indexName: `${leads}_t_open_phone_ux` });
    });
  },
  async down({ knex, table }) {
    const leads = table('sales_leads');
    await knex.schema.alterTable(leads, (t) => {
      t.dropUnique(['tenant_id', 'open_email_key'], `${leads}_t_open_email_ux`);
      t.dropUnique(['tenant_id', 'open_phone_key'], `${leads}_t_open_phone_ux`);
    });
    await knex.schema.alterTable(leads, (t) => {
      t.dropColumn('open_email_key');
      t.dropColumn('open_phone_key');
    });
  },
};
