/**
 * `peyvand serve` (production: everything from the environment) and `peyvand start`
 * (`npm start` on a fresh machine: generated secrets in the data directory, the demo
 * tenant, a banner saying how to call the API).
 *
 * @module
 */
import { platformAuthor } from '../../audit/change-recorder.js';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createPeyvand, type Peyvand } from '../../peyvand.js';
import type { Kernel } from '../../kernel/kernel.js';
import { CORE_VERSION } from '../../plugin/version.js';
import type { CliConfig } from '../config.js';
import { DATA_FILES, ensureDataDir, generateAdminKey, isExposed, readDataFile, readOrCreateDataFile, writeDataFile } from '../data-dir.js';
import { DEMO_TENANT_NAME, DEMO_TENANT_SLUG, seedDemo } from '../demo-seed.js';
import { DEMO_PAGE_PATH, demoHostRoutes } from '../demo-host.js';
import type { HttpOptions } from '../../http/peyvand-http.js';
import { WidgetAssets } from '../../http/widget-assets.js';
import { loadInstalledPlugins, testFixturePlugins } from '../plugin-loader.js';
import { bootFailure, CliFailure, describeError, EXIT, type CliContext } from './context.js';

/** How long a graceful shutdown may take before the process gives up (requests time out at 30 s). */
export const SHUTDOWN_TIMEOUT_MS = 35_000;

/** `peyvand serve`. */
export async function serveCommand(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = ctx.parse('serve', args, {});
  if (values.help) return help(ctx, 'serve');
  const config = ctx.config();
  if (!config.secret) throw new CliFailure('errors.secretMissing', {}, EXIT.usage);
  return runServer(ctx, config, { secret: config.secret, adminKey: config.adminKey }, {
    afterListen: (url) => {
      ctx.out(ctx.t('serve.listening', { url, version: CORE_VERSION }));
      if (!config.adminKey) ctx.err(ctx.t('serve.noAdminKey'));
    },
  });
}

/** `peyvand start`. */
export async function startCommand(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = ctx.parse('start', args, {});
  if (values.help) return help(ctx, 'start');
  const config = ctx.config();
  const dataDir = config.dataDir;
  try {
    ensureDataDir(dataDir);
  } catch (err) {
    throw new CliFailure('errors.dataDir', { dir: dataDir, message: describeError(err) }, EXIT.runtime);
  }

  const secret = ctx.secret({ create: true });
  let adminKey = config.adminKey;
  let adminKeyFile: string | undefined;
  if (!adminKey) {
    const stored = readOrCreateDataFile(dataDir, DATA_FILES.adminKey, generateAdminKey);
    adminKey = stored.value;
    adminKeyFile = stored.file;
    if (isExposed(stored.file)) ctx.err(ctx.t('warnings.fileExposed', { file: stored.file }));
  }

  let demo: { slug: string; key: string; keyFile: string } | undefined;
  let demoPage: Readonly<Record<string, string>> = {};
  return runServer(ctx, config, { secret, adminKey }, {
    // The example ERP page with its token endpoint: the demo server only.
    http: { extraRoutes: demoHostRoutes(DEMO_TENANT_SLUG, () => demoPage) },
    beforeListen: async (kernel) => {
      const seeded = await seedDemo(kernel, { dataDir, extraOrigins: config.port === 0 ? [] : [`http://${displayHost(config.host)}:${config.port}`] });
      demoPage = seeded.page;
      const { key, file } = await ensureDemoApiKey(kernel, seeded.tenantSlug, dataDir);
      demo = { slug: seeded.tenantSlug, key, keyFile: file };
    },
    afterListen: (url) => {
      const rows: Array<[string, string]> = [
        [ctx.t('start.banner.url'), url],
        [ctx.t('start.banner.widgets'), `${url}${DEMO_PAGE_PATH}`],
        [ctx.t('start.banner.adminKey'), adminKeyFile ? `${adminKey}  ${ctx.t('start.banner.savedIn', { file: adminKeyFile })}` : ctx.t('start.banner.fromEnv', { variable: 'PEYVAND_ADMIN_KEY' })],
        [ctx.t('start.banner.tenant'), `${demo!.slug}  (${DEMO_TENANT_NAME})`],
        [ctx.t('start.banner.apiKey'), `${demo!.key}  ${ctx.t('start.banner.apiKeyNote', { file: demo!.keyFile })}`],
        [ctx.t('start.banner.docs'), `${url}/api/v1/openapi.json`],
        [ctx.t('start.banner.data'), dataDir],
      ];
      const width = Math.max(...rows.map(([label]) => [...label].length));
      const lines = [
        '',
        ctx.t('start.banner.title', { version: CORE_VERSION }),
        '',
        ...rows.map(([label, value]) => `  ${label}${' '.repeat(width - [...label].length)}  ${value}`),
        '',
        ctx.t('start.banner.try'),
        `  curl -H "Authorization: Bearer ${demo!.key}" ${url}/api/v1/customers`,
        '',
        ctx.t('start.banner.stop'),
        '',
      ];
      ctx.out(lines.join('\n'));
    },
  });
}

/**
 * The demo tenant's admin API key, kept in `<dataDir>/demo-api-key` so every start can
 * print it; a new key is created when the file is missing or its key no longer works
 * (database reset, key revoked).
 */
async function ensureDemoApiKey(kernel: Kernel, slug: string, dataDir: string): Promise<{ key: string; file: string }> {
  const tenant = await kernel.tenants.getBySlug(slug);
  const file = path.join(dataDir, DATA_FILES.demoApiKey);
  const stored = readDataFile(dataDir, DATA_FILES.demoApiKey);
  if (stored) {
    const principal = await kernel.apiKeys.authenticate(stored);
    if (principal?.tenantId === tenant.id) return { key: stored, file };
  }
  const created = await kernel.apiKeys.create(platformAuthor(tenant.id, 'cli'), 'demo (npm start)', 'admin');
  writeDataFile(dataDir, DATA_FILES.demoApiKey, created.key);
  return { key: created.key, file };
}

interface ServerHooks {
  /** Extra HTTP options (the demo page's routes). */
  http?: HttpOptions;
  /** Runs after boot and migrations, before the port opens. */
  beforeListen?(kernel: Kernel): Promise<void>;
  afterListen(url: string): void;
}

/** Boots, listens, waits for a shutdown signal, closes gracefully. */
async function runServer(ctx: CliContext, config: CliConfig, secrets: { secret: string; adminKey: string | undefined }, hooks: ServerHooks): Promise<number> {
  let peyvand: Peyvand;
  try {
    const installed = await loadInstalledPlugins(ctx.io.env, ctx.io.cwd);
    peyvand = await createPeyvand({
      databaseUrl: config.databaseUrl,
      tablePrefix: config.tablePrefix,
      secret: secrets.secret,
      adminKey: secrets.adminKey,
      plugins: [...installed.plugins, ...(await testFixturePlugins(ctx.io.env, ctx.io.cwd))],
      pluginOptions: installed.options,
      logger: ctx.logger('server'),
      eventsUrl: config.eventsUrl,
      dispatcher: config.dispatcher,
      http: { ...hooks.http, ...(config.rateLimitPerMinute !== undefined && { rateLimitPerMinute: config.rateLimitPerMinute }), ...(config.widgetsDir && { widgetsDir: config.widgetsDir }), ...(config.rateLimitRedisUrl && { rateLimitRedisUrl: config.rateLimitRedisUrl }) },
    });
  } catch (err) {
    throw bootFailure(err, config);
  }
  warnUnbuiltWidgets(ctx, peyvand.kernel.plugins.map((p) => p.definition), config.widgetsDir);

  let url: string;
  try {
    await hooks.beforeListen?.(peyvand.kernel);
    await peyvand.listen({ port: config.port, host: config.host });
    const address = peyvand.app.server.address() as AddressInfo | null;
    url = `http://${displayHost(config.host)}:${address?.port ?? config.port}`;
  } catch (err) {
    await peyvand.close().catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new CliFailure('errors.portInUse', { port: config.port, host: config.host }, EXIT.runtime);
    if (code === 'EACCES' || code === 'EADDRNOTAVAIL') throw new CliFailure('errors.cannotListen', { port: config.port, host: config.host, message: describeError(err) }, EXIT.runtime);
    throw err;
  }

  hooks.afterListen(url);
  ctx.io.onListening?.({ url, peyvand });

  const signal = await ctx.io.waitForShutdown();
  ctx.err(ctx.t('serve.stopping', { signal }));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), SHUTDOWN_TIMEOUT_MS);
    timer.unref();
  });
  try {
    const outcome = await Promise.race([peyvand.close().then(() => 'closed' as const), timedOut]);
    if (outcome === 'timeout') {
      ctx.err(ctx.t('errors.shutdownTimeout', { seconds: SHUTDOWN_TIMEOUT_MS / 1000 }));
      return EXIT.runtime;
    }
  } catch (err) {
    ctx.err(ctx.t('errors.runtime', { message: describeError(err) }));
    return EXIT.runtime;
  } finally {
    clearTimeout(timer);
  }
  ctx.err(ctx.t('serve.stopped'));
  return EXIT.ok;
}

/**
 * A plugin's elements that the built bundle does not define would stay blank on every page:
 * say so at start, with the fix (the build reads the same plugin configuration).
 */
function warnUnbuiltWidgets(ctx: CliContext, plugins: ReadonlyArray<{ name: string; widgets?: readonly string[] }>, widgetsDir: string | undefined): void {
  const manifest = new WidgetAssets(widgetsDir).current()?.manifest;
  if (!manifest) return; // no bundle at all: the widget routes answer 503 with their own message
  const built = new Set(manifest.chunks.flatMap((c) => c.tags ?? []));
  for (const plugin of plugins) {
    const missing = (plugin.widgets ?? []).filter((tag) => !built.has(tag));
    if (missing.length > 0) ctx.err(ctx.t('warnings.widgetsNotBuilt', { plugin: plugin.name, tags: missing.join(', ') }));
  }
}

/** A host people can type into a browser: wildcard addresses become 127.0.0.1, IPv6 gets brackets. */
function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '[::]') return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function help(ctx: CliContext, command: string): number {
  ctx.out(ctx.t(`help.${command}`));
  return EXIT.ok;
}
