/**
 * The tenant's JSON Schema for tickets' `customFields`: set and read by a manager, and
 * checked on every ticket an agent or API client opens or whose fields it changes. The
 * schema itself is checked and applied by core's custom-field mechanism (`ctx.customFields`),
 * so tickets get the same limits and the same 422 `CUSTOM_FIELDS_INVALID` as customers.
 * Setting it is audited and announced (`support_settings.updated` naming `ticketFields`).
 */
import type { Knex } from 'knex';
import { readJson, type Actor, type JsonSchema, type PluginContext } from '../../../core/plugin/index.js';

/** Ticket custom-field schema use cases. */
export class TicketFieldService {
  constructor(private readonly ctx: PluginContext<unknown>) {}

  /** The tenant's schema, or null when none is set (any object is accepted then). */
  async schema(tenantId: string, trx?: Knex.Transaction): Promise<JsonSchema | null> {
    const row = await this.ctx.data.forTenant(tenantId, trx).from('support_settings').first('ticket_fields_schema');
    return readJson<JsonSchema | null>(row?.ticket_fields_schema ?? null, null);
  }

  /**
   * Sets the schema (400 when it is not one a tenant may set); later ticket writes must
   * satisfy it, existing tickets are left as they are until their fields change.
   */
  async put(actor: Actor, schema: JsonSchema): Promise<JsonSchema> {
    this.ctx.customFields.check(schema);
    return this.ctx.data.transaction(async (trx) => {
      const data = this.ctx.data.forTenant(actor.tenantId, trx);
      const before = await this.schema(actor.tenantId, trx);
      const values = { ticket_fields_schema: JSON.stringify(schema), updated_at: Date.now() };
      // One statement, so two first settings at once do not both insert.
      await data.from('support_settings').insert(values).onConflict('tenant_id').merge(values);
      await this.ctx.audit.record(trx, actor, { action: 'support_settings.ticket_fields', entityType: 'support_settings', entityId: actor.tenantId, ...(before && { before: { schema: before } }), after: { schema } });
      await this.ctx.events.emit(trx, 'support_settings.updated', { changed: ['ticketFields'] }, { tenantId: actor.tenantId, aggregateType: 'support_settings', aggregateId: actor.tenantId });
      return schema;
    });
  }

  /** Throws 422 `CUSTOM_FIELDS_INVALID` when `fields` do not satisfy the tenant's schema. */
  async check(trx: Knex.Transaction, tenantId: string, fields: Record<string, unknown>): Promise<void> {
    this.ctx.customFields.validate((await this.schema(tenantId, trx)) ?? undefined, fields);
  }
}
