/**
 * The events the plugin emits: the JSON Schema of each one's data (closed, every field
 * present, as claims.ts writes it), and their types, derived from those schemas, added to
 * Peyvand's typed event map (so `ctx.events.emit` checks the data against the schema's type).
 */
import { eventData, type SchemaType } from 'peyvand/plugin';
import { claimSchema } from './schemas.js';

/** Event types and the schema of their `data`. */
export const warrantyEvents = {
  'warranty.claim.opened': eventData({ claim: claimSchema }),
  'warranty.claim.status_changed': eventData({ claim: claimSchema, from: claimSchema.properties.status }),
  'warranty.claim.deleted': eventData({ claimId: { type: 'string' } }),
} as const;

type WarrantyEventData<T extends keyof typeof warrantyEvents> = SchemaType<(typeof warrantyEvents)[T]>;

declare module 'peyvand/plugin' {
  interface PeyvandEvents {
    'warranty.claim.opened': WarrantyEventData<'warranty.claim.opened'>;
    'warranty.claim.status_changed': WarrantyEventData<'warranty.claim.status_changed'>;
    'warranty.claim.deleted': WarrantyEventData<'warranty.claim.deleted'>;
  }
}
