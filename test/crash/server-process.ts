/**
 * Peyvand as a child process, the way an operator runs it
 * (`node --import tsx core/cli/main.ts serve`, configured by environment), plus a
 * minimal HTTP client whose failures tell "no answer" apart from an answer.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** A running `peyvand serve`. */
export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** SIGKILL: no shutdown code runs, as when the machine or the OOM killer takes it. */
  kill(): Promise<void>;
  /** SIGTERM: graceful shutdown. */
  stop(): Promise<void>;
}

/** Starts the server on a free port and resolves once it listens. */
export function startServer(env: NodeJS.ProcessEnv, cwd: string, timeoutMs = 60_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', 'serve'], {
    cwd,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: process.env.CRASH_LOG_LEVEL ?? 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not listen within ${timeoutMs} ms:\n${output.slice(-2000)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /https?:\/\/127\.0\.0\.1:\d+/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stdout!.resume(); // keep draining: a full pipe would block the server
        resolve({ url: match[0], child, kill: () => stopWith('SIGKILL'), stop: () => stopWith('SIGTERM') });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (process.env.CRASH_LOG_LEVEL) process.stderr.write(chunk);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before listening:\n${output.slice(-2000)}`));
    });
  });
}

/** An answer from the server. */
export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** One request; rejects when no answer arrived (refused, reset, timed out). */
export async function api(base: string, token: string, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
