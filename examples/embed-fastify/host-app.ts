/**
 * An ERP's own fastify app with Peyvand mounted inside it.
 *
 * The ERP already has a web server, a database, its own tables and its own routes.
 * Embedding Peyvand adds a CRM under `/crm` without giving any of that up:
 *
 * - one fastify app  — the ERP's; Peyvand is one plugin registered into it;
 * - one knex / pool  — the ERP's; Peyvand's tables live next to the ERP's, prefixed `crm_`;
 * - one logger       — the ERP's; Peyvand's log lines go wherever the ERP's go;
 * - one lifecycle    — `app.close()` stops the ERP and Peyvand together.
 *
 * Run it with `node --import tsx examples/embed-fastify/server.ts` (see README.md).
 */
import fastify, { type FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
// In an ERP this is `import { peyvandFastify } from 'peyvand'`: the package's public API.
import { peyvandFastify, type AnyPlugin } from '../../core/index.js';
// In an ERP: `import type { PeyvandTypeProvider } from 'peyvand/plugin'`.
import type { PeyvandTypeProvider } from '../../core/plugin/index.js';
// Peyvand's URL → knex helper. A real ERP already has its own knex instance (from its
// own config) and uses that instead; any knex on sqlite, PostgreSQL or MySQL works.
import { connect } from '../../core/db/connect.js';
// In an ERP: `import sales from 'peyvand/plugins/sales'` — a built-in plugin is a package
// export, handed to Peyvand as an instance (any other plugin, npm or local, the same way).
import sales from '../../plugins/sales/index.js';

/** What the host app needs to start. */
export interface HostAppOptions {
  /** The ERP's database (`sqlite:<file>`, `postgres://…`, `mysql://…`); Peyvand lives in it too. */
  databaseUrl: string;
  /** Peyvand's key for sealing stored credentials (SMTP/IMAP/ERP passwords); 32+ characters, keep it stable. */
  secret: string;
  /** Platform admin bearer token for `/crm/api/v1/admin/*` (creating tenants and API keys). */
  adminKey: string;
  /** fastify's own `logger` option; Peyvand logs through the same logger. Default off. */
  logger?: boolean;
  /** The ERP's own plugins (an npm package, a local folder), run beside sales. */
  plugins?: AnyPlugin[];
}

/** The host app, with the ERP's knex instance reachable as `app.erpDb` (the ERP's own decorator). */
export type HostApp = FastifyInstance & { readonly erpDb: Knex };

/** An invoice of the ERP: the host's own data, in the host's own table. */
interface Invoice {
  id: number;
  number: string;
  customerName: string;
  amountRials: number;
  /** The Peyvand customer this invoice belongs to, if the ERP linked it. */
  crmCustomerId: string | null;
}

const invoiceSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    number: { type: 'string' },
    customerName: { type: 'string' },
    amountRials: { type: 'integer' },
    crmCustomerId: { type: ['string', 'null'] },
  },
} as const;

/**
 * Builds the ERP's fastify app: its table, its routes, and Peyvand under `/crm`.
 * Peyvand's migrations have run when this resolves; `app.listen()` or `app.inject()` next.
 */
export async function buildHostApp(options: HostAppOptions): Promise<HostApp> {
  // The host's fastify, with the host's settings. Peyvand does not need any particular
  // factory option: its validation, error format, security headers, rate limit and
  // 404s are confined to its own prefix, so the ERP keeps fastify's defaults (or
  // whatever it configured) on every route it owns.
  const app: FastifyInstance = fastify({ logger: options.logger ?? false });

  // ONE knex instance for the whole process, owned by the host. Peyvand receives it
  // instead of a database URL, so:
  //  - there is one connection pool to size, monitor and close, not two;
  //  - the CRM lives in the ERP's database: the ERP can join its invoices to
  //    `crm_customers` in plain SQL, back up one database, run one migration window;
  //  - on SQLite it matters even more: one writer per file, so two knex instances on the
  //    same file would fight over the lock.
  const knex = connect(options.databaseUrl);
  app.decorate('erpDb', knex);

  // The host opened the pool, so the host closes it. Peyvand never destroys a knex it
  // was given (it only closes what it opened itself). This hook is on the root, and
  // fastify runs child plugins' onClose hooks before the root's: Peyvand stops its
  // event dispatcher first, while the pool is still open, then the pool goes.
  app.addHook('onClose', async () => {
    await knex.destroy();
  });

  try {
    await createErpSchema(knex);
    registerErpRoutes(app, knex);

    // Peyvand, mounted as one plugin.
    //  - prefix '/crm': every Peyvand URL (`/crm/health`, `/crm/api/v1/customers`,
    //    `/crm/api/v1/openapi.json`…) sits under one path the ERP chose, so it cannot
    //    collide with the ERP's routes, a reverse proxy can route it as a unit, and the
    //    ERP's own `/health` or `/api/…` stay the ERP's.
    //  - knex: the host's instance (above). Peyvand runs its migrations on it at startup;
    //    it has its own migration table, separate from the ERP's.
    //  - tablePrefix 'crm_': every Peyvand table is `crm_…`, so it never clashes with an
    //    ERP table called `customers` or `tenants`, and a DBA sees at a glance whose
    //    table is whose. Pick it once: changing it later means renaming the tables.
    //  - secret / adminKey: Peyvand's own credentials; the ERP keeps them with its other
    //    secrets (environment, vault…).
    //  - plugins: the plugin instances this ERP runs (sales here); each tenant then
    //    switches them on (`plugins` when creating it, or the admin API). Their options
    //    go in `pluginOptions`, keyed by plugin name.
    //  - logger: not passed, so Peyvand logs through this app's logger (`app.log`).
    // The plugin is encapsulated: its hooks (authentication, rate limit, security
    // headers), its strict JSON-schema validation (unknown fields → 400) and its
    // problem+json error handler apply to `/crm/…` only.
    await app.register(peyvandFastify, {
      prefix: '/crm',
      knex,
      tablePrefix: 'crm_',
      secret: options.secret,
      adminKey: options.adminKey,
      plugins: [sales, ...(options.plugins ?? [])],
      pluginOptions: { sales: { webLeadsPerMinute: 30 } },
    });
  } catch (err) {
    // A failed boot must not leave the pool (or Peyvand's dispatcher) running.
    await app.close().catch(() => undefined);
    throw err;
  }
  return app as HostApp;
}

/**
 * The ERP's own schema, created the ERP's way (plain knex here; in a real ERP, its own
 * migrations). Peyvand neither knows nor touches it.
 */
async function createErpSchema(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('erp_invoices')) return;
  await knex.schema.createTable('erp_invoices', (t) => {
    t.increments('id').primary();
    t.string('number', 32).notNullable().unique();
    t.string('customer_name', 300).notNullable();
    t.bigInteger('amount_rials').notNullable();
    // A soft link to `crm_customers.id`: same database, so the ERP can join on it.
    t.string('crm_customer_id', 36).nullable();
  });
}

/** An `erp_invoices` row as the drivers return it: the BIGINT amount is a string on PostgreSQL and MariaDB. */
type InvoiceRow = { id: number; number: string; customer_name: string; amount_rials: number | string; crm_customer_id: string | null };

function toInvoice(row: InvoiceRow): Invoice {
  return { id: row.id, number: row.number, customerName: row.customer_name, amountRials: Number(row.amount_rials), crmCustomerId: row.crm_customer_id };
}

/**
 * The ERP's routes. They use fastify's default validator (ajv with `removeAdditional`,
 * type coercion and defaults) and fastify's default error and 404 replies: embedding
 * Peyvand changes none of that.
 */
function registerErpRoutes(scope: FastifyInstance, knex: Knex): void {
  // Request types come from the route schemas: the same type provider Peyvand's own routes use.
  const app = scope.withTypeProvider<PeyvandTypeProvider>();
  app.get('/health', async () => ({ status: 'ok', service: 'erp' }));

  app.get('/erp/invoices', {
    schema: {
      querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 50 } } } as const,
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: invoiceSchema } } } },
    },
  }, async (request) => {
    const rows = await knex<InvoiceRow>('erp_invoices').orderBy('id').limit(request.query.limit);
    return { items: rows.map(toInvoice) };
  });

  app.post('/erp/invoices', {
    schema: {
      body: {
        type: 'object',
        required: ['number', 'customerName', 'amountRials'],
        additionalProperties: false,
        properties: {
          number: { type: 'string', minLength: 1, maxLength: 32 },
          customerName: { type: 'string', minLength: 1, maxLength: 300 },
          amountRials: { type: 'integer', minimum: 0 },
          crmCustomerId: { type: 'string', maxLength: 36 },
        },
      } as const,
      response: { 201: invoiceSchema },
    },
  }, async (request, reply) => {
    const { number, customerName, amountRials, crmCustomerId } = request.body;
    // Read back by the unique invoice number: the same on every dialect (no RETURNING on MySQL).
    await knex<InvoiceRow>('erp_invoices').insert({ number, customer_name: customerName, amount_rials: amountRials, crm_customer_id: crmCustomerId ?? null });
    const row = await knex<InvoiceRow>('erp_invoices').where({ number }).first();
    if (!row) throw new Error(`invoice ${number} was not read back`);
    return reply.code(201).send(toInvoice(row));
  });
}
