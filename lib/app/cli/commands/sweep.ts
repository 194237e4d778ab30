/**
 * `spikepipe sweep <spec.json> [--workers N] [--jsonl FILE] [--shard i/N] [--out DIR] [--json]`
 * and `spikepipe merge <jsonl…> [--spec spec.json] [--out DIR] [--json]`: thin layers over
 * lib/app/sweep (grid, shards, resume) and reports/ (tables). With `--spec`, merge writes the rows
 * in the spec's grid order under its name, as `sweep` of that spec does, so the tables are the same;
 * a grid point no shard holds is an error (exit 2) unless `--partial`, which writes the tables of
 * the points there are and warns. Points found in several files are named in a warning.
 */
import type { Command } from 'commander';
import * as path from 'node:path';
import type { CliIO } from '../io';
import { printJson } from '../io';
import { fail } from '../../../model/errors';
import { loadSweepSpec, parseShard } from '../../sweep/spec';
import { mergeSweepRows, orderBySpec, runSweep, type SweepRow } from '../../sweep/run';
import { joinCells, type CompareRow } from '../../pipeline/cells';
import { progressBar } from '../progress';
import { commTable, headlineTable, speedupTable } from '../../../../reports/pipeline-tables';
import { tablesDocument, writeTableFiles } from '../../../../reports/write';
import { toMarkdown } from '../../../../reports/table';
import { checkOutputDir } from '../../../model/io/output';
import { parsePositiveInt } from './cost';

const few = (list: string[]) => `${list.slice(0, 3).join(', ')}${list.length > 3 ? ', …' : ''}`;

/** Rows of finished sweep points (speedups joined within each network × hardware × N). */
export function sweepRows(rows: SweepRow[]): CompareRow[] {
  return joinCells(rows.map((r) => r.result));
}

function emit(io: CliIO, rows: CompareRow[], opts: { out?: string; json?: boolean }, title: string): void {
  const tables = [headlineTable(rows), speedupTable(rows), commTable(rows)];
  if (opts.out) {
    writeTableFiles(opts.out, tables, [
      { file: path.join(opts.out, 'rows.json'), data: JSON.stringify({ rows: rows.map(({ solverSeconds: _s, ...r }) => r) }, null, 2) + '\n' },
      { file: path.join(opts.out, 'tables.md'), data: tablesDocument(title, tables) },
    ]);
  }
  if (opts.json) {
    // Wall times apart from the results, one per row in the rows' order.
    const timings = rows.map((r) => ({ network: r.network, hardware: r.hardware, procs: r.procs, method: r.method, ...(r.delayRule !== undefined ? { delayRule: r.delayRule } : {}), ...(r.variant !== undefined ? { variant: r.variant } : {}), seconds: r.solverSeconds }));
    printJson(io, { rows: rows.map(({ solverSeconds: _s, ...r }) => r), timings });
  }
  else if (!opts.out) io.out(tables.map(toMarkdown).join('\n'));
}

export function register(program: Command, io: CliIO): void {
  program
    .command('sweep')
    .description('run a grid of networks × hardware × processor counts × methods × delay rules on worker threads (resumable, shardable)')
    .argument('<spec>', 'sweep spec JSON (schema: lib/app/sweep/sweep.schema.json)')
    .option('--workers <n>', 'worker threads (default 2)', '2')
    .option('--jsonl <file>', 'append each finished point here; a rerun skips finished points')
    .option('--shard <i/N>', "run only shard i (0-based) of N: every N-th point, for batch-scheduler arrays")
    .option('--out <dir>', 'write the tables (Markdown, CSV, LaTeX) and rows.json here')
    .option('--json', 'print {rows}')
    .action(async (specFile: string, opts: { workers: string; jsonl?: string; shard?: string; out?: string; json?: boolean }) => {
      const spec = loadSweepSpec(specFile);
      const workers = parsePositiveInt(opts.workers, '--workers')!;
      const shard = opts.shard !== undefined ? parseShard(opts.shard) : undefined;
      if (opts.out !== undefined) checkOutputDir(opts.out);
      if (shard && shard.count > 1 && !opts.jsonl) fail('--shard', 'a shard needs --jsonl FILE so that `spikepipe merge` can join the shards');
      const bar = progressBar(io, 'sweep');
      let rows: SweepRow[];
      try {
        rows = await runSweep(spec, { workers, jsonl: opts.jsonl, shard, onProgress: (d, t, k) => bar.update(d, t, k), onWarning: (m) => io.err(`spikepipe sweep: warning: ${m}\n`) });
      } finally {
        bar.stop();
      }
      emit(io, sweepRows(rows), opts, spec.name ?? path.basename(specFile));
    });

  program
    .command('merge')
    .description('join the JSONL files of sweep shards (or runs) into the same tables')
    .argument('<jsonl...>', 'sweep result files')
    .option('--spec <file>', "the sweep spec: rows in its grid order and titled with its name (the tables `sweep` writes); a grid point no file holds is an error")
    .option('--partial', 'with --spec: write the tables of the points there are and warn of the missing ones')
    .option('--out <dir>', 'write the tables (Markdown, CSV, LaTeX) and rows.json here')
    .option('--json', 'print {rows}')
    .action((files: string[], opts: { spec?: string; out?: string; json?: boolean; partial?: boolean }) => {
      if (opts.partial && !opts.spec) fail('--partial', 'needs --spec (the grid whose missing points it allows)');
      const spec = opts.spec !== undefined ? loadSweepSpec(opts.spec) : undefined;
      if (opts.out !== undefined) checkOutputDir(opts.out);
      const merged = mergeSweepRows(files);
      const warn = (m: string) => io.err(`spikepipe merge: warning: ${m}\n`);
      for (const t of merged.torn) warn(`${t}: a torn or garbage last line (not JSON) left out`);
      for (const c of merged.conflicts) warn(c);
      if (merged.duplicates.length) warn(`${merged.duplicates.length} point(s) found in more than one file, kept once (${few(merged.duplicates)})`);
      let rows = merged.rows;
      if (spec) {
        const ordered = orderBySpec(rows, spec, opts.spec);
        if (ordered.extra.length) warn(`${ordered.extra.length} row(s) not in ${opts.spec} left out (${few(ordered.extra)})`);
        if (ordered.stale.length) warn(`${ordered.stale.length} row(s) were computed from other inputs than ${opts.spec} gives today (an edited network or spec) and are left out (${few(ordered.stale)})`);
        if (ordered.missing.length) {
          const what = `${ordered.missing.length} of ${ordered.missing.length + ordered.rows.length} points of ${opts.spec} have no row (${few(ordered.missing)}); rerun their shards`;
          if (!opts.partial) fail('merge', `${what}, or merge with --partial`);
          warn(what);
        }
        rows = ordered.rows;
      }
      if (rows.length === 0) fail(files.join(', '), 'no finished sweep points in these files');
      emit(io, sweepRows(rows), opts, spec ? spec.name ?? path.basename(opts.spec!) : 'merged sweep');
    });
}
