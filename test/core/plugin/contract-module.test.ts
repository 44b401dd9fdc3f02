/**
 * The contract module (`peyvand/plugin`) is a leaf: nothing in `core/plugin/` imports a
 * file outside it, so a plugin written against it cannot reach core's implementation,
 * and it exports every name the built-in plugins use.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import * as contract from '../../../core/plugin/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const contractDir = path.join(root, 'core/plugin');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** Relative specifiers of `import`/`export … from` and `declare module`, type-only ones included. */
function relativeImports(file: string): string[] {
  const source = fs.readFileSync(file, 'utf8');
  return [...source.matchAll(/(?:from|import|declare module)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
}

t.test('no file of the contract imports outside core/plugin/', async (t) => {
  const escapes = tsFiles(contractDir).flatMap((file) =>
    relativeImports(file)
      .map((spec) => path.resolve(path.dirname(file), spec))
      .filter((target) => !target.startsWith(contractDir + path.sep))
      .map((target) => `${path.relative(root, file)} → ${path.relative(root, target)}`),
  );
  t.same(escapes, [], 'the contract is a leaf');
});

t.test('plugins import core only through the contract module', async (t) => {
  const offenders = tsFiles(path.join(root, 'plugins')).flatMap((file) =>
    relativeImports(file)
      .map((spec) => path.resolve(path.dirname(file), spec))
      .filter((target) => target.startsWith(path.join(root, 'core') + path.sep) && !target.startsWith(contractDir + path.sep + 'index.'))
      .map((target) => `${path.relative(root, file)} → ${path.relative(root, target)}`),
  );
  t.same(offenders, [], 'no plugin file imports a core file other than core/plugin/index.js');
});

t.test('the contract exports what plugins build with', async (t) => {
  for (const name of ['definePlugin', 'coreError', 'PeyvandError', 'newId', 'readInt', 'readJson', 'encodeCursor', 'decodeCursor', 'actorOf', 'can', 'systemActor', 'applyRecordScope', 'applyRecordScopeToJoin', 'PollingLoop', 'problemSchema', 'idParams', 'pageQuery', 'eventData', 'normalizePhone', 'toJalali', 'SubscriberUnavailableError']) {
    t.not((contract as Record<string, unknown>)[name], undefined, name);
  }
  t.equal(contract.decodeCursor(contract.encodeCursor(['a', 1]))[1], 1, 'cursor round trip');
});

t.test('the outside-author example imports only peyvand/plugin, peyvand/testing and node built-ins; its widgets only peyvand/widgets/runtime', async (t) => {
  const example = path.join(root, 'examples/custom-plugin');
  const widgets = path.join(example, 'widgets') + path.sep;
  const offenders = tsFiles(example).flatMap((file) => {
    const source = fs.readFileSync(file, 'utf8');
    const specifiers = [...source.matchAll(/(?:^|\s)(?:from|import|declare module)\s*\(?\s*'([^']+)'/gm)].map((m) => m[1]!);
    const inWidgets = file.startsWith(widgets);
    const allowed = (spec: string) => (inWidgets ? spec === 'peyvand/widgets/runtime' : ['peyvand/plugin', 'peyvand/testing'].includes(spec) || spec.startsWith('node:'));
    // Browser code takes from the plugin's server files only types (erased from the chunk), and its messages.
    const serverValues = inWidgets ? [...source.matchAll(/^import\s+(?!type\s)[^;]*?from\s*'(\.\.\/[^']+)'/gm)].map((m) => m[1]!).filter((spec) => !spec.endsWith('.json')) : [];
    return [
      ...specifiers.filter((spec) => (spec.startsWith('.') ? !path.resolve(path.dirname(file), spec).startsWith(example + path.sep) : !allowed(spec))),
      ...serverValues,
    ].map((spec) => `${path.relative(root, file)} → ${spec}`);
  });
  t.same(offenders, [], 'nothing but the public API');
  t.ok(tsFiles(example).length >= 8, 'the example was found');
  t.ok(tsFiles(example).some((f) => f.startsWith(widgets)), 'and its widgets');
});

t.test('package.json exports the contract and the built-in plugins', async (t) => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; default: string }> };
  t.same(pkg.exports['./plugin'], { 'peyvand-source': './core/plugin/index.ts', types: './dist/core/plugin/index.d.ts', default: './dist/core/plugin/index.js' });
  t.same(pkg.exports['./testing'], { 'peyvand-source': './core/testing/index.ts', types: './dist/core/testing/index.d.ts', default: './dist/core/testing/index.js' });
  t.same(pkg.exports['./plugins/*'], { types: './dist/plugins/*/index.d.ts', default: './dist/plugins/*/index.js' });
});
