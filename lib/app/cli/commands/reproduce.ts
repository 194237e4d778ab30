/**
 * `spikepipe reproduce [--out DIR] [--quick|--full] [--seeds 1,2] [--workers N] [--stg DIR]`: the paper's
 * tables and figures (lib/app/reproduce). Resumable: finished results stay in <out>/.cache.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { CliIO } from '../io';
import { fail } from '../../../model/errors';
import { reproduce } from '../../reproduce/reproduce';
import { shippedFile } from '../../../model/spec/paths';
import { progressBar, type Progress } from '../progress';
import { fmt, fmtPercent } from '../../../../reports/table';
import { parsePositiveInt } from './cost';
import { parseSeeds } from './accuracy';

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The STG subset shipped with the package (networks/stg, provenance in its README). */
export const DEFAULT_STG_DIR = () => shippedFile('networks', 'stg');

export function register(program: Command, io: CliIO): void {
  program
    .command('reproduce')
    .description("write the paper's tables (Markdown, CSV, LaTeX), figures (SVG), traces and summary.json; resumable")
    .option('--out <dir>', 'output directory', 'out')
    .option('--quick', 'the quick run (default): minutes on 2 cores; its accuracy table is a smoke test, not evidence')
    .option('--full', 'the full run: exact solvers everywhere; accuracy rows over seeds 1,2 (fmnist-conv: 20,000 samples, 3 epochs — hours)')
    .option('--seeds <list>', "the accuracy rows' seeds, comma-separated (default: the plan's — 1,2 full, 1 quick)")
    .option('--workers <n>', 'worker threads (default 2)', '2')
    .option('--stg <dir>', 'the Standard Task Graph Set folder (50/, app/, optimal/)')
    .action(async (opts: { out: string; quick?: boolean; full?: boolean; workers: string; stg?: string; seeds?: string }) => {
      if (opts.quick && opts.full) fail('--quick/--full', 'choose one');
      const seeds = opts.seeds === undefined ? undefined : parseSeeds(opts.seeds, '--seeds', io);
      const workers = parsePositiveInt(opts.workers, '--workers')!;
      // An --stg folder the run cannot use is refused before anything starts (the shipped
      // default may be absent: then the STG step is skipped with a note).
      if (opts.stg !== undefined) {
        for (const sub of ['', '50', 'optimal']) {
          const dir = path.join(opts.stg, sub);
          if (!isDirectory(dir)) fail(`--stg ${opts.stg}`, sub === '' ? 'no such directory' : `has no ${sub}/ folder (expected 50/ and optimal/ of the Standard Task Graph Set)`);
        }
      }
      const mode = opts.full ? 'full' : 'quick';
      const bars = new Map<string, Progress>();
      const t0 = performance.now();
      const r = await reproduce({
        out: opts.out,
        mode,
        workers,
        seeds,
        stgDir: opts.stg ?? DEFAULT_STG_DIR(),
        onProgress: (step, done, total, what) => {
          if (!bars.has(step)) bars.set(step, progressBar(io, step));
          bars.get(step)!.update(done, total, what);
        },
        onWarning: (m) => io.err(`reproduce: warning: ${m}\n`),
        // Where no bar is drawn (logs), each trained accuracy job says when it finished.
        onNote: (m) => {
          if (!io.isTTY) io.err(`reproduce: ${m}\n`);
        },
        onStep: (step, state, detail) => {
          if (state === 'done') bars.get(step)?.stop();
          if (state === 'skipped') io.err(`reproduce: ${step} skipped: ${detail}\n`);
        },
      });
      for (const b of bars.values()) b.stop();
      const h = r.headline;
      io.out(
        `wrote ${r.files.length} files to ${opts.out}/ in ${((performance.now() - t0) / 1000).toFixed(0)} s (${mode})\n` +
          `SpikePipe over PipeDream: mean ${fmt(h.meanVsPipeDream)}×, max ${fmt(h.maxVsPipeDream)}×; over GPipe: mean ${fmt(h.meanVsGPipe)}×, max ${fmt(h.maxVsGPipe)}×; ` +
          `largest comm. overhead ${fmtPercent(h.maxCommOverhead)} (paper: 1.6–1.7× mean, ≥ 2× max, < 0.5 %)\n`,
      );
    });
}
