/**
 * The SLA clock of one target, as pure transitions on its stored state: start, pause,
 * resume, meet, reopen, re-budget. Each target is its own clock — a next-response target
 * never moves the first-response one. Time is business time of the policy's calendar:
 * `spentMs` is what ran before the current stretch, `runningSince` starts the stretch.
 */
import { addBusinessMs, businessMsBetween, type BusinessCalendar } from './business-time.js';
import type { SlaTargetDto, TargetKind } from './records.js';

/** A target's stored state (one `support_sla_targets` row). */
export interface TargetClock {
  kind: TargetKind;
  policyId: string;
  budgetMs: number;
  spentMs: number;
  runningSince: number | null;
  dueAt: number | null;
  warnAt: number | null;
  state: 'running' | 'paused' | 'met';
  startedAt: number;
  metAt: number | null;
  breached: boolean;
  /** Set by the scheduler when it emitted the warning / breach of the current arming. */
  warnClaimed: boolean;
  breachClaimed: boolean;
}

/** The share of the budget after which a warning is emitted, unless the policy says. */
export const DEFAULT_WARNING_PERCENT = 80;

/** Sets `dueAt` and `warnAt` for a running stretch from `runningSince`, and re-arms the scheduler where they moved ahead. */
function arm(c: TargetClock, calendar: BusinessCalendar, warningPercent: number, now: number): TargetClock {
  if (c.runningSince === null) return { ...c, dueAt: null, warnAt: null };
  const dueAt = addBusinessMs(calendar, c.runningSince, Math.max(0, c.budgetMs - c.spentMs));
  const warnMs = Math.floor((c.budgetMs * warningPercent) / 100);
  const warnAt = addBusinessMs(calendar, c.runningSince, Math.max(0, warnMs - c.spentMs));
  // A due time moved into the future is a fresh deadline: its breach has not happened (no stale escalation).
  const rearmBreach = dueAt > now;
  return {
    ...c,
    dueAt,
    warnAt,
    breachClaimed: rearmBreach ? false : c.breachClaimed,
    breached: rearmBreach && c.metAt === null ? false : c.breached,
    warnClaimed: warnAt > now ? false : c.warnClaimed,
  };
}

/** A new running target of `budgetMinutes` from `now`. */
export function startTarget(kind: TargetKind, policyId: string, budgetMinutes: number, calendar: BusinessCalendar, warningPercent: number, now: number, paused = false): TargetClock {
  const c: TargetClock = { kind, policyId, budgetMs: budgetMinutes * 60_000, spentMs: 0, runningSince: paused ? null : now, dueAt: null, warnAt: null, state: paused ? 'paused' : 'running', startedAt: now, metAt: null, breached: false, warnClaimed: false, breachClaimed: false };
  return arm(c, calendar, warningPercent, now);
}

/** Stops the clock (pending, on hold): the business time so far is kept. */
export function pauseTarget(c: TargetClock, calendar: BusinessCalendar, now: number): TargetClock {
  if (c.state !== 'running' || c.runningSince === null) return c;
  return { ...c, spentMs: c.spentMs + businessMsBetween(calendar, c.runningSince, now), runningSince: null, dueAt: null, warnAt: null, state: 'paused' };
}

/** Restarts a paused clock: what is left of the budget runs from `now`. */
export function resumeTarget(c: TargetClock, calendar: BusinessCalendar, warningPercent: number, now: number): TargetClock {
  if (c.state !== 'paused') return c;
  return arm({ ...c, runningSince: now, state: 'running' }, calendar, warningPercent, now);
}

/** The target is met at `now` (a reply, a solve); late is breached. */
export function meetTarget(c: TargetClock, calendar: BusinessCalendar, now: number): TargetClock {
  if (c.state === 'met') return c;
  const spentMs = c.runningSince === null ? c.spentMs : c.spentMs + businessMsBetween(calendar, c.runningSince, now);
  return { ...c, spentMs, runningSince: null, state: 'met', metAt: now, breached: c.breached || spentMs > c.budgetMs };
}

/** A met target runs again (a solved ticket reopened): the time spent so far still counts. */
export function reopenTarget(c: TargetClock, calendar: BusinessCalendar, warningPercent: number, now: number): TargetClock {
  if (c.state !== 'met') return c;
  return arm({ ...c, state: 'running', metAt: null, runningSince: now }, calendar, warningPercent, now);
}

/** Applies a changed policy (budget, calendar, warning share) to an unmet target. */
export function rebudgetTarget(c: TargetClock, policyId: string, budgetMinutes: number, calendar: BusinessCalendar, warningPercent: number, now: number): TargetClock {
  if (c.state === 'met') return c;
  return arm({ ...c, policyId, budgetMs: budgetMinutes * 60_000 }, calendar, warningPercent, now);
}

/** What the API shows of a target at `now`. */
export function targetView(c: TargetClock, calendar: BusinessCalendar, now: number): SlaTargetDto {
  const minutes = (ms: number) => Math.ceil(ms / 60_000) || 0;
  let remainingMs: number;
  if (c.state === 'running' && c.dueAt !== null) remainingMs = now <= c.dueAt ? businessMsBetween(calendar, now, c.dueAt) : -businessMsBetween(calendar, c.dueAt, now);
  else remainingMs = c.budgetMs - c.spentMs;
  const overdue = c.state === 'running' && c.dueAt !== null && c.dueAt < now;
  return {
    kind: c.kind,
    dueAt: c.dueAt === null ? null : new Date(c.dueAt).toISOString(),
    state: c.breached || overdue ? 'breached' : c.state,
    remainingBusinessMinutes: c.state === 'met' ? Math.max(0, minutes(remainingMs)) : minutes(remainingMs),
  };
}
