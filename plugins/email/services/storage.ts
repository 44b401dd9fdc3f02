/**
 * Where attachment bodies and quarantined raw mail live. The interface is what an S3-like
 * store implements (put/get/delete by an opaque key); the default keeps files under the
 * plugin's `storageDir`, one folder per tenant.
 */
import fs from 'node:fs';
import path from 'node:path';
import { newId } from '../../../core/plugin/index.js';

/** A blob store keyed by opaque keys it hands out. */
export interface BlobStorage {
  /** Stores the bytes and returns their key. */
  put(tenantId: string, bytes: Buffer): Promise<string>;
  /** The bytes of a key, or null when gone. */
  get(key: string): Promise<Buffer | null>;
  delete(key: string): Promise<void>;
}

/** Files under one folder: `<dir>/<tenantId>/<uuid>`. */
export class FileStorage implements BlobStorage {
  constructor(private readonly dir: string) {}

  async put(tenantId: string, bytes: Buffer): Promise<string> {
    const key = `${tenantId}/${newId()}`;
    const file = this.file(key);
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    // Written to a temporary name and renamed: a crash never leaves a half file under a key.
    await fs.promises.writeFile(`${file}.part`, bytes);
    await fs.promises.rename(`${file}.part`, file);
    return key;
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await fs.promises.readFile(this.file(key));
    } catch {
      return null;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.promises.rm(this.file(key), { force: true });
  }

  private file(key: string): string {
    // Keys are ours (`<uuid>/<uuid>`); anything else never reaches the disk.
    if (!/^[0-9a-f-]{36}\/[0-9a-f-]{36}$/.test(key)) throw new Error('invalid storage key');
    return path.join(this.dir, key);
  }
}
