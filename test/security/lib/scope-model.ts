/**
 * Who may see a record, by the architecture's rule: another tenant never; within the
 * tenant, the actor's record scope for the resource (`own`: the owner is the caller;
 * `team`: or the record's team is one of the caller's; `all`). The owner is read from the
 * record (`ownerId`, or `assigneeId` for tasks); the team from the record (`teamId`) or,
 * when the API does not show it, from the team of whoever created it (core's rule).
 */
import type { SecurityActor } from './world.js';
import { resourceOf } from './openapi.js';
import type { KnownRecord } from './pool.js';

/** The owner a record shows, `null` when it has none, `undefined` when the shape has no owner field. */
export function ownerOf(record: Record<string, unknown>): string | null | undefined {
  for (const field of ['ownerId', 'assigneeId']) {
    if (field in record) return typeof record[field] === 'string' ? (record[field] as string) : null;
  }
  return undefined;
}

/**
 * Whether `actor` may see `record` (true/false), or undefined when the model cannot tell
 * (a scoped record whose owner or team is unknown). `shown` is the record as some
 * response showed it (for its owner and team fields); `ownerKnown` says an absent owner
 * field means "no owner" (a full record) rather than "not shown".
 */
export function maySee(actor: SecurityActor, record: KnownRecord, shown: Record<string, unknown> | undefined, ownerKnown: boolean): boolean | undefined {
  if (record.tenantId !== actor.tenantId) return false;
  const scope = actor.scopes[resourceOf(record.collection)];
  if (scope === undefined || scope === 'all') return true;
  const owner = shown ? ownerOf(shown) : undefined;
  if (owner === undefined && !ownerKnown) return undefined;
  if (owner && owner === actor.subject) return true;
  if (scope === 'own' || actor.teams.length === 0) return false;
  const team = shown && 'teamId' in shown ? (typeof shown.teamId === 'string' ? shown.teamId : null) : record.team;
  if (team === undefined) return undefined;
  return team !== null && actor.teams.includes(team);
}

/** Every object with a string `id` anywhere in a JSON value. */
export function objectsWithIds(value: unknown, out: Array<Record<string, unknown> & { id: string }> = []): Array<Record<string, unknown> & { id: string }> {
  if (Array.isArray(value)) for (const v of value) objectsWithIds(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.id === 'string') out.push(o as Record<string, unknown> & { id: string });
    for (const v of Object.values(o)) objectsWithIds(v, out);
  }
  return out;
}

/**
 * A problem body made comparable across two requests that differ only in ids: the
 * request id dropped, each given id replaced by `<id>` wherever it appears.
 */
export function comparable(body: string, ids: readonly string[], since?: number): unknown {
  let text = body;
  for (const id of ids) text = text.split(id).join('<id>');
  // A record created by this very call (a PUT that creates by a client-chosen key) carries
  // the moment of its creation; two calls a millisecond apart differ only there. Times from
  // before the call (an existing record's) are kept: they would tell a hidden record apart.
  if (since !== undefined) text = text.replace(/"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)"/g, (whole, iso: string) => (Date.parse(iso) >= since ? '"<now>"' : whole));
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    delete parsed.requestId;
    return parsed;
  } catch {
    return text;
  }
}
