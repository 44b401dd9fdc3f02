/** The widget's DOM events, added to Peyvand's event map so hosts get them typed. */

/** `peyvand-my-plugin-item-created`: an item was created from the form. */
export interface MyPluginItemCreatedDetail {
  item: { id: string; title: string; createdAt: string };
}

declare module 'peyvand/widgets/runtime' {
  interface PeyvandEventMap {
    'peyvand-my-plugin-item-created': CustomEvent<MyPluginItemCreatedDetail>;
  }
}
