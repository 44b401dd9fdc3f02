/**
 * Public web-to-lead forms. A form's key in its URL names the tenant, so a submission
 * needs no credential. It answers the same whatever happened — created, dropped as a
 * duplicate, or caught by the honeypot — so it tells a visitor nothing about other leads.
 */
import { randomBytes } from 'node:crypto';
import { decodeCursor, encodeCursor, newId, readInt, systemActor, type Actor, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import type { webLeadSchema } from '../schemas/lead-schemas.js';
import type { webFormSchema } from '../schemas/settings-schemas.js';
import { salesError } from '../errors.js';
import type { LeadService } from './leads.js';
import type { WebFormRow } from './rows.js';
import { pageOf, type SalesStore } from './store.js';
import type { WebLeadLimiter } from './web-lead-limit.js';

/** A web form as the settings API shows it; `key` is the public key in `POST /api/v1/sales/web-leads/{key}`. */
export type WebFormDto = SchemaType<typeof webFormSchema>;

/** What a visitor submits. `website` is the honeypot: people leave it empty, bots fill it. */
export type WebLeadSubmission = SchemaType<typeof webLeadSchema>;

/** Web forms and their submissions. */
export class WebFormService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: SalesStore,
    private readonly leads: LeadService,
    private readonly limiter: WebLeadLimiter,
  ) {}

  async create(actor: Actor, input: { name: string; source?: string; ownerId?: string }): Promise<WebFormDto> {
    return this.ctx.data.transaction(async (trx) => {
      const form: WebFormDto = { id: newId(), name: input.name.trim(), key: `wf_${randomBytes(18).toString('base64url')}`, createdAt: new Date().toISOString(), ...(input.source && { source: input.source }), ...(input.ownerId && { ownerId: input.ownerId }) };
      await this.store.rows(trx, 'web_forms', actor.tenantId).insert({ id: form.id, form_key: form.key, name: form.name, source: form.source ?? null, owner_id: form.ownerId ?? null, created_at: Date.parse(form.createdAt) });
      await this.ctx.audit.record(trx, actor, { action: 'sales.web_form_create', entityType: 'sales_web_form', entityId: form.id, after: { ...form, key: '(set)' } });
      await this.ctx.events.emit(trx, 'sales_settings.updated', { changed: ['webForms'] }, { tenantId: actor.tenantId, aggregateType: 'sales_settings', aggregateId: actor.tenantId });
      return form;
    });
  }

  async list(actor: Actor, page: { limit: number; cursor?: string }): Promise<{ items: WebFormDto[]; nextCursor: string | null }> {
    const q = this.store.rows(undefined, 'web_forms', actor.tenantId);
    if (page.cursor) q.where('id', '<', String(decodeCursor(page.cursor)[0]));
    const rows = await q.orderBy('id', 'desc').limit(page.limit + 1);
    return pageOf(rows.map(toDto), page.limit, encodeCursor);
  }

  /** Deletes a form; its key stops working at once. */
  async delete(actor: Actor, id: string): Promise<void> {
    await this.ctx.data.transaction(async (trx) => {
      const row = await this.store.rows(trx, 'web_forms', actor.tenantId).where('id', id).first();
      if (!row) throw salesError('WEB_FORM_NOT_FOUND', {});
      await this.store.rows(trx, 'web_forms', actor.tenantId).where('id', id).delete();
      await this.ctx.audit.record(trx, actor, { action: 'sales.web_form_delete', entityType: 'sales_web_form', entityId: id, before: { ...toDto(row), key: '(set)' } });
      await this.ctx.events.emit(trx, 'sales_settings.updated', { changed: ['webForms'] }, { tenantId: actor.tenantId, aggregateType: 'sales_settings', aggregateId: actor.tenantId });
    });
  }

  /**
   * A submission from `clientAddress`. Unknown keys and tenants without sales are 404;
   * past the form's budget for the address it is a 429 (counted in the database, so
   * across every process); everything else ends the same way for the visitor. The lead
   * is written by the form's own system actor.
   */
  async submit(formKey: string, body: WebLeadSubmission, request: { id: string; clientAddress: string }): Promise<void> {
    // Unscoped on purpose: a public form's key is all that names its tenant (docs/plugins.md).
    const row = await this.ctx.unscopedKnex<WebFormRow>(this.store.table('web_forms')).where({ form_key: formKey }).first();
    const tenantId = row?.tenant_id;
    const tenant = tenantId && (await this.ctx.tenants.isEnabled(tenantId, this.ctx.name)) ? await this.ctx.tenants.findById(tenantId) : undefined;
    if (!row || !tenant) throw salesError('WEB_FORM_NOT_FOUND', {});
    // Before the honeypot: bots count against the budget too.
    await this.limiter.hit({ id: row.id, tenantId: tenant.id }, request.clientAddress);
    if (body.website) {
      this.ctx.logger.info({ form: row.id, requestId: request.id }, 'web lead dropped by the honeypot');
      return;
    }
    const actor: Actor = { ...systemActor(tenant, `web-form:${row.id}`, []), requestId: request.id };
    await this.leads.create(actor, {
      name: body.name,
      ...(body.email && { email: body.email }),
      ...(body.phone && { phone: body.phone }),
      ...(body.company && { company: body.company }),
      ...(body.message && { notes: body.message }),
      ...(body.utm && { utm: body.utm }),
      source: row.source ? row.source : 'web',
    }, { webFormId: row.id, quietDuplicates: true, ...(row.owner_id && { defaultOwnerId: row.owner_id }) });
  }
}

function toDto(row: WebFormRow): WebFormDto {
  return {
    id: row.id,
    name: row.name,
    key: row.form_key,
    createdAt: new Date(readInt(row.created_at)).toISOString(),
    ...(row.source != null && { source: row.source }),
    ...(row.owner_id != null && { ownerId: row.owner_id }),
  };
}
