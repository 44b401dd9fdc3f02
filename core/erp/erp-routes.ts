/**
 * HTTP routes of the ERP sync (`/api/v1/erp/…`):
 *
 * - `POST|GET /erp/connections`, `GET|PATCH|DELETE /erp/connections/{id}`, `POST /erp/connections/{id}/test` (`erp.connection.manage`)
 * - `POST /erp/connections/{id}/runs` → 202 `{id, status}` (`erp.connection.manage`)
 * - `GET /erp/connections/{id}/runs?trigger=`, `GET /erp/runs/{id}`, `GET /erp/runs/{id}/issues?cursor=` (`erp.run.read`)
 * - `POST /erp/inbound/{connectionId}` — public, signed by the ERP (see inbound-routes.ts)
 *
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PeyvandTypeProvider } from '../plugin/route-types.js';
import type { i18n } from 'i18next';
import { translator } from '../i18n/i18n.js';
import { expectedVersion, requestLanguage } from '../plugin/http.js';
import { problemSchema } from '../http/problem.js';
import { actorOf } from '../http/request-guards.js';
import { idParams, ifMatchHeaders, pageOf, pageQuerySchema, withEtagHeader } from '../plugin/schemas.js';
import { ErpRunError } from '../plugin/erp.js';
import { erpError } from './erp-errors.js';
import { connectionCreateSchema, connectionPatchSchema, connectionSchema, issueSchema, runAcceptedSchema, runCreateSchema, runListQuery, runSchema, testResultSchema } from './erp-schemas.js';
import { inboundRoutes } from './inbound-routes.js';
import type { Erp } from './index.js';

const tags = ['erp'];
const manage = { permission: 'erp.connection.manage' };
const read = { permission: 'erp.run.read' };
const errors = { '4xx': problemSchema };


/**
 * A run error in the request's language: `erp:runErrors.<code>` with the adapter's own
 * message (the ERP's words, in the ERP's language) as `detail`; a code without a message
 * of its own is returned as it is.
 */
function localizedRunError(i18nInstance: i18n, request: FastifyRequest, error: { code: string; message: string }): { code: string; message: string } {
  const key = `runErrors.${error.code}`;
  if (!i18nInstance.exists(key, { ns: 'erp' })) return error;
  return { code: error.code, message: translator(i18nInstance, requestLanguage(request), 'erp')(key, { detail: error.message }) };
}

/** Registers the ERP routes. */
export function erpRoutes(scope: FastifyInstance, erp: Erp, i18nInstance: i18n): void {
  // Request types come from the route schemas (erp-schemas.ts), as in plugins.
  const app = scope.withTypeProvider<PeyvandTypeProvider>();
  const { connections, runs, runner } = erp;

  app.post('/erp/connections', {
    config: manage,
    schema: {
      summary: 'Connect an ERP (secrets in config are write-only)',
      description: 'Creates a connection to an ERP adapter (`odoo`, `erpnext`, `sql`, `webhook`); `config` is checked against the adapter\'s schema (400 ERP_CONFIG_INVALID), an unknown adapter is a 422, and an ERP URL must pass the webhook address guard (422 ERP_ADDRESS_REFUSED). '
        + 'Secret config keys are stored sealed and never returned: `secretsSet` lists the ones that are set.',
      operationId: 'core.erp-connection.create',
      tags,
      body: connectionCreateSchema,
      response: { 201: withEtagHeader(connectionSchema), ...errors },
    },
  }, async (request, reply) => {
    const connection = await connections.create(actorOf(request), request.body);
    return reply.code(201).header('etag', `"${connection.version}"`).send(connection);
  });

  app.get('/erp/connections', {
    config: manage,
    schema: { summary: 'List ERP connections', description: 'Every ERP connection of the tenant, in one page (`nextCursor` is always null), without secret values.', operationId: 'core.erp-connection.list', tags, response: { 200: { type: 'object', additionalProperties: false, required: ['items', 'nextCursor'], properties: { items: { type: 'array', items: connectionSchema }, nextCursor: { type: 'null' } } }, ...errors } },
  }, async (request) => ({ items: await connections.list(actorOf(request)), nextCursor: null }));

  app.get('/erp/connections/:id', {
    config: manage,
    schema: {
      summary: 'One ERP connection',
      description: 'One connection of the tenant without secret values; another tenant\'s or an unknown one answers 404. The `ETag` header is the version to send back in `If-Match`.',
      operationId: 'core.erp-connection.get',
      tags,
      params: idParams,
      response: { 200: withEtagHeader(connectionSchema), ...errors },
    },
  }, async (request, reply) => {
    const connection = await connections.get(actorOf(request), request.params.id);
    return reply.header('etag', `"${connection.version}"`).send(connection);
  });

  app.patch('/erp/connections/:id', {
    config: manage,
    schema: {
      summary: 'Change an ERP connection (config keys merge; a secret left out is kept)',
      description: 'Given `config` keys are merged into the stored config and checked again like on create; `mapping`, `fieldOwnership` and `schedule` are replaced whole (a new schedule restarts its interval). The adapter cannot change. With `If-Match` a stale version answers 412.',
      operationId: 'core.erp-connection.update',
      tags,
      headers: ifMatchHeaders,
      params: idParams,
      body: connectionPatchSchema,
      response: { 200: withEtagHeader(connectionSchema), ...errors },
    },
  }, async (request, reply) => {
    const connection = await connections.update(actorOf(request), request.params.id, request.body, expectedVersion(request.headers['if-match']));
    return reply.header('etag', `"${connection.version}"`).send(connection);
  });

  app.delete('/erp/connections/:id', {
    config: manage,
    schema: { summary: 'Delete an ERP connection with its runs and sync state (synced records stay)', description: 'Removes the connection with its runs, issues, cursors and record links, and answers 204; customers, orders and invoices it synced stay in Peyvand.', operationId: 'core.erp-connection.delete', tags, params: idParams, response: { 204: { type: 'null' }, ...errors } },
  }, async (request, reply) => {
    await connections.delete(actorOf(request), request.params.id);
    return reply.code(204).send();
  });

  app.post('/erp/connections/:id/test', {
    config: { ...manage, bodyless: true },
    schema: { summary: 'Check that the ERP answers and accepts the credentials', description: 'Connects with the stored config and asks the ERP to answer. A refusal by the ERP (unreachable, wrong credentials) is a 200 with `ok: false` and the error\'s code and message, not an HTTP error.', operationId: 'core.erp-connection.test', tags, params: idParams, response: { 200: testResultSchema, ...errors } },
  }, async (request) => {
    const connection = await connections.load(actorOf(request).tenantId, request.params.id);
    const adapter = connections.adapter(connection.adapter);
    try {
      const connector = await adapter.connect(connection.fullConfig, erp.runtimeFor(connection));
      try {
        await connector.test();
      } finally {
        await connector.close?.();
      }
      return { ok: true };
    } catch (err) {
      if (err instanceof ErpRunError) return { ok: false, error: localizedRunError(i18nInstance, request, { code: err.code, message: err.message }) };
      throw err;
    }
  });

  app.post('/erp/connections/:id/runs', {
    config: manage,
    schema: { summary: 'Start a sync run (queued; one run per connection at a time)', description: 'Queues a manual run and answers 202 with its id; poll `GET /erp/runs/{id}` for the outcome. `dryRun` counts what would change without writing, `full` re-reads everything and detects deletions. A push-only adapter (`webhook`) answers 422 ERP_ADAPTER_PUSH_ONLY.', operationId: 'core.erp-run.create', tags, params: idParams, body: runCreateSchema, response: { 202: runAcceptedSchema, ...errors } },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const connection = await connections.get(actor, request.params.id);
    if (!connections.adapter(connection.adapter).pulls) throw erpError('ERP_ADAPTER_PUSH_ONLY', { adapter: connection.adapter });
    const run = await runs.create(erp.deps.db.knex, actor.tenantId, connection.id, { trigger: 'manual', dryRun: request.body?.dryRun ?? false, full: request.body?.full ?? false });
    runner.kick(connection.id);
    return reply.code(202).send({ id: run.id, status: run.status });
  });

  app.get('/erp/connections/:id/runs', {
    config: read,
    schema: { summary: 'Runs of an ERP connection, newest first', description: 'Every run of the connection (manual, scheduled, inbound, and `push`: a CRM change of a customer written back to the ERP), newest first and paged by cursor; `trigger` keeps one kind. Errors are in the language of the request. An unknown connection answers 404.', operationId: 'core.erp-run.list', tags, params: idParams, querystring: runListQuery, response: { 200: pageOf(runSchema), ...errors } },
  }, async (request) => {
    const actor = actorOf(request);
    const connection = await connections.get(actor, request.params.id);
    const page = await runs.list(actor.tenantId, connection.id, request.query.limit, { trigger: request.query.trigger, cursor: request.query.cursor });
    return { ...page, items: page.items.map((run) => (run.error ? { ...run, error: localizedRunError(i18nInstance, request, run.error) } : run)) };
  });

  app.get('/erp/runs/:id', {
    config: read,
    schema: { summary: 'A sync run: status, counts per entity, and why it failed', description: 'A run of any trigger (manual, scheduled, inbound): `queued`, `running`, `succeeded` or `failed`, the counts summed and per entity, and `error` when the whole run failed (for example the ERP refused the credentials; its message in the language of the request, with what the adapter or ERP said as the detail). An unknown run answers 404.', operationId: 'core.erp-run.get', tags, params: idParams, response: { 200: runSchema, ...errors } },
  }, async (request) => {
    const run = await runs.get(actorOf(request).tenantId, request.params.id);
    return run.error ? { ...run, error: localizedRunError(i18nInstance, request, run.error) } : run;
  });

  app.get('/erp/runs/:id/issues', {
    config: read,
    schema: { summary: 'Record-level issues of a run (reason and the raw ERP payload)', description: 'The records a run could not apply as it wished, oldest first and paged by cursor: field conflicts, records deleted in the ERP that Peyvand keeps, validation failures, missing organizations, each with the ERP\'s raw payload (cut at 64 KiB).', operationId: 'core.erp-run.issues', tags, params: idParams, querystring: pageQuerySchema, response: { 200: pageOf(issueSchema), ...errors } },
  }, async (request) => runs.issues(actorOf(request).tenantId, request.params.id, request.query.limit, request.query.cursor));

  inboundRoutes(scope, erp);
}
