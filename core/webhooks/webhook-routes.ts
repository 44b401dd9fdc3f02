/**
 * HTTP routes of webhooks (`/api/v1/webhooks…`), all behind `core.webhook.manage`.
 *
 * - `POST /webhooks` `{url, events, secret?}` → 201 with the secret (the only time it is shown)
 * - `GET /webhooks`, `GET /webhooks/{id}` → subscriptions, with `active` and `pausedReason`
 * - `PATCH /webhooks/{id}` `{url?, events?, active?}` → `active: true` resumes a paused one
 * - `DELETE /webhooks/{id}` → 204
 * - `GET /webhooks/{id}/deliveries?status=&limit=&cursor=` → deliveries with their attempts
 * - `POST /webhooks/{id}/deliveries/{deliveryId}/retry` → sends it now, returns it with the new attempt
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { PeyvandTypeProvider } from '../plugin/route-types.js';
import { problemSchema, requestLanguage } from '../http/problem.js';
import { actorOf } from '../http/request-guards.js';
import { idParams, pageOf, pageQuery } from '../customers/customer-schemas.js';
import type { Webhooks } from './index.js';
import { createdWebhookSchema as createdSchema, deliverySchema, webhookInputSchema, webhookPatchSchema, webhookSchema } from './webhook-types.js';

const tags = ['webhooks'];
const config = { permission: 'core.webhook.manage' } as const;
const deliveryParams = { type: 'object', additionalProperties: false, required: ['id', 'deliveryId'], properties: { id: { type: 'string', maxLength: 64 }, deliveryId: { type: 'string', maxLength: 64 } } } as const;

/** Registers the webhook routes. */
export function webhookRoutes(scope: FastifyInstance, { service, deliverer }: Webhooks): void {
  // Request types come from the route schemas, as in plugins.
  const app = scope.withTypeProvider<PeyvandTypeProvider>();
  app.post('/webhooks', {
    config: {
      ...config,
      // An Idempotency-Key replay must not hand out (or store) the secret again.
      idempotentReplay: (body: Record<string, unknown>) => ({ ...body, secret: undefined }),
    },
    schema: {
      operationId: 'core.webhook.create', summary: 'Subscribe a URL to events (the response is the only time the secret is shown)', description: 'Delivers the named events (patterns like `customer.*` allowed) to the URL, signed with HMAC-SHA256 in `Peyvand-Signature`. Private and loopback addresses are refused unless allowed by the operator.',
      tags,
      body: webhookInputSchema,
      response: { 201: createdSchema, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const created = await service.create(actorOf(request), request.body, requestLanguage(request));
    return reply.code(201).header('location', `${request.url.replace(/\/$/, '')}/${created.id}`).send(created);
  });

  app.get('/webhooks', {
    config,
    schema: { operationId: 'core.webhook.list', summary: 'List the webhook subscriptions', description: 'The tenant\'s subscriptions, without their secrets.', tags, querystring: { type: 'object', additionalProperties: false, properties: pageQuery }, response: { 200: pageOf(webhookSchema), '4xx': problemSchema } },
  }, async (request) => service.list(actorOf(request).tenantId, { limit: request.query.limit, ...(request.query.cursor && { cursor: request.query.cursor }) }, requestLanguage(request)));

  app.get('/webhooks/:id', {
    config,
    schema: { operationId: 'core.webhook.get', summary: 'Get a webhook subscription (with why it is paused, if it is)', description: 'One subscription, with `pausedReason` when deliveries stopped after repeated failures.', tags, params: idParams, response: { 200: webhookSchema, '4xx': problemSchema } },
  }, async (request) => service.get(actorOf(request).tenantId, request.params.id, requestLanguage(request)));

  app.patch('/webhooks/:id', {
    config,
    schema: {
      operationId: 'core.webhook.update', summary: 'Change a subscription; {"active": false} pauses it, {"active": true} resumes it', description: 'Changes the URL or events, or pauses and resumes deliveries. Resuming sends what queued meanwhile.',
      tags,
      params: idParams,
      body: webhookPatchSchema,
      response: { 200: webhookSchema, '4xx': problemSchema },
    },
  }, async (request) => service.update(actorOf(request), request.params.id, request.body, requestLanguage(request)));

  app.delete('/webhooks/:id', {
    config,
    schema: { operationId: 'core.webhook.delete', summary: 'Delete a subscription and its delivery log', description: 'Stops deliveries at once and deletes the subscription\'s delivery history.', tags, params: idParams, response: { 204: { type: 'null' }, '4xx': problemSchema } },
  }, async (request, reply) => {
    await service.delete(actorOf(request), request.params.id);
    return reply.code(204).send();
  });

  app.get('/webhooks/:id/deliveries', {
    config,
    schema: {
      operationId: 'core.webhook-delivery.list', summary: 'Deliveries of a subscription, newest first, with every attempt (status code, latency, error)', description: 'Every delivery with its attempts: the receiver\'s status code, latency and error, so an integrator can see why events did not arrive.',
      tags,
      params: idParams,
      querystring: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: ['pending', 'retrying', 'delivered', 'dead'] }, ...pageQuery } },
      response: { 200: pageOf(deliverySchema), '4xx': problemSchema },
    },
  }, async (request) => {
    const { status, limit, cursor } = request.query;
    return service.deliveries(actorOf(request).tenantId, request.params.id, { limit, ...(status && { status }), ...(cursor && { cursor }) });
  });

  app.post('/webhooks/:id/deliveries/:deliveryId/retry', {
    config: { ...config, bodyless: true },
    schema: { operationId: 'core.webhook-delivery.retry', summary: 'Send a delivery again now (also a dead or delivered one); returns it with the new attempt', description: 'Sends one delivery again immediately, whatever its state, and returns it with the new attempt.', tags, params: deliveryParams, response: { 200: deliverySchema, '4xx': problemSchema } },
  }, async (request) => {
    const actor = actorOf(request);
    const row = await service.deliveryRow(actor.tenantId, request.params.id, request.params.deliveryId);
    await deliverer.retryNow(actor, row);
    return service.delivery(actor.tenantId, request.params.id, request.params.deliveryId);
  });
}
