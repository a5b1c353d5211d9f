// How every command line of this package ends on an error: one line on stderr and an exit code
// (2 usage, 1 anything else); a stack trace only with RK_DEBUG set, since anything without a
// message of ours is a bug.
import { CommanderError } from 'commander';
import { LoadError } from '../api/load.js';
import { CliError } from './input.js';

export function reportFailure(e: unknown): number {
  if (e instanceof CommanderError) {
    // --help and --version exit 0; every other commander error is a usage error (commander printed it).
    return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
  }
  if (e instanceof CliError) {
    if (e.message) process.stderr.write(`error: ${e.message}\n`);
    return e.exitCode;
  }
  if (e instanceof LoadError) {
    process.stderr.write(`error: ${e.message}\n`);
    return 1;
  }
  process.stderr.write(`error: ${(e as Error).message ?? String(e)}\n`);
  if (process.env.RK_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
  return 1;
}
