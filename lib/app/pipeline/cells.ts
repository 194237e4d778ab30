/**
 * Cells and rows. A cell is one method run on one (network, hardware, N): everything that
 * depends on that run alone. A row adds what needs the other methods of the same
 * (network, hardware, N): speedups over the baselines and the communication overhead against
 * PipeDream. `compare` and the sweeps both produce cells and join them here, so the in-process
 * table and a sharded, resumed sweep give the same rows.
 */
import type { Schedule } from '../../model/types';
import type { CompareRow } from '../../../reports/rows';

export type { CompareRow };
import { commOverhead, speedup } from '../../model/metrics';
import type { PipelineRunResult } from './run';
import { gpipe } from '../../../solvers/pipeline/gpipe';
import { pipedream } from '../../../solvers/pipeline/pipedream';
import { sequential } from '../../../solvers/pipeline/sequential';
import { listMethods } from '../../../solvers/registry';
import { maxOf } from '../../model/extrema';

/** The methods every row's speedups refer to (and PipeDream: the communication overhead). */
export const REFERENCE_METHODS = [sequential.name, gpipe.name, pipedream.name] as const;

export interface Cell {
  network: string;
  /** Hardware label (spec name or sweep variant label). */
  hardware: string;
  procs: number;
  method: string;
  /** SpikePipe's delay rule where the method has one. */
  delayRule?: string;
  /** A named configuration of the method (a sweep variant). */
  variant?: string;
  ok: boolean;
  error?: string;
  period: number | null;
  lowerBound: number | null;
  gap: number | null;
  valid: boolean;
  simulatedPeriod: number | null;
  crossingBytes: number | null;
  /** Total communication of training (the overhead denominator). */
  totalCommunication: number | null;
  /** Its second reading, with the memory traffic of every task. */
  totalTraffic?: number | null;
  staleness: number[];
  peakMemoryBytes: number | null;
  /** Largest per-processor peaks of the activations held and of the weight versions held (simulated). */
  peakActivationBytes?: number | null;
  peakWeightBytes?: number | null;
  microBatches?: number;
  chunksPerRank?: number;
  /** With a budget: whether the lower bound takes it into account (false: a budget-blind bound). */
  boundUnderBudget?: boolean;
  solverSeconds: number;
  notes: string[];
}


/** What names a cell: where, which method, and its delay rule or variant. */
export interface CellKey {
  network: string;
  hardware: string;
  procs: number;
  method: string;
  delayRule?: string;
  variant?: string;
}

export function cellFromRun(
  key: CellKey,
  r: PipelineRunResult,
): Cell {
  const cell: Cell = {
    ...key,
    ok: true,
    period: r.result.period,
    lowerBound: r.lowerBound,
    gap: r.gap,
    valid: r.validation.valid,
    simulatedPeriod: r.simulation.measuredPeriod,
    crossingBytes: r.crossing.total,
    totalCommunication: r.totalCommunication,
    totalTraffic: r.totalTraffic,
    staleness: [...r.result.staleness],
    peakMemoryBytes: r.peakMemoryBytes,
    peakActivationBytes: maxOf(r.simulation.peakMemory.map((x) => x.activationBytes), 0),
    peakWeightBytes: maxOf(r.simulation.peakMemory.map((x) => x.weightBytes), 0),
    solverSeconds: r.result.solverSeconds,
    notes: r.notes,
  };
  if (r.result.microBatches !== undefined) cell.microBatches = r.result.microBatches;
  if (r.result.chunksPerRank !== undefined) cell.chunksPerRank = r.result.chunksPerRank;
  if (r.result.boundUnderBudget !== undefined) cell.boundUnderBudget = r.result.boundUnderBudget;
  return cell;
}

export function failedCell(key: CellKey, error: string, seconds: number): Cell {
  return {
    ...key,
    ok: false,
    error,
    period: null,
    lowerBound: null,
    gap: null,
    valid: false,
    simulatedPeriod: null,
    crossingBytes: null,
    totalCommunication: null,
    staleness: [],
    peakMemoryBytes: null,
    solverSeconds: seconds,
    notes: [`error: ${error}`],
  };
}

const groupKey = (c: { network: string; hardware: string; procs: number }) => `${c.network}|${c.hardware}|${c.procs}`;

/** The fastest baseline of a group that is synchronous (every d_l = 0) or asynchronous (some d_l > 0). */
function bestBaseline(refs: Map<string, Cell> | undefined, synchronous: boolean): Cell | null {
  let best: Cell | null = null;
  for (const c of refs?.values() ?? []) {
    const kind = listMethods().find((m) => m.name === c.method)?.kind;
    if (kind !== 'baseline' || c.period === null || c.staleness.every((d) => d === 0) !== synchronous) continue;
    if (!best || c.period < best.period!) best = c;
  }
  return best;
}

/**
 * Rows for the given cells, in the cells' order. Baselines (sequential, gpipe, pipedream) are
 * looked up among the cells of the same network, hardware and N; a missing baseline leaves the
 * corresponding speedup (or overhead) null. The best synchronous and asynchronous baselines are
 * the fastest among the baseline cells present.
 */
export function joinCells(cells: Cell[]): CompareRow[] {
  const base = new Map<string, Map<string, Cell>>();
  for (const c of cells) {
    if (!c.ok || c.variant !== undefined || (c.delayRule !== undefined && c.delayRule !== 'minimal')) continue;
    const k = groupKey(c);
    if (!base.has(k)) base.set(k, new Map());
    if (!base.get(k)!.has(c.method)) base.get(k)!.set(c.method, c);
  }
  return cells.map((c) => {
    const refs = base.get(groupKey(c));
    const ref = (name: string) => refs?.get(name) ?? null;
    const vs = (name: string) => {
      const b = ref(name);
      return c.period !== null && b?.period ? speedup(b.period, c.period) : null;
    };
    const pd = ref(pipedream.name);
    const bestSync = bestBaseline(refs, true);
    const bestAsync = bestBaseline(refs, false);
    const row: CompareRow = {
      network: c.network,
      hardware: c.hardware,
      procs: c.procs,
      method: c.method,
      ...(c.delayRule ? { delayRule: c.delayRule } : {}),
      ...(c.variant ? { variant: c.variant } : {}),
      period: c.period,
      lowerBound: c.lowerBound,
      gap: c.gap,
      valid: c.valid,
      simulatedPeriod: c.simulatedPeriod,
      commOverhead:
        c.crossingBytes !== null && pd?.crossingBytes != null && c.totalCommunication ? commOverhead(c.crossingBytes, pd.crossingBytes, c.totalCommunication) : null,
      commOverheadTraffic: c.crossingBytes !== null && pd?.crossingBytes != null && c.totalTraffic ? commOverhead(c.crossingBytes, pd.crossingBytes, c.totalTraffic) : null,
      crossingBytes: c.crossingBytes,
      totalCommunication: c.totalCommunication,
      staleness: c.staleness,
      peakMemoryBytes: c.peakMemoryBytes,
      speedupVsSequential: vs(sequential.name),
      speedupVsGPipe: vs(gpipe.name),
      speedupVsPipeDream: vs(pipedream.name),
      ...(bestSync ? { bestSync: bestSync.method, speedupVsBestSync: c.period !== null ? speedup(bestSync.period!, c.period) : null } : {}),
      ...(bestAsync ? { bestAsync: bestAsync.method, speedupVsBestAsync: c.period !== null ? speedup(bestAsync.period!, c.period) : null } : {}),
      ...(c.peakActivationBytes != null ? { peakActivationBytes: c.peakActivationBytes, peakWeightBytes: c.peakWeightBytes ?? null } : {}),
      ...(c.microBatches !== undefined ? { microBatches: c.microBatches } : {}),
      ...(c.chunksPerRank !== undefined ? { chunksPerRank: c.chunksPerRank } : {}),
      ...(c.boundUnderBudget !== undefined ? { boundUnderBudget: c.boundUnderBudget } : {}),
      solverSeconds: c.solverSeconds,
      notes: c.notes,
    };
    return row;
  });
}

/** A compact schedule summary kept beside cells where a report needs one (Gantt, trace). */
export type CellSchedule = Schedule;
