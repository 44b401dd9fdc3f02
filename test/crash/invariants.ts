/**
 * The crash harness's invariants, checked against the database and the recorder's
 * delivery file after the last restart has drained:
 * 1. every acknowledged write is in the database (a 201/200 the client saw is durable);
 * 2. every committed change has its event — a customer.created per customer and one
 *    customer.updated per version after the first — and every event reached every
 *    subscriber that wants it, and the webhook receiver, at least once;
 * 3. no event exists for a change that was not committed (no event for a customer or a
 *    version the database does not have);
 * 4. dead letters are visible (each committed `doomed-…` customer's event is dead).
 */
import type { Knex } from 'knex';
import { readRecord } from '../fixtures/recorder-plugin.js';

/** What the clients saw acknowledged. */
export interface Acknowledged {
  /** Customer id → name, for 201 answers to POST /customers. */
  creates: Map<string, string>;
  /** Customer id → highest version a 200 answer to PATCH returned. */
  updates: Map<string, number>;
}

/** The counts the harness prints; the `lost…`, `phantom…` and `…Missing` ones must be 0. */
export interface InvariantCounts {
  acknowledgedCreates: number;
  acknowledgedUpdates: number;
  committedCustomers: number;
  events: number;
  /** Acknowledged creates missing, or acknowledged updates older in the database than answered. */
  lostWrites: number;
  /** Committed changes without their event: customers without customer.created, versions without customer.updated. */
  changesWithoutEvent: number;
  /** Events of changes the database does not have: customers not in it, versions beyond its own. */
  phantomEvents: number;
  /** Events never delivered to a subscriber that wants them. */
  lostEvents: number;
  /** Deliveries beyond the first (at least once: redeliveries after a kill). */
  duplicateDeliveries: number;
  deadLettersExpected: number;
  deadLettersMissing: number;
  /** Events never delivered to the webhook receiver. */
  webhookLost: number;
  webhookDeliveries: number;
}

const SUBSCRIBERS: Record<string, (type: string) => boolean> = {
  'recorder.all': (type) => type.startsWith('customer.'),
  'recorder.created': (type) => type === 'customer.created',
};

/** Checks the invariants. `webhookIds` counts the deliveries the receiver got per event id. */
export async function checkInvariants(knex: Knex, prefix: string, recordFile: string, acknowledged: Acknowledged, webhookIds: ReadonlyMap<string, number>): Promise<InvariantCounts> {
  const customers = new Map<string, { name: string; version: number }>();
  for (const row of await knex(`${prefix}customers`).select('id', 'name', 'version')) customers.set(String(row.id), { name: String(row.name), version: Number(row.version) });
  const events = (await knex(`${prefix}outbox`).where('type', 'like', 'customer.%').select('id', 'type', 'aggregate_id', 'data')).map((r) => ({
    id: String(r.id),
    type: String(r.type),
    aggregateId: String(r.aggregate_id),
    version: Number((JSON.parse(String(r.data)) as { customer?: { version?: number } }).customer?.version),
  }));

  let lostWrites = 0;
  for (const [id] of acknowledged.creates) if (!customers.has(id)) lostWrites++;
  for (const [id, version] of acknowledged.updates) if ((customers.get(id)?.version ?? 0) < version) lostWrites++;

  const createdFor = new Set(events.filter((e) => e.type === 'customer.created').map((e) => e.aggregateId));
  // Every update bumps the version by one and emits once: versions 2…n, each exactly once.
  const updateVersions = new Map<string, Set<number>>();
  for (const e of events) if (e.type === 'customer.updated') updateVersions.set(e.aggregateId, (updateVersions.get(e.aggregateId) ?? new Set()).add(e.version));
  let changesWithoutEvent = [...customers.keys()].filter((id) => !createdFor.has(id)).length;
  for (const [id, { version }] of customers) for (let v = 2; v <= version; v++) if (!updateVersions.get(id)?.has(v)) changesWithoutEvent++;
  const phantomEvents = events.filter((e) => !customers.has(e.aggregateId) || (e.type === 'customer.updated' && !(e.version >= 2 && e.version <= customers.get(e.aggregateId)!.version))).length;

  const delivered = new Map<string, Map<string, number>>();
  for (const r of readRecord(recordFile)) {
    if (r.phase !== 'end') continue;
    const bySubscriber = delivered.get(r.subscriber) ?? new Map<string, number>();
    bySubscriber.set(r.eventId, (bySubscriber.get(r.eventId) ?? 0) + 1);
    delivered.set(r.subscriber, bySubscriber);
  }
  let lostEvents = 0;
  let duplicateDeliveries = 0;
  for (const [subscriber, wants] of Object.entries(SUBSCRIBERS)) {
    const got = delivered.get(subscriber) ?? new Map<string, number>();
    for (const e of events) if (wants(e.type) && !got.has(e.id)) lostEvents++;
    for (const n of got.values()) duplicateDeliveries += n - 1;
  }

  const doomedEvents = events.filter((e) => e.type === 'customer.created' && customers.get(e.aggregateId)?.name.startsWith('doomed'));
  const dead = new Set(
    (await knex(`${prefix}subscriber_failures`).join(`${prefix}outbox`, `${prefix}outbox.seq`, `${prefix}subscriber_failures.event_seq`).where({ subscriber_id: 'recorder.doomed', status: 'dead' }).select(`${prefix}outbox.id as id`)).map((r) => String(r.id)),
  );
  const deadLettersMissing = doomedEvents.filter((e) => !dead.has(e.id)).length;

  return {
    acknowledgedCreates: acknowledged.creates.size,
    acknowledgedUpdates: acknowledged.updates.size,
    committedCustomers: customers.size,
    events: events.length,
    lostWrites,
    changesWithoutEvent,
    phantomEvents,
    lostEvents,
    duplicateDeliveries,
    deadLettersExpected: doomedEvents.length,
    deadLettersMissing,
    webhookLost: events.filter((e) => !webhookIds.has(e.id)).length,
    webhookDeliveries: [...webhookIds.values()].reduce((a, b) => a + b, 0),
  };
}
