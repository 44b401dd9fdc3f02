/**
 * The durable loyalty scheduler: lots that lapse, tiers due for their period-end review,
 * stages due to turn lapsed. Due work lives in `loyalty_schedule` rows; a round reads
 * candidates, then handles each in ONE transaction that takes the customer's account
 * lock and claims the row by deleting it (`DELETE … WHERE id = ?` must delete exactly
 * one row, or another kernel claimed it first and this one rolls back). The claim, the
 * `expire` entry (keyed `expire:<lotId>`, unique) and its event commit together or not
 * at all, so across crashes, restarts and several kernels each lot expires exactly once.
 */
import { PollingLoop, type PluginContext } from '../../../core/plugin/index.js';
import { readInt } from '../../../core/plugin/index.js';
import type { AccountService } from './accounts.js';
import type { Ledger } from './ledger.js';
import type { StageService } from './stages.js';
import type { LoyaltyStore } from './store.js';
import type { TierService } from './tiers.js';

/** Scheduler tuning. */
export interface LoyaltySchedulerOptions {
  intervalMs: number;
  batchSize: number;
}

/** Runs due loyalty work. */
export class LoyaltyScheduler {
  private readonly loop: PollingLoop;

  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: LoyaltyStore,
    private readonly ledger: Ledger,
    private readonly accounts: AccountService,
    private readonly tiers: TierService,
    private readonly stages: StageService,
    private readonly options: LoyaltySchedulerOptions,
  ) {
    this.loop = new PollingLoop({ name: 'loyalty scheduler', intervalMs: options.intervalMs, logger: ctx.logger, pass: async () => (await this.runOnce()) === options.batchSize });
  }

  /** Starts polling (bootstrap does this when the kernel runs background work). */
  start(): void {
    this.loop.start();
  }

  /** Stops polling and waits for the round in flight. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One round: handles what is due by `now`; returns how many items were claimed. Tests call it directly. */
  async runOnce(now = Date.now()): Promise<number> {
    const due = await this.ctx.db.knex(this.store.table('schedule')).where('due_at', '<=', now).orderBy('due_at').limit(this.options.batchSize);
    const enabled = new Map<string, boolean>();
    let claimed = 0;
    for (const item of due) {
      const tenantId = String(item.tenant_id);
      // A tenant that switched loyalty off keeps its due work for when it comes back.
      if (!enabled.has(tenantId)) enabled.set(tenantId, await this.ctx.tenants.isEnabled(tenantId, this.ctx.name));
      if (!enabled.get(tenantId)) continue;
      const done = await this.accounts.withAccount(tenantId, String(item.customer_id), async ({ trx, account, state, program, timeZone }) => {
        const deleted = await this.store.rows(trx, 'schedule', tenantId).where({ id: item.id }).delete();
        if (deleted !== 1) return false;
        const dueAt = readInt(item.due_at);
        if (item.kind === 'expire') {
          const lot = state.lots.find((l) => l.id === item.ref_id);
          const points = lot ? lot.remaining : 0;
          await this.ledger.append(trx, tenantId, String(item.customer_id), [{ type: 'expire', points: -points, reason: 'expiry', source: { type: 'lot', id: String(item.ref_id) }, lotId: String(item.ref_id), idemKey: `expire:${String(item.ref_id)}`, effectiveAt: dueAt }], Math.max(now, dueAt));
        } else if (item.kind === 'tier' && program) {
          await this.tiers.review(trx, tenantId, String(item.customer_id), account, program, dueAt, timeZone);
        } else if (item.kind === 'stage') {
          await this.stages.refresh(trx, tenantId, String(item.customer_id), account, now);
        }
        return true;
      });
      if (done) claimed++;
    }
    return claimed;
  }
}
