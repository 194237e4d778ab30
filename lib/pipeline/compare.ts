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
import type { HardwareSpec, ResolvedNetwork } from '../spec/types';
import { fail, InputError } from '../errors';
import { loadNetwork } from '../spec/network';
import { machineFromHardware } from '../spec/hardware';
import { checkProcs } from '../machine';
import { commOverhead, speedup } from '../metrics';
import type { PipelineContext, PipelineOptions } from '../../solvers/pipeline/method';
import { getMethod, METHOD_NAMES } from '../../solvers/pipeline/registry';
import { checkProcsForNetwork, runMethod, trainingCommunication, type PipelineRunResult } from './run';

export interface CompareRow {
  network: string;
  procs: number;
  method: string;
  /** Cycles per minibatch (null when the method failed). */
  period: number | null;
  lowerBound: number | null;
  /** (period − lowerBound) / lowerBound. */
  gap: number | null;
  valid: boolean;
  simulatedPeriod: number | null;
  /** (crossing − crossing of PipeDream) / total communication of training. */
  commOverhead: number | null;
  crossingBytes: number | null;
  /** d_l per weight layer. */
  staleness: number[];
  /** Largest per-processor peak (weights + activations) in the simulation. */
  peakMemoryBytes: number | null;
  speedupVsSequential: number | null;
  speedupVsGPipe: number | null;
  speedupVsPipeDream: number | null;
  /** GPipe only: the micro-batch count used. */
  microBatches?: number;
  solverSeconds: number;
  notes: string[];
}

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

type Outcome = { ok: true; run: PipelineRunResult } | { ok: false; error: string; seconds: number };

async function attempt(name: string, ctx: PipelineContext, total: number, iterations?: number): Promise<Outcome> {
  const t0 = performance.now();
  try {
    return { ok: true, run: await runMethod(name, ctx, { totalCommunication: total, iterations }) };
  } catch (err) {
    if (err instanceof InputError) throw err;
    return { ok: false, error: err instanceof Error ? err.message : String(err), seconds: (performance.now() - t0) / 1000 };
  }
}

function row(net: ResolvedNetwork, procs: number, method: string, o: Outcome, refs: Map<string, Outcome>): CompareRow {
  if (!o.ok) {
    return {
      network: net.spec.name,
      procs,
      method,
      period: null,
      lowerBound: null,
      gap: null,
      valid: false,
      simulatedPeriod: null,
      commOverhead: null,
      crossingBytes: null,
      staleness: [],
      peakMemoryBytes: null,
      speedupVsSequential: null,
      speedupVsGPipe: null,
      speedupVsPipeDream: null,
      solverSeconds: o.seconds,
      notes: [`error: ${o.error}`],
    };
  }
  const r = o.run;
  const P = r.result.period;
  const ref = (name: string) => {
    const x = refs.get(name);
    return x && x.ok ? x.run : null;
  };
  const vs = (name: string) => {
    const b = ref(name);
    return b ? speedup(b.result.period, P) : null;
  };
  const pd = ref('pipedream');
  const out: CompareRow = {
    network: net.spec.name,
    procs,
    method: r.method,
    period: P,
    lowerBound: r.lowerBound,
    gap: r.gap,
    valid: r.validation.valid,
    simulatedPeriod: r.simulation.measuredPeriod,
    commOverhead: pd ? commOverhead(r.crossing.total, pd.crossing.total, r.totalCommunication) : null,
    crossingBytes: r.crossing.total,
    staleness: [...r.result.staleness],
    peakMemoryBytes: r.peakMemoryBytes,
    speedupVsSequential: vs('sequential'),
    speedupVsGPipe: vs('gpipe'),
    speedupVsPipeDream: vs('pipedream'),
    solverSeconds: r.result.solverSeconds,
    notes: r.notes,
  };
  const mb = r.result.details.microBatches;
  if (typeof mb === 'number') out.microBatches = mb;
  return out;
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
      const outcomes = new Map<string, Outcome>();
      for (const b of BASELINES) outcomes.set(b, await attempt(b, ctx, totalComm, input.iterations));
      for (const m of methods) {
        if (!outcomes.has(m)) outcomes.set(m, await attempt(m, ctx, totalComm, input.iterations));
        const r = row(net, N, m, outcomes.get(m)!, outcomes);
        rows.push(r);
        input.onRow?.(r, rows.length, total);
      }
    }
  }
  return { rows };
}
