/**
 * The Odoo ERP adapter as a plugin: registers the `odoo` adapter with core's sync
 * engine. Odoo 19's JSON-2 API by default, the legacy `/jsonrpc` for Odoo ≤ 18.
 *
 * @module
 */
import { definePlugin } from '../../core/plugin/index.js';
import { odooAdapter, type OdooAdapterOptions } from './odoo-adapter.js';

export default definePlugin<OdooAdapterOptions>({
  name: 'erp-odoo',
  version: '0.1.0',
  core: '^0.1.0',
  options: {
    type: 'object',
    additionalProperties: false,
    properties: { pageSize: { type: 'integer', minimum: 1, maximum: 5000, default: 200 } },
  },
  register(ctx) {
    ctx.erp.registerAdapter(odooAdapter(ctx.options));
  },
});
