/**
 * The sales part of the demo tenant: a pipeline with Persian stage names and deals in
 * several stages (IRR amounts, closing around now), so the pipeline and forecast widgets
 * have something to show. Goes through the sales plugin's exported services.
 *
 * @module
 */
import type { Kernel } from '../kernel/kernel.js';
import type { Actor } from '../auth/actor.js';
import type { Tenant } from '../tenancy/tenant-service.js';
import { formatDate } from '../persian/jalali.js';
import type { SalesServices } from '../../plugins/sales/index.js';

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
const DEMO_DEALS: Array<{ title: string; customer: string; stage: number; amount: number; closeInDays: number; status?: 'won' | 'lost'; lostReason?: string }> = [
  { title: 'سفارش عمدهٔ بهار', customer: 'شرکت بازرگانی آریا', stage: 3, amount: 4_800_000_000, closeInDays: 10 },
  { title: 'قرارداد سالانهٔ پخش', customer: 'صنایع غذایی نوین پارس', stage: 2, amount: 12_500_000_000, closeInDays: 35 },
  { title: 'Monthly container shipping', customer: 'Caspian Logistics Ltd.', stage: 1, amount: 2_100_000_000, closeInDays: 60 },
  { title: 'تمدید قرارداد پشتیبانی', customer: 'مریم احمدی', stage: 3, amount: 950_000_000, closeInDays: 5 },
  { title: 'سفارش آزمایشی', customer: 'علي كريمي', stage: 0, amount: 300_000_000, closeInDays: 90 },
  { title: 'خرید تجهیزات انبار', customer: 'رضا محمدی', stage: 1, amount: 1_750_000_000, closeInDays: 45 },
  { title: 'سفارش اینترنتی ویژه', customer: 'زهرا حسینی', stage: 2, amount: 420_000_000, closeInDays: 20 },
  { title: 'ERP integration pilot', customer: 'David Miller', stage: 0, amount: 600_000_000, closeInDays: 120 },
  { title: 'سفارش عید', customer: 'امیر تهرانی', stage: 3, amount: 1_200_000_000, closeInDays: -12, status: 'won' },
  { title: 'پیشنهاد بسته‌بندی', customer: 'فاطمه نوری', stage: 2, amount: 800_000_000, closeInDays: -5, status: 'lost', lostReason: 'قیمت رقیب پایین‌تر بود' },
];

/**
 * Enables sales for the demo tenant and gives it a pipeline with Persian stage names and
 * deals in several stages, closing around now, and a web-to-lead form for the lead form
 * widget. The pipeline and deals are seeded only while the tenant has no pipeline, in one
 * transaction, the form while it has none; skipped when the sales plugin is not installed.
 */
export async function seedSales(kernel: Kernel, tenant: Tenant, actor: Actor): Promise<number> {
  const sales = kernel.servicesOf<SalesServices>('sales');
  if (!sales) return 0;
  if (!(await kernel.tenants.isEnabled(tenant.id, 'sales'))) await kernel.tenants.enablePlugin(tenant.slug, 'sales', { via: 'cli' });
  if ((await sales.webForms.list(actor, { limit: 1 })).items.length === 0) await sales.webForms.create(actor, { name: DEMO_WEB_FORM_NAME, source: 'website' });
  if ((await sales.pipelines.list(tenant.id, { limit: 1 })).items.length > 0) return 0;
  const customers = new Map((await kernel.customers.list(actor, { limit: 200 })).items.map((c) => [c.name, c.id]));
  const day = (offset: number) => formatDate(new Date(Date.now() + offset * DAY), 'en', { timeZone: tenant.timeZone });
  return kernel.db.transaction(async (trx) => {
    const pipeline = await sales.pipelines.create(actor, { name: 'فروش عمده', currency: 'IRR', stages: DEMO_STAGES }, trx);
    let count = 0;
    for (const d of DEMO_DEALS) {
      const customerId = customers.get(d.customer);
      if (!customerId) continue;
      await sales.deals.create(actor, {
        title: d.title,
        customerId,
        pipelineId: pipeline.id,
        stageId: pipeline.stages[d.stage]!.id,
        amount: d.amount,
        currency: 'IRR',
        expectedCloseDate: day(d.closeInDays),
        ...(d.status && { status: d.status }),
        ...(d.lostReason && { lostReason: d.lostReason }),
      }, trx);
      count++;
    }
    return count;
  });
}
