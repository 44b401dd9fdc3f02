/**
 * Builds the plugin's services from its context. Routes, subscribers and bootstrap each
 * call it; the services keep their state in the database (the scheduler's loop is the
 * one exception, started only by bootstrap), so building them twice shares nothing.
 */
import type { PluginContext } from '../../../core/plugin/index.js';
import type { LoyaltyOptions } from '../options.js';
import { AccountService } from './accounts.js';
import { AnalyticsService } from './analytics.js';
import { DAY_MS } from './dates.js';
import { EarningService } from './earning.js';
import { Ledger } from './ledger.js';
import { OrderProjection } from './orders.js';
import { ProgramService } from './program.js';
import { ReferralService } from './referrals.js';
import { RewardService } from './rewards.js';
import { LoyaltyScheduler } from './scheduler.js';
import { StageService } from './stages.js';
import { LoyaltyStore } from './store.js';
import { TierService } from './tiers.js';

/** Everything the loyalty plugin can do; also what it exports to other plugins. */
export interface LoyaltyServices {
  store: LoyaltyStore;
  programs: ProgramService;
  ledger: Ledger;
  accounts: AccountService;
  tiers: TierService;
  earning: EarningService;
  projection: OrderProjection;
  rewards: RewardService;
  referrals: ReferralService;
  analytics: AnalyticsService;
  scheduler: LoyaltyScheduler;
}

/** Wires the services for one kernel. */
export function createLoyaltyServices(ctx: PluginContext<LoyaltyOptions>): LoyaltyServices {
  const base: PluginContext<unknown> = ctx;
  const store = new LoyaltyStore(ctx.db);
  const programs = new ProgramService(base, store);
  const ledger = new Ledger(base, store);
  const tiers = new TierService(base, store);
  const stages = new StageService(base, store);
  const accounts = new AccountService(base, store, ledger, programs, tiers, ctx.options.expiringSoonDays * DAY_MS);
  const projection = new OrderProjection(base, store);
  return {
    store,
    programs,
    ledger,
    accounts,
    tiers,
    earning: new EarningService(base, store, ledger, accounts, tiers, projection, stages),
    projection,
    rewards: new RewardService(base, store, ledger, accounts),
    referrals: new ReferralService(base, store, accounts),
    analytics: new AnalyticsService(base, store, programs, stages),
    scheduler: new LoyaltyScheduler(base, store, ledger, accounts, tiers, stages, { intervalMs: ctx.options.schedulerIntervalMs, batchSize: ctx.options.schedulerBatchSize }),
  };
}
