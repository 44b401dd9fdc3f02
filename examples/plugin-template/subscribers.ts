/**
 * What my-plugin does when an event arrives. Delivery is at least once: after a crash the
 * same event can come again, so each handler records the event's id in the same
 * transaction as its effect, and an id already recorded means "done, do nothing".
 */
import type { PluginSubscriber } from 'peyvand/plugin';

/**
 * Keeps each tenant's count of items created (`GET /api/v1/my-plugin/stats`) from
 * `my_plugin.item.created`: a read model fed by events, the way a plugin reacts to its
 * own events or to core's (`customer.*`).
 */
export const itemStatsSubscriber: PluginSubscriber = {
  // Progress is stored under this id: renaming it replays history.
  id: 'my-plugin.item-stats',
  events: ['my_plugin.item.created'],
  async handle(event, ctx) {
    await ctx.data.transaction(async (trx) => {
      const data = ctx.data.forTenant(event.tenantId, trx);
      // Seen before: a redelivery. (Two deliveries racing both pass this read; the primary
      // key on event_id then fails one of them, whose transaction rolls back and is retried.)
      if (await data.from('my_plugin_handled_events').where({ event_id: event.id }).first('event_id')) return;
      await data.from('my_plugin_handled_events').insert({ event_id: event.id, handled_at: Date.now() });
      const updated = await data.from('my_plugin_stats').increment('items_created', 1);
      if (!updated) await data.from('my_plugin_stats').insert({ items_created: 1 });
    });
  },
};
