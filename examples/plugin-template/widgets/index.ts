/**
 * my-plugin's widgets: the chunk Peyvand's `/widgets/peyvand.js` loads the first time one
 * of the tags in the plugin's `widgets` appears on a page. The messages come first, then
 * each element. Build it into the ERP's widget bundle with `buildWidgets(outDir, { plugins:
 * [{ plugin: 'my-plugin', entry: '<this folder>/index.ts', tags: ['peyvand-my-plugin-item-form'] }] })`
 * (Peyvand's docs/plugins.md, Widgets).
 */
import './messages.js';

export { PeyvandMyPluginItemForm } from './peyvand-my-plugin-item-form.js';
export type * from './events.js';
