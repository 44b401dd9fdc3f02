/**
 * The shapes of Peyvand's API responses the widgets read, named by operation: each is the
 * type openapi-typescript derives from the route's own schema in the served OpenAPI
 * document (`openapi.generated.ts`, written by `npm run gen:api-types`, which
 * `npm run typecheck` runs). No shape is written twice: a route schema that drops a field
 * a widget reads fails the widgets' typecheck.
 */
import type { operations } from './openapi.generated.js';

/** Every operation of the built-in API, by `operationId`. */
export type OperationId = keyof operations;

/**
 * The JSON body `Id` answers with on `Status` (200 by default). `unknown` (not `never`) when
 * there is none, so a widget that reads a field of it fails to compile instead of passing.
 */
export type ResponseOf<Id extends OperationId, Status extends keyof operations[Id]['responses'] = 200 & keyof operations[Id]['responses']> =
  operations[Id]['responses'][Status] extends { content: { 'application/json': infer Body } } ? Body : unknown;

/** The JSON body `Id` takes. */
export type RequestOf<Id extends OperationId> = NonNullable<operations[Id]['requestBody']> extends { content: { 'application/json': infer Body } } ? Body : unknown;

/** One item of a paged list operation's `items`. */
export type ItemOf<Id extends OperationId> = ResponseOf<Id> extends { items: Array<infer Item> } ? Item : unknown;

/** A customer (`GET /customers/{id}`). */
export type Customer = ResponseOf<'core.customer.get'>;

/** A page of a list. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Interaction channels of the timeline. */
export const TIMELINE_CHANNELS = ['email', 'phone', 'sms', 'chat', 'web', 'social', 'in_person', 'erp', 'note'] as const satisfies ReadonlyArray<TimelineEntry['channel']>;
/** A timeline channel. */
export type TimelineChannel = (typeof TIMELINE_CHANNELS)[number];

/** A timeline entry (`GET /customers/{id}/timeline`). */
export type TimelineEntry = ItemOf<'core.timeline.list'>;
