// Run the CLI in-process with captured output (shared by the CLI tests).
import type { CliIO } from '../../lib/app/cli/io';
import { runCli } from '../../lib/app/cli/main';

export interface Captured extends CliIO {
  stdout: string;
  stderr: string;
}

export function capture(): Captured {
  const io: Captured = {
    stdout: '',
    stderr: '',
    isTTY: false,
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
  };
  return io;
}

/** Run `spikepipe <argv…>`; resolves to the exit code and what was printed. */
export async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capture();
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}
