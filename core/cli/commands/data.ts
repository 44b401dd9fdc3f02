/**
 * `peyvand import` and `peyvand export`: the API's imports and exports from the command
 * line, as the platform (`system:cli`, every permission) in one tenant. An import runs in
 * this process through the same worker (batches, resumable, audited with the import id)
 * and shows its progress on stderr: a bar with rows/s and ETA on a terminal, plain lines
 * otherwise (logs, CI).
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { systemActor, type Actor } from '../../plugin/actor.js';
import { coreError } from '../../plugin/errors.js';
import type { ImportDto } from '../../imports/import-service.js';
import type { Kernel } from '../../kernel/kernel.js';
import { EXIT, UsageError, type CliContext } from './context.js';

/** `peyvand import <file> --tenant <slug> --entity <entity> [--dry-run] [--format csv|xlsx] [--mapping <json>] [--charset <name>]`. */
export async function importCommand(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = ctx.parse('import', args, { tenant: { type: 'string' }, entity: { type: 'string' }, 'dry-run': { type: 'boolean' }, format: { type: 'string' }, mapping: { type: 'string' }, charset: { type: 'string' } }, 1);
  if (values.help) return help(ctx, 'import');
  const file = positionals[0];
  if (file === undefined) throw new UsageError('usage.missingArgument', { name: 'file', command: 'import' });
  if (!values.tenant) throw new UsageError('usage.missingOption', { option: '--tenant', command: 'import' });
  if (!values.entity) throw new UsageError('usage.missingOption', { option: '--entity', command: 'import' });
  const format = values.format ?? (file.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv');
  if (format !== 'csv' && format !== 'xlsx') throw new UsageError('usage.generic', { message: `--format must be csv or xlsx, not "${format}".`, command: 'import' });
  let mapping: Record<string, string> | undefined;
  try {
    mapping = values.mapping === undefined ? undefined : (JSON.parse(values.mapping) as Record<string, string>);
  } catch {
    throw new UsageError('usage.generic', { message: '--mapping must be a JSON object.', command: 'import' });
  }
  const location = path.resolve(ctx.io.cwd, file);
  if (!fs.existsSync(location)) throw new UsageError('usage.generic', { message: `${file}: no such file.`, command: 'import' });
  const { size } = fs.statSync(location);
  return ctx.withKernel({ migrate: true }, async (kernel) => {
    const actor = await cliActor(kernel, values.tenant!);
    const job = await kernel.imports.start(actor, { entity: values.entity!, format, dryRun: values['dry-run'] ?? false, ...(mapping && { mapping }), ...(values.charset && { charset: values.charset }) }, fs.createReadStream(location));
    const total = format === 'csv' ? await countLines(location) : undefined;
    const progress = new Progress(ctx, total, size);
    let done = job;
    const work = (async () => {
      while (!['succeeded', 'failed', 'undone'].includes((done = await kernel.imports.get(actor, job.id)).status)) await kernel.importWorker.runOnce();
    })();
    const ticker = setInterval(() => void kernel.imports.get(actor, job.id).then((j) => progress.show(j)).catch(() => undefined), 500);
    try {
      await work;
    } finally {
      clearInterval(ticker);
    }
    progress.finish(done);
    ctx.out(ctx.t('import.done', { id: done.id, status: done.status, rows: done.rowsRead, created: done.created, updated: done.updated, unchanged: done.unchanged, failed: done.failed }));
    if (done.failed > 0) ctx.err(ctx.t('import.errorsAt', { id: done.id }));
    return done.status === 'succeeded' ? EXIT.ok : EXIT.runtime;
  });
}

/** `peyvand export <entity> --tenant <slug> [--format csv|xlsx] [--calendar gregorian|persian] [--out <file>]`. */
export async function exportCommand(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = ctx.parse('export', args, { tenant: { type: 'string' }, format: { type: 'string' }, calendar: { type: 'string' }, out: { type: 'string' } }, 1);
  if (values.help) return help(ctx, 'export');
  const entity = positionals[0];
  if (entity === undefined) throw new UsageError('usage.missingArgument', { name: 'entity', command: 'export' });
  if (!values.tenant) throw new UsageError('usage.missingOption', { option: '--tenant', command: 'export' });
  const format = values.format ?? (values.out?.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv');
  if (format !== 'csv' && format !== 'xlsx') throw new UsageError('usage.generic', { message: `--format must be csv or xlsx, not "${format}".`, command: 'export' });
  const calendar = values.calendar ?? 'gregorian';
  if (calendar !== 'gregorian' && calendar !== 'persian') throw new UsageError('usage.generic', { message: `--calendar must be gregorian or persian, not "${calendar}".`, command: 'export' });
  if (format === 'xlsx' && !values.out) throw new UsageError('usage.missingOption', { option: '--out', command: 'export' });
  return ctx.withKernel({ migrate: false }, async (kernel) => {
    const stream = await kernel.exports.open(await cliActor(kernel, values.tenant!), entity, format, calendar);
    if (values.out) await pipeline(stream, fs.createWriteStream(path.resolve(ctx.io.cwd, values.out)));
    else for await (const chunk of stream) ctx.io.stdout(String(chunk));
    return EXIT.ok;
  });
}

async function cliActor(kernel: Kernel, slug: string): Promise<Actor> {
  const tenant = await kernel.tenants.findBySlug(slug);
  if (!tenant) throw coreError('TENANT_NOT_FOUND', { slug });
  return systemActor(tenant, 'cli', kernel.registry.list().map((p) => p.name));
}

/** Data rows of a CSV, counted by line breaks (an estimate: a quoted field may hold one). */
async function countLines(file: string): Promise<number> {
  let lines = 0;
  let last = 10;
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    for (const byte of chunk) if (byte === 10) lines++;
    if (chunk.length) last = chunk[chunk.length - 1]!;
  }
  // The last line counts without a line break after it; the header does not count.
  return Math.max(0, lines + (last === 10 ? 0 : 1) - 1);
}

/** Progress on stderr: a redrawn bar on a terminal, a line per ~5 seconds otherwise. */
class Progress {
  private readonly started = Date.now();
  private lastLine = 0;

  constructor(
    private readonly ctx: CliContext,
    private readonly total: number | undefined,
    private readonly bytes: number,
  ) {}

  show(job: ImportDto): void {
    const seconds = Math.max(0.001, (Date.now() - this.started) / 1000);
    const rate = Math.round(job.rowsRead / seconds);
    const eta = this.total && rate > 0 ? Math.max(0, Math.round((this.total - job.rowsRead) / rate)) : undefined;
    const params = { rows: job.rowsRead, total: this.total ?? '?', rate, eta: eta === undefined ? '?' : clock(eta), failed: job.failed, mb: (this.bytes / 1048576).toFixed(1) };
    if (this.ctx.io.interactive) {
      const share = this.total ? Math.min(1, job.rowsRead / this.total) : 0;
      const bar = '█'.repeat(Math.round(share * 24)).padEnd(24, '░');
      this.ctx.io.stderr(`\r${bar} ${this.ctx.t('import.progress', params)}   `);
    } else if (Date.now() - this.lastLine >= 5000) {
      this.lastLine = Date.now();
      this.ctx.err(this.ctx.t('import.progress', params));
    }
  }

  finish(job: ImportDto): void {
    this.lastLine = 0;
    this.show(job);
    if (this.ctx.io.interactive) this.ctx.io.stderr('\n');
  }
}

function clock(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

function help(ctx: CliContext, command: string): number {
  ctx.out(ctx.t(`help.${command}`));
  return EXIT.ok;
}
