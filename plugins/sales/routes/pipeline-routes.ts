/** `/pipelines`: several per tenant, ordered stages with a win probability. */
import { actorOf, expectedVersion, withEtag, type PluginApp } from '../../../core/plugin/index.js';
import type { SalesServices } from '../services/container.js';
import { idParams, ifMatchHeaders, pageOf, pageQuerySchema, problemSchema, withEtagHeader } from '../schemas/common.js';
import { pipelineInputSchema, pipelinePatchSchema, pipelineSchema } from '../schemas/pipeline-schemas.js';

const tags = ['sales: pipelines'];

/** Registers the pipeline routes. */
export function pipelineRoutes(app: PluginApp, { pipelines }: SalesServices): void {
  app.post('/pipelines', {
    config: { permission: 'sales.pipeline.manage' },
    schema: { operationId: 'sales.pipeline.create', summary: 'Create a pipeline with its stages', description: 'A pipeline is an ordered list of stages, each with the probability used by weighted forecasts, in one currency.', tags, body: pipelineInputSchema, response: { 201: pipelineSchema, '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await pipelines.create(actorOf(request), request.body), 201));

  app.get('/pipelines', {
    config: { permission: 'sales.deal.read' },
    schema: { operationId: 'sales.pipeline.list', summary: 'List pipelines', description: 'Every pipeline of the tenant with its stages.', tags, querystring: pageQuerySchema, response: { 200: pageOf(pipelineSchema), '4xx': problemSchema } },
  }, async (request) => pipelines.list(actorOf(request).tenantId, { limit: request.query.limit, ...(request.query.cursor && { cursor: request.query.cursor }) }));

  app.get('/pipelines/:id', {
    config: { permission: 'sales.deal.read' },
    schema: { operationId: 'sales.pipeline.get', summary: 'Get a pipeline', description: 'One pipeline with its stages; the `ETag` header is its version.', tags, params: idParams, response: { 200: withEtagHeader(pipelineSchema), '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await pipelines.get(actorOf(request).tenantId, request.params.id)));

  app.patch('/pipelines/:id', {
    config: { permission: 'sales.pipeline.manage' },
    schema: { operationId: 'sales.pipeline.update', summary: 'Rename a pipeline or replace its stages (If-Match)', description: 'Given fields replace; stages keep their ids when given, and removing a stage that still holds deals answers 422 STAGE_IN_USE. With `If-Match` a stale version answers 412.', headers: ifMatchHeaders, tags, params: idParams, body: pipelinePatchSchema, response: { 200: withEtagHeader(pipelineSchema), '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await pipelines.update(actorOf(request), request.params.id, request.body, expectedVersion(request.headers['if-match']))));
}
