/**
 * Boot-time rules for every route a plugin (or core) registers: a permission, `public`
 * or `admin`; an OpenAPI summary and a stable operationId; response schemas; request
 * schemas that refuse unknown fields. A route breaking a rule stops the boot with a coded
 * error naming the plugin and saying what to add.
 */
import type { FastifySchemaCompiler, RouteOptions } from 'fastify';
import { BootError } from '../plugin/errors.js';
import type { PermissionRegistry } from '../permissions/registry.js';
import { ALL_FIELD_ERRORS_BODY_LIMIT, createValidatorCompiler } from './validation.js';

/**
 * `plugin.resource.action`, kebab-case segments, at least three: `sales.deal.create`,
 * `core.customer.list`. Client generators name their methods after it, so it never changes.
 */
export const OPERATION_ID_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*){2,}$/;
/** First segments core's own routes may use besides `core` (the platform admin API). */
const CORE_OPERATION_PREFIXES = ['core', 'admin'];

/**
 * The onRoute hook enforcing the rules for one plugin's scope. `operationIds` is shared by
 * every scope of one server, so two routes cannot claim the same operationId.
 */
export function routeRules(plugin: string, registry: PermissionRegistry, bodyLimit: number, operationIds: Set<string> = new Set()) {
  let listingCompiler: FastifySchemaCompiler<unknown> | undefined;
  return (route: RouteOptions): void => {
    const methods = [route.method].flat();
    if (methods.every((m) => m === 'HEAD' || m === 'OPTIONS')) return;
    const where = `${methods.join(',')} ${route.url}`;
    const access = route.config ?? {};
    if (!access.public && !access.admin && !access.permission && !access.portal) throw new BootError('ROUTE_WITHOUT_PERMISSION', plugin, `${where} declares no permission (nor public/admin/portal)`);
    if (access.permission && !registry.has(access.permission)) throw new BootError('PERMISSION_UNDECLARED', plugin, `${where} needs "${access.permission}", which no plugin declares`);
    const schema = route.schema as Record<string, unknown> | undefined;
    if (!schema || typeof schema.summary !== 'string' || !schema.summary) throw new BootError('ROUTE_WITHOUT_SCHEMA', plugin, `${where} has no OpenAPI summary`);
    checkOperationId(plugin, where, schema.operationId, operationIds);
    if (!schema.response) throw new BootError('ROUTE_WITHOUT_SCHEMA', plugin, `${where} has no response schema`);
    // A route left out of the OpenAPI document would be left out of every client and of the
    // security suite that attacks what the document lists.
    if (schema.hide) throw new BootError('ROUTE_WITHOUT_SCHEMA', plugin, `${where} is hidden from the OpenAPI document`);
    if (route.url.includes(':') && !schema.params) throw new BootError('ROUTE_WITHOUT_SCHEMA', plugin, `${where} has path parameters but no params schema`);
    if (methods.some((m) => m === 'POST' || m === 'PUT' || m === 'PATCH') && !schema.body && !(route.config as { bodyless?: boolean } | undefined)?.bodyless) {
      throw new BootError('ROUTE_WITHOUT_SCHEMA', plugin, `${where} accepts a body but has no body schema (set config.bodyless for action routes)`);
    }
    for (const part of ['body', 'querystring', 'params'] as const) {
      const s = schema[part] as { type?: unknown; properties?: unknown; additionalProperties?: unknown } | undefined;
      // An object schema spelled without `type` (just `properties`) is as open as one with it.
      const isObject = s !== undefined && (s.type === 'object' || (Array.isArray(s.type) && s.type.includes('object')) || (s.type === undefined && s.properties !== undefined));
      if (isObject && s.additionalProperties !== false) throw new BootError('ROUTE_WITHOUT_SCHEMA', plugin, `${where} ${part} schema must set additionalProperties: false`);
    }
    route.bodyLimit ??= bodyLimit;
    // Field labels of validation messages are looked up in the plugin's namespace first.
    route.config = { ...access, labelNamespace: plugin };
    if (access.allFieldErrors) {
      // Every field error at once, on a body small enough that checking all of it is cheap (see validation.ts).
      route.validatorCompiler = listingCompiler ??= createValidatorCompiler({ allErrors: true });
      route.bodyLimit = Math.min(route.bodyLimit, ALL_FIELD_ERRORS_BODY_LIMIT);
    }
  };
}

function checkOperationId(plugin: string, where: string, operationId: unknown, seen: Set<string>): void {
  const prefixes = plugin === 'core' ? CORE_OPERATION_PREFIXES : [plugin];
  const example = `${prefixes[0]}.<resource>.<action>`;
  if (typeof operationId !== 'string' || !operationId) {
    throw new BootError('ROUTE_WITHOUT_OPERATION_ID', plugin, `${where} has no operationId: add schema.operationId: '${example}' (e.g. '${prefixes[0]}.order.create'; stable and unique, client generators name their methods after it)`);
  }
  if (!OPERATION_ID_PATTERN.test(operationId) || !prefixes.includes(operationId.split('.')[0]!)) {
    throw new BootError('ROUTE_WITHOUT_OPERATION_ID', plugin, `${where} has operationId "${operationId}": it must read '${example}' (lower-case kebab-case segments starting with ${prefixes.map((p) => `"${p}."`).join(' or ')})`);
  }
  if (seen.has(operationId)) throw new BootError('ROUTE_WITHOUT_OPERATION_ID', plugin, `${where} reuses operationId "${operationId}" of another route: each operation needs its own`);
  seen.add(operationId);
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** An action route (`POST …/won`) that takes no body. */
    bodyless?: boolean;
    /**
     * A form people fill in: a refused body lists every field error at once, not only the
     * first. The body limit drops to 64 KiB, which keeps checking all of it cheap.
     */
    allFieldErrors?: boolean;
    /** The i18n namespace whose `fields.<name>` label a validation message names (set at boot). */
    labelNamespace?: string;
  }
}
