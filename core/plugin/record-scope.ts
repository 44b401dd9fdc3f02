/**
 * Record scope compiled into SQL. A role sees `own` records (owner is the caller),
 * `team` records (owned by the caller or assigned to one of the caller's teams) or
 * `all`. The condition is part of the query, never a filter after loading.
 */
import type { Knex } from 'knex';
import type { Actor } from './actor.js';

/** Column names of an owned table. */
export interface OwnerColumns {
  owner: string;
  team: string;
}

/** Adds the actor's record scope for `resource` to a query. */
export function applyRecordScope<Q extends Knex.QueryBuilder>(query: Q, actor: Actor, resource: string, columns: OwnerColumns = { owner: 'owner_id', team: 'team_id' }): Q {
  const scope = actor.scopes[resource] ?? 'all';
  if (scope === 'all') return query;
  if (scope === 'own' || actor.teams.length === 0) return query.where(columns.owner, actor.subject) as Q;
  return query.where((q) => q.where(columns.owner, actor.subject).orWhereIn(columns.team, actor.teams)) as Q;
}

/**
 * Adds the actor's record scope for `resource` to a join condition, for a LEFT JOIN that
 * brings along a related record the actor may or may not see (a deal's customer name):
 * one outside the scope joins as NULL, exactly like a missing one.
 */
export function applyRecordScopeToJoin(join: Knex.JoinClause, actor: Actor, resource: string, columns: OwnerColumns): Knex.JoinClause {
  const scope = actor.scopes[resource] ?? 'all';
  if (scope === 'all') return join;
  if (scope === 'own' || actor.teams.length === 0) return join.andOnVal(columns.owner, '=', actor.subject);
  return join.andOn((j) => j.onVal(columns.owner, '=', actor.subject).orOnIn(columns.team, actor.teams));
}

/**
 * The actor's record scope for `resource` as SQL text to append after a WHERE clause
 * (` and …`, empty for `all`) and its parameters: for prepared statements on hot paths,
 * the same condition {@link applyRecordScope} adds to a query builder.
 */
export function recordScopeSql(actor: Actor, resource: string, columns: OwnerColumns = { owner: 'owner_id', team: 'team_id' }): { sql: string; params: string[] } {
  const scope = actor.scopes[resource] ?? 'all';
  if (scope === 'all') return { sql: '', params: [] };
  if (scope === 'own' || actor.teams.length === 0) return { sql: ` and "${columns.owner}" = ?`, params: [actor.subject] };
  return { sql: ` and ("${columns.owner}" = ? or "${columns.team}" in (${actor.teams.map(() => '?').join(', ')}))`, params: [actor.subject, ...actor.teams] };
}
