/**
 * JSON Schemas of the email routes. Each keeps its literal type (`as const`): the request
 * types of the routes and services are derived from them (`SchemaType`).
 */
import { boundedString as str, lineString as line, nullable } from '../../../core/plugin/index.js';

export { idParams, ifMatchHeaders, mediaResponse, pageOf, pageQuery, pageQuerySchema, problemSchema, withEtagHeader } from '../../../core/plugin/index.js';

const obj = <const P extends Record<string, object>, const R extends readonly string[] = []>(properties: P, required: R = [] as unknown as R) =>
  ({ type: 'object', additionalProperties: false, required, properties }) as const;
const address = { type: 'string', format: 'email', maxLength: 320 } as const;
const addresses = { type: 'array', items: address, maxItems: 100 } as const;
const id = str(64, 1);
const tls = { type: 'string', enum: ['tls', 'starttls', 'none'] } as const;
const folders = { type: 'array', items: str(300, 1), minItems: 1, maxItems: 20, uniqueItems: true } as const;
const serverFields = { host: str(253, 1), port: { type: 'integer', minimum: 1, maximum: 65535 }, secure: tls, user: str(320, 1), password: str(1000, 1) } as const;
const unknownSenders = { type: 'string', enum: ['customer', 'lead', 'ignore'] } as const;
const attachmentLimit = { type: 'integer', minimum: 0, maximum: 1024 * 1024 * 1024 } as const;
const dkimFields = {
  domain: { type: 'string', minLength: 3, maxLength: 253, pattern: '^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}\\.?$' },
  selector: { type: 'string', minLength: 1, maxLength: 63, pattern: '^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$' },
  privateKey: { type: 'string', minLength: 100, maxLength: 10_000 },
} as const;

export const accountInputSchema = obj({
  name: line(200, 1),
  address,
  smtp: obj(serverFields, ['host', 'port', 'secure', 'user', 'password']),
  imap: obj({ ...serverFields, folders }, ['host', 'port', 'secure', 'user', 'password']),
  unknownSenders,
  default: { type: 'boolean' },
  maxAttachmentBytes: attachmentLimit,
  dkim: obj(dkimFields, ['domain', 'selector', 'privateKey']),
}, ['name', 'address', 'smtp']);

export const accountPatchSchema = obj({
  name: line(200, 1),
  address,
  smtp: obj(serverFields),
  imap: nullable(obj({ ...serverFields, folders })),
  unknownSenders,
  default: { type: 'boolean' },
  maxAttachmentBytes: attachmentLimit,
  dkim: nullable(obj(dkimFields)),
});

const publicServer = { host: { type: 'string' }, port: { type: 'integer' }, secure: tls, user: { type: 'string' } } as const;
export const accountSchema = obj({
  id: { type: 'string' },
  name: { type: 'string' },
  address: { type: 'string' },
  smtp: obj(publicServer),
  imap: nullable(obj({ ...publicServer, folders: { type: 'array', items: { type: 'string' } } })),
  unknownSenders,
  default: { type: 'boolean' },
  maxAttachmentBytes: { type: 'integer' },
  dkim: nullable(obj({ domain: { type: 'string' }, selector: { type: 'string' }, configured: { type: 'boolean', enum: [true] } }, ['domain', 'selector', 'configured'])),
  createdAt: { type: 'string' },
  updatedAt: { type: 'string' },
  version: { type: 'integer' },
}, ['id', 'name', 'address', 'smtp', 'imap', 'unknownSenders', 'default']);

const check = obj({ ok: { type: 'boolean' }, code: { type: 'string' }, error: { type: 'string' } }, ['ok']);
export const connectionReportSchema = obj({ smtp: check, imap: check }, ['smtp', 'imap']);

export const syncReportSchema = obj({
  fetched: { type: 'integer' },
  imported: { type: 'integer' },
  duplicates: { type: 'integer' },
  bounces: { type: 'integer' },
  quarantined: { type: 'integer' },
  resynced: { type: 'array', items: { type: 'string' } },
});

const locale = { type: 'string', enum: ['fa', 'en'] } as const;
export const templateInputSchema = obj({ key: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]{0,99}$' }, locale, subject: line(998, 1), html: str(200_000, 1), text: str(200_000) }, ['key', 'locale', 'subject', 'html']);
export const templatePatchSchema = obj({ subject: line(998, 1), html: str(200_000, 1), text: nullable(str(200_000)) });
export const templateSchema = obj({ id: { type: 'string' }, key: { type: 'string' }, locale: { type: 'string' }, subject: { type: 'string' }, html: { type: 'string' }, text: { type: ['string', 'null'] }, createdAt: { type: 'string' }, updatedAt: { type: 'string' }, version: { type: 'integer' } }, ['id', 'key', 'locale', 'subject', 'html', 'text', 'createdAt', 'updatedAt', 'version']);
export const templateQuerySchema = { type: 'object', additionalProperties: false, properties: { key: { type: 'string', maxLength: 100 }, locale } } as const;
export const previewInputSchema = obj({ data: { type: 'object', maxProperties: 200 } }, ['data']);
export const renderedSchema = obj({ subject: { type: 'string' }, html: { type: 'string' }, text: { type: 'string' } }, ['subject', 'html', 'text']);

export const sendInputSchema = obj({
  accountId: id,
  to: { ...addresses, minItems: 1 },
  cc: addresses,
  bcc: addresses,
  subject: line(998, 1),
  text: str(1_000_000),
  html: str(1_000_000),
  template: obj({ key: str(100, 1), data: { type: 'object', maxProperties: 200 }, locale }, ['key', 'data']),
  customerId: id,
  replyTo: id,
  threadId: id,
  category: { type: 'string', enum: ['transactional', 'marketing'] },
}, ['to']);

/** The public one-click unsubscribe (RFC 8058): the token in the path, the form field in the body. */
export const unsubscribeParams = obj({ token: { type: 'string', minLength: 10, maxLength: 100, pattern: '^[A-Za-z0-9_.-]+$' } }, ['token']);
export const unsubscribeBodySchema = obj({ 'List-Unsubscribe': { type: 'string', enum: ['One-Click'] } }, ['List-Unsubscribe']);
export const unsubscribedSchema = obj({ address: { type: 'string' }, message: { type: 'string' } }, ['address', 'message']);
export const queuedSchema = obj({ id: { type: 'string' }, status: { type: 'string', enum: ['queued'] }, messageId: { type: 'string' }, threadId: { type: 'string' } }, ['id', 'status', 'messageId', 'threadId']);

const flags = { type: 'array', items: { type: 'string' } } as const;
export const messageSchema = obj({
  id: { type: 'string' },
  threadId: { type: 'string' },
  accountId: { type: 'string' },
  direction: { type: 'string', enum: ['in', 'out'] },
  status: { type: 'string', enum: ['queued', 'sent', 'failed', 'bounced', 'received'] },
  messageId: { type: 'string' },
  inReplyTo: { type: 'string' },
  references: { type: 'array', items: { type: 'string' } },
  from: { type: 'string' },
  fromName: { type: 'string' },
  to: { type: 'array', items: { type: 'string' } },
  cc: { type: 'array', items: { type: 'string' } },
  subject: { type: 'string' },
  text: { type: 'string' },
  html: { type: ['string', 'null'] },
  attachments: { type: 'array', items: obj({ id: { type: 'string' }, filename: { type: 'string' }, contentType: { type: 'string' }, size: { type: 'integer' }, omitted: { type: 'boolean', description: 'Present (true) when the attachment was larger than the account\'s maxAttachmentBytes: only its metadata was kept' } }, ['id', 'filename', 'contentType', 'size']) },
  customerId: { type: 'string' },
  flags,
  error: { type: 'string' },
  sentAt: { type: 'string' },
  receivedAt: { type: 'string' },
  createdAt: { type: 'string' },
}, ['id', 'threadId', 'accountId', 'direction', 'status', 'messageId', 'references', 'from', 'fromName', 'to', 'cc', 'subject', 'text', 'html', 'attachments', 'flags', 'createdAt']);
export const messageQuerySchema = obj({ customerId: id, threadId: id, direction: { type: 'string', enum: ['in', 'out'] }, limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 }, cursor: str(500) });
export const attachmentParams = obj({ id: str(64), attachmentId: str(64) }, ['id', 'attachmentId']);

const threadFields = { id: { type: 'string' }, subject: { type: 'string' }, customerId: { type: 'string' }, lastMessageAt: { type: 'string' }, messageCount: { type: 'integer' }, flags } as const;
const threadRequired = ['id', 'subject', 'lastMessageAt', 'messageCount', 'flags'] as const;
export const threadSummarySchema = obj(threadFields, threadRequired);
export const threadSchema = obj({ ...threadFields, messages: { type: 'array', items: messageSchema } }, [...threadRequired, 'messages']);
export const threadQuerySchema = obj({ customerId: id, limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 }, cursor: str(500) });

export const quarantineSchema = obj({ id: { type: 'string' }, accountId: { type: 'string' }, folder: { type: 'string' }, uid: { type: 'integer' }, reason: { type: 'string' }, size: { type: 'integer' }, receivedAt: { type: 'string' } });
