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

/** Creates Peyvand's logger at a level, optionally writing to a given stream (tests). */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
