/**
 * One-click unsubscribe for marketing mail (RFC 8058). Each marketing message gets its own
 * link, `<publicBaseUrl>/api/v1/email/unsubscribe/u1.<tenant>.<link>.<mac>`: a signed link
 * of core's (`signLinkToken`: the tenant and link ids in 22 characters each, an
 * HMAC-SHA256 cut to 128 bits) under the tenant's own key, sealed in the database. The
 * token names its tenant because the POST carries no credential; the link row names the
 * recipient, so the URL shows no address.
 * A link works once; the address is then refused for marketing mail of that tenant.
 */
import type { Knex } from 'knex';
import { compactLinkId, expandLinkId, isUniqueViolation, newId, newLinkKey, signLinkToken, verifyLinkToken, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import type { unsubscribedSchema } from '../schemas/email-schemas.js';
import { emailError } from '../errors.js';

/** What the public POST answers: the address and a sentence for the recipient, in the request's language. */
export type Unsubscribed = SchemaType<typeof unsubscribedSchema>;

/** What a link stands for, read without changing anything (the landing page of a GET). */
export interface UnsubscribeLink {
  tenantId: string;
  address: string;
  used: boolean;
}

const VERSION = 'u1';

/** The tenant and link ids a token states, unverified; undefined when it is not a token. */
function readToken(token: string): { tenantId: string; linkId: string } | undefined {
  const parts = token.split('.');
  const tenantId = parts.length === 4 && parts[0] === VERSION ? expandLinkId(parts[1]!) : undefined;
  const linkId = tenantId ? expandLinkId(parts[2]!) : undefined;
  return tenantId && linkId ? { tenantId, linkId } : undefined;
}

/** Unsubscribe links, the public unsubscription, and the check before marketing mail. */
export class UnsubscribeService {
  constructor(private readonly ctx: PluginContext<{ publicBaseUrl: string }>) {}

  /** Records a link for `address` on message `messageId` and returns its URL, in `trx`. */
  async issue(trx: Knex.Transaction, tenantId: string, messageId: string, address: string): Promise<string> {
    const id = newId();
    await this.ctx.data.forTenant(tenantId, trx).from('email_unsubscribe_links').insert({ id, message_id: messageId, address, created_at: Date.now() });
    const key = await this.key(tenantId, trx, true);
    if (!key) throw new Error(`no unsubscribe key for tenant ${tenantId}`);
    return `${this.ctx.options.publicBaseUrl}/api/v1/email/unsubscribe/${signLinkToken(key, [VERSION, compactLinkId(tenantId), compactLinkId(id)])}`;
  }

  /** The first of `addresses` that unsubscribed from the tenant's marketing mail, if any. */
  async firstUnsubscribed(trx: Knex.Transaction, tenantId: string, addresses: readonly string[]): Promise<string | undefined> {
    if (addresses.length === 0) return undefined;
    const row = await this.ctx.data.forTenant(tenantId, trx).from('email_unsubscribes').whereIn('address', [...addresses]).first('address');
    return row?.address;
  }

  /**
   * Unsubscribes the link's recipient: marks the address, uses the link up and emits
   * `email.unsubscribed`, in one transaction. A forged, unknown or foreign token is a 404;
   * a used link a 409.
   */
  async unsubscribe(token: string, lng: string): Promise<Unsubscribed> {
    const { tenantId, linkId } = readToken(token) ?? {};
    if (!tenantId || !linkId) throw emailError('UNSUBSCRIBE_LINK_NOT_FOUND');
    return this.ctx.data.transaction(async (trx) => {
      if (!(await this.genuine(tenantId, token, trx))) throw emailError('UNSUBSCRIBE_LINK_NOT_FOUND');
      const data = this.ctx.data.forTenant(tenantId, trx);
      const link = await this.ctx.data.forUpdate(data.from('email_unsubscribe_links').where('id', linkId)).first();
      if (!link) throw emailError('UNSUBSCRIBE_LINK_NOT_FOUND');
      const address = link.address;
      if (link.used_at !== null) throw emailError('UNSUBSCRIBE_LINK_USED', { address });
      const now = Date.now();
      await this.ctx.data.forTenant(tenantId, trx).from('email_unsubscribe_links').where('id', linkId).update({ used_at: now });
      const message = await this.ctx.data.forTenant(tenantId, trx).from('email_messages').where('id', link.message_id).first('customer_id');
      const customerId = message?.customer_id ? message.customer_id : null;
      try {
        await this.ctx.data.forTenant(tenantId, trx).from('email_unsubscribes').insert({ address, message_id: link.message_id, created_at: now });
      } catch (err) {
        // Already unsubscribed through another mail's link: the address stays marked once.
        if (!isUniqueViolation(err)) throw err;
      }
      await this.ctx.events.emit(trx, 'email.unsubscribed', { address, messageId: link.message_id, customerId, unsubscribedAt: new Date(now).toISOString() }, { tenantId, aggregateType: 'email_message', aggregateId: link.message_id });
      return { address, message: this.ctx.t('unsubscribe.done', { lng, address }) };
    });
  }

  /** The link a token stands for, or undefined when it is forged, unknown or foreign; changes nothing. */
  async inspect(token: string): Promise<UnsubscribeLink | undefined> {
    const { tenantId, linkId } = readToken(token) ?? {};
    if (!tenantId || !linkId) return undefined;
    return this.ctx.data.transaction(async (trx) => {
      if (!(await this.genuine(tenantId, token, trx))) return undefined;
      const link = await this.ctx.data.forTenant(tenantId, trx).from('email_unsubscribe_links').where('id', linkId).first('address', 'used_at');
      return link ? { tenantId, address: link.address, used: link.used_at !== null } : undefined;
    });
  }

  /** Whether the token's MAC is right under its tenant's key. */
  private async genuine(tenantId: string, token: string, trx: Knex.Transaction): Promise<boolean> {
    const key = await this.key(tenantId, trx, false);
    return key !== undefined && verifyLinkToken(key, token);
  }

  /** The tenant's signing key; created (in `trx`) on first use unless `create` is false. */
  private async key(tenantId: string, trx: Knex.Transaction, create: boolean): Promise<Buffer | undefined> {
    const keys = () => this.ctx.data.forTenant(tenantId, trx).from('email_unsubscribe_keys');
    let row = await keys().first('sealed_key');
    if (!row && create) {
      await keys().insert({ sealed_key: this.ctx.secrets.seal(newLinkKey()), created_at: Date.now() }).onConflict('tenant_id').ignore();
      row = await keys().first('sealed_key');
    }
    return row ? Buffer.from(this.ctx.secrets.open(row.sealed_key), 'base64url') : undefined;
  }
}
