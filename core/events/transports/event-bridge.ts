/**
 * Connects the bus to an external transport: the `core.transport-out` subscriber that
 * publishes outbox events (so progress, retries, leases and the gap rule of the
 * dispatcher apply to the broker as to any subscriber), and the inbound consumer.
 */
import type { Logger } from 'pino';
import { BootError } from '../../plugin/errors.js';
import type { TenantService } from '../../tenancy/tenant-service.js';
import type { RegisteredSubscriber } from '../dispatcher.js';
import { EXTERNAL_AGGREGATE, type InboundEvents } from '../inbound.js';
import type { PeyvandEvent } from '../../plugin/events.js';
import { parseTransportUrl, redactTransportUrl, subjectOf, type EventTransport } from './transport.js';

/** The id of the outbound subscriber (its progress row is the broker's position). */
export const TRANSPORT_OUT_SUBSCRIBER = 'core.transport-out';

/**
 * Creates the adapter a `PEYVAND_EVENTS_URL` names (not connected yet). The broker client
 * is loaded here, not at startup: a deployment without a broker (and every CLI command)
 * never loads ioredis or the NATS client.
 */
export async function createTransport(url: string, logger: Logger): Promise<EventTransport> {
  const config = parseTransportUrl(url);
  if (config.kind === 'redis') return new (await import('./redis-streams.js')).RedisStreamsTransport(config, logger);
  return new (await import('./nats-jetstream.js')).NatsJetStreamTransport(config, logger);
}

/**
 * Creates, connects and wraps the transport of `url`. A broker that cannot be reached
 * at boot stops the boot with a clear error; later outages only hold the outbound
 * progress (and inbound waits) until it is back.
 */
export async function connectBridge(url: string, inbound: InboundEvents, tenants: TenantService, logger: Logger): Promise<EventBridge> {
  const transport = await createTransport(url, logger);
  try {
    await transport.connect();
  } catch (err) {
    await transport.close().catch(() => undefined);
    throw new BootError('TRANSPORT_UNREACHABLE', undefined, `PEYVAND_EVENTS_URL ${redactTransportUrl(url)} cannot be reached: ${(err as Error).message}`);
  }
  return new EventBridge(transport, inbound, tenants, logger);
}

/** The bus ↔ broker bridge of one kernel. */
export class EventBridge {
  /** Tenant id → slug; a slug never changes once the tenant exists. */
  private readonly slugs = new Map<string, string>();

  constructor(
    readonly transport: EventTransport,
    private readonly inbound: InboundEvents,
    private readonly tenants: TenantService,
    private readonly logger: Logger,
  ) {}

  /** The outbound subscriber, for the dispatcher. Every event type goes out. */
  outboundSubscriber(): RegisteredSubscriber {
    return {
      plugin: 'core',
      subscriber: { id: TRANSPORT_OUT_SUBSCRIBER, events: ['*'], handle: (event) => this.publish(event) },
    };
  }

  /** Starts taking in the inbound types plugins declare. */
  async startInbound(): Promise<void> {
    const types = this.inbound.types;
    await this.transport.consume(types, async (message) => {
      const outcome = await this.inbound.receive(this.transport.kind, this.transport.prefix, message);
      this.logger.debug({ subject: message.subject, outcome }, 'inbound event');
    });
    if (types.length) this.logger.info({ types, transport: this.transport.kind }, 'consuming inbound events');
  }

  private async publish(event: PeyvandEvent): Promise<void> {
    // It came from the broker: publishing it back would echo it to its own publisher.
    if (event.aggregateType === EXTERNAL_AGGREGATE) return;
    const slug = await this.slugOf(event.tenantId);
    if (slug === undefined) return; // the tenant is gone: nobody to address it to
    await this.transport.publish(subjectOf(this.transport.prefix, slug, event.type), { id: event.id, type: event.type, tenant: slug, occurredAt: event.occurredAt, data: event.data as Record<string, unknown> });
  }

  private async slugOf(tenantId: string): Promise<string | undefined> {
    const known = this.slugs.get(tenantId);
    if (known !== undefined) return known;
    const tenant = await this.tenants.findById(tenantId);
    if (tenant) this.slugs.set(tenantId, tenant.slug);
    return tenant?.slug;
  }
}
