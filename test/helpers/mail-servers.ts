/**
 * Real mail servers for the email tests: a private Dovecot (IMAP + LMTP + SASL auth) and a
 * private Postfix (SMTP on a loopback port, delivering every recipient to that Dovecot over
 * LMTP), each with its own configuration, queue and mail directory under one temp folder.
 * One pair per test file; `stop()` tears both down. Needs root (CI and this machine run as
 * root) and Debian's dovecot-imapd, dovecot-lmtpd and postfix.
 *
 * Readiness is probed (a greeting on each port), never waited for with a fixed sleep.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A mailbox user of the private Dovecot. */
export interface MailUser {
  address: string;
  password: string;
}

/** The running pair. */
export interface MailServers {
  host: string;
  imapPort: number;
  /** The same IMAP server on the same port, reached at this address, announces no IDLE capability. */
  noIdleHost: string;
  smtpPort: number;
  lmtpPort: number;
  /** Users created so far (`addUser` appends). */
  users: MailUser[];
  /** Adds a mailbox user (effective at once: the passwd-file is re-read on change). */
  addUser(address: string, password?: string): MailUser;
  /**
   * Delivers raw bytes to a mailbox over Dovecot's LMTP, byte for byte (Postfix would add a
   * missing From, Date or Message-ID to mail from a local client; this does not).
   */
  deliver(recipient: string, raw: Buffer | string): Promise<void>;
  /** Runs `doveadm` against this Dovecot, e.g. to recreate a folder. */
  doveadm(...args: string[]): Promise<string>;
  /** Postfix's queue is empty (every accepted mail delivered or bounced). */
  queueEmpty(): Promise<boolean>;
  stop(): Promise<void>;
}

/** A free loopback TCP port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/**
 * One LMTP transaction (RFC 2033): LHLO, MAIL, RCPT, DATA with dot-stuffing. Rejects on
 * any answer that is not 2xx/3xx, with the server's words.
 */
async function lmtpDeliver(port: number, recipient: string, raw: Buffer): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setTimeout(10_000, () => socket.destroy(new Error('LMTP timeout')));
  let buffer = '';
  const waiters: Array<(line: string) => void> = [];
  const failed = new Promise<never>((_, reject) => socket.once('error', reject));
  failed.catch(() => undefined);
  socket.on('data', (d: Buffer) => {
    buffer += d.toString('latin1');
    // A reply ends with a line whose code is followed by a space (not a dash).
    let match;
    while ((match = /^(\d{3}) [^\r\n]*\r?\n/m.exec(buffer))) {
      const end = match.index + match[0].length;
      const reply = buffer.slice(0, end);
      buffer = buffer.slice(end);
      waiters.shift()?.(reply);
    }
  });
  const reply = () => Promise.race([failed, new Promise<string>((resolve) => waiters.push(resolve))]);
  const expect = async (what: string) => {
    const answer = await reply();
    const last = answer.trim().split(/\r?\n/).pop() ?? '';
    if (!/^[23]/.test(last)) throw new Error(`LMTP ${what}: ${answer}`);
  };
  try {
    await expect('greeting');
    for (const [command, what] of [['LHLO peyvand.test', 'LHLO'], ['MAIL FROM:<>', 'MAIL'], [`RCPT TO:<${recipient}>`, 'RCPT'], ['DATA', 'DATA']] as const) {
      socket.write(`${command}\r\n`);
      await expect(what);
    }
    const body = raw.toString('latin1').replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
    socket.write(Buffer.from(`${body}${body.endsWith('\r\n') ? '' : '\r\n'}.\r\n`, 'latin1'));
    await expect('delivery');
    socket.write('QUIT\r\n');
  } finally {
    socket.end();
  }
}

/** Resolves once the port answers with a greeting starting with `expect`, or throws at the deadline. */
async function waitForGreeting(port: number, expect: string, deadlineMs: number, what: string, log: () => string): Promise<void> {
  const until = Date.now() + deadlineMs;
  let last = '';
  while (Date.now() < until) {
    try {
      const greeting = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1');
        socket.setTimeout(2000, () => socket.destroy(new Error('timeout')));
        socket.once('data', (d) => {
          socket.end();
          resolve(d.toString('latin1'));
        });
        socket.once('error', reject);
      });
      if (greeting.startsWith(expect)) return;
      last = greeting;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} on port ${port} not ready: ${last}\n${log()}`);
}

const readTail = (file: string): string => {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '';
  }
};

/**
 * Starts Dovecot and Postfix. `users` are created up front (more with `addUser`).
 * Recipients at `tempfail.test` get a 450 from Postfix at RCPT, at `reject.test` a 550;
 * an address Dovecot does not know is accepted by Postfix and bounced (a real RFC 3464
 * DSN, delivered to the sender's mailbox).
 */
export async function startMailServers(users: MailUser[] = []): Promise<MailServers> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-mail-'));
  // mkdtemp makes 0700; Dovecot's mail processes run as `mail` and Postfix's as `postfix`.
  fs.chmodSync(root, 0o755);
  const [imapPort, lmtpPort, smtpPort, authPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const id = randomBytes(4).toString('hex');
  const dovecot = path.join(root, 'dovecot');
  const postfix = path.join(root, 'postfix');
  const mail = path.join(root, 'mail');
  for (const dir of [dovecot, path.join(dovecot, 'run'), path.join(dovecot, 'state'), postfix, path.join(postfix, 'queue'), path.join(postfix, 'data'), mail]) fs.mkdirSync(dir, { recursive: true });
  fs.chownSync(mail, 8, 8);
  const postfixUid = Number((await run('/usr/bin/id', ['-u', 'postfix'])).stdout.trim());
  fs.chownSync(path.join(postfix, 'data'), postfixUid, 0);
  const passwd = path.join(dovecot, 'passwd');
  const list: MailUser[] = [];
  const writePasswd = () => fs.writeFileSync(passwd, list.map((u) => `${u.address}:{PLAIN}${u.password}::::::\n`).join(''), { mode: 0o644 });
  const addUser = (address: string, password = 'secret-' + randomBytes(4).toString('hex')): MailUser => {
    const user = { address, password };
    list.push(user);
    writePasswd();
    return user;
  };
  for (const u of users) addUser(u.address, u.password);
  writePasswd();

  const dovecotConf = path.join(dovecot, 'dovecot.conf');
  const dovecotLog = path.join(dovecot, 'dovecot.log');
  fs.writeFileSync(dovecotConf, `
instance_name = peyvand-${id}
base_dir = ${dovecot}/run
state_dir = ${dovecot}/state
log_path = ${dovecotLog}
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 8
first_valid_gid = 8
mail_location = maildir:${mail}/%u
mail_uid = mail
mail_gid = mail
lmtp_rcpt_check_quota = no
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${passwd}
}
userdb {
  driver = passwd-file
  args = username_format=%u ${passwd}
  default_fields = uid=mail gid=mail home=${mail}/%u
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = create
  }
}
# The same IMAP server without IDLE, for clients that must fall back to polling.
local 127.0.0.2 {
  protocol imap {
    imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+ UIDPLUS NAMESPACE
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1, 127.0.0.2
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${lmtpPort}
  }
}
service auth {
  inet_listener {
    address = 127.0.0.1
    port = ${authPort}
  }
}
`);

  const dovecotProc = spawn('/usr/sbin/dovecot', ['-F', '-c', dovecotConf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let dovecotErr = '';
  dovecotProc.stderr?.on('data', (d: Buffer) => { dovecotErr += d.toString(); });
  const dovecotLogTail = () => `${dovecotErr}\n${readTail(dovecotLog)}`;

  fs.writeFileSync(path.join(postfix, 'main.cf'), `
compatibility_level = 3.6
queue_directory = ${postfix}/queue
data_directory = ${postfix}/data
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-peyvand-${id}
maillog_file = ${postfix}/postfix.log
maillog_file_prefixes = ${root}
myhostname = mx.peyvand.test
mydomain = peyvand.test
myorigin = peyvand.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
local_recipient_maps =
relay_domains =
default_transport = lmtp:inet:127.0.0.1:${lmtpPort}
relay_transport = lmtp:inet:127.0.0.1:${lmtpPort}
lmtp_host_lookup = native
smtp_host_lookup = native
disable_dns_lookups = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:${authPort}
smtpd_tls_security_level = none
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject
smtpd_recipient_restrictions = check_recipient_access regexp:${postfix}/recipient_access, permit
minimal_backoff_time = 1s
maximal_backoff_time = 2s
queue_run_delay = 1s
bounce_queue_lifetime = 0
maximal_queue_lifetime = 1h
alias_maps =
alias_database =
biff = no
`);
  fs.writeFileSync(path.join(postfix, 'recipient_access'), '/@tempfail\\.test$/ 450 4.2.0 mailbox busy, try later\n/@reject\\.test$/ 550 5.1.1 no such user here\n');
  // Debian's master.cf, with our listener and every service outside a chroot.
  const master = fs.readFileSync('/etc/postfix/master.cf', 'utf8')
    .split('\n')
    .map((line) => (/^smtp\s+inet\s/.test(line) ? `127.0.0.1:${smtpPort} inet n - n - - smtpd` : line))
    .join('\n');
  fs.writeFileSync(path.join(postfix, 'master.cf'), master);
  await run('/usr/sbin/postconf', ['-c', postfix, '-F', '*/*/chroot = n']);
  const postfixLog = path.join(postfix, 'postfix.log');
  const env = { ...process.env, MAIL_CONFIG: postfix };
  try {
    await waitForGreeting(imapPort, '* OK', 15_000, 'Dovecot IMAP', dovecotLogTail);
    // The queue's folders with the owners postfix-script's check would give them; the
    // `quick-start` marker then skips that check (seconds of `find` over a queue that is new).
    const postdropGid = Number((await run('/usr/bin/getent', ['group', 'postdrop'])).stdout.split(':')[2]);
    for (const dir of ['active', 'bounce', 'corrupt', 'defer', 'deferred', 'flush', 'hold', 'incoming', 'private', 'saved', 'trace', 'maildrop', 'public', 'pid']) {
      const full = path.join(postfix, 'queue', dir);
      fs.mkdirSync(full);
      if (dir === 'pid') continue;
      fs.chownSync(full, postfixUid, dir === 'maildrop' || dir === 'public' ? postdropGid : 0);
      fs.chmodSync(full, dir === 'maildrop' ? 0o730 : dir === 'public' ? 0o710 : 0o700);
    }
    fs.writeFileSync(path.join(postfix, 'queue', 'quick-start'), '');
    // `postfix start` returns once the master daemon has initialised (it waits with -w).
    await run('/usr/sbin/postfix', ['-c', postfix, 'start'], { env }).catch((err: Error & { stderr?: string }) => {
      throw new Error(`postfix start failed: ${err.stderr ?? err.message}\n${readTail(postfixLog)}`);
    });
    await waitForGreeting(smtpPort, '220', 20_000, 'Postfix SMTP', () => readTail(postfixLog));
  } catch (err) {
    dovecotProc.kill('SIGTERM');
    await run('/usr/sbin/postfix', ['-c', postfix, 'stop'], { env }).catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
    throw err;
  }

  const exited = (p: ChildProcess | undefined) => new Promise<void>((resolve) => {
    if (!p || p.exitCode !== null || p.signalCode !== null) return resolve();
    p.once('exit', () => resolve());
  });
  let stopped = false;
  return {
    host: '127.0.0.1',
    noIdleHost: '127.0.0.2',
    imapPort,
    smtpPort,
    lmtpPort,
    users: list,
    addUser,
    deliver: (recipient, raw) => lmtpDeliver(lmtpPort, recipient, Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8')),
    async doveadm(...args) {
      const { stdout } = await run('/usr/bin/doveadm', ['-c', dovecotConf, ...args]);
      return stdout;
    },
    async queueEmpty() {
      const { stdout } = await run('/usr/sbin/postqueue', ['-c', postfix, '-j'], { env });
      return stdout.trim() === '';
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await run('/usr/sbin/postfix', ['-c', postfix, 'stop'], { env }).catch(() => undefined);
      dovecotProc.kill('SIGTERM');
      const grace = setTimeout(() => dovecotProc.kill('SIGKILL'), 5000);
      await exited(dovecotProc);
      clearTimeout(grace);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
