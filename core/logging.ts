/**
 * The logger: pino, with credentials and secrets redacted wherever they appear in a log
 * object, so a request, an error or a config dump never writes a token to the log.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

/** Paths pino censors (`[redacted]`), at the top level and one level down. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  '*.authorization',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'hs256Secret',
  '*.hs256Secret',
  'key',
  '*.key',
  'token',
  '*.token',
  'adminKey',
  '*.adminKey',
];

// Redaction paths reach one level down; an error can hold credentials anywhere (a client
// library's error carries the request it made: `err.config.headers.authorization`). Errors
// are therefore scrubbed all the way down, by key and by what a value looks like.
const SENSITIVE_KEY = /^(authorization|proxy-authorization|cookie|set-cookie|password|passwd|pass|secret|\w*secret|token|\w*token|key|api_?key|admin_?key|auth|credentials?)$/i;
const CREDENTIAL_VALUE = /\b(Bearer|Basic)\s+[^\s"',]+|pvk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}/g;

function scrub(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return value.replace(CREDENTIAL_VALUE, '[redacted]');
  if (!value || typeof value !== 'object' || seen.has(value)) return value;
  if (depth > 10) return '[too deep]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1, seen));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SENSITIVE_KEY.test(k) && v != null && typeof v !== 'boolean' ? '[redacted]' : scrub(v, depth + 1, seen)]));
}

/** pino's error serializer, then every credential in the result replaced by `[redacted]`. */
export function scrubbedError(err: unknown): unknown {
  return scrub(err instanceof Error ? pino.stdSerializers.err(err) : err, 0, new WeakSet());
}

/** Creates Peyvand's logger at a level, optionally writing to a given stream (tests). */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, serializers: { err: scrubbedError, error: scrubbedError } };
  return destination ? pino(options, destination) : pino(options);
}
