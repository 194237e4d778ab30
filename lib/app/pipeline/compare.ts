/**
 * The comparison table behind `spikepipe compare`: every (network, N, method) cell run through
 * runMethod (validated, simulated, measured), with speedups against the three baselines of the
 * same network and N and the communication overhead against PipeDream's schedule.
 *
 * Inputs are checked before anything runs (unknown method, an option a method does not take,
 * N above the task count, a fixed micro-batch count not dividing some network's batch:
 * InputError). Each (network, N) is one cell (lib/app/pipeline/run.ts): every method runs once
 * in it, and SpikePipe's seeds are the very PipeDream and GPipe rows of the table. A method that throws an
 * InputError for one cell aborts the table the same way (bad input). Any other failure is a bug
 * in that method: its row says `valid: false` with the error in `notes`, and the table goes on.
 *
 * Rows are ordered as given (networks, then N, then methods); everything but `solverSeconds` is
 * deterministic.
 */
import type { HardwareSpec, ResolvedNetwork } from '../../model/spec/types';
import { fail, InputError } from '../../model/errors';
import { loadNetwork } from '../../model/spec/network';
import { checkProcs } from '../../model/machine';
import { methodNames } from '../../../solvers/registry';
import { checkMethodOptions, checkProcsForNetwork, pipelineCell, type MethodOptions, type PipelineCell } from './run';
import { cellFromRun, failedCell, joinCells, REFERENCE_METHODS, type Cell, type CompareRow } from './cells';

export type { CompareRow } from './cells';

export interface CompareInput {
  /** Network ids or paths, or resolved networks. */
  networks: (string | ResolvedNetwork)[];
  procs: number[];
  /** Method names (default: every registered method). */
  methods?: string[];
  hw: HardwareSpec;
  /** Options per method name (checked against each method's descriptor before anything runs). */
  options?: MethodOptions;
  /** Simulated iterations (default 32). */
  iterations?: number;
  /** Called after each row (progress display). */
  onRow?: (row: CompareRow, done: number, total: number) => void;
}

export interface CompareResult {
  rows: CompareRow[];
}

function checkInput(nets: ResolvedNetwork[], procs: number[], methods: string[], hw: HardwareSpec, options: MethodOptions): void {
  if (procs.length === 0) fail('--procs', 'no processor count given');
  const known = methodNames();
  for (const m of methods) if (!known.includes(m)) fail('--methods', `unknown method ${JSON.stringify(m)} (known: ${known.join(', ')})`);
  checkMethodOptions(options, 'options');
  for (const p of procs) checkProcs(p);
  for (const net of nets) {
    for (const p of procs) checkProcsForNetwork(net, hw, p);
    const mb = options.gpipe?.microBatches;
    if (typeof mb === 'number' && net.spec.batch % mb !== 0) {
      fail('--micro-batches', `must be a positive integer dividing the batch ${net.spec.batch} of ${net.spec.name}, got ${mb}`);
    }
  }
}

/** One cell of the table: an InputError aborts, any other failure is that method's bug (a failed row). */
export async function attempt(key: { network: string; hardware: string; procs: number; method: string; delayRule?: string }, cell: PipelineCell): Promise<Cell> {
  const t0 = performance.now();
  try {
    return cellFromRun(key, await cell.run(key.method));
  } catch (err) {
    if (err instanceof InputError) throw err;
    return failedCell(key, err instanceof Error ? err.message : String(err), (performance.now() - t0) / 1000);
  }
}

/** Run the table. See the module comment. */
export async function compare(input: CompareInput): Promise<CompareResult> {
  const nets = input.networks.map((n) => (typeof n === 'string' ? loadNetwork(n) : n));
  const procs = [...new Set(input.procs)];
  const methods = [...new Set(input.methods ?? methodNames())];
  const options = input.options ?? {};
  checkInput(nets, procs, methods, input.hw, options);
  const rows: CompareRow[] = [];
  const total = nets.length * procs.length * methods.length;
  for (const net of nets) {
    for (const N of procs) {
      const cell = pipelineCell({ net, hw: input.hw, procs: N, options, iterations: input.iterations });
      const key = (method: string) => ({ network: net.spec.name, hardware: input.hw.name, procs: N, method });
      const cells = new Map<string, Cell>();
      // References first: every row's speedups refer to them, even when they are not shown.
      for (const b of REFERENCE_METHODS) cells.set(b, await attempt(key(b), cell));
      for (const m of methods) if (!cells.has(m)) cells.set(m, await attempt(key(m), cell));
      // Joined together: the best synchronous and asynchronous baselines are among all of them.
      const joined = joinCells([...cells.values()]);
      const byMethod = new Map([...cells.keys()].map((m, i) => [m, joined[i]]));
      for (const m of methods) {
        const row = byMethod.get(m)!;
        rows.push(row);
        input.onRow?.(row, rows.length, total);
      }
    }
  }
  return { rows };
}
