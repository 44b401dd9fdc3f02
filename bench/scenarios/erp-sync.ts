/**
 * erp-sync: an initial sync of `res.partner` from the Odoo fake (adapters/odoo/testing) into
 * an empty tenant on embedded SQLite, in process — the sync engine's own cost: JSON-2 pages
 * of 200 over loopback HTTP, mapping, Persian-aware matching against existing customers,
 * the bulk upsert by ref, sync state (base values for field ownership), audit with the run
 * id, events, and the run's counts.
 *
 * Baseline, in the same run: the same pages read from the same fake with the same requests
 * (`search_read`, `write_date, id` order, a cursor domain), each page inserted with one
 * prepared better-sqlite3 statement in one transaction — reading and storing the rows, and
 * nothing a CRM adds.
 *
 * Quick: 2,000 partners; full: 100,000, as issue 14 asks; `--partners=N` for another size
 * (one in five a company, the rest its contacts or people). The fake is a fake: its own
 * cost (domain filtering in JavaScript) is in both sides alike.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import Sqlite from 'better-sqlite3';
import pino from 'pino';
import { createKernel } from '../../core/kernel/kernel.js';
import { systemActor } from '../../core/plugin/actor.js';
import odoo from '../../adapters/odoo/index.js';
import { OdooFake } from '../../adapters/odoo/testing/odoo-fake.js';
import { prng } from '../generate.js';
import type { ResultRow, Scenario } from '../scenario.js';

const PAGE = 200;
// The adapter's own field list (adapters/odoo/odoo-adapter.ts), so both sides move the same bytes.
const FIELDS = ['id', 'name', 'is_company', 'parent_id', 'email', 'phone', 'street', 'street2', 'city', 'zip', 'state_id', 'country_code', 'active', 'write_date'];
const GIVEN = ['علی', 'مریم', 'رضا', 'زهرا', 'حسین', 'فاطمه', 'محمد', 'سارا', 'مهدی', 'نرگس'];
const FAMILY = ['کریمی', 'احمدی', 'رضایی', 'موسوی', 'حسینی', 'جعفری', 'صادقی', 'رحیمی', 'کاظمی', 'نوری'];

/** Fills the fake with `n` partners: a company every fifth, its contacts after it. */
function seedPartners(fake: OdooFake, n: number, seed: number): void {
  const r = prng(seed);
  let company = 0;
  for (let i = 0; i < n; i++) {
    if (i % 5 === 0) {
      company = fake.create('res.partner', { name: `شرکت ${FAMILY[i % 10]} ${i}`, is_company: true, email: `info${i}@co${i}.example`, phone: `021${String(80000000 + i).slice(-8)}`, city: 'تهران', country_code: 'IR' });
    } else {
      const name = `${GIVEN[Math.floor(r() * 10)]} ${FAMILY[Math.floor(r() * 10)]}`;
      fake.create('res.partner', { name, is_company: false, parent_id: i % 2 ? company : false, email: `p${i}@mail.example`, phone: `0912${String(1000000 + i).slice(-7)}` });
    }
    // Odoo's write_date has one-second resolution: many partners share a second, as after a bulk import there.
    if (i % 50 === 49) fake.tick();
  }
}

/** The bare reader and writer: the adapter's requests, one prepared insert per row, a transaction per page. */
async function bareSync(fake: OdooFake, file: string): Promise<number> {
  const db = new Sqlite(file);
  try {
    db.exec('create table partners (id integer primary key, name text, is_company integer, parent_id integer, email text, phone text, street text, city text, country_code text, write_date text)');
    const insert = db.prepare('insert into partners values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const page = db.transaction((rows: Array<Record<string, unknown>>) => {
      for (const p of rows) insert.run(p.id, p.name || null, p.is_company ? 1 : 0, Array.isArray(p.parent_id) ? p.parent_id[0] : null, p.email || null, p.phone || null, p.street || null, p.city || null, p.country_code || null, p.write_date);
    });
    let rows = 0;
    for (let after: Record<string, unknown> | undefined; ; ) {
      const since = after ? ['|', ['write_date', '>', after.write_date], '&', ['write_date', '=', after.write_date], ['id', '>', after.id]] : [];
      const res = await fetch(`${fake.url}/json/2/res.partner/search_read`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `bearer ${fake.apiKey}`, 'x-odoo-database': fake.database },
        body: JSON.stringify({ domain: since, fields: FIELDS, order: 'write_date asc, id asc', limit: PAGE, context: { active_test: false } }),
      });
      if (!res.ok) throw new Error(`the fake answered ${res.status}: ${await res.text()}`);
      const batch = (await res.json()) as Array<Record<string, unknown>>;
      page(batch);
      rows += batch.length;
      if (batch.length < PAGE) return rows;
      after = batch[batch.length - 1];
    }
  } finally {
    db.close();
  }
}

export const erpSyncScenario: Scenario = {
  name: 'erp-sync',
  async run(ctx): Promise<ResultRow[]> {
    const n = ctx.config.erpPartners;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-bench-erp-'));
    const fake = new OdooFake();
    await fake.start();
    const kernel = await createKernel({
      databaseUrl: `sqlite:${path.join(dir, 'bench.sqlite')}`, secret: randomBytes(32).toString('hex'), logger: pino({ level: 'silent' }), dispatch: false, plugins: [odoo],
      webhooks: { allowlist: ['127.0.0.1'] }, erp: { http: { timeoutMs: 120_000 } },
    });
    try {
      seedPartners(fake, n, ctx.config.seed);
      ctx.log(`${n.toLocaleString('en-US')} partners in the Odoo fake`);
      const tenant = await kernel.tenants.create({ slug: 'bench-erp', name: 'Bench ERP', locale: 'fa' });
      const actor = systemActor(tenant, 'bench', []);
      const connection = await kernel.erp.connections.create(actor, { name: 'Odoo', adapter: 'odoo', config: { url: fake.url, database: fake.database, apiKey: fake.apiKey } });

      let t0 = performance.now();
      const run = await kernel.erp.runs.create(kernel.db.knex, tenant.id, connection.id, { trigger: 'manual', dryRun: false, full: false });
      kernel.erp.runner.kick(connection.id);
      await kernel.erp.runner.idle();
      const peyvandMs = performance.now() - t0;
      const done = await kernel.erp.runs.get(tenant.id, run.id);
      const partners = done.countsByEntity.customers;
      if (done.status !== 'succeeded' || partners.created + partners.failed !== n) throw new Error(`run ${done.status}: ${JSON.stringify(done.countsByEntity.customers)} of ${n}`);

      t0 = performance.now();
      const bareRows = await bareSync(fake, path.join(dir, 'bare.sqlite'));
      const bareMs = performance.now() - t0;
      if (bareRows !== n) throw new Error(`the bare reader read ${bareRows} of ${n}`);
      ctx.log(`Peyvand ${(peyvandMs / 1000).toFixed(1)} s (${partners.created} created, ${partners.failed} failed), bare ${(bareMs / 1000).toFixed(1)} s`);
      const rate = (ms: number) => n / (ms / 1000);
      return [{
        scenario: `erp-sync: initial sync of ${n.toLocaleString('en-US')} Odoo partners (fake, SQLite)`,
        peyvand: rate(peyvandMs), baseline: rate(bareMs), unit: 'partners/s', ratio: rate(peyvandMs) / rate(bareMs), ratioLabel: 'Peyvand / bare', target: 'reported', pass: null,
        details: `Peyvand ${(peyvandMs / 1000).toFixed(1)} s (pages of ${PAGE}, mapping, matching, bulk upsert by ref, sync state, audit, events), bare read + insert ${(bareMs / 1000).toFixed(1)} s`,
      }];
    } finally {
      await kernel.close();
      await fake.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
