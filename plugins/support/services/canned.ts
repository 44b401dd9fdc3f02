/**
 * Canned responses: an agent's ready answers per locale, Handlebars templates over the
 * ticket and its customer. A template is compiled when saved (a broken one is a 422) and
 * only ever handed out rendered, for the agent to insert into a reply. Rendering uses
 * core's isolated renderer with the helpers email templates have (`digits`, `number`,
 * `date`); replies are plain text, so the HTML escaping Handlebars applies is undone.
 * Creating, changing and deleting one are audited and announced
 * (`canned_response.created|updated|deleted`) in one transaction with the change.
 */
import type { Knex } from 'knex';
import { coreError, localizedTemplateRenderer, newId, readInt, type Actor, type PluginContext, type TemplateRenderer, type SchemaType } from '../../../core/plugin/index.js';
import type { cannedInputSchema, cannedPatchSchema, cannedSchema, renderedSchema } from '../schemas/csat-schemas.js';
import { supportError } from '../errors.js';
import type { SupportOptions } from '../options.js';
import type { CannedResponseRow } from './rows.js';
import { checkVersion } from './store.js';
import type { TicketService } from './tickets.js';

/** Languages of canned responses. */
export const CANNED_LOCALES = ['fa', 'en'] as const;
type Locale = (typeof CANNED_LOCALES)[number];

/** A canned response. */
export type CannedResponseDto = SchemaType<typeof cannedSchema>;

/** What a canned response is created with. */
export type CannedResponseInput = SchemaType<typeof cannedInputSchema>;

/** A change of a canned response: the body of `PATCH /canned-responses/{id}`. */
export type CannedResponsePatch = SchemaType<typeof cannedPatchSchema>;

/** A rendered canned response. */
export type RenderedResponse = SchemaType<typeof renderedSchema>;


/** Canned response use cases. */
export class CannedResponseService {
  private readonly renderers: Record<Locale, TemplateRenderer> = { fa: localizedTemplateRenderer('fa', { output: 'text' }), en: localizedTemplateRenderer('en', { output: 'text' }) };

  constructor(
    private readonly ctx: PluginContext<SupportOptions>,
    private readonly tickets: TicketService,
  ) {}

  async create(actor: Actor, input: CannedResponseInput): Promise<CannedResponseDto> {
    this.compile(input.locale, input.body);
    return this.ctx.data.transaction(async (trx) => {
      const now = Date.now();
      const id = newId();
      await this.ctx.data.forTenant(actor.tenantId, trx).from('support_canned_responses').insert({ id, name: input.name.trim(), locale: input.locale, body: input.body, version: 1, created_at: now, updated_at: now });
      const created = await this.get(actor, id, trx);
      await this.ctx.audit.record(trx, actor, { action: 'support_canned_response.create', entityType: 'support_canned_response', entityId: id, after: created });
      await this.ctx.events.emit(trx, 'canned_response.created', { cannedResponse: created }, { tenantId: actor.tenantId, aggregateType: 'support_canned_response', aggregateId: id });
      return created;
    });
  }

  /** The tenant's canned responses by name, optionally of one locale. */
  async list(actor: Actor, locale?: Locale): Promise<{ items: CannedResponseDto[] }> {
    const q = this.ctx.data.forTenant(actor.tenantId).from('support_canned_responses');
    if (locale) q.where({ locale });
    return { items: (await q.orderBy([{ column: 'name' }, { column: 'id' }]).limit(1000)).map(fromRow) };
  }

  async get(actor: Actor, id: string, trx?: Knex.Transaction): Promise<CannedResponseDto> {
    const row = await this.ctx.data.forTenant(actor.tenantId, trx).from('support_canned_responses').where({ id }).first();
    if (!row) throw supportError('CANNED_RESPONSE_NOT_FOUND', { id });
    return fromRow(row);
  }

  /** A merge-patch; the result is compiled again. */
  async update(actor: Actor, id: string, patch: CannedResponsePatch, expectedVersion?: number): Promise<CannedResponseDto> {
    return this.ctx.data.transaction(async (trx) => {
      const before = await this.get(actor, id, trx);
      checkVersion(expectedVersion, before.version);
      const next = { name: patch.name?.trim() ?? before.name, locale: patch.locale ?? before.locale, body: patch.body ?? before.body };
      this.compile(next.locale, next.body);
      const updated = await this.ctx.data.forTenant(actor.tenantId, trx).from('support_canned_responses').where({ id, version: before.version }).update({ ...next, version: before.version + 1, updated_at: Date.now() });
      if (Number(updated) !== 1) throw coreError('PRECONDITION_FAILED', { current: before.version });
      const after = await this.get(actor, id, trx);
      await this.ctx.audit.record(trx, actor, { action: 'support_canned_response.update', entityType: 'support_canned_response', entityId: id, before, after });
      await this.ctx.events.emit(trx, 'canned_response.updated', { cannedResponse: after }, { tenantId: actor.tenantId, aggregateType: 'support_canned_response', aggregateId: id });
      return after;
    });
  }

  async delete(actor: Actor, id: string): Promise<void> {
    await this.ctx.data.transaction(async (trx) => {
      const before = await this.get(actor, id, trx);
      await this.ctx.data.forTenant(actor.tenantId, trx).from('support_canned_responses').where({ id }).delete();
      await this.ctx.audit.record(trx, actor, { action: 'support_canned_response.delete', entityType: 'support_canned_response', entityId: id, before });
      await this.ctx.events.emit(trx, 'canned_response.deleted', { cannedResponse: before }, { tenantId: actor.tenantId, aggregateType: 'support_canned_response', aggregateId: id });
    });
  }

  /**
   * Renders a canned response for a ticket the actor can see, with the ticket, its
   * customer and the agent as data: `{{ticket.number}}`, `{{customer.name}}`, `{{agent.name}}`…
   */
  async render(actor: Actor, ticketId: string, id: string): Promise<RenderedResponse> {
    const ticket = await this.tickets.get(actor, ticketId);
    const canned = await this.get(actor, id);
    let customer: Record<string, unknown> = {};
    if (ticket.customerId) {
      // Working the ticket is the authority to address its customer by name.
      const c = await this.ctx.customers.get({ ...actor, scopes: { ...actor.scopes, customer: 'all' } }, ticket.customerId);
      customer = { id: c.id, name: c.name, givenName: c.givenName ?? '', familyName: c.familyName ?? '', email: c.emails[0]?.value ?? '', phone: c.phones[0]?.value ?? '' };
    }
    const data = {
      ticket: { id: ticket.id, number: ticket.number, subject: ticket.subject, status: ticket.status, priority: ticket.priority, channel: ticket.channel, tags: ticket.tags, createdAt: ticket.createdAt },
      customer,
      agent: { id: actor.subject, name: actor.displayName ?? actor.subject },
    };
    return { id: canned.id, locale: canned.locale, text: this.run(canned.locale, canned.body, data) };
  }

  /** Compiles (by rendering with no data): a syntax error or an unknown helper is a 422. */
  private compile(locale: Locale, body: string): void {
    this.run(locale, body, {});
  }

  private run(locale: Locale, body: string, data: Record<string, unknown>): string {
    try {
      return this.renderers[locale].render(body, data);
    } catch (err) {
      throw supportError('CANNED_TEMPLATE_INVALID', { reason: (err as Error).message.split('\n')[0] ?? '' }, [{ path: '/body', message: (err as Error).message.split('\n')[0] ?? 'invalid template' }]);
    }
  }
}

function fromRow(row: CannedResponseRow): CannedResponseDto {
  return {
    id: row.id,
    name: row.name,
    locale: row.locale === 'en' ? 'en' : 'fa',
    body: row.body ?? '',
    createdAt: new Date(readInt(row.created_at)).toISOString(),
    updatedAt: new Date(readInt(row.updated_at)).toISOString(),
    version: row.version,
  };
}
