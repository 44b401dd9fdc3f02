/**
 * Boots Peyvand with the email plugin against a private Dovecot + Postfix pair, with a
 * tenant, an owner key, and helpers to put mail into mailboxes and read it back.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { LightMyRequestResponse } from 'fastify';
import email, { type EmailOptions, type EmailServices } from '../../plugins/email/index.js';
import type { AnyPlugin } from '../../core/plugin/index.js';
import { bootPeyvand, type TestPeyvand } from './peyvand.js';
import { startMailServers, type MailServers, type MailUser } from './mail-servers.js';

type Teardown = { teardown(fn: () => Promise<void> | void): void };

/** The booted pair and tenant. */
export interface EmailHarness {
  p: TestPeyvand;
  mail: MailServers;
  services: EmailServices;
  owner: string;
  storageDir: string;
  support: MailUser;
  call(token: string | undefined, method: string, url: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** A 2xx body, or a thrown error with the response. */
  ok<T>(method: string, url: string, payload?: unknown): Promise<T>;
  /** Settings of a mailbox user for an account body. */
  server(user: MailUser, kind: 'smtp' | 'imap'): { host: string; port: number; secure: 'none'; user: string; password: string };
  /** Appends raw mail to a user's folder over IMAP. */
  append(user: MailUser, raw: string | Buffer, folder?: string): Promise<void>;
  /** Sends mail through Postfix as `user`. */
  sendAs(user: MailUser, message: SendMailOptions): Promise<void>;
  /** The raw messages of a user's folder. */
  mailbox(user: MailUser, folder?: string): Promise<string[]>;
  /** Polls until `check` returns a value (not undefined/false), or fails at the deadline. */
  waitFor<T>(what: string, check: () => Promise<T | undefined | false>, deadlineMs?: number): Promise<T>;
}

/**
 * Starts everything for one test file, with plugin `options` over the defaults and `more`
 * plugins (support) that stand on email, enabled with it for the tenant. The kernel runs
 * no background work, so the IMAP watchers only run when a test starts them.
 */
export async function bootEmail(t: Teardown, users: Array<{ address: string; password?: string }> = [], options: Partial<EmailOptions> = {}, more: AnyPlugin[] = []): Promise<EmailHarness> {
  const mail = await startMailServers();
  t.teardown(() => mail.stop());
  const support = mail.addUser('support@acme.test');
  for (const u of users) mail.addUser(u.address, u.password);
  const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-email-'));
  t.teardown(() => fs.rmSync(storageDir, { recursive: true, force: true }));
  const plugins = [email, ...more];
  const p = await bootPeyvand(t, { plugins, pluginOptions: { email: { storageDir, maxAttempts: 3, ...options } } });
  const tenant = await p.tenant('acme', { plugins: plugins.map((plugin) => plugin.name) });
  const owner = await tenant.key('owner');
  const services = p.peyvand.kernel.servicesOf<EmailServices>('email');
  if (!services) throw new Error('email services missing');
  const call = (token: string | undefined, method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    p.call(token, { method: method as 'GET', url: url.startsWith('/api') ? url : `/api/v1/email${url}`, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }), headers });
  const imapAs = async (user: MailUser) => {
    const client = new ImapFlow({ host: mail.host, port: mail.imapPort, secure: false, auth: { user: user.address, pass: user.password }, logger: false });
    await client.connect();
    return client;
  };
  return {
    p,
    mail,
    services,
    owner,
    storageDir,
    support,
    call,
    async ok<T>(method: string, url: string, payload?: unknown) {
      const res = await call(owner, method, url, payload);
      if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
      return (res.body ? res.json() : undefined) as T;
    },
    server: (user, kind) => ({ host: mail.host, port: kind === 'smtp' ? mail.smtpPort : mail.imapPort, secure: 'none', user: user.address, password: user.password }),
    async append(user, raw, folder = 'INBOX') {
      const client = await imapAs(user);
      try {
        await client.append(folder, raw);
      } finally {
        await client.logout();
      }
    },
    async sendAs(user, message) {
      const transport = nodemailer.createTransport({ host: mail.host, port: mail.smtpPort, secure: false, ignoreTLS: true, auth: { user: user.address, pass: user.password } });
      try {
        await transport.sendMail({ from: user.address, ...message });
      } finally {
        transport.close();
      }
    },
    async mailbox(user, folder = 'INBOX') {
      const client = await imapAs(user);
      const out: string[] = [];
      try {
        const lock = await client.getMailboxLock(folder);
        try {
          if (client.mailbox && client.mailbox.exists > 0) for await (const m of client.fetch('1:*', { source: true })) out.push(m.source?.toString('utf8') ?? '');
        } finally {
          lock.release();
        }
      } finally {
        await client.logout();
      }
      return out;
    },
    async waitFor(what, check, deadlineMs = 20_000) {
      const until = Date.now() + deadlineMs;
      for (;;) {
        const value = await check();
        if (value !== undefined && value !== false) return value as never;
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}
