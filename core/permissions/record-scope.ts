/**
 * Record scope compiled into SQL. A role sees `own` records (owner is the caller),
 * `team` records (owned by the caller or assigned to one of the caller's teams) or
 * `all`. The condition is part of the query, never a filter after loading.
 */
import type { Knex } from 'knex';
import type { Actor } from '../auth/actor.js';

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
