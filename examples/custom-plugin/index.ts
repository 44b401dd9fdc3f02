/**
 * A warranty-claims plugin, written the way a developer outside Peyvand writes one: it
 * imports nothing but `peyvand/plugin` (its widget in `widgets/`, browser code, nothing
 * but `peyvand/widgets/runtime`), ships its own migrations and messages (en, fa), and is
 * tested with `peyvand/testing`. Claims link a customer to a product the ERP sold and
 * move through open → in_review → approved → resolved (or rejected).
 */
import { definePlugin } from 'peyvand/plugin';
import { warrantyEvents } from './events.js';
import { claimsMigration } from './migrations/001_claims.js';
import { warrantyPermissions, warrantyScopedResources } from './permissions.js';
import { warrantyRoutes } from './routes.js';

export type { ClaimRow } from './migrations/rows.js';

/** The warranty plugin definition. */
export default definePlugin({
  name: 'warranty',
  version: '0.1.0',
  core: '^0.1.0',
  permissions: warrantyPermissions,
  scopedResources: warrantyScopedResources,
  migrations: [claimsMigration],
  events: warrantyEvents,
  localesDir: new URL('./locales/', import.meta.url),
  routes: warrantyRoutes,
  // A customer's claims as a web component, built as the plugin's own chunk: widgets/index.ts defines it.
  widgets: ['peyvand-warranty-claims'],
});
