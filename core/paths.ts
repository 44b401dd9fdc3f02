/** Locations inside the installed package (works from source and from dist/). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The folder holding Peyvand's package.json. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) || JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name !== 'peyvand') {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the peyvand package root');
    dir = parent;
  }
  cached = dir;
  return dir;
}
