/**
 * A plugin upgrade that declares a new permission grants it silently to no role the
 * tenant has stored: `GET /api/v1/roles/pending-permissions` lists it per custom role and
 * edited built-in role (suggested where the plugin would give it to that built-in), and
 * saving the role — with or without it — marks it reviewed. Two boots on one database:
 * the notes plugin at 1.0.0, then at 1.1.0 with `notes.note.export`.
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createPeyvand, type Peyvand } from '../../../core/index.js';
import { bootTestDeployment } from '../../../core/testing/index.js';
import { notesPlugin } from '../../fixtures/notes-plugin.js';

const secret = randomBytes(32).toString('base64url');
const v1 = notesPlugin();
// The description key is one core's locales have, so the localized text can be checked.
const v2 = { ...notesPlugin(), version: '1.1.0', permissions: [...(v1.permissions ?? []), { name: 'notes.note.export', description: 'core:permissions.customer_read', roles: ['owner', 'admin', 'agent'] as const }] };

const first = await bootTestDeployment({ peyvand: { plugins: [v1], secret } });
let second: Peyvand | undefined;
// The upgraded server closes before the deployment drops the database under it.
t.teardown(async () => {
  await second?.close();
  await first.close();
});
const tenant = await first.createTenant('acme', { plugins: ['notes'] });
const owner = await tenant.key('owner');
const put = async (call: typeof first.call, role: string, permissions: string[]) => {
  const res = await call(owner, { method: 'PUT', url: `/api/v1/roles/${role}`, payload: { permissions } });
  if (res.statusCode !== 200) throw new Error(`PUT role ${role}: ${res.statusCode} ${res.body}`);
};
const pending = async (call: typeof first.call, lang = 'en') => {
  const res = await call(owner, { method: 'GET', url: '/api/v1/roles/pending-permissions', headers: { 'accept-language': lang } });
  if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body}`);
  return (res.json() as { items: Array<{ role: string; builtIn: boolean; permissions: Array<{ name: string; plugin: string; description: string; suggested: boolean; since: string }> }> }).items;
};

let call: typeof first.call = first.call;

t.test('before the upgrade nothing is pending', async (t) => {
  await put(first.call, 'auditor', ['notes.note.read', 'core.customer.read']);
  await put(first.call, 'agent', ['notes.note.read', 'core.customer.read', 'core.me.read']);
  t.same(await pending(first.call), [], 'nothing is new on the deployment that declared everything the roles were saved against');
  await first.peyvand.close();
  // The upgrade: the same database, the plugin now declaring notes.note.export.
  const upgraded = await createPeyvand({ databaseUrl: first.databaseUrl, secret, adminKey: first.adminKey, logger: pino({ level: 'silent' }), dispatch: false, plugins: [v2] });
  second = upgraded;
  call = (token, o) => upgraded.app.inject({ ...o, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(o.headers ?? {}) } });
});

t.test('the new permission waits for an admin on every stored role', async (t) => {
  const items = await pending(call);
  t.same(items.map((r) => [r.role, r.builtIn, r.permissions.map((p) => [p.name, p.plugin, p.suggested])]), [
    ['agent', true, [['notes.note.export', 'notes', true]]],
    ['auditor', false, [['notes.note.export', 'notes', false]]],
  ], 'the edited agent role (suggested: the plugin gives it to agents) and the custom role; admin follows the defaults');
  t.equal(items[0]!.permissions[0]!.description, 'View customers', 'described in the reader’s language');
  t.equal((await pending(call, 'fa'))[0]!.permissions[0]!.description, 'دیدن مشتریان');
  t.ok(Date.parse(items[0]!.permissions[0]!.since) > 0, 'with when the deployment first saw it');

  const agentKey = await call(first.adminKey, { method: 'POST', url: '/api/v1/admin/tenants/acme/api-keys', payload: { name: 'agent', role: 'agent' } });
  const me = await call(agentKey.json().key as string, { method: 'GET', url: '/api/v1/me' });
  t.notOk((me.json().permissions as string[]).includes('notes.note.export'), 'not granted until approved');
  const roles = (await call(owner, { method: 'GET', url: '/api/v1/roles' })).json().items as Array<{ name: string; permissions: string[] }>;
  t.ok(roles.find((r) => r.name === 'admin')!.permissions.includes('notes.note.export'), 'a built-in role never edited takes the plugin’s defaults');
});

t.test('saving a role reviews what was pending for it', async (t) => {
  await put(call, 'agent', ['notes.note.read', 'notes.note.export', 'core.customer.read', 'core.me.read']);
  t.same((await pending(call)).map((r) => r.role), ['auditor'], 'approved for agent');
  await put(call, 'auditor', ['notes.note.read', 'core.customer.read']);
  t.same(await pending(call), [], 'declined for auditor by saving it without');
  const roles = (await call(owner, { method: 'GET', url: '/api/v1/roles' })).json().items as Array<{ name: string; permissions: string[] }>;
  t.notOk(roles.find((r) => r.name === 'auditor')!.permissions.includes('notes.note.export'));
  t.ok(roles.find((r) => r.name === 'agent')!.permissions.includes('notes.note.export'));
});

t.test('who may read it', async (t) => {
  const viewer = await call(first.adminKey, { method: 'POST', url: '/api/v1/admin/tenants/acme/api-keys', payload: { name: 'v', role: 'viewer' } });
  const res = await call(viewer.json().key as string, { method: 'GET', url: '/api/v1/roles/pending-permissions' });
  t.equal(res.statusCode, 403);
  t.match(res.headers['content-type'], /application\/problem\+json/);
  t.equal((await call(undefined, { method: 'GET', url: '/api/v1/roles/pending-permissions' })).statusCode, 401);
});
