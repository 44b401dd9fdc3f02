/**
 * The rows of my-plugin's tables as the database returns them, declared once next to the
 * migrations that create them. Adding them to `PluginTables` types `ctx.data…from(table)`:
 * results, `first()`, and the columns an `update` may set. A BIGINT comes back as a
 * number or (PostgreSQL) a string: read it with `readInt`.
 */
import type { BigIntColumn } from 'peyvand/plugin';

/** `my_plugin_items` (001). */
export interface ItemRow {
  id: string;
  tenant_id: string;
  title: string;
  created_at: BigIntColumn;
}

/** `my_plugin_stats` (002): one row per tenant, fed by the `my-plugin.item-stats` subscriber. */
export interface ItemStatsRow {
  tenant_id: string;
  items_created: number;
}

/** `my_plugin_handled_events` (002): events the subscriber has applied. */
export interface HandledEventRow {
  event_id: string;
  tenant_id: string;
  handled_at: BigIntColumn;
}

declare module 'peyvand/plugin' {
  interface PluginTables {
    my_plugin_items: ItemRow;
    my_plugin_stats: ItemStatsRow;
    my_plugin_handled_events: HandledEventRow;
  }
}
