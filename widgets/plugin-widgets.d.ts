/**
 * The module the widget build generates (scripts/build-widgets.ts): for every plugin that
 * ships widgets, each tag it declares mapped to a loader of that plugin's chunk.
 */
declare module 'peyvand:plugin-widgets' {
  /** Tag → the loader (`() => import(chunk)`) of the chunk that defines it. */
  export const pluginWidgets: Readonly<Record<string, () => Promise<unknown>>>;
}
