/**
 * Leads and deals through core's import and export: rows created by the sales services
 * (duplicates, assignment, pipeline and stage rules), bad rows in the localized error
 * file, references by name, email or phone, a dry run that writes nothing, undo that
 * removes what the import created (audited, events emitted), and CSV exports.
 */
import t from 'tap';
import { bootSales, eventsOf } from '../../helpers/sales.js';
import { importer } from '../../helpers/imports.js';

const s = await bootSales(t, { peyvand: { imports: { batchSize: 2 } } });
const { admin } = s;
const { importFile, undo } = importer(s);
type Lead = { id: string; name: string; email?: string; phone?: string; tags: string[]; status: string; score: number };
type Deal = { id: string; title: string; customerId: string; pipelineId: string; stageId: string; amount: number; status: string };
const leads = async () => (await s.ok<{ items: Lead[] }>(admin, 'GET', '/leads?limit=200')).items;
const deals = async () => (await s.ok<{ items: Deal[] }>(admin, 'GET', '/deals?limit=200')).items;
const errorLines = async (id: string, lang: string) =>
  (await s.p.call(admin, { method: 'GET', url: `/api/v1/imports/${id}/errors`, headers: { 'accept-language': lang } })).body.split('\r\n').filter(Boolean);

t.test('leads: created as capture creates them, duplicates and bad rows fail alone', async (t) => {
  const csv = 'name,email,phone,company,tags,status\r\n'
    + 'سارا رضایی,sara@example.ir,09121234567,پخش البرز,نمایشگاه;تهران,contacted\r\n'
    + 'Sara again,SARA@example.ir,,,,\r\n'
    + 'بهرام,bahram@example.ir,,,,won\r\n'
    + ',nameless@example.ir,,,,\r\n'
    + 'کامران,kamran@example.ir,۰۹۱۲۷۶۵۴۳۲۱,,,\r\n';
  const job = await importFile('entity=leads', csv);
  t.match(job, { status: 'succeeded', rowsRead: 5, created: 2, updated: 0, failed: 3 });
  const byName = new Map((await leads()).map((l) => [l.name, l]));
  t.match(byName.get('سارا رضایی'), { email: 'sara@example.ir', tags: ['نمایشگاه', 'تهران'], status: 'contacted' });
  t.ok(byName.has('کامران'), 'a phone in Persian digits is a phone');
  t.notOk(byName.has('Sara again'), 'the same email (any case) as an open lead is a duplicate, as on capture');
  const created = await eventsOf(s, 'lead.created');
  t.equal(created.length, 2, 'lead.created for each created row');

  const fa = await errorLines(job.id, 'fa');
  t.equal(fa[0], '\uFEFFname,email,phone,company,tags,status,error');
  t.match(fa[1], /^Sara again,SARA@example.ir,.*سرنخ/, 'the duplicate, in Persian');
  t.match(fa[2], /^بهرام,.*won,/, 'a status capture cannot set');
  t.equal(fa.length, 4, 'one line per failed row');
  t.match((await errorLines(job.id, 'en'))[1], /duplicate|open lead/i, 'in English when asked');

  const audit = await s.ok<{ items: Array<{ action: string; requestId: string }> }>(admin, 'GET', `/api/v1/audit?entityType=lead&entityId=${byName.get('کامران')!.id}`);
  t.same(audit.items.map((a) => [a.action, a.requestId]), [['lead.create', `import:${job.id}`]], 'audited with the import as context');

  const done = await undo(job.id);
  t.equal(done.status, 'undone');
  t.same((await leads()).map((l) => l.name), [], 'undo removes the leads the import created');
  t.equal((await eventsOf(s, 'lead.deleted')).length, 2, 'and says so with lead.deleted');
});

t.test('deals: customers by email or phone, pipeline and stage by name, amounts in Persian digits', async (t) => {
  const pipeline = await s.pipeline();
  await s.pipeline(admin, { name: 'اجاره' });
  const arya = await s.customer(admin, 'آریا', { emails: [{ value: 'buy@arya.example' }] });
  await s.customer(admin, 'توس', { phones: [{ value: '+98 21 8888 0000' }] });
  await s.customer(admin, 'دوقلو ۱', { emails: [{ value: 'twin@example.ir' }] });
  await s.customer(admin, 'دوقلو ۲', { emails: [{ value: 'twin@example.ir' }] });
  const csv = 'title,customerEmail,customerPhone,pipeline,stage,amount,currency,status,lostReason\r\n'
    + 'قرارداد سالانه,buy@arya.example,,فروش,مذاکره,"۱۲٬۰۰۰٬۰۰۰",IRR,,\r\n'
    + 'نگهداری,,02188880000,فروش,,5000000,,lost,قیمت\r\n'
    + 'بی‌مشتری,nobody@example.ir,,فروش,,100,,,\r\n'
    + 'دوقلو,twin@example.ir,,فروش,,100,,,\r\n'
    + 'مرحله ناشناس,buy@arya.example,,فروش,تحویل,100,,,\r\n'
    + 'قیف ناشناس,buy@arya.example,,اجاره‌ای,,100,,,\r\n'
    + 'منفی,buy@arya.example,,فروش,,-5,,,\r\n';

  const dry = await importFile('entity=deals&dryRun=true', csv);
  t.match(dry, { status: 'succeeded', dryRun: true, created: 2, failed: 5 }, 'a dry run counts what it would create');
  t.same(await deals(), [], 'a dry run writes nothing');

  const job = await importFile('entity=deals', csv);
  t.match(job, { status: 'succeeded', rowsRead: 7, created: 2, failed: 5 });
  const byTitle = new Map((await deals()).map((d) => [d.title, d]));
  const negotiation = pipeline.stages.find((st) => st.name === 'مذاکره')!;
  t.match(byTitle.get('قرارداد سالانه'), { customerId: arya.id, pipelineId: pipeline.id, stageId: negotiation.id, amount: 12_000_000, status: 'open' });
  t.match(byTitle.get('نگهداری'), { stageId: pipeline.stages[0]!.id, status: 'lost', amount: 5_000_000 }, 'a customer by phone in another notation; the first stage by default');
  t.equal((await eventsOf(s, 'deal.created')).length, 2);

  const en = await errorLines(job.id, 'en');
  t.match(en[1], /^بی‌مشتری,.*no customer has this email or phone/);
  t.match(en[2], /^دوقلو,.*more than one customer/);
  t.match(en[3], /^مرحله ناشناس,.*no stage of the pipeline/);
  t.match(en[4], /^قیف ناشناس,.*no single pipeline/);
  t.match(en[5], /^منفی,.*negative/);
  t.match((await errorLines(job.id, 'fa'))[1], /هیچ مشتری‌ای این ایمیل یا تلفن را ندارد/, 'in Persian');

  const csvOut = await s.p.call(admin, { method: 'GET', url: '/api/v1/exports/deals.csv' });
  t.equal(csvOut.statusCode, 200);
  t.ok(csvOut.body.startsWith('\uFEFFid,title,customerId,customerName,'), 'deals export with a BOM');
  t.match(csvOut.body, /قرارداد سالانه,[0-9a-f-]+,آریا,/, 'the customer by name beside its id');

  await undo(job.id);
  t.same(await deals(), [], 'undo removes the deals the import created');
  t.equal((await eventsOf(s, 'deal.deleted')).length, 2);
});

t.test('exports of leads; imports need the entity’s own permission', async (t) => {
  await importFile('entity=leads', 'name,email\nصادراتی,export@example.ir\n');
  const csv = await s.p.call(admin, { method: 'GET', url: '/api/v1/exports/leads.csv?calendar=persian' });
  t.equal(csv.statusCode, 200);
  t.match(csv.body, /صادراتی,export@example.ir,.*,14\d\d\/\d\d\/\d\d \d\d:\d\d/, 'a lead row with Jalali dates');
  const viewer = await s.key('viewer');
  const refused = await s.p.call(viewer, { method: 'POST', url: '/api/v1/imports?entity=deals', payload: 'title\nx\n', headers: { 'content-type': 'text/csv' } });
  t.equal(refused.statusCode, 403, 'a viewer cannot import deals');
});
