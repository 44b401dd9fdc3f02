/**
 * The sales widgets' messages (`locales/{en,fa}/sales-widgets.json`), added to the
 * runtime's table when the chunk loads — imported first by index.ts, so they are there
 * before any element is defined.
 */
import en from '../../../locales/en/sales-widgets.json' with { type: 'json' };
import fa from '../../../locales/fa/sales-widgets.json' with { type: 'json' };
import { addMessages } from '../../../widgets/runtime/index.js';

addMessages({ en, fa });
