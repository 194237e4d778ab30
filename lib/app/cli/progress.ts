/**
 * Progress on stderr for long runs: a cli-progress bar when stderr is a terminal; otherwise
 * (CI logs, pipes) one plain line at every tenth of the work, so logs show life without
 * flooding; nothing at all when `quiet`.
 */
import { SingleBar } from 'cli-progress';
import type { CliIO } from './io';

export interface Progress {
  /** `done` of `total` units finished; `what` names the last one (shown on terminals). */
  update(done: number, total: number, what?: string): void;
  stop(): void;
}

export function progressBar(io: CliIO, label: string, opts: { quiet?: boolean } = {}): Progress {
  if (opts.quiet) return { update() {}, stop() {} };
  if (io.isTTY) {
    const stream = { isTTY: true, columns: process.stderr.columns ?? 100, write: (s: string) => (io.err(s), true) };
    const bar = new SingleBar({
      stream: stream as unknown as NodeJS.WritableStream,
      format: `${label} [{bar}] {value}/{total} | eta {eta_formatted} | {what}`,
      hideCursor: true,
      clearOnComplete: true,
    });
    let started = false;
    return {
      update(done, total, what = '') {
        if (!started) {
          bar.start(total, done, { what });
          started = true;
        } else bar.update(done, { what });
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let lastTenth = -1;
  return {
    update(done, total) {
      const tenth = total > 0 ? Math.floor((10 * done) / total) : 10;
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        io.err(`${label}: ${done}/${total}\n`);
      }
    },
    stop() {},
  };
}
