/**
 * The core error catalog. Every error Peyvand raises on purpose has a stable `code`,
 * an HTTP status and an i18n key (`core:errors.<CODE>`) for its localized title.
 * Plugins keep their own catalog and create errors with {@link PeyvandError} too.
 */

/** One entry of an error catalog. */
export interface ErrorSpec {
  /** HTTP status the error maps to when it reaches the HTTP layer. */
  readonly status: number;
  /** i18n key of the localized title, `namespace:key`. */
  readonly i18nKey: string;
}

/** A field-level problem, as in the `errors` array of a problem+json body. */
export interface FieldError {
  /** JSON pointer of the offending value, `/emails/0/value`. */
  path: string;
  /** Message: English fallback, replaced by the translation of `key` when there is one. */
  message: string;
  /** i18n key of the message (`core:validation.required`). */
  key?: string;
  /** Interpolation values for `key`. */
  params?: Record<string, unknown>;
}

/**
 * An expected failure with a stable code. The HTTP layer turns it into
 * `application/problem+json` localized by `Accept-Language`.
 */
export class PeyvandError extends Error {
  readonly code: string;
  readonly status: number;
  readonly i18nKey: string;
  /** Interpolation values for the localized title/detail. */
  readonly params: Record<string, unknown>;
  readonly errors: FieldError[] | undefined;
  /** Extra response headers (e.g. `Retry-After`). */
  readonly headers: Record<string, string>;

  constructor(
    code: string,
    spec: ErrorSpec,
    params: Record<string, unknown> = {},
    options: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(`${code}${Object.keys(params).length ? ' ' + JSON.stringify(params) : ''}`, { cause: options.cause });
    this.name = 'PeyvandError';
    this.code = code;
    this.status = spec.status;
    this.i18nKey = spec.i18nKey;
    this.params = params;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

const spec = (status: number, code: string): ErrorSpec => ({ status, i18nKey: `core:errors.${code}` });

/** Core error codes with their HTTP status. */
export const coreErrors = {
  VALIDATION_FAILED: spec(400, 'VALIDATION_FAILED'),
  BAD_CURSOR: spec(400, 'BAD_CURSOR'),
  MALFORMED_REQUEST: spec(400, 'MALFORMED_REQUEST'),
  NON_ASCII_URL: spec(400, 'NON_ASCII_URL'),
  UNAUTHENTICATED: spec(401, 'UNAUTHENTICATED'),
  INVALID_CREDENTIAL: spec(401, 'INVALID_CREDENTIAL'),
  FORBIDDEN: spec(403, 'FORBIDDEN'),
  DEMO_LOCAL_ONLY: spec(403, 'DEMO_LOCAL_ONLY'),
  ORIGIN_NOT_ALLOWED: spec(403, 'ORIGIN_NOT_ALLOWED'),
  NOT_FOUND: spec(404, 'NOT_FOUND'),
  ROUTE_NOT_FOUND: spec(404, 'ROUTE_NOT_FOUND'),
  PLUGIN_NOT_ENABLED: spec(404, 'PLUGIN_NOT_ENABLED'),
  TENANT_NOT_FOUND: spec(404, 'TENANT_NOT_FOUND'),
  PLUGIN_NOT_FOUND: spec(404, 'PLUGIN_NOT_FOUND'),
  API_KEY_NOT_FOUND: spec(404, 'API_KEY_NOT_FOUND'),
  ROLE_NOT_FOUND: spec(404, 'ROLE_NOT_FOUND'),
  CUSTOMER_NOT_FOUND: spec(404, 'CUSTOMER_NOT_FOUND'),
  WEBHOOK_NOT_FOUND: spec(404, 'WEBHOOK_NOT_FOUND'),
  ORDER_NOT_FOUND: spec(404, 'ORDER_NOT_FOUND'),
  INVOICE_NOT_FOUND: spec(404, 'INVOICE_NOT_FOUND'),
  IMPORT_NOT_FOUND: spec(404, 'IMPORT_NOT_FOUND'),
  EXPORT_NOT_FOUND: spec(404, 'EXPORT_NOT_FOUND'),
  WEBHOOK_DELIVERY_NOT_FOUND: spec(404, 'WEBHOOK_DELIVERY_NOT_FOUND'),
  WIDGETS_NOT_BUILT: spec(404, 'WIDGETS_NOT_BUILT'),
  METHOD_NOT_ALLOWED: spec(405, 'METHOD_NOT_ALLOWED'),
  NOT_ACCEPTABLE: spec(406, 'NOT_ACCEPTABLE'),
  TENANT_EXISTS: spec(409, 'TENANT_EXISTS'),
  IDEMPOTENCY_IN_PROGRESS: spec(409, 'IDEMPOTENCY_IN_PROGRESS'),
  CONFLICT: spec(409, 'CONFLICT'),
  EXTERNAL_REF_TAKEN: spec(409, 'EXTERNAL_REF_TAKEN'),
  WEBHOOK_DELIVERY_IN_FLIGHT: spec(409, 'WEBHOOK_DELIVERY_IN_FLIGHT'),
  PRECONDITION_FAILED: spec(412, 'PRECONDITION_FAILED'),
  REQUEST_TIMEOUT: spec(408, 'REQUEST_TIMEOUT'),
  PAYLOAD_TOO_LARGE: spec(413, 'PAYLOAD_TOO_LARGE'),
  UNSUPPORTED_MEDIA_TYPE: spec(415, 'UNSUPPORTED_MEDIA_TYPE'),
  IDEMPOTENCY_KEY_REUSED: spec(422, 'IDEMPOTENCY_KEY_REUSED'),
  CUSTOM_FIELDS_INVALID: spec(422, 'CUSTOM_FIELDS_INVALID'),
  UNKNOWN_PERMISSION: spec(422, 'UNKNOWN_PERMISSION'),
  BUILTIN_ROLE_LOCKED: spec(422, 'BUILTIN_ROLE_LOCKED'),
  UNKNOWN_ROLE: spec(422, 'UNKNOWN_ROLE'),
  MERGE_INVALID: spec(422, 'MERGE_INVALID'),
  ORGANIZATION_INVALID: spec(422, 'ORGANIZATION_INVALID'),
  CUSTOMER_LINK_INVALID: spec(422, 'CUSTOMER_LINK_INVALID'),
  ORDER_RETURN_INVALID: spec(422, 'ORDER_RETURN_INVALID'),
  IMPORT_ENTITY_UNAVAILABLE: spec(422, 'IMPORT_ENTITY_UNAVAILABLE'),
  IMPORT_NOT_UNDOABLE: spec(409, 'IMPORT_NOT_UNDOABLE'),
  OWNER_NOT_ALLOWED: spec(400, 'OWNER_NOT_ALLOWED'),
  PLUGIN_DEPENDENCY_DISABLED: spec(422, 'PLUGIN_DEPENDENCY_DISABLED'),
  EMBED_CONFIG_INVALID: spec(422, 'EMBED_CONFIG_INVALID'),
  WEBHOOK_URL_INVALID: spec(422, 'WEBHOOK_URL_INVALID'),
  WEBHOOK_URL_INSECURE: spec(422, 'WEBHOOK_URL_INSECURE'),
  WEBHOOK_URL_FORBIDDEN: spec(422, 'WEBHOOK_URL_FORBIDDEN'),
  WEBHOOK_URL_UNRESOLVABLE: spec(422, 'WEBHOOK_URL_UNRESOLVABLE'),
  RATE_LIMITED: spec(429, 'RATE_LIMITED'),
  HEADERS_TOO_LARGE: spec(431, 'HEADERS_TOO_LARGE'),
  INTERNAL: spec(500, 'INTERNAL'),
  NOT_READY: spec(503, 'NOT_READY'),
  DATABASE_UNAVAILABLE: spec(503, 'DATABASE_UNAVAILABLE'),
  DATABASE_BUSY: spec(503, 'DATABASE_BUSY'),
  STORAGE_FULL: spec(507, 'STORAGE_FULL'),
} as const satisfies Record<string, ErrorSpec>;

/** A core error code. */
export type CoreErrorCode = keyof typeof coreErrors;

/** Creates a core error by code. */
export function coreError(
  code: CoreErrorCode,
  params: Record<string, unknown> = {},
  options: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
): PeyvandError {
  return new PeyvandError(code, coreErrors[code], params, options);
}

/**
 * A boot-time failure: the kernel refuses to start. Not an HTTP error; the message is
 * English for operators and always names the plugin at fault.
 */
export class BootError extends Error {
  readonly code: BootErrorCode;
  readonly plugin: string | undefined;
  constructor(code: BootErrorCode, plugin: string | undefined, message: string) {
    super(`${code}${plugin ? ` [${plugin}]` : ''}: ${message}`);
    this.name = 'BootError';
    this.code = code;
    this.plugin = plugin;
  }
}

/** Codes of boot failures. */
export type BootErrorCode =
  | 'PLUGIN_INVALID'
  | 'PLUGIN_DUPLICATE'
  | 'PLUGIN_DEPENDENCY_MISSING'
  | 'PLUGIN_DEPENDENCY_CYCLE'
  | 'PLUGIN_CORE_MISMATCH'
  | 'PLUGIN_OPTIONS_INVALID'
  | 'ROUTE_WITHOUT_PERMISSION'
  | 'ROUTE_WITHOUT_SCHEMA'
  /** A route without a valid, unique `plugin.resource.action` operationId. */
  | 'ROUTE_WITHOUT_OPERATION_ID'
  | 'PERMISSION_UNDECLARED'
  | 'CONFIG_INVALID'
  /** The external event transport (`PEYVAND_EVENTS_URL`) could not be reached at boot. */
  | 'TRANSPORT_UNREACHABLE'
  /** The Redis the nodes share rate-limit counts through could not be reached at boot. */
  | 'RATE_LIMIT_REDIS_UNREACHABLE';
