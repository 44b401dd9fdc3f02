/**
 * The per-day summary the yearly SLA and response-time reports read (migration 006), so a
 * year is a few thousand summary rows rather than every target and ticket of the year.
 *
 * - `support_sla_daily`: *decided* SLA targets — met, or flagged breached — by the local
 *   day the target started, kind, policy, the ticket's queue, assignee and team, outcome.
 *   Undecided targets (running or paused, not flagged) move with the clock and are counted
 *   live by the report.
 * - `support_time_daily`: first responses and resolutions by the local day they happened,
 *   the ticket's queue, assignee and team, and business-minute bucket ({@link minuteBucket}),
 *   with the exact sum of business ms for the average.
 *
 * A ticket's rows are a pure function of the ticket and its targets ({@link ticketEntries}).
 * Every write that can change them runs inside {@link ReportSummary.track}: the ticket's
 * rows before the change are subtracted and its rows after are added, in the same
 * transaction, so the summary is exact whatever the change was (reply, status, reassignment,
 * merge, SLA policy change or switch-off, the scheduler's breach). Queue, assignee and team
 * are dimensions so that record scope and the queue filter stay answerable; a missing one
 * is stored as '' (NULL would make the unique key not unique on PostgreSQL and MariaDB).
 * Days are in the tenant's time zone; {@link rebuildSummary} recomputes a tenant's rows
 * (migration 006's backfill, and what a change of the tenant's time zone needs).
 */
import type { Knex } from 'knex';
import { readBool, readInt, toJalali, type BigIntColumn, type CalendarKind, type Dialect, type Executor, type PluginData } from '../../../core/plugin/index.js';
import type { SlaDailyRow, SlaTargetRow, TicketRow, TimeDailyRow, TimeMonthlyRow } from './rows.js';
import type { SupportStore } from './store.js';

/** Stored for a ticket without a queue, assignee or team. */
export const NONE = '';

/** The columns of a ticket a summary row depends on. */
export type SummaryTicket = Pick<TicketRow, 'id' | 'queue_id' | 'assignee_id' | 'team_id' | 'merged_into_id' | 'first_response_at' | 'first_response_business_ms' | 'resolved_at' | 'resolution_business_ms'>;

/** The columns of a target a summary row depends on. */
export type SummaryTarget = Pick<SlaTargetRow, 'id' | 'ticket_id' | 'kind' | 'policy_id' | 'state' | 'started_at' | 'breached'>;

/** A ticket's summary rows, each with its count (1) or, summed, a delta. */
export interface SummaryEntries {
  sla: SlaDailyRow[];
  time: TimeDailyRow[];
  monthly: TimeMonthlyRow[];
}

/** No rows. */
const none = (): SummaryEntries => ({ sla: [], time: [], monthly: [] });

const TICKET_COLUMNS = ['id', 'queue_id', 'assignee_id', 'team_id', 'merged_into_id', 'first_response_at', 'first_response_business_ms', 'resolved_at', 'resolution_business_ms'] as const;
const TARGET_COLUMNS = ['id', 'ticket_id', 'kind', 'policy_id', 'state', 'started_at', 'breached'] as const;
const SLA_KEY = ['tenant_id', 'day', 'kind', 'policy_id', 'queue_id', 'assignee_id', 'team_id', 'outcome'] as const;
const TIME_KEY = ['tenant_id', 'day', 'measure', 'queue_id', 'assignee_id', 'team_id', 'bucket'] as const;
const MONTHLY_KEY = ['tenant_id', 'calendar', 'month', 'measure', 'queue_id', 'bucket'] as const;
const MINUTE = 60_000;

/**
 * The histogram bucket of a business time, in whole minutes (the ms are floored to the
 * minute): exact below 1,000 minutes, three significant digits above (width 10 from 1,000,
 * 100 from 10,000, …). A bucket is named by its lower bound, which is what a percentile
 * falling in it reports: exact under 1,000 minutes, under by less than 1 % above.
 */
export function minuteBucket(ms: number): number {
  const m = Math.floor(Math.max(0, ms) / MINUTE);
  if (m < 1000) return m;
  const width = 10 ** (String(m).length - 3);
  return Math.floor(m / width) * width;
}

/**
 * Nearest-rank percentile of a histogram: the lower bound of the first bucket (by value)
 * at which at least `p` % of the counts are at or under it; null when empty.
 */
export function bucketPercentile(histogram: ReadonlyArray<readonly [bucket: number, n: number]>, p: number): number | null {
  const total = histogram.reduce((a, [, n]) => a + n, 0);
  let seen = 0;
  for (const [bucket, n] of [...histogram].sort((a, b) => a[0] - b[0])) {
    seen += n;
    if (n > 0 && seen * 100 >= p * total) return bucket;
  }
  return null;
}

/** Local days as integers `yyyymmdd` in one zone; cached per quarter hour (every zone's offset is a multiple of it). */
export function dayNumbering(timeZone: string): (ms: number) => number {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const cache = new Map<number, number>();
  return (ms) => {
    const slot = Math.floor(ms / 900_000);
    let day = cache.get(slot);
    if (day === undefined) {
      const parts = Object.fromEntries(format.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
      day = Number(`${parts.year}${parts.month}${parts.day}`);
      if (cache.size > 100_000) cache.clear();
      cache.set(slot, day);
    }
    return day;
  };
}

/** Local months as integers `yyyymm` of a calendar in one zone. */
export function monthNumbering(timeZone: string, calendar: CalendarKind): (ms: number) => number {
  if (calendar === 'gregorian') {
    const dayOf = dayNumbering(timeZone);
    return (ms) => Math.floor(dayOf(ms) / 100);
  }
  const cache = new Map<number, number>();
  return (ms) => {
    const slot = Math.floor(ms / 900_000);
    let month = cache.get(slot);
    if (month === undefined) {
      const j = toJalali(new Date(ms), timeZone);
      month = j.year * 100 + j.month;
      if (cache.size > 100_000) cache.clear();
      cache.set(slot, month);
    }
    return month;
  };
}

/** The local day and the months of both calendars of an instant, in one zone. */
export interface LocalClock {
  dayOf(ms: number): number;
  monthOf: Record<CalendarKind, (ms: number) => number>;
}

/** A {@link LocalClock} for a zone. */
export function localClock(timeZone: string): LocalClock {
  return { dayOf: dayNumbering(timeZone), monthOf: { gregorian: monthNumbering(timeZone, 'gregorian'), persian: monthNumbering(timeZone, 'persian') } };
}

/** The summary rows of one ticket (n = 1 each); none for a merged ticket. */
export function ticketEntries(tenantId: string, ticket: SummaryTicket, targets: readonly SummaryTarget[], clock: LocalClock): SummaryEntries {
  const out = none();
  const { dayOf } = clock;
  if (ticket.merged_into_id != null) return out;
  const dims = { tenant_id: tenantId, queue_id: ticket.queue_id ?? NONE, assignee_id: ticket.assignee_id ?? NONE, team_id: ticket.team_id ?? NONE };
  for (const target of targets) {
    // The report's outcome: a flagged breach first, then met; anything else is undecided and counted live.
    const outcome = readBool(target.breached) ? 'breached' : target.state === 'met' ? 'met' : undefined;
    if (outcome) out.sla.push({ ...dims, day: dayOf(readInt(target.started_at)), kind: target.kind, policy_id: target.policy_id, outcome, n: 1 });
  }
  for (const [measure, at, value] of [['first_response', ticket.first_response_at, ticket.first_response_business_ms], ['resolution', ticket.resolved_at, ticket.resolution_business_ms]] as const) {
    if (at == null || value == null) continue;
    const ms = readInt(value);
    const instant = readInt(at);
    const bucket = minuteBucket(ms);
    out.time.push({ ...dims, day: dayOf(instant), measure, bucket, n: 1, total_ms: ms });
    for (const calendar of ['gregorian', 'persian'] as const) out.monthly.push({ tenant_id: tenantId, calendar, month: clock.monthOf[calendar](instant), measure, queue_id: dims.queue_id, bucket, n: 1, total_ms: ms });
  }
  return out;
}

/** Maintains the summary inside the transactions that change tickets and targets. */
export class ReportSummary {
  constructor(private readonly store: SupportStore, private readonly data: PluginData) {}

  /**
   * Runs `work` (which changes the given tickets) and moves the summary by the difference
   * of the tickets' rows after and before it. Call it once per transaction and ticket —
   * a nested call would count the change twice.
   */
  async track<T>(trx: Knex.Transaction, tenantId: string, ticketIds: readonly string[], work: () => Promise<T>): Promise<T> {
    const old = await this.entries(trx, tenantId, ticketIds);
    const result = await work();
    await applyDelta(this.tables(trx, tenantId), await this.entries(trx, tenantId, ticketIds), old);
    return result;
  }

  /** Adds the rows of tickets that had none (just created). */
  async add(trx: Knex.Transaction, tenantId: string, ticketIds: readonly string[]): Promise<void> {
    await applyDelta(this.tables(trx, tenantId), await this.entries(trx, tenantId, ticketIds), none());
  }

  /** The summary tables of one tenant, in `trx`, through the tenant-scoped data layer. */
  private tables(trx: Knex.Transaction, tenantId: string): SummaryTables {
    const scope = this.data.forTenant(tenantId, trx);
    return { dialect: this.data.dialect, name: (n) => this.data.table(`support_${n}`), into: (n) => scope.from(`support_${n}`), raw: (sql, bindings) => this.data.raw(sql, bindings) };
  }

  private async entries(trx: Executor, tenantId: string, ticketIds: readonly string[]): Promise<SummaryEntries> {
    const out = none();
    if (ticketIds.length === 0) return out;
    const clock = localClock((await this.store.tenantSettings(trx, tenantId)).timeZone);
    const tickets = await this.store.rows(trx, 'tickets', tenantId).whereIn('id', [...ticketIds]).select<SummaryTicket[]>(...TICKET_COLUMNS);
    const targets = await this.store.rows(trx, 'sla_targets', tenantId).whereIn('ticket_id', [...ticketIds]).select<SummaryTarget[]>(...TARGET_COLUMNS);
    for (const ticket of tickets) {
      const e = ticketEntries(tenantId, ticket, targets.filter((t) => t.ticket_id === ticket.id), clock);
      out.sla.push(...e.sla);
      out.time.push(...e.time);
      out.monthly.push(...e.monthly);
    }
    return out;
  }
}

/** Sums rows with the same key: `plus` counted +1, `minus` −1; keys whose sum is zero dropped; sorted by key (a fixed lock order). */
function net<R extends { n: BigIntColumn }>(plus: readonly R[], minus: readonly R[], key: readonly (keyof R)[], sums: readonly (keyof R & string)[]): R[] {
  const map = new Map<string, R>();
  for (const [rows, sign] of [[plus, 1], [minus, -1]] as const) {
    for (const row of rows) {
      const k = JSON.stringify(key.map((c) => row[c]));
      const acc = map.get(k) ?? ({ ...row, ...Object.fromEntries(sums.map((s) => [s, 0])) } as R);
      for (const s of sums) (acc as Record<string, unknown>)[s] = Number(acc[s]) + sign * Number(row[s]);
      map.set(k, acc);
    }
  }
  return [...map].filter(([, r]) => sums.some((s) => Number(r[s]) !== 0)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

/**
 * Adds `plus` and subtracts `minus` from the summary tables: one upsert per table that
 * increments an existing row or inserts a new one (concurrent writers of the same day
 * and dimensions meet on the unique key, never on a read-modify-write).
 */
async function applyDelta(tables: SummaryTables, plus: SummaryEntries, minus: SummaryEntries): Promise<void> {
  await upsert(tables, 'sla_daily', net(plus.sla, minus.sla, SLA_KEY, ['n']), SLA_KEY, ['n']);
  await upsert(tables, 'time_daily', net(plus.time, minus.time, TIME_KEY, ['n', 'total_ms']), TIME_KEY, ['n', 'total_ms']);
  await upsert(tables, 'time_monthly', net(plus.monthly, minus.monthly, MONTHLY_KEY, ['n', 'total_ms']), MONTHLY_KEY, ['n', 'total_ms']);
}

/** A summary table by its short name. */
type SummaryTable = 'sla_daily' | 'time_daily' | 'time_monthly';

/**
 * Where {@link applyDelta} writes: a request writes one tenant's rows through `ctx.data`
 * (tenant-scoped), the backfill every tenant's through the migration's knex.
 */
interface SummaryTables {
  dialect: Dialect;
  /** The real table name, for the qualified column of PostgreSQL's and SQLite's `excluded`. */
  name: (table: SummaryTable) => string;
  into: (table: SummaryTable) => Knex.QueryBuilder;
  raw: (sql: string, bindings: readonly Knex.RawBinding[]) => Knex.Raw;
}

async function upsert(tables: SummaryTables, table: SummaryTable, rows: ReadonlyArray<object>, key: readonly string[], sums: readonly string[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const merge = Object.fromEntries(sums.map((c) => [c, tables.dialect === 'mysql' ? tables.raw('?? + VALUES(??)', [c, c]) : tables.raw('??.?? + excluded.??', [tables.name(table), c, c])]));
    await tables.into(table).insert(rows.slice(i, i + 500)).onConflict([...key]).merge(merge);
  }
}

/**
 * Recomputes the summary from the tickets and targets, in batches of tickets: every
 * tenant's (migration 006's backfill) or one tenant's rows (after a change of its time
 * zone), deleted first.
 */
export async function rebuildSummary(knex: Knex, dialect: Dialect, table: (name: string) => string, options: { tenantId?: string; batchSize?: number } = {}): Promise<void> {
  const batchSize = options.batchSize ?? 2_000;
  const tenantScope = <Q extends Knex.QueryBuilder>(q: Q): Q => (options.tenantId ? (q.where('tenant_id', options.tenantId) as Q) : q);
  for (const name of ['support_sla_daily', 'support_time_daily', 'support_time_monthly']) await tenantScope(knex(table(name))).delete();
  const zones = new Map<string, LocalClock>();
  const tenants = knex(table('tenants')).select<Array<{ id: string; time_zone: string | null }>>('id', 'time_zone');
  if (options.tenantId) tenants.where('id', options.tenantId);
  for (const t of await tenants) zones.set(t.id, localClock(t.time_zone ?? 'UTC'));
  let after = '';
  for (;;) {
    const tickets = await tenantScope(knex(table('support_tickets'))).whereNull('merged_into_id').where('id', '>', after).orderBy('id').limit(batchSize).select<Array<SummaryTicket & { tenant_id: string }>>('tenant_id', ...TICKET_COLUMNS);
    if (tickets.length === 0) return;
    const targets = await knex(table('support_sla_targets')).whereIn('ticket_id', tickets.map((t) => t.id)).select<SummaryTarget[]>(...TARGET_COLUMNS);
    const byTicket = new Map<string, SummaryTarget[]>();
    for (const target of targets) byTicket.set(target.ticket_id, [...(byTicket.get(target.ticket_id) ?? []), target]);
    const batch = none();
    for (const ticket of tickets) {
      const e = ticketEntries(ticket.tenant_id, ticket, byTicket.get(ticket.id) ?? [], zones.get(ticket.tenant_id) ?? localClock('UTC'));
      batch.sla.push(...e.sla);
      batch.time.push(...e.time);
      batch.monthly.push(...e.monthly);
    }
    await applyDelta({ dialect, name: (n) => table(`support_${n}`), into: (n) => knex(table(`support_${n}`)), raw: (sql, bindings) => knex.raw(sql, bindings) }, batch, none());
    after = tickets[tickets.length - 1]!.id;
  }
}
