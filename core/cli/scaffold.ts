/**
 * `peyvand plugin new <name>`: copies the plugin template (`examples/plugin-template/` of the
 * package) into `<cwd>/<name>/`, renaming `my-plugin` in every spelling. The template is
 * ordinary TypeScript the repository type-checks, so what is generated compiles.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../paths.js';

/** Plugin names the kernel accepts: kebab-case, starting with a letter. */
export const PLUGIN_NAME_RE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The template's placeholder name in each spelling it is written in. */
const PLACEHOLDER = 'my-plugin';

/** `acme-notes` as the template spells `my-plugin`: kebab, snake, camel and Pascal case. */
export function spellings(name: string): Array<[string, string]> {
  const words = name.split('-');
  const pascal = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return [
    [PLACEHOLDER, name],
    ['my_plugin', words.join('_')],
    ['myPlugin', pascal[0]!.toLowerCase() + pascal.slice(1)],
    ['MyPlugin', pascal],
  ];
}

/** The folder the template is read from. */
export function templateDir(): string {
  return path.join(packageRoot(), 'examples', 'plugin-template');
}

/**
 * Writes the plugin into `target` and returns the files written (relative, sorted).
 * Throws when `target` already exists: nothing is ever overwritten.
 */
export function scaffoldPlugin(name: string, target: string, from = templateDir()): string[] {
  if (fs.existsSync(target)) throw Object.assign(new Error(`${target} exists`), { code: 'EEXIST' });
  const rename = (text: string) => spellings(name).reduce((out, [from, to]) => out.split(from).join(to), text);
  const files = listFiles(from);
  // Created exclusively: a folder made by someone else in between fails instead of mixing.
  fs.mkdirSync(target, { recursive: false });
  for (const file of files) {
    const destination = path.join(target, rename(file));
    fs.mkdirSync(path.dirname(destination), { recursive: true });
    fs.writeFileSync(destination, rename(fs.readFileSync(path.join(from, file), 'utf8')), { flag: 'wx' });
  }
  return files.map(rename).sort();
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const relative = path.join(prefix, e.name);
    return e.isDirectory() ? listFiles(dir, relative) : [relative];
  });
}
