/**
 * Operator commands that boot a kernel without HTTP: migrate, seed, tenants, keys,
 * plugins. Output meant for scripts goes to stdout, explanations to stderr.
 *
 * @module
 */
import { formatDate } from '../../plugin/persian/jalali.js';
import { platformAuthor } from '../../audit/change-recorder.js';
import { coreError } from '../../plugin/errors.js';
import { DEMO_TENANT_NAME, seedDemo } from '../demo-seed.js';
import { EXIT, UsageError, type CliContext } from './context.js';

/** Tenant slugs, as the admin API accepts them. */
const SLUG_RE = /^[a-z0-9][a-z0-9-]{1,62}$/;

function help(ctx: CliContext, command: string): number {
  ctx.out(ctx.t(`help.${command}`));
  return EXIT.ok;
}

/** `peyvand migrate [--rollback] [--all]`. */
export async function migrateCommand(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = ctx.parse('migrate', args, { rollback: { type: 'boolean' }, all: { type: 'boolean' } });
  if (values.help) return help(ctx, 'migrate');
  if (values.all && !values.rollback) throw new UsageError('usage.allWithoutRollback');
  return ctx.withKernel({ migrate: false }, async (kernel) => {
    if (values.rollback) {
      const reverted = await kernel.migrator.rollback(kernel.migrations(), { all: values.all ?? false });
      if (reverted.length === 0) ctx.out(ctx.t('migrate.nothingToRollback'));
      else ctx.out([ctx.t('migrate.rolledBack', { count: reverted.length }), ...reverted.map((m) => `  ${m}`)].join('\n'));
    } else {
      const ran = await kernel.migrator.latest(kernel.migrations());
      if (ran.length === 0) ctx.out(ctx.t('migrate.upToDate'));
      else ctx.out([ctx.t('migrate.ran', { count: ran.length }), ...ran.map((m) => `  ${m}`)].join('\n'));
    }
    return EXIT.ok;
  });
}

/** `peyvand seed --demo`. */
export async function seedCommand(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = ctx.parse('seed', args, { demo: { type: 'boolean' } });
  if (values.help) return help(ctx, 'seed');
  if (!values.demo) throw new UsageError('usage.seedWhat');
  const dataDir = ctx.config().dataDir;
  return ctx.withKernel({ migrate: true, createSecret: true }, async (kernel) => {
    const result = await seedDemo(kernel, { dataDir });
    const params = { slug: result.tenantSlug, name: DEMO_TENANT_NAME, customers: result.customersCreated, timeline: result.timelineEntries };
    if (result.created) ctx.out(ctx.t('seed.created', params));
    else if (result.customersCreated > 0) ctx.out(ctx.t('seed.filled', params));
    else ctx.out(ctx.t('seed.exists', params));
    if (result.embedConfigured) ctx.err(ctx.t('seed.embed', { dir: dataDir }));
    return EXIT.ok;
  });
}

/** `peyvand tenants create|list`. */
export async function tenantsCommand(ctx: CliContext, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'create') return tenantsCreate(ctx, rest);
  if (sub === 'list') return tenantsList(ctx, rest);
  return subcommandMissing(ctx, 'tenants', sub);
}

async function tenantsCreate(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = ctx.parse('tenants create', args, { name: { type: 'string' }, locale: { type: 'string' }, plugins: { type: 'string' } }, 1);
  if (values.help) return help(ctx, 'tenantsCreate');
  const slug = positionals[0];
  if (slug === undefined) throw new UsageError('usage.missingArgument', { name: 'slug', command: 'tenants create' });
  if (!SLUG_RE.test(slug)) throw new UsageError('usage.invalidSlug', { slug });
  const name = values.name?.trim();
  if (!name) throw new UsageError('usage.missingOption', { option: '--name', command: 'tenants create' });
  if (name.length > 200) throw new UsageError('usage.nameTooLong', { max: 200 });
  const locale = values.locale ?? 'en';
  if (locale !== 'fa' && locale !== 'en') throw new UsageError('usage.invalidLocale', { locale });
  const plugins = (values.plugins ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  return ctx.withKernel({ migrate: true }, async (kernel) => {
    const tenant = await kernel.tenants.create({ slug, name, locale, plugins }, { via: 'cli' });
    ctx.out(ctx.t('tenants.created', { slug: tenant.slug, name: tenant.name, locale: tenant.locale, plugins: tenant.plugins.join(', ') || ctx.t('common.none') }));
    ctx.err(ctx.t('tenants.next', { slug: tenant.slug }));
    return EXIT.ok;
  });
}

async function tenantsList(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = ctx.parse('tenants list', args, { json: { type: 'boolean' } });
  if (values.help) return help(ctx, 'tenantsList');
  return ctx.withKernel({ migrate: true }, async (kernel) => {
    const tenants = await kernel.tenants.list();
    if (values.json) {
      ctx.out(JSON.stringify(tenants, null, 2));
      return EXIT.ok;
    }
    if (tenants.length === 0) {
      ctx.out(ctx.t('tenants.none'));
      return EXIT.ok;
    }
    ctx.out(table([
      [ctx.t('tenants.columns.slug'), ctx.t('tenants.columns.locale'), ctx.t('tenants.columns.plugins'), ctx.t('tenants.columns.created'), ctx.t('tenants.columns.name')],
      ...tenants.map((t) => [t.slug, t.locale, t.plugins.join(',') || '-', formatDate(new Date(t.createdAt), ctx.lang, { timeZone: t.timeZone }), t.name]),
    ]));
    return EXIT.ok;
  });
}

/** `peyvand keys create --tenant <slug> --role <role> [--name <name>]`. */
export async function keysCommand(ctx: CliContext, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create') return subcommandMissing(ctx, 'keys', sub);
  const { values } = ctx.parse('keys create', rest, { tenant: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' } });
  if (values.help) return help(ctx, 'keysCreate');
  const slug = values.tenant?.trim();
  if (!slug) throw new UsageError('usage.missingOption', { option: '--tenant', command: 'keys create' });
  const role = values.role?.trim();
  if (!role) throw new UsageError('usage.missingOption', { option: '--role', command: 'keys create' });
  const name = values.name?.trim() || `${role} (cli)`;
  if (name.length > 200) throw new UsageError('usage.nameTooLong', { max: 200 });
  return ctx.withKernel({ migrate: true }, async (kernel) => {
    const tenant = await kernel.tenants.getBySlug(slug);
    if (!(await kernel.roles.exists(tenant.id, role))) throw coreError('UNKNOWN_ROLE', { role });
    const created = await kernel.apiKeys.create(platformAuthor(tenant.id, 'cli'), name, role);
    // Only the key on stdout, so `KEY=$(peyvand keys create …)` works.
    ctx.out(created.key);
    ctx.err(ctx.t('keys.created', { id: created.id, name: created.name, role: created.role, slug: tenant.slug }));
    // A key whose role sees only its own records starts with empty lists: say so, or a
    // new agent key looks broken (the seeded customers belong to others).
    const { scopes } = await kernel.roles.grant(tenant.id, [role], new Set(await kernel.tenants.enabledPlugins(tenant.id)));
    const own = Object.entries(scopes).filter(([, scope]) => scope !== 'all').map(([resource, scope]) => `${resource} (${scope})`);
    if (own.length) ctx.err(ctx.t('keys.scopeHint', { role: created.role, resources: own.join(', '), owner: `apikey:${created.id}` }));
    return EXIT.ok;
  });
}

/** `peyvand plugins list|enable|disable`. */
export async function pluginsCommand(ctx: CliContext, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'list') return pluginsList(ctx, rest);
  if (sub === 'enable' || sub === 'disable') return pluginsSwitch(ctx, sub, rest);
  return subcommandMissing(ctx, 'plugins', sub);
}

async function pluginsList(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = ctx.parse('plugins list', args, { tenant: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return help(ctx, 'pluginsList');
  return ctx.withKernel({ migrate: true }, async (kernel) => {
    const tenant = values.tenant === undefined ? undefined : await kernel.tenants.getBySlug(values.tenant);
    const enabled = tenant ? new Set(['core', ...tenant.plugins]) : undefined;
    const rows = kernel.plugins.map(({ definition }) => ({
      name: definition.name,
      version: definition.version,
      dependsOn: [...(definition.dependsOn ?? [])],
      ...(enabled ? { enabled: enabled.has(definition.name) } : {}),
    }));
    if (values.json) {
      ctx.out(JSON.stringify(rows, null, 2));
      return EXIT.ok;
    }
    if (tenant) ctx.out(ctx.t('plugins.forTenant', { slug: tenant.slug }));
    const status = (row: (typeof rows)[number]): string => {
      if (row.name === 'core') return ctx.t('plugins.always');
      if (row.enabled === undefined) return '';
      return row.enabled ? ctx.t('plugins.enabled') : ctx.t('plugins.disabled');
    };
    ctx.out(table([
      [ctx.t('plugins.columns.name'), ctx.t('plugins.columns.version'), ctx.t('plugins.columns.dependsOn'), ...(enabled ? [ctx.t('plugins.columns.status')] : [])],
      ...rows.map((r) => [r.name, r.version, r.dependsOn.join(',') || '-', ...(enabled ? [status(r)] : [])]),
    ]));
    if (rows.length === 1) ctx.err(ctx.t('plugins.onlyCore'));
    return EXIT.ok;
  });
}

async function pluginsSwitch(ctx: CliContext, action: 'enable' | 'disable', args: string[]): Promise<number> {
  const command = `plugins ${action}`;
  const { values, positionals } = ctx.parse(command, args, { tenant: { type: 'string' } }, 1);
  if (values.help) return help(ctx, action === 'enable' ? 'pluginsEnable' : 'pluginsDisable');
  const plugin = positionals[0];
  if (plugin === undefined) throw new UsageError('usage.missingArgument', { name: 'plugin', command });
  const slug = values.tenant?.trim();
  if (!slug) throw new UsageError('usage.missingOption', { option: '--tenant', command });
  return ctx.withKernel({ migrate: true }, async (kernel) => {
    if (action === 'enable') {
      const enabled = await kernel.tenants.enablePlugin(slug, plugin, { via: 'cli' });
      if (enabled.length === 0) {
        ctx.out(ctx.t('plugins.alreadyEnabled', { plugin, slug }));
      } else {
        ctx.out(ctx.t('plugins.enabledFor', { plugin, slug }));
        const dependencies = enabled.filter((p) => p !== plugin);
        if (dependencies.length) ctx.out(ctx.t('plugins.dependenciesEnabled', { plugins: dependencies.join(', ') }));
      }
    } else {
      const tenant = await kernel.tenants.getBySlug(slug);
      if (plugin !== 'core' && kernel.plugins.some((p) => p.definition.name === plugin) && !tenant.plugins.includes(plugin)) {
        ctx.out(ctx.t('plugins.alreadyDisabled', { plugin, slug }));
        return EXIT.ok;
      }
      await kernel.tenants.disablePlugin(slug, plugin, { via: 'cli' });
      ctx.out(ctx.t('plugins.disabledFor', { plugin, slug }));
    }
    return EXIT.ok;
  });
}

/** `peyvand tenants` without a (known) subcommand: the group's help, exit 2. */
function subcommandMissing(ctx: CliContext, group: string, sub: string | undefined): number {
  if (sub === '--help' || sub === '-h' || sub === 'help') return help(ctx, group);
  if (sub === undefined) {
    ctx.err(ctx.t(`help.${group}`));
    return EXIT.usage;
  }
  throw new UsageError('usage.unknownSubcommand', { group, sub });
}

/** Left-aligned columns separated by two spaces. */
function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - [...cell].length))).join('  ').trimEnd())
    .join('\n');
}
