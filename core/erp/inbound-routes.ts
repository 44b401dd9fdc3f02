/**
 * `POST /api/v1/erp/inbound/{connectionId}`: an ERP pushes its changes, signed like
 * Peyvand's own webhooks — `Peyvand-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
 * "<t>.<raw body>")>` with the connection's secret. No bearer credential: the signature is
 * the credential. A timestamp outside the replay window or a wrong MAC is a 401; the same
 * signed request a second time is a 409. An accepted push becomes an `inbound` run.
 *
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PeyvandTypeProvider } from '../plugin/route-types.js';
import { coreError } from '../plugin/errors.js';
import { isUniqueViolation } from '../db/database.js';
import { problemSchema } from '../http/problem.js';
import { jsonBodyText } from '../http/json-body.js';
import { signatureOf, verifySignature } from '../plugin/webhook-signature.js';
import { erpError } from './erp-errors.js';
import { inboundSchema, runAcceptedSchema } from './erp-schemas.js';
import type { Erp } from './index.js';

const params = { type: 'object', additionalProperties: false, required: ['connectionId'], properties: { connectionId: { type: 'string', maxLength: 64 } } } as const;

/** Registers the inbound webhook route in its own scope (it needs the raw body bytes). */
export function inboundRoutes(app: FastifyInstance, erp: Erp): void {
  const rawBodies = new WeakMap<FastifyRequest, Buffer>();
  void app.register(async (plain) => {
    // Request types come from the route schemas, as in plugins.
    const scope = plain.withTypeProvider<PeyvandTypeProvider>();
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
      rawBodies.set(request, body);
      try {
        done(null, JSON.parse(jsonBodyText(request.headers['content-type'], body)));
      } catch (err) {
        done(err instanceof SyntaxError ? coreError('VALIDATION_FAILED', {}, { errors: [{ path: '', message: 'the body is not JSON', key: 'core:validation.malformedBody' }] }) : (err as Error));
      }
    });

    scope.post('/erp/inbound/:connectionId', {
      config: { public: true },
      schema: {
        summary: 'Changes pushed by the ERP, signed with the connection secret (Peyvand-Signature); starts an inbound run',
        description: 'For `webhook` connections: no bearer credential, the `Peyvand-Signature` header (`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`) is checked before the body. '
          + 'A wrong or expired signature is a 401, the same signed request a second time a 409, an unknown or non-webhook connection a 404; an accepted push answers 202 with the queued inbound run.',
        operationId: 'core.erp-inbound.push',
        tags: ['erp'],
        params,
        body: inboundSchema,
        response: { 202: runAcceptedSchema, '4xx': problemSchema },
      },
      // The signature is checked before the body's shape: an unsigned caller learns nothing about the schema.
      preValidation: async (request) => {
        const connection = await erp.connections.loadUnscoped(request.params.connectionId);
        if (!connection || connection.adapter !== 'webhook') throw erpError('ERP_CONNECTION_NOT_FOUND', { id: request.params.connectionId });
        const header = request.headers['peyvand-signature'];
        const raw = rawBodies.get(request) ?? Buffer.alloc(0);
        const secret = String(connection.fullConfig.secret ?? '');
        if (typeof header !== 'string' || !secret || !verifySignature(header, secret, raw, erp.inboundToleranceSeconds)) throw erpError('ERP_SIGNATURE_INVALID');
        const { db } = erp.deps;
        const now = Date.now();
        // The MAC that verified (not whatever else the header lists): the same body at the same `t` is refused twice.
        try {
          await db.rows('erp_inbound_signatures').insert({ connection_id: connection.id, signature: signatureOf(secret, Number(/(?:^|,)\s*t=(\d+)/.exec(header)![1]), raw), received_at: now });
        } catch (err) {
          if (isUniqueViolation(err)) throw erpError('ERP_SIGNATURE_REPLAYED');
          throw err;
        }
        // Signatures older than the window can never verify again: no need to remember them.
        await db.rows('erp_inbound_signatures').where('received_at', '<', now - 2 * erp.inboundToleranceSeconds * 1000).delete();
        inboundConnections.set(request, connection.id);
        inboundTenants.set(request, connection.tenantId);
      },
    }, async (request, reply) => {
      const connectionId = inboundConnections.get(request)!;
      const run = await erp.runs.create(erp.deps.db.knex, inboundTenants.get(request)!, connectionId, { trigger: 'inbound', dryRun: false, full: false, payload: request.body.changes });
      erp.runner.kick(connectionId);
      return reply.code(202).send({ id: run.id, status: run.status });
    });
  });
  const inboundConnections = new WeakMap<FastifyRequest, string>();
  const inboundTenants = new WeakMap<FastifyRequest, string>();
}
