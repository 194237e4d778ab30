/**
 * `spikepipe compare <network…> --procs 2,4,8 [--methods list] [--hw f] [--micro-batches m]
 *  [--time-limit s] [--json]`: the comparison table of lib/app/pipeline/compare — one row per
 * (network, N, method), every schedule validated and simulated. `--json` prints `{rows, timings}` (wall-clock seconds kept out of the rows);
 * otherwise a readable table and the notes below it. Exit 1 when a row is invalid (a method
 * failed: a bug, reported in its notes), 2 on bad input.
 */
import type { Command } from 'commander';
import type { CliIO } from '../io';
import { CliExit, printJson } from '../io';
import { fail } from '../../../model/errors';
import { countFromText, LIMITS } from '../../../model/limits';
import { dedupeList } from '../lists';
import { loadHardware } from '../../../model/spec/hardware';
import { compare } from '../../pipeline/compare';
import { compareRowsTable } from '../../../../reports/pipeline-tables';
import { toText } from '../../../../reports/table';
import { getMethod, listMethods, methodNames, parseMethods } from '../../../../solvers/registry';
import { REFERENCE_METHODS } from '../../pipeline/cells';
import { addOptionFlags, methodOptionsFromFlags, type MethodOptionFlags } from '../method-options';

interface CompareCliOptions extends MethodOptionFlags {
  procs?: string;
  methods?: string;
  hw?: string;
  json?: boolean;
}

/** `2,4,8` → [2, 4, 8] (positive integers up to LIMITS.processors, order kept, duplicates dropped unless `unique` is false). */
export function parseProcsList(text: string | undefined, flag = '--procs', unique = true): number[] {
  if (text === undefined || text.trim() === '') fail(flag, 'give one or more processor counts, e.g. 2,4,8');
  const out: number[] = [];
  for (const part of text.split(',')) {
    const s = part.trim();
    if (!/^\d+$/.test(s) || Number(s) < 1) fail(flag, `"${s}" is not a positive integer (in "${text}")`);
    const n = countFromText(s, LIMITS.processors, flag);
    if (!unique || !out.includes(n)) out.push(n);
  }
  return out;
}

export function register(program: Command, io: CliIO): void {
  addOptionFlags(program.command('compare'))
    .description('compare pipelining methods on networks and processor counts: periods, bounds, speedups, communication, memory')
    .argument('<network...>', 'network JSON files or shipped ids')
    .requiredOption('--procs <list>', 'processor counts, e.g. 2,4,8')
    .option('--methods <list>', `comma-separated methods (default: ${methodNames().join(',')})`)
    .option('--hw <file>', 'hardware JSON file or shipped id (default hardware otherwise)')
    .option('--json', 'print JSON {rows, timings}')
    .action(async (networks: string[], opts: CompareCliOptions) => {
      const procs = dedupeList(parseProcsList(opts.procs, '--procs', false), '--procs', io);
      networks = dedupeList(networks, 'networks', io);
      const chosen = opts.methods !== undefined ? parseMethods(dedupeList(opts.methods.split(','), '--methods', io, (s) => s.trim()).join(',')) : [...listMethods()];
      const methods = chosen.map((m) => m.name);
      // The reference methods run in every cell too (speedups refer to them).
      const running = [...new Set([...REFERENCE_METHODS, ...methods])].map((n) => getMethod(n));
      const options = methodOptionsFromFlags(opts, running);
      const hw = loadHardware(opts.hw);
      const { rows } = await compare({ networks, procs, methods, hw, options });
      // Timings apart from the results, so that two identical runs print identical rows.
      if (opts.json) {
        const timings = rows.map((r) => ({ network: r.network, procs: r.procs, method: r.method, solverSeconds: r.solverSeconds }));
        printJson(io, { rows: rows.map(({ solverSeconds: _s, ...rest }) => rest), timings });
      }
      else io.out(toText(compareRowsTable(rows)));
      if (rows.some((r) => !r.valid)) throw new CliExit(1);
    });
}
