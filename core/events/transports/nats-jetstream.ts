/**
 * NATS JetStream transport. One stream (`PEYVAND` unless `?stream=`) holds the subjects
 * `<prefix>.>`; it is created when missing and left alone when an operator made it.
 *
 * Outbound: `js.publish(<prefix>.<tenant>.<type>, envelope)` with the event id as
 * `Nats-Msg-Id`, so a redelivery by the dispatcher within the stream's duplicate window
 * is dropped by the server, and a `Peyvand-Origin` header.
 * Inbound: one durable pull consumer per declared inbound type
 * (`<group>-<type with dots as _>`, filter `<prefix>.*.<type>`), shared by every node;
 * a message is acked once taken into the outbox (or recorded as rejected), and
 * redelivered by the server after `ack_wait` when a node died holding it.
 */
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JetStreamClient } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { SubscriberUnavailableError } from '../../plugin/delivery-errors.js';
import { isConnectionError, PEYVAND_ORIGIN, type EventEnvelope, type EventTransport, type InboundHandler, type TransportConfig } from './transport.js';

const MS = 1_000_000; // JetStream durations are nanoseconds

/** NATS JetStream adapter. */
export class NatsJetStreamTransport implements EventTransport {
  readonly kind = 'nats' as const;
  readonly prefix: string;
  private connection: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private readonly subscriptions: ConsumerMessages[] = [];
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly config: TransportConfig,
    private readonly logger: Logger,
  ) {
    this.prefix = config.prefix;
  }

  async connect(): Promise<void> {
    const url = new URL(this.config.url);
    this.connection = await connect({
      servers: `${url.hostname}:${url.port || '4222'}`,
      ...(url.username && { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }),
      ...(url.protocol === 'tls:' && { tls: {} }),
      name: `peyvand-${process.pid}`,
      timeout: 5000,
      maxReconnectAttempts: -1,
    });
    const jsm = await jetstreamManager(this.connection);
    try {
      await jsm.streams.info(this.config.stream);
    } catch (err) {
      if (!/not found/i.test((err as Error).message)) throw err;
      await jsm.streams.add({ name: this.config.stream, subjects: [`${this.prefix}.>`], duplicate_window: 120_000 * MS });
    }
    this.js = jetstream(this.connection);
  }

  async publish(subject: string, envelope: EventEnvelope): Promise<void> {
    const h = headers();
    h.set('Peyvand-Origin', PEYVAND_ORIGIN);
    try {
      await this.js!.publish(subject, JSON.stringify(envelope), { msgID: envelope.id, headers: h, timeout: 5000 });
    } catch (err) {
      const name = (err as Error).name;
      if (isConnectionError(err) || /Timeout|NoResponders|ClosedConnection|Connection/i.test(name)) throw new SubscriberUnavailableError(`nats: ${(err as Error).message}`, { cause: err });
      throw err;
    }
  }

  async consume(types: readonly string[], handler: InboundHandler): Promise<void> {
    const jsm = await jetstreamManager(this.connection!);
    for (const type of types) {
      const durable = `${this.config.group}-${type.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 200);
      try {
        await jsm.consumers.add(this.config.stream, {
          durable_name: durable,
          filter_subject: `${this.prefix}.*.${type}`,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: this.config.claimIdleMs * MS,
          max_deliver: -1,
        });
      } catch (err) {
        // Made earlier (by this or another node) with other settings: use it as it is.
        if (!/already in use|exists/i.test((err as Error).message)) throw err;
      }
      const consumer = await this.js!.consumers.get(this.config.stream, durable);
      const messages = await consumer.consume({ max_messages: 100 });
      this.subscriptions.push(messages);
      this.loops.push(this.drainMessages(messages, handler));
    }
  }

  async close(): Promise<void> {
    for (const messages of this.subscriptions) await messages.close().catch(() => undefined);
    await Promise.allSettled(this.loops);
    await this.connection?.drain().catch(() => this.connection?.close());
  }

  private async drainMessages(messages: ConsumerMessages, handler: InboundHandler): Promise<void> {
    for await (const m of messages) {
      const origin = m.headers?.get('Peyvand-Origin') || undefined;
      if (origin === PEYVAND_ORIGIN) {
        m.ack();
        continue;
      }
      try {
        await handler({ subject: m.subject, payload: m.string(), origin });
        m.ack();
      } catch (err) {
        // Not taken (the database is down, say): the server hands it out again later.
        this.logger.warn({ err, subject: m.subject }, 'inbound event not taken; it will be retried');
        m.nak(Math.min(5000, this.config.claimIdleMs));
      }
    }
  }
}
