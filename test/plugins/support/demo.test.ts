/**
 * The support demo hook: a Tehran calendar with this Jalali year's holidays (Thursday to
 * noon, Friday off), a Persian queue, an SLA policy, a canned response and Persian tickets
 * for the demo customers that exist; run twice, it creates nothing the second time.
 */
import t from 'tap';
import { systemActor, toJalali } from '../../../core/plugin/index.js';
import support from '../../../plugins/support/index.js';
import { DEMO_CALENDAR_ID, DEMO_QUEUE_NAME } from '../../../plugins/support/demo.js';
import { bootSupport } from '../../helpers/support.js';

const s = await bootSupport(t);
const kernel = s.p.peyvand.kernel;
// Three of the demo customers; the tickets of the others are skipped, not invented.
for (const name of ['مریم احمدی', 'شرکت بازرگانی آریا', 'علي كريمي']) await s.customer(name);
const tenant = (await kernel.tenants.list()).find((x) => x.id === s.id)!;
const actor = systemActor(tenant, 'demo-test', kernel.registry.list().map((p) => p.name));
const run = () => support.demo!(kernel.context('support') as never, s.services(), { tenant, actor, orders: kernel.orders });

t.test('the first run creates the setup and the tickets; the second, nothing', async (t) => {
  t.same(await run(), { created: 7 }, 'calendar, queue, policy, canned response and three tickets');
  t.same(await run(), { created: 0 }, 'idempotent');

  const services = s.services();
  const calendars = (await services.calendars.list(s.id)).items;
  t.same(calendars.map((c) => c.id), [DEMO_CALENDAR_ID], 'one calendar');
  const calendar = calendars[0]!;
  t.equal(calendar.timeZone, 'Asia/Tehran');
  t.same(calendar.week.thu, [['08:00', '12:00']], 'Thursday to noon');
  t.notOk(calendar.week.fri, 'Friday off');
  const year = toJalali(new Date(), 'Asia/Tehran').year;
  t.match(calendar.holidays, [{ date: `${year}-01-01`, calendar: 'persian', yearly: true, name: 'نوروز' }], 'Nowruz, yearly');
  const lunar = calendar.holidays.filter((h) => !h.yearly);
  t.ok(lunar.length >= 15 && lunar.every((h) => h.date.startsWith(`${year}-`)), `this Jalali year's lunar holidays (${lunar.length})`);
  t.ok(lunar.some((h) => h.name === 'عاشورای حسینی'), 'Ashura among them');

  const queues = (await services.queues.list(s.id)).items;
  t.same(queues.map((q) => q.name), [DEMO_QUEUE_NAME], 'one Persian queue');
  t.same((await services.sla.listPolicies(s.id)).items.map((p) => p.calendarId), [DEMO_CALENDAR_ID], 'one policy on the calendar');
  t.equal((await services.canned.list(actor, 'fa')).items.length, 1, 'one canned response');

  const tickets = (await services.tickets.list(actor, { limit: 50 })).items;
  t.equal(tickets.length, 3);
  t.same(new Set(tickets.map((x) => x.subject)), new Set(['پرسش دربارهٔ گارانتی', 'خطا در ورود به پنل مشتریان', 'سفارش هنوز نرسیده است']), 'the tickets of the customers there are, once each');
  t.ok(tickets.every((x) => x.queueId === queues[0]!.id && x.sla !== null), 'in the queue, under the policy');
  const panel = tickets.find((x) => x.subject === 'خطا در ورود به پنل مشتریان')!;
  t.match(panel, { status: 'pending', priority: 'urgent', assigneeId: 'erp-user-1001' });
  const thread = (await services.tickets.messages(actor, panel.id)).items;
  t.match(thread, [{ visibility: 'public', author: { kind: 'customer' } }, { visibility: 'public', author: { kind: 'agent', id: 'erp-user-1001' } }], 'the customer wrote, the agent answered');
  const warranty = tickets.find((x) => x.subject === 'پرسش دربارهٔ گارانتی')!;
  t.match((await services.tickets.messages(actor, warranty.id)).items.map((m) => m.visibility), ['public', 'internal'], 'an internal note');
});
