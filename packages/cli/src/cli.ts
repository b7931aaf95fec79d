import { Command, CommanderError } from 'commander';
import { PalError } from '@pal/core';
import { EXIT_OK, EXIT_RUNTIME_ERROR, EXIT_USAGE_ERROR, UsageError } from './cli-errors.js';
import { registerBench } from './commands/bench.js';
import type { CommonOptions } from './commands/common-options.js';
import { registerDataCommands } from './commands/data-commands.js';
import { registerQuickstart } from './commands/quickstart.js';
import { registerRepro } from './commands/repro.js';
import { registerScore } from './commands/score.js';
import { Output, processIo, type CliIo } from './output/output.js';

/** The CLI's version, shown by `pal --version`. */
export const CLI_VERSION = '0.1.0';

function describeError(error: unknown, debug: boolean): string {
  if (!debug) return error instanceof Error ? error.message : String(error);
  const lines: string[] = [];
  let current: unknown = error;
  while (current !== undefined) {
    lines.push(current instanceof Error ? (current.stack ?? current.message) : String(current));
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) lines.push('caused by:');
  }
  return lines.join('\n');
}

/** Exit code for an error: 2 for usage errors (bad command, flag or config field), 1 for everything else. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError || UsageError.isInstance(error)) return EXIT_USAGE_ERROR;
  return EXIT_RUNTIME_ERROR;
}

/**
 * Runs the `pal` command line in-process and returns its exit code: 0 on success, 1 when the work failed,
 * 2 for usage errors. Errors print as one line (`error: ...`), with stacks and causes only under --debug;
 * with --json the error is also printed on stdout as `{ ok: false, error }`.
 */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  let exitCode = EXIT_OK;
  const run = async (work: (output: Output) => Promise<void>, options: CommonOptions) => {
    const output = new Output(io, { json: Boolean(options.json), debug: Boolean(options.debug) });
    try {
      await work(output);
    } catch (error) {
      exitCode = exitCodeOf(error);
      io.stderr(`error: ${describeError(error, Boolean(options.debug))}\n`);
      if (options.json) {
        const name = error instanceof Error ? error.name : 'Error';
        io.stdout(`${JSON.stringify({ ok: false, error: { name, message: error instanceof Error ? error.message : String(error), exitCode } }, null, 2)}\n`);
      }
    }
  };
  const program = new Command('pal')
    .description('PAL personalized reward models: train, evaluate, localise new users, score, and reproduce the paper\'s figures')
    .version(CLI_VERSION)
    .showHelpAfterError('(run "pal --help" or "pal <command> --help" for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerQuickstart(program, run);
  registerDataCommands(program, run);
  registerScore(program, run);
  registerRepro(program, run);
  registerBench(program, run);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version "exit" with code 0 through the override; real parse errors are usage errors.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE_ERROR;
    }
    io.stderr(`error: ${describeError(error, argv.includes('--debug'))}\n`);
    return PalError.isInstance(error) ? exitCodeOf(error) : EXIT_RUNTIME_ERROR;
  }
  return exitCode;
}
