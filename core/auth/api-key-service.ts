/** Per-tenant API keys: random, shown once, stored as a hash, revocable at once. */
import { newId } from '../plugin/ids.js';
import type { Database } from '../db/database.js';
import type { ApiKeyRow } from '../db/rows/access.js';
import { coreError } from '../plugin/errors.js';
import { generateApiKey, parseApiKey, verifyApiKeySecret } from './api-keys.js';
import type { ChangeRecorder } from '../audit/change-recorder.js';
import type { ChangeAuthor } from '../audit/audit-log.js';
import { EpochCache, type AuthEpoch } from './auth-epoch.js';

/** A created key; `key` is the only time the secret is visible. */
export interface CreatedApiKey {
  id: string;
  name: string;
  role: string;
  key: string;
}

/** What a valid key resolves to. */
export interface ApiKeyPrincipal {
  id: string;
  tenantId: string;
  name: string;
  role: string;
}

/** The columns `byKeyIdSql` selects: all an authentication needs. */
type ActiveKeyColumns = Pick<ApiKeyRow, 'id' | 'tenant_id' | 'name' | 'role' | 'secret_hash' | 'revoked_at'>;

/** A key row as the cache keeps it: the principal and the stored hash of its secret. */
interface KeyRow {
  principal: ApiKeyPrincipal;
  secretHash: string;
}

/** Creates, revokes and checks API keys. */
export class ApiKeyService {
  // Active keys by their public id. Only the hash of a secret is kept, as in the table.
  private readonly keys: EpochCache<KeyRow>;
  private readonly byKeyIdSql: string;

  constructor(
    private readonly db: Database,
    private readonly changes: ChangeRecorder,
    private readonly epoch: AuthEpoch,
  ) {
    this.keys = new EpochCache(epoch);
    this.byKeyIdSql = `select id, tenant_id, name, role, secret_hash, revoked_at from "${db.table('api_keys')}" where key_id = ?`;
  }

  /** Creates a key; audited and evented without the secret. */
  async create(author: ChangeAuthor, name: string, role: string): Promise<CreatedApiKey> {
    const tenantId = author.tenantId;
    const generated = generateApiKey();
    const id = newId();
    await this.db.transaction(async (trx) => {
      await this.db.rows('api_keys', trx).insert({
        id,
        tenant_id: tenantId,
        key_id: generated.keyId,
        secret_hash: generated.hash,
        name,
        role,
        created_at: Date.now(),
        revoked_at: null,
      });
      const apiKey = { id, name, role };
      await this.changes.record(trx, author, { action: 'api_key.create', entityType: 'api_key', entityId: id, after: apiKey }, { type: 'api_key.created', data: { apiKey } });
    });
    return { id, name, role, key: generated.token };
  }

  /**
   * Revokes a key of the tenant; the next request with it is a 401 on this node, and on
   * every other node within AUTH_CACHE_BOUND_MS (the epoch is raised with the revocation).
   */
  async revoke(author: ChangeAuthor, id: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      const updated = await this.db.rows('api_keys', trx).where({ tenant_id: author.tenantId, id }).whereNull('revoked_at').update({ revoked_at: Date.now() });
      if (!updated) throw coreError('API_KEY_NOT_FOUND', { id });
      await this.changes.record(trx, author, { action: 'api_key.revoke', entityType: 'api_key', entityId: id }, { type: 'api_key.revoked', data: { apiKeyId: id } });
      await this.epoch.raise(trx);
    });
    this.epoch.invalidate();
  }

  /**
   * Resolves a presented key: its row by public id (cached until the auth epoch moves;
   * see auth-epoch.ts), then the secret's hash compared in constant time on every request.
   * Unknown and revoked keys are never cached, so a key created on another node works at once.
   */
  async authenticate(token: string): Promise<ApiKeyPrincipal | undefined> {
    const parsed = parseApiKey(token);
    if (!parsed) return undefined;
    const key = await this.keys.get(parsed.keyId, () => this.load(parsed.keyId));
    if (!key || !verifyApiKeySecret(parsed.secret, key.secretHash)) return undefined;
    return key.principal;
  }

  /**
   * {@link authenticate} answered from the cache alone, without a promise: the principal
   * when the key's row is cached and the secret matches; undefined otherwise (not cached,
   * or refused — {@link authenticate} then decides).
   */
  cachedPrincipal(token: string): ApiKeyPrincipal | undefined {
    const parsed = parseApiKey(token);
    const key = parsed && this.keys.peek(parsed.keyId);
    return key && verifyApiKeySecret(parsed.secret, key.secretHash) ? key.principal : undefined;
  }

  /** An active key's row, from the read connection when there is one. */
  private async load(keyId: string): Promise<KeyRow | undefined> {
    const row = this.db.reader ? this.db.reader.get<ActiveKeyColumns>(this.byKeyIdSql, keyId) : await this.db.rows('api_keys').where({ key_id: keyId }).first();
    if (!row || row.revoked_at !== null) return undefined;
    return { principal: { id: row.id, tenantId: row.tenant_id, name: row.name, role: row.role }, secretHash: row.secret_hash };
  }
}
