import t from 'tap';
import { generateApiKey, hashApiKeySecret, parseApiKey, verifyApiKeySecret } from '../../../core/auth/api-keys.js';

t.test('generated key has the documented shape and round-trips', async (t) => {
  const key = generateApiKey();
  t.match(key.keyId, /^[0-9a-f]{12}$/);
  t.match(key.secret, /^[A-Za-z0-9_-]{43}$/);
  t.equal(key.token, `pvk_${key.keyId}_${key.secret}`);
  t.match(key.hash, /^[0-9a-f]{64}$/);
  t.equal(key.hash, hashApiKeySecret(key.secret));
  t.not(key.hash, key.secret, 'the secret is not stored as is');

  const parsed = parseApiKey(key.token);
  t.same(parsed, { keyId: key.keyId, secret: key.secret });
  t.equal(verifyApiKeySecret(parsed?.secret ?? '', key.hash), true);
});

t.test('wrong secret is refused', async (t) => {
  const a = generateApiKey();
  const b = generateApiKey();
  t.equal(verifyApiKeySecret(b.secret, a.hash), false);
  t.equal(verifyApiKeySecret(a.secret.slice(0, -1), a.hash), false, 'truncated secret');
  t.equal(verifyApiKeySecret('', a.hash), false, 'empty secret');
  t.equal(verifyApiKeySecret(a.secret, a.hash.toUpperCase()), false, 'stored hash must be canonical hex');
  t.equal(verifyApiKeySecret(a.secret, a.hash.slice(0, 32)), false, 'short stored hash');
  t.equal(verifyApiKeySecret(a.secret, ''), false, 'empty stored hash');
});

t.test('malformed tokens are rejected', async (t) => {
  const { keyId, secret, token } = generateApiKey();
  const cases: Record<string, string> = {
    'empty': '',
    'missing prefix': `${keyId}_${secret}`,
    'wrong prefix': `pvx_${keyId}_${secret}`,
    'uppercase prefix': `PVK_${keyId}_${secret}`,
    'key id too short': `pvk_${keyId.slice(1)}_${secret}`,
    'key id too long': `pvk_${keyId}a_${secret}`,
    'key id not hex': `pvk_${keyId.slice(1)}z_${secret}`,
    'key id uppercase': `pvk_ABCDEF012345_${secret}`,
    'secret too short': `pvk_${keyId}_${secret.slice(1)}`,
    'secret too long': `pvk_${keyId}_${secret}A`,
    'secret with invalid char': `pvk_${keyId}_${secret.slice(1)}=`,
    'double underscore after prefix': `pvk__${keyId}_${secret}`,
    'trailing underscore': `${token}_`,
    'extra underscore segment': `pvk_${keyId}_extra_${secret}`,
    'no separator': `pvk_${keyId}${secret}`,
    'whitespace': ` ${token}`,
    'trailing newline': `${token}\n`,
    'a JWT': 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln',
  };
  for (const [name, candidate] of Object.entries(cases)) {
    t.equal(parseApiKey(candidate), null, name);
  }
  // 43 base64url chars carry 2 spare bits; a non-canonical spelling decodes to the same
  // bytes and must not be a second valid form of the key.
  const last = secret.at(-1) ?? 'A';
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const idx = alphabet.indexOf(last);
  const nonCanonical = `${secret.slice(0, -1)}${alphabet[(idx & ~3) | ((idx & 3) ^ 1)]}`;
  t.equal(parseApiKey(`pvk_${keyId}_${nonCanonical}`), null, 'non-canonical base64url secret');
});

t.test('two generated keys differ', async (t) => {
  const a = generateApiKey();
  const b = generateApiKey();
  t.not(a.keyId, b.keyId);
  t.not(a.secret, b.secret);
  t.not(a.token, b.token);
  t.not(a.hash, b.hash);
});
