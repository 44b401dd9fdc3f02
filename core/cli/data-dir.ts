/**
 * Files `peyvand start` keeps in the data directory so a fresh machine needs no setup:
 * `secret`, `admin-key`, `demo-api-key`, `demo-embed-secret`. Each holds one value,
 * is created with mode 0600 and read back on the next start.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { generateSecret } from '../auth/secret-box.js';

/** File names inside the data directory. */
export const DATA_FILES = {
  secret: 'secret',
  adminKey: 'admin-key',
  demoApiKey: 'demo-api-key',
  demoEmbedSecret: 'demo-embed-secret',
} as const;

/** Prefix of generated platform admin keys. */
export const ADMIN_KEY_PREFIX = 'pva_';

/** A new platform admin key, `pva_<43 base64url chars>`. */
export function generateAdminKey(): string {
  return `${ADMIN_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** Creates the data directory (0700 when new). */
export function ensureDataDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** The trimmed content of a data file, or undefined when it does not exist or is empty. */
export function readDataFile(dir: string, name: string): string | undefined {
  try {
    const text = fs.readFileSync(path.join(dir, name), 'utf8').trim();
    return text === '' ? undefined : text;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes (or replaces) a data file readable by the owner only. */
export function writeDataFile(dir: string, name: string, value: string): string {
  ensureDataDir(dir);
  const file = path.join(dir, name);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  // Write aside and rename: a crash never leaves a half-written key behind.
  fs.writeFileSync(tmp, `${value}\n`, { mode: 0o600, flag: 'wx' });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
  return file;
}

/**
 * The value of a data file, generated and stored (0600) when missing. Creation is
 * exclusive, so two processes starting at once agree on one value.
 */
export function readOrCreateDataFile(dir: string, name: string, generate: () => string): { value: string; created: boolean; file: string } {
  const file = path.join(dir, name);
  const existing = readDataFile(dir, name);
  if (existing !== undefined) return { value: existing, created: false, file };
  ensureDataDir(dir);
  const value = generate();
  try {
    fs.writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
    fs.chmodSync(file, 0o600);
    return { value, created: true, file };
  } catch (err) {
    // Another process created it first (or an empty file was left behind).
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const raced = readDataFile(dir, name);
    if (raced !== undefined) return { value: raced, created: false, file };
    writeDataFile(dir, name, value);
    return { value, created: true, file };
  }
}

/** Whether group or others can read a file (a stored key should be 0600). */
export function isExposed(file: string): boolean {
  try {
    return (fs.statSync(file).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}

/** `PEYVAND_SECRET` from the data directory, generated on first use. */
export function readOrCreateSecret(dir: string): { value: string; created: boolean; file: string } {
  return readOrCreateDataFile(dir, DATA_FILES.secret, generateSecret);
}
