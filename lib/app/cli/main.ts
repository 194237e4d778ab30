/**
 * The `spikepipe` command line. Each command lives in ./commands/<name>.ts as a thin layer
 * over an exported library function, and registers itself here.
 *
 * Errors: an InputError (bad file, flag or spec) prints one line and exits 2; commander's
 * own usage errors exit 2 too; anything else is a bug and keeps its stack trace (exit 1).
 */
import { Command, CommanderError } from 'commander';
import { InputError } from '../../model/errors';
import { type CliIO, CliExit, processIO } from './io';
import { commands } from './commands';

export function buildProgram(io: CliIO): Command {
  const program = new Command();
  program
    .name('spikepipe')
    .description('Schedule the training of spiking neural networks on systolic-array multiprocessors.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError(false);
  for (const register of commands) register(program, io);
  return program;
}

/** Run the CLI on `argv` (without node and script). Resolves to the exit code. */
export async function runCli(argv: string[], io: CliIO = processIO): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit 0; usage errors have been printed by commander already.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof CliExit) return err.code;
    if (err instanceof InputError) {
      io.err(`spikepipe: ${oneLine(err.message)}\n`);
      return 2;
    }
    throw err;
  }
}

/**
 * An error message as exactly one line: messages quote names and values from user files, so
 * line breaks and other control characters in them are shown escaped (`\n`, `\u0007`).
 */
export function oneLine(message: string): string {
  return message.replace(/\r\n|[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => (c === '\r\n' ? '\\r\\n' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** Entry point used by bin/spikepipe.js. */
export function runMain(argv: string[]): void {
  runCli(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`spikepipe: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
