/**
 * The records a suite has seen, by collection (`/api/v1/customers`), with the tenant they
 * belong to: where generated requests take their ids from. Path parameters draw from the
 * collection the path names; id-like body fields (`customerId`, `from`) from the collection
 * of the resource they are named after, else from any.
 */
import { collectionOf, resourceOf } from './openapi.js';

/** A record as far as the suites know it. */
export interface KnownRecord {
  id: string;
  collection: string;
  tenantId: string;
  /** Team of whoever created it (core's team rule), when created here. */
  team?: string | null;
  /** The record it is nested in (a stage's pipeline). */
  parent?: string;
}

/** Ids by collection; never shrinks (deleted records stay: they must behave as missing). */
export class RecordPool {
  readonly byId = new Map<string, KnownRecord>();
  private readonly byCollection = new Map<string, KnownRecord[]>();

  /** Adds a record unless known; returns the known one. */
  add(record: KnownRecord): KnownRecord {
    const known = this.byId.get(record.id);
    if (known) return known;
    this.byId.set(record.id, record);
    const list = this.byCollection.get(record.collection) ?? [];
    list.push(record);
    this.byCollection.set(record.collection, list);
    return record;
  }

  get size(): number {
    return this.byId.size;
  }

  /**
   * The n-th id (modulo) a parameter or field should draw from; undefined when there is
   * none. `among` narrows the candidates (when some are left); nested records whose parent
   * is in `parents` (ids already chosen for the same request) come first, so a `stageId`
   * belongs to the `pipelineId` beside it.
   */
  pick(name: string, n: number, path: string, options: { among?: (r: KnownRecord) => boolean; parents?: ReadonlySet<string> } = {}): string | undefined {
    let list = this.candidates(name, path);
    const narrowed = options.among ? list.filter(options.among) : list;
    if (narrowed.length) list = narrowed;
    const children = options.parents ? list.filter((r) => r.parent !== undefined && options.parents!.has(r.parent)) : [];
    if (children.length) list = children;
    return list.length ? list[n % list.length]!.id : undefined;
  }

  private candidates(name: string, path: string): KnownRecord[] {
    if (path.includes(`{${name}}`)) return this.byCollection.get(collectionOf(path, name)) ?? this.all();
    const resource = name === 'from' || name === 'fromId' ? resourceOf(collectionOf(path, 'id')) : name.replace(/Ids?$/, '');
    const named = [...this.byCollection].filter(([c]) => resourceOf(c) === resource).flatMap(([, list]) => list);
    return named.length ? named : this.all();
  }

  private all(): KnownRecord[] {
    return [...this.byId.values()];
  }
}

type WithId = Record<string, unknown> & { id: string };
// Peyvand's ids are UUIDs; an `id` of another shape is a foreign system's (`externalRefs[].id`).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const hasId = (v: unknown): v is WithId => !!v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string' && UUID.test((v as { id: string }).id);

/** Records (objects with a string `id`) in a response body: the body itself, or `items`. */
export function recordsIn(body: unknown): WithId[] {
  if (!body || typeof body !== 'object') return [];
  const b = body as Record<string, unknown>;
  if (Array.isArray(b.items)) return b.items.filter(hasId);
  return hasId(b) ? [b] : [];
}

/**
 * Records of a response and the records nested in them (`stages` of a pipeline, registered
 * as the collection `<collection>/{id}/stages`, so a `stageId` field finds them).
 */
export function recordsWithNested(body: unknown, collection: string): Array<{ record: WithId; collection: string; parent?: string }> {
  return recordsIn(body).flatMap((record) => [
    { record, collection },
    ...Object.entries(record).flatMap(([field, v]) => (Array.isArray(v) ? v.filter(hasId).map((nested) => ({ record: nested, collection: `${collection}/{id}/${field}`, parent: record.id })) : [])),
  ]);
}

/**
 * The collection a response's records belong to. A path that can be listed (`GET` exists)
 * is a collection: `POST|GET /x` and `POST /x/{id}/timeline` answer with its records;
 * `/x/{id}` with a record of `/x`; an action (`POST /x/{id}/merge`, no `GET`) with the
 * record it acted on, of `/x`.
 */
export function responseCollection(path: string, listable: ReadonlySet<string>): string {
  if (listable.has(path)) return path;
  const parts = path.split('/');
  const isParam = (p: string | undefined) => p !== undefined && /^\{.+\}$/.test(p);
  if (isParam(parts[parts.length - 1])) return parts.slice(0, -1).join('/');
  if (isParam(parts[parts.length - 2])) return parts.slice(0, -2).join('/');
  return path;
}
