/**
 * The demo tenant `npm start` and `peyvand seed --demo` create: a Persian company with a
 * dozen customers that show what Peyvand does with Persian data (Arabic yeh/kaf, ZWNJ,
 * mixed digit styles, organizations with contacts, ERP references, a timeline).
 *
 * Everything goes through the kernel's services with a system actor, so the events and
 * audit entries a real client would cause are written too. Idempotent: the tenant is
 * created once, customers are seeded only while the tenant has none. Then every installed
 * plugin with a `demo` hook is enabled for the tenant and adds its own data (sales: a
 * pipeline, deals, leads, a web form); core names no plugin.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Kernel } from '../kernel/kernel.js';
import { systemActor, type Actor } from '../plugin/actor.js';
import type { CustomerInput } from '../customers/customer-types.js';
import type { TimelineInput } from '../customers/timeline-service.js';
import type { Tenant } from '../tenancy/tenant-service.js';
import { DATA_FILES, readDataFile, writeDataFile } from './data-dir.js';

/** Slug of the demo tenant. */
export const DEMO_TENANT_SLUG = 'demo';
/** Display name of the demo tenant. */
export const DEMO_TENANT_NAME = 'شرکت نمونهٔ پیوند';
/** Origins allowed to embed widgets for the demo tenant by default. */
export const DEMO_ALLOWED_ORIGINS = ['http://127.0.0.1:3000', 'http://localhost:3000'];

/** Options of {@link seedDemo}. */
export interface SeedDemoOptions {
  /** Where to keep `demo-embed-secret` (0600); without it the secret is only in the database, sealed. */
  dataDir?: string;
  /** Extra origins allowed to embed widgets (e.g. the URL `start` actually listens on). */
  extraOrigins?: readonly string[];
}

/** What {@link seedDemo} did. */
export interface SeedDemoResult {
  tenantSlug: string;
  /** Whether the tenant was created now (false: it existed). */
  created: boolean;
  /** Customers created now (0 when the tenant already had customers). */
  customersCreated: number;
  /** Timeline entries created now. */
  timelineEntries: number;
  /** Whether the embed configuration was set now. */
  embedConfigured: boolean;
  /** Records each plugin's `demo` hook created now, by plugin. */
  pluginRecords: Record<string, number>;
  /** What the plugins hand the example ERP page (`/examples/erp-host/config.json`). */
  page: Record<string, string>;
}

/**
 * The demo's sales agents, host users of the demo ERP: they own some customers, so the
 * record scopes show (an agent sees the customers it owns) and the card names an owner.
 */
export const DEMO_AGENTS = [
  { sub: 'erp-user-1002', name: 'علی محمدی', owns: ['maryam', 'ali', 'caspian'] },
  { sub: 'erp-user-1003', name: 'نرگس کاظمی', owns: ['reza', 'zahra', 'david'] },
] as const;

type DemoCustomer = CustomerInput & { key: string; org?: string; timeline?: Array<TimelineInput & { daysAgo: number }> };

const DAY = 24 * 60 * 60 * 1000;

/**
 * Demo customers. Organizations come first so contacts can point at them (`org`).
 * «علي كريمي» is written with Arabic yeh and kaf on purpose: a search for «علی کریمی»
 * finds it. «محمد‌حسین» carries a ZWNJ; phones mix Persian, Arabic-Indic and Latin digits.
 */
const DEMO_CUSTOMERS: DemoCustomer[] = [
  {
    key: 'arya',
    kind: 'organization',
    name: 'شرکت بازرگانی آریا',
    emails: [{ value: 'info@arya-trading.example', label: 'work' }],
    phones: [{ value: '۰۲۱-۸۸۱۲۳۴۵۶', label: 'work' }],
    addresses: [{ line1: 'خیابان ولیعصر، بالاتر از میدان ونک، پلاک ۱۲', city: 'تهران', region: 'تهران', postalCode: '1435913111', country: 'IR' }],
    tags: ['عمده‌فروش', 'vip'],
    locale: 'fa',
    externalRefs: [{ source: 'erp', id: 'C-1001' }],
    timeline: [{ channel: 'erp', summary: 'فاکتور ۱۴۰۳-۱۲۵ به مبلغ ۴۸٬۰۰۰٬۰۰۰ ریال در ERP ثبت شد.', daysAgo: 12 }],
  },
  {
    key: 'novin',
    kind: 'organization',
    name: 'صنایع غذایی نوین پارس',
    emails: [{ value: 'sales@novin-pars.example', label: 'work' }],
    phones: [{ value: '+98 71 3623 4567', label: 'work' }],
    addresses: [{ line1: 'شهرک صنعتی شیراز، خیابان دوم', city: 'شیراز', region: 'فارس', country: 'IR' }],
    tags: ['عمده‌فروش'],
    locale: 'fa',
    externalRefs: [{ source: 'erp', id: 'C-1002' }],
  },
  {
    key: 'caspian',
    kind: 'organization',
    name: 'Caspian Logistics Ltd.',
    emails: [{ value: 'hello@caspian-logistics.example', label: 'work' }],
    phones: [{ value: '+98 21 2233 4455', label: 'work' }],
    tags: ['partner'],
    locale: 'en',
  },
  {
    key: 'maryam',
    kind: 'person',
    name: 'مریم احمدی',
    givenName: 'مریم',
    familyName: 'احمدی',
    org: 'arya',
    emails: [{ value: 'maryam.ahmadi@arya-trading.example', label: 'work' }],
    phones: [{ value: '۰۹۱۲۳۴۵۶۷۸۹', label: 'mobile' }],
    tags: ['vip'],
    locale: 'fa',
    timeline: [
      { channel: 'phone', direction: 'inbound', summary: 'تماس برای پیگیری سفارش عمدهٔ فصل بهار.', daysAgo: 3 },
      { channel: 'email', direction: 'outbound', summary: 'پیش‌فاکتور سفارش بهار ارسال شد.', daysAgo: 2 },
    ],
  },
  {
    key: 'ali',
    kind: 'person',
    name: 'علي كريمي',
    givenName: 'علي',
    familyName: 'كريمي',
    org: 'novin',
    emails: [{ value: 'ali.karimi@novin-pars.example', label: 'work' }],
    phones: [{ value: '+98 912 345 6780', label: 'mobile' }],
    locale: 'fa',
    timeline: [{ channel: 'in_person', summary: 'جلسه در دفتر شیراز دربارهٔ قرارداد سالانه.', daysAgo: 20 }],
  },
  {
    key: 'reza',
    kind: 'person',
    name: 'رضا محمدی',
    givenName: 'رضا',
    familyName: 'محمدی',
    org: 'arya',
    phones: [{ value: '٠٩٣٥١٢٣٤٥٦٧', label: 'mobile' }],
    tags: ['عمده‌فروش'],
    locale: 'fa',
    timeline: [{ channel: 'sms', direction: 'outbound', summary: 'یادآوری سررسید چک.', daysAgo: 1 }],
  },
  {
    key: 'sara',
    kind: 'person',
    name: 'Sara Johnson',
    givenName: 'Sara',
    familyName: 'Johnson',
    org: 'caspian',
    emails: [{ value: 'sara@caspian-logistics.example', label: 'work' }],
    phones: [{ value: '+44 20 7946 0958', label: 'work' }],
    locale: 'en',
    timeline: [{ channel: 'email', direction: 'inbound', summary: 'Asked for a quote on monthly container shipping to Bandar Abbas.', daysAgo: 5 }],
  },
  {
    key: 'zahra',
    kind: 'person',
    name: 'زهرا حسینی',
    givenName: 'زهرا',
    familyName: 'حسینی',
    emails: [{ value: 'zahra.hosseini@mail.example', label: 'home' }],
    phones: [{ value: '0912 111 2233', label: 'mobile' }],
    addresses: [{ line1: 'خیابان چهارباغ بالا، کوچهٔ ۸', city: 'اصفهان', region: 'اصفهان', country: 'IR' }],
    tags: ['vip'],
    locale: 'fa',
    timeline: [{ channel: 'chat', direction: 'inbound', summary: 'سؤال دربارهٔ زمان تحویل سفارش.', daysAgo: 0 }],
  },
  {
    key: 'mohammad',
    kind: 'person',
    name: 'محمد‌حسین رضایی',
    givenName: 'محمد‌حسین',
    familyName: 'رضایی',
    phones: [{ value: '+989351234567', label: 'mobile' }],
    locale: 'fa',
  },
  {
    key: 'fatemeh',
    kind: 'person',
    name: 'فاطمه نوری',
    givenName: 'فاطمه',
    familyName: 'نوری',
    org: 'novin',
    emails: [{ value: 'f.nouri@novin-pars.example', label: 'work' }],
    phones: [{ value: '۰۹۱۹ ۸۷۶ ۵۴۳۲', label: 'mobile' }],
    tags: ['عمده‌فروش'],
    locale: 'fa',
  },
  {
    key: 'david',
    kind: 'person',
    name: 'David Miller',
    givenName: 'David',
    familyName: 'Miller',
    emails: [{ value: 'david.miller@example.com', label: 'work' }],
    tags: ['lead'],
    locale: 'en',
    timeline: [{ channel: 'note', summary: 'Interested in connecting his ERP through the REST API.', daysAgo: 7 }],
  },
  {
    key: 'amir',
    kind: 'person',
    name: 'امیر تهرانی',
    givenName: 'امیر',
    familyName: 'تهرانی',
    emails: [{ value: 'amir.tehrani@mail.example', label: 'home' }],
    phones: [{ value: '+98 (0) 901 234 5678', label: 'mobile' }],
    tags: ['vip', 'عمده‌فروش'],
    locale: 'fa',
    timeline: [{ channel: 'web', direction: 'inbound', summary: 'فرم «درخواست مشاوره» را در وب‌سایت پر کرد.', daysAgo: 9 }],
  },
];

/** Number of customers the demo seed creates. */
export const DEMO_CUSTOMER_COUNT = DEMO_CUSTOMERS.length;

/** Creates the demo tenant, its customers and its embed configuration (idempotent). */
export async function seedDemo(kernel: Kernel, options: SeedDemoOptions = {}): Promise<SeedDemoResult> {
  let tenant = await kernel.tenants.findBySlug(DEMO_TENANT_SLUG);
  const created = !tenant;
  if (!tenant) {
    try {
      tenant = await kernel.tenants.create({ slug: DEMO_TENANT_SLUG, name: DEMO_TENANT_NAME, locale: 'fa' }, { via: 'cli' });
    } catch (err) {
      // Created concurrently by another process: use theirs.
      tenant = await kernel.tenants.findBySlug(DEMO_TENANT_SLUG);
      if (!tenant) throw err;
    }
  }
  const actor = systemActor(tenant, 'demo-seed', kernel.registry.list().map((p) => p.name));

  let customersCreated = 0;
  let timelineEntries = 0;
  const existing = await kernel.customers.list(actor, { limit: 1 });
  if (existing.items.length === 0) {
    // One transaction: a failed seed leaves no half-filled tenant, and the next run retries.
    await kernel.db.transaction(async (trx) => {
      const counts = await seedCustomers(kernel, actor, trx);
      customersCreated = counts.customers;
      timelineEntries = counts.timeline;
    });
  }

  // The directory knows the agents before they first sign in, so their customers show their names.
  for (const agent of DEMO_AGENTS) await kernel.people.remember(tenant.id, agent.sub, agent.name, 'user');
  const { pluginRecords, page } = await seedPlugins(kernel, tenant, actor);
  const embedConfigured = await ensureEmbedConfig(kernel, tenant, options);
  return { tenantSlug: tenant.slug, created, customersCreated, timelineEntries, embedConfigured, pluginRecords, page };
}

/** Enables each plugin with a `demo` hook for the demo tenant and runs the hook, in boot order. */
async function seedPlugins(kernel: Kernel, tenant: Tenant, actor: Actor): Promise<Pick<SeedDemoResult, 'pluginRecords' | 'page'>> {
  const pluginRecords: Record<string, number> = {};
  const page: Record<string, string> = {};
  for (const { definition } of kernel.plugins) {
    if (!definition.demo) continue;
    const name = definition.name;
    if (!(await kernel.tenants.isEnabled(tenant.id, name))) await kernel.tenants.enablePlugin(tenant.slug, name, { via: 'cli' });
    const result = await definition.demo(kernel.context(name), kernel.servicesOf(name), { tenant, actor, orders: kernel.orders });
    pluginRecords[name] = result.created;
    Object.assign(page, result.page);
  }
  return { pluginRecords, page };
}

async function seedCustomers(kernel: Kernel, actor: Actor, trx: Knex.Transaction): Promise<{ customers: number; timeline: number }> {
  const ids = new Map<string, string>();
  let timeline = 0;
  const now = Date.now();
  for (const { key, org, timeline: entries, ...input } of DEMO_CUSTOMERS) {
    const organizationId = org === undefined ? undefined : ids.get(org);
    const ownerId = DEMO_AGENTS.find((agent) => (agent.owns as readonly string[]).includes(key))?.sub;
    const customer = await kernel.customers.create(actor, { ...input, ...(organizationId ? { organizationId } : {}), ...(ownerId ? { ownerId } : {}) }, trx);
    ids.set(key, customer.id);
    for (const { daysAgo, ...entry } of entries ?? []) {
      await kernel.timeline.add(actor, customer.id, { ...entry, occurredAt: new Date(now - daysAgo * DAY - 60 * 60 * 1000).toISOString() }, 'core', trx);
      timeline++;
    }
  }
  return { customers: ids.size, timeline };
}

/**
 * Gives the demo tenant an HS256 embed configuration. The secret lives sealed in the
 * database and, for developers signing test tokens, in `<dataDir>/demo-embed-secret`.
 * When the tenant already has a configuration, only a missing file is restored.
 */
async function ensureEmbedConfig(kernel: Kernel, tenant: Tenant, options: SeedDemoOptions): Promise<boolean> {
  let current;
  try {
    current = await kernel.tenants.embedConfig(tenant.id);
  } catch {
    // Sealed under another PEYVAND_SECRET: replace it with a fresh one below.
    current = undefined;
  }
  if (current) {
    if (options.dataDir && current.hs256Secret && readDataFile(options.dataDir, DATA_FILES.demoEmbedSecret) === undefined) {
      writeDataFile(options.dataDir, DATA_FILES.demoEmbedSecret, current.hs256Secret);
    }
    return false;
  }
  const fromFile = options.dataDir ? readDataFile(options.dataDir, DATA_FILES.demoEmbedSecret) : undefined;
  const hs256Secret = fromFile && Buffer.byteLength(fromFile) >= 32 ? fromFile : randomBytes(32).toString('base64url');
  const allowedOrigins = [...new Set([...DEMO_ALLOWED_ORIGINS, ...(options.extraOrigins ?? [])])];
  await kernel.tenants.setEmbedConfig(tenant.slug, { hs256Secret, algorithms: ['HS256'], allowedOrigins }, { via: 'cli' });
  if (options.dataDir && hs256Secret !== fromFile) writeDataFile(options.dataDir, DATA_FILES.demoEmbedSecret, hs256Secret);
  return true;
}
