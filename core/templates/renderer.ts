/**
 * Handlebars with the doors closed: an isolated environment per kernel, only the helpers
 * given here, no prototype access, and templates always compiled from strings (never a
 * caller-supplied AST).
 */
import Handlebars from 'handlebars';

/** Renders stored templates. */
export interface TemplateRenderer {
  render(template: string, data: Record<string, unknown>): string;
}

/** Creates an isolated renderer with the given helpers. */
export function createTemplateRenderer(helpers: Record<string, Handlebars.HelperDelegate> = {}): TemplateRenderer {
  const env = Handlebars.create();
  // The built-in `{{log …}}` would let a stored template write raw lines to the server's
  // console (forged log lines); it stays known, so old templates compile, but writes nothing.
  env.registerHelper('log', () => '');
  for (const [name, fn] of Object.entries(helpers)) env.registerHelper(name, fn);
  const known = Object.fromEntries(Object.keys(helpers).map((n) => [n, true]));
  const cache = new Map<string, HandlebarsTemplateDelegate>();
  return {
    render(template, data) {
      if (typeof template !== 'string') throw new TypeError('a template must be a string');
      let compiled = cache.get(template);
      if (!compiled) {
        compiled = env.compile(template, { strict: false, knownHelpers: known, knownHelpersOnly: true });
        if (cache.size > 500) cache.clear();
        cache.set(template, compiled);
      }
      return compiled(data, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
    },
  };
}
