/**
 * IMAP in: per folder a cursor of (UIDVALIDITY, last UID). A sync lists the UIDs past the
 * cursor, reads headers first in batches (Message-ID and size) and downloads a body only
 * when the ledger has not seen it, one at a time, so memory stays bounded however large
 * the mailbox. Each message moves the cursor in its own ingest transaction, so a crash
 * resumes after the last committed message and downtime is backfilled from the cursor.
 * A UIDVALIDITY change restarts the folder from UID 1; the ledger keeps it from importing
 * anything twice. In background mode a {@link FolderWatcher} per watched folder syncs on
 * new mail (IDLE, or polling where the server has none).
 */
import type { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import type { Knex } from 'knex';
import { readInt, type SchemaType } from '../../../core/plugin/index.js';
import type { syncReportSchema } from '../schemas/email-schemas.js';
import type { AccountCredentials, AccountService } from './accounts.js';
import { IngestService, type IngestOutcome } from './ingest.js';
import type { CursorRow } from './rows.js';
import type { EmailStore } from './store.js';
import { classifyConnectionError, imapClient } from './transports.js';
import { emailError } from '../errors.js';
import { FolderWatcher } from './watcher.js';

/** Counts of one sync: every field of the response schema, which lists none as required. */
export type SyncReport = Required<SchemaType<typeof syncReportSchema>>;

/** Folder syncs and IDLE watchers. */
export class InboundService {
  /** Keyed by account id and folder. */
  private readonly watchers = new Map<string, FolderWatcher>();
  private watching = false;

  constructor(
    private readonly store: EmailStore,
    private readonly accounts: AccountService,
    private readonly ingest: IngestService,
    private readonly db: Knex,
    private readonly logger: Logger,
    private readonly options: { fetchBatchSize: number; pollIntervalMs: number },
  ) {}

  /** Syncs every watched folder of an account with a fresh connection. */
  async syncAccount(tenantId: string, accountId: string): Promise<SyncReport> {
    const account = await this.accounts.credentials(tenantId, accountId);
    if (!account.imap) throw new Error('no IMAP configured');
    const client = await imapClient(account.imap);
    client.on('error', (err: Error) => this.logger.warn({ err, accountId }, 'IMAP connection error'));
    try {
      await client.connect();
    } catch (err) {
      client.close();
      // The caller's request was fine; the server it names is not: a 502 that says why, not a 500.
      throw emailError('IMAP_UNAVAILABLE', { server: `${account.imap.host}:${account.imap.port}`, reason: classifyConnectionError(err) });
    }
    try {
      return await this.syncWith(client, account);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  /** Syncs every watched folder over an open connection. */
  async syncWith(client: ImapFlow, account: AccountCredentials): Promise<SyncReport> {
    const report: SyncReport = { fetched: 0, imported: 0, duplicates: 0, bounces: 0, quarantined: 0, resynced: [] };
    for (const folder of account.imap?.folders ?? ['INBOX']) await this.syncFolder(client, account, folder, report);
    return report;
  }

  private async syncFolder(client: ImapFlow, account: AccountCredentials, folder: string, report: SyncReport): Promise<void> {
    // A watched folder that does not exist (yet) is skipped, not a failed sync of every folder.
    const lock = await client.getMailboxLock(folder).catch((err: { mailboxMissing?: boolean; serverResponseCode?: string }) => {
      if (!err.mailboxMissing && err.serverResponseCode !== 'NONEXISTENT') throw err;
      this.logger.warn({ accountId: account.id, folder }, 'watched IMAP folder does not exist: skipped');
      return null;
    });
    if (!lock) return;
    try {
      const mailbox = client.mailbox;
      if (!mailbox) return;
      const validity = Number(mailbox.uidValidity);
      const cursor = await this.db<CursorRow>(this.store.table('cursors')).where({ account_id: account.id, folder }).first();
      let lastUid = cursor ? readInt(cursor.last_uid) : 0;
      if (!cursor) {
        await this.db<CursorRow>(this.store.table('cursors')).insert({ account_id: account.id, folder, tenant_id: account.tenantId, uid_validity: validity, last_uid: 0, updated_at: Date.now() });
      } else if (readInt(cursor.uid_validity) !== validity) {
        // The server renumbered the folder: every UID is new, so read it all again.
        this.logger.warn({ accountId: account.id, folder, was: readInt(cursor.uid_validity), now: validity }, 'UIDVALIDITY changed: resyncing the folder');
        report.resynced.push(folder);
        lastUid = 0;
        await this.db<CursorRow>(this.store.table('cursors')).where({ account_id: account.id, folder }).update({ uid_validity: validity, last_uid: 0, updated_at: Date.now() });
      }
      if (mailbox.exists === 0) return;
      const uids = ((await client.search({ uid: `${lastUid + 1}:*` }, { uid: true })) || []).filter((u) => u > lastUid).sort((a, b) => a - b);
      for (let i = 0; i < uids.length; i += this.options.fetchBatchSize) {
        const batch = uids.slice(i, i + this.options.fetchBatchSize);
        // Headers first: the ledger decides which bodies are worth downloading.
        const heads: Array<{ uid: number; messageId: string | null }> = [];
        for await (const m of client.fetch(batch.join(','), { uid: true, envelope: true }, { uid: true })) {
          heads.push({ uid: m.uid, messageId: m.envelope?.messageId ?? null });
        }
        heads.sort((a, b) => a.uid - b.uid);
        for (const head of heads) {
          const step = (trx: Knex.Transaction) => this.advance(trx, account.id, folder, validity, head.uid);
          report.fetched++;
          if (head.messageId && (await this.ingest.seen(account.id, IngestService.dedupKey(head.messageId.replace(/^<|>$/g, ''), null)))) {
            await this.db.transaction(step);
            report.duplicates++;
            continue;
          }
          const message = await client.fetchOne(String(head.uid), { source: true }, { uid: true });
          if (!message || !message.source) continue;
          count(report, await this.ingest.ingest(account, { folder, uid: head.uid }, message.source, step));
        }
      }
    } finally {
      lock.release();
    }
  }

  /** Moves the cursor forward (never back, and only under the same UIDVALIDITY). */
  private async advance(trx: Knex.Transaction, accountId: string, folder: string, validity: number, uid: number): Promise<void> {
    await trx<CursorRow>(this.store.table('cursors')).where({ account_id: accountId, folder, uid_validity: validity }).where('last_uid', '<', uid).update({ last_uid: uid, updated_at: Date.now() });
  }

  /** Syncs one folder over an open connection (the watcher's step). */
  async syncFolderWith(client: ImapFlow, account: AccountCredentials, folder: string): Promise<SyncReport> {
    const report: SyncReport = { fetched: 0, imported: 0, duplicates: 0, bounces: 0, quarantined: 0, resynced: [] };
    await this.syncFolder(client, account, folder, report);
    return report;
  }

  /** Starts a watcher per watched folder of every IMAP account (background mode); later account changes follow through {@link refresh}. */
  async startWatchers(): Promise<void> {
    this.watching = true;
    for (const account of await this.accounts.withImap()) this.watch(account);
  }

  /** After an account was created, changed or deleted: its watchers restart with the new settings, or stop. */
  async refresh(accountId: string): Promise<void> {
    if (!this.watching) return;
    await this.unwatch(accountId);
    const account = (await this.accounts.withImap()).find((a) => a.id === accountId);
    if (account && this.watching) this.watch(account);
  }

  /** The running watchers of an account (one per watched folder). */
  watchersOf(accountId: string): FolderWatcher[] {
    return [...this.watchers.values()].filter((w) => w.account.id === accountId);
  }

  private watch(account: AccountCredentials): void {
    for (const folder of account.imap?.folders ?? []) {
      const key = `${account.id}\u0000${folder}`;
      if (this.watchers.has(key)) continue;
      const watcher = new FolderWatcher(account, folder, this, this.logger, this.options.pollIntervalMs);
      this.watchers.set(key, watcher);
      watcher.start();
    }
  }

  private async unwatch(accountId: string): Promise<void> {
    const stopping = this.watchersOf(accountId);
    for (const w of stopping) this.watchers.delete(`${accountId}\u0000${w.folder}`);
    await Promise.all(stopping.map((w) => w.stop()));
  }

  async stopWatchers(): Promise<void> {
    this.watching = false;
    const all = [...this.watchers.values()];
    this.watchers.clear();
    await Promise.all(all.map((w) => w.stop()));
  }
}

function count(report: SyncReport, outcome: IngestOutcome): void {
  if (outcome === 'message') report.imported++;
  else if (outcome === 'duplicate') report.duplicates++;
  else if (outcome === 'bounce') report.bounces++;
  else report.quarantined++;
}
