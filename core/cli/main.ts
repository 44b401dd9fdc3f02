#!/usr/bin/env node
/** The `peyvand` executable: parse, dispatch, exit code. Everything else is in `commands.ts`. */
import { processIo, run } from './commands.js';

const code = await run(process.argv.slice(2), processIo());
process.exitCode = code;
// Normally nothing is left open; should a library keep a handle alive, do not hang.
setTimeout(() => process.exit(code), 2000).unref();
