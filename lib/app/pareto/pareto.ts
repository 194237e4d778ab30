/**
 * `spikepipe pareto`: the trade-off between period, communication overhead, staleness and
 * memory of SpikePipe's schedules on one (network, hardware, N), as the non-dominated set of
 * validated, simulated schedules.
 *
 * Method: an ε-constraint sweep (Haimes et al. 1971). Every pair (communication cap, staleness
 * cap) of a grid is one SpikePipe run with those budgets (solvers/pipeline/budget.ts: the solvers
 * enforce them), which minimises the period within them; the points of every run go through the
 * validator and the simulator (the cell of lib/app/pipeline/run.ts), and the non-dominated ones
 * on the chosen axes are the front. The grid's caps are the ε levels: a front point is optimal
 * for its own budget only as far as the solver is, so where the graph is small enough for the
 * period MILP (spikepipe-ilp, ≤ 40 tasks) each front point is solved again by it under the same
 * budget and marked `proven` when the MILP closes the gap — improving the point if it finds a
 * shorter period. Between the ε levels the front is only sampled: a schedule of overhead 0.7 %
 * is found only if some cap lets it through, so the caps are dense where the paper's claim sits.
 *
 * Cost: |comm caps| × |staleness caps| SpikePipe runs (PipeDream and GPipe once per cell), plus
 * one MILP per front point when proving; deterministic apart from where a MILP time limit cuts.
 */
import type { HardwareSpec, ResolvedNetwork } from '../../model/spec/types';
import { loadNetwork } from '../../model/spec/network';
import { fail } from '../../model/errors';
import { checkProcs } from '../../model/machine';
import { scheduleFileJson } from '../../model/schedule/schedule';
import { commOverhead } from '../../model/metrics';
import type { StalenessCap } from '../../../solvers/options';
import { spikepipe } from '../../../solvers/pipeline/spikepipe';
import { spikepipeIlp, MAX_ILP_TASKS } from '../../../solvers/pipeline/spikepipe-ilp';
import { pipedream } from '../../../solvers/pipeline/pipedream';
import { gpipe } from '../../../solvers/pipeline/gpipe';
import { checkProcsForNetwork, pipelineCell, type PipelineCell, type PipelineRunResult } from '../pipeline/run';
import { nonDominated, PARETO_AXES, type ParetoAxis } from './front';
import type { ParetoBudget, ParetoPoint, ParetoResult } from '../../../reports/rows';

export type { ParetoBudget, ParetoPoint, ParetoResult };

/** Communication caps of the default grid (shares of all communication of training; null = none). */
export const DEFAULT_COMM_CAPS: readonly (number | null)[] = [0, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, null];
/** Staleness caps of the default grid (null = none: the minimal delay rule). */
export const DEFAULT_STALENESS_CAPS: readonly (StalenessCap | null)[] = ['none', 1, 'pipedream', null];

export interface ParetoInput {
  network: string | ResolvedNetwork;
  hw: HardwareSpec;
  procs: number;
  /** Objectives of the front (default period, comm, staleness). */
  axes?: ParetoAxis[];
  commCaps?: readonly (number | null)[];
  stalenessCaps?: readonly (StalenessCap | null)[];
  /** Solve the front points with the period MILP where the graph allows (default true). */
  prove?: boolean;
  /** The MILP's wall-clock limit per point, seconds (default 10). */
  timeLimitSeconds?: number;
  /** Called after every run: done of total. */
  onProgress?: (done: number, total: number, what: string) => void;
}

function checkAxes(axes: readonly string[]): ParetoAxis[] {
  if (axes.length === 0) fail('--axes', 'give at least one axis');
  for (const a of axes) if (!(PARETO_AXES as readonly string[]).includes(a)) fail('--axes', `unknown axis "${a}" (known: ${PARETO_AXES.join(', ')})`);
  return [...new Set(axes)] as ParetoAxis[];
}

function objectives(p: ParetoPoint, axes: readonly ParetoAxis[]): number[] {
  return axes.map((a) => (a === 'period' ? p.period : a === 'comm' ? p.commOverhead : a === 'staleness' ? p.stalenessSum : p.peakMemoryBytes));
}

function budgetOptions(b: ParetoBudget): Record<string, unknown> {
  return {
    ...(b.maxCommOverhead !== null ? { maxCommOverhead: b.maxCommOverhead } : {}),
    ...(b.maxStaleness !== null ? { maxStaleness: b.maxStaleness } : {}),
  };
}

function pointOf(cell: PipelineCell, run: PipelineRunResult, budget: ParetoBudget, pd: PipelineRunResult, gp: PipelineRunResult): ParetoPoint {
  const r = run.result;
  const total = cell.totalCommunication();
  return {
    period: r.period,
    commOverhead: commOverhead(run.crossing.total, pd.crossing.total, total),
    crossingBytes: run.crossing.total,
    staleness: [...r.staleness],
    stalenessSum: r.staleness.reduce((a, b) => a + b, 0),
    peakMemoryBytes: run.peakMemoryBytes,
    lowerBound: run.lowerBound,
    proven: r.status === 'optimal' && r.boundUnderBudget !== false,
    budget,
    method: run.method,
    speedupVsPipeDream: pd.result.period / r.period,
    speedupVsGPipe: gp.result.period / r.period,
    schedule: scheduleFileJson({ ...r.schedule, staleness: [...r.staleness], method: run.method }, { network: cell.net.spec.name, hardware: cell.hw.name, ...r.recipe }),
  };
}

const sameSchedule = (a: ParetoPoint, b: ParetoPoint) => JSON.stringify(a.schedule.tasks) === JSON.stringify(b.schedule.tasks) && a.period === b.period;

/** Run the sweep (see the module comment). */
export async function pareto(input: ParetoInput): Promise<ParetoResult> {
  const net = typeof input.network === 'string' ? loadNetwork(input.network) : input.network;
  checkProcs(input.procs);
  checkProcsForNetwork(net, input.hw, input.procs);
  const axes = checkAxes(input.axes ?? ['period', 'comm', 'staleness']);
  const commCaps = input.commCaps ?? DEFAULT_COMM_CAPS;
  const stalenessCaps = input.stalenessCaps ?? DEFAULT_STALENESS_CAPS;
  const cell = pipelineCell({ net, hw: input.hw, procs: input.procs });
  const pd = await cell.run(pipedream);
  const gp = await cell.run(gpipe);
  const budgets: ParetoBudget[] = [];
  for (const s of stalenessCaps) for (const c of commCaps) budgets.push({ maxCommOverhead: c, maxStaleness: s });
  const evaluated: ParetoPoint[] = [];
  let runs = 0;
  for (const b of budgets) {
    input.onProgress?.(runs, budgets.length, `comm ≤ ${b.maxCommOverhead ?? '∞'}, d ≤ ${b.maxStaleness ?? '∞'}`);
    const p = pointOf(cell, await cell.run(spikepipe, budgetOptions(b)), b, pd, gp);
    runs++;
    // The same schedule from a later (looser) budget: keep the looser one, the stronger claim.
    const same = evaluated.findIndex((q) => sameSchedule(p, q));
    if (same < 0) evaluated.push(p);
    else evaluated[same] = p; // its bound and proof hold under the looser budget; the tighter run's need not
  }
  input.onProgress?.(runs, budgets.length, 'front');
  let front = nonDominated(evaluated.map((p) => objectives(p, axes))).map((i) => evaluated[i]);
  const graphTasks = spikepipeGraphTasks(front[0]);
  if ((input.prove ?? true) && graphTasks <= MAX_ILP_TASKS) {
    const timeLimitSeconds = input.timeLimitSeconds ?? 10;
    for (const [k, p] of front.entries()) {
      if (p.proven) continue;
      input.onProgress?.(k, front.length, `proving ${p.period}`);
      const exact = pointOf(cell, await cell.run(spikepipeIlp, { ...budgetOptions(p.budget), timeLimitSeconds }), p.budget, pd, gp);
      runs++;
      const i = evaluated.indexOf(p);
      if (exact.period < p.period || (exact.period === p.period && exact.proven)) evaluated[i] = exact.period < p.period ? exact : { ...p, proven: true, lowerBound: exact.lowerBound };
    }
    front = nonDominated(evaluated.map((p) => objectives(p, axes))).map((i) => evaluated[i]);
  }
  front.sort((a, b) => a.period - b.period || a.commOverhead - b.commOverhead || a.stalenessSum - b.stalenessSum);
  return {
    network: net.spec.name,
    hardware: input.hw.name,
    procs: input.procs,
    axes,
    points: front,
    evaluated,
    pipedream: { period: pd.result.period, staleness: [...pd.result.staleness], crossingBytes: pd.crossing.total },
    gpipe: { period: gp.result.period },
    totalCommunication: cell.totalCommunication(),
    runs,
  };
}

/** Tasks of the graph a point's schedule is for (the MILP's size criterion). */
function spikepipeGraphTasks(p: ParetoPoint | undefined): number {
  return p ? (p.schedule.tasks as unknown[]).length : Infinity;
}
