/**
 * Email accounts per tenant: SMTP and optional IMAP settings, passwords sealed with
 * `PEYVAND_SECRET` and never returned, one default account, and a connection test.
 */
import type { Knex } from 'knex';
import { coreError, newId, readBool, readInt, readJson, type Actor, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import type { accountInputSchema, accountPatchSchema, accountSchema, connectionReportSchema } from '../schemas/email-schemas.js';
import { emailError } from '../errors.js';
import { checkDkim, type DkimCredentials } from './dkim.js';
import type { AccountRow } from './rows.js';
import type { EmailStore } from './store.js';
import { testImap, testSmtp, type ServerSettings } from './transports.js';

/** Server settings as written by the API (the password is write-only). */
export type ServerInput = AccountInput['smtp'];

/** What an account is created with (`dkim`: sign outbound mail with this key): the body of `POST /accounts`. */
export type AccountInput = SchemaType<typeof accountInputSchema>;

/**
 * A merge-patch of an account; a server block given replaces the stored one, its password
 * optional; `dkim` is merged into the stored settings (the key optional when one is
 * stored), null stops signing.
 */
export type AccountPatch = SchemaType<typeof accountPatchSchema>;

/** What becomes of mail from an address no customer has. */
export type UnknownSenders = 'customer' | 'lead' | 'ignore';

/** Every field of a schema type required, and those of its nested objects (not arrays). */
type Answered<T> = { [K in keyof T]-?: T[K] extends infer V ? (V extends readonly unknown[] ? V : V extends object ? Required<V> : V) : never };

/**
 * An account as the API shows it: no password, the DKIM key only as `configured`. Its
 * response schema requires few fields; the service answers every one, servers included.
 */
export type AccountDto = Answered<SchemaType<typeof accountSchema>>;

/** A server of an account as the API shows it (no password). */
type PublicServer = AccountDto['smtp'];

/** An account with its passwords opened, for the sender and the inbox sync only. */
export interface AccountCredentials {
  id: string;
  tenantId: string;
  address: string;
  name: string;
  smtp: ServerSettings;
  imap: (ServerSettings & { folders: string[] }) | null;
  unknownSenders: UnknownSenders;
  maxAttachmentBytes: number;
  dkim: DkimCredentials | null;
  /** The settings' version: bumped by every change, so a connection opened with older settings is not reused. */
  version: number;
}

/** Result of `POST …/accounts/{id}/test`. */
export type ConnectionReport = SchemaType<typeof connectionReportSchema>;

const DEFAULT_ATTACHMENT_LIMIT = 25 * 1024 * 1024;

/** Account use cases. */
export class AccountService {
  private readonly listeners: Array<(accountId: string) => Promise<void>> = [];

  constructor(private readonly ctx: PluginContext<unknown>, private readonly store: EmailStore) {}

  /** Calls `listener` after an account was created, changed or deleted (committed), without waiting for it. */
  onChange(listener: (accountId: string) => Promise<void>): void {
    this.listeners.push(listener);
  }

  private changed(accountId: string): void {
    for (const listener of this.listeners) listener(accountId).catch((err: unknown) => this.ctx.logger.warn({ err, accountId }, 'email account change listener failed'));
  }

  async create(actor: Actor, input: AccountInput): Promise<AccountDto> {
    const created = await this.ctx.db.transaction(async (trx) => {
      const id = newId();
      const now = Date.now();
      const existing = await this.store.rows(trx, 'accounts', actor.tenantId).first('id');
      const isDefault = input.default ?? !existing;
      if (isDefault) await this.store.rows(trx, 'accounts', actor.tenantId).update({ is_default: false });
      const { password: smtpPassword, ...smtp } = input.smtp;
      const imap = input.imap ? { ...input.imap, folders: input.imap.folders ?? ['INBOX'] } : undefined;
      const dkim = input.dkim ? checkDkim(input.dkim, input.address.trim()) : undefined;
      await trx<AccountRow>(this.store.table('accounts')).insert({
        id,
        tenant_id: actor.tenantId,
        name: input.name.trim(),
        address: input.address.trim().toLowerCase(),
        smtp: JSON.stringify(smtp),
        smtp_password: this.ctx.secrets.seal(smtpPassword),
        imap: imap ? JSON.stringify({ ...imap, password: undefined }) : null,
        imap_password: imap ? this.ctx.secrets.seal(imap.password) : null,
        unknown_senders: input.unknownSenders ?? 'customer',
        is_default: isDefault,
        max_attachment_bytes: input.maxAttachmentBytes ?? DEFAULT_ATTACHMENT_LIMIT,
        dkim: dkim ? JSON.stringify({ domain: dkim.domain, selector: dkim.selector }) : null,
        dkim_private_key: dkim ? this.ctx.secrets.seal(dkim.privateKey) : null,
        version: 1,
        created_at: now,
        updated_at: now,
      });
      const account = await this.load(trx, actor.tenantId, id);
      await this.ctx.audit.record(trx, actor, { action: 'email.account.create', entityType: 'email_account', entityId: id, after: account });
      await this.ctx.events.emit(trx, 'email.account_created', { account }, { tenantId: actor.tenantId, aggregateType: 'email_account', aggregateId: id });
      return account;
    });
    this.changed(created.id);
    return created;
  }

  async list(actor: Actor): Promise<{ items: AccountDto[]; nextCursor: null }> {
    const rows = await this.store.rows(this.ctx.db.knex, 'accounts', actor.tenantId).orderBy('id').limit(500);
    return { items: rows.map(accountFromRow), nextCursor: null };
  }

  async get(actor: Actor, id: string): Promise<AccountDto> {
    return this.load(this.ctx.db.knex, actor.tenantId, id);
  }

  /** Applies a merge-patch; `expectedVersion` (from If-Match) guards against lost updates (412). */
  async update(actor: Actor, id: string, patch: AccountPatch, expectedVersion?: number): Promise<AccountDto> {
    const updated = await this.ctx.db.transaction(async (trx) => {
      const row = await this.store.forUpdate(this.store.rows(trx, 'accounts', actor.tenantId).where('id', id).first());
      if (!row) throw emailError('ACCOUNT_NOT_FOUND', { id });
      if (expectedVersion !== undefined && expectedVersion !== row.version) throw coreError('PRECONDITION_FAILED', { current: row.version });
      const before = accountFromRow(row);
      const values: Partial<AccountRow> = { updated_at: Date.now(), version: row.version + 1 };
      if (patch.name !== undefined) values.name = patch.name.trim();
      if (patch.address !== undefined) values.address = patch.address.trim().toLowerCase();
      if (patch.unknownSenders !== undefined) values.unknown_senders = patch.unknownSenders;
      if (patch.maxAttachmentBytes !== undefined) values.max_attachment_bytes = patch.maxAttachmentBytes;
      if (patch.smtp) {
        const { password, ...rest } = patch.smtp;
        values.smtp = JSON.stringify({ ...before.smtp, ...rest });
        if (password !== undefined) values.smtp_password = this.ctx.secrets.seal(password);
      }
      if (patch.imap === null) Object.assign(values, { imap: null, imap_password: null });
      else if (patch.imap) {
        const { password, ...rest } = patch.imap;
        const merged = { ...(before.imap ?? { folders: ['INBOX'] }), ...rest };
        if (!merged.host || !merged.port || !merged.secure || !merged.user) throw emailError('NO_IMAP', {}, [{ path: '/imap', message: 'host, port, secure and user are required' }]);
        if (password === undefined && !row.imap_password) throw emailError('NO_IMAP', {}, [{ path: '/imap/password', message: 'required' }]);
        values.imap = JSON.stringify(merged);
        if (password !== undefined) values.imap_password = this.ctx.secrets.seal(password);
      }
      const dkimChange = this.dkimPatch(row, before, patch);
      if (dkimChange) Object.assign(values, dkimChange);
      if (patch.default === true) await this.store.rows(trx, 'accounts', actor.tenantId).update({ is_default: false });
      if (patch.default !== undefined) values.is_default = patch.default;
      await this.store.rows(trx, 'accounts', actor.tenantId).where('id', id).update(values);
      const after = await this.load(trx, actor.tenantId, id);
      await this.ctx.audit.record(trx, actor, { action: 'email.account.update', entityType: 'email_account', entityId: id, before, after });
      await this.ctx.events.emit(trx, 'email.account_updated', { account: after }, { tenantId: actor.tenantId, aggregateType: 'email_account', aggregateId: id });
      return after;
    });
    this.changed(id);
    return updated;
  }

  /**
   * The DKIM columns a patch writes: settings merged and checked again (also when only the
   * address changed, which must stay aligned with the signing domain); null stops signing.
   */
  private dkimPatch(row: AccountRow, before: AccountDto, patch: AccountPatch): Pick<AccountRow, 'dkim' | 'dkim_private_key'> | undefined {
    if (patch.dkim === null) return { dkim: null, dkim_private_key: null };
    if (!patch.dkim && (patch.address === undefined || !before.dkim)) return undefined;
    const stored = before.dkim ? { domain: before.dkim.domain, selector: before.dkim.selector, privateKey: this.open(row, 'dkim_private_key') } : undefined;
    const merged = { ...stored, ...patch.dkim };
    if (!merged.domain || !merged.selector || !merged.privateKey) throw emailError('DKIM_KEY_INVALID', { minBits: 1024 }, [{ path: '/dkim', message: 'domain, selector and privateKey are required' }]);
    const dkim = checkDkim({ domain: merged.domain, selector: merged.selector, privateKey: merged.privateKey }, (patch.address ?? before.address).trim());
    return { dkim: JSON.stringify({ domain: dkim.domain, selector: dkim.selector }), dkim_private_key: this.ctx.secrets.seal(dkim.privateKey) };
  }

  async delete(actor: Actor, id: string): Promise<void> {
    await this.ctx.db.transaction(async (trx) => {
      const before = await this.load(trx, actor.tenantId, id);
      await this.store.rows(trx, 'accounts', actor.tenantId).where('id', id).delete();
      await trx(this.store.table('cursors')).where('account_id', id).delete();
      await this.ctx.audit.record(trx, actor, { action: 'email.account.delete', entityType: 'email_account', entityId: id, before });
      await this.ctx.events.emit(trx, 'email.account_deleted', { account: before }, { tenantId: actor.tenantId, aggregateType: 'email_account', aggregateId: id });
    });
    this.changed(id);
  }

  /** Opens both connections and reports, in `lng`, what failed. */
  async test(actor: Actor, id: string, lng: string): Promise<ConnectionReport> {
    const account = await this.credentials(actor.tenantId, id);
    const [smtp, imap] = await Promise.all([testSmtp(account.smtp), account.imap ? testImap(account.imap) : Promise.resolve('NOT_CONFIGURED' as const)]);
    const describe = (code: string, server: string) => this.ctx.t(`connection.${code}`, { lng, server });
    return {
      smtp: smtp ? { ok: false, code: smtp, error: describe(smtp, `${account.smtp.host}:${account.smtp.port}`) } : { ok: true },
      imap: imap ? { ok: false, code: imap, error: describe(imap, account.imap ? `${account.imap.host}:${account.imap.port}` : '') } : { ok: true },
    };
  }

  /** An account with opened passwords; 404 when it is not the tenant's. */
  async credentials(tenantId: string, id: string, trx: Knex | Knex.Transaction = this.ctx.db.knex): Promise<AccountCredentials> {
    const row = await this.store.rows(trx, 'accounts', tenantId).where('id', id).first();
    if (!row) throw emailError('ACCOUNT_NOT_FOUND', { id });
    return this.credentialsFromRow(row);
  }

  /** The tenant's default account, or 422. */
  async defaultAccountId(tenantId: string, trx: Knex | Knex.Transaction): Promise<string> {
    const row = await this.store.rows(trx, 'accounts', tenantId).where('is_default', true).first('id');
    if (!row) throw emailError('NO_DEFAULT_ACCOUNT');
    return row.id;
  }

  /** Every account with IMAP configured, across tenants (for the inbox workers). */
  async withImap(): Promise<AccountCredentials[]> {
    const rows = await this.ctx.db.knex<AccountRow>(this.store.table('accounts')).whereNotNull('imap').orderBy('id');
    return rows.map((r) => this.credentialsFromRow(r));
  }

  private credentialsFromRow(row: AccountRow): AccountCredentials {
    const dto = accountFromRow(row);
    return {
      id: dto.id,
      tenantId: row.tenant_id,
      address: dto.address,
      name: dto.name,
      smtp: { ...dto.smtp, password: this.ctx.secrets.open(row.smtp_password) },
      imap: dto.imap ? { ...dto.imap, password: this.open(row, 'imap_password') } : null,
      unknownSenders: dto.unknownSenders,
      maxAttachmentBytes: dto.maxAttachmentBytes,
      dkim: dto.dkim ? { domain: dto.dkim.domain, selector: dto.dkim.selector, privateKey: this.open(row, 'dkim_private_key') } : null,
      version: dto.version,
    };
  }

  /** A sealed secret the account's settings say is stored (written with them, cleared with them). */
  private open(row: AccountRow, column: 'imap_password' | 'dkim_private_key'): string {
    const sealed = row[column];
    if (sealed === null) throw new Error(`email account ${row.id}: ${column} missing`);
    return this.ctx.secrets.open(sealed);
  }

  private async load(trx: Knex | Knex.Transaction, tenantId: string, id: string): Promise<AccountDto> {
    const row = await this.store.rows(trx, 'accounts', tenantId).where('id', id).first();
    if (!row) throw emailError('ACCOUNT_NOT_FOUND', { id });
    return accountFromRow(row);
  }
}

function accountFromRow(row: AccountRow): AccountDto {
  const smtp = readJson<PublicServer>(row.smtp, { host: '', port: 0, secure: 'none', user: '' });
  const imap = readJson<(PublicServer & { folders: string[] }) | null>(row.imap, null);
  const dkim = readJson<{ domain: string; selector: string } | null>(row.dkim, null);
  return {
    id: row.id,
    name: row.name,
    address: row.address,
    smtp: { host: smtp.host, port: smtp.port, secure: smtp.secure, user: smtp.user },
    imap: imap ? { host: imap.host, port: imap.port, secure: imap.secure, user: imap.user, folders: imap.folders } : null,
    unknownSenders: row.unknown_senders as UnknownSenders,
    default: readBool(row.is_default),
    maxAttachmentBytes: row.max_attachment_bytes,
    dkim: dkim ? { domain: dkim.domain, selector: dkim.selector, configured: true } : null,
    createdAt: new Date(readInt(row.created_at)).toISOString(),
    updatedAt: new Date(readInt(row.updated_at)).toISOString(),
    version: row.version,
  };
}
