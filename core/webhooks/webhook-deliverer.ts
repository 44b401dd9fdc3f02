/**
 * The delivery engine: sends due deliveries, logs every attempt, retries with
 * exponential backoff and jitter, and pauses a subscription that keeps failing.
 *
 * Ordering: a delivery is due only when no earlier delivery (lower outbox seq) of the
 * same subscription and aggregate is still pending or retrying, so a later event for one
 * customer waits until the earlier one was delivered or went dead.
 *
 * Claims: a sender sets `lease_until` with a conditional update that also checks the
 * state it read; only one sender (this node's loop, the retry route, another node) wins,
 * and a sender that dies leaves a lease that expires, after which the delivery is sent
 * again: at least once.
 *
 * @module
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { readBool, readInt } from '../db/database.js';
import { newId } from '../plugin/ids.js';
import { coreError } from '../plugin/errors.js';
import type { ChangeAuthor } from '../audit/audit-log.js';
import type { ChangeRecorder } from '../audit/change-recorder.js';
import { eventFromRow } from '../events/outbox.js';
import type { WebhookDeliveryRow, WebhookRow } from '../db/rows/webhooks.js';
import { CORE_VERSION } from '../plugin/version.js';
import { checkTarget, describeRefusal } from './address-guard.js';
import { postWebhook, type PostOutcome } from './webhook-http.js';
import { PollingLoop } from '../plugin/polling-loop.js';
import { backoffDelay } from '../plugin/backoff.js';
import { signatureHeader } from '../plugin/webhook-signature.js';
import type { WebhookService } from './webhook-service.js';
import type { WebhookSettings } from './webhook-settings.js';
import type { PauseReason } from './webhook-types.js';

type Row = WebhookDeliveryRow;
const WAITING = ['pending', 'retrying'];
const ENGINE: Omit<ChangeAuthor, 'tenantId'> = { subject: 'system:webhooks', kind: 'system' };

/** Sends webhook deliveries. */
export class WebhookDeliverer {
  private readonly loop: PollingLoop;
  private readonly slugs = new Map<string, string>();

  constructor(
    private readonly db: Database,
    private readonly webhooks: WebhookService,
    private readonly changes: ChangeRecorder,
    private readonly settings: WebhookSettings,
    private readonly logger: Logger,
  ) {
    this.loop = new PollingLoop({ name: 'webhook delivery', intervalMs: settings.pollIntervalMs, logger, pass: async () => (await this.runOnce()) > 0 });
  }

  /** Starts the loop. */
  start(): void {
    this.loop.start();
  }

  /** Stops the loop and waits for the attempts in flight. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Asks for a pass soon (new deliveries, a resumed subscription). */
  wake(): void {
    this.loop.wake();
  }

  /** Sends everything due now; returns how many deliveries were attempted. Tests call it directly. */
  async runOnce(): Promise<number> {
    const now = Date.now();
    const claimed: Row[] = [];
    for (const row of await this.due(now)) if (await this.claim(row, now, true)) claimed.push(row);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < claimed.length) await this.attempt(claimed[next++]!, 'schedule');
    };
    await Promise.all(Array.from({ length: Math.min(this.settings.concurrency, claimed.length) }, worker));
    return claimed.length;
  }

  /** Passes until nothing is due (tests, shutdown). */
  async drain(maxRounds = 100): Promise<void> {
    for (let i = 0; i < maxRounds; i++) if ((await this.runOnce()) === 0) return;
  }

  /**
   * The retry route: sends one delivery now, whatever its state (dead, delivered,
   * waiting) and without waiting for earlier events — an operator's explicit choice.
   * A failure is logged but neither kills the delivery nor counts towards pausing.
   */
  async retryNow(by: ChangeAuthor, row: Row): Promise<void> {
    if (!(await this.claim(row, Date.now(), false))) throw coreError('WEBHOOK_DELIVERY_IN_FLIGHT');
    await this.attempt(row, 'manual', by);
  }

  /** Due deliveries of active subscriptions whose aggregate has nothing earlier waiting. */
  private due(now: number): Promise<Row[]> {
    const deliveries = this.db.table('webhook_deliveries');
    return this.db
      .knex({ d: deliveries })
      .join({ w: this.db.table('webhooks') }, 'w.id', 'd.webhook_id')
      .whereIn('d.status', WAITING)
      .where('d.next_attempt_at', '<=', now)
      .where('d.lease_until', '<', now)
      .where('w.active', true)
      .whereNotExists((sub) => {
        const ref = (column: string) => this.db.knex.ref(column);
        sub.from({ e: deliveries }).where('e.webhook_id', ref('d.webhook_id')).where('e.aggregate_key', ref('d.aggregate_key')).where('e.event_seq', '<', ref('d.event_seq')).whereIn('e.status', WAITING).select('e.id');
      })
      .orderBy('d.event_seq')
      .limit(this.settings.batchSize)
      .select<Row[]>('d.*');
  }

  /** Takes the lease if the delivery is still in the state that was read. */
  private async claim(row: Row, now: number, scheduled: boolean): Promise<boolean> {
    const q = this.db
      .rows('webhook_deliveries')
      .where({ id: row.id, status: row.status, attempts: row.attempts })
      .where('lease_until', '<', now);
    if (scheduled) q.whereIn('status', WAITING);
    // Long enough for one attempt with both time limits; a dead sender's lease runs out.
    return (await q.update({ lease_until: now + this.settings.connectTimeoutMs + this.settings.timeoutMs + 30_000 })) === 1;
  }

  private async attempt(row: Row, trigger: 'schedule' | 'manual', by?: ChangeAuthor): Promise<void> {
    const webhook = await this.db.rows('webhooks').where({ id: row.webhook_id }).first();
    if (!webhook) return; // deleted meanwhile, with its deliveries
    const startedAt = Date.now();
    let outcome: PostOutcome & { final?: boolean };
    try {
      outcome = await this.send(row, webhook);
    } catch (err) {
      outcome = { ok: false, statusCode: null, latencyMs: Date.now() - startedAt, error: `internal: ${(err as Error).message}`.slice(0, 500) };
    }
    try {
      await this.record(row, webhook, outcome, startedAt, trigger, by);
    } catch (err) {
      this.logger.error({ err, deliveryId: row.id }, 'recording a webhook attempt failed');
      // Scheduled: the lease runs out and the delivery is sent again (at least once).
      // Manual: the operator is told, and may press retry again at once.
      if (trigger === 'schedule') return;
      await this.db.rows('webhook_deliveries').where({ id: row.id }).update({ lease_until: 0 }).catch(() => undefined);
      throw err;
    }
  }

  private async send(row: Row, webhook: WebhookRow): Promise<PostOutcome & { final?: boolean }> {
    const eventRow = await this.db.rows('outbox').where({ seq: row.event_seq }).first();
    if (!eventRow) return { ok: false, statusCode: null, latencyMs: 0, error: 'the event is no longer in the outbox', final: true };
    const event = eventFromRow(eventRow);
    // The exact bytes that are signed are the bytes that are sent.
    const body = Buffer.from(JSON.stringify({ id: event.id, type: event.type, tenant: await this.slugOf(event.tenantId), occurredAt: event.occurredAt, data: event.data }), 'utf8');
    // Checked again at every attempt: DNS may now point somewhere else (rebinding).
    const check = await checkTarget(webhook.url, this.settings.allowlist, this.settings.resolve);
    if (!check.ok) return { ok: false, statusCode: null, latencyMs: 0, error: describeRefusal(check.refusal) };
    let secret: string;
    try {
      secret = this.webhooks.openSecret(webhook);
    } catch {
      return { ok: false, statusCode: null, latencyMs: 0, error: 'the stored secret cannot be opened (was PEYVAND_SECRET changed?)' };
    }
    const headers = {
      'content-type': 'application/json',
      'user-agent': `Peyvand-Webhooks/${CORE_VERSION}`,
      'peyvand-event-id': event.id,
      'peyvand-event-type': event.type,
      'peyvand-delivery-id': row.id,
      'peyvand-signature': signatureHeader(secret, Math.floor(Date.now() / 1000), body),
    };
    return postWebhook(check.target, body, headers, this.settings);
  }

  /** Logs the attempt and moves the delivery (and maybe the subscription) on, in one transaction. */
  private async record(row: Row, webhook: WebhookRow, outcome: PostOutcome & { final?: boolean }, startedAt: number, trigger: 'schedule' | 'manual', by?: ChangeAuthor): Promise<void> {
    const attempt = row.attempts + 1;
    const now = Date.now();
    const before = row.status;
    let status = before;
    let nextAttemptAt: number | null = null;
    if (outcome.ok) status = 'delivered';
    else if (trigger === 'manual') status = before === 'pending' ? 'retrying' : before;
    else if (outcome.final || attempt >= this.settings.maxAttempts) status = 'dead';
    else {
      status = 'retrying';
      nextAttemptAt = now + this.backoff(attempt);
    }
    if (trigger === 'manual' && (status === 'pending' || status === 'retrying')) nextAttemptAt = readInt(row.next_attempt_at);
    const tenantId = row.tenant_id;
    const webhookId = webhook.id;
    await this.db.transaction(async (trx) => {
      const updated = await this.db
        .rows('webhook_deliveries', trx)
        .where({ id: row.id })
        .update({ status, attempts: attempt, next_attempt_at: nextAttemptAt ?? 0, lease_until: 0, last_status_code: outcome.statusCode, last_error: outcome.error, updated_at: now, ...(outcome.ok && { delivered_at: now }) });
      if (!updated) return; // the subscription was deleted meanwhile
      await this.db.rows('webhook_attempts', trx).insert({ id: newId(), delivery_id: row.id, webhook_id: webhookId, tenant_id: tenantId, attempt, trigger, started_at: startedAt, status_code: outcome.statusCode, latency_ms: outcome.latencyMs, error: outcome.error, next_attempt_at: nextAttemptAt });
      const webhooks = this.db.rows('webhooks', trx).where({ id: webhookId });
      if (outcome.ok) await webhooks.clone().where('consecutive_failures', '>', 0).update({ consecutive_failures: 0 });
      if (status === 'dead' && before !== 'dead') {
        await webhooks.clone().increment('consecutive_failures', 1);
        const current = await webhooks.clone().first();
        const deadInARow = readInt(current?.consecutive_failures);
        if (current && readBool(current.active) && deadInARow >= this.settings.pauseAfterDead) {
          const reason: PauseReason = { code: 'failing', deadInARow, attempts: this.settings.maxAttempts, lastError: outcome.error ?? '' };
          await webhooks.clone().update({ active: false, paused_reason: JSON.stringify(reason), paused_at: now, updated_at: now });
          await this.changes.record(trx, { ...ENGINE, tenantId }, { action: 'webhook.pause', entityType: 'webhook', entityId: webhookId, after: { active: false, reason } }, { type: 'webhook.paused', data: { webhookId, reason } });
          this.logger.warn({ webhookId, tenantId, deadInARow }, 'webhook paused after repeated failures');
        }
      }
      if (trigger === 'manual' && by) {
        await this.changes.record(trx, by, { action: 'webhook.delivery_retry', entityType: 'webhook', entityId: webhookId, after: { deliveryId: row.id, delivered: outcome.ok } }, { type: 'webhook.delivery_retried', data: { webhookId, deliveryId: row.id, eventId: row.event_id, delivered: outcome.ok } });
      }
    });
    if (!outcome.ok) this.logger.info({ webhookId, deliveryId: row.id, attempt, status, error: outcome.error }, 'webhook attempt failed');
  }

  private backoff(attempt: number): number {
    return backoffDelay(attempt, { baseMs: this.settings.backoffBaseMs, maxMs: this.settings.backoffMaxMs, jitter: 0.2 });
  }

  private async slugOf(tenantId: string): Promise<string> {
    let slug = this.slugs.get(tenantId);
    if (slug === undefined) {
      const row = await this.db.rows('tenants').where({ id: tenantId }).first('slug');
      slug = row?.slug ?? '';
      this.slugs.set(tenantId, slug);
    }
    return slug;
  }
}
