/**
 * The real Redis and NATS JetStream on the machine, for transport tests. Each test gets
 * its own subject prefix (so its own Redis stream key and JetStream stream) and removes
 * them in teardown. A broker that cannot be reached fails the test under CI=true and
 * skips it elsewhere (a developer without the service can still run the rest).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { connect, headers } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, AckPolicy, DeliverPolicy } from '@nats-io/jetstream';

/** The brokers the transports speak to. */
export type BrokerKind = 'redis' | 'nats';

const REDIS = process.env.PEYVAND_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const NATS = process.env.PEYVAND_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** A message as it sits in the broker. */
export interface BrokerMessage {
  subject: string;
  payload: string;
  origin: string | undefined;
}

/** A broker namespace for one test. */
export interface TestBroker {
  kind: BrokerKind;
  prefix: string;
  /** `PEYVAND_EVENTS_URL` for this namespace (extra query parameters appended). */
  url(params?: Record<string, string>): string;
  /** Publishes as another service (the ERP) would. */
  publish(subject: string, body: unknown, origin?: string): Promise<void>;
  /** Everything in the namespace's stream, oldest first. */
  messages(): Promise<BrokerMessage[]>;
  /** Takes one inbound message as a consumer that then dies without acknowledging it. */
  takeWithoutAck(type: string, group: string): Promise<string | undefined>;
  cleanup(): Promise<void>;
}

/** Whether the broker answers (within 2 s). */
export async function reachable(kind: BrokerKind): Promise<string | undefined> {
  try {
    if (kind === 'redis') {
      const r = new Redis(REDIS, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => undefined);
      await r.connect();
      await r.ping();
      r.disconnect();
    } else {
      const nc = await connect({ servers: new URL(NATS).host, timeout: 2000, maxReconnectAttempts: 0 });
      await (await jetstreamManager(nc)).getAccountInfo();
      await nc.close();
    }
    return undefined;
  } catch (err) {
    return `${kind} at ${kind === 'redis' ? REDIS : NATS} is not reachable: ${(err as Error).message}`;
  }
}

/** Creates a namespace on `kind`. */
export async function testBroker(kind: BrokerKind): Promise<TestBroker> {
  const prefix = `pt_${randomBytes(4).toString('hex')}`;
  if (kind === 'redis') {
    const redis = new Redis(REDIS, { protocol: 2 });
    const key = `${prefix}.events`;
    return {
      kind,
      prefix,
      url: (params = {}) => `${REDIS}?${new URLSearchParams({ prefix, ...params })}`,
      async publish(subject, body, origin) {
        await redis.call('XADD', key, '*', 'subject', subject, 'id', String((body as { id?: unknown }).id ?? ''), ...(origin ? ['origin', origin] : []), 'payload', typeof body === 'string' ? body : JSON.stringify(body));
      },
      async messages() {
        const entries = (await redis.call('XRANGE', key, '-', '+')) as Array<[string, string[]]>;
        return entries.map(([, f]) => {
          const get = (n: string) => f[f.indexOf(n) + 1];
          return { subject: get('subject') ?? '', payload: get('payload') ?? '', origin: f.includes('origin') ? get('origin') : undefined };
        });
      },
      async takeWithoutAck(_type, group) {
        await redis.call('XGROUP', 'CREATE', key, group, '0', 'MKSTREAM').catch(() => undefined);
        const reply = (await redis.call('XREADGROUP', 'GROUP', group, 'dead-node', 'COUNT', '1', 'STREAMS', key, '>')) as Array<[string, Array<[string, string[]]>]> | null;
        return reply?.[0]?.[1][0]?.[0];
      },
      async cleanup() {
        await redis.del(key);
        redis.disconnect();
      },
    };
  }
  const nc = await connect({ servers: new URL(NATS).host });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const stream = prefix.toUpperCase();
  await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`] });
  return {
    kind,
    prefix,
    url: (params = {}) => `${NATS}?${new URLSearchParams({ prefix, ...params })}`,
    async publish(subject, body, origin) {
      const h = headers();
      if (origin) h.set('Peyvand-Origin', origin);
      await js.publish(subject, typeof body === 'string' ? body : JSON.stringify(body), { headers: h });
    },
    async messages() {
      const info = await jsm.streams.info(stream);
      const out: BrokerMessage[] = [];
      for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
        const m = await jsm.streams.getMessage(stream, { seq });
        if (m) out.push({ subject: m.subject, payload: m.string(), origin: m.header?.get('Peyvand-Origin') || undefined });
      }
      return out;
    },
    async takeWithoutAck(type, group) {
      const durable = `${group}-${type.replace(/[^A-Za-z0-9_-]/g, '_')}`;
      await jsm.consumers.add(stream, { durable_name: durable, filter_subject: `${prefix}.*.${type}`, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ack_wait: 1000 * 1_000_000, max_deliver: -1 });
      const consumer = await js.consumers.get(stream, durable);
      const m = await consumer.next({ expires: 2000 });
      return m?.subject; // never acked: the server redelivers it after ack_wait
    },
    async cleanup() {
      await jsm.streams.delete(stream).catch(() => undefined);
      await nc.close();
    },
  };
}
