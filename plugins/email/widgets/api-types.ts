/**
 * The email API responses the email widgets read, derived from the routes' schemas in the
 * OpenAPI document (see `ResponseOf` in peyvand/widgets/runtime): a route schema that drops
 * a field the widget reads is a type error here, not drift.
 */
import type { ItemOf, ResponseOf } from '../../../widgets/runtime/index.js';

/** A message in or out. `html` is sanitized by the server; remote images carry `data-blocked-src` instead of `src`. */
export type EmailMessage = ResponseOf<'email.message.get'>;

/** An attachment's metadata; `omitted` when it was over the account's size limit (no bytes kept). */
export type EmailAttachment = EmailMessage['attachments'][number];

/** A conversation in `GET /email/threads` (most recently active first). */
export type EmailThreadSummary = ItemOf<'email.thread.list'>;

/** `GET /email/threads/{id}`: the thread with its messages, oldest first. */
export type EmailThread = ResponseOf<'email.thread.get'>;

/** A stored template (`GET /email/templates`). */
export type EmailTemplate = ItemOf<'email.template.list'>;

/** `POST /email/templates/{id}/preview`: the template rendered with sample data. */
export type RenderedTemplate = ResponseOf<'email.template.preview'>;

/** `POST /email/messages` → 202. */
export type QueuedEmail = ResponseOf<'email.message.send', 202>;

/** The part of core's `GET /me` the widgets read: whether the reader may send (`email.message.send`). */
export type Me = Pick<ResponseOf<'core.me.get'>, 'permissions'>;
