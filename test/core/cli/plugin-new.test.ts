/**
 * `peyvand plugin new <name>` in a folder outside the repository: the files it writes,
 * no placeholder left, messages in en and fa with the same keys, no overwrite, bad names
 * refused; and the generated plugin's own test (its idempotent subscriber included) passes as generated, with `peyvand`
 * installed the way npm would (a `node_modules/peyvand` link to this package), and its widget
 * builds into a chunk of its own. The
 * template itself is type-checked with the repository (it lives in `examples/`, which tsconfig.check.json includes).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { run } from '../../../core/cli/commands.js';
import { buildWidgets } from '../../../scripts/build-widgets.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-scaffold-'));
t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, { cwd: work, env: { PEYVAND_LANG: 'en', ...env }, stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}

const files = (dir: string, prefix = ''): string[] =>
  fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(dir, path.join(prefix, e.name)) : [path.join(prefix, e.name)])).sort();

t.test('writes a plugin named in every spelling, and nothing of the placeholder', async (t) => {
  const res = await cli(['plugin', 'new', 'acme-notes']);
  t.equal(res.code, 0, res.stderr);
  const dir = path.join(work, 'acme-notes');
  t.same(files(dir), [
    'events.ts', 'index.ts', 'locales/en/acme-notes-widgets.json', 'locales/en/acme-notes.json', 'locales/fa/acme-notes-widgets.json', 'locales/fa/acme-notes.json', 'migrations/001_items.ts',
    'migrations/002_item_stats.ts', 'migrations/rows.ts', 'package.json', 'permissions.ts', 'routes.ts', 'subscribers.ts', 'test/acme-notes.test.ts', 'widgets/events.ts', 'widgets/index.ts', 'widgets/messages.ts',
    'widgets/peyvand-acme-notes-item-form.ts',
  ].map((f) => f.split('/').join(path.sep)));
  t.match(res.stdout, /Created plugin acme-notes in .*acme-notes/);
  t.match(res.stderr, /npm test/);
  const all = files(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
  t.notMatch(all, /my-plugin|my_plugin|myPlugin|MyPlugin/, 'no placeholder left');
  t.match(all, /name: 'acme-notes'/);
  t.match(all, /'acme_notes\.item\.created'/);
  t.match(all, /export const acmeNotesRoutes|export function acmeNotesRoutes/);
  t.equal(all.match(/async down\(/g)?.length, 2, 'each migration has a down');
  t.match(all, /subscribers: \[itemStatsSubscriber\]/, 'the plugin declares its subscriber');
  t.match(all, /id: 'acme-notes\.item-stats',\n {2}events: \['acme_notes\.item\.created'\]/, 'subscribed to its own event');
  const flat = (o: Record<string, unknown>, prefix = ''): string[] => Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? flat(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
  for (const file of ['acme-notes.json', 'acme-notes-widgets.json']) {
    const locale = (lng: string) => JSON.parse(fs.readFileSync(path.join(dir, 'locales', lng, file), 'utf8')) as Record<string, unknown>;
    t.same(flat(locale('fa')), flat(locale('en')), `${file}: en and fa have the same keys`);
  }
  t.match(all, /widgets: \['peyvand-acme-notes-item-form'\]/, 'the plugin declares its widget');
});

t.test('refuses to overwrite, and refuses names the kernel would refuse', async (t) => {
  const index = path.join(work, 'acme-notes', 'index.ts');
  fs.appendFileSync(index, '// edited by the author\n');
  const again = await cli(['plugin', 'new', 'acme-notes']);
  t.equal(again.code, 1);
  t.match(again.stderr, /already exists; nothing was written/);
  t.match(fs.readFileSync(index, 'utf8'), /edited by the author/, 'the existing file is untouched');
  for (const bad of ['Acme', 'acme_notes', '1acme', 'acme-', '../acme']) {
    const res = await cli(['plugin', 'new', bad]);
    t.equal(res.code, 2, bad);
    t.match(res.stderr, /is not a plugin name/, bad);
  }
  t.notOk(fs.existsSync(path.join(work, 'Acme')), 'nothing written for a bad name');
  t.equal((await cli(['plugin', 'new'])).code, 2, 'the name is required');
  const fa = await cli(['plugin', 'new', 'acme-notes'], { PEYVAND_LANG: 'fa' });
  t.match(fa.stderr, /از پیش وجود دارد/, 'the refusal in Persian');
});

t.test('the generated test passes as generated, against peyvand installed as a package', async (t) => {
  // What `npm install peyvand` gives the author: node_modules/peyvand is this package.
  fs.mkdirSync(path.join(work, 'node_modules'), { recursive: true });
  fs.symlinkSync(root, path.join(work, 'node_modules', 'peyvand'), 'dir');
  const test = path.join(work, 'acme-notes', 'test', 'acme-notes.test.ts');
  // The sources stand in for dist/ (not built on a fresh clone): same exports, `peyvand-source` condition.
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=peyvand-source', '--test', test], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  t.equal(res.status, 0, res.stdout + res.stderr);
  t.match(res.stdout, /# pass 3\n/);
  t.match(res.stdout, /# fail 0\n/);
});

t.test('the generated widget builds into its own chunk beside core’s runtime', async (t) => {
  // After the test above: node_modules/peyvand links this package, as npm would install it.
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-scaffold-widgets-'));
  t.teardown(() => fs.rmSync(out, { recursive: true, force: true }));
  const entry = path.join(work, 'acme-notes', 'widgets', 'index.ts');
  const built = await buildWidgets(out, { plugins: [{ plugin: 'acme-notes', entry, tags: ['peyvand-acme-notes-item-form'] }] });
  const chunk = built.chunks.find((c) => c.kind === 'plugin' && c.plugin === 'acme-notes');
  t.same(chunk?.tags, ['peyvand-acme-notes-item-form'], 'the declared tag is defined by the generated element (the build checks it)');
  const code = fs.readFileSync(path.join(out, chunk!.file), 'utf8');
  t.match(code, /ساختن مورد/, 'its Persian messages are in the chunk');
});
