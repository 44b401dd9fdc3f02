/** The widget's messages (`locales/{en,fa}/warranty-widgets.json`), added before any element is defined. */
import en from '../locales/en/warranty-widgets.json' with { type: 'json' };
import fa from '../locales/fa/warranty-widgets.json' with { type: 'json' };
import { addMessages } from 'peyvand/widgets/runtime';

addMessages({ en, fa });
