/**
 * The CLI's configuration: environment variables → validated options (the "Running"
 * table of the API contract). Pure apart from resolving paths: nothing is created here.
 *
 * Every invalid value is a {@link ConfigError} naming the variable; the CLI prints it as
 * one line and exits with code 2.
 *
 * @module
 */
import path from 'node:path';
import { MIN_SECRET_LENGTH } from '../auth/secret-box.js';
import { DEFAULT_DATABASE_URL, redactUrl } from '../db/database-url.js';
import type { Dialect } from '../plugin/sql.js';
import { parseTransportUrl, redactTransportUrl } from '../events/transports/transport.js';

/** Languages the CLI prints. */
export type CliLanguage = 'en' | 'fa';

/** Validated configuration of one CLI run. */
export interface CliConfig {
  port: number;
  host: string;
  /** The database URL; a relative SQLite path is made absolute against the working directory. */
  databaseUrl: string;
  dialect: Dialect;
  /** `PEYVAND_ADMIN_KEY`, when set. */
  adminKey: string | undefined;
  /** `PEYVAND_SECRET`, when set. */
  secret: string | undefined;
  logLevel: LogLevel;
  /** Whether `LOG_LEVEL` was set (commands other than `serve` default to `warn`). */
  logLevelSet: boolean;
  tablePrefix: string;
  /**
   * Where `start` keeps its generated files: `PEYVAND_DATA_DIR`, else the folder of the
   * SQLite file, else `<cwd>/data`.
   */
  dataDir: string;
  lang: CliLanguage;
  /** `PEYVAND_EVENTS_URL`: the external event transport, when set. */
  eventsUrl: string | undefined;
  /**
   * Dispatcher tuning for operators: `PEYVAND_DISPATCH_LEASE_MS` (how long a dead node's
   * subscribers wait for another node), `PEYVAND_DISPATCH_MAX_ATTEMPTS` and
   * `PEYVAND_DISPATCH_BACKOFF_MS` (retries before a dead letter, first retry delay).
   */
  dispatcher: { leaseMs?: number; maxAttempts?: number; backoffBaseMs?: number };
  /** `PEYVAND_RATE_LIMIT_PER_MINUTE`: requests per credential per minute (default 1200). */
  rateLimitPerMinute: number | undefined;
  /** `PEYVAND_WIDGETS_DIR`: the built widget bundle to serve (default `dist/widgets` of the package), absolute. */
  widgetsDir: string | undefined;
  /** The Redis the nodes share rate-limit counts through: `PEYVAND_REDIS_URL`, else a `redis://` `PEYVAND_EVENTS_URL`. */
  rateLimitRedisUrl: string | undefined;
}

/** Pino levels accepted by `LOG_LEVEL`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** A pino level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Defaults of the "Running" table. */
export const CONFIG_DEFAULTS = {
  port: 3000,
  host: '127.0.0.1',
  databaseUrl: DEFAULT_DATABASE_URL,
  logLevel: 'info' as LogLevel,
  tablePrefix: 'crm_',
} as const;

/** Shortest accepted `PEYVAND_ADMIN_KEY`: anything shorter is guessable. */
export const MIN_ADMIN_KEY_LENGTH = 16;

/**
 * An invalid environment variable. `key` is the message key in the `cli` locale
 * namespace (`config.<key>`), `params` its interpolation values; `message` is English.
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly key: string,
    readonly params: Record<string, unknown>,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Directory relative paths are resolved against (default `process.cwd()`). */
  cwd?: string;
}

/** The CLI language: `PEYVAND_LANG` (`en`/`fa`), else `LANG` starting with `fa`, else English. Never throws. */
export function languageOf(env: NodeJS.ProcessEnv = process.env): CliLanguage {
  const explicit = env.PEYVAND_LANG?.trim().toLowerCase();
  if (explicit) return explicit.startsWith('fa') ? 'fa' : 'en';
  return env.LANG?.trim().toLowerCase().startsWith('fa') ? 'fa' : 'en';
}

/** Reads and validates the configuration from `env`; throws {@link ConfigError}. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): CliConfig {
  const cwd = options.cwd ?? process.cwd();
  const value = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

  const langRaw = value('PEYVAND_LANG');
  if (langRaw !== undefined && !/^(en|fa)([-_.].*)?$/i.test(langRaw)) {
    throw new ConfigError('PEYVAND_LANG', 'lang', { value: langRaw }, `PEYVAND_LANG must be "en" or "fa", not "${langRaw}".`);
  }

  const portRaw = value('PORT');
  let port: number = CONFIG_DEFAULTS.port;
  if (portRaw !== undefined) {
    port = /^\d{1,5}$/.test(portRaw) ? Number(portRaw) : NaN;
    if (!Number.isInteger(port) || port > 65535) {
      throw new ConfigError('PORT', 'port', { value: portRaw }, `PORT must be a whole number from 0 to 65535, not "${portRaw}".`);
    }
  }

  const host = value('HOST') ?? CONFIG_DEFAULTS.host;
  if (/\s|\//.test(host)) throw new ConfigError('HOST', 'host', { value: host }, `HOST must be a host name or IP address, not "${host}".`);

  const { databaseUrl, dialect, sqliteFile } = parseDatabaseUrl(value('DATABASE_URL') ?? CONFIG_DEFAULTS.databaseUrl, cwd);

  const secret = value('PEYVAND_SECRET');
  if (secret !== undefined && secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError('PEYVAND_SECRET', 'secretShort', { min: MIN_SECRET_LENGTH, length: secret.length }, `PEYVAND_SECRET must be at least ${MIN_SECRET_LENGTH} characters (it has ${secret.length}); generate one with: openssl rand -base64 32`);
  }

  const adminKey = value('PEYVAND_ADMIN_KEY');
  if (adminKey !== undefined && (adminKey.length < MIN_ADMIN_KEY_LENGTH || /\s/.test(adminKey))) {
    throw new ConfigError('PEYVAND_ADMIN_KEY', 'adminKeyShort', { min: MIN_ADMIN_KEY_LENGTH }, `PEYVAND_ADMIN_KEY must be at least ${MIN_ADMIN_KEY_LENGTH} characters without spaces; generate one with: openssl rand -hex 24`);
  }

  const levelRaw = value('LOG_LEVEL')?.toLowerCase();
  if (levelRaw !== undefined && !(LOG_LEVELS as readonly string[]).includes(levelRaw)) {
    throw new ConfigError('LOG_LEVEL', 'logLevel', { value: levelRaw, levels: LOG_LEVELS.join(', ') }, `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${levelRaw}".`);
  }

  const tablePrefix = value('PEYVAND_TABLE_PREFIX') ?? CONFIG_DEFAULTS.tablePrefix;
  if (!/^[a-z][a-z0-9_]{0,11}$/.test(tablePrefix)) {
    throw new ConfigError('PEYVAND_TABLE_PREFIX', 'tablePrefix', { value: tablePrefix }, `PEYVAND_TABLE_PREFIX must start with a lower-case letter and hold only lower-case letters, digits and "_" (at most 12), not "${tablePrefix}".`);
  }

  const dataDirRaw = value('PEYVAND_DATA_DIR');
  const dataDir = dataDirRaw !== undefined ? path.resolve(cwd, dataDirRaw) : sqliteFile ? path.dirname(sqliteFile) : path.resolve(cwd, 'data');

  const eventsUrl = value('PEYVAND_EVENTS_URL');
  if (eventsUrl !== undefined) {
    try {
      parseTransportUrl(eventsUrl);
    } catch (err) {
      const shown = redactTransportUrl(eventsUrl);
      throw new ConfigError('PEYVAND_EVENTS_URL', 'eventsUrl', { value: shown }, `PEYVAND_EVENTS_URL must be redis://… or nats://… (${(err as Error).message.replace(/^[A-Z_]+: /, '')}).`);
    }
  }
  const dispatcher: CliConfig['dispatcher'] = {};
  for (const [variable, key, min] of [['PEYVAND_DISPATCH_LEASE_MS', 'leaseMs', 100], ['PEYVAND_DISPATCH_MAX_ATTEMPTS', 'maxAttempts', 1], ['PEYVAND_DISPATCH_BACKOFF_MS', 'backoffBaseMs', 1]] as const) {
    const raw = value(variable);
    if (raw === undefined) continue;
    if (!/^\d{1,9}$/.test(raw) || Number(raw) < min) throw new ConfigError(variable, 'wholeNumber', { variable, value: raw, min }, `${variable} must be a whole number of at least ${min}, not "${raw}".`);
    dispatcher[key] = Number(raw);
  }
  const rateRaw = value('PEYVAND_RATE_LIMIT_PER_MINUTE');
  if (rateRaw !== undefined && (!/^\d{1,9}$/.test(rateRaw) || Number(rateRaw) < 1)) {
    throw new ConfigError('PEYVAND_RATE_LIMIT_PER_MINUTE', 'wholeNumber', { variable: 'PEYVAND_RATE_LIMIT_PER_MINUTE', value: rateRaw, min: 1 }, `PEYVAND_RATE_LIMIT_PER_MINUTE must be a whole number of at least 1, not "${rateRaw}".`);
  }
  const widgetsDirRaw = value('PEYVAND_WIDGETS_DIR');
  const redisUrl = value('PEYVAND_REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\/./.test(redisUrl)) {
    throw new ConfigError('PEYVAND_REDIS_URL', 'redisUrl', { value: redactTransportUrl(redisUrl) }, `PEYVAND_REDIS_URL must be redis://… or rediss://…, not "${redactTransportUrl(redisUrl)}".`);
  }
  return {
    rateLimitPerMinute: rateRaw === undefined ? undefined : Number(rateRaw),
    widgetsDir: widgetsDirRaw === undefined ? undefined : path.resolve(cwd, widgetsDirRaw),
    rateLimitRedisUrl: redisUrl ?? (eventsUrl && /^rediss?:\/\//.test(eventsUrl) ? eventsUrl : undefined),
    port,
    host,
    databaseUrl,
    dialect,
    adminKey,
    secret,
    logLevel: (levelRaw as LogLevel | undefined) ?? CONFIG_DEFAULTS.logLevel,
    logLevelSet: levelRaw !== undefined,
    tablePrefix,
    dataDir,
    lang: languageOf(env),
    eventsUrl,
    dispatcher,
  };
}

/** Checks the scheme (without connecting) and makes a relative SQLite path absolute. */
function parseDatabaseUrl(url: string, cwd: string): { databaseUrl: string; dialect: Dialect; sqliteFile: string | undefined } {
  const invalid = (): never => {
    const shown = redactUrl(url);
    throw new ConfigError('DATABASE_URL', 'databaseUrl', { value: shown }, `DATABASE_URL must be sqlite:<file>, postgres://… or mysql://…, not "${shown}".`);
  };
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file === '') return invalid();
    if (file === ':memory:') return { databaseUrl: url, dialect: 'sqlite', sqliteFile: undefined };
    const absolute = path.resolve(cwd, file);
    return { databaseUrl: `sqlite:${absolute}`, dialect: 'sqlite', sqliteFile: absolute };
  }
  if (/^postgres(ql)?:\/\//.test(url) && URL.canParse(url)) return { databaseUrl: url, dialect: 'postgres', sqliteFile: undefined };
  if (/^(mysql|mariadb):\/\//.test(url) && URL.canParse(url)) return { databaseUrl: url, dialect: 'mysql', sqliteFile: undefined };
  return invalid();
}
