/**
 * Child processes of the benchmark. The server under test, the load generator and the
 * bulk importers each run in their own process, so the load never shares a heap or an
 * event loop with what it measures, and a server's RSS is its own.
 *
 * Workers run compiled, as Peyvand is deployed (`npm start` runs tsc's output), not under
 * tsx: tsx's transpiler and the source maps it keeps add about 50 MB to a process's RSS
 * (measured: 92 vs 141 MB before anything is imported, 196 vs 245 MB after importing
 * 200,000 customers), which the memory scenario would report as Peyvand's.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
/**
 * Where `bench/tsconfig.json` compiles the tree (core, plugins, adapters and bench): inside
 * node_modules, so packages resolve from it as from the sources, and no linter, test glob
 * or git status sees it. One folder per checkout: worktrees often share one node_modules,
 * and `cpu-per-request.ts --other=<tree>` runs two trees' servers side by side.
 */
const buildDir = path.join(root, 'node_modules', '.cache', 'peyvand-bench', createHash('sha256').update(root).digest('hex').slice(0, 12));
let built = false;

/**
 * Compiles the tree once per run (tsc, incremental: a few seconds when little changed), so
 * every worker runs the sources as they are now.
 */
function buildWorkers(): void {
  if (built) return;
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(here, 'tsconfig.json'), '--outDir', buildDir, '--tsBuildInfoFile', path.join(buildDir, 'tsbuildinfo')], { stdio: 'inherit' });
  built = true;
}

/** A message between the runner and a worker: `type` plus a payload. */
export interface Message {
  type: string;
  [key: string]: unknown;
}

/** A running worker with request/response over IPC. */
export interface Worker {
  child: ChildProcess;
  /** Resolves with the next message of `type` (rejects if the worker dies first). */
  next<T extends Message>(type: string): Promise<T>;
  send(message: Message): void;
  /** Asks the worker to stop, then kills it if it does not exit within 10 s. */
  stop(): Promise<void>;
}

/**
 * Starts `bench/workers/<name>.ts`, compiled, and sends it `options` (over IPC: a list of
 * 10,000 paths does not fit in argv). stdout and stderr are inherited so a failing
 * worker explains itself. With `cpuProfileDir` the worker runs under `node --cpu-prof`
 * (the profile is written when it stops).
 */
export function startWorker(name: string, options: unknown, run: { cpuProfileDir?: string } = {}): Worker {
  buildWorkers();
  const script = path.join(buildDir, 'bench', 'workers', `${name}.js`);
  if (!fs.existsSync(script)) throw new Error(`no compiled worker ${script}`);
  const child = fork(script, [], {
    // --expose-gc changes no collection: it lets the server worker say what of its heap is alive.
    execArgv: ['--expose-gc', ...(run.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${run.cpuProfileDir}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const inbox: Message[] = [];
  const waiting: Array<{ type: string; resolve: (m: Message) => void; reject: (e: Error) => void }> = [];
  let exited: Error | undefined;
  child.on('message', (m: Message) => {
    const i = waiting.findIndex((w) => w.type === m.type);
    if (m.type === 'error') {
      const e = new Error(`${name} worker: ${String(m.message)}`);
      for (const w of waiting.splice(0)) w.reject(e);
      return;
    }
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(m);
    else inbox.push(m);
  });
  const exit = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = new Error(`${name} worker exited (${code ?? signal})`);
      for (const w of waiting.splice(0)) w.reject(exited);
      resolve();
    });
  });
  child.send({ type: 'options', options });
  return {
    child,
    next<T extends Message>(type: string): Promise<T> {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0] as T);
      if (exited) return Promise.reject(exited);
      return new Promise<T>((resolve, reject) => waiting.push({ type, resolve: resolve as (m: Message) => void, reject }));
    },
    send(message) {
      if (child.connected) child.send(message);
    },
    async stop() {
      if (exited) return;
      this.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** Runs a worker that answers one `result` message and exits. */
export async function runWorker<T extends Message>(name: string, options: unknown): Promise<T> {
  const worker = startWorker(name, options);
  try {
    return await worker.next<T>('result');
  } finally {
    await worker.stop();
  }
}

/** Inside a worker: its options, a way to answer, and failures reported to the runner. */
export async function workerContext<O>(): Promise<{ options: O; send(message: Message): void; onStop(fn: () => Promise<void> | void): void }> {
  const options = await new Promise<O>((resolve) => {
    const take = (m: Message) => {
      if (m.type !== 'options') return;
      process.off('message', take);
      resolve(m.options as O);
    };
    process.on('message', take);
  });
  const send = (message: Message) => process.send?.(message);
  process.on('uncaughtException', (err) => {
    send({ type: 'error', message: err.stack ?? String(err) });
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exit(1);
  });
  let stopper: () => Promise<void> | void = () => undefined;
  process.on('message', (m: Message) => {
    if (m.type !== 'stop') return;
    void Promise.resolve(stopper()).finally(() => process.exit(0));
  });
  // The runner went away (Ctrl-C, crash): do not linger as an orphan.
  process.on('disconnect', () => process.exit(0));
  return { options, send, onStop: (fn) => (stopper = fn) };
}
