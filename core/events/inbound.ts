/**
 * Events from other services (the ERP's `erp.order.paid`) taken into Peyvand's bus.
 * Plugins declare the inbound types they accept with a JSON Schema of `data`
 * (`inboundEvents` in the plugin contract). An accepted event is written to the outbox,
 * so in-process subscribers get it exactly like a Peyvand event, at least once, with
 * retries and replay. It is taken once per tenant and publisher event id, however often
 * the broker delivers it. Anything refused is recorded with the reason, for the tenant
 * to see (`GET /api/v1/events/rejected`), and acknowledged: retrying cannot fix it.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { withFormats } from '../http/validation.js';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { isUniqueViolation, readInt } from '../db/database.js';
import { newId } from '../plugin/ids.js';
import { BootError } from '../plugin/errors.js';
import type { ResolvedPlugin } from '../kernel/plugin-graph.js';
import type { TenantService } from '../tenancy/tenant-service.js';
import type { Outbox } from './outbox.js';
import { parseSubject, type InboundMessage } from './transports/transport.js';


/** The aggregate type of events that came in from a broker (transport-out skips them). */
export const EXTERNAL_AGGREGATE = 'external';

/** What became of one inbound message. */
export type InboundOutcome = 'accepted' | 'duplicate' | 'rejected' | 'ignored';

/** A rejected inbound event, as the API shows it. */
export interface RejectedInboundEvent {
  id: string;
  transport: string;
  subject: string;
  eventId: string | null;
  type: string | null;
  reason: string;
  payload: string;
  receivedAt: string;
}

const EVENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** The inbound side of the bus. */
export class InboundEvents {
  private readonly validators = new Map<string, Array<{ plugin: string; validate: ValidateFunction }>>();

  constructor(
    private readonly db: Database,
    private readonly outbox: Outbox,
    private readonly tenants: TenantService,
    plugins: readonly ResolvedPlugin[],
    private readonly logger: Logger,
  ) {
    const ajv = withFormats(new Ajv({ allErrors: true, strict: false }));
    for (const { definition } of plugins) {
      for (const [type, schema] of Object.entries(definition.inboundEvents ?? {})) {
        if (!/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/.test(type)) throw new BootError('PLUGIN_INVALID', definition.name, `inbound event type "${type}" must be dotted lower-case`);
        let validate: ValidateFunction;
        try {
          validate = ajv.compile(schema);
        } catch (err) {
          throw new BootError('PLUGIN_INVALID', definition.name, `the schema of inbound event "${type}" does not compile: ${(err as Error).message}`);
        }
        // Several plugins may want one type; the event must satisfy every one of them.
        this.validators.set(type, [...(this.validators.get(type) ?? []), { plugin: definition.name, validate }]);
      }
    }
  }

  /** The inbound types some installed plugin declares. */
  get types(): string[] {
    return [...this.validators.keys()].sort();
  }

  /**
   * Takes one message in. Resolves with what became of it; throws only when it could not
   * be decided (the database is down), so the broker delivers it again.
   */
  async receive(transport: string, prefix: string, message: InboundMessage): Promise<InboundOutcome> {
    const route = parseSubject(prefix, message.subject);
    if (!route || !this.validators.has(route.type)) return 'ignored';
    const reject = (reason: string, tenantId: string | null = null, eventId: string | null = null) => this.reject(transport, message, route.type, reason, tenantId, eventId);
    // The tenant first: whatever is wrong with the body, the tenant it was meant for sees it.
    const tenant = await this.tenants.findBySlug(route.tenantSlug);
    let body: unknown;
    try {
      body = JSON.parse(message.payload);
    } catch {
      return reject('the payload is not JSON', tenant?.id ?? null);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return reject('the payload is not a JSON object', tenant?.id ?? null);
    const envelope = body as { id?: unknown; type?: unknown; tenant?: unknown; data?: unknown };
    const eventId = typeof envelope.id === 'string' && EVENT_ID.test(envelope.id) ? envelope.id : null;
    if (!tenant) return reject(`no tenant "${route.tenantSlug}"`, null, eventId);
    if (!eventId) return reject('"id" must be a string of 1–64 letters, digits, ".", "_", ":" or "-" (it is what duplicates are recognised by)', tenant.id);
    if (envelope.type !== undefined && envelope.type !== route.type) return reject(`the subject says type "${route.type}", the body says "${String(envelope.type)}"`, tenant.id, eventId);
    if (envelope.tenant !== undefined && envelope.tenant !== route.tenantSlug) return reject(`the subject says tenant "${route.tenantSlug}", the body says "${String(envelope.tenant)}"`, tenant.id, eventId);
    if (typeof envelope.data !== 'object' || envelope.data === null || Array.isArray(envelope.data)) return reject('"data" must be a JSON object', tenant.id, eventId);
    const data = envelope.data as Record<string, unknown>;
    for (const { plugin, validate } of this.validators.get(route.type)!) {
      if (!validate(data)) {
        const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ');
        return reject(`data does not match the schema ${plugin} declares for ${route.type}: ${problems}`, tenant.id, eventId);
      }
    }
    try {
      await this.db.transaction(async (trx) => {
        const outboxId = await this.outbox.emitUntyped(trx, route.type, data, { tenantId: tenant.id, aggregateType: EXTERNAL_AGGREGATE, aggregateId: eventId });
        await this.db.rows('inbound_seen', trx).insert({ tenant_id: tenant.id, event_id: eventId, outbox_id: outboxId, received_at: Date.now() });
      });
    } catch (err) {
      // Taken before (a redelivery, or the publisher sent it twice): the outbox row rolled back with it.
      if (isUniqueViolation(err)) return 'duplicate';
      throw err;
    }
    return 'accepted';
  }

  /** A tenant's rejected inbound events, newest first. */
  async listRejected(tenantId: string, limit: number, before?: { receivedAt: number; id: string }): Promise<{ items: RejectedInboundEvent[]; last: { receivedAt: number; id: string } | undefined }> {
    const q = this.db.rows('inbound_rejected').where({ tenant_id: tenantId });
    if (before) q.andWhere((w) => w.where('received_at', '<', before.receivedAt).orWhere((x) => x.where('received_at', before.receivedAt).andWhere('id', '<', before.id)));
    const rows = await q.orderBy([{ column: 'received_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit);
    const items = rows.map((r) => ({
      id: r.id,
      transport: r.transport,
      subject: r.subject,
      eventId: r.event_id,
      type: r.type,
      reason: r.reason,
      payload: r.payload,
      receivedAt: new Date(readInt(r.received_at)).toISOString(),
    }));
    const lastRow = rows.at(-1);
    return { items, last: rows.length === limit && lastRow ? { receivedAt: readInt(lastRow.received_at), id: lastRow.id } : undefined };
  }

  private async reject(transport: string, message: InboundMessage, type: string, reason: string, tenantId: string | null, eventId: string | null): Promise<'rejected'> {
    await this.db.rows('inbound_rejected').insert({
      id: newId(),
      tenant_id: tenantId,
      transport,
      subject: message.subject.slice(0, 300),
      event_id: eventId,
      type,
      reason: reason.slice(0, 2000),
      payload: message.payload.slice(0, 64 * 1024),
      received_at: Date.now(),
    });
    this.logger.warn({ subject: message.subject, eventId, reason }, 'inbound event rejected');
    return 'rejected';
  }
}
