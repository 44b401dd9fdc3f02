/**
 * The widget bundle as Peyvand serves it: `scripts/build-widgets.ts` writes
 * `dist/widgets/peyvand.<hash>.js`, its source map and `manifest.json`; this reads them
 * once (and again after a rebuild replaced the manifest) and keeps a gzip copy.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { packageRoot } from '../paths.js';

/** `dist/widgets/manifest.json`: what the build produced. */
export interface WidgetManifest {
  /** `peyvand.<hash>.js`, the versioned file name. */
  file: string;
  /** `peyvand.<hash>.js.map`. */
  sourceMap: string;
  /** Subresource integrity of the file (`sha384-…`), for hosts that pin the versioned URL. */
  integrity: string;
  /** Size in bytes, and gzipped. */
  bytes: number;
  gzipBytes: number;
}

/** The bundle in memory. */
export interface WidgetBundle {
  manifest: WidgetManifest;
  /** The content hash in the file name; also the ETag. */
  hash: string;
  js: Buffer;
  gzip: Buffer;
  map: Buffer;
}

/** The manifest's file name inside the widgets folder. */
export const WIDGET_MANIFEST_FILE = 'manifest.json';

/** Where `npm run build` puts the bundle. */
export function defaultWidgetsDir(): string {
  return path.join(packageRoot(), 'dist', 'widgets');
}

const BUNDLE_NAME = /^peyvand\.([A-Za-z0-9_-]{4,64})\.js$/;

/** Reads the built bundle lazily; `undefined` while there is none. */
export class WidgetAssets {
  private cached: { mtimeMs: number; bundle: WidgetBundle } | undefined;

  constructor(readonly dir: string = defaultWidgetsDir()) {}

  current(): WidgetBundle | undefined {
    const manifestFile = path.join(this.dir, WIDGET_MANIFEST_FILE);
    let mtimeMs: number;
    try {
      mtimeMs = fs.statSync(manifestFile).mtimeMs;
    } catch {
      return undefined;
    }
    if (this.cached?.mtimeMs === mtimeMs) return this.cached.bundle;
    try {
      const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as WidgetManifest;
      const hash = BUNDLE_NAME.exec(manifest.file)?.[1];
      // Names come from our own build, but they are joined to a path: accept nothing else.
      if (!hash || manifest.sourceMap !== `${manifest.file}.map`) return undefined;
      const js = fs.readFileSync(path.join(this.dir, manifest.file));
      const bundle = { manifest, hash, js, gzip: gzipSync(js), map: fs.readFileSync(path.join(this.dir, manifest.sourceMap)) };
      this.cached = { mtimeMs, bundle };
      return bundle;
    } catch {
      // Half-written by a build running right now: the next request reads it again.
      return undefined;
    }
  }
}
