/**
 * The sql ERP adapter as a plugin: registers the `sql` adapter with core's sync engine —
 * a declarative, read-only mapping over the tables of an ERP's PostgreSQL or
 * MySQL/MariaDB database, for ERPs with no API.
 *
 * @module
 */
import { definePlugin } from '../../core/plugin/index.js';
import { sqlAdapter, type SqlAdapterOptions } from './sql-adapter.js';

export default definePlugin<SqlAdapterOptions>({
  name: 'erp-sql',
  version: '0.1.0',
  core: '^0.1.0',
  options: {
    type: 'object',
    additionalProperties: false,
    properties: { pageSize: { type: 'integer', minimum: 1, maximum: 10000, default: 500 } },
  },
  register(ctx) {
    ctx.erp.registerAdapter(sqlAdapter(ctx.options));
  },
});
