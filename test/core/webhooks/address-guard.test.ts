/**
 * The SSRF guard without a network: special-purpose ranges (IPv4, IPv6, IPv4 inside
 * IPv6), the allowlist forms, URL rules, and what a host name resolves to (an injected
 * resolver stands in for DNS). The signature helper is checked against a hand-computed
 * HMAC, and against the worked example of docs/events.md, so the documented bytes are the
 * real ones.
 */
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { createHmac } from 'node:crypto';
import { checkTarget, forbiddenRange, ipBytes, parseAllowlist, type Resolver } from '../../../core/webhooks/address-guard.js';
import { signatureHeader, verifySignature, generateWebhookSecret } from '../../../core/plugin/webhook-signature.js';
import { BootError } from '../../../core/plugin/errors.js';
import { webhookSettings } from '../../../core/webhooks/webhook-settings.js';

t.test('special-purpose addresses are recognised, public ones are not', async (t) => {
  const forbidden: Record<string, string> = {
    '127.0.0.1': 'loopback',
    '127.255.1.2': 'loopback',
    '10.0.0.1': 'private',
    '172.16.0.1': 'private',
    '172.31.255.255': 'private',
    '192.168.1.1': 'private',
    '169.254.169.254': 'link-local',
    '0.0.0.0': 'unspecified',
    '100.64.0.1': 'shared (CGNAT)',
    '224.0.0.1': 'multicast',
    '255.255.255.255': 'reserved',
    '::1': 'loopback',
    '::': 'unspecified',
    'fc00::1': 'unique local (private)',
    'fd12:3456::1': 'unique local (private)',
    'fe80::1': 'link-local',
    'fe80::1%eth0': 'link-local',
    'ff02::1': 'multicast',
    '::ffff:127.0.0.1': 'loopback',
    '::ffff:7f00:1': 'loopback',
    '::ffff:169.254.169.254': 'link-local',
    '64:ff9b::a00:1': 'private',
    '2002:a00:1::1': 'private',
    '::127.0.0.1': 'IPv4-compatible',
  };
  for (const [address, label] of Object.entries(forbidden)) t.equal(forbiddenRange(address), label, `${address} is ${label}`);
  for (const address of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2002:808:808::1']) t.equal(forbiddenRange(address), null, `${address} is public`);
  t.equal(forbiddenRange('not-an-ip'), 'not an IP address');
  t.same(ipBytes('1::'), [0, 1, ...Array(14).fill(0)], 'a trailing :: expands');
});

t.test('allowlist: hosts, wildcards, addresses, CIDRs; typos stop the boot', async (t) => {
  const list = parseAllowlist(' 127.0.0.1 , erp.local, *.corp.example, 10.20.0.0/16, [::1], fd00::/8 ');
  t.ok(list.hosts.has('erp.local'));
  t.same(list.suffixes, ['.corp.example']);
  t.equal(list.ranges.length, 4);
  t.same(parseAllowlist(undefined), { hosts: new Set(), suffixes: [], ranges: [] }, 'empty by default');
  for (const bad of ['10.0.0.0/33', 'http://x', 'a b', '1.2.3', '::1/200']) t.throws(() => parseAllowlist(bad), BootError, `"${bad}" refused`);
  t.ok(webhookSettings({}, { PEYVAND_WEBHOOK_ALLOWLIST: 'erp.local' }).allowlist.hosts.has('erp.local'), 'PEYVAND_WEBHOOK_ALLOWLIST is the default');
  t.equal(webhookSettings({ allowlist: [] }, { PEYVAND_WEBHOOK_ALLOWLIST: 'erp.local' }).allowlist.hosts.size, 0, 'the kernel option wins');
  t.throws(() => webhookSettings({}, { PEYVAND_WEBHOOK_ALLOWLIST: 'erp.local, not valid' }), { code: 'CONFIG_INVALID' }, 'a typo in the variable stops the boot');
});

t.test('checkTarget', async (t) => {
  const dns: Record<string, string[]> = { 'localhost': ['127.0.0.1', '::1'], 'public.example': ['93.184.216.34'], 'mixed.example': ['93.184.216.34', '10.0.0.7'], 'intra.corp.example': ['10.20.1.5'], 'erp.local': ['192.168.5.5'] };
  const resolve: Resolver = async (host) => {
    const addresses = dns[host];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  const none = parseAllowlist([]);
  const kind = async (url: string, allow = none) => {
    const r = await checkTarget(url, allow, resolve);
    return r.ok ? `ok ${r.target.address}` : r.refusal.kind;
  };
  t.equal(await kind('https://public.example/hook'), 'ok 93.184.216.34');
  t.equal(await kind('http://public.example/hook'), 'insecure', 'https required');
  for (const url of ['https://127.0.0.1/', 'https://10.0.0.1/', 'https://169.254.169.254/latest/meta-data', 'https://[::1]/', 'https://localhost/', 'https://mixed.example/', 'https://2130706433/', 'https://0x7f.1/', 'https://[::ffff:127.0.0.1]/']) {
    t.equal(await kind(url), 'forbidden', `${url} refused`);
  }
  t.equal(await kind('https://nowhere.invalid/'), 'unresolvable');
  for (const url of ['ftp://public.example/', 'https://user:pw@public.example/', 'not a url', 'file:///etc/passwd']) t.equal(await kind(url), 'invalid', `${url} invalid`);

  const allow = parseAllowlist('127.0.0.1,*.corp.example,erp.local');
  t.equal(await kind('http://127.0.0.1:8080/hook', allow), 'ok 127.0.0.1', 'an allowlisted address, plain http allowed');
  t.equal(await kind('http://[::ffff:127.0.0.1]/', allow), 'ok ::ffff:7f00:1', 'the mapped form (URL normalizes it to hex) of an allowlisted address too');
  t.equal(await kind('https://intra.corp.example/', allow), 'ok 10.20.1.5', 'a wildcard host');
  t.equal(await kind('http://erp.local/', allow), 'ok 192.168.5.5', 'an allowlisted name admits its addresses');
  t.equal(await kind('https://localhost/', allow), 'forbidden', '127.0.0.1 is allowlisted but ::1 is not');
  t.equal(await kind('https://10.0.0.1/', allow), 'forbidden', 'other private addresses stay refused');
  t.equal(await kind('http://public.example/', allow), 'insecure', 'the allowlist does not relax https for other hosts');
});

t.test('signature: HMAC-SHA256 over "<t>.<raw body>", verified in constant time', async (t) => {
  const secret = generateWebhookSecret();
  t.match(secret, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
  const body = Buffer.from('{"id":"e1","type":"customer.created","tenant":"acme","occurredAt":"2025-01-01T00:00:00.000Z","data":{"name":"علی"}}');
  const header = signatureHeader(secret, 1735689600, body);
  const expected = createHmac('sha256', secret).update(Buffer.concat([Buffer.from('1735689600.'), body])).digest('hex');
  t.equal(header, `t=1735689600,v1=${expected}`);
  t.ok(verifySignature(header, secret, body, 300, 1735689700));
  t.notOk(verifySignature(header, secret, body, 300, 1735690000), 'too old');
  t.notOk(verifySignature(header, 'another secret', body, 300, 1735689600), 'wrong secret');
  t.notOk(verifySignature(header, secret, Buffer.concat([body, Buffer.from(' ')]), 300, 1735689600), 'one byte more');
  t.notOk(verifySignature('t=1735689600,v1=zz', secret, body, 300, 1735689600), 'malformed');
});

t.test('the worked example in docs/events.md is exactly what Peyvand signs', async (t) => {
  const doc = fs.readFileSync(path.join(import.meta.dirname, '../../../docs/events.md'), 'utf8');
  const example = /```http\nPOST \/crm\/events[\s\S]*?\nPeyvand-Signature: (t=\d+,v1=[0-9a-f]{64})\n\n(\{.*\})\n```/.exec(doc);
  t.ok(example, 'the example request is in the document');
  const [, header, body] = example!;
  const secret = /the secret\n?\s*`([A-Za-z0-9_-]{43})`/.exec(doc)?.[1];
  t.ok(secret, 'and the secret it was signed with');
  const raw = Buffer.from(body!, 'utf8');
  const t0 = Number(/^t=(\d+)/.exec(header!)![1]);
  t.equal(signatureHeader(secret!, t0, raw), header, 'Peyvand’s own signer produces the documented header');
  t.ok(verifySignature(header!, secret!, raw, 300, t0), 'and the documented verification accepts it');
  t.match(doc, new RegExp(`followed by the ${raw.length} bytes of\\s+the body`), 'the byte count the text states is the body’s');
});
