/**
 * Customer satisfaction surveys. Solving a ticket mails its customer (when they have an
 * address) a signed, expiring link through the email plugin, from the queue's account or
 * the tenant's default one; without an account no mail goes and nothing fails. The link
 * is public: `GET` shows what is rated, `POST` rates once. One answer per ticket — the
 * primary key of `support_csat_responses` decides a race, the link's `used_at` is set by a
 * conditional update — and a rating of 2 or less is a complaint.
 */
import type { Knex } from 'knex';
import { isUniqueViolation, newLinkKey, PeyvandError, readInt, systemActor, verifyLinkToken, type Actor, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import type { csatAnswerSchema, csatLinkSchema, csatSurveySchema } from '../schemas/csat-schemas.js';
import { supportError } from '../errors.js';
import type { SupportOptions } from '../options.js';
import { COMPLAINT_RATING, type ComplaintService } from './complaints.js';
import { csatTokenHash, readCsatToken, signCsatToken, type CsatClaims } from './csat-tokens.js';
import type { TicketDto } from './records.js';
import type { SupportStore } from './store.js';

/** A survey link for sending another way. */
export type CsatLink = SchemaType<typeof csatLinkSchema>;

/** What the survey page shows. */
export type CsatSurvey = SchemaType<typeof csatSurveySchema>;

/** An answer. */
export type CsatAnswer = SchemaType<typeof csatAnswerSchema>;

/** What support needs of the email plugin (its exported `EmailApi`). */
interface EmailSender {
  send(tenantId: string, input: { to: string[]; subject: string; text: string; accountId?: string; customerId?: string }, trx?: Knex.Transaction): Promise<{ id: string }>;
}

/** Mail that cannot go for want of an account is skipped, not an error of the solve. */
const NO_ACCOUNT = new Set(['NO_DEFAULT_ACCOUNT', 'ACCOUNT_NOT_FOUND']);
const HOUR = 3_600_000;

/** CSAT use cases. */
export class CsatService {
  constructor(
    private readonly ctx: PluginContext<SupportOptions>,
    private readonly store: SupportStore,
    private readonly complaints: ComplaintService,
  ) {}

  /** `POST /tickets/{id}/csat-link`: a new link for a solved ticket the actor can see. */
  async link(actor: Actor, ticket: TicketDto): Promise<CsatLink> {
    if (ticket.mergedIntoId) throw supportError('TICKET_MERGED', { id: ticket.mergedIntoId });
    if (ticket.status !== 'solved' && ticket.status !== 'closed') throw supportError('CSAT_NOT_SOLVED', { number: ticket.number, status: ticket.status });
    return this.ctx.data.transaction(async (trx) => {
      if (await this.answered(trx, actor.tenantId, ticket.id)) throw supportError('CSAT_ANSWERED', { number: ticket.number });
      const link = await this.issue(trx, actor.tenantId, ticket.id);
      await this.ctx.audit.record(trx, actor, { action: 'ticket.csat_link', entityType: 'ticket', entityId: ticket.id, after: { expiresAt: link.expiresAt } });
      // Never the URL: its token answers the survey, like a password.
      await this.ctx.events.emit(trx, 'csat.link_issued', { ticketId: ticket.id, number: ticket.number, expiresAt: link.expiresAt }, { tenantId: actor.tenantId, aggregateType: 'ticket', aggregateId: ticket.id });
      return { url: link.url, expiresAt: link.expiresAt };
    });
  }

  /** In the solving transaction: mails the survey link to the customer's first address. */
  async solved(trx: Knex.Transaction, actor: Actor, ticket: TicketDto): Promise<void> {
    if (!ticket.customerId || (await this.answered(trx, actor.tenantId, ticket.id))) return;
    const reader = systemActor({ id: actor.tenantId, slug: actor.tenantSlug }, 'support-csat', ['core.customer.read']);
    // A customer deleted since is no reason to fail the solve (a lookup that finds nothing is no SQL error).
    const customer = await this.ctx.customers.get(reader, ticket.customerId, trx).catch((err: unknown) => {
      if (err instanceof PeyvandError && err.status === 404) return undefined;
      throw err;
    });
    const address = customer?.emails[0]?.value;
    if (!customer || !address) return;
    const data = this.ctx.data.forTenant(actor.tenantId, trx);
    const queue = ticket.queueId ? await data.from('support_queues').where({ id: ticket.queueId }).first('email_account_id') : undefined;
    const link = await this.issue(trx, actor.tenantId, ticket.id);
    const lng = customer.locale === 'fa' || customer.locale === 'en' ? customer.locale : await this.store.tenantLocale(trx, actor.tenantId);
    const params = { lng, number: ticket.number, subject: ticket.subject, name: customer.name, url: link.url };
    try {
      await this.ctx.use<EmailSender>('email').send(actor.tenantId, {
        to: [address],
        subject: this.ctx.t('csat.mail.subject', params),
        text: this.ctx.t('csat.mail.text', params),
        customerId: customer.id,
        ...(queue?.email_account_id != null && { accountId: queue.email_account_id }),
      }, trx);
    } catch (err) {
      if (!(err instanceof PeyvandError && NO_ACCOUNT.has(err.code))) throw err;
      // No account to send from: the link is not kept, the solve goes on (an agent may send one by hand).
      await data.from('support_csat_links').where({ token_hash: link.hash }).delete();
      this.ctx.logger.info({ ticket: ticket.id, reason: err.code }, 'CSAT survey not mailed: no email account');
    }
  }

  /** `GET /csat/{token}`: what the customer is asked to rate. */
  async survey(token: string): Promise<CsatSurvey> {
    const { claims } = await this.verified(token);
    const data = this.ctx.data.forTenant(claims.tenantId);
    const ticket = await data.from('support_tickets').where({ id: claims.ticketId }).first('number', 'subject', 'customer_id');
    if (!ticket) throw supportError('CSAT_LINK_NOT_FOUND', {});
    if (await this.answered(undefined, claims.tenantId, claims.ticketId)) throw supportError('CSAT_ANSWERED', { number: readInt(ticket.number) });
    return { ticketNumber: readInt(ticket.number), subject: ticket.subject, locale: await this.localeOf(claims.tenantId, ticket.customer_id) };
  }

  /** `POST /csat/{token}`: stores the rating once; a low one is a complaint. Answers the language the customer was asked in. */
  async answer(token: string, answer: CsatAnswer, requestId: string): Promise<{ locale: 'fa' | 'en' }> {
    const { claims, hash } = await this.verified(token);
    const tenant = (await this.ctx.tenants.findById(claims.tenantId))!;
    const actor: Actor = { ...systemActor(tenant, 'support-csat', ['core.customer.read']), requestId };
    const comment = answer.comment?.trim() || null;
    let customerId: string | null = null;
    try {
      await this.store.retryingTransaction(async (trx) => {
        const data = this.ctx.data.forTenant(claims.tenantId, trx);
        const now = Date.now();
        const row = await data.from('support_tickets').where({ id: claims.ticketId }).first('id', 'number', 'subject', 'customer_id', 'tags');
        if (!row) throw supportError('CSAT_LINK_NOT_FOUND', {});
        const number = readInt(row.number);
        // Single use of the link: only the first conditional update finds it unused.
        const used = await data.from('support_csat_links').where({ token_hash: hash }).whereNull('used_at').update({ used_at: now });
        if (Number(used) !== 1) throw supportError('CSAT_ANSWERED', { number });
        // One answer per ticket, whichever of its links: the primary key refuses a second.
        await data.from('support_csat_responses').insert({ ticket_id: claims.ticketId, rating: answer.rating, comment, answered_at: now, link_hash: hash });
        customerId = row.customer_id;
        const received = { ticketId: claims.ticketId, number, customerId, rating: answer.rating, comment, answeredAt: new Date(now).toISOString() };
        await this.ctx.audit.record(trx, actor, { action: 'ticket.csat', entityType: 'ticket', entityId: claims.ticketId, after: received });
        await this.ctx.events.emit(trx, 'csat.received', received, { tenantId: claims.tenantId, aggregateType: 'ticket', aggregateId: claims.ticketId });
        if (answer.rating <= COMPLAINT_RATING) {
          const subject = { id: claims.ticketId, number, subject: row.subject, tags: [], ...(customerId && { customerId }) };
          await this.complaints.record(trx, actor, subject, 'low_rating', answer.rating, now);
        }
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw supportError('CSAT_ANSWERED', { number: '' });
      throw err;
    }
    return { locale: await this.localeOf(claims.tenantId, customerId) };
  }

  /** The ticket's CSAT answer, for the ticket views. */
  async ratings(trx: Knex.Transaction | undefined, tenantId: string, ticketIds: readonly string[]): Promise<Map<string, { rating: number; comment?: string }>> {
    if (ticketIds.length === 0) return new Map();
    const rows = await this.ctx.data.forTenant(tenantId, trx).from('support_csat_responses').whereIn('ticket_id', [...ticketIds]).select('ticket_id', 'rating', 'comment');
    return new Map(rows.map((r) => [r.ticket_id, { rating: r.rating, ...(r.comment != null && { comment: r.comment }) }]));
  }

  /** Signs and records a new link for a ticket, in `trx`. */
  private async issue(trx: Knex.Transaction, tenantId: string, ticketId: string): Promise<CsatLink & { hash: string }> {
    const now = Date.now();
    const expiresAt = now + this.ctx.options.csatLinkTtlHours * HOUR;
    const token = signCsatToken(await this.key(tenantId, trx), { tenantId, ticketId, expiresAt });
    const hash = csatTokenHash(token);
    await this.ctx.data.forTenant(tenantId, trx).from('support_csat_links').insert({ token_hash: hash, ticket_id: ticketId, expires_at: expiresAt, created_at: now });
    return { url: `${this.ctx.options.publicBaseUrl}/api/v1/support/csat/${token}`, expiresAt: new Date(expiresAt).toISOString(), hash };
  }

  /**
   * The token's claims when it is genuine, unexpired, recorded, and its tenant has
   * support; otherwise 404 — a forged, expired, foreign or unknown link all look alike.
   */
  private async verified(token: string): Promise<{ claims: CsatClaims; hash: string }> {
    const notFound = () => supportError('CSAT_LINK_NOT_FOUND', {});
    const claims = readCsatToken(token);
    if (!claims || claims.expiresAt <= Date.now()) throw notFound();
    if (!(await this.ctx.tenants.isEnabled(claims.tenantId, this.ctx.name))) throw notFound();
    const key = await this.key(claims.tenantId);
    if (!key || !verifyLinkToken(key, token)) throw notFound();
    const hash = csatTokenHash(token);
    const link = await this.ctx.data.forTenant(claims.tenantId).from('support_csat_links').where({ token_hash: hash }).first('ticket_id', 'expires_at');
    if (!link || link.ticket_id !== claims.ticketId || readInt(link.expires_at) <= Date.now()) throw notFound();
    return { claims, hash };
  }

  /** The tenant's link key: created (sealed with the installation secret) when `trx` is given and there is none. */
  private async key(tenantId: string): Promise<Buffer | undefined>;
  private async key(tenantId: string, trx: Knex.Transaction): Promise<Buffer>;
  private async key(tenantId: string, trx?: Knex.Transaction): Promise<Buffer | undefined> {
    const keys = () => this.ctx.data.forTenant(tenantId, trx).from('support_csat_keys');
    let row = await keys().first('sealed_key');
    if (!row && trx) {
      await keys().insert({ sealed_key: this.ctx.secrets.seal(newLinkKey()), created_at: Date.now() }).onConflict('tenant_id').ignore();
      row = await keys().first('sealed_key');
    }
    return row ? Buffer.from(this.ctx.secrets.open(row.sealed_key), 'base64url') : undefined;
  }

  private async answered(trx: Knex.Transaction | undefined, tenantId: string, ticketId: string): Promise<boolean> {
    return (await this.ctx.data.forTenant(tenantId, trx).from('support_csat_responses').where({ ticket_id: ticketId }).first('ticket_id')) !== undefined;
  }

  /** The survey's language: the customer's, else the tenant's. */
  private async localeOf(tenantId: string, customerId: string | null): Promise<'fa' | 'en'> {
    const tenant = await this.ctx.tenants.findById(tenantId);
    if (customerId != null) {
      const reader = systemActor({ id: tenantId, slug: tenant?.slug ?? tenantId }, 'support-csat', ['core.customer.read']);
      const customer = await this.ctx.customers.get(reader, customerId).catch(() => undefined);
      if (customer?.locale === 'fa' || customer?.locale === 'en') return customer.locale;
    }
    return tenant?.locale ?? 'en';
  }
}
