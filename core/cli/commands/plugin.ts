/** `peyvand plugin new <name>`: tools for plugin authors (no database, no kernel). */
import path from 'node:path';
import { PLUGIN_NAME_RE, scaffoldPlugin } from '../scaffold.js';
import { CliFailure, EXIT, UsageError, type CliContext } from './context.js';

/** `peyvand plugin new <name>`. */
export async function pluginCommand(ctx: CliContext, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    ctx.out(ctx.t('help.plugin'));
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (sub !== 'new') throw new UsageError('usage.unknownSubcommand', { group: 'plugin', sub });
  const { values, positionals } = ctx.parse('plugin new', rest, {}, 1);
  if (values.help) {
    ctx.out(ctx.t('help.pluginNew'));
    return EXIT.ok;
  }
  const name = positionals[0];
  if (name === undefined) throw new UsageError('usage.missingArgument', { name: 'name', command: 'plugin new' });
  if (!PLUGIN_NAME_RE.test(name) || name.length > 50) throw new UsageError('usage.invalidPluginName', { name });
  const target = path.resolve(ctx.io.cwd, name);
  let files: string[];
  try {
    files = scaffoldPlugin(name, target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new CliFailure('pluginNew.exists', { path: target });
    throw err;
  }
  ctx.out(ctx.t('pluginNew.created', { name, path: target }));
  for (const file of files) ctx.out(`  ${file}`);
  ctx.err(ctx.t('pluginNew.next', { name }));
  return EXIT.ok;
}
