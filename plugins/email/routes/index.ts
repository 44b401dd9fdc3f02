/** Every email route, mounted by the kernel at `/api/v1/email`. */
import type { FastifyReply } from 'fastify';
import { actorOf, coreError, requestLanguage, type PluginApp, type PluginContext } from '../../../core/plugin/index.js';
import { emailError } from '../errors.js';
import type { EmailOptions } from '../options.js';
import { createEmailServices } from '../services/container.js';
import * as s from '../schemas/email-schemas.js';
import { unsubscribeRoutes } from './unsubscribe-routes.js';

const errors = { '4xx': s.problemSchema };

/** Parses `If-Match: "3"` (or `W/"3"`); `*` and absence mean no precondition. */
function expectedVersion(header: string | undefined): number | undefined {
  if (!header || header.trim() === '*') return undefined;
  const match = /^(?:W\/)?"(\d+)"$/.exec(header.trim());
  if (!match) throw coreError('PRECONDITION_FAILED', { current: 'unknown' });
  return Number(match[1]);
}

/** Sends a versioned record with its ETag. */
function withEtag<T extends { version: number }>(reply: FastifyReply, record: T, status = 200): FastifyReply {
  return reply.code(status).header('etag', `"${record.version}"`).send(record);
}

/** Registers the email routes. */
export function emailRoutes(app: PluginApp, ctx: PluginContext<EmailOptions>): void {
  const services = createEmailServices(ctx);
  const { accounts, templates, messages, outbound, inbound, quarantine } = services;
  const manage = { permission: 'email.account.manage' };
  const read = { permission: 'email.message.read' };
  const send = { permission: 'email.message.send' };

  // Accounts
  let tags = ['email: accounts'];
  app.post('/accounts', { config: manage, schema: { operationId: 'email.account.create', summary: 'Create an email account (passwords are write-only)', description: 'Adds an SMTP account (optionally with IMAP) to the tenant and answers 201 with it and its ETag; passwords are sealed and never returned. The tenant\'s first account becomes the default sender, and `default: true` moves the default here.', tags, body: s.accountInputSchema, response: { 201: s.withEtagHeader(s.accountSchema), ...errors } } },
    async (request, reply) => withEtag(reply, await accounts.create(actorOf(request), request.body), 201));
  app.get('/accounts', { config: manage, schema: { operationId: 'email.account.list', summary: 'List email accounts', description: 'The tenant\'s email accounts, ordered by id, in one page of up to 500 (`nextCursor` is always null); server settings come without passwords.', tags, response: { 200: s.pageOf(s.accountSchema), ...errors } } },
    async (request) => accounts.list(actorOf(request)));
  app.get('/accounts/:id', { config: manage, schema: { operationId: 'email.account.get', summary: 'Get an email account', description: 'One email account without its passwords; another tenant\'s or a missing one answers 404 ACCOUNT_NOT_FOUND. The `ETag` header is the version to send back in `If-Match`.', tags, params: s.idParams, response: { 200: s.withEtagHeader(s.accountSchema), ...errors } } },
    async (request, reply) => withEtag(reply, await accounts.get(actorOf(request), request.params.id)));
  app.patch('/accounts/:id', { config: manage, schema: { operationId: 'email.account.update', summary: 'Update an email account (merge-patch, If-Match; a password given replaces the stored one)', description: 'JSON merge-patch: an `smtp` or `imap` block merges into the stored one, a password given replaces the stored one, and `imap: null` turns inbound sync off; IMAP settings left incomplete answer 422 NO_IMAP. With `If-Match` a stale version answers 412.', headers: s.ifMatchHeaders, tags, params: s.idParams, body: s.accountPatchSchema, response: { 200: s.withEtagHeader(s.accountSchema), ...errors } } },
    async (request, reply) => withEtag(reply, await accounts.update(actorOf(request), request.params.id, request.body, expectedVersion(request.headers['if-match']))));
  app.delete('/accounts/:id', { config: manage, schema: { operationId: 'email.account.delete', summary: 'Delete an email account (its messages stay)', description: 'Deletes the account and its IMAP folder cursors and answers 204; messages and threads it sent or received stay. Queued messages of the account then fail instead of being sent.', tags, params: s.idParams, response: { 204: { type: 'null' }, ...errors } } },
    async (request, reply) => {
      await accounts.delete(actorOf(request), request.params.id);
      return reply.code(204).send();
    });
  app.post('/accounts/:id/test', { config: { ...manage, bodyless: true }, schema: { operationId: 'email.account.test', summary: 'Open the SMTP and IMAP connections and say what failed', description: 'Connects to the SMTP server and, when configured, the IMAP server, and answers 200 with `ok` per server; a failure carries a stable `code` (e.g. AUTH_FAILED, TLS_FAILED, TIMEOUT; NOT_CONFIGURED when there is no IMAP) and an `error` in the request\'s language. Nothing is sent or fetched.', tags, params: s.idParams, response: { 200: s.connectionReportSchema, ...errors } } },
    async (request) => accounts.test(actorOf(request), request.params.id, requestLanguage(request)));
  app.post('/accounts/:id/sync', { config: { ...manage, bodyless: true }, schema: { operationId: 'email.account.sync', summary: 'Fetch new mail from the account\'s IMAP folders now', description: 'Fetches new mail from every watched IMAP folder now, without waiting for the background watcher, and answers with the counts fetched, imported, duplicate, bounced and quarantined; `resynced` names folders re-read after a UIDVALIDITY change. An account without IMAP answers 422 NO_IMAP; an IMAP server that cannot be reached or refuses the login answers 502 IMAP_UNAVAILABLE, saying why (nothing is fetched; try again later).', tags, params: s.idParams, response: { 200: s.syncReportSchema, ...errors, 502: s.problemSchema } } },
    async (request) => {
      const account = await accounts.get(actorOf(request), request.params.id);
      if (!account.imap) throw emailError('NO_IMAP');
      return inbound.syncAccount(actorOf(request).tenantId, account.id);
    });

  // Templates
  tags = ['email: templates'];
  app.post('/templates', { config: manage, schema: { operationId: 'email.template.create', summary: 'Create a template for a key and locale', description: 'Stores a Handlebars template for a key and locale (helpers `digits`, `number`, `date`) and answers 201 with its ETag. It is compiled on save: a syntax error or an unknown helper answers 422 TEMPLATE_INVALID, and an existing key and locale 409 TEMPLATE_DUPLICATE.', tags, body: s.templateInputSchema, response: { 201: s.withEtagHeader(s.templateSchema), ...errors } } },
    async (request, reply) => withEtag(reply, await templates.create(actorOf(request), request.body), 201));
  app.get('/templates', { config: read, schema: { operationId: 'email.template.list', summary: 'List templates', description: 'The tenant\'s templates, ordered by key and locale, optionally filtered by `key` and `locale`, in one page of up to 1000 (`nextCursor` is always null). Each carries the `version` to send in `If-Match`.', tags, querystring: s.templateQuerySchema, response: { 200: s.pageOf(s.templateSchema), ...errors } } },
    async (request) => templates.list(actorOf(request), request.query));
  app.patch('/templates/:id', { config: manage, schema: { operationId: 'email.template.update', summary: 'Update a template (merge-patch, If-Match)', description: 'JSON merge-patch of subject, html and text (`text: null` makes the plain-text part generated from the HTML); the result is compiled again and a broken template answers 422 TEMPLATE_INVALID. With `If-Match` a stale version answers 412.', headers: s.ifMatchHeaders, tags, params: s.idParams, body: s.templatePatchSchema, response: { 200: s.withEtagHeader(s.templateSchema), ...errors } } },
    async (request, reply) => withEtag(reply, await templates.update(actorOf(request), request.params.id, request.body, expectedVersion(request.headers['if-match']))));
  app.delete('/templates/:id', { config: manage, schema: { operationId: 'email.template.delete', summary: 'Delete a template', description: 'Deletes the template and answers 204; a missing one answers 404 TEMPLATE_NOT_FOUND. A send naming its key then falls back to the key\'s en template, then any other locale, and answers 404 TEMPLATE_NOT_FOUND when none is left.', tags, params: s.idParams, response: { 204: { type: 'null' }, ...errors } } },
    async (request, reply) => {
      await templates.delete(actorOf(request), request.params.id);
      return reply.code(204).send();
    });
  app.post('/templates/:id/preview', { config: read, schema: { operationId: 'email.template.preview', summary: 'Render a template with sample data', description: 'Renders the stored template with the given `data` as a send would and returns the subject, the HTML (wrapped right-to-left for fa) and the plain text; nothing is sent. A template failing to render answers 422 TEMPLATE_INVALID.', tags, params: s.idParams, body: s.previewInputSchema, response: { 200: s.renderedSchema, ...errors } } },
    async (request) => templates.preview(actorOf(request), request.params.id, request.body.data));

  // Messages
  tags = ['email: messages'];
  app.post('/messages', { config: send, schema: { operationId: 'email.message.send', summary: 'Queue a message (text, HTML or a template); a reply when replyTo is given', description: 'Queues a message and answers 202 with its id, Message-ID and thread; delivery, retries and bounces happen in the background (see the message `status` and the `email.sent`, `email.failed`, `email.bounced` events). Without `accountId` the default account sends (422 NO_DEFAULT_ACCOUNT when there is none); `replyTo` or `threadId` continue a thread; a message needs `text`, `html` or `template` (422 BODY_MISSING) and a subject unless it answers one (422 SUBJECT_MISSING).', tags, body: s.sendInputSchema, response: { 202: s.queuedSchema, ...errors } } },
    async (request, reply) => {
      const actor = actorOf(request);
      const queued = await outbound.queue(actor.tenantId, request.body, undefined, actor);
      if (services.sender.active) services.sender.wake();
      return reply.code(202).send(queued);
    });
  app.get('/messages', { config: read, schema: { operationId: 'email.message.list', summary: 'List messages, newest first', description: 'Messages in and out, newest first, filtered by customer, thread and direction, with cursor paging; a reader with a restricted customer scope sees only messages linked to customers in that scope. Items are whole messages with sanitized HTML and their attachments\' metadata.', tags, querystring: s.messageQuerySchema, response: { 200: s.pageOf(s.messageSchema), ...errors } } },
    async (request) => messages.list(actorOf(request), request.query));
  app.get('/messages/:id', { config: read, schema: { operationId: 'email.message.get', summary: 'Get a message (HTML sanitized)', description: 'One message with its attachments\' metadata; the HTML is sanitized on the server (no scripts, event handlers, forms or frames; remote images moved to `data-blocked-src`). A message outside the reader\'s record scope answers 404 MESSAGE_NOT_FOUND.', tags, params: s.idParams, response: { 200: s.messageSchema, ...errors } } },
    async (request) => messages.get(actorOf(request), request.params.id));
  app.get('/messages/:id/attachments/:attachmentId', { config: read, schema: { operationId: 'email.attachment.get', summary: 'Download an attachment', description: 'The attachment\'s bytes as `application/octet-stream` with `Content-Disposition: attachment` and `X-Content-Type-Options: nosniff`, when the reader may read its message. An unknown message answers 404 MESSAGE_NOT_FOUND, an unknown attachment 404 ATTACHMENT_NOT_FOUND, and one that was larger than the account\'s `maxAttachmentBytes` (listed with `omitted: true`, only its metadata kept) 404 ATTACHMENT_OMITTED.', tags, params: s.attachmentParams, response: { 200: s.mediaResponse('application/octet-stream', 'The attachment\'s bytes, sent as a download (Content-Disposition: attachment with the original filename)', { type: 'string', format: 'binary' }), ...errors } } },
    async (request, reply) => {
      const a = await messages.attachment(actorOf(request), request.params.id, request.params.attachmentId);
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', `attachment; filename="${a.filename.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(a.filename)}`)
        .header('x-content-type-options', 'nosniff')
        .send(a.content);
    });

  unsubscribeRoutes(app, ctx);

  // Threads
  tags = ['email: threads'];
  app.get('/threads', { config: read, schema: { operationId: 'email.thread.list', summary: 'List threads, latest activity first', description: 'Conversation threads, the most recently active first, optionally of one customer, with cursor paging; a reader with a restricted customer scope sees only threads linked to customers in that scope.', tags, querystring: s.threadQuerySchema, response: { 200: s.pageOf(s.threadSummarySchema), ...errors } } },
    async (request) => messages.threads(actorOf(request), request.query));
  app.get('/threads/:id', { config: read, schema: { operationId: 'email.thread.get', summary: 'Get a thread with its messages', description: 'One thread with its messages, oldest first (up to 500); a thread outside the reader\'s record scope answers 404 THREAD_NOT_FOUND.', tags, params: s.idParams, response: { 200: s.threadSchema, ...errors } } },
    async (request) => messages.thread(actorOf(request), request.params.id));

  // Quarantine
  tags = ['email: quarantine'];
  app.get('/quarantine', { config: manage, schema: { operationId: 'email.quarantine.list', summary: 'List mail that could not be read', description: 'Received mail that could not be read as a message (no sender, a broken MIME structure, undecodable text), newest first with cursor paging; each entry names its account, folder, IMAP UID and reason, and its raw bytes are kept.', tags, querystring: s.pageQuerySchema, response: { 200: s.pageOf(s.quarantineSchema), ...errors } } },
    async (request) => quarantine.list(actorOf(request), request.query));
  app.post('/quarantine/:id/release', { config: { ...manage, bodyless: true }, schema: { operationId: 'email.quarantine.release', summary: 'Ingest a quarantined mail leniently (flag released)', description: 'Ingests the quarantined mail leniently as a message flagged `released`, removes it from the quarantine and answers 201 with the message. A missing entry answers 404 QUARANTINE_NOT_FOUND, raw bytes no longer stored 422 QUARANTINE_UNREADABLE.', tags, params: s.idParams, response: { 201: s.messageSchema, ...errors } } },
    async (request, reply) => reply.code(201).send(await quarantine.release(actorOf(request), request.params.id)));
  app.delete('/quarantine/:id', { config: manage, schema: { operationId: 'email.quarantine.delete', summary: 'Delete a quarantined mail', description: 'Deletes the quarantined mail and its raw bytes and answers 204; the mail is not imported again by later syncs.', tags, params: s.idParams, response: { 204: { type: 'null' }, ...errors } } },
    async (request, reply) => {
      await quarantine.delete(actorOf(request), request.params.id);
      return reply.code(204).send();
    });
}
