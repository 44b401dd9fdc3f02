/**
 * The ERPNext ERP adapter as a plugin: registers the `erpnext` adapter with core's sync
 * engine (Frappe's REST API with an API key and secret; ERPNext 13 and later).
 *
 * @module
 */
import { definePlugin } from '../../core/plugin/index.js';
import { erpnextAdapter, type ErpNextAdapterOptions } from './erpnext-adapter.js';

export default definePlugin<ErpNextAdapterOptions>({
  name: 'erp-erpnext',
  version: '0.1.0',
  core: '^0.1.0',
  options: {
    type: 'object',
    additionalProperties: false,
    // Each order and invoice of a page is read whole, one request each: a page is that many requests.
    properties: { pageSize: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
  },
  register(ctx) {
    ctx.erp.registerAdapter(erpnextAdapter(ctx.options));
  },
});
