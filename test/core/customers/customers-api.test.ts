/**
 * The customer registry through HTTP, as an ERP integrator sees it: CRUD, validation
 * failures, optimistic locking, tenant isolation, idempotent create, upsert by ref,
 * custom fields, and the audit trail every write leaves.
 */
import t from 'tap';
import { bootPeyvand } from '../../helpers/peyvand.js';
import { assertWrittenEvents } from '../../helpers/event-schemas.js';
import { coreEventSchemas } from '../../../core/plugin/core-events.js';

const p = await bootPeyvand(t);
const acme = await p.tenant('acme', { locale: 'fa' });
const globex = await p.tenant('globex');
const admin = await acme.key('admin');
const other = await globex.key('admin');

const post = (token: string, payload: unknown, headers: Record<string, string> = {}) =>
  p.call(token, { method: 'POST', url: '/api/v1/customers', payload: payload as object, headers });

t.test('create, read, list, patch, delete', async (t) => {
  const created = await post(admin, { kind: 'person', name: 'Sara Ahmadi', emails: [{ value: 'sara@example.com', label: 'work' }], tags: ['vip', 'vip'] });
  t.equal(created.statusCode, 201);
  const c = created.json();
  t.match(c, { kind: 'person', name: 'Sara Ahmadi', emails: [{ value: 'sara@example.com', label: 'work' }], tags: ['vip'], version: 1, customFields: {}, externalRefs: [] });
  t.match(c.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/, 'ids are UUIDv7');
  t.equal(created.headers.etag, '"1"');
  t.match(String(created.headers.location), new RegExp(`/api/v1/customers/${c.id}$`));

  const read = await p.call(admin, { method: 'GET', url: `/api/v1/customers/${c.id}` });
  t.equal(read.statusCode, 200);
  t.equal(read.headers.etag, '"1"');
  t.same(read.json(), c);

  const patched = await p.call(admin, { method: 'PATCH', url: `/api/v1/customers/${c.id}`, payload: { givenName: 'Sara', customFields: { tier: 'gold' } }, headers: { 'if-match': '"1"' } });
  t.equal(patched.statusCode, 200);
  t.match(patched.json(), { givenName: 'Sara', customFields: { tier: 'gold' }, version: 2 });
  t.equal(patched.headers.etag, '"2"');

  const removed = await p.call(admin, { method: 'PATCH', url: `/api/v1/customers/${c.id}`, payload: { givenName: null, customFields: { tier: null } }, headers: { 'content-type': 'application/merge-patch+json' } });
  t.equal(removed.statusCode, 200, 'merge-patch content type is accepted');
  t.notOk('givenName' in removed.json(), 'null removes a field');
  t.same(removed.json().customFields, {});

  const unchanged = await p.call(admin, { method: 'PATCH', url: `/api/v1/customers/${c.id}`, payload: { name: 'Sara Ahmadi' } });
  t.equal(unchanged.json().version, 3, 'a patch that changes nothing does not bump the version');

  const del = await p.call(admin, { method: 'DELETE', url: `/api/v1/customers/${c.id}` });
  t.equal(del.statusCode, 204);
  const gone = await p.call(admin, { method: 'GET', url: `/api/v1/customers/${c.id}` });
  t.equal(gone.statusCode, 404);
  t.equal(gone.json().code, 'CUSTOMER_NOT_FOUND');
});

t.test('bad input is a localized 400 and changes nothing', async (t) => {
  const before = (await p.call(admin, { method: 'GET', url: '/api/v1/customers?limit=200' })).json().items.length;
  const unknown = await post(admin, { kind: 'person', name: 'X', bogus: true }, { 'accept-language': 'fa-IR,fa;q=0.9' });
  t.equal(unknown.statusCode, 400);
  t.match(unknown.headers['content-type'], /^application\/problem\+json/);
  t.match(unknown.json(), { code: 'VALIDATION_FAILED', status: 400, title: 'درخواست نامعتبر است', errors: [{ path: '/bogus', message: '«bogus» فیلد مجازی نیست' }] });
  t.type(unknown.json().requestId, 'string');

  const readOnly = await post(admin, { kind: 'person', name: 'X', id: '01900000-0000-7000-8000-000000000000' });
  t.equal(readOnly.statusCode, 400, 'read-only id is refused');
  t.match(readOnly.json().errors, [{ path: '/id' }]);
  for (const field of ['version', 'createdAt', 'tenantId']) {
    const res = await post(admin, { kind: 'person', name: 'X', [field]: 1 });
    t.equal(res.statusCode, 400, `${field} is refused`);
  }

  const wrongType = await post(admin, { kind: 'robot', name: 42 }, { 'accept-language': 'en' });
  t.equal(wrongType.statusCode, 400);
  t.equal(wrongType.json().title, 'Invalid request');

  const missing = await post(admin, { kind: 'person' });
  t.match(missing.json().errors, [{ path: '/name' }]);

  const malformed = await p.call(admin, { method: 'POST', url: '/api/v1/customers', payload: '{"kind":', headers: { 'content-type': 'application/json' } });
  t.equal(malformed.statusCode, 400);
  t.equal(malformed.json().code, 'VALIDATION_FAILED');

  const badLimit = await p.call(admin, { method: 'GET', url: '/api/v1/customers?limit=201' });
  t.equal(badLimit.statusCode, 400, 'page size over the limit');
  const badCursor = await p.call(admin, { method: 'GET', url: '/api/v1/customers?cursor=nonsense' });
  t.equal(badCursor.statusCode, 400);
  t.equal(badCursor.json().code, 'BAD_CURSOR');

  const after = (await p.call(admin, { method: 'GET', url: '/api/v1/customers?limit=200' })).json().items.length;
  t.equal(after, before, 'no customer was created by the refused requests');
});

t.test('If-Match guards against lost updates', async (t) => {
  const c = (await post(admin, { kind: 'person', name: 'Lost Update' })).json();
  await p.call(admin, { method: 'PATCH', url: `/api/v1/customers/${c.id}`, payload: { tags: ['a'] } });
  const stale = await p.call(admin, { method: 'PATCH', url: `/api/v1/customers/${c.id}`, payload: { tags: ['b'] }, headers: { 'if-match': '"1"' } });
  t.equal(stale.statusCode, 412);
  t.equal(stale.json().code, 'PRECONDITION_FAILED');
  const now = (await p.call(admin, { method: 'GET', url: `/api/v1/customers/${c.id}` })).json();
  t.same(now.tags, ['a'], 'the stale write changed nothing');
  const garbage = await p.call(admin, { method: 'PATCH', url: `/api/v1/customers/${c.id}`, payload: { tags: ['b'] }, headers: { 'if-match': 'yesterday' } });
  t.equal(garbage.statusCode, 412);
});

t.test('another tenant’s customer is a 404, exactly like a missing one', async (t) => {
  const mine = (await post(admin, { kind: 'person', name: 'Private' })).json();
  for (const [method, url, payload] of [
    ['GET', `/api/v1/customers/${mine.id}`],
    ['PATCH', `/api/v1/customers/${mine.id}`, { name: 'hijack' }],
    ['DELETE', `/api/v1/customers/${mine.id}`],
    ['GET', `/api/v1/customers/${mine.id}/timeline`],
    ['POST', `/api/v1/customers/${mine.id}/timeline`, { channel: 'note', summary: 'x' }],
    ['GET', `/api/v1/customers/${mine.id}/duplicates`],
  ] as const) {
    const res = await p.call(other, { method, url, ...(payload ? { payload } : {}) });
    const missing = await p.call(other, { method, url: url.replace(mine.id, '01900000-0000-7000-8000-000000000000'), ...(payload ? { payload } : {}) });
    t.equal(res.statusCode, 404, `${method} ${url}`);
    t.equal(res.json().code, missing.json().code, 'same code as a missing id');
  }
  const list = (await p.call(other, { method: 'GET', url: '/api/v1/customers?q=Private' })).json();
  t.same(list.items, [], 'not in the other tenant’s search');
  const still = (await p.call(admin, { method: 'GET', url: `/api/v1/customers/${mine.id}` })).json();
  t.equal(still.name, 'Private', 'unchanged');
});

t.test('Idempotency-Key: a retried POST returns the first response', async (t) => {
  const body = { kind: 'organization', name: 'Retry Co' };
  const first = await post(admin, body, { 'idempotency-key': 'order-77' });
  const again = await post(admin, body, { 'idempotency-key': 'order-77' });
  t.equal(first.statusCode, 201);
  t.equal(again.statusCode, 201);
  t.equal(again.json().id, first.json().id, 'same customer');
  t.equal(again.headers['idempotency-replayed'], 'true');
  const list = (await p.call(admin, { method: 'GET', url: `/api/v1/customers?q=${encodeURIComponent('Retry Co')}` })).json();
  t.equal(list.items.length, 1, 'created once');
  const reused = await post(admin, { ...body, name: 'Other' }, { 'idempotency-key': 'order-77' });
  t.equal(reused.statusCode, 422);
  t.equal(reused.json().code, 'IDEMPOTENCY_KEY_REUSED');
  const otherCaller = await post(other, body, { 'idempotency-key': 'order-77' });
  t.not(otherCaller.json().id, first.json().id, 'keys are per tenant and caller');
});

t.test('upsert by external ref is idempotent', async (t) => {
  const url = '/api/v1/customers/by-ref/erp/C-1001';
  const body = { kind: 'organization', name: 'شرکت پارس', phones: [{ value: '021 8888 0000' }] };
  const created = await p.call(admin, { method: 'PUT', url, payload: body });
  t.equal(created.statusCode, 201);
  t.same(created.json().externalRefs, [{ source: 'erp', id: 'C-1001' }]);
  const same = await p.call(admin, { method: 'PUT', url, payload: body });
  t.equal(same.statusCode, 200);
  t.equal(same.json().id, created.json().id);
  t.equal(same.json().version, 1, 'an unchanged re-sync does not bump the version');
  const changed = await p.call(admin, { method: 'PUT', url, payload: { ...body, name: 'شرکت پارس نو' } });
  t.equal(changed.statusCode, 200);
  t.equal(changed.json().version, 2);
  const theirs = await p.call(other, { method: 'PUT', url, payload: body });
  t.equal(theirs.statusCode, 201, 'the same ref in another tenant is another customer');
  const taken = await post(admin, { kind: 'person', name: 'Dup ref', externalRefs: [{ source: 'erp', id: 'C-1001' }] });
  t.equal(taken.statusCode, 409);
  t.equal(taken.json().code, 'EXTERNAL_REF_TAKEN');
  const badSource = await p.call(admin, { method: 'PUT', url: '/api/v1/customers/by-ref/ERP%20X/1', payload: body });
  t.equal(badSource.statusCode, 400);
});

t.test('custom fields are validated against the tenant schema', async (t) => {
  const schema = { type: 'object', properties: { nationalId: { type: 'string', pattern: '^[0-9]{10}$' }, credit: { type: 'integer', minimum: 0 } }, additionalProperties: false };
  const set = await p.call(admin, { method: 'PUT', url: '/api/v1/settings/custom-fields', payload: { schema } });
  t.equal(set.statusCode, 200);
  const bad = await post(admin, { kind: 'person', name: 'CF', customFields: { nationalId: 'abc', credit: -1 } }, { 'accept-language': 'en' });
  t.equal(bad.statusCode, 422);
  t.equal(bad.json().code, 'CUSTOM_FIELDS_INVALID');
  t.ok(bad.json().errors.some((e: { path: string }) => e.path === '/customFields/nationalId'));
  const good = await post(admin, { kind: 'person', name: 'CF', customFields: { nationalId: '0499370899', credit: 5 } });
  t.equal(good.statusCode, 201);
  const otherTenant = await post(other, { kind: 'person', name: 'CF', customFields: { anything: true } });
  t.equal(otherTenant.statusCode, 201, 'the schema is per tenant');
  const notSchema = await p.call(admin, { method: 'PUT', url: '/api/v1/settings/custom-fields', payload: { schema: { type: 'object', properties: { x: { type: 'nonsense' } } } } });
  t.equal(notSchema.statusCode, 400, 'an invalid schema is refused');
  await p.call(admin, { method: 'PUT', url: '/api/v1/settings/custom-fields', payload: { schema: { type: 'object' } } });
});

t.test('organizations and their contacts', async (t) => {
  const org = (await post(admin, { kind: 'organization', name: 'Contoso' })).json();
  const person = await post(admin, { kind: 'person', name: 'Contact', organizationId: org.id });
  t.equal(person.statusCode, 201);
  t.equal(person.json().organizationId, org.id);
  const contacts = (await p.call(admin, { method: 'GET', url: `/api/v1/customers?organizationId=${org.id}` })).json();
  t.same(contacts.items.map((c: { id: string }) => c.id), [person.json().id], 'contacts of the organization');
  const notOrg = await post(admin, { kind: 'person', name: 'Contact', organizationId: person.json().id });
  t.equal(notOrg.statusCode, 422);
  t.equal(notOrg.json().code, 'ORGANIZATION_INVALID');
  const theirOrg = (await post(other, { kind: 'organization', name: 'Theirs' })).json();
  const crossTenant = await post(admin, { kind: 'person', name: 'Contact', organizationId: theirOrg.id });
  t.equal(crossTenant.statusCode, 422, 'cannot attach to another tenant’s organization');
});

t.test('cursor pagination walks every customer once, newest first', async (t) => {
  const fresh = await p.tenant('paging');
  const key = await fresh.key('admin');
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) ids.push((await post(key, { kind: 'person', name: `P${i}`, tags: i % 2 ? ['odd'] : [] })).json().id);
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: Array<{ id: string }>; nextCursor: string | null } = (await p.call(key, { method: 'GET', url: `/api/v1/customers?limit=3${cursor ? `&cursor=${cursor}` : ''}` })).json();
    t.ok(page.items.length <= 3);
    seen.push(...page.items.map((c) => c.id));
    cursor = page.nextCursor;
  } while (cursor);
  t.same(seen, [...ids].reverse());
  const odd = (await p.call(key, { method: 'GET', url: '/api/v1/customers?tag=odd' })).json();
  t.equal(odd.items.length, 3);
});

t.test('every write leaves an audit entry with before and after', async (t) => {
  const c = (await post(admin, { kind: 'person', name: 'Audited' })).json();
  await p.call(admin, { method: 'PATCH', url: `/api/v1/customers/${c.id}`, payload: { name: 'Audited 2' } });
  const log = await p.call(admin, { method: 'GET', url: `/api/v1/audit?entityType=customer&entityId=${c.id}` });
  t.equal(log.statusCode, 200);
  const [update, create] = log.json().items;
  t.match(update, { action: 'customer.update', actorKind: 'api_key', before: { name: 'Audited' }, after: { name: 'Audited 2' } });
  t.match(create, { action: 'customer.create', before: null, after: { name: 'Audited' } });
  t.type(update.requestId, 'string');
  const agent = await acme.key('agent');
  const denied = await p.call(agent, { method: 'GET', url: '/api/v1/audit' });
  t.equal(denied.statusCode, 403);
});

t.test('the customer events written above carry exactly what their data schemas say', async (t) => {
  const reader = { admin, call: (token: string | undefined, method: 'GET', url: string) => p.call(token, { method, url }) };
  await assertWrittenEvents(t, reader, 'customer.*', coreEventSchemas, ['customer.created', 'customer.updated', 'customer.deleted']);
});
