/** The events my-plugin emits: their data schemas, and their types in Peyvand's event map. */
import { eventData, type SchemaType } from 'peyvand/plugin';

/** An item in responses: `POST /items` answers it and `my_plugin.item.created` carries it. */
export const itemSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'createdAt'],
  properties: { id: { type: 'string' }, title: { type: 'string' }, createdAt: { type: 'string' } },
} as const;

/**
 * An item as the API shows it and the events carry it: the type of {@link itemSchema},
 * so code that builds an item with a field the schema lacks (or without a required one)
 * does not compile.
 */
export type MyPluginItem = SchemaType<typeof itemSchema>;

/**
 * Event types and the JSON Schema of their `data`: closed, every field present, as the
 * route writes it. The types in Peyvand's event map are derived from these schemas.
 */
export const myPluginEvents = {
  'my_plugin.item.created': eventData({ item: itemSchema }),
} as const;

declare module 'peyvand/plugin' {
  interface PeyvandEvents {
    'my_plugin.item.created': SchemaType<(typeof myPluginEvents)['my_plugin.item.created']>;
  }
}
