/**
 * Plugins installed by configuration: built-in names, local paths and npm packages load
 * the same way, from PEYVAND_PLUGINS or peyvand.config, with options per plugin; nothing
 * configured means every built-in plugin. Core imports no plugin.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { builtInPluginNames, loadInstalledPlugins } from '../../../core/cli/plugin-loader.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A folder with a plugin module (plain JS, as a user would write or npm would install). */
function pluginModule(dir: string, name: string, file = 'index.mjs'): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, file), `export default { name: '${name}', version: '1.2.3', core: '^0.1.0' };\n`);
}

const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-plugins-'));
t.teardown(() => fs.rmSync(cwd, { recursive: true, force: true }));
pluginModule(path.join(cwd, 'my-plugin'), 'my-plugin');
const pkg = path.join(cwd, 'node_modules', '@acme', 'peyvand-loyalty');
pluginModule(path.join(pkg, 'dist'), 'acme-loyalty', 'main.mjs');
fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: '@acme/peyvand-loyalty', type: 'module', exports: { '.': { import: './dist/main.mjs' } } }));

t.test('nothing configured: every built-in plugin', async (t) => {
  const names = builtInPluginNames();
  t.ok(names.includes('sales'), 'sales is a built-in');
  t.ok(names.includes('erp-odoo'), 'so is the Odoo adapter, under its plugin name');
  const installed = await loadInstalledPlugins({}, cwd);
  t.same(installed.plugins.map((p) => p.name), names);
  t.equal(installed.source, 'built-ins');
});

t.test('PEYVAND_PLUGINS: a built-in, a local folder and an npm package, loaded alike', async (t) => {
  const installed = await loadInstalledPlugins({ PEYVAND_PLUGINS: 'sales, ./my-plugin ,@acme/peyvand-loyalty,peyvand/plugins/sales,erp-odoo,peyvand/adapters/odoo' }, cwd);
  t.same(installed.plugins.map((p) => [p.name, p.version]), [['sales', '0.1.0'], ['my-plugin', '1.2.3'], ['acme-loyalty', '1.2.3'], ['sales', '0.1.0'], ['erp-odoo', '0.1.0'], ['erp-odoo', '0.1.0']]);
  t.equal(installed.source, 'PEYVAND_PLUGINS');
});

t.test('peyvand.config.mjs: the list and options per plugin; PEYVAND_PLUGINS overrides the list only', async (t) => {
  const dir = fs.mkdtempSync(path.join(cwd, 'cfg-'));
  pluginModule(path.join(dir, 'local'), 'local-one');
  fs.writeFileSync(path.join(dir, 'peyvand.config.mjs'), `export default { plugins: ['./local'], pluginOptions: { 'local-one': { level: 3 }, sales: { webLeadsPerMinute: 9 } } };\n`);
  let installed = await loadInstalledPlugins({}, dir);
  t.same(installed.plugins.map((p) => p.name), ['local-one']);
  t.same(installed.options, { 'local-one': { level: 3 }, sales: { webLeadsPerMinute: 9 } });
  t.equal(installed.source, 'config');
  installed = await loadInstalledPlugins({ PEYVAND_PLUGINS: 'sales' }, dir);
  t.same(installed.plugins.map((p) => p.name), ['sales']);
  t.same(installed.options, { 'local-one': { level: 3 }, sales: { webLeadsPerMinute: 9 } }, 'options still come from the file');
});

t.test('a wrong entry is a configuration error naming it', async (t) => {
  await t.rejects(loadInstalledPlugins({ PEYVAND_PLUGINS: 'no-such-plugin' }, cwd), { code: 'CONFIG_INVALID', message: /no-such-plugin/ });
  fs.writeFileSync(path.join(cwd, 'not-a-plugin.mjs'), 'export const x = 1;\n');
  await t.rejects(loadInstalledPlugins({ PEYVAND_PLUGINS: './not-a-plugin.mjs' }, cwd), { code: 'CONFIG_INVALID', message: /definePlugin/ });
  const dir = fs.mkdtempSync(path.join(cwd, 'bad-'));
  fs.writeFileSync(path.join(dir, 'peyvand.config.mjs'), `export default { plugins: 'sales' };\n`);
  await t.rejects(loadInstalledPlugins({}, dir), { code: 'CONFIG_INVALID', message: /peyvand\.config\.mjs/ });
});

t.test('core imports no plugin', async (t) => {
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.ts') && /from '(\.\.\/)+plugins\//.test(fs.readFileSync(full, 'utf8'))) offenders.push(path.relative(root, full));
    }
  };
  walk(path.join(root, 'core'));
  // The demo seed included: each plugin brings its own through the `demo` hook.
  t.same(offenders, []);
});
