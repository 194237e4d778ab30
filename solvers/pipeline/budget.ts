/**
 * Budgets a schedule must meet, as method options: communication (the bytes crossing
 * processors may exceed PipeDream's at the same network and N by at most a share of the total
 * communication of training — the overhead the paper bounds by 0.5 %), staleness (a cap on every
 * d_l) and memory (peak bytes per processor as the simulator counts them: weights, stashed
 * versions, activations held). The solvers enforce them while they search — the byte cap in the
 * assignment searches, the modulo scheduler and the period MILP, the staleness cap as the loop
 * delays they place against — except memory, which depends on the timing of a placed schedule
 * and is checked on every candidate placement (lib/model/schedule/simulate.ts), never after the
 * choice. Resolving a budget against a cell gives the numbers the solvers use.
 */
import { fail } from '../../lib/model/errors';
import type { Machine, Schedule, TaskGraph } from '../../lib/model/types';
import { crossingBytes as scheduleCrossing, trainingCommunication } from '../../lib/model/metrics/communication';
import { trainingMemoryTraffic } from '../../lib/model/metrics/memory-traffic';
import { simulate } from '../../lib/model/schedule/simulate';
import { defineOptions, type OptionsOf, type StalenessCap } from '../options';
import type { PipelineContext, PipelineResult } from './method';
import { maxOf } from '../../lib/model/extrema';

/** Simulated iterations for the memory check: the same K the application's runs simulate. */
export const MEMORY_ITERATIONS = 32;

export const BUDGET_OPTIONS = defineOptions({
  maxCommOverhead: {
    type: 'number',
    min: 0,
    max: 1,
    description: "communication budget: bytes crossing processors at most PipeDream's plus this share of the total communication of training (the paper: 0.005)",
  },
  commReading: {
    type: 'enum',
    values: ['edges', 'traffic'],
    default: 'edges',
    description: "the total communication maxCommOverhead is a share of: edges (every edge of the task graph plus one read and one write of every weight) or traffic (that plus every task's SRAM traffic)",
  },
  maxStaleness: { type: 'staleness', description: "staleness budget per layer: none (every d_l = 0), pipedream (PipeDream's d_l at this N), K, or d1,…,dL" },
  maxMemoryBytes: { type: 'integer', min: 1, description: 'memory budget: peak bytes per processor (weights, stashed versions, activations) as the simulator counts them' },
});

export type BudgetOptions = Partial<OptionsOf<typeof BUDGET_OPTIONS>>;

/** A budget in the numbers the solvers use (Infinity / null where there is none). */
export interface ResolvedBudget {
  /** Crossing bytes per iteration allowed. */
  maxBytes: number;
  /** Cap on d_l per layer, or null. */
  staleness: number[] | null;
  maxMemoryBytes: number;
  /** PipeDream's crossing bytes and the total communication the byte cap was computed from. */
  pipedreamBytes: number;
  totalCommunication: number;
}

export function hasBudget(o: BudgetOptions): boolean {
  return o.maxCommOverhead !== undefined || o.maxStaleness !== undefined || o.maxMemoryBytes !== undefined;
}

/** Per-layer cap of a staleness budget for L layers (PipeDream's staleness for 'pipedream'). */
export function stalenessCapOf(cap: StalenessCap, L: number, pipedreamStaleness: readonly number[]): number[] {
  if (cap === 'none') return new Array<number>(L).fill(0);
  if (cap === 'pipedream') return pipedreamStaleness.slice();
  if (typeof cap === 'number') return new Array<number>(L).fill(cap);
  if (cap.length !== L) fail('maxStaleness', `expected ${L} values (one per weight layer), got ${cap.length}`);
  return cap.slice();
}

/** The numbers of a budget on a cell; PipeDream's result on it gives the reference bytes and staleness. */
export function resolveBudget(ctx: PipelineContext, o: BudgetOptions, pd: PipelineResult<unknown>): ResolvedBudget {
  const L = ctx.net.weightLayers.length;
  // The share is of the reading the budget names (README, Model choices: two readings).
  const totalCommunication = o.commReading === 'traffic' ? trainingMemoryTraffic(ctx.net, ctx.hw) : trainingCommunication(ctx.net, ctx.hw);
  const pipedreamBytes = scheduleCrossing(pd.graph, pd.schedule).total;
  const maxBytes = o.maxCommOverhead === undefined ? Infinity : Math.floor(pipedreamBytes + o.maxCommOverhead * totalCommunication + 1e-9);
  const staleness = o.maxStaleness === undefined ? null : stalenessCapOf(o.maxStaleness, L, pd.staleness);
  if (o.maxMemoryBytes !== undefined) {
    const largest = maxOf(ctx.net.weightLayers.map((w) => w.params * ctx.hw.bytesPerValue));
    if (o.maxMemoryBytes < largest) fail('maxMemoryBytes', `${o.maxMemoryBytes} B is below the largest layer's own weights (${largest} B); no processor could hold them`);
  }
  return { maxBytes, staleness, maxMemoryBytes: o.maxMemoryBytes ?? Infinity, pipedreamBytes, totalCommunication };
}

/** Peak memory per processor of a periodic schedule, as the simulator measures it. */
export function peakMemory(g: TaskGraph, m: Machine, s: Schedule): number {
  return simulate(g, m, s, { iterations: MEMORY_ITERATIONS }).peakMemoryBytes;
}

/** "≤ 0.5 % comm., d ≤ pipedream, ≤ 2 MB" — the active budget in words, for notes. */
export function describeBudget(o: BudgetOptions): string {
  const parts: string[] = [];
  if (o.maxCommOverhead !== undefined) parts.push(`comm. overhead ≤ ${+(100 * o.maxCommOverhead).toFixed(4)} %${o.commReading === 'traffic' ? ' of the traffic reading' : ''}`);
  if (o.maxStaleness !== undefined) parts.push(`d_l ≤ ${Array.isArray(o.maxStaleness) ? `[${o.maxStaleness.join(',')}]` : o.maxStaleness}`);
  if (o.maxMemoryBytes !== undefined) parts.push(`peak memory ≤ ${o.maxMemoryBytes} B`);
  return parts.join(', ');
}
