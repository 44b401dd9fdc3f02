/** The widget's DOM events, added to Peyvand's event map so hosts get them typed. */
import type { ClaimDto } from '../schemas.js';

/** `peyvand-warranty-claim-moved`: the user moved a claim to its next status. */
export interface WarrantyClaimMovedDetail {
  claim: ClaimDto;
  from: ClaimDto['status'];
}

declare module 'peyvand/widgets/runtime' {
  interface PeyvandEventMap {
    'peyvand-warranty-claim-moved': CustomEvent<WarrantyClaimMovedDetail>;
  }
}
