/**
 * The live inbox: one IMAP connection per watched folder (IDLE only reports on the selected
 * mailbox). Each connection syncs its folder, then IDLEs until the server says `EXISTS`;
 * a server without the IDLE capability is polled instead, every `pollIntervalMs`. IDLE is
 * started by hand rather than by imapflow's auto-IDLE, which waits 15 s of silence first —
 * mail arriving in that window would only be noticed on the next command. A dropped or
 * refused connection is opened again with exponential backoff (1 s doubling to 60 s).
 */
import type { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import { backoffDelay } from '../../../core/plugin/index.js';
import type { AccountCredentials } from './accounts.js';
import { imapClient } from './transports.js';

/** What a watcher needs of the inbound service: a sync of one folder over an open connection. */
export interface FolderSyncer {
  syncFolderWith(client: ImapFlow, account: AccountCredentials, folder: string): Promise<unknown>;
}

/** How a watcher waits between syncs. */
export type WatchMode = 'idle' | 'poll';

/** One account folder's live connection. */
export class FolderWatcher {
  private stopped = false;
  private client: ImapFlow | undefined;
  private wake: (() => void) | undefined;
  /** New mail was announced since the last sync began (also while that sync ran). */
  private dirty = false;
  private loop: Promise<void> | undefined;
  /** How the current connection waits (`poll` when the server lacks IDLE); undefined before it connects. */
  mode: WatchMode | undefined;

  constructor(
    readonly account: AccountCredentials,
    readonly folder: string,
    private readonly syncer: FolderSyncer,
    private readonly logger: Logger,
    private readonly pollIntervalMs: number,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.client?.close();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    const log = { accountId: this.account.id, folder: this.folder };
    while (!this.stopped) {
      const settings = this.account.imap;
      if (!settings) return;
      const client = await imapClient(settings, { disableAutoIdle: true });
      if (this.stopped) return; // stopped while the client library loaded
      this.client = client;
      client.on('error', (err: Error) => this.logger.warn({ err, ...log }, 'IMAP watcher error'));
      client.on('exists', () => {
        this.dirty = true;
        this.wake?.();
      });
      client.on('close', () => this.wake?.());
      try {
        await client.connect();
        failures = 0;
        this.mode = client.capabilities.has('IDLE') ? 'idle' : 'poll';
        if (this.mode === 'poll') this.logger.info(log, 'IMAP server lacks IDLE: polling the folder');
        while (!this.stopped && client.usable) {
          this.dirty = false;
          // A selected folder's message count only moves when the server may speak: outside
          // IDLE that is after a command, so a poll asks with NOOP before syncing.
          if (client.mailbox) await client.noop();
          await this.syncer.syncFolderWith(client, this.account, this.folder);
          if (this.stopped || !client.usable) break;
          await this.waitForMail(client);
        }
      } catch (err) {
        if (this.stopped) break;
        failures++;
        this.logger.warn({ err, ...log, failures }, 'IMAP watcher failed; reconnecting');
      } finally {
        client.close();
      }
      // 1 s after a clean end or the first failure, doubling per failure in a row up to a minute.
      if (!this.stopped) await this.pause(backoffDelay(failures, { baseMs: 1000, maxMs: 60_000 }));
    }
  }

  /**
   * Waits for new mail: IDLE on the selected folder until `exists` wakes us (the next sync's
   * mailbox lock ends the IDLE), with the poll interval as a safety net either way.
   */
  private async waitForMail(client: ImapFlow): Promise<void> {
    if (this.dirty) return;
    const woken = this.pause(this.pollIntervalMs);
    // The sync left the folder selected; IDLE reports on the selected mailbox.
    if (this.mode === 'idle') {
      client.idle().catch((err: unknown) => this.logger.warn({ err, accountId: this.account.id, folder: this.folder }, 'IMAP IDLE ended with an error'));
    }
    await woken;
  }

  /** Resolves after `ms`, or earlier when woken (new mail, a closed connection, stop). */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.stopped) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
