/**
 * What a new user meets first at the HTTP layer: a URL typed with raw Persian letters,
 * a conditional GET, text that is not what it looks like (controls, lone surrogates,
 * bidi overrides, NFD), and validation messages that name fields by their labels.
 */
import t from 'tap';
import { connect as tcp } from 'node:net';
import { bootPeyvand } from '../../helpers/peyvand.js';
import { loadLocaleResources } from '../../../core/i18n/i18n.js';
import sales from '../../../plugins/sales/index.js';

const p = await bootPeyvand(t, { plugins: [sales] });
const tenant = await p.tenant('hygiene', { locale: 'fa', plugins: ['sales'] });
const owner = await tenant.key('owner');
const base = await p.peyvand.listen({ port: 0 });
const { port } = new URL(base);

/** Sends raw bytes, as curl does with an unencoded URL, and reads the whole answer. */
function rawRequest(bytes: Buffer): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = tcp({ host: '127.0.0.1', port: Number(port) }, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head, body });
    });
  });
}

t.test('a URL with raw UTF-8 in the request line: problem+json in the caller’s language', async (t) => {
  for (const [lng, title] of [['fa', 'نشانی رمزگذاری درصدی نشده است'], ['en', 'URL not percent-encoded']] as const) {
    const res = await rawRequest(Buffer.from(`GET /api/v1/customers?q=علی HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: ${lng}\r\nAuthorization: Bearer ${owner}\r\n\r\n`, 'utf8'));
    t.equal(res.status, 400);
    t.match(res.headers, /content-type: application\/problem\+json; charset=utf-8/i);
    const body = JSON.parse(res.body) as Record<string, unknown>;
    t.match(body, { code: 'NON_ASCII_URL', status: 400, title, instance: '/api/v1/customers?q=علی' });
    t.match(String(body.detail), /--data-urlencode/, 'the detail says how to fix it');
  }
  const garbage = await rawRequest(Buffer.from('NOT HTTP AT ALL\r\n\r\n'));
  t.equal(garbage.status, 400);
  t.match(JSON.parse(garbage.body), { code: 'MALFORMED_REQUEST', title: 'Malformed request' }, 'no Accept-Language: English');
});

t.test('the README’s search example, percent-encoded, finds the customer', async (t) => {
  await p.call(owner, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: 'علي رضایی' } });
  const res = await fetch(`${base}/api/v1/customers?q=${encodeURIComponent('علی')}`, { headers: { authorization: `Bearer ${owner}` } });
  t.equal(res.status, 200);
  t.same(((await res.json()) as { items: Array<{ name: string }> }).items.map((c) => c.name), ['علي رضایی'], 'Arabic yeh found by Persian yeh');
});

t.test('If-None-Match with the current ETag answers 304, for core and plugin records', async (t) => {
  const created = await p.call(owner, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: 'نسخه‌دار' } });
  const url = `/api/v1/customers/${created.json().id}`;
  const first = await p.call(owner, { method: 'GET', url });
  const etag = String(first.headers.etag);
  for (const ifNoneMatch of [etag, `W/${etag}`, `"999", ${etag}`, '*']) {
    const again = await p.call(owner, { method: 'GET', url, headers: { 'if-none-match': ifNoneMatch } });
    t.equal(again.statusCode, 304, `If-None-Match: ${ifNoneMatch}`);
    t.equal(again.body, '', 'no body');
    t.equal(again.headers.etag, etag, 'the ETag is repeated');
  }
  t.equal((await p.call(owner, { method: 'GET', url, headers: { 'if-none-match': '"999"' } })).statusCode, 200, 'another version: the body');
  await p.call(owner, { method: 'PATCH', url, payload: { name: 'نسخهٔ دوم' } });
  const changed = await p.call(owner, { method: 'GET', url, headers: { 'if-none-match': etag } });
  t.equal(changed.statusCode, 200, 'after a change the old ETag no longer matches');
  t.equal(changed.json().name, 'نسخهٔ دوم');

  const pipeline = await p.call(owner, { method: 'POST', url: '/api/v1/sales/pipelines', payload: { name: 'فروش', currency: 'IRR', stages: [{ name: 'آغاز', probability: 10 }] } });
  const pipelineUrl = `/api/v1/sales/pipelines/${pipeline.json().id}`;
  const read = await p.call(owner, { method: 'GET', url: pipelineUrl });
  t.equal((await p.call(owner, { method: 'GET', url: pipelineUrl, headers: { 'if-none-match': String(read.headers.etag) } })).statusCode, 304, 'a plugin record too');
});

t.test('text hygiene: controls and lone surrogates refused, bidi overrides refused in names, NFC stored', async (t) => {
  const post = (payload: Record<string, unknown>, lng = 'fa') => p.call(owner, { method: 'POST', url: '/api/v1/customers', payload, headers: { 'accept-language': lng } });
  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    ['a lone surrogate', { kind: 'person', name: 'a\ud800b' }, '/name', 'نام نویسهٔ شکسته‌ای دارد (نیمهٔ تنهای یک جفت UTF-16)'],
    ['a C0 control in a nested text', { kind: 'person', name: 'ok', addresses: [{ line1: 'x\u0007y' }] }, '/addresses/0/line1', 'نشانی (سطر نخست) نباید نویسهٔ کنترلی داشته باشد'],
    ['NUL', { kind: 'person', name: 'ok', tags: ['a\u0000'] }, '/tags/0', 'برچسب‌ها نباید نویسهٔ کنترلی داشته باشد'],
    ['a right-to-left override in a name', { kind: 'person', name: 'invoice\u202Etxt.exe' }, '/name', 'نام باید یک سطر باشد، بی شکستن سطر و بی نویسه‌های کنترل جهت متن'],
    ['a first-strong isolate in a family name', { kind: 'person', name: 'x', familyName: '\u2068x\u2069' }, '/familyName', 'نام خانوادگی باید یک سطر باشد، بی شکستن سطر و بی نویسه‌های کنترل جهت متن'],
    ['a line break in a name', { kind: 'person', name: 'two\nlines' }, '/name', 'نام باید یک سطر باشد، بی شکستن سطر و بی نویسه‌های کنترل جهت متن'],
  ];
  for (const [what, payload, path, message] of cases) {
    const res = await post(payload);
    t.equal(res.statusCode, 400, what);
    t.same(res.json().errors, [{ path, message }], `${what}: the field named in Persian`);
  }
  const en = await post({ kind: 'person', name: 'a\ud800b' }, 'en');
  t.same(en.json().errors, [{ path: '/name', message: 'Name holds a broken character (an unpaired UTF-16 surrogate)' }], 'and in English');
  const lead = await p.call(owner, { method: 'POST', url: '/api/v1/sales/leads', payload: { name: 'x\u202Dy' }, headers: { 'accept-language': 'en' } });
  t.same(lead.json().errors, [{ path: '/name', message: 'Name must be one line, without line breaks or text-direction control characters' }], 'a plugin’s names follow the same rule');

  const persian = await post({ kind: 'person', name: 'می\u200Cدانم \u200Fعلی\u200E', addresses: [{ line1: 'خیابان\tیکم\r\nپلاک ۲' }] });
  t.equal(persian.statusCode, 201, 'ZWNJ, RLM and LRM in a name; tab and CRLF in an address');
  const nfd = await post({ kind: 'person', name: 'Jose\u0301 \u0627\u0653' });
  t.equal(nfd.statusCode, 201);
  t.equal(nfd.json().name, 'Jos\u00e9 \u0622', 'stored NFC');
  const count = (await p.call(owner, { method: 'GET', url: '/api/v1/customers?limit=200' })).json().items.length;
  t.ok(count >= 3, 'the refused bodies changed nothing else');
});

t.test('every field a request can carry has a label in en and fa', async (t) => {
  const doc = (await p.call(undefined, { method: 'GET', url: '/api/v1/openapi.json' })).json() as { paths: Record<string, Record<string, { parameters?: Array<{ name: string }>; requestBody?: { content: Record<string, { schema: unknown }> } }>> };
  const resources = loadLocaleResources();
  const missing = new Set<string>();
  const labelOf = (lng: string, ns: string, path: string[]) => {
    const fields = (resources[lng]?.[ns]?.fields ?? {}) as Record<string, string>;
    const core = (resources[lng]?.core?.fields ?? {}) as Record<string, string>;
    return fields[path.join('.')] ?? core[path.join('.')] ?? fields[path.at(-1)!] ?? core[path.at(-1)!];
  };
  const walk = (schema: unknown, at: string[], ns: string): void => {
    if (!schema || typeof schema !== 'object') return;
    const s = schema as Record<string, unknown>;
    for (const [name, child] of Object.entries((s.properties ?? {}) as Record<string, unknown>)) {
      for (const lng of ['en', 'fa']) if (!labelOf(lng, ns, [...at, name])) missing.add(`${lng} ${ns}:fields.${[...at, name].join('.')}`);
      walk(child, [...at, name], ns);
    }
    if (s.items) walk(s.items, at, ns);
    for (const k of ['anyOf', 'oneOf', 'allOf']) for (const sub of (s[k] ?? []) as unknown[]) walk(sub, at, ns);
  };
  for (const [path, operations] of Object.entries(doc.paths)) {
    const ns = /^\/api\/v1\/([a-z-]+)\//.exec(path)?.[1] === 'sales' ? 'sales' : 'core';
    for (const op of Object.values(operations)) {
      for (const { name } of op.parameters ?? []) for (const lng of ['en', 'fa']) if (!labelOf(lng, ns, [name])) missing.add(`${lng} ${ns}:fields.${name}`);
      for (const { schema } of Object.values(op.requestBody?.content ?? {})) walk(schema, [], ns);
    }
  }
  t.same([...missing], [], 'no validation message falls back to a raw key');
});
