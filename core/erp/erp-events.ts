/** Events of the ERP sync, added to core's typed event map. */
import type { ErpConnectionDto } from './connections.js';
import type { RunDto } from './runs.js';

declare module '../plugin/events.js' {
  interface PeyvandEvents {
    'erp.connection_created': { connection: ErpConnectionDto };
    'erp.connection_updated': { connection: ErpConnectionDto };
    'erp.connection_deleted': { connection: ErpConnectionDto };
    /** A push run wrote a customer's CRM-owned fields to the ERP (`created`: the ERP record is new). */
    'erp.customer_pushed': { connectionId: string; customerId: string; externalId: string; created: boolean; fields: string[] };
    /** A run ended: `run.status` is `succeeded` or `failed`. */
    'erp.run_finished': { connectionId: string; run: RunDto };
  }
}

/** Event types the ERP sync emits (declared by core). */
export const ERP_EVENT_TYPES = ['erp.connection_created', 'erp.connection_updated', 'erp.connection_deleted', 'erp.run_finished', 'erp.customer_pushed'] as const;
