/**
 * The email plugin: per-tenant SMTP/IMAP accounts, inbound sync with IDLE and per-folder
 * UIDVALIDITY cursors, threading, a durable outbound queue with retries and bounces,
 * templates in fa and en, attachments and a quarantine. Wiring only; the logic is in
 * `services/`. Other plugins use the {@link EmailApi} that `bootstrap` returns.
 */
import { definePlugin } from '../../core/plugin/index.js';
import { emailEventSchemas } from './events.js';
import { emailMigration } from './migrations/001_email.js';
import { templateVersionMigration } from './migrations/002_template_version.js';
import { dkimMigration } from './migrations/003_dkim.js';
import { unsubscribeMigration } from './migrations/004_unsubscribe.js';
import { emailOptionsSchema, type EmailOptions } from './options.js';
import { emailPermissions } from './permissions.js';
import { emailRoutes } from './routes/index.js';
import { createEmailServices, type EmailServices } from './services/container.js';

export type { EmailApi, SendEmailInput, QueuedEmail, EmailReceivedData, EmailOutcomeData, EmailBouncedData, EmailQuarantinedData, EmailUnsubscribedData } from './services/api.js';
export type { EmailServices } from './services/container.js';
export type { EmailOptions } from './options.js';
export type { AccountRow, AttachmentRow, BounceRow, CursorRow, IngestedRow, MessageRow, QuarantineRow, TemplateRow, ThreadRow, UnsubscribeKeyRow, UnsubscribeLinkRow, UnsubscribeRow } from './services/rows.js';

/** The email plugin definition. */
export default definePlugin<EmailOptions, EmailServices>({
  name: 'email',
  version: '0.1.0',
  core: '^0.1.0',
  options: emailOptionsSchema,
  permissions: emailPermissions,
  migrations: [emailMigration, templateVersionMigration, dkimMigration, unsubscribeMigration],
  events: emailEventSchemas,
  routes: emailRoutes,
  // Defined by widgets/index.ts, built into this plugin's own chunk (docs/plugins.md, Widgets).
  widgets: ['peyvand-email-thread'],
  async bootstrap(ctx) {
    const services = createEmailServices(ctx);
    if (ctx.background) {
      services.sender.start();
      if (ctx.options.watch) await services.inbound.startWatchers();
    }
    return services;
  },
  async close(_ctx, services) {
    await services?.sender.stop();
    await services?.inbound.stopWatchers();
  },
});
