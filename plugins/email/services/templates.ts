/**
 * Templates per tenant, key and locale, rendered by core's Handlebars renderer (its own
 * environment, no prototype access, only the helpers registered here): `digits` (Persian
 * digits in fa), `number`, `date` (Jalali with Persian digits in fa, core's formatting).
 * fa HTML is wrapped in an RTL container; a plain-text part is generated when missing.
 */
import type { Knex } from 'knex';
import { coreError, localizedTemplateRenderer, isUniqueViolation, newId, readInt, type Actor, type PluginContext, type SchemaType, type TemplateRenderer } from '../../../core/plugin/index.js';
import type { renderedSchema, templateInputSchema, templatePatchSchema, templateQuerySchema, templateSchema } from '../schemas/email-schemas.js';
import { emailError } from '../errors.js';
import type { TemplateRow } from './rows.js';
import type { EmailStore } from './store.js';

/** A template as the API shows it. */
export type TemplateDto = SchemaType<typeof templateSchema>;

/** What a template is created with. */
export type TemplateInput = SchemaType<typeof templateInputSchema>;

/** A merge-patch of a template: the body of `PATCH /templates/{id}`. */
export type TemplatePatch = SchemaType<typeof templatePatchSchema>;

/** Filters of `GET /templates`. */
export type TemplateListFilter = SchemaType<typeof templateQuerySchema>;

/** A rendered message. */
export type RenderedEmail = SchemaType<typeof renderedSchema>;

type Lang = 'fa' | 'en';
const lang = (locale: string): Lang => (locale.startsWith('fa') ? 'fa' : 'en');


/** Plain text from HTML: block ends become line breaks, tags go, entities are decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr|table|blockquote)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The HTML document sent for a body in `locale` (RTL for fa). */
export function wrapHtml(body: string, locale: string): string {
  const fa = lang(locale) === 'fa';
  const dir = fa ? 'rtl' : 'ltr';
  const font = fa ? 'Vazirmatn, Tahoma, "Segoe UI", sans-serif' : '-apple-system, "Segoe UI", Roboto, sans-serif';
  return `<!doctype html><html lang="${fa ? 'fa' : 'en'}" dir="${dir}"><head><meta charset="utf-8"></head><body dir="${dir}" style="direction:${dir};text-align:${fa ? 'right' : 'left'};font-family:${font}">${body}</body></html>`;
}

/** Template use cases. */
export class TemplateService {
  private readonly renderers: Record<Lang, TemplateRenderer> = { fa: localizedTemplateRenderer('fa'), en: localizedTemplateRenderer('en') };
  /** The subject and the plain-text part are not HTML: «Tom & Jerry» must not reach the customer as «Tom &amp;amp; Jerry». */
  private readonly textRenderers: Record<Lang, TemplateRenderer> = { fa: localizedTemplateRenderer('fa', { output: 'text' }), en: localizedTemplateRenderer('en', { output: 'text' }) };

  constructor(private readonly ctx: PluginContext<unknown>, private readonly store: EmailStore) {}

  async create(actor: Actor, input: TemplateInput): Promise<TemplateDto> {
    this.check(input);
    const id = newId();
    const now = Date.now();
    try {
      await this.ctx.db.transaction(async (trx) => {
        await trx<TemplateRow>(this.store.table('templates')).insert({ id, tenant_id: actor.tenantId, key: input.key, locale: input.locale, subject: input.subject, html: input.html, text: input.text ?? null, version: 1, created_at: now, updated_at: now });
        await this.ctx.audit.record(trx, actor, { action: 'email.template.create', entityType: 'email_template', entityId: id, after: input });
        await this.ctx.events.emit(trx, 'email.template_created', { template: await this.get(actor.tenantId, id, trx) }, { tenantId: actor.tenantId, aggregateType: 'email_template', aggregateId: id });
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw emailError('TEMPLATE_DUPLICATE', { key: input.key, locale: input.locale });
      throw err;
    }
    return this.get(actor.tenantId, id);
  }

  async list(actor: Actor, filter: TemplateListFilter): Promise<{ items: TemplateDto[]; nextCursor: null }> {
    const q = this.store.rows(this.ctx.db.knex, 'templates', actor.tenantId);
    if (filter.key) q.where('key', filter.key);
    if (filter.locale) q.where('locale', filter.locale);
    return { items: (await q.orderBy(['key', 'locale']).limit(1000)).map(templateFromRow), nextCursor: null };
  }

  async get(tenantId: string, id: string, trx: Knex | Knex.Transaction = this.ctx.db.knex): Promise<TemplateDto> {
    const row = await this.store.rows(trx, 'templates', tenantId).where('id', id).first();
    if (!row) throw emailError('TEMPLATE_NOT_FOUND', { id });
    return templateFromRow(row);
  }

  /** Applies a merge-patch; `expectedVersion` (from If-Match) guards against lost updates (412). */
  async update(actor: Actor, id: string, patch: TemplatePatch, expectedVersion?: number): Promise<TemplateDto> {
    const before = await this.get(actor.tenantId, id);
    if (expectedVersion !== undefined && expectedVersion !== before.version) throw coreError('PRECONDITION_FAILED', { current: before.version });
    this.check({ ...before, ...patch, text: patch.text === null ? undefined : patch.text ?? before.text ?? undefined });
    await this.ctx.db.transaction(async (trx) => {
      const values: Partial<TemplateRow> = { updated_at: Date.now(), version: before.version + 1, subject: patch.subject, html: patch.html, text: patch.text };
      // Version-checked: a change committed since `before` was read is a 412, not overwritten.
      const updated = await this.store.rows(trx, 'templates', actor.tenantId).where({ id, version: before.version }).update(values);
      if (updated !== 1) throw coreError('PRECONDITION_FAILED', { current: before.version });
      await this.ctx.audit.record(trx, actor, { action: 'email.template.update', entityType: 'email_template', entityId: id, before, after: patch });
      await this.ctx.events.emit(trx, 'email.template_updated', { template: await this.get(actor.tenantId, id, trx) }, { tenantId: actor.tenantId, aggregateType: 'email_template', aggregateId: id });
    });
    return this.get(actor.tenantId, id);
  }

  async delete(actor: Actor, id: string): Promise<void> {
    const before = await this.get(actor.tenantId, id);
    await this.ctx.db.transaction(async (trx) => {
      await this.store.rows(trx, 'templates', actor.tenantId).where('id', id).delete();
      await this.ctx.audit.record(trx, actor, { action: 'email.template.delete', entityType: 'email_template', entityId: id, before });
      await this.ctx.events.emit(trx, 'email.template_deleted', { template: before }, { tenantId: actor.tenantId, aggregateType: 'email_template', aggregateId: id });
    });
  }

  /** Renders a stored template by id (preview). */
  async preview(actor: Actor, id: string, data: Record<string, unknown>): Promise<RenderedEmail> {
    return this.render(await this.get(actor.tenantId, id), data);
  }

  /** Renders the tenant's template `key` in `locale`, falling back to en, then to any locale. */
  async renderByKey(trx: Knex | Knex.Transaction, tenantId: string, key: string, locale: string, data: Record<string, unknown>): Promise<RenderedEmail> {
    const rows = await this.store.rows(trx, 'templates', tenantId).where('key', key);
    const row = rows.find((r) => r.locale === locale) ?? rows.find((r) => r.locale === 'en') ?? rows[0];
    if (!row) throw emailError('TEMPLATE_NOT_FOUND', { id: key });
    return this.render(templateFromRow(row), data);
  }

  private render(t: Pick<TemplateDto, 'locale' | 'subject' | 'html' | 'text'>, data: Record<string, unknown>): RenderedEmail {
    const r = this.renderers[lang(t.locale)];
    const plain = this.textRenderers[lang(t.locale)];
    try {
      const body = r.render(t.html, data);
      return {
        subject: plain.render(t.subject, data).replace(/[\r\n]+/g, ' ').trim(),
        html: wrapHtml(body, t.locale),
        text: t.text ? plain.render(t.text, data) : htmlToText(body),
      };
    } catch (err) {
      throw emailError('TEMPLATE_INVALID', { reason: (err as Error).message.split('\n')[0] ?? '' });
    }
  }

  /** Compiles every part once: a syntax error or an unknown helper is a 422 at save time. */
  private check(t: { locale: string; subject: string; html: string; text?: string }): void {
    this.render({ locale: t.locale, subject: t.subject, html: t.html, text: t.text ?? null }, {});
  }
}

function templateFromRow(row: TemplateRow): TemplateDto {
  return {
    id: row.id,
    key: row.key,
    locale: row.locale,
    subject: row.subject,
    html: row.html ?? '',
    text: row.text,
    createdAt: new Date(readInt(row.created_at)).toISOString(),
    updatedAt: new Date(readInt(row.updated_at)).toISOString(),
    version: row.version,
  };
}
