/**
 * What every CLI command shares: the I/O it writes to (so tests run commands in-process),
 * localized messages, the errors that map to exit codes, argument parsing and booting a
 * kernel for one command.
 *
 * @module
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { DestinationStream, Logger } from 'pino';
import { createLogger } from '../../logging.js';
import type { i18n, TFunction } from 'i18next';
import { createI18n } from '../../i18n/i18n.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Peyvand } from '../../peyvand.js';
import { BootError, PeyvandError } from '../../plugin/errors.js';
import { redactUrl } from '../../db/database-url.js';
import { ConfigError, languageOf, loadConfig, type CliConfig, type CliLanguage } from '../config.js';
import { DATA_FILES, isExposed, readDataFile, readOrCreateSecret } from '../data-dir.js';
import { MIN_SECRET_LENGTH } from '../../auth/secret-box.js';

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, runtime: 1, usage: 2 } as const;

/** Where a CLI run reads and writes; `run` fills what is missing from the process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Directory relative paths are resolved against. */
  cwd: string;
  /** Resolves with a signal name when a running server should stop (default: SIGTERM or SIGINT). */
  waitForShutdown(): Promise<string>;
  /** Called once `serve`/`start` listen (tests reach the server through it). */
  onListening?(info: { url: string; peyvand: Peyvand }): void;
  /** Whether stderr is a terminal (progress bars are redrawn there, printed as lines elsewhere). */
  interactive?: boolean;
  /** Replaces the pino logger built from `LOG_LEVEL` (tests). */
  logger?: Logger;
}

/** A wrong invocation: printed as one localized line, exit code 2. */
export class UsageError extends Error {
  constructor(
    readonly key: string,
    readonly params: Record<string, unknown> = {},
  ) {
    super(key);
    this.name = 'UsageError';
  }
}

/** An expected failure with a localized message (`cli:<key>`) and an exit code. */
export class CliFailure extends Error {
  constructor(
    readonly key: string,
    readonly params: Record<string, unknown> = {},
    readonly exitCode: number = EXIT.runtime,
  ) {
    super(key);
    this.name = 'CliFailure';
  }
}

/** An option of a command (`node:util` parseArgs). */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
}

/** Parsed values of a command's options, `--help` included. */
export type OptionValues<O extends Record<string, OptionSpec>> = { [K in keyof O]?: O[K]['type'] extends 'string' ? string : boolean } & { help?: boolean };

/** One command invocation's context. */
export class CliContext {
  readonly lang: CliLanguage;
  private readonly i18n: i18n;
  private readonly translate: TFunction;
  private cachedConfig: CliConfig | undefined;

  constructor(readonly io: CliIo) {
    this.lang = languageOf(io.env);
    this.i18n = createI18n();
    this.translate = this.i18n.getFixedT(this.lang, null);
  }

  /** A message of the `cli` namespace. */
  t(key: string, params: Record<string, unknown> = {}): string {
    return String(this.translate(`cli:${key}`, params));
  }

  /** A message of any namespace (`core:errors.X.title`), or undefined when there is none. */
  tAny(key: string, params: Record<string, unknown> = {}): string | undefined {
    return this.i18n.exists(key, { lng: this.lang }) ? String(this.translate(key, params)) : undefined;
  }

  out(line = ''): void {
    this.io.stdout(`${line}\n`);
  }

  err(line = ''): void {
    this.io.stderr(`${line}\n`);
  }

  /** The validated configuration (throws {@link ConfigError}, exit 2). */
  config(): CliConfig {
    this.cachedConfig ??= loadConfig(this.io.env, { cwd: this.io.cwd });
    return this.cachedConfig;
  }

  /**
   * The logger: servers log at `LOG_LEVEL` to stdout; other commands keep stdout for
   * their output and log to stderr, at `warn` unless `LOG_LEVEL` is set.
   */
  logger(kind: 'server' | 'command'): Logger {
    if (this.io.logger) return this.io.logger;
    const config = this.config();
    const level = kind === 'server' || config.logLevelSet ? config.logLevel : 'warn';
    const write = kind === 'server' ? this.io.stdout : this.io.stderr;
    const destination: DestinationStream = { write: (msg: string) => write(msg) };
    return createLogger(level, destination);
  }

  /**
   * `PEYVAND_SECRET` for commands: the environment, else the data directory's `secret`
   * (created when `create`), else — for commands that seal nothing — a throwaway one.
   */
  secret(options: { create: boolean }): string {
    const config = this.config();
    if (config.secret) return config.secret;
    const fromFile = options.create ? readOrCreateSecret(config.dataDir).value : readDataFile(config.dataDir, DATA_FILES.secret);
    if (fromFile !== undefined) {
      const file = path.join(config.dataDir, DATA_FILES.secret);
      if (fromFile.length < MIN_SECRET_LENGTH) throw new CliFailure('errors.secretFileInvalid', { file, min: MIN_SECRET_LENGTH }, EXIT.usage);
      if (isExposed(file)) this.err(this.t('warnings.fileExposed', { file }));
      return fromFile;
    }
    return randomBytes(32).toString('base64url');
  }

  /**
   * Boots a kernel without HTTP or dispatcher for one command and closes it afterwards.
   * `migrate: false` is for `peyvand migrate` itself.
   */
  async withKernel<T>(options: { migrate: boolean; createSecret?: boolean }, work: (kernel: Kernel) => Promise<T>): Promise<T> {
    const config = this.config();
    const secret = this.secret({ create: options.createSecret ?? false });
    let kernel: Kernel;
    try {
      // Loaded here, not at the top: `--help`, `version` and usage errors never need the
      // kernel, the database drivers or the plugins (issue 17: `--help` under 300 ms).
      const { createKernel } = await import('../../kernel/kernel.js');
      const { loadInstalledPlugins, testFixturePlugins } = await import('../plugin-loader.js');
      const installed = await loadInstalledPlugins(this.io.env, this.io.cwd);
      kernel = await createKernel({
        databaseUrl: config.databaseUrl,
        tablePrefix: config.tablePrefix,
        secret,
        adminKey: config.adminKey,
        plugins: [...installed.plugins, ...(await testFixturePlugins(this.io.env, this.io.cwd))],
        pluginOptions: installed.options,
        logger: this.logger('command'),
        migrate: options.migrate,
        dispatch: false,
      });
    } catch (err) {
      throw bootFailure(err, config);
    }
    try {
      return await work(kernel);
    } finally {
      await kernel.close();
    }
  }

  /**
   * Parses a command's arguments with `node:util` parseArgs (strict); `--help`/`-h` is
   * added to every command. Unknown options and stray arguments are usage errors.
   */
  parse<O extends Record<string, OptionSpec>>(command: string, args: string[], options: O, positionals = 0): { values: OptionValues<O>; positionals: string[] } {
    try {
      const parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
      const values = parsed.values as OptionValues<O>;
      if (!values.help && parsed.positionals.length > positionals) {
        throw new UsageError('usage.unexpectedArgument', { argument: parsed.positionals[positionals], command });
      }
      return { values, positionals: parsed.positionals };
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw usageFromParseArgs(err, command);
    }
  }
}

/** Turns a parseArgs error into a localized usage error. */
function usageFromParseArgs(err: unknown, command: string): UsageError {
  const code = (err as { code?: string }).code;
  const message = err instanceof Error ? err.message : String(err);
  const option = /'([^']+)'/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new UsageError('usage.unknownOption', { option, command });
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return new UsageError('usage.invalidOptionValue', { option: option.split(' ')[0] ?? option, command });
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return new UsageError('usage.unexpectedArgument', { argument: option, command });
  return new UsageError('usage.generic', { message, command });
}

/** A kernel that would not start, as a one-line runtime failure (config problems: usage). */
export function bootFailure(err: unknown, config: CliConfig): Error {
  if (err instanceof PeyvandError) return err;
  if (err instanceof BootError) return err;
  return new CliFailure('errors.boot', { url: redactUrl(config.databaseUrl), message: describeError(err) }, EXIT.runtime);
}

/** A one-line description of any thrown value (AggregateError included). */
export function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length) {
    const inner = [...new Set(err.errors.map((e) => describeError(e)))];
    return inner.join('; ');
  }
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const text = err.message.split('\n')[0]?.trim() ?? '';
    return text || code || err.name;
  }
  return String(err);
}

/** Prints an error as one line and returns its exit code. */
export function reportError(ctx: CliContext, err: unknown): number {
  if (err instanceof UsageError) {
    ctx.err(ctx.t(err.key, err.params));
    return EXIT.usage;
  }
  if (err instanceof ConfigError) {
    ctx.err(ctx.t('config.invalid', { message: ctx.t(`config.${err.key}`, err.params) }));
    return EXIT.usage;
  }
  if (err instanceof CliFailure) {
    ctx.err(ctx.t(err.key, err.params));
    return err.exitCode;
  }
  if (err instanceof PeyvandError) {
    const title = ctx.tAny(`${err.i18nKey}.title`, err.params) ?? err.code;
    const detail = ctx.tAny(`${err.i18nKey}.detail`, err.params);
    ctx.err(ctx.t(detail ? 'errors.coded' : 'errors.codedShort', { code: err.code, title, detail }));
    for (const field of err.errors ?? []) ctx.err(`  ${field.path}: ${field.message}`);
    return EXIT.runtime;
  }
  if (err instanceof BootError) {
    ctx.err(ctx.t('errors.runtime', { message: err.message }));
    return err.code === 'CONFIG_INVALID' ? EXIT.usage : EXIT.runtime;
  }
  ctx.err(ctx.t('errors.runtime', { message: describeError(err) }));
  const level = ctx.io.env.LOG_LEVEL?.toLowerCase();
  if ((level === 'debug' || level === 'trace') && err instanceof Error && err.stack) ctx.err(err.stack);
  return EXIT.runtime;
}

/** Resolves on the first SIGTERM or SIGINT; a second one ends the process at once. */
export function processShutdownSignal(): Promise<string> {
  return new Promise((resolve) => {
    const first = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', first);
      process.off('SIGINT', first);
      const again = (): void => {
        process.stderr.write('Forced exit.\n');
        process.exit(EXIT.runtime);
      };
      process.once('SIGTERM', again);
      process.once('SIGINT', again);
      resolve(signal);
    };
    process.on('SIGTERM', first);
    process.on('SIGINT', first);
  });
}
