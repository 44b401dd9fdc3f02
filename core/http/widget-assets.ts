/**
 * The widget build as Peyvand serves it: `scripts/build-widgets.ts` writes the entry
 * `dist/widgets/peyvand.<hash>.js`, its chunks (`shared.<hash>.js`, one
 * `plugin.<name>.<hash>.js` per plugin that ships widgets), their source maps and
 * `manifest.json`; this reads them once (and again after a rebuild replaced the manifest)
 * and keeps a gzip copy of each script.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { packageRoot } from '../paths.js';

/** One built file, as the manifest lists it. */
export interface WidgetFile {
  /** The versioned file name (`peyvand.<hash>.js`, `shared.<hash>.js`, `plugin.<name>.<hash>.js`). */
  file: string;
  /** `<file>.map`. */
  sourceMap: string;
  /** Subresource integrity of the file (`sha384-…`), for hosts that pin versioned URLs. */
  integrity: string;
  /** Size in bytes, and gzipped. */
  bytes: number;
  gzipBytes: number;
}

/** A chunk the entry loads: code it shares with plugin chunks, or one plugin's widgets. */
export interface WidgetChunk extends WidgetFile {
  /** `shared`: imported by the entry at once; `plugin`: loaded when one of `tags` first appears. */
  kind: 'shared' | 'plugin';
  /** The plugin whose widgets it holds (null for shared code). */
  plugin: string | null;
  /** The custom element tags it defines (the plugin's declared `widgets`). */
  tags: string[];
}

/** `dist/widgets/manifest.json`: what the build produced. The top-level fields describe the entry. */
export interface WidgetManifest extends WidgetFile {
  /** Every other file of the build, by name. */
  chunks: WidgetChunk[];
}

/** A file ready to send. */
export interface ServedWidgetFile {
  /** The content hash in its name; also the ETag. */
  hash: string;
  type: 'script' | 'sourceMap';
  body: Buffer;
  /** Scripts only. */
  gzip?: Buffer;
}

/** The build in memory. */
export interface WidgetBundle {
  manifest: WidgetManifest;
  /** The entry module (what `/widgets/peyvand.js` answers). */
  entry: ServedWidgetFile;
  /** Every file of the build (entry, chunks, source maps) by its versioned name. */
  files: ReadonlyMap<string, ServedWidgetFile>;
}

/** The manifest's file name inside the widgets folder. */
export const WIDGET_MANIFEST_FILE = 'manifest.json';

/** The names the build gives its scripts; the content hash is the last part before `.js`. */
export const WIDGET_FILE_NAME = /^(?:peyvand|shared|plugin\.[a-z][a-z0-9-]*)\.([A-Za-z0-9_-]{4,64})\.js$/;

/** Where `npm run build` puts the bundle. */
export function defaultWidgetsDir(): string {
  return path.join(packageRoot(), 'dist', 'widgets');
}

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
      if (!manifest.file.startsWith('peyvand.')) return undefined;
      const files = new Map<string, ServedWidgetFile>();
      for (const listed of [manifest, ...(manifest.chunks ?? [])]) {
        const hash = WIDGET_FILE_NAME.exec(listed.file)?.[1];
        // Names come from our own build, but they are joined to a path: accept nothing else.
        if (!hash || listed.sourceMap !== `${listed.file}.map`) return undefined;
        const body = fs.readFileSync(path.join(this.dir, listed.file));
        files.set(listed.file, { hash, type: 'script', body, gzip: gzipSync(body) });
        files.set(listed.sourceMap, { hash, type: 'sourceMap', body: fs.readFileSync(path.join(this.dir, listed.sourceMap)) });
      }
      const bundle = { manifest, entry: files.get(manifest.file)!, files };
      this.cached = { mtimeMs, bundle };
      return bundle;
    } catch {
      // Half-written by a build running right now: the next request reads it again.
      return undefined;
    }
  }
}
