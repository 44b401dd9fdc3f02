/**
 * Two real dispatcher processes on one PostgreSQL (or MariaDB) database; the busier one
 * is SIGKILLed mid-batch. Every event still reaches every subscriber; no two processes
 * deliver to one subscriber at the same time; the only duplicates are deliveries the
 * killed process made without committing, redelivered after its lease expired.
 * SQLite is single-process by design, so this test needs PEYVAND_TEST_DB=postgres|mysql.
 */
import t from 'tap';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createKernel } from '../../../core/kernel/kernel.js';
import { newId } from '../../../core/index.js';
import { createTestDatabase, testDialect } from '../../helpers/database.js';
import { readRecord, recorderPlugin, type RecordedDelivery } from '../../fixtures/recorder-plugin.js';

/**
 * Delivery intervals to one subscriber, sorted by start. A delivery the killed process
 * had started and never finished ends at the kill.
 */
function intervals(rows: RecordedDelivery[], subscriber: string, killedAt: number): Array<{ node: string; start: number; end: number }> {
  const open = new Map<string, { node: string; start: number }>();
  const spans: Array<{ node: string; start: number; end: number }> = [];
  for (const r of rows.filter((row) => row.subscriber === subscriber)) {
    const key = `${r.node} ${r.eventId}`;
    if (r.phase === 'start') open.set(key, { node: r.node, start: r.at });
    else {
      spans.push({ node: r.node, start: open.get(key)?.start ?? r.at, end: r.at });
      open.delete(key);
    }
  }
  for (const { node, start } of open.values()) spans.push({ node, start, end: killedAt });
  return spans.sort((x, y) => x.start - y.start);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ends = (rows: RecordedDelivery[]) => rows.filter((r) => r.phase === 'end');

// Multi-node dispatch is for PostgreSQL and MariaDB (CI runs this file on both). SQLite
// is single-process by design: what holds there is that its connection is the only writer.
if (testDialect() === 'sqlite') {
  t.test('SQLite runs one writer connection per process', async (t) => {
    const { knexConfigFor } = await import('../../../core/db/connect.js');
    t.equal((knexConfigFor('sqlite::memory:').pool as { max?: number }).max, 1);
  });
} else t.test('a node killed mid-batch loses nothing', async (t) => {
  const LEASE_MS = 1500;
  const db = await createTestDatabase();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-kill-'));
  const record = path.join(dir, 'deliveries.tsv');
  const secret = randomBytes(32).toString('hex');
  const children: ChildProcess[] = [];
  // The parent migrates and creates the progress rows at 0, so the nodes deliver everything.
  const kernel = await createKernel({ databaseUrl: db.url, secret, logger: pino({ level: 'silent' }), plugins: [recorderPlugin({ file: record, node: 'parent' })], dispatch: false });
  t.teardown(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await kernel.close();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const tenant = await kernel.tenants.create({ slug: 'kill', name: 'Kill', plugins: ['recorder'] });

  async function emit(count: number, label: string): Promise<void> {
    for (let done = 0; done < count; done += 100) {
      await kernel.db.transaction(async (trx) => {
        for (let i = done; i < Math.min(count, done + 100); i++) {
          const type = i % 3 === 2 ? 'customer.updated' : 'customer.created';
          await kernel.outbox.emitUntyped(trx, type, { customer: { name: `${label}-${i}` } }, { tenantId: tenant.id, aggregateType: 'customer', aggregateId: newId() });
        }
      });
    }
  }

  function startNode(node: string): Promise<ChildProcess & { output: string[] }> {
    const child = Object.assign(
      spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/dispatch-node.ts'], {
        env: { ...process.env, DATABASE_URL: db.url, PEYVAND_SECRET: secret, PEYVAND_NODE_ID: node, PEYVAND_LEASE_MS: String(LEASE_MS), PEYVAND_RECORD_FILE: record, PEYVAND_RECORD_DELAY_MS: '2' },
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
      { output: [] as string[] },
    );
    children.push(child);
    return new Promise((resolve, reject) => {
      child.stdout!.setEncoding('utf8').on('data', (text: string) => {
        child.output.push(...text.split('\n').filter(Boolean));
        if (child.output.includes('ready')) resolve(child);
      });
      child.once('exit', (code) => reject(new Error(`node ${node} exited (${code}) before it was ready`)));
    });
  }

  // Both nodes run before the backlog exists, so both compete for it from the start.
  const [a, b] = await Promise.all([startNode('A'), startNode('B')]);
  await emit(1500, 'before');
  // Kill the node that delivered last, while the backlog is being worked through.
  let victim: ChildProcess | undefined;
  let victimName = '';
  for (let i = 0; i < 400 && !victim; i++) {
    await sleep(10);
    const rows = ends(readRecord(record));
    if (rows.length >= 300) {
      victimName = rows.at(-1)!.node;
      victim = victimName === 'A' ? a : b;
    }
  }
  t.ok(victim, 'the nodes were delivering');
  const killedAt = Date.now();
  const atKill = ends(readRecord(record)).length;
  victim!.kill('SIGKILL');
  await new Promise((r) => victim!.once('exit', r));
  const survivor = victim === a ? b : a;
  await emit(300, 'after');

  const outbox = await kernel.db.knex(kernel.db.table('outbox')).where('type', 'like', 'customer.%').select('id', 'type');
  const expected = { 'recorder.all': outbox.map((e) => String(e.id)), 'recorder.created': outbox.filter((e) => e.type === 'customer.created').map((e) => String(e.id)) };
  const complete = () => {
    const rows = ends(readRecord(record));
    return Object.entries(expected).every(([sub, ids]) => {
      const got = new Set(rows.filter((r) => r.subscriber === sub).map((r) => r.eventId));
      return ids.every((id) => got.has(id));
    });
  };
  for (let i = 0; i < 600 && !complete(); i++) await sleep(100);
  survivor.kill('SIGTERM');
  await new Promise((r) => survivor.once('exit', r));
  const stats = JSON.parse(survivor.output.at(-1) ?? '{}') as { leaseTakeovers?: number };

  const rows = readRecord(record);
  const delivered = ends(rows);
  let duplicates = 0;
  for (const [sub, ids] of Object.entries(expected)) {
    const mine = delivered.filter((r) => r.subscriber === sub);
    const seen = new Set(mine.map((r) => r.eventId));
    t.equal(ids.filter((id) => !seen.has(id)).length, 0, `${sub}: every one of ${ids.length} events delivered, none lost`);
    const byEvent = new Map<string, RecordedDelivery[]>();
    for (const r of mine) byEvent.set(r.eventId, [...(byEvent.get(r.eventId) ?? []), r]);
    const twice = [...byEvent.values()].filter((list) => list.length > 1);
    duplicates += twice.length;
    // A duplicate is legitimate only as a redelivery after the killed node's lease expired.
    const wrong = twice.filter((list) => !(list[0]!.node === victimName && list.slice(1).every((r) => r.at >= killedAt)));
    t.same(wrong, [], `${sub}: duplicates are only redeliveries of the killed node's uncommitted work`);
    // One node at a time: no delivery interval of one process overlaps another's.
    const spans = intervals(rows, sub, killedAt);
    const overlap = spans.find((span, i) => i > 0 && span.node !== spans[i - 1]!.node && span.start < spans[i - 1]!.end);
    t.notOk(overlap, `${sub}: no two processes delivered to it at the same time`);
  }
  t.ok((stats.leaseTakeovers ?? 0) >= 1, 'the survivor took over the killed node’s lease after it expired');
  const byNode = (node: string) => delivered.filter((r) => r.node === node).length;
  t.comment(`killed ${victimName} after ${atKill} recorded deliveries (A ${byNode('A')}, B ${byNode('B')} in all); duplicates after lease expiry: ${duplicates}; survivor stats ${JSON.stringify(stats)}`);
});
