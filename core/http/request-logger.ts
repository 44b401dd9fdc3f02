/**
 * The request's logger, made when something logs. fastify gives every request a pino
 * child bound to its request id; making one costs more than the rest of a warm read's
 * logging put together (docs/performance.md), and at the `warn` level a served read logs
 * nothing. {@link lazyRequestLogger} is fastify's `childLoggerFactory`: it hands out a
 * stand-in that asks the parent whether a level is on and, only when it is, makes the very
 * child fastify would have made (same bindings, same options) and logs through it — the
 * lines are the same, field for field.
 */
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { Bindings, ChildLoggerOptions, LogFn } from 'pino';

/** fastify's `childLoggerFactory` option (the type itself is not exported). */
type ChildLoggerFactory = NonNullable<FastifyServerOptions['childLoggerFactory']>;

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** A parent that can say whether a level is on (pino can). */
type LevelAware = FastifyBaseLogger & { isLevelEnabled(level: string): boolean };

const levelAware = (logger: FastifyBaseLogger): logger is LevelAware => typeof (logger as Partial<LevelAware>).isLevelEnabled === 'function';

/** Stands in for a request's pino child until a line is logged at an enabled level. */
class RequestLogger implements FastifyBaseLogger {
  declare fatal: LogFn;
  declare error: LogFn;
  declare warn: LogFn;
  declare info: LogFn;
  declare debug: LogFn;
  declare trace: LogFn;
  declare silent: LogFn;
  private made: FastifyBaseLogger | undefined;

  constructor(
    readonly parent: LevelAware,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  /** The child fastify would have made, made now. */
  get logger(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }

  get level(): string {
    return this.made ? this.made.level : this.parent.level;
  }

  set level(level: string) {
    this.logger.level = level;
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.logger.child(bindings, options);
  }
}

// On the prototype: one function per level for every request, not six closures each.
function logAt(level: Level): LogFn {
  return function (this: RequestLogger, ...args: unknown[]) {
    if (!this.parent.isLevelEnabled(level)) return;
    const logger = this.logger;
    (logger[level] as (...a: unknown[]) => void).apply(logger, args);
  } as LogFn;
}
Object.assign(RequestLogger.prototype, {
  fatal: logAt('fatal'),
  error: logAt('error'),
  warn: logAt('warn'),
  info: logAt('info'),
  debug: logAt('debug'),
  trace: logAt('trace'),
  silent: () => undefined,
});

/**
 * fastify's `childLoggerFactory`: a {@link RequestLogger} over the server's logger. A route
 * with a level of its own (`logLevel`), or a parent that cannot say which levels are on,
 * gets its child at once, as fastify's default factory makes it.
 */
export const lazyRequestLogger: ChildLoggerFactory = (logger, bindings, options) => {
  if (options.level || !levelAware(logger)) return logger.child(bindings, options);
  return new RequestLogger(logger, bindings, options);
};
