/** The plugin's HTTP API, mounted at `/api/v1/my-plugin`. */
import { actorOf, lineString, newId, problemSchema, type PluginApp, type PluginContext, type SchemaType } from 'peyvand/plugin';
import { itemSchema, type MyPluginItem } from './events.js';

/**
 * Body of `POST /items`. Written `as const`: the handler's `request.body` is typed from
 * this very schema (`PluginApp` carries Peyvand's type provider), so the validated shape
 * and the type cannot drift; name it with `SchemaType<typeof itemInputSchema>` where a
 * service takes it.
 */
const itemInputSchema = { type: 'object', additionalProperties: false, required: ['title'], properties: { title: lineString(200, 1) } } as const;

/** Answer of `GET /stats`; a response schema is `as const` too, and its type names what the handler returns. */
const statsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['itemsCreated'],
  properties: { itemsCreated: { type: 'integer' } },
} as const;

/** Registers the routes: each one a permission, schemas, an operationId, a summary and a description. */
export function myPluginRoutes(app: PluginApp, ctx: PluginContext): void {
  app.post('/items', {
    config: { permission: 'my-plugin.item.create' },
    schema: {
      operationId: 'my-plugin.item.create',
      summary: 'Create an item',
      description: 'Stores an item for the caller\'s tenant and emits `my_plugin.item.created` in the same transaction.',
      tags: ['my-plugin: items'],
      body: itemInputSchema,
      response: { 201: itemSchema, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const item: MyPluginItem = { id: newId(), title: request.body.title.trim(), createdAt: new Date().toISOString() };
    await ctx.data.transaction(async (trx) => {
      // ctx.data sets and checks tenant_id itself; the event and audit entry commit with the row.
      await ctx.data.forTenant(actor.tenantId, trx).from('my_plugin_items').insert({ id: item.id, title: item.title, created_at: Date.parse(item.createdAt) });
      await ctx.audit.record(trx, actor, { action: 'item.create', entityType: 'my_plugin_item', entityId: item.id, after: item });
      await ctx.events.emit(trx, 'my_plugin.item.created', { item }, { tenantId: actor.tenantId, aggregateType: 'my_plugin_item', aggregateId: item.id });
    });
    return reply.code(201).send(item);
  });

  app.get('/stats', {
    config: { permission: 'my-plugin.item.read' },
    schema: {
      operationId: 'my-plugin.stats.get',
      summary: 'Count the items created',
      description: 'How many items the caller\'s tenant has created, as the `my-plugin.item-stats` subscriber counted them from `my_plugin.item.created` (so a moment behind the writes).',
      tags: ['my-plugin: items'],
      response: { 200: statsSchema, '4xx': problemSchema },
    },
  }, async (request): Promise<SchemaType<typeof statsSchema>> => {
    const row = await ctx.data.forTenant(actorOf(request).tenantId).from('my_plugin_stats').first('items_created');
    return { itemsCreated: row ? row.items_created : 0 };
  });
}
