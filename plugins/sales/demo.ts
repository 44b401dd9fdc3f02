/**
 * The sales part of the demo tenant (the plugin's `demo` hook, run by `npm start` and
 * `peyvand seed --demo`): a pipeline with Persian stage names and deals in several stages
 * (IRR amounts, closing around now), leads in several states, and a web-to-lead form, so
 * the deal board, forecast and lead form widgets have something to show. Goes through the
 * plugin's own services, like any client.
 *
 * @module
 */
import { formatDate, type PluginContext, type PluginDemo, type PluginDemoResult } from '../../core/plugin/index.js';
import type { SalesOptions } from './options.js';
import type { SalesServices } from './services/container.js';

const DAY = 24 * 60 * 60 * 1000;

/** Name of the demo tenant's web-to-lead form (the example ERP page embeds it). */
export const DEMO_WEB_FORM_NAME = 'فرم تماس وب‌سایت';

/** Stages of the demo pipeline, with their win probability. */
const DEMO_STAGES = [
  { name: 'سرنخ', probability: 10 },
  { name: 'مذاکره', probability: 30 },
  { name: 'پیشنهاد قیمت', probability: 60 },
  { name: 'قرارداد', probability: 90 },
];

/** Demo deals: customer key (by name), stage index, amount in rials, close date in days from today. */
const DEMO_DEALS: Array<{ title: string; customer: string; stage: number; amount: number; closeInDays: number; status?: 'won' | 'lost'; lostReason?: string; openedDaysAgo?: number }> = [
  { title: 'سفارش عمدهٔ بهار', customer: 'شرکت بازرگانی آریا', stage: 3, amount: 4_800_000_000, closeInDays: 10 },
  { title: 'قرارداد سالانهٔ پخش', customer: 'صنایع غذایی نوین پارس', stage: 2, amount: 12_500_000_000, closeInDays: 35 },
  { title: 'Monthly container shipping', customer: 'Caspian Logistics Ltd.', stage: 1, amount: 2_100_000_000, closeInDays: 60 },
  { title: 'تمدید قرارداد پشتیبانی', customer: 'مریم احمدی', stage: 3, amount: 950_000_000, closeInDays: 5 },
  { title: 'سفارش آزمایشی', customer: 'علي كريمي', stage: 0, amount: 300_000_000, closeInDays: 90 },
  { title: 'خرید تجهیزات انبار', customer: 'رضا محمدی', stage: 1, amount: 1_750_000_000, closeInDays: 45 },
  { title: 'سفارش اینترنتی ویژه', customer: 'زهرا حسینی', stage: 2, amount: 420_000_000, closeInDays: 20 },
  { title: 'ERP integration pilot', customer: 'David Miller', stage: 0, amount: 600_000_000, closeInDays: 120 },
  // Closed deals were opened weeks ago, so the win rate shows a real sales cycle.
  { title: 'سفارش عید', customer: 'امیر تهرانی', stage: 3, amount: 1_200_000_000, closeInDays: -12, status: 'won', openedDaysAgo: 38 },
  { title: 'پیشنهاد بسته‌بندی', customer: 'فاطمه نوری', stage: 2, amount: 800_000_000, closeInDays: -5, status: 'lost', lostReason: 'قیمت رقیب پایین‌تر بود', openedDaysAgo: 21 },
];

/** Demo leads in several states, so the funnel report has something to show. */
const DEMO_LEADS: Array<{ name: string; email?: string; phone?: string; company?: string; source: string; status: 'new' | 'contacted' | 'qualified' | 'disqualified'; disqualifyReason?: string }> = [
  { name: 'نگار صادقی', email: 'negar.sadeghi@example.com', company: 'گروه صنعتی البرز', source: 'website', status: 'new' },
  { name: 'حمید رستمی', phone: '۰۹۱۳ ۲۲۲ ۴۴۵۵', company: 'پخش سپاهان', source: 'exhibition', status: 'contacted' },
  { name: 'Laura Chen', email: 'laura.chen@example.org', company: 'Silk Road Imports', source: 'referral', status: 'qualified' },
  { name: 'کاوه مرادی', email: 'kaveh.moradi@example.com', source: 'website', status: 'qualified' },
  { name: 'سمیرا جعفری', phone: '+98 935 111 2233', source: 'phone', status: 'disqualified', disqualifyReason: 'بودجه‌ای برای خرید ندارد' },
];

/**
 * Seeds the demo tenant's sales data: the pipeline, leads and deals only while the tenant
 * has no pipeline (in one transaction), the web form while it has none. Hands the
 * example page the form's key.
 */
export async function seedSalesDemo(ctx: PluginContext<SalesOptions>, sales: SalesServices, { tenant, actor }: PluginDemo): Promise<PluginDemoResult> {
  const form = (await sales.webForms.list(actor, { limit: 1 })).items[0] ?? (await sales.webForms.create(actor, { name: DEMO_WEB_FORM_NAME, source: 'website' }));
  const page = { formKey: form.key };
  if ((await sales.pipelines.list(tenant.id, { limit: 1 })).items.length > 0) return { created: 0, page };
  for (const { status, disqualifyReason, ...lead } of DEMO_LEADS) {
    const created = await sales.leads.create(actor, { ...lead, status: status === 'disqualified' ? 'contacted' : status });
    if (created && status === 'disqualified') await sales.leads.update(actor, created.id, { status, disqualifyReason: disqualifyReason! });
  }
  const customers = new Map((await ctx.customers.list(actor, { limit: 200 })).items.map((c) => [c.name, c.id]));
  const day = (offset: number) => formatDate(new Date(Date.now() + offset * DAY), 'en', { timeZone: tenant.timeZone });
  const closed: Array<{ id: string; outcome: { status: 'won' } | { status: 'lost'; reason: string }; openedDaysAgo: number }> = [];
  const count = await ctx.data.transaction(async (trx) => {
    const pipeline = await sales.pipelines.create(actor, { name: 'فروش عمده', currency: 'IRR', stages: DEMO_STAGES }, trx);
    let count = 0;
    for (const d of DEMO_DEALS) {
      const customerId = customers.get(d.customer);
      if (!customerId) continue;
      const deal = await sales.deals.create(actor, {
        title: d.title,
        customerId,
        pipelineId: pipeline.id,
        stageId: pipeline.stages[d.stage]!.id,
        amount: d.amount,
        currency: 'IRR',
        expectedCloseDate: day(d.closeInDays),
      }, trx);
      if (d.status) closed.push({ id: deal.id, outcome: d.status === 'won' ? { status: 'won' } : { status: 'lost', reason: d.lostReason ?? '' }, openedDaysAgo: d.openedDaysAgo ?? 0 });
      count++;
    }
    return count;
  });
  // Opened weeks ago (the demo's history), then closed through the service like any deal.
  for (const { id, outcome, openedDaysAgo } of closed) {
    await ctx.data.forTenant(tenant.id).from('sales_deals').where({ id }).update({ created_at: Date.now() - openedDaysAgo * DAY });
    await sales.deals.close(actor, id, outcome);
  }
  return { created: count, page };
}
