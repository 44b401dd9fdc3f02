/**
 * Webhook subscriptions of a tenant: create (the only time the secret is shown), read,
 * change, pause/resume, delete, and the delivery log. Every write is audited and evented
 * in its transaction; neither the audit trail nor the events carry the secret, which is
 * stored sealed with `PEYVAND_SECRET`.
 *
 * @module
 */
import type { i18n } from 'i18next';
import { newId } from '../plugin/ids.js';
import type { Database, Executor } from '../db/database.js';
import { readBool, readInt, readJson } from '../db/database.js';
import { coreError } from '../plugin/errors.js';
import type { SecretBox } from '../auth/secret-box.js';
import type { ChangeAuthor } from '../audit/audit-log.js';
import type { ChangeRecorder } from '../audit/change-recorder.js';
import { decodeCursor, encodeCursor } from '../plugin/cursor.js';
import { translator, type Language } from '../i18n/i18n.js';
import { checkTarget, describeRefusal, type TargetRefusal } from './address-guard.js';
import { generateWebhookSecret } from '../plugin/webhook-signature.js';
import type { WebhookSettings } from './webhook-settings.js';
import type { WebhookDeliveryRow, WebhookRow } from '../db/rows/webhooks.js';
import type { CreatedWebhook, DeliveryDto, DeliveryStatus, PauseReason, WebhookDto, WebhookEventView, WebhookInput, WebhookPatch } from './webhook-types.js';

/** Told about every change, so the enqueuer drops its cache and the engine wakes on a resume. */
export type WebhookChangeListener = (tenantId: string, change: 'created' | 'updated' | 'deleted' | 'resumed') => void;

const iso = (ms: unknown): string => new Date(readInt(ms)).toISOString();
const isoOrNull = (ms: unknown): string | null => (ms === null || ms === undefined ? null : iso(ms));

/** The subscription registry. */
export class WebhookService {
  constructor(
    private readonly db: Database,
    private readonly secrets: SecretBox,
    private readonly changes: ChangeRecorder,
    private readonly i18n: i18n,
    private readonly settings: WebhookSettings,
    private readonly onChange: WebhookChangeListener,
  ) {}

  /** Creates a subscription after the SSRF check; the response is the only place the secret appears. */
  async create(by: ChangeAuthor, input: WebhookInput, lng: Language): Promise<CreatedWebhook> {
    await this.assertReachable(input.url);
    const secret = input.secret ?? generateWebhookSecret();
    const now = Date.now();
    const id = newId();
    const events = [...new Set(input.events)];
    await this.db.transaction(async (trx) => {
      await this.db.rows('webhooks', trx).insert({ id, tenant_id: by.tenantId, url: input.url, events: JSON.stringify(events), secret_sealed: this.secrets.seal(secret), active: true, paused_reason: null, paused_at: null, consecutive_failures: 0, created_at: now, updated_at: now });
      const webhook = { id, url: input.url, events, active: true };
      await this.changes.record(trx, by, { action: 'webhook.create', entityType: 'webhook', entityId: id, after: webhook }, { type: 'webhook.created', data: { webhook } });
    });
    this.onChange(by.tenantId, 'created');
    return { ...(await this.get(by.tenantId, id, lng)), secret };
  }

  /** The tenant's subscriptions, oldest first. */
  async list(tenantId: string, page: { limit: number; cursor?: string }, lng: Language): Promise<{ items: WebhookDto[]; nextCursor: string | null }> {
    const q = this.db.rows('webhooks').where({ tenant_id: tenantId });
    if (page.cursor) q.where('id', '>', String(decodeCursor(page.cursor)[0]));
    const rows = await q.orderBy('id').limit(page.limit + 1);
    const items = rows.slice(0, page.limit).map((r) => this.toDto(r, lng));
    return { items, nextCursor: rows.length > page.limit ? encodeCursor([items[items.length - 1]!.id]) : null };
  }

  /** One subscription; another tenant's is a 404 like a missing one. */
  async get(tenantId: string, id: string, lng: Language): Promise<WebhookDto> {
    return this.toDto(await this.row(this.db.knex, tenantId, id), lng);
  }

  /**
   * Changes the URL (checked again), the event patterns, or `active`: `false` pauses by
   * hand, `true` resumes a paused subscription, clears the pause reason and the failure
   * counter, and lets the deliveries that waited go out (in order).
   */
  async update(by: ChangeAuthor, id: string, patch: WebhookPatch, lng: Language): Promise<WebhookDto> {
    const before = await this.row(this.db.knex, by.tenantId, id);
    const current = this.view(before);
    if (patch.url !== undefined && patch.url !== current.url) await this.assertReachable(patch.url);
    const now = Date.now();
    const set: Partial<WebhookRow> = {};
    const changed: string[] = [];
    const next: WebhookEventView = { ...current };
    if (patch.url !== undefined && patch.url !== current.url) {
      set.url = next.url = patch.url;
      changed.push('url');
    }
    const events = patch.events && [...new Set(patch.events)];
    if (events && JSON.stringify(events) !== JSON.stringify(current.events)) {
      next.events = events;
      set.events = JSON.stringify(events);
      changed.push('events');
    }
    if (patch.active !== undefined && patch.active !== current.active) {
      next.active = patch.active;
      changed.push('active');
      const reason: PauseReason = { code: 'manual', by: by.subject };
      Object.assign(set, patch.active ? { active: true, paused_reason: null, paused_at: null, consecutive_failures: 0 } : { active: false, paused_reason: JSON.stringify(reason), paused_at: now });
    }
    if (changed.length === 0) return this.toDto(before, lng);
    await this.db.transaction(async (trx) => {
      await this.db.rows('webhooks', trx).where({ tenant_id: by.tenantId, id }).update({ ...set, updated_at: now });
      await this.changes.record(trx, by, { action: 'webhook.update', entityType: 'webhook', entityId: id, before: current, after: next }, { type: 'webhook.updated', data: { webhook: next, changed } });
    });
    this.onChange(by.tenantId, patch.active === true && !current.active ? 'resumed' : 'updated');
    return this.get(by.tenantId, id, lng);
  }

  /** Deletes a subscription with its deliveries and their log; nothing more is sent to it. */
  async delete(by: ChangeAuthor, id: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      const before = this.view(await this.row(trx, by.tenantId, id));
      await this.db.rows('webhook_attempts', trx).where({ tenant_id: by.tenantId, webhook_id: id }).delete();
      await this.db.rows('webhook_deliveries', trx).where({ tenant_id: by.tenantId, webhook_id: id }).delete();
      await this.db.rows('webhooks', trx).where({ tenant_id: by.tenantId, id }).delete();
      await this.changes.record(trx, by, { action: 'webhook.delete', entityType: 'webhook', entityId: id, before }, { type: 'webhook.deleted', data: { webhookId: id } });
    });
    this.onChange(by.tenantId, 'deleted');
  }

  /** A subscription's deliveries, newest first, each with its attempts. */
  async deliveries(tenantId: string, webhookId: string, page: { limit: number; cursor?: string; status?: DeliveryStatus }): Promise<{ items: DeliveryDto[]; nextCursor: string | null }> {
    await this.row(this.db.knex, tenantId, webhookId);
    const q = this.db.rows('webhook_deliveries').where({ tenant_id: tenantId, webhook_id: webhookId });
    if (page.status) q.where('status', page.status);
    if (page.cursor) q.where('id', '<', String(decodeCursor(page.cursor)[0]));
    const rows = await q.orderBy('id', 'desc').limit(page.limit + 1);
    const items = await this.withAttempts(rows.slice(0, page.limit));
    return { items, nextCursor: rows.length > page.limit ? encodeCursor([items[items.length - 1]!.id]) : null };
  }

  /** One delivery of a subscription (the raw row, for the retry route), or 404. */
  async deliveryRow(tenantId: string, webhookId: string, deliveryId: string): Promise<WebhookDeliveryRow> {
    await this.row(this.db.knex, tenantId, webhookId);
    const row = await this.db.rows('webhook_deliveries').where({ tenant_id: tenantId, webhook_id: webhookId, id: deliveryId }).first();
    if (!row) throw coreError('WEBHOOK_DELIVERY_NOT_FOUND', { id: deliveryId });
    return row;
  }

  /** One delivery with its attempts. */
  async delivery(tenantId: string, webhookId: string, deliveryId: string): Promise<DeliveryDto> {
    return (await this.withAttempts([await this.deliveryRow(tenantId, webhookId, deliveryId)]))[0]!;
  }

  /** The plaintext secret of a stored row (the delivery engine signs with it). */
  openSecret(row: Pick<WebhookRow, 'secret_sealed'>): string {
    return this.secrets.open(row.secret_sealed);
  }

  private async row(executor: Executor, tenantId: string, id: string): Promise<WebhookRow> {
    const row = await this.db.rows('webhooks', executor).where({ tenant_id: tenantId, id }).first();
    if (!row) throw coreError('WEBHOOK_NOT_FOUND', { id });
    return row;
  }

  /** The SSRF check at subscription time, as a 422 the tenant can act on. */
  private async assertReachable(url: string): Promise<void> {
    const check = await checkTarget(url, this.settings.allowlist, this.settings.resolve);
    if (!check.ok) throw refusalError(check.refusal);
  }

  private view(row: WebhookRow): WebhookEventView {
    return { id: row.id, url: row.url, events: readJson<string[]>(row.events, []), active: readBool(row.active) };
  }

  private toDto(row: WebhookRow, lng: Language): WebhookDto {
    const reason = readJson<PauseReason | null>(row.paused_reason, null);
    const { code, ...params } = reason ?? { code: '' };
    return {
      ...this.view(row),
      pausedReason: reason ? translator(this.i18n, lng, 'core')(`webhooks.paused.${code}`, params) : null,
      pausedAt: isoOrNull(row.paused_at),
      consecutiveFailures: row.consecutive_failures,
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
    };
  }

  private async withAttempts(rows: WebhookDeliveryRow[]): Promise<DeliveryDto[]> {
    const ids = rows.map((r) => r.id);
    const attempts = ids.length ? await this.db.rows('webhook_attempts').whereIn('delivery_id', ids).orderBy(['delivery_id', 'attempt']) : [];
    return rows.map((r) => {
      const status = r.status as DeliveryStatus;
      const waiting = status === 'pending' || status === 'retrying';
      return {
        id: r.id,
        eventId: r.event_id,
        eventType: r.event_type,
        status,
        attemptCount: r.attempts,
        nextAttemptAt: waiting ? iso(r.next_attempt_at) : null,
        lastStatusCode: r.last_status_code,
        lastError: r.last_error,
        createdAt: iso(r.created_at),
        deliveredAt: isoOrNull(r.delivered_at),
        attempts: attempts
          .filter((a) => a.delivery_id === r.id)
          .map((a) => ({
            attempt: a.attempt,
            trigger: a.trigger === 'manual' ? 'manual' : 'schedule',
            at: iso(a.started_at),
            statusCode: a.status_code,
            latencyMs: a.latency_ms,
            error: a.error,
            nextAttemptAt: isoOrNull(a.next_attempt_at),
          })),
      };
    });
  }
}

/** Maps a guard refusal to the localized 422 of its kind. */
function refusalError(refusal: TargetRefusal) {
  const detail = [{ path: '/url', message: describeRefusal(refusal) }];
  switch (refusal.kind) {
    case 'invalid':
      return coreError('WEBHOOK_URL_INVALID', {}, { errors: detail });
    case 'insecure':
      return coreError('WEBHOOK_URL_INSECURE', { host: refusal.host });
    case 'forbidden':
      return coreError('WEBHOOK_URL_FORBIDDEN', { host: refusal.host });
    case 'unresolvable':
      return coreError('WEBHOOK_URL_UNRESOLVABLE', { host: refusal.host });
  }
}
