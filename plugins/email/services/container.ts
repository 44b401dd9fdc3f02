/**
 * Builds the plugin's services from its context. Stateless apart from the sender loop and
 * the IMAP watchers, which only `bootstrap` starts.
 */
import { PollingLoop, type PluginContext } from '../../../core/plugin/index.js';
import type { EmailOptions } from '../options.js';
import { AccountService } from './accounts.js';
import type { EmailApi } from './api.js';
import { InboundService } from './inbound.js';
import { IngestService } from './ingest.js';
import { MessageService } from './messages.js';
import { OutboundService } from './outbound.js';
import { QuarantineService } from './quarantine.js';
import { FileStorage, type BlobStorage } from './storage.js';
import { EmailStore } from './store.js';
import { TemplateService } from './templates.js';
import { UnsubscribeService } from './unsubscribe.js';
import { ThreadService } from './threads.js';

/** Everything the email plugin can do. Other plugins should rely on {@link EmailApi} only. */
export interface EmailServices extends EmailApi {
  accounts: AccountService;
  templates: TemplateService;
  messages: MessageService;
  outbound: OutboundService;
  inbound: InboundService;
  ingest: IngestService;
  quarantine: QuarantineService;
  unsubscribes: UnsubscribeService;
  storage: BlobStorage;
  sender: PollingLoop;
}

const perContext = new WeakMap<PluginContext<EmailOptions>, EmailServices>();

/**
 * The services of one kernel: wired once per plugin context, so the routes and `bootstrap`
 * share them — an account created through the API reaches the watchers `bootstrap` started.
 */
export function createEmailServices(ctx: PluginContext<EmailOptions>): EmailServices {
  let services = perContext.get(ctx);
  if (!services) {
    services = wire(ctx);
    perContext.set(ctx, services);
  }
  return services;
}

function wire(ctx: PluginContext<EmailOptions>): EmailServices {
  const base: PluginContext<unknown> = ctx;
  const store = new EmailStore(ctx.db);
  const storage = new FileStorage(ctx.options.storageDir);
  const accounts = new AccountService(base, store);
  const threads = new ThreadService(store);
  const templates = new TemplateService(base, store);
  const messages = new MessageService(base, store, storage);
  const ingest = new IngestService(base, store, threads, storage);
  const unsubscribes = new UnsubscribeService(ctx);
  const outbound = new OutboundService(base, store, accounts, threads, templates, unsubscribes, { maxAttempts: ctx.options.maxAttempts });
  const inbound = new InboundService(store, accounts, ingest, ctx.db.knex, ctx.logger, { fetchBatchSize: ctx.options.fetchBatchSize, pollIntervalMs: ctx.options.pollIntervalMs });
  accounts.onChange((accountId) => inbound.refresh(accountId));
  const sender = new PollingLoop({ name: 'email sender', intervalMs: ctx.options.senderIntervalMs, logger: ctx.logger, pass: () => outbound.deliverDue() });
  return {
    send: (tenantId, input, trx) => outbound.queue(tenantId, input, trx),
    accountExists: async (tenantId, accountId, trx) => (await ctx.data.forTenant(tenantId, trx).from('email_accounts').where('id', accountId).first('id')) !== undefined,
    accounts,
    templates,
    messages,
    outbound,
    inbound,
    ingest,
    quarantine: new QuarantineService(base, store, storage, accounts, ingest, messages),
    storage,
    sender,
    unsubscribes,
  };
}
