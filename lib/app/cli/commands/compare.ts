/**
 * `spikepipe compare <network…> --procs 2,4,8 [--methods list] [--hw f] [--micro-batches m]
 *  [--time-limit s] [--json]`: the comparison table of lib/app/pipeline/compare — one row per
 * (network, N, method), every schedule validated and simulated. `--json` prints `{rows}`;
 * otherwise a readable table and the notes below it. Exit 1 when a row is invalid (a method
 * failed: a bug, reported in its notes), 2 on bad input.
 */
import type { Command } from 'commander';
import type { CliIO } from '../io';
import { CliExit, printJson } from '../io';
import { fail } from '../../../model/errors';
import { loadHardware } from '../../../model/spec/hardware';
import { compare, type CompareRow } from '../../pipeline/compare';
import { METHOD_NAMES, parseMethods } from '../../../../solvers/pipeline/registry';
import { pipelineOptions } from './schedule';

interface CompareCliOptions {
  procs?: string;
  methods?: string;
  hw?: string;
  microBatches?: string;
  timeLimit?: string;
  json?: boolean;
}

/** `2,4,8` → [2, 4, 8] (positive integers, order kept, duplicates dropped). */
export function parseProcsList(text: string | undefined, flag = '--procs'): number[] {
  if (text === undefined || text.trim() === '') fail(flag, 'give one or more processor counts, e.g. 2,4,8');
  const out: number[] = [];
  for (const part of text.split(',')) {
    const s = part.trim();
    if (!/^\d+$/.test(s) || Number(s) < 1) fail(flag, `"${s}" is not a positive integer (in "${text}")`);
    if (!out.includes(Number(s))) out.push(Number(s));
  }
  return out;
}

const num = (x: number | null, digits = 0) => (x === null ? '-' : digits === 0 ? String(x) : x.toFixed(digits));
const pct = (x: number | null, digits = 1) => (x === null ? '-' : `${(100 * x).toFixed(digits)}%`);

/** Plain-text table of compare rows; notes listed below it, numbered. */
export function formatCompareTable(rows: CompareRow[]): string {
  const head = ['network', 'N', 'method', 'period', 'bound', 'gap', 'sim', 'xSeq', 'xGPipe', 'xPD', 'comm+', 'staleness', 'mem MB', 'm', 'notes'];
  const notes: string[] = [];
  const body = rows.map((r) => {
    const refs = r.notes.map((n) => {
      notes.push(`[${notes.length + 1}] ${r.network} N=${r.procs} ${r.method}: ${n}`);
      return `[${notes.length}]`;
    });
    return [
      r.network,
      String(r.procs),
      r.method,
      num(r.period),
      num(r.lowerBound),
      pct(r.gap),
      r.valid ? (r.simulatedPeriod === r.period ? 'ok' : num(r.simulatedPeriod)) : 'INVALID',
      num(r.speedupVsSequential, 2),
      num(r.speedupVsGPipe, 2),
      num(r.speedupVsPipeDream, 2),
      pct(r.commOverhead, 3),
      r.staleness.join(','),
      r.peakMemoryBytes === null ? '-' : (r.peakMemoryBytes / 2 ** 20).toFixed(1),
      r.microBatches === undefined ? '' : String(r.microBatches),
      refs.join(''),
    ];
  });
  const numeric = new Set([1, 3, 4, 5, 7, 8, 9, 10, 12, 13]);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((x, c) => (numeric.has(c) ? x.padStart(widths[c]) : x.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(head), ...body.map(line), ...(notes.length > 0 ? ['', ...notes] : [])].join('\n') + '\n';
}

export function register(program: Command, io: CliIO): void {
  program
    .command('compare')
    .description('compare pipelining methods on networks and processor counts: periods, bounds, speedups, communication, memory')
    .argument('<network...>', 'network JSON files or shipped ids')
    .requiredOption('--procs <list>', 'processor counts, e.g. 2,4,8')
    .option('--methods <list>', `comma-separated methods (default: ${METHOD_NAMES.join(',')})`)
    .option('--hw <file>', 'hardware JSON file or shipped id (default hardware otherwise)')
    .option('--micro-batches <m>', 'GPipe: fixed micro-batches (default: best of 1, 2, 4, 8 per cell)')
    .option('--time-limit <s>', 'exact solvers: wall-clock limit in seconds per cell')
    .option('--json', 'print JSON {rows}')
    .action(async (networks: string[], opts: CompareCliOptions) => {
      const procs = parseProcsList(opts.procs);
      const methods = opts.methods !== undefined ? parseMethods(opts.methods).map((m) => m.name) : undefined;
      const options = pipelineOptions(opts);
      const hw = loadHardware(opts.hw);
      const { rows } = await compare({ networks, procs, methods, hw, options });
      if (opts.json) printJson(io, { rows });
      else io.out(formatCompareTable(rows));
      if (rows.some((r) => !r.valid)) throw new CliExit(1);
    });
}
