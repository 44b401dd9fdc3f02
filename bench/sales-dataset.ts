/**
 * The sales benchmark's dataset: a `bench-sales` tenant (fa, Asia/Tehran) with the sales
 * plugin, three pipelines with Persian stage names (created through the plugin's
 * service), a few thousand customers (through the import service) and `deals` deals
 * spread over 40 agents in 8 teams. Deal `i` of a seed is always the same deal — ids
 * included (UUIDv7 made from its creation time and the seed) — so two runs, or two
 * databases, hold the same rows.
 *
 * The deals are written with multi-row INSERTs, not through the API: the scenario
 * measures reading 100,000 deals, and writing them one request at a time would take
 * longer than the measurement without telling anything the `write` scenario does not.
 * Each deal gets its stage-history row, as the service writes it; no audit entries or
 * events (reads do not touch them).
 */
import { insertMany } from '../core/db/database.js';
import type { Kernel } from '../core/kernel/kernel.js';
import type { SalesServices } from '../plugins/sales/index.js';
import { generateCustomers, prng } from './generate.js';

/** What the scenario needs to know about a loaded sales dataset. */
export interface SalesDatasetMeta {
  databaseUrl: string;
  tenantId: string;
  /** An admin API key of the tenant. */
  token: string;
  deals: number;
}

/** The day the generated close dates centre on: 1 Farvardin 1404 (2025-03-21). */
export const SALES_ANCHOR = '2025-03-21';
/** The forecast the scenario asks for: 24 Persian months from the anchor. */
export const FORECAST_QUERY = `period=month&calendar=persian&from=${SALES_ANCHOR}&to=2027-03-21`;

const DAY = 86_400_000;
const ANCHOR_MS = Date.parse(`${SALES_ANCHOR}T00:00:00Z`);
const STAGES = [
  [{ name: 'سرنخ', probability: 10 }, { name: 'مذاکره', probability: 30 }, { name: 'پیشنهاد قیمت', probability: 60 }, { name: 'قرارداد', probability: 90 }],
  [{ name: 'تماس اول', probability: 5 }, { name: 'نمایش محصول', probability: 25 }, { name: 'پیش‌فاکتور', probability: 50 }, { name: 'مذاکرهٔ نهایی', probability: 75 }, { name: 'امضا', probability: 95 }],
  [{ name: 'درخواست', probability: 20 }, { name: 'پیشنهاد', probability: 50 }, { name: 'تأیید', probability: 80 }],
];
const TITLES = ['سفارش عمده', 'قرارداد سالانه', 'تمدید پشتیبانی', 'خرید تجهیزات', 'سفارش آزمایشی', 'Monthly supply', 'ERP rollout', 'پخش منطقه‌ای'];

const hex = (n: number, width: number) => Math.floor(n).toString(16).padStart(width, '0');

/** A UUIDv7 for an instant, its random bits from `r`. */
function uuidv7At(ms: number, r: () => number): string {
  const t = hex(ms, 12);
  const rand = () => hex(r() * 0x10000, 4);
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${rand().slice(1)}-${hex(0x8000 + r() * 0x4000, 4)}-${rand()}${rand()}${rand()}`;
}

const localDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Loads the sales dataset into a kernel booted with the sales plugin. */
export async function loadSalesDataset(kernel: Kernel, databaseUrl: string, o: { deals: number; seed: number }): Promise<SalesDatasetMeta> {
  const sales = kernel.servicesOf<SalesServices>('sales');
  if (!sales) throw new Error('the sales plugin is not installed');
  const tenant = await kernel.tenants.create({ slug: 'bench-sales', name: 'Bench sales', locale: 'fa', plugins: ['sales'] });
  const key = await kernel.apiKeys.create({ tenantId: tenant.id, subject: 'system:bench', kind: 'system' }, 'bench', 'admin');
  const { actor } = await kernel.authenticator.authenticate(key.key);

  const customerCount = Math.max(100, Math.min(5_000, Math.floor(o.deals / 20)));
  for (let start = 0; start < customerCount; start += 1_000) {
    await kernel.customerImport.upsertMany(actor, [...generateCustomers({ seed: o.seed, count: Math.min(1_000, customerCount - start), start })]);
  }
  const customers = (await kernel.db.knex(kernel.db.table('customers')).where('tenant_id', tenant.id).orderBy('id').pluck('id')).map(String);
  const pipelines = [];
  for (const [i, stages] of STAGES.entries()) pipelines.push(await sales.pipelines.create(actor, { name: `قیف ${i + 1}`, currency: 'IRR', stages }));

  const r = prng(o.seed ^ 0x5a1e5);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
  const table = { deals: kernel.db.table('sales_deals'), stages: kernel.db.table('sales_deal_stages') };
  const batch = 2_000;
  for (let start = 0; start < o.deals; start += batch) {
    const deals: Array<Record<string, unknown>> = [];
    const history: Array<Record<string, unknown>> = [];
    for (let i = start; i < Math.min(o.deals, start + batch); i++) {
      // Created over the three years before the anchor, in id order (ids are time-ordered).
      const createdAt = ANCHOR_MS - 3 * 365 * DAY + Math.floor((i / o.deals) * 3 * 365 * DAY);
      const pipeline = pick(pipelines);
      const stage = pick(pipeline.stages);
      const owner = Math.floor(r() * 40);
      const roll = r();
      const status = roll < 0.65 ? 'open' : roll < 0.9 ? 'won' : 'lost';
      // Close dates from a year before the anchor to 30 months after it.
      const close = localDay(ANCHOR_MS + Math.floor((r() * 42 - 12) * 30.4 * DAY));
      const closedAt = status === 'open' ? null : createdAt + Math.floor(r() * 120 * DAY);
      const id = uuidv7At(createdAt, r);
      deals.push({
        id,
        tenant_id: tenant.id,
        title: `${pick(TITLES)} ${i}`,
        customer_id: pick(customers),
        pipeline_id: pipeline.id,
        stage_id: stage.id,
        amount: Math.round(10 + r() * 4_990) * 1_000_000,
        currency: 'IRR',
        expected_close_date: close,
        owner_id: `agent-${hex(owner, 2)}`,
        team_id: `team-${owner % 8}`,
        status,
        lost_reason: status === 'lost' ? pick(['قیمت', 'رقیب', 'بودجه']) : null,
        line_items: '[]',
        lead_id: null,
        stage_entered_at: createdAt,
        closed_at: closedAt,
        version: 1,
        created_at: createdAt,
        updated_at: closedAt ?? createdAt,
      });
      history.push({ id: uuidv7At(createdAt, r), tenant_id: tenant.id, deal_id: id, pipeline_id: pipeline.id, stage_id: stage.id, entered_at: createdAt, left_at: null, actor: 'system:bench' });
    }
    await kernel.db.transaction(async (trx) => {
      await insertMany(trx, table.deals, deals);
      await insertMany(trx, table.stages, history);
    });
  }
  return { databaseUrl, tenantId: tenant.id, token: key.key, deals: o.deals };
}
