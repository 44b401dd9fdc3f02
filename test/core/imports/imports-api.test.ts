/**
 * File imports and exports through the HTTP API: CSV in UTF-8 (BOM or not) and
 * windows-1256 (detected and declared), .xlsx, the header mapping, dry run, bad rows and
 * the localized error file, orders with their lines, undo (created removed, updated
 * restored, audited), refusals, and CSV/xlsx exports in both calendars.
 */
import t from 'tap';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { bootSales, eventsOf } from '../../helpers/sales.js';
import { importer } from '../../helpers/imports.js';
import { assertWrittenEvents } from '../../helpers/event-schemas.js';
import { coreEventSchemas } from '../../../core/plugin/core-events.js';
import { orderEventSchemas } from '../../../core/orders/order-events.js';

const s = await bootSales(t, { peyvand: { plugins: [], imports: { batchSize: 3 } }, tenant: { plugins: [], timeZone: 'Asia/Tehran' } });
const other = await bootSales(t, { p: s.p, slug: 'other', tenant: { plugins: [] } });
const { admin } = s;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const { importFile, undo } = importer(s);

const customersNamed = async (name: string) => (await s.ok<{ items: Array<{ id: string; name: string; tags: string[]; customFields: Record<string, unknown>; emails: Array<{ value: string }> }> }>(admin, 'GET', `/api/v1/customers?q=${encodeURIComponent(name)}&limit=200`)).items;

t.test('customers CSV: mapping, BOM, bad rows, the localized error file', async (t) => {
  const csv = '\uFEFFCompany,kind,email,tags,Sector,externalSource,externalId,Note\r\n'
    + 'شرکت آلفا,organization,info@alfa.ir,عمده;تهران,پخش,erp,C-1,ignored\r\n'
    + '"شرکت ""بتا"", سهامی",organization,,vip,تولید,erp,C-2,\r\n'
    + 'مریم,robot,,,,erp,C-3,\r\n'
    + ',person,,,,erp,C-4,\r\n'
    + 'بدون شناسه,person,no-ref@example.com,,,,,\r\n';
  const job = await importFile(`entity=customers&mapping=${encodeURIComponent(JSON.stringify({ Company: 'name', Sector: 'customFields.sector' }))}`, csv);
  t.match(job, { status: 'succeeded', dryRun: false, rowsRead: 5, created: 3, updated: 0, unchanged: 0, failed: 2 });
  const [alfa] = await customersNamed('آلفا');
  t.match(alfa, { name: 'شرکت آلفا', tags: ['عمده', 'تهران'], customFields: { sector: 'پخش' }, emails: [{ value: 'info@alfa.ir' }] }, 'mapped headers, tags split on ;');
  t.equal((await customersNamed('بتا'))[0]?.name, 'شرکت "بتا", سهامی', 'quoted fields with quotes and commas');

  const fa = await s.p.call(admin, { method: 'GET', url: `/api/v1/imports/${job.id}/errors`, headers: { 'accept-language': 'fa' } });
  t.equal(fa.statusCode, 200);
  t.match(fa.headers['content-type'], /^text\/csv/);
  const lines = fa.body.split('\r\n').filter(Boolean);
  t.equal(lines[0], '\uFEFFCompany,kind,email,tags,Sector,externalSource,externalId,Note,error', 'the original header plus error, after a BOM');
  t.equal(lines.length, 3, 'one line per failed row');
  t.match(lines[1], /^مریم,robot,,,,erp,C-3,,.*باید یکی از این‌ها باشد/, 'the original cells, then the reason in Persian');
  const en = await s.p.call(admin, { method: 'GET', url: `/api/v1/imports/${job.id}/errors`, headers: { 'accept-language': 'en' } });
  t.match(en.body, /,person,,,,erp,C-4,,.*name/, 'in English when asked');

  const again = await importFile('entity=customers&mapping=' + encodeURIComponent(JSON.stringify({ Company: 'name', Sector: 'customFields.sector' })), csv.split('\r\n').slice(0, 3).join('\r\n'));
  t.match(again, { created: 0, unchanged: 2 }, 'by-ref rows imported again change nothing');
  const audit = await s.ok<{ items: Array<{ action: string; requestId: string }> }>(admin, 'GET', `/api/v1/audit?entityType=customer&entityId=${alfa!.id}`);
  t.same(audit.items.map((a) => a.requestId), [`import:${job.id}`], 'every write audited with the import as context');
});

t.test('imported text obeys the API\'s text rules: a bidi override in a name fails its row', async (t) => {
  // U+202E (right-to-left override) in a name is a spoofing vector in lists and emails;
  // the API refuses it, and a file must not be a way around that.
  // Rows with and without an external ref are validated on two paths (by-ref bulk upsert, plain create).
  const job = await importFile('entity=customers', 'name,externalSource,externalId\nفروشگاه \u202Eزرین,erp,BIDI-1\nبازار \u202Eزرین,,\nفروشگاه سالم,erp,BIDI-2\n');
  t.match(job, { rowsRead: 3, created: 1, failed: 2 });
  const errors = await s.p.call(admin, { method: 'GET', url: `/api/v1/imports/${job.id}/errors`, headers: { 'accept-language': 'fa' } });
  t.match(errors.body, /BIDI-1,.*باید یک سطر باشد/, 'the reason, in Persian');
  t.match(errors.body, /بازار .*زرین,,,.*باید یک سطر باشد/, 'a row without a ref too');
  t.same(await customersNamed('زرین'), [], 'nothing stored for that row');
});

t.test('windows-1256, detected and declared; TSV; xlsx', async (t) => {
  // Windows-1256 has the Arabic yeh (ي), which Iranian Windows software writes for ی.
  const body = iconv.encode('name,phone,externalSource,externalId\nکيوان يکتا,09121234567,erp,W-1\n', 'windows-1256');
  t.match(await importFile('entity=customers', body), { created: 1, failed: 0 });
  t.equal((await customersNamed('کیوان'))[0]?.name, 'کيوان يکتا', 'detected windows-1256; found by the Persian spelling');
  const declared = iconv.encode('name,externalSource,externalId\nعلي,erp,W-2\n', 'windows-1256');
  t.match(await importFile('entity=customers', declared, 'text/csv; charset=windows-1256'), { created: 1 });
  t.equal((await customersNamed('علی'))[0]?.name, 'علي', 'declared charset');
  t.match(await importFile('entity=customers', 'name\texternalSource\texternalId\nتب‌دار\terp\tT-1\n', 'text/tab-separated-values'), { created: 1 }, 'tab separated');

  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('مشتریان');
  sheet.addRow(['name', 'kind', 'externalSource', 'externalId', 'customFields.since']);
  sheet.addRow(['فروشگاه اکسل', 'organization', 'erp', 'X-1', new Date('2024-03-20T00:00:00Z')]);
  sheet.addRow(['', 'person', 'erp', 'X-2', '']);
  const xlsx = Buffer.from(await book.xlsx.writeBuffer());
  t.match(await importFile('entity=customers&format=xlsx', xlsx, XLSX), { rowsRead: 2, created: 1, failed: 1 }, 'xlsx through the streaming reader');
  t.match((await customersNamed('اکسل'))[0], { customFields: { since: '2024-03-20T00:00:00.000Z' } }, 'a date cell as ISO text');
});

t.test('dry run writes nothing', async (t) => {
  const before = (await eventsOf(s, 'customer.*')).length;
  const job = await importFile('entity=customers&dryRun=true', 'name,externalSource,externalId\nآزمایشی,erp,D-1\nبد,erp,\n');
  t.match(job, { status: 'succeeded', dryRun: true, rowsRead: 2, created: 1, failed: 1 }, 'what would happen');
  t.same(await customersNamed('آزمایشی'), [], 'no customer');
  t.equal((await eventsOf(s, 'customer.*')).length, before, 'no event');
  t.equal((await s.call(admin, 'POST', `/api/v1/imports/${job.id}/undo`)).json().code, 'IMPORT_NOT_UNDOABLE');
});

t.test('undo: created removed, updated restored, all audited', async (t) => {
  const existing = await s.ok<{ id: string; version: number }>(admin, 'PUT', '/api/v1/customers/by-ref/erp/U-1', { kind: 'person', name: 'نام قدیمی', tags: ['قدیمی'] }, 201);
  const job = await importFile('entity=customers', 'name,tags,externalSource,externalId\nنام تازه,تازه,erp,U-1\nمشتری موقت,,erp,U-2\nموقت بی‌شناسه,,,\n');
  t.match(job, { created: 2, updated: 1 });
  const done = await undo(job.id);
  t.match(done, { status: 'undone' });
  const restored = await s.ok<{ name: string; tags: string[]; version: number }>(admin, 'GET', `/api/v1/customers/${existing.id}`);
  t.match(restored, { name: 'نام قدیمی', tags: ['قدیمی'], version: 3 }, 'the updated customer is back as it was (a new version)');
  t.same(await customersNamed('موقت'), [], 'the created ones are gone');
  const trail = await s.ok<{ items: Array<{ action: string; requestId: string }> }>(admin, 'GET', `/api/v1/audit?entityType=customer&entityId=${existing.id}`);
  t.same(trail.items.slice(0, 2).map((a) => [a.action, a.requestId]), [['customer.update', `import-undo:${job.id}`], ['customer.update', `import:${job.id}`]], 'the undo is audited as such');
  const deleted = (await eventsOf(s, 'customer.deleted')).map((e) => (e.data.customer as { name: string }).name);
  t.ok(deleted.includes('مشتری موقت') && deleted.includes('موقت بی‌شناسه'), 'normal events');
  t.match(await undo(job.id), { status: 'undone' }, 'asking again changes nothing');
});

t.test('orders: consecutive rows are one order’s lines; undo removes them', async (t) => {
  await s.ok(admin, 'PUT', '/api/v1/customers/by-ref/erp/OC-1', { kind: 'person', name: 'خریدار' }, 201);
  const csv = 'externalSource,externalId,number,status,currency,total,placedAt,customerSource,customerExternalId,sku,lineName,quantity,unitPrice\n'
    + 'erp,SO-1,SO-1,paid,IRR,۳۰۰۰۰۰۰,2025-03-01T10:00:00Z,erp,OC-1,A,چای,2,1000000\n'
    + 'erp,SO-1,,,,,,,,B,قند,1,1000000\n'
    + 'erp,SO-2,SO-2,placed,IRR,-5,2025-03-02T10:00:00Z,erp,OC-1,A,چای,1,1000000\n'
    + 'erp,SO-3,SO-3,placed,IRR,500,2025-03-03T10:00:00Z,erp,OC-1,C,نبات,1,500\n'
    + 'erp,SO-3,,,,,,,,D,گز,1,0\n';
  const job = await importFile('entity=orders', csv);
  t.match(job, { rowsRead: 5, created: 4, failed: 1 }, 'each row counted; the batch (3) never splits an order');
  const orders = await s.ok<{ items: Array<{ id: string; number: string; total: number; lines: Array<{ sku: string }> }> }>(admin, 'GET', '/api/v1/orders?limit=50');
  const so1 = orders.items.find((o) => o.number === 'SO-1');
  t.match(so1, { total: 3_000_000, lines: [{ sku: 'A' }, { sku: 'B' }] }, 'lines grouped; Persian digits read');
  t.equal(orders.items.find((o) => o.number === 'SO-3')?.lines.length, 2);
  t.ok((await eventsOf(s, 'order.paid')).some((e) => e.data.id === so1!.id), 'normal events');
  await undo(job.id);
  t.same((await s.ok<{ items: unknown[] }>(admin, 'GET', '/api/v1/orders?limit=50')).items, [], 'undo removed the orders it created');
});

t.test('refusals', async (t) => {
  const post = (query: string, body: string, type = 'text/csv', token = admin) => s.p.call(token, { method: 'POST', url: `/api/v1/imports?${query}`, payload: body, headers: { 'content-type': type } });
  t.equal((await post('entity=leads', 'name\nx\n')).json().code, 'IMPORT_ENTITY_UNAVAILABLE', 'leads without the sales plugin');
  t.equal((await post('entity=planets', 'name\nx\n')).statusCode, 422);
  t.equal((await post('entity=customers', '{"a":1}', 'application/json')).statusCode, 415);
  t.equal((await post('entity=customers', 'x', 'text/plain')).statusCode, 415);
  t.equal((await post('entity=customers&mapping=%7Bbroken', 'name\nx\n')).json().code, 'VALIDATION_FAILED');
  t.equal((await post('entity=customers', 'name\nx\n', 'text/csv', await s.key('agent'))).statusCode, 403, 'agents do not import');
  const big = `name,tags\n${'ب'.repeat(1_100_000)},x\n`;
  t.ok(Buffer.byteLength(big) > 2 * 1024 * 1024);
  t.equal((await post('entity=customers&dryRun=true', big)).statusCode, 202, 'a file over the JSON body limit is streamed, not refused');
  const once = () => s.p.call(admin, { method: 'POST', url: '/api/v1/imports?entity=customers&dryRun=true', payload: 'name\nیک بار\n', headers: { 'content-type': 'text/csv', 'idempotency-key': 'upload-1' } });
  const [first, retry] = [await once(), await once()];
  t.equal(first.statusCode, 202, first.body);
  t.same([retry.statusCode, retry.json().id, retry.headers['idempotency-replayed']], [202, first.json().id, 'true'], 'a retried upload with its Idempotency-Key starts nothing new');
  t.equal((await other.call(other.admin, 'GET', '/api/v1/imports/01890a5d-ac96-774b-bcce-b302099a8057')).statusCode, 404);
  const job = await importFile('entity=customers', 'name,externalSource,externalId\nمال ما,erp,Z-1\n');
  t.equal((await other.call(other.admin, 'GET', `/api/v1/imports/${job.id}`)).statusCode, 404, 'another tenant’s import is a 404');
  t.equal((await other.call(other.admin, 'GET', `/api/v1/imports/${job.id}/errors`)).statusCode, 404);
  t.equal((await other.call(other.admin, 'POST', `/api/v1/imports/${job.id}/undo`)).statusCode, 404);
});

t.test('exports: CSV with BOM, xlsx, both calendars', async (t) => {
  await s.ok(admin, 'PUT', '/api/v1/customers/by-ref/erp/E-1', { kind: 'person', name: 'صادراتی', phones: [{ value: '+98 912 000 0000' }] }, 201);
  const csv = await s.p.call(admin, { method: 'GET', url: '/api/v1/exports/customers.csv?calendar=persian' });
  t.equal(csv.statusCode, 200);
  t.ok(csv.body.startsWith('\uFEFFid,kind,name,'), 'a BOM, then the header');
  const row = csv.body.split('\r\n').find((l) => l.includes('صادراتی'))!;
  t.match(row, /\+98 912 000 0000/, 'a phone is not mangled');
  t.match(row, /,14\d\d\/\d\d\/\d\d \d\d:\d\d,/, 'Jalali dates');
  t.match((await s.p.call(admin, { method: 'GET', url: '/api/v1/exports/customers.csv' })).body, /,20\d\d-\d\d-\d\d \d\d:\d\d,/, 'Gregorian by default');
  t.notMatch((await other.p.call(other.admin, { method: 'GET', url: '/api/v1/exports/customers.csv' })).body, /صادراتی/, 'only the tenant’s own');

  const xlsx = await s.p.call(admin, { method: 'GET', url: '/api/v1/exports/customers.xlsx' });
  t.equal(xlsx.headers['content-type'], XLSX);
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
  const names = book.worksheets[0]!.getColumn(3).values;
  t.ok(names.includes('صادراتی'), 'readable by Excel tooling');
  t.equal((await s.call(admin, 'GET', '/api/v1/exports/planets.csv')).statusCode, 404);
  t.equal((await s.call(admin, 'GET', '/api/v1/exports/customers.pdf')).statusCode, 400);
});

t.test('the events imports and undos wrote carry exactly what their data schemas say', async (t) => {
  await assertWrittenEvents(t, s, 'customer.*,order.*', { ...coreEventSchemas, ...orderEventSchemas }, ['customer.created', 'customer.updated', 'customer.deleted', 'order.placed']);
});
