/** The events my-plugin emits: their data schemas, and their types in Peyvand's event map. */
import type { JsonSchema } from 'peyvand/plugin';

/** An item as the API shows it and the events carry it. */
export interface MyPluginItem {
  id: string;
  title: string;
  createdAt: string;
}

declare module 'peyvand/plugin' {
  interface PeyvandEvents {
    'my_plugin.item.created': { item: MyPluginItem };
  }
}

/** Event types and the JSON Schema of their `data`. */
export const myPluginEvents: Readonly<Record<string, JsonSchema>> = {
  'my_plugin.item.created': { type: 'object', required: ['item'], properties: { item: { type: 'object' } } },
};
