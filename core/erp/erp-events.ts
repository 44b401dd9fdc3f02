/**
 * Events of the ERP sync: the JSON Schema of each one's data (closed, as the emitters
 * write it: connections.ts, sync-runner.ts, customer-push.ts), and their types, derived
 * from those schemas, added to core's typed event map.
 */
import { eventData } from '../plugin/schemas.js';
import type { SchemaType } from '../plugin/route-types.js';
import { connectionSchema, runSchema } from './erp-schemas.js';

const str = { type: 'string' } as const;
const connectionEvent = eventData({ connection: connectionSchema });

/** The ERP events core declares, with the schema of their data. */
export const erpEventSchemas = {
  'erp.connection_created': connectionEvent,
  'erp.connection_updated': connectionEvent,
  'erp.connection_deleted': connectionEvent,
  /** A run ended: `run.status` is `succeeded` or `failed`. */
  'erp.run_finished': eventData({ connectionId: str, run: runSchema }),
  /** A push run wrote a customer's CRM-owned fields to the ERP (`created`: the ERP record is new). */
  'erp.customer_pushed': eventData({ connectionId: str, customerId: str, externalId: str, created: { type: 'boolean' }, fields: { type: 'array', items: str } }),
} as const;

type ErpEventData<T extends keyof typeof erpEventSchemas> = SchemaType<(typeof erpEventSchemas)[T]>;

declare module '../plugin/events.js' {
  interface PeyvandEvents {
    'erp.connection_created': ErpEventData<'erp.connection_created'>;
    'erp.connection_updated': ErpEventData<'erp.connection_updated'>;
    'erp.connection_deleted': ErpEventData<'erp.connection_deleted'>;
    'erp.run_finished': ErpEventData<'erp.run_finished'>;
    'erp.customer_pushed': ErpEventData<'erp.customer_pushed'>;
  }
}
