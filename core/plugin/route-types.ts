/**
 * Route types come from the route schemas. A route declares its body, query, params and
 * headers as plain JSON Schema objects written `as const`; ajv validates with them,
 * fast-json-stringify serializes with them, the OpenAPI document shows them, and
 * `json-schema-to-ts` derives the TypeScript type from the very same object, so the
 * validated shape and the handler's type cannot drift apart.
 *
 * Plain JSON Schema (not TypeBox) stays the one source: the schemas already exist, the
 * OpenAPI document and the shared helpers (`pageQuery`, `idParams`, …) keep working as
 * they are, and a plugin author writes the schema every fastify guide shows.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyTypeProvider, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

/**
 * How a schema becomes a type. Each option is chosen for what ajv does at run time, and
 * for tsc time (the parsing of `not` and `if/then/else` is costly and adds little):
 * - `keepDefaultedPropertiesOptional: false` — ajv applies defaults (`useDefaults`), so a
 *   handler sees a property with a `default` (a list's `limit`) as present;
 * - `parseNotKeyword`, `parseIfThenElseKeywords: false` — `not` and `if/then` refine a
 *   shape (a lost deal needs a reason) that ajv checks; the type keeps the wider shape;
 * - `references: false` — route schemas are inline objects, not `$ref`s;
 * - `deserialize` — one rule: a string with the pattern of {@link customFieldPathSchema}
 *   is typed `customFields.${string}`, which a pattern alone cannot say.
 */
export interface SchemaTypeOptions {
  parseNotKeyword: false;
  parseIfThenElseKeywords: false;
  keepDefaultedPropertiesOptional: false;
  references: false;
  deserialize: [{ pattern: typeof customFieldPathSchema; output: `customFields.${string}` }];
}

/**
 * A custom field named by its path, `customFields.<key>` (an ERP push field, an ownership
 * rule); {@link SchemaType} types it as the template literal `customFields.${string}`.
 */
export const customFieldPathSchema = { type: 'string', pattern: '^customFields\\.[A-Za-z0-9_]{1,64}$' } as const;

/**
 * The TypeScript type of data that passed validation against schema `S` — what a handler
 * or a service receives. Declare the schema `as const`, then name the type from it:
 *
 * ```ts
 * export const claimInputSchema = { type: 'object', additionalProperties: false, required: ['title'], properties: { title: lineString(300, 1) } } as const;
 * export type ClaimInput = SchemaType<typeof claimInputSchema>; // { title: string }
 * ```
 */
export type SchemaType<S extends JSONSchema> = FromSchema<S, SchemaTypeOptions>;

/**
 * The fastify type provider of Peyvand routes: a route's `schema.body`, `querystring`,
 * `params` and `headers` type `request.body`, `request.query`, … with no generic
 * argument. Responses are not typed from their schemas (handlers return the services'
 * DTOs; fast-json-stringify still shapes what is sent).
 */
export interface PeyvandTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends JSONSchema ? SchemaType<this['schema']> : unknown;
  serializer: unknown;
}

/**
 * The fastify scope a plugin's `routes` receive, already prefixed `/api/v1/<name>`, typed
 * by {@link PeyvandTypeProvider}: type a route module's parameter with it, so a plugin
 * needs no import of fastify of its own and its handlers are typed by their schemas.
 */
export type PluginApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, PeyvandTypeProvider>;
