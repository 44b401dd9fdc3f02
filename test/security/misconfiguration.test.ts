/**
 * Security misconfiguration (OWASP API8), over every operation of the OpenAPI document:
 * each answer, success or error, carries the security headers and a request id and no
 * server banner; errors are problem+json (or, where the document says so, a page for
 * people); and browser calls (an `Origin` header) are
 * served only from origins the caller's tenant allowed — on every tenant route, preflight
 * included.
 */
import t from 'tap';
import { bootWorld } from './lib/world.js';
import { placeholderUrl, type Operation } from './lib/openapi.js';

const w = await bootWorld(t);
const owner = w.actors.find((a) => a.label === 'acme/key:owner')!;
// Portal routes are walked as acme's customer principal (staff get 403 there).
const tokenFor = (op: Operation) => w.tokenFor(op, owner.token);
const request = (op: Operation, headers: Record<string, string> = {}) => w.send(tokenFor(op), { method: op.method, url: placeholderUrl(op), headers, ...(['POST', 'PUT', 'PATCH'].includes(op.method) ? { payload: {} } : {}) });
const HEADERS: Record<string, RegExp> = {
  'x-content-type-options': /^nosniff$/,
  'content-security-policy': /default-src 'self'/,
  'strict-transport-security': /max-age=\d+/,
  'x-frame-options': /^SAMEORIGIN$/,
  'referrer-policy': /no-referrer/,
  'x-request-id': /^[A-Za-z0-9._-]{1,64}$/,
};

t.test('every answer carries the security headers and no banner; errors are problem+json', async (t) => {
  let checked = 0;
  for (const op of w.operations) {
    for (const res of [await request(op), await w.send(undefined, { method: op.method, url: placeholderUrl(op) })]) {
      const missing = Object.entries(HEADERS).filter(([name, re]) => !re.test(String(res.headers[name] ?? ''))).map(([name]) => name);
      t.same(missing, [], `${op.label} → ${res.statusCode}: security headers`);
      t.notOk(res.headers['x-powered-by'] ?? res.headers.server, 'no server banner');
      // A page for people (documented as text/html for that status) answers its errors as a page.
      const page = op.htmlErrors.includes(String(res.statusCode));
      if (res.statusCode >= 400) t.match(String(res.headers['content-type']), page ? /^(text\/html|application\/problem\+json)/ : /^application\/problem\+json/, page ? 'a problem+json error, or a page where documented' : 'a problem+json error');
      checked++;
    }
  }
  t.ok(checked >= 2 * w.operations.length, `${checked} answers checked`);
});

t.test('browser calls from an origin the tenant did not allow are refused on every tenant route', async (t) => {
  const tenantRoutes = w.operations.filter((op) => !op.admin && !op.public);
  for (const op of tenantRoutes) {
    const evil = await request(op, { origin: 'https://evil.example' });
    t.equal(evil.statusCode, 403, `${op.label} from https://evil.example`);
    t.equal(evil.json().code, 'ORIGIN_NOT_ALLOWED');
    t.notOk(evil.headers['access-control-allow-origin'], 'and no CORS grant');
    const allowed = await request(op, { origin: 'https://erp.example' });
    t.not(allowed.body ? allowed.json().code : undefined, 'ORIGIN_NOT_ALLOWED', `${op.label} from the tenant’s own origin is not refused for it`);
    if (allowed.statusCode < 400) t.equal(allowed.headers['access-control-allow-origin'], 'https://erp.example', 'and is granted to that origin only');
  }
  const preflight = (origin: string) => w.send(undefined, { method: 'OPTIONS', url: '/api/v1/customers', headers: { origin, 'access-control-request-method': 'POST' } });
  t.notOk((await preflight('https://evil.example')).headers['access-control-allow-origin'], 'a preflight from an unknown origin is granted nothing');
  t.equal((await preflight('https://erp.example')).headers['access-control-allow-origin'], 'https://erp.example', 'a tenant’s origin passes preflight');
});
