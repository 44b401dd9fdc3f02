/**
 * External event transports: the contract every broker adapter fulfils, the wire format
 * and the `PEYVAND_EVENTS_URL` parser. Subjects are `<prefix>.<tenant slug>.<type>`
 * (prefix `peyvand` unless the URL says `?prefix=`), e.g. `peyvand.acme.customer.created`
 * out of Peyvand and `peyvand.acme.erp.order.paid` into it.
 *
 * A message body is the JSON envelope webhooks use too:
 * `{"id", "type", "tenant", "occurredAt", "data"}`. Inbound, only `id` and `data` are
 * required: the tenant and type come from the subject.
 */
import { BootError } from '../../plugin/errors.js';

/** The marker Peyvand puts on what it publishes, so it never takes its own events back in. */
export const PEYVAND_ORIGIN = 'peyvand';

/** The envelope Peyvand publishes. */
export interface EventEnvelope {
  id: string;
  type: string;
  tenant: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/** A message taken from the broker. */
export interface InboundMessage {
  subject: string;
  /** The raw body (JSON text when well-formed). */
  payload: string;
  /** Who published it, when the publisher said (`peyvand` for Peyvand itself). */
  origin: string | undefined;
}

/**
 * Handles one inbound message. Resolving acknowledges it; throwing leaves it with the
 * broker, which hands it out again later (to this node or another).
 */
export type InboundHandler = (message: InboundMessage) => Promise<void>;

/** A broker adapter. */
export interface EventTransport {
  /** `redis` or `nats`, recorded with rejected inbound events. */
  readonly kind: 'redis' | 'nats';
  /** First subject segment. */
  readonly prefix: string;
  /** Connects and creates the stream/group it needs; rejects when the broker cannot be reached. */
  connect(): Promise<void>;
  /**
   * Publishes one event, resolving once the broker has stored it. Throws
   * `SubscriberUnavailableError` when the broker cannot take it now.
   */
  publish(subject: string, envelope: EventEnvelope): Promise<void>;
  /** Starts consuming the subjects `<prefix>.*.<type>` of these types (shared by all nodes). */
  consume(types: readonly string[], handler: InboundHandler): Promise<void>;
  /** Stops consuming and disconnects. */
  close(): Promise<void>;
}

/** What a parsed `PEYVAND_EVENTS_URL` says. */
export interface TransportConfig {
  kind: 'redis' | 'nats';
  /** The URL without Peyvand's own query parameters. */
  url: string;
  prefix: string;
  /** Redis: the stream key; NATS: the JetStream stream name. */
  stream: string;
  /** Redis: the consumer group; NATS: the durable consumer name's prefix. */
  group: string;
  /** Redis: approximate stream length kept (MAXLEN ~). */
  maxLen: number;
  /** Redis: how long an entry may sit with a consumer before another node claims it (ms). */
  claimIdleMs: number;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** The URL with its password masked (Redis URLs often carry one without a user name). */
export function redactTransportUrl(raw: string): string {
  if (!URL.canParse(raw)) return raw.replace(/\/\/[^@/]*@/, '//***@');
  const url = new URL(raw);
  if (url.password) url.password = '***';
  return url.toString();
}

/** Parses `PEYVAND_EVENTS_URL`; throws a `CONFIG_INVALID` boot error naming what is wrong. */
export function parseTransportUrl(raw: string): TransportConfig {
  const invalid = (why: string): never => {
    throw new BootError('CONFIG_INVALID', undefined, `PEYVAND_EVENTS_URL "${redactTransportUrl(raw)}": ${why}`);
  };
  if (!URL.canParse(raw)) return invalid('not a URL');
  const url = new URL(raw);
  const scheme = url.protocol.slice(0, -1);
  const kind = scheme === 'redis' || scheme === 'rediss' ? 'redis' : scheme === 'nats' || scheme === 'tls' ? 'nats' : invalid('must start with redis://, rediss://, nats:// or tls://');
  const take = (name: string): string | undefined => {
    const value = url.searchParams.get(name) ?? undefined;
    url.searchParams.delete(name);
    return value;
  };
  const prefix = take('prefix') ?? 'peyvand';
  const stream = take('stream') ?? (kind === 'redis' ? `${prefix}.events` : prefix.toUpperCase());
  const group = take('group') ?? `${prefix}-inbound`;
  const maxLen = Number(take('maxlen') ?? 1_000_000);
  const claimIdleMs = Number(take('claimIdleMs') ?? 30_000);
  if (!NAME.test(prefix)) invalid('prefix must be 1–64 letters, digits, "_" or "-"');
  if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(stream) || (kind === 'nats' && stream.includes('.'))) invalid('stream is not a valid name');
  if (!NAME.test(group)) invalid('group must be 1–64 letters, digits, "_" or "-"');
  if (!Number.isInteger(maxLen) || maxLen < 1000) invalid('maxlen must be a whole number ≥ 1000');
  if (!Number.isInteger(claimIdleMs) || claimIdleMs < 100) invalid('claimIdleMs must be a whole number ≥ 100');
  return { kind, url: url.toString(), prefix, stream, group, maxLen, claimIdleMs };
}

/** `<prefix>.<slug>.<type>`. */
export function subjectOf(prefix: string, tenantSlug: string, type: string): string {
  return `${prefix}.${tenantSlug}.${type}`;
}

/** Splits a subject into tenant slug and type, or undefined when it is not under `prefix`. */
export function parseSubject(prefix: string, subject: string): { tenantSlug: string; type: string } | undefined {
  if (!subject.startsWith(`${prefix}.`)) return undefined;
  const rest = subject.slice(prefix.length + 1);
  const dot = rest.indexOf('.');
  if (dot <= 0 || dot === rest.length - 1) return undefined;
  return { tenantSlug: rest.slice(0, dot), type: rest.slice(dot + 1) };
}

/** Whether an error means the broker could not be reached (as opposed to a refused message). */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; name?: string; message?: string } | undefined;
  const text = `${e?.code ?? ''} ${e?.name ?? ''} ${e?.message ?? ''}`;
  return /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|CONNECTION|Connection is closed|not connected|TIMEOUT|DISCONNECT|503|no responders|Stream isn't writeable|enableOfflineQueue/i.test(text);
}
