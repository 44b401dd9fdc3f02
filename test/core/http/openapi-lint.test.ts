/**
 * The served OpenAPI document as an outside tool reads it: Spectral's `spectral:oas`
 * ruleset (`.spectral.yaml`) at 0 warnings, @readme/openapi-parser's validation, and
 * openapi-typescript generating a client whose types compile. It boots core with every
 * built-in plugin and the demo server's routes, so a new plugin's routes are linted too.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import openapiTS, { astToString } from 'openapi-typescript';
import { validate, compileErrors } from '@readme/openapi-parser';
import { loadInstalledPlugins } from '../../../core/cli/plugin-loader.js';
import { demoHostRoutes } from '../../../core/cli/demo-host.js';
import { DEMO_TENANT_SLUG } from '../../../core/cli/demo-seed.js';
import { bootPeyvand } from '../../helpers/peyvand.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const p = await bootPeyvand(t, { plugins: (await loadInstalledPlugins({}, process.cwd())).plugins, http: { extraRoutes: demoHostRoutes(DEMO_TENANT_SLUG) } });
const res = await p.call(undefined, { method: 'GET', url: '/api/v1/openapi.json' });
const text = res.body;
const doc = res.json() as { paths: Record<string, Record<string, Operation>>; tags?: Array<{ name: string; description?: string }> };
const dir = mkdtempSync(path.join(os.tmpdir(), 'peyvand-openapi-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

interface Operation {
  operationId?: string;
  description?: string;
  tags?: string[];
  parameters?: Array<{ in: string; name: string }>;
  responses: Record<string, { content?: Record<string, unknown> }>;
}
const operations = Object.entries(doc.paths).flatMap(([url, methods]) => Object.entries(methods).map(([method, op]) => ({ label: `${method.toUpperCase()} ${url}`, method, op })));

t.test('Spectral spectral:oas: 0 warnings', async (t) => {
  const file = path.join(dir, 'openapi.json');
  writeFileSync(file, text);
  const cli = path.join(root, 'node_modules/@stoplight/spectral-cli/dist/index.js');
  // Spectral exits 1 when it finds anything; the JSON report on stdout is what counts.
  const run = await promisify(execFile)(process.execPath, [cli, 'lint', '--ruleset', path.join(root, '.spectral.yaml'), '--format', 'json', '--quiet', file], { maxBuffer: 64 * 1024 * 1024 })
    .catch((error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '' }));
  const findings = JSON.parse(run.stdout || '[]') as Array<{ code: string; message: string; path: string[]; severity: number }>;
  t.comment(`Spectral (spectral:oas): ${findings.length} findings over ${operations.length} operations`);
  t.same(findings.map((f) => `${f.code} at ${f.path.join('.')}: ${f.message}`), [], 'no error, warning, info or hint');
});

t.test('@readme/openapi-parser validates the document', async (t) => {
  const result = await validate(structuredClone(JSON.parse(text)) as never);
  t.ok(result.valid, result.valid ? 'valid OpenAPI 3.1' : compileErrors(result));
});

t.test('openapi-typescript generates a client that compiles', async (t) => {
  const generated = astToString(await openapiTS(JSON.parse(text) as never));
  writeFileSync(path.join(dir, 'api.d.ts'), generated);
  // What a client written against the generated types does: name an operation, read a body.
  writeFileSync(path.join(dir, 'client.ts'), [
    "import type { operations, paths } from './api.js';",
    "type Created = paths['/api/v1/customers']['post']['responses'][201]['content']['application/json'];",
    "type Problem = operations['core.customer.get']['responses']['4XX']['content']['application/problem+json'];",
    "type Deal = operations['sales.deal.get']['responses'][200]['content']['application/json'];",
    "export const name = (c: Created): string => c.name;",
    "export const code = (p: Problem): string | undefined => p.code;",
    "export const amount = (d: Deal): number => d.amount;",
  ].join('\n'));
  const program = ts.createProgram([path.join(dir, 'client.ts')], { strict: true, noEmit: true, skipLibCheck: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, types: [] });
  const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  t.same(errors, [], 'the generated types compile and name every operation');
  t.comment(`openapi-typescript: ${generated.length} characters of types`);
});

t.test('the conventions the transform and the route rules give every operation', async (t) => {
  const ids = operations.map(({ op }) => op.operationId);
  t.equal(new Set(ids).size, operations.length, 'every operationId unique');
  for (const { label, method, op } of operations) {
    t.match(op.operationId, /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*){2,}$/, `${label}: operationId plugin.resource.action`);
    t.ok(op.description, `${label}: described`);
    for (const [code, response] of Object.entries(op.responses)) {
      // A page for people (the email unsubscribe link) may answer its errors as a page too, beside problem+json.
      if (/^[45]/.test(code) && response.content) t.same(Object.keys(response.content).filter((type) => type !== 'text/html'), ['application/problem+json'], `${label} ${code}: problem+json`);
    }
    t.ok(Object.keys(op.responses).some((code) => code.startsWith('5')), `${label}: a 5xx problem declared`);
    if (method === 'patch' && label.match(/\{id\}$/) && !label.includes('/webhooks/')) {
      t.ok(op.parameters?.some((param) => param.in === 'header' && param.name === 'If-Match'), `${label}: If-Match declared`);
    }
  }
  const declared = new Set(doc.tags?.map((tag) => tag.name));
  t.same(operations.flatMap(({ op }) => op.tags ?? []).filter((tag) => !declared.has(tag)), [], 'every tag listed globally');
  t.same(doc.tags?.filter((tag) => !tag.description).map((tag) => tag.name), [], 'every tag described (the plugin locale, openapi.tags.<tag>)');
  const bundle = doc.paths['/widgets/peyvand.js']!.get!;
  t.same(Object.keys(bundle.responses['200']!.content!), ['text/javascript'], 'the widget bundle is declared as JavaScript');
  t.ok(bundle.parameters?.some((param) => param.name === 'If-None-Match') && bundle.responses['304'], 'and its If-None-Match / 304');
  t.same(Object.keys(doc.paths['/examples/erp-host/']!.get!.responses['200']!.content!), ['text/html'], 'the demo page is declared as HTML');
  t.ok(operations.filter(({ label }) => label.includes('/examples/') || label === 'GET /').every(({ op }) => op.tags?.includes('demo')), 'demo-only routes tagged demo');
});
