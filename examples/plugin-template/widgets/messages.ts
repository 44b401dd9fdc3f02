/** The widget's messages (`locales/{en,fa}/my-plugin-widgets.json`), added before any element is defined. */
import en from '../locales/en/my-plugin-widgets.json' with { type: 'json' };
import fa from '../locales/fa/my-plugin-widgets.json' with { type: 'json' };
import { addMessages } from 'peyvand/widgets/runtime';

addMessages({ en, fa });
