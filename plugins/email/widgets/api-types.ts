/**
 * The email API responses the email widgets read (see /api/v1/openapi.json, `email: …` tags).
 */

/** An attachment's metadata; `omitted` when it was over the account's size limit (no bytes kept). */
export interface EmailAttachment {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  omitted?: boolean;
}

/** A message in or out. `html` is sanitized by the server; remote images carry `data-blocked-src` instead of `src`. */
export interface EmailMessage {
  id: string;
  threadId: string;
  direction: 'in' | 'out';
  status: 'queued' | 'sent' | 'failed' | 'bounced' | 'received';
  from: string;
  fromName?: string;
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  html: string | null;
  attachments: EmailAttachment[];
  customerId?: string;
  flags: string[];
  sentAt?: string;
  receivedAt?: string;
  createdAt?: string;
}

/** A conversation in `GET /email/threads` (most recently active first). */
export interface EmailThreadSummary {
  id: string;
  subject: string;
  customerId?: string;
  lastMessageAt?: string;
  messageCount?: number;
  flags: string[];
}

/** `GET /email/threads/{id}`: the thread with its messages, oldest first. */
export interface EmailThread extends EmailThreadSummary {
  messages: EmailMessage[];
}

/** The part of core's `GET /me` the widgets read: whether the reader may send (`email.message.send`). */
export interface Me {
  permissions: string[];
}

/** A stored template (`GET /email/templates`). */
export interface EmailTemplate {
  id: string;
  key: string;
  locale: string;
  subject: string;
}

/** `POST /email/messages` → 202. */
export interface QueuedEmail {
  id: string;
  messageId: string;
  threadId: string;
  status: 'queued';
}
