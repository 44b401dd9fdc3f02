/**
 * Opening SMTP (nodemailer) and IMAP (imapflow) connections from an account's settings,
 * and naming what went wrong when one fails: the user reads "the password was refused",
 * not `EAUTH`.
 */
import type { Transporter } from 'nodemailer';
import type { ImapFlow } from 'imapflow';

/** How a connection is secured. */
export type TlsMode = 'tls' | 'starttls' | 'none';

/** Settings of one server, with the password opened. */
export interface ServerSettings {
  host: string;
  port: number;
  secure: TlsMode;
  user: string;
  password: string;
}

/** Why a connection failed, as a stable code. */
export type ConnectionFailure = 'AUTH_FAILED' | 'TLS_FAILED' | 'DNS_FAILED' | 'CONNECTION_REFUSED' | 'TIMEOUT' | 'SERVER_ERROR';

const TIMEOUT_MS = 10_000;

// The mail clients are loaded on first use, not when the plugin is imported: a server that
// never sends or fetches mail, and every CLI command, starts without them (issue 17: CLI speed).

/**
 * A nodemailer transport for an account's SMTP server: a connection per message, or with
 * `pooled` one connection that carries message after message (reopened when it drops).
 */
export async function smtpTransport(s: ServerSettings, { pooled = false } = {}): Promise<Transporter> {
  const { default: nodemailer } = await import('nodemailer');
  return nodemailer.createTransport({
    // One connection, never recycled after a message count, and no resend of its own: a
    // message whose connection closed fails to the caller, whose queue retries it with its
    // attempts and backoff (nodemailer would requeue it itself, up to 5 times, uncounted).
    ...(pooled && { pool: true as const, maxConnections: 1, maxMessages: Infinity, maxRequeues: 0 }),
    host: s.host,
    port: s.port,
    secure: s.secure === 'tls',
    requireTLS: s.secure === 'starttls',
    ignoreTLS: s.secure === 'none',
    auth: { user: s.user, pass: s.password },
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: 60_000,
  });
}

/** An (unconnected) imapflow client for an account's IMAP server. */
export async function imapClient(s: ServerSettings, extra: { disableAutoIdle?: boolean } = {}): Promise<ImapFlow> {
  const { ImapFlow } = await import('imapflow');
  return new ImapFlow({
    ...extra,
    host: s.host,
    port: s.port,
    secure: s.secure === 'tls',
    doSTARTTLS: s.secure === 'starttls' ? true : s.secure === 'none' ? false : undefined,
    auth: { user: s.user, pass: s.password },
    logger: false,
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
  });
}

/** Classifies a connection error from either library. */
export function classifyConnectionError(err: unknown): ConnectionFailure {
  const e = (err ?? {}) as { code?: string; responseCode?: number; authenticationFailed?: boolean; message?: string; cause?: unknown };
  const code = String(e.code ?? '');
  const message = String(e.message ?? '');
  if (e.authenticationFailed || code === 'EAUTH' || e.responseCode === 535 || /AUTHENTICATIONFAILED|authentication failed/i.test(message)) return 'AUTH_FAILED';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EDNS' || /getaddrinfo/.test(message)) return 'DNS_FAILED';
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message)) return 'CONNECTION_REFUSED';
  if (code === 'ETLS' || code === 'ESOCKET' && /SSL|TLS|certificate/i.test(message) || /^(ERR_SSL|ERR_TLS|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_VERIFY)/.test(code) || /wrong version number|certificate|STARTTLS|TLS/i.test(message)) return 'TLS_FAILED';
  if (code === 'ETIMEDOUT' || code === 'ETIMEOUT' || /timed? ?out/i.test(message)) return 'TIMEOUT';
  if (e.cause && e.cause !== err) {
    const inner = classifyConnectionError(e.cause);
    if (inner !== 'SERVER_ERROR') return inner;
  }
  return 'SERVER_ERROR';
}

/** Verifies SMTP login; resolves to the failure, or null when it works. */
export async function testSmtp(s: ServerSettings): Promise<ConnectionFailure | null> {
  const transport = await smtpTransport(s);
  try {
    await transport.verify();
    return null;
  } catch (err) {
    return classifyConnectionError(err);
  } finally {
    transport.close();
  }
}

/** Verifies IMAP login; resolves to the failure, or null when it works. */
export async function testImap(s: ServerSettings): Promise<ConnectionFailure | null> {
  const client = await imapClient(s);
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.logout();
    return null;
  } catch (err) {
    client.close();
    return classifyConnectionError(err);
  }
}
