/**
 * The `peyvand` command line: `run(argv, io)` parses, dispatches and returns the exit
 * code (0 ok, 1 runtime failure, 2 usage or configuration error). It never exits the
 * process and writes only through `io`, so tests run it in-process.
 *
 * @module
 */
import { CORE_VERSION } from '../plugin/version.js';
import { CliContext, EXIT, processShutdownSignal, reportError, UsageError, type CliIo } from './commands/context.js';

export { EXIT, type CliIo } from './commands/context.js';

type Command = (ctx: CliContext, args: string[]) => Promise<number>;

/**
 * Commands by name, each loaded when it runs: a command module pulls in the kernel, the
 * HTTP server or the importers, which `--help` and the other commands do not need.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./commands/server.js')).serveCommand,
  start: async () => (await import('./commands/server.js')).startCommand,
  migrate: async () => (await import('./commands/admin.js')).migrateCommand,
  seed: async () => (await import('./commands/admin.js')).seedCommand,
  tenants: async () => (await import('./commands/admin.js')).tenantsCommand,
  keys: async () => (await import('./commands/admin.js')).keysCommand,
  plugins: async () => (await import('./commands/admin.js')).pluginsCommand,
  plugin: async () => (await import('./commands/plugin.js')).pluginCommand,
  import: async () => (await import('./commands/data.js')).importCommand,
  export: async () => (await import('./commands/data.js')).exportCommand,
};

/** The I/O of the current process. */
export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    waitForShutdown: processShutdownSignal,
    interactive: process.stderr.isTTY === true,
  };
}

/**
 * Runs one CLI invocation.
 * @param argv the arguments after the program name (`['tenants', 'list']`)
 * @param io where to read the environment and write output; missing parts come from the process
 * @returns the exit code
 */
export async function run(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const ctx = new CliContext({ ...processIo(), ...io });
  try {
    const [name, ...args] = argv;
    if (name === undefined) {
      ctx.err(ctx.t('help.main'));
      return EXIT.usage;
    }
    if (name === '--help' || name === '-h') {
      ctx.out(ctx.t('help.main'));
      return EXIT.ok;
    }
    if (name === 'help') {
      const topic = args[0];
      ctx.out(ctx.t(topic !== undefined && topic in COMMANDS ? `help.${topic}` : 'help.main'));
      return EXIT.ok;
    }
    if (name === '--version' || name === '-v' || name === 'version') {
      ctx.out(CORE_VERSION);
      return EXIT.ok;
    }
    const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!load) throw new UsageError('usage.unknownCommand', { command: name });
    return await (await load())(ctx, args);
  } catch (err) {
    return reportError(ctx, err);
  }
}
