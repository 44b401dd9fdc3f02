/**
 * The warranty plugin's widgets: the chunk Peyvand's `/widgets/peyvand.js` loads the first
 * time `<peyvand-warranty-claims>` appears on a page. The messages come first, then the
 * element. Built into an ERP's widget bundle with `buildWidgets(outDir, { plugins: [{ plugin:
 * 'warranty', entry: '<this folder>/index.ts', tags: ['peyvand-warranty-claims'] }] })`
 * (Peyvand's docs/plugins.md, Widgets).
 */
import './messages.js';

export { PeyvandWarrantyClaims } from './peyvand-warranty-claims.js';
export type * from './events.js';
