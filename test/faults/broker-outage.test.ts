/**
 * The broker goes away and comes back while events are written. A private redis-server
 * (append-only file, fsync always) and a private nats-server -js (its own store) run on
 * free ports — the shared servers are never touched — and `peyvand serve` publishes its
 * outbox to them (PEYVAND_EVENTS_URL). The broker is stopped under concurrent creates and
 * started again: the creates keep being acknowledged, their events wait in the outbox,
 * and once the broker is back every event reaches it (counted by id in the stream).
 */
import t from 'tap';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { connect as natsConnect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '../../core/db/connect.js';
import { createTestDatabase } from '../helpers/database.js';
import { newWriteLog, serverEnv, startServer, tenantKey, waitFor, writeConcurrently } from './fault-harness.js';

t.setTimeout(120_000);

/** A port nobody listens on now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** A broker process of this test; `start` again after `stop` reuses its port and its store. */
interface PrivateBroker {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The ids of every event in the broker's stream. */
  eventIds(): Promise<string[]>;
}

const PREFIX = 'faults';

async function privateBroker(kind: 'redis' | 'nats', dir: string): Promise<PrivateBroker> {
  const port = await freePort();
  const [command, args] =
    kind === 'redis'
      ? ['redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir]]
      : ['nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir]];
  let child: ChildProcess | undefined;
  const broker: PrivateBroker = {
    url: `${kind}://127.0.0.1:${port}?prefix=${PREFIX}`,
    async start() {
      child = spawn(command, args as string[], { stdio: 'ignore' });
      if (!(await waitFor(() => listening(port), 10_000))) throw new Error(`${command} did not listen on ${port}`);
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
    async eventIds() {
      if (kind === 'redis') {
        const redis = new Redis(`redis://127.0.0.1:${port}`, { protocol: 2 });
        try {
          const entries = (await redis.call('XRANGE', `${PREFIX}.events`, '-', '+')) as Array<[string, string[]]>;
          return entries.map(([, fields]) => fields[fields.indexOf('id') + 1]!);
        } finally {
          redis.disconnect();
        }
      }
      const nc = await natsConnect({ servers: `127.0.0.1:${port}` });
      try {
        const jsm = await jetstreamManager(nc);
        const info = await jsm.streams.info(PREFIX.toUpperCase());
        const ids: string[] = [];
        for (let seq = info.state.first_seq; info.state.messages > 0 && seq <= info.state.last_seq; seq++) {
          const message = await jsm.streams.getMessage(PREFIX.toUpperCase(), { seq });
          if (message) ids.push(String((JSON.parse(message.string()) as { id: string }).id));
        }
        return ids;
      } finally {
        await nc.close();
      }
    },
  };
  return broker;
}

for (const kind of ['redis', 'nats'] as const) {
  t.test(`${kind} stopped and started again under writes: events wait in the outbox and none is lost`, async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `peyvand-${kind}-`));
    const broker = await privateBroker(kind, dir);
    await broker.start();
    const db = await createTestDatabase();
    const server = await startServer(serverEnv(db.url, { PEYVAND_EVENTS_URL: broker.url }), process.cwd());
    const knex = connect(db.url);
    t.teardown(async () => {
      await knex.destroy();
      if (server.child.exitCode === null) await server.kill();
      await broker.stop();
      await db.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const key = await tenantKey(server, `${kind}-outage`);
    const outboxIds = async () => (await knex('crm_outbox').where('type', 'customer.created').select('id')).map((r) => String(r.id));
    const inBroker = async () => new Set(await broker.eventIds());

    const log = newWriteLog();
    let stop = false;
    const writing = writeConcurrently(server.url, key, 3, kind, log, () => stop);
    t.ok(await waitFor(() => log.created.length >= 20, 20_000), 'writes flow while the broker is up');
    t.ok(await waitFor(async () => (await inBroker()).size >= 10, 20_000), 'and their events reach it');

    await broker.stop();
    const atStop = log.created.length;
    t.ok(await waitFor(() => log.created.length >= atStop + 40, 30_000), 'writes are acknowledged while the broker is down');
    const waiting = (await outboxIds()).length;
    t.comment(`broker down: ${log.created.length - atStop} creates acknowledged meanwhile, ${waiting} events in the outbox`);

    await broker.start();
    const atRestart = log.created.length;
    t.ok(await waitFor(() => log.created.length >= atRestart + 20, 20_000), 'writes go on after the broker is back');
    stop = true;
    await writing;
    t.equal(log.refused.length + log.noAnswer, 0, 'no write was refused or lost its answer at any time');

    const expected = await outboxIds();
    t.same(await acknowledgedEvents(knex, log.created), log.created.length, 'every acknowledged create has its event in the outbox');
    const arrived = await waitFor(async () => {
      const seen = await inBroker();
      return expected.every((id) => seen.has(id));
    }, 30_000);
    const seen = await inBroker();
    t.ok(arrived, 'the events held during the outage flowed once the broker was back');
    t.equal(expected.filter((id) => !seen.has(id)).length, 0, `none of the ${expected.length} events is missing from the broker (by id)`);
  });
}

/** How many of the created ids have a customer.created event in the outbox. */
async function acknowledgedEvents(knex: ReturnType<typeof connect>, created: readonly string[]): Promise<number> {
  let found = 0;
  for (let i = 0; i < created.length; i += 500) {
    const rows = await knex('crm_outbox').where('type', 'customer.created').whereIn('aggregate_id', created.slice(i, i + 500)).countDistinct({ n: 'aggregate_id' });
    found += Number(rows[0]?.n ?? 0);
  }
  return found;
}
