import t from 'tap';
import { createSecretBox, generateSecret } from '../../../core/auth/secret-box.js';

const SECRET = generateSecret();

/** Flips one bit of the decoded bytes of part `index` of a sealed value. */
function tamper(sealed: string, index: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[index] ?? '', 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

t.test('generateSecret gives 32 random bytes, base64url', async (t) => {
  const s = generateSecret();
  t.match(s, /^[A-Za-z0-9_-]{43}$/);
  t.equal(Buffer.from(s, 'base64url').length, 32);
  t.not(generateSecret(), s);
});

t.test('round trip, including Persian text and the empty string', async (t) => {
  const box = createSecretBox(SECRET);
  for (const plain of ['hs256-secret-for-tenant-acme-0123456789', 'رمز عبور سرور ایمیل: ۱۲۳۴۵۶', '', 'a.b.c']) {
    const sealed = box.seal(plain);
    t.match(sealed, /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{22}$/);
    if (plain.length > 8) t.notOk(sealed.includes(plain), 'plaintext does not appear in the sealed value');
    t.equal(box.open(sealed), plain);
  }
  t.equal(createSecretBox(SECRET).open(box.seal('again')), 'again', 'a second box with the same secret opens it');
});

t.test('tampered iv, ciphertext or tag is rejected', async (t) => {
  const box = createSecretBox(SECRET);
  const sealed = box.seal('the ERP password');
  t.throws(() => box.open(tamper(sealed, 1)), Error, 'iv');
  t.throws(() => box.open(tamper(sealed, 2)), Error, 'ciphertext');
  t.throws(() => box.open(tamper(sealed, 3)), Error, 'tag');
});

t.test('malformed values are rejected', async (t) => {
  const box = createSecretBox(SECRET);
  const sealed = box.seal('x');
  const [, iv, ct, tag] = sealed.split('.');
  for (const bad of [
    '',
    'garbage',
    `v2.${iv}.${ct}.${tag}`,
    `v1.${iv}.${ct}`,
    `v1.${iv}.${ct}.${tag}.extra`,
    `v1.${iv}.${ct}.${tag?.slice(0, -2)}`,
    `v1.${iv?.slice(0, -2)}.${ct}.${tag}`,
    `v1.${iv}.${ct}.${tag}=`,
    `v1.${iv}.${ct}!.${tag}`,
  ]) {
    t.throws(() => box.open(bad), Error, JSON.stringify(bad));
  }
});

t.test('wrong secret is rejected', async (t) => {
  const sealed = createSecretBox(SECRET).seal('hs256 secret');
  const other = createSecretBox(generateSecret());
  t.throws(() => other.open(sealed), /cannot open/);
});

t.test('short secret is refused', async (t) => {
  t.throws(() => createSecretBox('x'.repeat(31)), /at least 32/);
  t.throws(() => createSecretBox(''), /at least 32/);
  t.doesNotThrow(() => createSecretBox('x'.repeat(32)));
});

t.test('random IV: sealing the same plaintext twice differs', async (t) => {
  const box = createSecretBox(SECRET);
  const a = box.seal('same');
  const b = box.seal('same');
  t.not(a, b);
  t.not(a.split('.')[1], b.split('.')[1], 'different IVs');
  t.equal(box.open(a), 'same');
  t.equal(box.open(b), 'same');
});
