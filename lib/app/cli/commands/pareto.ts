/**
 * `spikepipe pareto <network> --procs N [--axes period,comm,staleness,memory] [--hw f]
 *  [--comm-caps 0,0.005,…,inf] [--staleness-caps none,1,pipedream,inf] [--no-prove]
 *  [--time-limit s] [--out DIR] [--json]`: the non-dominated SpikePipe schedules of one cell
 * (lib/app/pareto/pareto.ts, an ε-constraint sweep over the budgets). Prints the front as a
 * table; `--json` prints `{points: [...]}` (each point with its schedule file); `--out` writes
 * pareto.md/.csv/.tex, pareto.svg, pareto.json and one schedule file per point, only after the
 * sweep finished.
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import type { CliIO } from '../io';
import { printJson } from '../io';
import { fail } from '../../../model/errors';
import { seconds } from '../method-options';
import { dedupeList } from '../lists';
import { loadHardware } from '../../../model/spec/hardware';
import { checkOutputDir, type OutputFile } from '../../../model/io/output';
import { optionFromText, type StalenessCap } from '../../../../solvers/options';
import { BUDGET_OPTIONS } from '../../../../solvers/pipeline/budget';
import { pareto, type ParetoResult } from '../../pareto/pareto';
import { PARETO_AXES, type ParetoAxis } from '../../pareto/front';
import { paretoSvg, paretoTable } from '../../../../reports/pareto';
import { toText } from '../../../../reports/table';
import { writeTableFiles } from '../../../../reports/write';
import { progressBar } from '../progress';
import { parsePositiveInt } from './cost';

interface ParetoCliOptions {
  procs?: string;
  axes?: string;
  hw?: string;
  commCaps?: string;
  stalenessCaps?: string;
  prove: boolean;
  timeLimit?: string;
  out?: string;
  json?: boolean;
}

const isInf = (t: string) => t === 'inf' || t === '∞';

/** `0,0.005,inf` → [0, 0.005, null]: shares of all communication of training, `inf` for no cap. */
export function parseCommCaps(text: string): (number | null)[] {
  return text.split(',').map((t) => {
    const s = t.trim();
    if (isInf(s)) return null;
    const x = Number(s);
    if (s === '' || !Number.isFinite(x) || x < 0 || x > 1) fail('--comm-caps', `each cap must be a share between 0 and 1 or inf, got "${s}"`);
    return x;
  });
}

/** `none,1,pipedream,inf` → staleness caps (per-layer lists are not accepted here: use schedule). */
export function parseStalenessCaps(text: string): (StalenessCap | null)[] {
  return text.split(',').map((t) => {
    const s = t.trim();
    if (isInf(s)) return null;
    return optionFromText(BUDGET_OPTIONS.maxStaleness, s, '--staleness-caps') as StalenessCap;
  });
}

/** Write the front's files into `dir`; returns the paths. */
export function writeParetoFiles(dir: string, r: ParetoResult): string[] {
  const extra: OutputFile[] = [{ file: path.join(dir, 'pareto.svg'), data: paretoSvg(r) }];
  const points = r.points.map((p, k) => {
    const file = path.join(dir, 'schedules', `point-${k + 1}.json`);
    extra.push({ file, data: JSON.stringify(p.schedule, null, 2) + '\n' });
    return { ...p, scheduleFile: path.relative(dir, file) };
  });
  extra.push({ file: path.join(dir, 'pareto.json'), data: JSON.stringify({ ...r, points }, null, 2) + '\n' });
  return writeTableFiles(dir, [{ ...paretoTable(r), id: 'pareto' }], extra);
}

export function register(program: Command, io: CliIO): void {
  program
    .command('pareto')
    .description('the non-dominated SpikePipe schedules of a network on N processors: period, communication overhead, staleness, memory')
    .argument('<network>', 'network JSON file or shipped id')
    .requiredOption('--procs <n>', 'number of processors')
    .option('--axes <list>', `objectives of the front, from ${PARETO_AXES.join(', ')}`, 'period,comm,staleness')
    .option('--hw <file>', 'hardware JSON file or shipped id (default hardware otherwise)')
    .option('--comm-caps <list>', 'communication caps of the sweep (shares; inf = none)', '0,0.001,0.0025,0.005,0.01,0.02,0.05,0.1,0.2,inf')
    .option('--staleness-caps <list>', 'staleness caps of the sweep (none, K, pipedream; inf = none)', 'none,1,pipedream,inf')
    .option('--no-prove', 'skip the period MILP on the front points')
    .option('--time-limit <s>', 'the MILP\'s limit per front point, seconds (default 10)')
    .option('--out <dir>', 'write pareto.md/.csv/.tex, pareto.svg, pareto.json and schedules/point-k.json')
    .option('--json', 'print {points: [...]}')
    .action(async (network: string, opts: ParetoCliOptions) => {
      const procs = parsePositiveInt(opts.procs, '--procs')!;
      const axes = dedupeList(opts.axes!.split(',').map((a) => a.trim()) as ParetoAxis[], '--axes', io);
      const commCaps = dedupeList(parseCommCaps(opts.commCaps!), '--comm-caps', io, (c) => (c === null ? 'inf' : String(c)));
      const stalenessCaps = dedupeList(parseStalenessCaps(opts.stalenessCaps!), '--staleness-caps', io, (c) => (c === null ? 'inf' : String(c)));
      const timeLimitSeconds = opts.timeLimit === undefined ? undefined : seconds(opts.timeLimit, '--time-limit');
      const hw = loadHardware(opts.hw);
      if (opts.out !== undefined) checkOutputDir(opts.out);
      const bar = progressBar(io, 'pareto', { quiet: opts.json === true && !io.isTTY });
      let r: ParetoResult;
      try {
        r = await pareto({ network, hw, procs, axes, commCaps, stalenessCaps, prove: opts.prove, timeLimitSeconds, onProgress: (d, t, w) => bar.update(d, t, w) });
      } finally {
        bar.stop();
      }
      if (opts.out !== undefined) writeParetoFiles(opts.out, r);
      if (opts.json) printJson(io, { points: r.points, pipedream: r.pipedream, gpipe: r.gpipe, totalCommunication: r.totalCommunication, evaluated: r.evaluated.length, runs: r.runs });
      else io.out(toText(paretoTable(r), { caption: true }));
    });
}
