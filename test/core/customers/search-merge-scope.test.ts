/**
 * Persian-aware search (the vectors of persian.md through the HTTP API), duplicate
 * detection, merge, the timeline, and record scope compiled into the query.
 */
import t from 'tap';
import { SignJWT } from 'jose';
import { bootPeyvand } from '../../helpers/peyvand.js';

const p = await bootPeyvand(t);
const acme = await p.tenant('acme', { locale: 'fa' });
const admin = await acme.key('admin');
const create = async (token: string, body: Record<string, unknown>) => {
  const res = await p.call(token, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', ...body } });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json() as { id: string; name: string; version: number };
};
const search = async (token: string, q: string): Promise<string[]> => {
  const res = await p.call(token, { method: 'GET', url: `/api/v1/customers?q=${encodeURIComponent(q)}` });
  if (res.statusCode !== 200) throw new Error(res.body);
  return res.json().items.map((c: { name: string }) => c.name).sort();
};

t.test('search is Persian-aware', async (t) => {
  await create(admin, { name: 'علي كريمي', phones: [{ value: '+98 912 345 6789' }] });
  await create(admin, { name: 'مریم می‌دانم' });
  await create(admin, { name: 'Zoë Müller', emails: [{ value: 'zoe@mueller.de' }] });
  await create(admin, { name: 'رضا ـــ تهرانی' });

  t.same(await search(admin, 'علی'), ['علي كريمي'], 'Persian yeh finds Arabic yeh');
  t.same(await search(admin, 'کریمی'), ['علي كريمي'], 'Persian kaf finds Arabic kaf');
  t.same(await search(admin, 'علی کر'), ['علي كريمي'], 'every word is a prefix');
  for (const phone of ['۰۹۱۲۳۴۵۶۷۸۹', '٠٩١٢٣٤٥٦٧٨٩', '0912 345 6789', '+98 912 345 6789', '۰۹۱۲']) {
    t.same(await search(admin, phone), ['علي كريمي'], `phone ${phone}`);
  }
  t.same(await search(admin, 'میدانم'), ['مریم می‌دانم'], 'ZWNJ removed');
  t.same(await search(admin, 'می دانم'), ['مریم می‌دانم'], 'space meets ZWNJ');
  t.same(await search(admin, 'zoe'), ['Zoë Müller'], 'accents stripped');
  t.same(await search(admin, 'MULLER'), ['Zoë Müller'], 'case folded');
  t.same(await search(admin, 'zoe@mueller'), ['Zoë Müller'], 'email');
  t.same(await search(admin, 'تهرانی'), ['رضا ـــ تهرانی'], 'tatweel ignored');
  t.same(await search(admin, 'نیست'), [], 'no false positives');
  t.same(await search(admin, '%'), [], 'punctuation alone matches nothing');
  t.same(await search(admin, `' OR 1=1 --`), [], 'SQL metacharacters are plain text');
  t.same(await search(admin, '"علی" NEAR*'), [], 'search syntax is plain text');
});

t.test('duplicates and merge', async (t) => {
  const a = await create(admin, { name: 'Hossein Rahimi', emails: [{ value: 'h.rahimi@example.com' }], phones: [{ value: '0935 111 2222' }], tags: ['lead'] });
  const b = await create(admin, { name: 'H. Rahimi', emails: [{ value: 'H.Rahimi@Example.com' }], tags: ['vip'], externalRefs: [{ source: 'erp', id: 'R-1' }] });
  const c = await create(admin, { name: 'Someone', phones: [{ value: '+98 935 111 2222' }] });
  const unrelated = await create(admin, { name: 'Unrelated' });
  await p.call(admin, { method: 'POST', url: `/api/v1/customers/${b.id}/timeline`, payload: { channel: 'phone', direction: 'inbound', summary: 'called about invoice' } });

  const dups = await p.call(admin, { method: 'GET', url: `/api/v1/customers/${a.id}/duplicates` });
  t.equal(dups.statusCode, 200);
  const found = dups.json().items.map((d: { customer: { id: string }; reasons: string[] }) => [d.customer.id, d.reasons]);
  t.same(found, [[b.id, ['email']], [c.id, ['phone']]], 'email and phone matches, strongest first, not the unrelated one');
  t.notOk(found.some(([id]: [string]) => id === unrelated.id));

  const merged = await p.call(admin, { method: 'POST', url: `/api/v1/customers/${a.id}/merge`, payload: { from: [b.id, c.id] } });
  t.equal(merged.statusCode, 200);
  const survivor = merged.json();
  t.equal(survivor.id, a.id);
  t.same(survivor.tags.sort(), ['lead', 'vip']);
  t.same(survivor.externalRefs, [{ source: 'erp', id: 'R-1' }], 'external refs move to the survivor');
  t.equal(survivor.emails.length, 1, 'same email once');
  t.equal(survivor.phones.length, 1, 'same number once, whatever the notation');
  t.equal((await p.call(admin, { method: 'GET', url: `/api/v1/customers/${b.id}` })).statusCode, 404, 'merged customers are gone');
  const timeline = (await p.call(admin, { method: 'GET', url: `/api/v1/customers/${a.id}/timeline` })).json();
  t.match(timeline.items, [{ summary: 'called about invoice', customerId: a.id }], 'timeline moved');
  const byRef = await p.call(admin, { method: 'PUT', url: '/api/v1/customers/by-ref/erp/R-1', payload: { kind: 'person', name: 'Hossein Rahimi' } });
  t.equal(byRef.json().id, a.id, 'the ERP ref now resolves to the survivor');

  const self = await p.call(admin, { method: 'POST', url: `/api/v1/customers/${a.id}/merge`, payload: { from: [a.id] } });
  t.equal(self.statusCode, 422);
  t.equal(self.json().code, 'MERGE_INVALID');
  const org = await create(admin, { kind: 'organization', name: 'Org' });
  const mixed = await p.call(admin, { method: 'POST', url: `/api/v1/customers/${a.id}/merge`, payload: { from: [org.id] } });
  t.equal(mixed.statusCode, 422, 'a person and an organization do not merge');
  t.equal((await p.call(admin, { method: 'GET', url: `/api/v1/customers/${org.id}` })).statusCode, 200, 'the refused merge changed nothing');

  const events = (await p.call(admin, { method: 'GET', url: '/api/v1/events?types=customer.merged' })).json();
  t.match(events.items, [{ type: 'customer.merged', data: { survivorId: a.id, mergedIds: [b.id, c.id] } }]);
});

t.test('timeline', async (t) => {
  const c = await create(admin, { name: 'Timeline' });
  for (const [i, channel] of ['email', 'sms', 'in_person'].entries()) {
    const res = await p.call(admin, { method: 'POST', url: `/api/v1/customers/${c.id}/timeline`, payload: { channel, summary: `s${i}`, occurredAt: `2026-0${i + 1}-01T10:00:00Z` } });
    t.equal(res.statusCode, 201);
  }
  const page1 = (await p.call(admin, { method: 'GET', url: `/api/v1/customers/${c.id}/timeline?limit=2` })).json();
  t.same(page1.items.map((e: { summary: string }) => e.summary), ['s2', 's1'], 'newest first');
  const page2 = (await p.call(admin, { method: 'GET', url: `/api/v1/customers/${c.id}/timeline?limit=2&cursor=${page1.nextCursor}` })).json();
  t.same(page2.items.map((e: { summary: string }) => e.summary), ['s0']);
  t.equal(page2.nextCursor, null);
  const bad = await p.call(admin, { method: 'POST', url: `/api/v1/customers/${c.id}/timeline`, payload: { channel: 'pigeon', summary: 'x' } });
  t.equal(bad.statusCode, 400);
  const replay = (await p.call(admin, { method: 'GET', url: '/api/v1/events?types=customer.timeline_added&limit=200' })).json();
  t.ok(replay.items.some((e: { data: { customerId: string } }) => e.data.customerId === c.id), 'customer.timeline_added emitted');
});

t.test('record scope: own, team, all — compiled into the query', async (t) => {
  const secret = 'embed-secret-that-is-long-enough-0123456789';
  t.equal((await p.admin({ method: 'PUT', url: '/api/v1/admin/tenants/acme/embed', payload: { hs256Secret: secret, algorithms: ['HS256'], allowedOrigins: ['https://erp.example'] } })).statusCode, 204);
  const token = (sub: string, roles: string[], teams: string[] = []) =>
    new SignJWT({ tid: 'acme', roles, teams }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setAudience('peyvand').setExpirationTime('5m').sign(new TextEncoder().encode(secret));
  const agentA = await token('user-a', ['agent'], ['north']);
  const agentB = await token('user-b', ['agent'], ['north']);
  const agentC = await token('user-c', ['agent'], ['south']);
  const manager = await token('user-m', ['manager'], ['north']);
  const viewer = await token('user-v', ['viewer']);

  const ofA = await create(agentA, { name: 'Scoped A' });
  await create(agentB, { name: 'Scoped B' });
  await create(agentC, { name: 'Scoped C' });
  t.equal((await p.call(agentA, { method: 'GET', url: `/api/v1/customers/${ofA.id}` })).statusCode, 200);
  t.equal((await p.call(agentB, { method: 'GET', url: `/api/v1/customers/${ofA.id}` })).statusCode, 404, 'an agent cannot read another agent’s customer');
  t.equal((await p.call(agentB, { method: 'PATCH', url: `/api/v1/customers/${ofA.id}`, payload: { name: 'x' } })).statusCode, 404, '…nor write it');
  t.same(await search(agentA, 'Scoped'), ['Scoped A'], 'lists and search respect own');
  t.same(await search(manager, 'Scoped'), ['Scoped A', 'Scoped B'], 'a manager sees the team');
  t.same(await search(viewer, 'Scoped'), ['Scoped A', 'Scoped B', 'Scoped C'], 'a viewer sees all');
  t.equal((await p.call(viewer, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: 'no' } })).statusCode, 403, 'but cannot write');

  const assign = await p.call(agentA, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: 'For B', ownerId: 'user-b' } });
  t.equal(assign.statusCode, 400, 'an agent cannot assign another owner');
  t.equal(assign.json().code, 'OWNER_NOT_ALLOWED');
  const byManager = await p.call(manager, { method: 'POST', url: '/api/v1/customers', payload: { kind: 'person', name: 'For B', ownerId: 'user-b' } });
  t.equal(byManager.statusCode, 201, 'a manager can');

  const narrowed = await p.call(admin, { method: 'PUT', url: '/api/v1/roles/viewer', payload: { permissions: ['core.me.read', 'core.customer.read'], scopes: { customer: 'own' } } });
  t.equal(narrowed.statusCode, 200);
  t.same(await search(viewer, 'Scoped'), [], 'a role edit takes effect on the next request');
  const me = (await p.call(viewer, { method: 'GET', url: '/api/v1/me' })).json();
  t.same(me.permissions, ['core.customer.read', 'core.me.read']);
});
