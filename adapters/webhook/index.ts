/**
 * The webhook ERP adapter as a plugin: registers the `webhook` adapter, for ERPs that push
 * their changes signed to `POST /api/v1/erp/inbound/{connectionId}` instead of being polled.
 *
 * @module
 */
import { definePlugin } from '../../core/plugin/index.js';
import { webhookAdapter } from './webhook-adapter.js';

export default definePlugin<Record<string, never>>({
  name: 'erp-webhook',
  version: '0.1.0',
  core: '^0.1.0',
  options: { type: 'object', additionalProperties: false, properties: {} },
  register(ctx) {
    ctx.erp.registerAdapter(webhookAdapter());
  },
});
