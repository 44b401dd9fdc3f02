/**
 * The loyalty widgets' messages (`locales/{en,fa}/loyalty-widgets.json`), added to the
 * runtime's table when the chunk loads — imported first by index.ts, so they are there
 * before any element is defined.
 */
import en from '../../../locales/en/loyalty-widgets.json' with { type: 'json' };
import fa from '../../../locales/fa/loyalty-widgets.json' with { type: 'json' };
import { addMessages } from '../../../widgets/runtime/index.js';

addMessages({ en, fa });
