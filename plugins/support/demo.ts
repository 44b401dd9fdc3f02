/**
 * The support part of the demo tenant (the plugin's `demo` hook, run by `npm start` and
 * `peyvand seed --demo`): a Tehran business calendar (Saturday–Wednesday, Thursday to
 * noon, Friday off, this Jalali year's holidays), a queue with a Persian name, an SLA
 * policy, a canned response, and a handful of Persian tickets from the demo customers in
 * several states, so the ticket widgets have something to show. Each piece is created
 * only when missing (by its id or name), so running the hook again adds nothing. Goes
 * through the plugin's own services, like any client.
 *
 * @module
 */
import { toJalali, type PluginContext, type PluginDemo, type PluginDemoResult } from '../../core/plugin/index.js';
import { demoHolidays } from './demo-holidays.js';
import type { SupportOptions } from './options.js';
import type { TimeRange } from './services/business-time.js';
import type { Channel, Priority, TicketStatus } from './services/records.js';
import type { SupportServices } from './services/container.js';

/** The demo calendar's id. */
export const DEMO_CALENDAR_ID = 'tehran-office';
/** The demo queue's name. */
export const DEMO_QUEUE_NAME = 'پشتیبانی مشتریان';
const DEMO_POLICY_NAME = 'تعهد پایهٔ پشتیبانی';
const DEMO_CANNED_NAME = 'پیگیری درخواست';

/** Agents of the demo ERP (core/cli/demo-seed.ts): the page's user and two colleagues. */
const AGENTS = ['erp-user-1001', 'erp-user-1002', 'erp-user-1003'];

/** Demo tickets: customer (by name), what they wrote, and where the ticket stands. */
const DEMO_TICKETS: Array<{ customer: string; subject: string; body: string; channel: Channel; priority: Priority; assigneeId?: string; reply?: string; note?: string; status?: TicketStatus }> = [
  { customer: 'مریم احمدی', subject: 'سفارش هنوز نرسیده است', body: 'سلام، سفارشی که هفتهٔ پیش ثبت کردم هنوز به دستم نرسیده. لطفاً پیگیری کنید.', channel: 'phone', priority: 'high', assigneeId: 'erp-user-1001' },
  { customer: 'شرکت بازرگانی آریا', subject: 'خطا در ورود به پنل مشتریان', body: 'از صبح هیچ‌کدام از همکاران ما نمی‌توانند وارد پنل شوند و پیام «خطای ۵۰۰» می‌بینند.', channel: 'web', priority: 'urgent', assigneeId: 'erp-user-1001', reply: 'سلام، مشکل را بررسی کردیم و برطرف شد. لطفاً دوباره امتحان کنید و نتیجه را به ما خبر دهید.', status: 'pending' },
  { customer: 'رضا محمدی', subject: 'درخواست فاکتور رسمی', body: 'برای خرید ماه گذشته به فاکتور رسمی با کد اقتصادی نیاز دارم.', channel: 'email', priority: 'normal', assigneeId: 'erp-user-1003' },
  { customer: 'زهرا حسینی', subject: 'تعویض کالای معیوب', body: 'بستهٔ دریافتی آسیب دیده بود. امکان تعویض هست؟', channel: 'chat', priority: 'normal', assigneeId: 'erp-user-1002', reply: 'بله، کالای جایگزین امروز ارسال شد.', status: 'solved' },
  { customer: 'علي كريمي', subject: 'پرسش دربارهٔ گارانتی', body: 'گارانتی دستگاه چند ماه است و شامل چه قطعاتی می‌شود؟', channel: 'phone', priority: 'low', note: 'مشتری قبلاً هم دربارهٔ همین دستگاه تماس گرفته بود.' },
];

/** Seeds the demo tenant's support data; only what is missing is created. */
export async function seedSupportDemo(ctx: PluginContext<SupportOptions>, support: SupportServices, { tenant, actor }: PluginDemo): Promise<PluginDemoResult> {
  let created = 0;
  if (!(await support.calendars.list(tenant.id)).items.some((c) => c.id === DEMO_CALENDAR_ID)) {
    const year = toJalali(new Date(), 'Asia/Tehran').year;
    const day = (): TimeRange[] => [['08:00', '16:00']];
    // Thursday to noon, Friday left out: closed.
    const week = { sat: day(), sun: day(), mon: day(), tue: day(), wed: day(), thu: [['08:00', '12:00']] satisfies TimeRange[] };
    await support.calendars.put(actor, DEMO_CALENDAR_ID, { name: 'دفتر تهران', timeZone: 'Asia/Tehran', week, holidays: demoHolidays(year) }, support.sla.calendarChanged.bind(support.sla));
    created++;
  }
  let queue = (await support.queues.list(tenant.id)).items.find((q) => q.name === DEMO_QUEUE_NAME);
  if (!queue) {
    queue = await support.queues.create(actor, { name: DEMO_QUEUE_NAME, members: AGENTS, managerId: 'erp-user-1001', calendarId: DEMO_CALENDAR_ID, assignment: 'least_open' });
    created++;
  }
  if (!(await support.sla.listPolicies(tenant.id)).items.some((p) => p.name === DEMO_POLICY_NAME)) {
    await support.sla.createPolicy(actor, { name: DEMO_POLICY_NAME, calendarId: DEMO_CALENDAR_ID, conditions: {}, targets: { firstResponseMinutes: 120, nextResponseMinutes: 240, resolutionMinutes: 16 * 60, warningPercent: 80 } });
    created++;
  }
  if (!(await support.canned.list(actor, 'fa')).items.some((c) => c.name === DEMO_CANNED_NAME)) {
    await support.canned.create(actor, { name: DEMO_CANNED_NAME, locale: 'fa', body: 'سلام {{customer.name}}، درخواست شمارهٔ {{digits ticket.number}} را دریافت کردیم و در حال پیگیری آن هستیم.' });
    created++;
  }
  created += await seedTickets(ctx, support, actor, queue.id);
  return { created };
}

/** The demo tickets whose customer exists and who has no ticket with that subject yet. */
async function seedTickets(ctx: PluginContext<SupportOptions>, support: SupportServices, actor: PluginDemo['actor'], queueId: string): Promise<number> {
  const customers = new Map((await ctx.customers.list(actor, { limit: 200 })).items.map((c) => [c.name, c.id]));
  const existing = new Set((await support.tickets.list(actor, { limit: 200 })).items.map((t) => `${t.customerId}\u0000${t.subject}`));
  let created = 0;
  for (const d of DEMO_TICKETS) {
    const customerId = customers.get(d.customer);
    if (!customerId || existing.has(`${customerId}\u0000${d.subject}`)) continue;
    const ticket = await support.tickets.create(actor, { subject: d.subject, body: d.body, channel: d.channel, priority: d.priority, customerId, queueId, ...(d.assigneeId && { assigneeId: d.assigneeId }) }, { kind: 'customer', id: customerId });
    if (d.note) await support.tickets.addMessage(actor, ticket.id, { body: d.note, visibility: 'internal' }, { kind: 'agent', id: d.assigneeId ?? AGENTS[0]! });
    if (d.reply) await support.tickets.addMessage(actor, ticket.id, { body: d.reply, visibility: 'public' }, { kind: 'agent', id: d.assigneeId ?? AGENTS[0]! });
    if (d.status) await support.tickets.update(actor, ticket.id, { status: d.status });
    created++;
  }
  return created;
}
