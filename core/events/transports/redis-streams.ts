/**
 * Redis Streams transport. One stream (`<prefix>.events` unless `?stream=`) carries
 * every event; each entry has the fields `subject`, `id`, `origin` and `payload` (the
 * JSON envelope), so any consumer filters on `subject` without decoding the body.
 *
 * Outbound: `XADD <stream> MAXLEN ~ <maxlen> * subject … id … origin peyvand payload …`.
 * Inbound: every node is a consumer of one consumer group (`<prefix>-inbound`), so an
 * entry goes to one node; it is XACKed once taken into the outbox (or recorded as
 * rejected). An entry left pending by a node that died is claimed by another node with
 * XAUTOCLAIM once it has been idle for `claimIdleMs`. The group starts at the beginning
 * of the stream the first time, so nothing published before the first boot is missed.
 */
import os from 'node:os';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { SubscriberUnavailableError } from '../../plugin/delivery-errors.js';
import { isConnectionError, PEYVAND_ORIGIN, parseSubject, type EventEnvelope, type EventTransport, type InboundHandler, type InboundMessage, type TransportConfig } from './transport.js';

type StreamEntry = [id: string, fields: string[] | null];

/** Redis Streams adapter. */
export class RedisStreamsTransport implements EventTransport {
  readonly kind = 'redis' as const;
  readonly prefix: string;
  private readonly commands: Redis;
  /** XREADGROUP BLOCK holds its connection, so reading gets its own. */
  private reader: Redis | undefined;
  private readonly consumer = `${os.hostname()}-${process.pid}`;
  private stopped = false;
  /** Ends the loops' waits at once on close. */
  private readonly closing = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(
    private readonly config: TransportConfig,
    private readonly logger: Logger,
    private readonly options: { blockMs?: number; claimEveryMs?: number } = {},
  ) {
    this.prefix = config.prefix;
    // No offline queue: while Redis is down a publish fails at once and the dispatcher
    // holds the progress, instead of piling commands up in memory.
    // RESP2: the reply shapes parsed below, and servers older than Redis 6 understand it.
    this.commands = new Redis(config.url, { protocol: 2, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 5000 });
    this.commands.on('error', (err: Error) => this.logger.debug({ err }, 'redis connection error'));
  }

  async connect(): Promise<void> {
    await this.commands.connect();
  }

  async publish(subject: string, envelope: EventEnvelope): Promise<void> {
    try {
      await this.commands.call('XADD', this.config.stream, 'MAXLEN', '~', String(this.config.maxLen), '*', 'subject', subject, 'id', envelope.id, 'origin', PEYVAND_ORIGIN, 'payload', JSON.stringify(envelope));
    } catch (err) {
      if (isConnectionError(err) || this.commands.status !== 'ready') throw new SubscriberUnavailableError(`redis: ${(err as Error).message}`, { cause: err });
      throw err;
    }
  }

  async consume(types: readonly string[], handler: InboundHandler): Promise<void> {
    if (types.length === 0) return;
    try {
      await this.commands.call('XGROUP', 'CREATE', this.config.stream, this.config.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test((err as Error).message)) throw err;
    }
    this.reader = this.commands.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    this.reader.on('error', (err: Error) => this.logger.debug({ err }, 'redis reader connection error'));
    const wanted = new Set(types);
    const take = (entries: StreamEntry[]) => this.handleEntries(entries, wanted, handler);
    this.loops = [this.readLoop(take), this.claimLoop(take)];
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.closing.abort();
    // Dropping the reader's connection ends a blocked XREADGROUP at once.
    this.reader?.disconnect();
    await Promise.allSettled(this.loops);
    this.commands.disconnect();
  }

  private async readLoop(take: (entries: StreamEntry[]) => Promise<void>): Promise<void> {
    while (!this.stopped) {
      try {
        const reply = (await this.reader!.call('XREADGROUP', 'GROUP', this.config.group, this.consumer, 'COUNT', '100', 'BLOCK', String(this.options.blockMs ?? 1000), 'STREAMS', this.config.stream, '>')) as Array<[string, StreamEntry[]]> | null;
        for (const [, entries] of reply ?? []) await take(entries);
      } catch (err) {
        if (this.stopped) return;
        this.logger.warn({ err }, 'reading the redis stream failed; retrying');
        await sleep(1000, this.closing.signal);
      }
    }
  }

  /** Takes over entries another consumer (a dead node) left pending too long. */
  private async claimLoop(take: (entries: StreamEntry[]) => Promise<void>): Promise<void> {
    while (!this.stopped) {
      await sleep(this.options.claimEveryMs ?? Math.min(5000, this.config.claimIdleMs), this.closing.signal);
      if (this.stopped) return;
      try {
        let cursor = '0-0';
        do {
          const [next, entries] = (await this.commands.call('XAUTOCLAIM', this.config.stream, this.config.group, this.consumer, String(this.config.claimIdleMs), cursor, 'COUNT', '100')) as [string, StreamEntry[]];
          if (entries.length) this.logger.info({ count: entries.length }, 'claimed stale inbound entries from another consumer');
          await take(entries);
          cursor = next;
        } while (cursor !== '0-0' && !this.stopped);
      } catch (err) {
        if (!this.stopped) this.logger.warn({ err }, 'claiming stale redis entries failed; retrying');
      }
    }
  }

  private async handleEntries(entries: StreamEntry[], wanted: ReadonlySet<string>, handler: InboundHandler): Promise<void> {
    for (const [entryId, fields] of entries) {
      // A null entry was trimmed away while pending: nothing left to take.
      const message = fields ? toMessage(fields) : undefined;
      const parsed = message ? parseSubject(this.prefix, message.subject) : undefined;
      if (message && parsed && wanted.has(parsed.type) && message.origin !== PEYVAND_ORIGIN) {
        try {
          await handler(message);
        } catch (err) {
          // Left pending: XAUTOCLAIM hands it out again after claimIdleMs.
          this.logger.warn({ err, entryId }, 'inbound event not taken; it will be retried');
          continue;
        }
      }
      await this.commands.call('XACK', this.config.stream, this.config.group, entryId);
    }
  }
}

function toMessage(fields: string[]): InboundMessage {
  const get = (name: string): string | undefined => {
    for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
    return undefined;
  };
  return { subject: get('subject') ?? '', payload: get('payload') ?? '', origin: get('origin') };
}

/** Waits `ms`, or less when `signal` aborts (never rejects). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
