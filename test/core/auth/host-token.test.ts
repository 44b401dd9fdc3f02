import t, { type Test } from 'tap';
import Fastify from 'fastify';
import { CompactSign, SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';
import { PeyvandError } from '../../../core/plugin/errors.js';
import {
  createHostTokenVerifier,
  peekTenantSlug,
  validateEmbedConfig,
  type EmbedConfig,
} from '../../../core/auth/host-token.js';

const HS_SECRET = 'tenant-acme-embed-secret-0123456789abcdef';
const ORIGINS = ['https://erp.example.com'];
const hsConfig: EmbedConfig = { hs256Secret: HS_SECRET, algorithms: ['HS256'], allowedOrigins: ORIGINS };
const nowSec = (): number => Math.floor(Date.now() / 1000);
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

type SignOpts = { alg?: string; kid?: string; key?: CryptoKey | Uint8Array; aud?: string | null; sub?: string | null; exp?: number };
function sign(claims: JWTPayload, opts: SignOpts = {}): Promise<string> {
  const jwt = new SignJWT({ tid: 'acme', roles: ['sales'], ...claims })
    .setProtectedHeader({ alg: opts.alg ?? 'HS256', ...(opts.kid ? { kid: opts.kid } : {}) })
    .setExpirationTime(opts.exp ?? nowSec() + 300);
  if (opts.aud !== null) jwt.setAudience(opts.aud ?? 'peyvand');
  if (opts.sub !== null) jwt.setSubject(opts.sub ?? 'user-1');
  return jwt.sign(opts.key ?? new TextEncoder().encode(HS_SECRET));
}

/** Asserts the promise rejects with INVALID_CREDENTIAL and the given reason, without leaking the token. */
async function rejectsWith(t: Test, p: Promise<unknown>, reason: string, token?: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof PeyvandError)) {
    t.fail(`expected PeyvandError(${reason}), got ${String(err)}`);
    return;
  }
  t.equal(err.code, 'INVALID_CREDENTIAL');
  t.equal(err.params.reason, reason, `reason is ${reason}`);
  if (token) t.notOk(err.message.includes(token) || JSON.stringify(err.params).includes(token), 'token not leaked');
}

t.test('HS256', async (t) => {
  const verifier = createHostTokenVerifier();

  t.test('valid token yields its claims', async (t) => {
    const token = await sign({ teams: ['t1'], name: 'سارا' });
    const claims = await verifier.verify(token, hsConfig, 'acme');
    t.same(claims, { sub: 'user-1', tid: 'acme', roles: ['sales'], teams: ['t1'], name: 'سارا', exp: claims.exp });
    t.type(claims.exp, 'number');
  });

  t.test('roles and teams default to empty arrays', async (t) => {
    const token = await sign({ roles: undefined });
    const claims = await verifier.verify(token, hsConfig, 'acme');
    t.same(claims.roles, []);
    t.same(claims.teams, []);
    t.notOk('name' in claims, 'no name claim, no name key');
  });

  t.test('expiry and clock tolerance', async (t) => {
    const expired = await sign({}, { exp: nowSec() - 60 });
    await rejectsWith(t, verifier.verify(expired, hsConfig, 'acme'), 'expired', expired);
    const withinTolerance = await sign({}, { exp: nowSec() - 10 });
    t.equal((await verifier.verify(withinTolerance, hsConfig, 'acme')).sub, 'user-1');
    const strict = createHostTokenVerifier({ clockToleranceSeconds: 0 });
    await rejectsWith(t, strict.verify(withinTolerance, hsConfig, 'acme'), 'expired');
  });

  t.test('audience', async (t) => {
    await rejectsWith(t, verifier.verify(await sign({}, { aud: 'other-service' }), hsConfig, 'acme'), 'audience');
    await rejectsWith(t, verifier.verify(await sign({}, { aud: null }), hsConfig, 'acme'), 'audience');
  });

  t.test('wrong secret', async (t) => {
    const token = await sign({}, { key: new TextEncoder().encode('another-secret-that-is-long-enough-000') });
    await rejectsWith(t, verifier.verify(token, hsConfig, 'acme'), 'signature', token);
  });

  t.test('alg none is rejected, even if the config lists it', async (t) => {
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'admin', tid: 'acme', roles: ['admin'], aud: 'peyvand', exp: nowSec() + 300 })}.`;
    await rejectsWith(t, verifier.verify(token, hsConfig, 'acme'), 'algorithm', token);
    await rejectsWith(t, verifier.verify(token, { ...hsConfig, algorithms: ['none', 'HS256'] }, 'acme'), 'algorithm');
    await rejectsWith(t, verifier.verify(token, { ...hsConfig, algorithms: ['none'] }, 'acme'), 'algorithm');
  });

  t.test('a config that slipped past validation fails closed', async (t) => {
    const token = await sign({}, { key: new TextEncoder().encode('short') });
    await rejectsWith(t, verifier.verify(token, { ...hsConfig, hs256Secret: 'short' }, 'acme'), 'algorithm');
    await rejectsWith(t, verifier.verify(await sign({}), { ...hsConfig, algorithms: ['HS512'] }, 'acme'), 'algorithm');
  });

  t.test('tenant mismatch', async (t) => {
    await rejectsWith(t, verifier.verify(await sign({ tid: 'other' }), hsConfig, 'acme'), 'tenant');
  });

  t.test('claim types', async (t) => {
    await rejectsWith(t, verifier.verify(await sign({ roles: 'admin' }), hsConfig, 'acme'), 'claims');
    await rejectsWith(t, verifier.verify(await sign({ roles: ['admin', 1] }), hsConfig, 'acme'), 'claims');
    await rejectsWith(t, verifier.verify(await sign({ teams: 't1' }), hsConfig, 'acme'), 'claims');
    await rejectsWith(t, verifier.verify(await sign({ name: 42 }), hsConfig, 'acme'), 'claims');
    await rejectsWith(t, verifier.verify(await sign({ tid: 7 }), hsConfig, 'acme'), 'claims');
    await rejectsWith(t, verifier.verify(await sign({ tid: undefined }), hsConfig, 'acme'), 'claims');
    await rejectsWith(t, verifier.verify(await sign({}, { sub: null }), hsConfig, 'acme'), 'claims');
  });

  t.test('malformed tokens', async (t) => {
    for (const junk of ['', 'abc', 'a.b.c', 'pvk_0123456789ab_x', 'x'.repeat(20_000)]) {
      await rejectsWith(t, verifier.verify(junk, hsConfig, 'acme'), 'malformed');
    }
    // A validly signed JWS whose payload is not a JSON object: the signature is checked
    // first (an unsigned junk payload fails as `signature`), then parsing fails.
    const notJson = await new CompactSign(new TextEncoder().encode('not json'))
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(HS_SECRET));
    await rejectsWith(t, verifier.verify(notJson, hsConfig, 'acme'), 'malformed');
    const forged = `${b64({ alg: 'HS256' })}.bm90IGpzb24.c2ln`;
    await rejectsWith(t, verifier.verify(forged, hsConfig, 'acme'), 'signature');
  });
});

t.test('peekTenantSlug reads tid without verifying', async (t) => {
  t.equal(peekTenantSlug(await sign({})), 'acme');
  t.equal(peekTenantSlug(await sign({ tid: 'beta' }, { key: new TextEncoder().encode('unverified-key-unverified-key-000') })), 'beta');
  t.equal(peekTenantSlug(await sign({ tid: 7 })), null);
  t.equal(peekTenantSlug(await sign({ tid: '' })), null);
  for (const junk of ['', 'garbage', 'a.b.c', 'a.b', `${b64({ alg: 'none' })}.${b64([1])}.`]) t.equal(peekTenantSlug(junk), null, junk);
});

t.test('asymmetric algorithms via a JWKS served over HTTP', async (t) => {
  const rsa = await generateKeyPair('RS256');
  const ed = await generateKeyPair('EdDSA');
  const es = await generateKeyPair('ES256');
  const otherRsa = await generateKeyPair('RS256');
  const pub = async (key: CryptoKey, kid: string, alg: string): Promise<JWK> => ({ ...(await exportJWK(key)), kid, alg, use: 'sig' });
  const jwks = { keys: [await pub(rsa.publicKey, 'rsa-1', 'RS256'), await pub(ed.publicKey, 'ed-1', 'EdDSA'), await pub(es.publicKey, 'es-1', 'ES256')] };

  let hits = 0;
  const server = Fastify();
  server.get('/jwks.json', async () => {
    hits++;
    return jwks;
  });
  server.get('/slow.json', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    return jwks;
  });
  server.get('/broken.json', async (_req, reply) => reply.code(500).send({ error: 'boom' }));
  // listen() resolves to the bound address, e.g. http://127.0.0.1:41234
  const base = await server.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => server.close());
  const config: EmbedConfig = { jwksUrl: `${base}/jwks.json`, algorithms: ['RS256', 'EdDSA', 'ES256'], allowedOrigins: ORIGINS };
  t.same(validateEmbedConfig(config), [], 'loopback http JWKS is a valid config');
  const verifier = createHostTokenVerifier();

  t.test('RS256, EdDSA and ES256 tokens verify', async (t) => {
    for (const [alg, key, kid] of [['RS256', rsa.privateKey, 'rsa-1'], ['EdDSA', ed.privateKey, 'ed-1'], ['ES256', es.privateKey, 'es-1']] as const) {
      const claims = await verifier.verify(await sign({}, { alg, key, kid }), config, 'acme');
      t.equal(claims.sub, 'user-1', alg);
    }
  });

  t.test('key sets are cached per URL inside the verifier', async (t) => {
    const fresh = createHostTokenVerifier();
    const before = hits;
    await fresh.verify(await sign({}, { alg: 'RS256', key: rsa.privateKey, kid: 'rsa-1' }), config, 'acme');
    await fresh.verify(await sign({}, { alg: 'EdDSA', key: ed.privateKey, kid: 'ed-1' }), config, 'acme');
    t.equal(hits - before, 1);
  });

  t.test('pinning: an algorithm outside the config is rejected', async (t) => {
    const rsOnly: EmbedConfig = { ...config, algorithms: ['RS256'], hs256Secret: HS_SECRET };
    await rejectsWith(t, verifier.verify(await sign({}), rsOnly, 'acme'), 'algorithm');
    await rejectsWith(t, verifier.verify(await sign({}, { alg: 'EdDSA', key: ed.privateKey, kid: 'ed-1' }), rsOnly, 'acme'), 'algorithm');
    // Classic confusion: HS256 keyed with the host's public key, which is public knowledge.
    const pem = new TextEncoder().encode(await exportSPKI(rsa.publicKey));
    await rejectsWith(t, verifier.verify(await sign({}, { key: pem, kid: 'rsa-1' }), rsOnly, 'acme'), 'algorithm');
  });

  t.test('mixed HS256 and RS256 config uses the right key for each', async (t) => {
    const mixed: EmbedConfig = { ...config, algorithms: ['HS256', 'RS256'], hs256Secret: HS_SECRET };
    t.same(validateEmbedConfig(mixed), []);
    t.equal((await verifier.verify(await sign({}), mixed, 'acme')).sub, 'user-1');
    t.equal((await verifier.verify(await sign({}, { alg: 'RS256', key: rsa.privateKey, kid: 'rsa-1' }), mixed, 'acme')).sub, 'user-1');
    const pem = new TextEncoder().encode(await exportSPKI(rsa.publicKey));
    await rejectsWith(t, verifier.verify(await sign({}, { key: pem }), mixed, 'acme'), 'signature');
  });

  t.test('wrong key or unknown kid', async (t) => {
    await rejectsWith(t, verifier.verify(await sign({}, { alg: 'RS256', key: otherRsa.privateKey, kid: 'rsa-1' }), config, 'acme'), 'signature');
    await rejectsWith(t, verifier.verify(await sign({}, { alg: 'RS256', key: otherRsa.privateKey, kid: 'nope' }), config, 'acme'), 'signature');
  });

  t.test('tenant and claims are still checked', async (t) => {
    await rejectsWith(t, verifier.verify(await sign({ tid: 'beta' }, { alg: 'RS256', key: rsa.privateKey, kid: 'rsa-1' }), config, 'acme'), 'tenant');
    await rejectsWith(t, verifier.verify(await sign({ roles: {} }, { alg: 'EdDSA', key: ed.privateKey, kid: 'ed-1' }), config, 'acme'), 'claims');
  });

  t.test('JWKS unavailable', async (t) => {
    const down = Fastify();
    const downUrl = `${await down.listen({ host: '127.0.0.1', port: 0 })}/jwks.json`;
    await down.close();
    const token = await sign({}, { alg: 'RS256', key: rsa.privateKey, kid: 'rsa-1' });
    await rejectsWith(t, verifier.verify(token, { ...config, jwksUrl: downUrl }, 'acme'), 'jwks_unavailable', token);
    await rejectsWith(t, verifier.verify(token, { ...config, jwksUrl: `${base}/broken.json` }, 'acme'), 'jwks_unavailable');
    const impatient = createHostTokenVerifier({ fetchTimeoutMs: 200 });
    await rejectsWith(t, impatient.verify(token, { ...config, jwksUrl: `${base}/slow.json` }, 'acme'), 'jwks_unavailable');
  });
});

t.test('validateEmbedConfig', async (t) => {
  const rs: EmbedConfig = { jwksUrl: 'https://erp.example.com/.well-known/jwks.json', algorithms: ['RS256'], allowedOrigins: ORIGINS };
  t.same(validateEmbedConfig(hsConfig), []);
  t.same(validateEmbedConfig(rs), []);
  t.same(validateEmbedConfig({ ...rs, hs256Secret: HS_SECRET, algorithms: ['HS256', 'RS256', 'ES256', 'EdDSA'] }), []);

  const problems = (c: EmbedConfig): string => validateEmbedConfig(c).join(' | ');
  t.match(problems({ ...hsConfig, algorithms: ['none'] }), /"none" is not allowed/);
  t.match(problems({ ...hsConfig, algorithms: ['HS256', 'NONE'] }), /"none" is not allowed/);
  t.match(problems({ ...hsConfig, algorithms: ['HS512'] }), /"HS512" is not allowed/);
  t.match(problems({ ...hsConfig, algorithms: [] }), /at least one/);
  t.match(problems({ algorithms: ['HS256'], allowedOrigins: ORIGINS }), /HS256 needs hs256Secret/);
  t.match(problems({ ...hsConfig, hs256Secret: 'x'.repeat(31) }), /at least 32 bytes/);
  t.same(validateEmbedConfig({ ...hsConfig, hs256Secret: 'ب'.repeat(16) }), [], '32 bytes of UTF-8 is enough');
  t.match(problems({ algorithms: ['RS256', 'EdDSA'], allowedOrigins: ORIGINS }), /RS256, EdDSA need jwksUrl/);
  t.match(problems({ ...hsConfig, algorithms: ['HS256', 'RS256'] }), /RS256 needs jwksUrl/, 'mixing needs both sources');
  t.match(problems({ ...rs, algorithms: ['HS256', 'RS256'] }), /HS256 needs hs256Secret/, 'mixing needs both sources');
  t.match(problems({ ...rs, jwksUrl: 'http://erp.example.com/jwks.json' }), /must use https/);
  t.match(problems({ ...rs, jwksUrl: 'not a url' }), /not a valid URL/);
  t.match(problems({ ...rs, jwksUrl: 'ftp://127.0.0.1/jwks.json' }), /must use https/);
  for (const url of ['http://127.0.0.1:8080/jwks.json', 'http://localhost/jwks.json', 'http://[::1]:3000/jwks.json']) {
    t.same(validateEmbedConfig({ ...rs, jwksUrl: url }), [], url);
  }
  t.match(problems({ ...hsConfig, allowedOrigins: ['https://erp.example.com/'] }), /bare origin/);
  t.match(problems({ ...hsConfig, allowedOrigins: ['*'] }), /bare origin/);
});
