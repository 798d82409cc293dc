/**
 * `pp-collector` entry point (bin/pp-collector.mjs imports it, in the same process): the program
 * is src/cli/program.ts, one file per command in src/cli/. `pp-collector --help` lists them.
 */
import { run } from './cli/program.ts';

const code = await run(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
// Not process.exit(): a command's pending output is flushed first, and `serve` keeps running.
process.exitCode = code;
