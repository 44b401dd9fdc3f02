/** Per-tenant API keys: random, shown once, stored as a hash, revocable at once. */
import { newId } from '../db/ids.js';
import type { Database } from '../db/database.js';
import { coreError } from '../errors.js';
import { generateApiKey, parseApiKey, verifyApiKeySecret } from './api-keys.js';
import type { ChangeRecorder } from '../audit/change-recorder.js';
import type { ChangeAuthor } from '../audit/audit-log.js';

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

/** Creates, revokes and checks API keys. */
export class ApiKeyService {
  constructor(
    private readonly db: Database,
    private readonly changes: ChangeRecorder,
  ) {}

  /** Creates a key; audited and evented without the secret. */
  async create(author: ChangeAuthor, name: string, role: string): Promise<CreatedApiKey> {
    const tenantId = author.tenantId;
    const generated = generateApiKey();
    const id = newId();
    await this.db.transaction(async (trx) => {
      await trx(this.db.table('api_keys')).insert({
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

  /** Revokes a key of the tenant; the next request with it is a 401. */
  async revoke(author: ChangeAuthor, id: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      const updated = await trx(this.db.table('api_keys')).where({ tenant_id: author.tenantId, id }).whereNull('revoked_at').update({ revoked_at: Date.now() });
      if (!updated) throw coreError('API_KEY_NOT_FOUND', { id });
      await this.changes.record(trx, author, { action: 'api_key.revoke', entityType: 'api_key', entityId: id }, { type: 'api_key.revoked', data: { apiKeyId: id } });
    });
  }

  /**
   * Resolves a presented key. Looked up by its public id, then the secret's hash is
   * compared in constant time; no cache, so a revocation takes effect on the next request.
   */
  async authenticate(token: string): Promise<ApiKeyPrincipal | undefined> {
    const parsed = parseApiKey(token);
    if (!parsed) return undefined;
    const row = await this.db.knex(this.db.table('api_keys')).where({ key_id: parsed.keyId }).first();
    if (!row || row.revoked_at !== null || !verifyApiKeySecret(parsed.secret, String(row.secret_hash))) return undefined;
    return { id: String(row.id), tenantId: String(row.tenant_id), name: String(row.name), role: String(row.role) };
  }
}
