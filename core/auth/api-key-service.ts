/** Per-tenant API keys: random, shown once, stored as a hash, revocable at once. */
import { newId } from '../db/ids.js';
import type { Database } from '../db/database.js';
import { coreError } from '../errors.js';
import { generateApiKey, parseApiKey, verifyApiKeySecret } from './api-keys.js';

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
  constructor(private readonly db: Database) {}

  async create(tenantId: string, name: string, role: string): Promise<CreatedApiKey> {
    const generated = generateApiKey();
    const id = newId();
    await this.db.knex(this.db.table('api_keys')).insert({
      id,
      tenant_id: tenantId,
      key_id: generated.keyId,
      secret_hash: generated.hash,
      name,
      role,
      created_at: Date.now(),
      revoked_at: null,
    });
    return { id, name, role, key: generated.token };
  }

  /** Revokes a key of the tenant; the next request with it is a 401. */
  async revoke(tenantId: string, id: string): Promise<void> {
    const updated = await this.db.knex(this.db.table('api_keys')).where({ tenant_id: tenantId, id }).whereNull('revoked_at').update({ revoked_at: Date.now() });
    if (!updated) throw coreError('API_KEY_NOT_FOUND', { id });
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
