/**
 * Threads and the resolver that files a message into one. In order: the References and
 * In-Reply-To ids against known Message-IDs; Peyvand's reply token inside those ids (our
 * Message-IDs are `pv.<token>.<random>@domain`, so a reply threads back even when the
 * original is gone from our tables); the `[#token]` tag in the subject (Outlook replies
 * that drop In-Reply-To keep it). A match counts only when the sender belongs to the
 * thread — a participant or an address of its customer — otherwise the message opens a
 * new thread flagged `unverified_sender` (quoting a ticket number must not file a
 * stranger's mail into someone else's conversation).
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { newId, readInt } from '../../../core/plugin/index.js';
import type { ThreadRow } from './rows.js';
import { messageKey, strings, type EmailStore } from './store.js';

/** A thread row as the services use it. */
export interface ThreadRecord {
  id: string;
  token: string;
  subject: string;
  customerId: string | null;
  participants: string[];
  flags: string[];
}

/** What the resolver decided. */
export interface ThreadMatch {
  thread: ThreadRecord | null;
  /** A candidate was found but the sender does not belong to it. */
  unverified: boolean;
}

const TOKEN_IN_ID = /^pv\.([a-z2-7]{12})\./i;
const SUBJECT_TAG = /\[#([a-z2-7]{12})\]/i;

/** A new reply token: 12 base32 characters (60 bits). */
export function newThreadToken(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return [...randomBytes(12)].map((b) => alphabet[b % 32]).join('');
}

/** The subject with the thread's tag, added once. */
export function taggedSubject(subject: string, token: string): string {
  return SUBJECT_TAG.test(subject) ? subject : `${subject} [#${token}]`.trim();
}

/** Our Message-ID for a message of a thread. */
export function ourMessageId(token: string, fromAddress: string): string {
  const domain = fromAddress.split('@')[1] || 'peyvand.invalid';
  return `pv.${token}.${randomBytes(8).toString('hex')}@${domain}`;
}

/** Thread storage and resolution. */
export class ThreadService {
  constructor(private readonly store: EmailStore) {}

  async resolve(trx: Knex.Transaction, tenantId: string, mail: { inReplyTo: string | null; references: string[]; subject: string; from: string }, customerEmails: (customerId: string) => Promise<string[]>): Promise<ThreadMatch> {
    const ids = [...new Set([mail.inReplyTo, ...[...mail.references].reverse()].filter((v): v is string => Boolean(v)))];
    const candidates: ThreadRecord[] = [];
    if (ids.length) {
      const rows = await this.store.rows(trx, 'messages', tenantId).whereIn('message_key', ids.map(messageKey)).select('thread_id').limit(20);
      for (const r of rows) {
        const t = await this.byId(trx, tenantId, r.thread_id);
        if (t) candidates.push(t);
      }
    }
    for (const id of ids) {
      const token = TOKEN_IN_ID.exec(id)?.[1];
      const t = token ? await this.byToken(trx, tenantId, token) : null;
      if (t) candidates.push(t);
    }
    const tag = SUBJECT_TAG.exec(mail.subject)?.[1];
    if (tag) {
      const t = await this.byToken(trx, tenantId, tag);
      if (t) candidates.push(t);
    }
    if (candidates.length === 0) return { thread: null, unverified: false };
    for (const t of candidates) {
      if (t.participants.includes(mail.from)) return { thread: t, unverified: false };
      if (t.customerId && (await customerEmails(t.customerId)).includes(mail.from)) return { thread: t, unverified: false };
    }
    return { thread: null, unverified: true };
  }

  async create(trx: Knex.Transaction, tenantId: string, init: { subject: string; customerId: string | null; participants: string[]; flags: string[]; at: number; token?: string }): Promise<ThreadRecord> {
    const thread: ThreadRecord = { id: newId(), token: init.token ?? newThreadToken(), subject: init.subject.replace(SUBJECT_TAG, '').trim(), customerId: init.customerId, participants: [...new Set(init.participants)], flags: init.flags };
    await trx<ThreadRow>(this.store.table('threads')).insert({
      id: thread.id,
      tenant_id: tenantId,
      token: thread.token,
      subject: thread.subject.slice(0, 998),
      customer_id: thread.customerId,
      participants: JSON.stringify(thread.participants),
      flags: JSON.stringify(thread.flags),
      message_count: 0,
      last_message_at: init.at,
      created_at: init.at,
    });
    return thread;
  }

  /** Counts a new message in and widens the participants. */
  async touch(trx: Knex.Transaction, tenantId: string, thread: ThreadRecord, at: number, addresses: string[], customerId: string | null): Promise<void> {
    const row = await this.store.forUpdate(this.store.rows(trx, 'threads', tenantId).where('id', thread.id).first());
    const participants = [...new Set([...strings(row?.participants), ...addresses])];
    await this.store.rows(trx, 'threads', tenantId).where('id', thread.id).update({
      participants: JSON.stringify(participants),
      message_count: (row?.message_count ?? 0) + 1,
      last_message_at: Math.max(at, readInt(row?.last_message_at ?? 0)),
      customer_id: row?.customer_id ?? customerId,
    });
  }

  async byId(trx: Knex | Knex.Transaction, tenantId: string, id: string): Promise<ThreadRecord | null> {
    const row = await this.store.rows(trx, 'threads', tenantId).where('id', id).first();
    return row ? threadFromRow(row) : null;
  }

  private async byToken(trx: Knex.Transaction, tenantId: string, token: string): Promise<ThreadRecord | null> {
    const row = await this.store.rows(trx, 'threads', tenantId).where('token', token.toLowerCase()).first();
    return row ? threadFromRow(row) : null;
  }
}

function threadFromRow(row: ThreadRow): ThreadRecord {
  return {
    id: row.id,
    token: row.token,
    subject: row.subject,
    customerId: row.customer_id ? row.customer_id : null,
    participants: strings(row.participants),
    flags: strings(row.flags),
  };
}
