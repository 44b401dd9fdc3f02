/**
 * Lint: a plugin reaches its tables through `ctx.data` (tenant-scoped). The few places
 * that must cross tenants use `ctx.unscopedKnex` (or a raw transaction handle) and are
 * listed here and in docs/plugins.md with the reason; a new one fails this test until it
 * is listed in both. Migrations are exempt: DDL and backfills span every tenant.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** file → number of unscoped uses, with why (kept in step with docs/plugins.md). */
const ALLOWED: Record<string, { uses: number; why: string }> = {
  'plugins/sales/services/web-forms.ts': { uses: 1, why: 'a public form is found by its key, which is all that names its tenant' },
  'plugins/sales/services/container.ts': { uses: 1, why: 'hands unscopedKnex to the web-lead limiter' },
  'plugins/sales/services/web-lead-limit.ts': { uses: 2, why: 'the purge forgets stale hits of every tenant at once' },
};

/**
 * Plugins written in the same round as `ctx.data`, before it existed: they scope by hand
 * (`tenant_id` in every query, reviewed and tested per route) and are still to be moved onto
 * `ctx.data`. Their raw uses may only go down: each number is a ceiling, and a plugin that
 * reaches 0 leaves this list. docs/plugins.md names them.
 */
const NOT_YET_MOVED: Record<string, number> = { email: 52, loyalty: 38, support: 46 };

// Raw access: the unscoped knex, the deprecated `ctx.db`, or a transaction called as a query
// builder, typed (`trx<Row>(table)`) or not: a row type does not scope a query.
const UNSCOPED = /\bunscopedKnex\b|\bctx\.db\b|\.db\.knex\b|\btrx(?:<[^()]*?>)?\(/g;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'migrations' ? [] : sources(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

t.test('every unscoped database access in a plugin is listed with its reason', async (t) => {
  const found: Record<string, number> = {};
  const notYetMoved: Record<string, number> = {};
  for (const file of sources(path.join(root, 'plugins'))) {
    const code = fs.readFileSync(file, 'utf8').replace(/^\s*(\/\/|\*).*$/gm, '');
    const uses = code.match(UNSCOPED)?.length ?? 0;
    const relative = path.relative(root, file).split(path.sep).join('/');
    const plugin = relative.split('/')[1]!;
    if (plugin in NOT_YET_MOVED) notYetMoved[plugin] = (notYetMoved[plugin] ?? 0) + uses;
    else if (uses) found[relative] = uses;
  }
  for (const [plugin, ceiling] of Object.entries(NOT_YET_MOVED)) {
    t.ok((notYetMoved[plugin] ?? 0) <= ceiling, `${plugin}: ${notYetMoved[plugin] ?? 0} raw uses, at most ${ceiling} (move them to ctx.data; never add one)`);
  }
  t.same(found, Object.fromEntries(Object.entries(ALLOWED).map(([file, { uses }]) => [file, uses])), 'unscoped uses match the list (add a new one here and in docs/plugins.md, with why)');
  const docs = fs.readFileSync(path.join(root, 'docs/plugins.md'), 'utf8');
  for (const file of Object.keys(ALLOWED)) t.ok(docs.includes(file), `docs/plugins.md lists ${file}`);
  for (const plugin of Object.keys(NOT_YET_MOVED)) t.ok(docs.includes(`plugins/${plugin}/`), `docs/plugins.md names plugins/${plugin}/ as not yet on ctx.data`);
});
