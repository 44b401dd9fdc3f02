/**
 * The `peyvand` CLI, run in-process through `run(argv, io)` against a fresh database and
 * a temporary data directory; one test spawns the real entry point for the SIGTERM path.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import pino from 'pino';
import { run, type CliIo } from '../../../core/cli/commands.js';
import { ConfigError, loadConfig } from '../../../core/cli/config.js';
import { DEMO_CUSTOMER_COUNT, DEMO_TENANT_NAME } from '../../../core/cli/demo-seed.js';
import { createKernel, type Kernel } from '../../../core/kernel/kernel.js';
import { createPeyvand, type Peyvand } from '../../../core/peyvand.js';
import { systemActor } from '../../../core/plugin/actor.js';
import { corePlugin } from '../../../core/core-plugin.js';
import { loadInstalledPlugins } from '../../../core/cli/plugin-loader.js';

/** What the CLI installs when nothing is configured: every built-in plugin. */
const installedPlugins = async () => (await loadInstalledPlugins({}, process.cwd())).plugins;
import { packageRoot } from '../../../core/paths.js';
import { createTestDatabase } from '../../helpers/database.js';

type Teardown = { teardown(fn: () => Promise<void> | void): void };

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** A fresh database and data directory, and a `cli()` bound to them. */
async function setup(t: Teardown, baseEnv: Record<string, string> = {}) {
  const db = await createTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-cli-'));
  t.teardown(async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await db.drop();
  });
  const secret = randomBytes(32).toString('base64url');
  const env: Record<string, string> = { DATABASE_URL: db.url, PEYVAND_DATA_DIR: dataDir, PEYVAND_SECRET: secret, PEYVAND_LANG: 'en', ...baseEnv };
  const cli = async (argv: string[], extraEnv: Record<string, string | undefined> = {}, io: Partial<CliIo> = {}): Promise<Result> => {
    let stdout = '';
    let stderr = '';
    const merged: NodeJS.ProcessEnv = { ...env };
    for (const [k, v] of Object.entries(extraEnv)) {
      if (v === undefined) delete merged[k];
      else merged[k] = v;
    }
    const code = await run(argv, {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
      env: merged,
      cwd: dataDir,
      logger: pino({ level: 'silent' }),
      waitForShutdown: () => new Promise<string>(() => undefined),
      ...io,
    });
    return { code, stdout, stderr };
  };
  /** A kernel on the same database (no dispatcher), closed in teardown. */
  const kernel = async (): Promise<Kernel> => {
    const k = await createKernel({ databaseUrl: db.url, secret: env.PEYVAND_SECRET ?? secret, logger: pino({ level: 'silent' }), dispatch: false });
    t.teardown(() => k.close());
    return k;
  };
  return { db, dataDir, env, secret, cli, kernel };
}

/** Runs `serve`/`start` until the test calls `stop()`. */
function serveInProcess(cli: (argv: string[], extraEnv?: Record<string, string | undefined>, io?: Partial<CliIo>) => Promise<Result>, argv: string[], extraEnv: Record<string, string | undefined> = {}) {
  let stop!: (signal: string) => void;
  const shutdown = new Promise<string>((resolve) => (stop = resolve));
  let listening!: (info: { url: string; peyvand: Peyvand }) => void;
  const ready = new Promise<{ url: string; peyvand: Peyvand }>((resolve) => (listening = resolve));
  const done = cli(argv, { PORT: '0', ...extraEnv }, { waitForShutdown: () => shutdown, onListening: listening });
  return {
    /** The server once listening, or the result if the command ended first. */
    started: Promise.race([ready, done.then((r) => Promise.reject(new Error(`exited ${r.code}: ${r.stderr}`)))]),
    stop: async () => {
      stop('SIGTERM');
      return done;
    },
  };
}

// Real servers and a real child process, which loads every plugin's TypeScript through tsx and
// migrates a fresh database: 25 s on a loaded 2-core machine. The file gets more than tap's 180 s.
t.setTimeout(420_000);

const modeOf = (file: string): number => fs.statSync(file).mode & 0o777;
const oneLine = (text: string): boolean => text.trim().split('\n').length === 1 && !/\n\s+at /.test(text);

t.test('help, version and usage errors', async (t) => {
  const { cli } = await setup(t);
  let r = await cli(['--help']);
  t.equal(r.code, 0);
  t.match(r.stdout, /Usage: peyvand <command>/);
  t.match(r.stdout, /tenants create <slug>/);
  r = await cli([]);
  t.equal(r.code, 2, 'no command is a usage error');
  t.match(r.stderr, /Usage: peyvand/);
  for (const argv of [['serve', '--help'], ['start', '-h'], ['migrate', '--help'], ['seed', '--help'], ['tenants', '--help'], ['tenants', 'create', '--help'], ['tenants', 'list', '--help'], ['keys', 'create', '--help'], ['plugins', 'list', '--help'], ['plugins', 'enable', '--help'], ['plugins', 'disable', '--help'], ['help', 'migrate']]) {
    r = await cli(argv);
    t.equal(r.code, 0, `${argv.join(' ')} exits 0`);
    t.match(r.stdout, /Usage:\s+peyvand /, `${argv.join(' ')} prints usage`);
  }
  r = await cli(['--version']);
  t.equal(r.code, 0);
  t.match(r.stdout, /^\d+\.\d+\.\d+/);

  r = await cli(['frobnicate']);
  t.equal(r.code, 2);
  t.match(r.stderr, /Unknown command "frobnicate"/);
  r = await cli(['tenants', 'list', '--bogus']);
  t.equal(r.code, 2);
  t.match(r.stderr, /Unknown option --bogus/);
  r = await cli(['tenants', 'frob']);
  t.equal(r.code, 2);
  r = await cli(['tenants']);
  t.equal(r.code, 2, 'a group without subcommand prints its usage and exits 2');
  r = await cli(['tenants', 'create', 'acme']);
  t.equal(r.code, 2, '--name is required');
  t.match(r.stderr, /--name is required/);
  r = await cli(['tenants', 'create', 'Bad Slug!', '--name', 'x']);
  t.equal(r.code, 2);
  t.match(r.stderr, /not a valid tenant slug/);
  r = await cli(['tenants', 'create', 'acme', '--name', 'Acme', '--locale', 'de']);
  t.equal(r.code, 2);
  r = await cli(['tenants', 'create', 'acme', '--name']);
  t.equal(r.code, 2, 'an option without its value');
  r = await cli(['keys', 'create', '--tenant', 'acme']);
  t.equal(r.code, 2, '--role is required');
  r = await cli(['seed']);
  t.equal(r.code, 2, 'seed needs --demo');
  r = await cli(['migrate', '--all']);
  t.equal(r.code, 2, '--all needs --rollback');
  r = await cli(['migrate', 'extra']);
  t.equal(r.code, 2);

  r = await cli(['frobnicate'], { PEYVAND_LANG: undefined, LANG: 'fa_IR.UTF-8' });
  t.equal(r.code, 2);
  t.match(r.stderr, /فرمان «frobnicate» شناخته‌شده نیست/, 'LANG=fa prints Persian');
  r = await cli(['--help'], { PEYVAND_LANG: 'fa', LANG: 'en_US.UTF-8' });
  t.match(r.stdout, /کاربرد: peyvand/, 'PEYVAND_LANG wins over LANG');
});

t.test('configuration from the environment', async (t) => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-cfg-'));
  t.teardown(() => fs.rmSync(cwd, { recursive: true, force: true }));
  const config = loadConfig({}, { cwd });
  t.equal(config.port, 3000);
  t.equal(config.host, '127.0.0.1');
  t.equal(config.databaseUrl, `sqlite:${path.join(cwd, 'data', 'peyvand.sqlite')}`, 'the default SQLite file, made absolute');
  t.equal(config.dataDir, path.join(cwd, 'data'));
  t.equal(config.logLevel, 'info');
  t.equal(config.tablePrefix, 'crm_');
  t.equal(config.secret, undefined);
  t.equal(config.adminKey, undefined);
  t.equal(config.lang, 'en');

  const custom = loadConfig({ PORT: '8080', HOST: '0.0.0.0', DATABASE_URL: 'postgres://u:p@db:5432/crm', LOG_LEVEL: 'DEBUG', PEYVAND_TABLE_PREFIX: 'pv_', PEYVAND_SECRET: 'x'.repeat(32), PEYVAND_ADMIN_KEY: 'a'.repeat(20), LANG: 'fa_IR.UTF-8' }, { cwd });
  t.same({ port: custom.port, host: custom.host, dialect: custom.dialect, logLevel: custom.logLevel, prefix: custom.tablePrefix, lang: custom.lang, dataDir: custom.dataDir }, { port: 8080, host: '0.0.0.0', dialect: 'postgres', logLevel: 'debug', prefix: 'pv_', lang: 'fa', dataDir: path.join(cwd, 'data') });
  t.equal(loadConfig({ DATABASE_URL: 'sqlite:db/x.sqlite' }, { cwd }).dataDir, path.join(cwd, 'db'), 'the data dir follows the SQLite file');
  t.equal(loadConfig({ DATABASE_URL: 'mysql://root@127.0.0.1/crm' }, { cwd }).dialect, 'mysql');

  for (const [env, variable] of [
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: '30.5' }, 'PORT'],
    [{ DATABASE_URL: 'mongodb://x/y' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'sqlite:' }, 'DATABASE_URL'],
    [{ PEYVAND_SECRET: 'short' }, 'PEYVAND_SECRET'],
    [{ PEYVAND_ADMIN_KEY: 'admin' }, 'PEYVAND_ADMIN_KEY'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ PEYVAND_TABLE_PREFIX: 'bad-prefix' }, 'PEYVAND_TABLE_PREFIX'],
    [{ PEYVAND_LANG: 'de' }, 'PEYVAND_LANG'],
  ] as const) {
    let thrown: unknown;
    try {
      loadConfig(env, { cwd });
    } catch (err) {
      thrown = err;
    }
    t.ok(thrown instanceof ConfigError && thrown.variable === variable, `${JSON.stringify(env)} is refused`);
  }
  try {
    loadConfig({ DATABASE_URL: 'redis://user:hunter2@cache:6379' }, { cwd });
  } catch (err) {
    t.notMatch((err as Error).message, /hunter2/, 'the password is not echoed');
  }
});

t.test('invalid configuration exits 2 with one line, never a stack', async (t) => {
  const { cli } = await setup(t);
  let r = await cli(['tenants', 'list'], { PORT: 'abc' });
  t.equal(r.code, 2);
  t.match(r.stderr, /Configuration error: PORT must be a whole number/);
  t.ok(oneLine(r.stderr), 'one line');
  t.equal(r.stdout, '');
  r = await cli(['migrate'], { DATABASE_URL: 'oracle://db/x' });
  t.equal(r.code, 2);
  t.match(r.stderr, /DATABASE_URL must be sqlite:<file>, postgres:\/\/… or mysql:\/\/…/);
  t.ok(oneLine(r.stderr));
  r = await cli(['serve'], { PEYVAND_SECRET: 'too-short' });
  t.equal(r.code, 2);
  t.match(r.stderr, /PEYVAND_SECRET must be at least 32 characters/);
  t.ok(oneLine(r.stderr));
  r = await cli(['serve'], { PORT: 'abc', PEYVAND_LANG: 'fa' });
  t.equal(r.code, 2);
  t.match(r.stderr, /خطای پیکربندی: PORT باید عددی صحیح/);
  r = await cli(['serve'], { PEYVAND_SECRET: undefined });
  t.equal(r.code, 2, 'serve requires PEYVAND_SECRET');
  t.match(r.stderr, /PEYVAND_SECRET is not set.*openssl rand -base64 32/);
});

t.test('migrate, migrate --rollback, migrate again', async (t) => {
  const { cli, kernel } = await setup(t);
  // Every installed plugin's migrations, core first, in the order they run.
  const all = [corePlugin, ...(await installedPlugins())].flatMap((p) => (p.migrations ?? []).map((m) => `${p.name}/${m.name}`));
  const listing = (names: string[]) => names.map((n) => `\n {2}${n.replace(/\//g, '\\/')}`).join('');
  let r = await cli(['migrate']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, new RegExp(`Ran ${all.length} migration\\(s\\):${listing(all)}`));
  t.ok(all.includes('sales/001_pipelines_deals'), 'the installed sales plugin migrates too');
  r = await cli(['migrate']);
  t.equal(r.code, 0);
  t.match(r.stdout, /Nothing to migrate/);
  r = await cli(['migrate', '--rollback']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, new RegExp(`Rolled back ${all.length} migration\\(s\\):${listing([...all].reverse())}`));
  r = await cli(['migrate', '--rollback']);
  t.equal(r.code, 0);
  t.match(r.stdout, /Nothing to roll back/);
  r = await cli(['migrate']);
  t.equal(r.code, 0);
  t.match(r.stdout, new RegExp(`Ran ${all.length} migration`));
  r = await cli(['migrate', '--rollback', '--all']);
  t.equal(r.code, 0);
  t.match(r.stdout, new RegExp(`Rolled back ${all.length} migration`));
  r = await cli(['migrate']);
  t.equal(r.code, 0);
  const k = await kernel();
  t.equal((await k.migrator.pending(k.migrations())).length, 0, 'the database is migrated');
});

t.test('tenants create and list; duplicates fail with TENANT_EXISTS', async (t) => {
  const { cli } = await setup(t);
  let r = await cli(['tenants', 'list']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /No tenants yet/);
  r = await cli(['tenants', 'create', 'acme', '--name', 'Acme Trading', '--locale', 'fa']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /Created tenant acme \(Acme Trading\), locale fa/);
  r = await cli(['tenants', 'create', 'globex', '--name', 'شرکت گلوبکس']);
  t.equal(r.code, 0, r.stderr);
  r = await cli(['tenants', 'list']);
  t.equal(r.code, 0);
  const lines = r.stdout.trim().split('\n');
  t.match(lines[0], /^SLUG\s+LOCALE\s+PLUGINS\s+CREATED\s+NAME$/);
  t.match(lines[1], /^acme\s+fa\s+-\s+\d{4}-\d\d-\d\d\s+Acme Trading$/);
  t.match(lines[2], /^globex\s+en\s+-\s+.*شرکت گلوبکس$/);
  r = await cli(['tenants', 'list'], { PEYVAND_LANG: 'fa' });
  t.match(r.stdout.trim().split('\n')[1], /^acme\s+fa\s+-\s+۱۴[۰-۹]{2}\/[۰-۹]{2}\/[۰-۹]{2}\s+Acme Trading$/, 'in Persian: the Jalali date in Persian digits');
  r = await cli(['tenants', 'list', '--json']);
  const listed = JSON.parse(r.stdout) as Array<{ slug: string; locale: string }>;
  t.same(listed.map((x) => [x.slug, x.locale]), [['acme', 'fa'], ['globex', 'en']]);

  r = await cli(['tenants', 'create', 'acme', '--name', 'Again']);
  t.equal(r.code, 1, 'a duplicate is a runtime error');
  t.match(r.stderr, /TENANT_EXISTS/);
  t.match(r.stderr, /A tenant with the slug acme already exists/);
  t.ok(oneLine(r.stderr), 'no stack trace');
  r = await cli(['tenants', 'create', 'acme', '--name', 'Again'], { PEYVAND_LANG: 'fa' });
  t.equal(r.code, 1);
  t.match(r.stderr, /^خطا TENANT_EXISTS: مستأجر تکراری است/);
  r = await cli(['tenants', 'create', 'initech', '--name', 'Initech', '--plugins', 'nope']);
  t.equal(r.code, 1);
  t.match(r.stderr, /PLUGIN_NOT_FOUND/);
});

t.test('keys create prints only the key, and the key works against the API', async (t) => {
  const { cli, db, secret } = await setup(t);
  t.equal((await cli(['tenants', 'create', 'acme', '--name', 'Acme'])).code, 0);
  const r = await cli(['keys', 'create', '--tenant', 'acme', '--role', 'admin', '--name', 'erp sync']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^pvk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}\n$/, 'stdout holds only the key');
  t.match(r.stderr, /Created API key .* "erp sync" \(role admin\) for tenant acme/);
  t.notMatch(r.stderr, /sees only its own/, 'an admin sees everything: no hint');
  const key = r.stdout.trim();
  const agent = await cli(['keys', 'create', '--tenant', 'acme', '--role', 'agent']);
  t.match(agent.stderr, /Role agent sees only its own \(or its team's\) records of: customer \(own\).*empty lists.*owned by apikey:/s, 'an agent key says why its lists start empty');

  const peyvand = await createPeyvand({ databaseUrl: db.url, secret, logger: pino({ level: 'silent' }), dispatch: false });
  t.teardown(() => peyvand.close());
  const me = await peyvand.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${key}` } });
  t.equal(me.statusCode, 200, me.body);
  t.equal(me.json().tenant.slug, 'acme');
  t.same(me.json().roles, ['admin']);

  let bad = await cli(['keys', 'create', '--tenant', 'nope', '--role', 'admin']);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /TENANT_NOT_FOUND/);
  t.equal(bad.stdout, '');
  bad = await cli(['keys', 'create', '--tenant', 'acme', '--role', 'emperor']);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /UNKNOWN_ROLE/);
});

t.test('plugins list, enable and disable', async (t) => {
  const { cli } = await setup(t);
  t.equal((await cli(['tenants', 'create', 'acme', '--name', 'Acme'])).code, 0);
  let r = await cli(['plugins', 'list']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^PLUGIN\s+VERSION\s+DEPENDS ON\n(core)\s+\d+\.\d+\.\d+/);
  r = await cli(['plugins', 'list', '--tenant', 'acme']);
  t.equal(r.code, 0);
  t.match(r.stdout, /core\s+\S+\s+-\s+always enabled/);
  r = await cli(['plugins', 'list', '--tenant', 'acme', '--json']);
  t.same(JSON.parse(r.stdout).map((p: { name: string; enabled: boolean }) => [p.name, p.enabled]), [['core', true], ...(await installedPlugins()).map((p) => [p.name, false])], 'core always; installed plugins off until enabled');
  r = await cli(['plugins', 'list', '--tenant', 'ghost']);
  t.equal(r.code, 1);
  t.match(r.stderr, /TENANT_NOT_FOUND/);

  r = await cli(['plugins', 'enable', 'warp-drive', '--tenant', 'acme']);
  t.equal(r.code, 1, 'an unknown plugin is a runtime error');
  t.match(r.stderr, /PLUGIN_NOT_FOUND/);
  t.match(r.stderr, /No plugin named warp-drive is installed/);
  r = await cli(['plugins', 'disable', 'warp-drive', '--tenant', 'acme']);
  t.equal(r.code, 1);
  t.match(r.stderr, /PLUGIN_NOT_FOUND/);
  r = await cli(['plugins', 'disable', 'core', '--tenant', 'acme']);
  t.equal(r.code, 1, 'core cannot be disabled');
  r = await cli(['plugins', 'enable', 'core', '--tenant', 'acme']);
  t.equal(r.code, 0);
  t.match(r.stdout, /already enabled/);
  r = await cli(['plugins', 'enable', '--tenant', 'acme']);
  t.equal(r.code, 2, 'the plugin name is required');
  r = await cli(['plugins', 'enable', 'x']);
  t.equal(r.code, 2, '--tenant is required');
});

t.test('seed --demo is idempotent', async (t) => {
  const { cli, dataDir, kernel } = await setup(t);
  let r = await cli(['seed', '--demo']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, new RegExp(`Created the demo tenant "demo" \\(${DEMO_TENANT_NAME}\\) with ${DEMO_CUSTOMER_COUNT} customers`));
  const embedFile = path.join(dataDir, 'demo-embed-secret');
  t.equal(modeOf(embedFile), 0o600);
  const embedSecret = fs.readFileSync(embedFile, 'utf8');
  r = await cli(['seed', '--demo']);
  t.equal(r.code, 0);
  t.match(r.stdout, /already exists; nothing to do/);
  t.equal(fs.readFileSync(embedFile, 'utf8'), embedSecret, 'the embed secret is kept');

  const k = await kernel();
  const tenants = await k.tenants.list();
  t.same(tenants.map((x) => x.slug), ['demo'], 'one demo tenant');
  const demo = tenants[0]!;
  t.equal(demo.name, DEMO_TENANT_NAME);
  t.equal(demo.locale, 'fa');
  const actor = systemActor(demo, 'test', k.registry.list().map((p) => p.name));
  const all = await k.customers.list(actor, { limit: 200 });
  t.equal(all.items.length, DEMO_CUSTOMER_COUNT, 'the same customer count after two seeds');
  t.ok(DEMO_CUSTOMER_COUNT >= 10);
  t.ok(all.items.some((c) => c.kind === 'organization' && c.externalRefs.some((ref) => ref.source === 'erp' && ref.id === 'C-1001')), 'an ERP reference');
  t.ok(all.items.some((c) => c.organizationId !== undefined), 'contacts of organizations');
  t.ok(all.items.some((c) => c.tags.includes('vip')) && all.items.some((c) => c.tags.includes('عمده‌فروش')), 'tags');
  t.ok(all.items.some((c) => /^[a-z]/i.test(c.name)) && all.items.some((c) => /[\u0600-\u06FF]/.test(c.name)), 'Persian and English names');

  const found = await k.customers.list(actor, { q: 'علی کریمی', limit: 10 });
  t.same(found.items.map((c) => c.name), ['علي كريمي'], 'Persian yeh/kaf find the Arabic spelling');
  const byPhone = await k.customers.list(actor, { q: '۰۹۱۲۳۴۵۶۷۸۰', limit: 10 });
  t.same(byPhone.items.map((c) => c.name), ['علي كريمي'], 'Persian digits find +98 912 …');

  const maryam = all.items.find((c) => c.name === 'مریم احمدی')!;
  // Core's own entries; the plugins' demo data adds theirs (support: her ticket).
  const timeline = (await k.timeline.list(actor, maryam.id, { limit: 10 })).items.filter((e) => e.source === 'core');
  t.equal(timeline.length, 2);
  t.same(new Set(timeline.map((e) => e.channel)), new Set(['phone', 'email']));
  const audit = await k.db.knex(k.db.table('audit_log')).where({ tenant_id: demo.id }).count({ n: '*' }).first();
  t.ok(Number(audit?.n) >= DEMO_CUSTOMER_COUNT, 'audit entries were written');
  const embed = await k.tenants.embedConfig(demo.id);
  t.equal(embed?.hs256Secret, embedSecret.trim());
  t.same(embed?.algorithms, ['HS256']);
  t.same(embed?.allowedOrigins, ['http://127.0.0.1:3000', 'http://localhost:3000']);
});

t.test('start: first run generates secret and keys (0600), later runs reuse them', async (t) => {
  const { cli, dataDir } = await setup(t);
  const env = { PEYVAND_SECRET: undefined, PEYVAND_ADMIN_KEY: undefined };
  const first = serveInProcess(cli, ['start'], env);
  const { url, peyvand } = await first.started;
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);

  const files = ['secret', 'admin-key', 'demo-api-key', 'demo-embed-secret'].map((f) => path.join(dataDir, f));
  for (const file of files) t.equal(modeOf(file), 0o600, `${path.basename(file)} is 0600`);
  const [secret, adminKey, demoKey] = files.map((f) => fs.readFileSync(f, 'utf8').trim());
  t.ok(secret!.length >= 32);
  t.match(adminKey, /^pva_[A-Za-z0-9_-]{43}$/);
  t.match(demoKey, /^pvk_/);

  const health = await fetch(`${url}/health`);
  t.equal(health.status, 200, 'it listens');
  const me = await fetch(`${url}/api/v1/me`, { headers: { authorization: `Bearer ${demoKey}` } });
  t.equal(me.status, 200);
  t.equal(((await me.json()) as { tenant: { slug: string } }).tenant.slug, 'demo');
  const tenants = await peyvand.app.inject({ method: 'GET', url: '/api/v1/admin/tenants', headers: { authorization: `Bearer ${adminKey}` } });
  t.equal(tenants.statusCode, 200, 'the generated admin key works');
  const customers = await peyvand.app.inject({ method: 'GET', url: '/api/v1/customers?limit=200', headers: { authorization: `Bearer ${demoKey}` } });
  t.equal(customers.json().items.length, DEMO_CUSTOMER_COUNT);
  const pipelines = await peyvand.app.inject({ method: 'GET', url: '/api/v1/sales/pipelines', headers: { authorization: `Bearer ${demoKey}` } });
  t.same(pipelines.json().items.map((p: { stages: Array<{ name: string }> }) => p.stages.map((x) => x.name)), [['سرنخ', 'مذاکره', 'پیشنهاد قیمت', 'قرارداد']], 'the demo tenant has sales, with Persian stage names');
  const deals = (await peyvand.app.inject({ method: 'GET', url: '/api/v1/sales/deals?limit=200', headers: { authorization: `Bearer ${demoKey}` } })).json().items as Array<{ stageId: string; currency: string; expectedCloseDate: string }>;
  t.ok(deals.length >= 10, `${deals.length} demo deals`);
  t.ok(new Set(deals.map((d) => d.stageId)).size >= 3, 'in several stages');
  t.ok(deals.every((d) => d.currency === 'IRR' && /^\d{4}-\d{2}-\d{2}$/.test(d.expectedCloseDate)), 'IRR amounts with close dates');

  let r = await first.stop();
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /Peyvand \S+ is running\./);
  t.match(r.stdout, new RegExp(`URL\\s+${url}`));
  t.match(r.stdout, new RegExp(`Admin key\\s+${adminKey}`));
  t.match(r.stdout, /Demo tenant\s+demo/);
  t.match(r.stdout, new RegExp(`Demo API key\\s+${demoKey}`));
  t.match(r.stdout, new RegExp(`${url}/api/v1/openapi\\.json`));
  t.match(r.stdout, new RegExp(`curl -H "Authorization: Bearer ${demoKey}" ${url}/api/v1/customers`));
  t.match(r.stderr, /Stopped\./);

  // Second start: same files, no duplicate tenant; a lost demo key file gets a new key.
  fs.rmSync(path.join(dataDir, 'demo-api-key'));
  const second = serveInProcess(cli, ['start'], env);
  const again = await second.started;
  const newDemoKey = fs.readFileSync(path.join(dataDir, 'demo-api-key'), 'utf8').trim();
  t.not(newDemoKey, demoKey, 'a new demo key replaces the lost file');
  t.equal(fs.readFileSync(files[0]!, 'utf8').trim(), secret, 'the secret is reused');
  t.equal(fs.readFileSync(files[1]!, 'utf8').trim(), adminKey, 'the admin key is reused');
  const list = await again.peyvand.app.inject({ method: 'GET', url: '/api/v1/customers?limit=200', headers: { authorization: `Bearer ${newDemoKey}` } });
  t.equal(list.json().items.length, DEMO_CUSTOMER_COUNT, 'customers are not seeded twice');
  const dealsAgain = await again.peyvand.app.inject({ method: 'GET', url: '/api/v1/sales/deals?limit=200', headers: { authorization: `Bearer ${newDemoKey}` } });
  t.equal(dealsAgain.json().items.length, deals.length, 'nor are deals');
  const all = await again.peyvand.app.inject({ method: 'GET', url: '/api/v1/admin/tenants', headers: { authorization: `Bearer ${adminKey}` } });
  t.equal(all.json().items.length, 1, 'one demo tenant');
  r = await second.stop();
  t.equal(r.code, 0);
  t.match(r.stdout, new RegExp(`Demo API key\\s+${newDemoKey}`));

  // With PEYVAND_ADMIN_KEY set, the banner does not echo it.
  const third = serveInProcess(cli, ['start'], { PEYVAND_SECRET: undefined, PEYVAND_ADMIN_KEY: 'operator-admin-key-123456' });
  await third.started;
  r = await third.stop();
  t.equal(r.code, 0);
  t.notMatch(r.stdout, /operator-admin-key-123456/);
  t.match(r.stdout, /from PEYVAND_ADMIN_KEY/);
  t.match(r.stdout, new RegExp(`Demo API key\\s+${newDemoKey}`), 'the stored demo key is printed again');
});

t.test('serve listens and shuts down gracefully', async (t) => {
  const { cli } = await setup(t);
  const server = serveInProcess(cli, ['serve'], { PEYVAND_ADMIN_KEY: 'serve-admin-key-0123456789' });
  const { url } = await server.started;
  const health = await fetch(`${url}/health`);
  t.equal(health.status, 200);
  const ready = await fetch(`${url}/ready`);
  t.equal(ready.status, 200, 'migrations ran at boot');
  const r = await server.stop();
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, new RegExp(`listening on ${url}`));
  t.match(r.stderr, /Received SIGTERM/);
  await t.rejects(fetch(`${url}/health`), 'the port is closed');

  const inUse = await (async () => {
    const blocker = serveInProcess(cli, ['serve']);
    const { url: taken } = await blocker.started;
    const port = new URL(taken).port;
    const clash = await cli(['serve'], { PORT: port });
    await blocker.stop();
    return clash;
  })();
  t.equal(inUse.code, 1);
  t.match(inUse.stderr, /port \d+ on 127\.0\.0\.1 is already in use/);
});

t.test('the real entry point exits 0 on SIGTERM', async (t) => {
  const { db, secret } = await setup(t);
  const root = packageRoot();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'core/cli/main.ts'), 'serve'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: db.url, PEYVAND_SECRET: secret, PORT: '0', LOG_LEVEL: 'warn', PEYVAND_LANG: 'en' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A failed assertion must not leave the server running (the file would then hang to its timeout).
  t.teardown(() => void child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m?.[1]) resolve(m[1]);
    });
    void exited.then((code) => reject(new Error(`exited early (${code}): ${stderr}`)));
    setTimeout(() => reject(new Error(`no listening line within 150 s: ${stdout} ${stderr}`)), 150_000).unref();
  });
  t.equal((await fetch(`${url}/health`)).status, 200);
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'graceful exit code');
  t.match(stderr, /Stopped\./);
});
