/**
 * The comparison table behind `spikepipe compare`: every (network, N, method) cell run through
 * runMethod (validated, simulated, measured), with speedups against the three baselines of the
 * same network and N and the communication overhead against PipeDream's schedule.
 *
 * Inputs are checked before anything runs (unknown method, N above the task count, a fixed
 * micro-batch count not dividing some network's batch: InputError). A method that throws an
 * InputError for one cell aborts the table the same way (bad input). Any other failure is a bug
 * in that method: its row says `valid: false` with the error in `notes`, and the table goes on.
 *
 * Rows are ordered as given (networks, then N, then methods); everything but `solverSeconds` is
 * deterministic.
 */
import type { HardwareSpec, ResolvedNetwork } from '../../model/spec/types';
import { fail, InputError } from '../../model/errors';
import { loadNetwork } from '../../model/spec/network';
import { machineFromHardware } from '../../model/spec/hardware';
import { checkProcs } from '../../model/machine';
import type { PipelineContext, PipelineOptions } from '../../../solvers/pipeline/method';
import { getMethod, METHOD_NAMES } from '../../../solvers/pipeline/registry';
import { checkProcsForNetwork, runMethod, trainingCommunication } from './run';
import { cellFromRun, failedCell, joinCells, type Cell, type CompareRow } from './cells';

export type { CompareRow } from './cells';

export interface CompareInput {
  /** Network ids or paths, or resolved networks. */
  networks: (string | ResolvedNetwork)[];
  procs: number[];
  /** Method names (default: every registered method). */
  methods?: string[];
  hw: HardwareSpec;
  options?: PipelineOptions;
  /** Simulated iterations (default 32). */
  iterations?: number;
  /** Called after each row (progress display). */
  onRow?: (row: CompareRow, done: number, total: number) => void;
}

export interface CompareResult {
  rows: CompareRow[];
}

const BASELINES = ['sequential', 'gpipe', 'pipedream'] as const;

function checkInput(nets: ResolvedNetwork[], procs: number[], methods: string[], hw: HardwareSpec, options: PipelineOptions): void {
  if (procs.length === 0) fail('--procs', 'no processor count given');
  for (const m of methods) getMethod(m, '--methods');
  for (const p of procs) checkProcs(p);
  for (const net of nets) {
    for (const p of procs) checkProcsForNetwork(net, hw, p);
    const mb = options.microBatches;
    if (mb !== undefined && (!Number.isInteger(mb) || mb < 1 || net.spec.batch % mb !== 0)) {
      fail('--micro-batches', `must be a positive integer dividing the batch ${net.spec.batch} of ${net.spec.name}, got ${mb}`);
    }
  }
}

async function attempt(key: { network: string; hardware: string; procs: number; method: string }, ctx: PipelineContext, total: number, iterations?: number): Promise<Cell> {
  const t0 = performance.now();
  try {
    return cellFromRun(key, await runMethod(key.method, ctx, { totalCommunication: total, iterations }));
  } catch (err) {
    if (err instanceof InputError) throw err;
    return failedCell(key, err instanceof Error ? err.message : String(err), (performance.now() - t0) / 1000);
  }
}

/** Run the table. See the module comment. */
export async function compare(input: CompareInput): Promise<CompareResult> {
  const nets = input.networks.map((n) => (typeof n === 'string' ? loadNetwork(n) : n));
  const procs = [...new Set(input.procs)];
  const methods = [...new Set(input.methods ?? METHOD_NAMES)];
  const options = input.options ?? {};
  checkInput(nets, procs, methods, input.hw, options);
  const rows: CompareRow[] = [];
  const total = nets.length * procs.length * methods.length;
  for (const net of nets) {
    const totalComm = trainingCommunication(net, input.hw);
    for (const N of procs) {
      const ctx: PipelineContext = { net, hw: input.hw, machine: machineFromHardware(input.hw, N), procs: N, options };
      const key = (method: string) => ({ network: net.spec.name, hardware: input.hw.name, procs: N, method });
      const cells = new Map<string, Cell>();
      // Baselines first: every row's speedups refer to them, even when they are not shown.
      for (const b of BASELINES) cells.set(b, await attempt(key(b), ctx, totalComm, input.iterations));
      for (const m of methods) {
        if (!cells.has(m)) cells.set(m, await attempt(key(m), ctx, totalComm, input.iterations));
        const row = joinCells([...BASELINES.map((b) => cells.get(b)!), cells.get(m)!]).at(-1)!;
        rows.push(row);
        input.onRow?.(row, rows.length, total);
      }
    }
  }
  return { rows };
}
