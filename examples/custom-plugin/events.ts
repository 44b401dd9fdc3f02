/**
 * The events the plugin emits, with the JSON Schema of their data, and their TypeScript
 * shapes added to Peyvand's typed event map (so `ctx.events.emit` checks the data).
 */
import type { JsonSchema } from 'peyvand/plugin';
import { claimSchema, type ClaimDto, type ClaimStatus } from './schemas.js';

declare module 'peyvand/plugin' {
  interface PeyvandEvents {
    'warranty.claim.opened': { claim: ClaimDto };
    'warranty.claim.status_changed': { claim: ClaimDto; from: ClaimStatus };
    'warranty.claim.deleted': { claimId: string };
  }
}

/** Event types and the schema of their `data`. */
export const warrantyEvents: Readonly<Record<string, JsonSchema>> = {
  'warranty.claim.opened': { type: 'object', required: ['claim'], properties: { claim: claimSchema } },
  'warranty.claim.status_changed': { type: 'object', required: ['claim', 'from'], properties: { claim: claimSchema, from: { type: 'string' } } },
  'warranty.claim.deleted': { type: 'object', required: ['claimId'], properties: { claimId: { type: 'string' } } },
};
