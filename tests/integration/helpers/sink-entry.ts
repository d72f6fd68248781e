/**
 * `driftwatch sink` for the tests, until cli/commands/index.ts registers the
 * command: the same register() in a program of its own, with the exit codes
 * of cli/driftwatch.ts (1 failed, 2 bad usage).
 */
import { Command } from 'commander';
import { register } from '../../../cli/commands/sink.js';
import { UsageError } from '../../../cli/errors.js';

const program = new Command('driftwatch');
register(program);
program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`driftwatch: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
