/**
 * The connections of one sender pass: per account, one SMTP connection for every message
 * the pass sends and one IMAP session for the copies it appends to the Sent folder, instead
 * of a connection (and a login) per message. Everything is closed when the pass ends.
 *
 * Connections are keyed by account id and settings version: a message read after the
 * account was changed gets a new connection with the new settings (the old one is closed).
 */
import type { Transporter } from 'nodemailer';
import type { ImapFlow } from 'imapflow';
import type { AccountCredentials } from './accounts.js';
import { imapClient, smtpTransport } from './transports.js';

interface ImapSession {
  version: number;
  client: ImapFlow;
  /** The Sent folder's path, or null when the account has none. */
  sent: string | null;
}

/** Per-account SMTP and IMAP connections for one pass; `close` when the pass ends. */
export class SenderSession {
  private readonly smtp = new Map<string, { version: number; transport: Transporter }>();
  private readonly imap = new Map<string, ImapSession>();

  /**
   * Hands `raw` to the account's SMTP server over the pass's connection; resolves once the
   * server accepted it (the 250 to DATA). A dropped connection fails this message only: the
   * next one opens a new connection.
   */
  async send(account: AccountCredentials, envelope: { from: string; to: string[] }, raw: Buffer): Promise<{ response?: string }> {
    let entry = this.smtp.get(account.id);
    if (entry?.version !== account.version) {
      entry?.transport.close();
      entry = { version: account.version, transport: await smtpTransport(account.smtp, { pooled: true }) };
      this.smtp.set(account.id, entry);
    }
    return (await entry.transport.sendMail({ envelope, raw })) as { response?: string };
  }

  /** Appends a sent message to the account's Sent folder (no-op without one). */
  async appendToSent(account: AccountCredentials & { imap: NonNullable<AccountCredentials['imap']> }, raw: Buffer): Promise<void> {
    let session = this.imap.get(account.id);
    if (session && (session.version !== account.version || !session.client.usable)) {
      this.imap.delete(account.id);
      await logout(session.client);
      session = undefined;
    }
    if (!session) {
      const client = await imapClient(account.imap, { disableAutoIdle: true });
      client.on('error', () => undefined);
      await client.connect().catch((err: unknown) => {
        client.close();
        throw err;
      });
      const boxes = await client.list();
      const sent = boxes.find((b) => b.specialUse === '\\Sent')?.path ?? boxes.find((b) => /^sent$/i.test(b.name))?.path ?? null;
      session = { version: account.version, client, sent };
      this.imap.set(account.id, session);
    }
    if (!session.sent) return;
    try {
      await session.client.append(session.sent, raw, ['\\Seen']);
    } catch (err) {
      // The next copy starts from a new session rather than a connection in an unknown state.
      this.imap.delete(account.id);
      await logout(session.client);
      throw err;
    }
  }

  /** Closes every connection the pass opened. */
  async close(): Promise<void> {
    for (const { transport } of this.smtp.values()) transport.close();
    this.smtp.clear();
    const sessions = [...this.imap.values()];
    this.imap.clear();
    await Promise.all(sessions.map((s) => logout(s.client)));
  }
}

async function logout(client: ImapFlow): Promise<void> {
  await client.logout().catch(() => client.close());
}
