/**
 * The shared widget runtime, as a plugin's widgets import it: the base element, the API
 * client's error, formatting, icons, messages and the event map. Inside this repository a
 * plugin imports it relatively (`../../../widgets/runtime/index.js`); a plugin outside it
 * imports `peyvand/widgets/runtime` (a package export of this file's source, which the
 * widget build bundles). Either way the build resolves it to this one module, so every
 * chunk shares one runtime: one configuration, one token provider, one message table.
 * Lit comes along, so a plugin's chunk uses the same Lit as core's widgets.
 */
export { css, html, nothing, svg, type PropertyValues, type TemplateResult } from 'lit';
export { property, state } from 'lit/decorators.js';
export { ApiError, type FieldProblem } from './api-client.js';
export type { Customer, ItemOf, OperationId, Page, RequestOf, ResponseOf, TimelineEntry } from './api-types.js';
export { ltr, isolateText } from './bidi.js';
export type { Locale } from './config.js';
export type { PeyvandEventDetail, PeyvandEventMap, PeyvandEventName } from './events.js';
export { formatCompact, formatDateTime, formatDay, formatMoney, formatNumber } from './format.js';
export { addMessages, type MessageParams, type WidgetMessages } from './i18n.js';
export { icon, type IconName } from './icons.js';
export { define, PeyvandElement, type LoadStatus } from './peyvand-element.js';
