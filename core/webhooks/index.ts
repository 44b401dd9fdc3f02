/**
 * Signed webhooks, wired together: the subscription service, the enqueuer the core
 * dispatcher feeds, and the delivery engine. The kernel owns one {@link Webhooks}.
 *
 * @module
 */
import type { i18n } from 'i18next';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import type { SecretBox } from '../auth/secret-box.js';
import type { ChangeRecorder } from '../audit/change-recorder.js';
import { WebhookDeliverer } from './webhook-deliverer.js';
import { WebhookEnqueuer } from './webhook-enqueuer.js';
import { WebhookService } from './webhook-service.js';
import { webhookSettings, type WebhookOptions, type WebhookSettings } from './webhook-settings.js';

export type { WebhookOptions } from './webhook-settings.js';
export { verifySignature, signatureHeader } from '../plugin/webhook-signature.js';

/** Everything webhooks need from the kernel. */
export interface WebhookDependencies {
  db: Database;
  secrets: SecretBox;
  changes: ChangeRecorder;
  i18n: i18n;
  logger: Logger;
}

/** The webhook subsystem of one kernel. */
export class Webhooks {
  readonly settings: WebhookSettings;
  readonly service: WebhookService;
  readonly enqueuer: WebhookEnqueuer;
  readonly deliverer: WebhookDeliverer;

  /** Throws a `CONFIG_INVALID` boot error for a malformed allowlist. */
  constructor(deps: WebhookDependencies, options: WebhookOptions = {}) {
    this.settings = webhookSettings(options);
    this.enqueuer = new WebhookEnqueuer(deps.db, () => this.deliverer.wake());
    this.service = new WebhookService(deps.db, deps.secrets, deps.changes, deps.i18n, this.settings, (tenantId, change) => {
      this.enqueuer.invalidate(tenantId);
      if (change === 'resumed') this.deliverer.wake();
    });
    this.deliverer = new WebhookDeliverer(deps.db, this.service, deps.changes, this.settings, deps.logger);
  }
}
