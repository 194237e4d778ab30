/**
 * The contract of a pipelined-training method (baseline or proposed): one descriptor per
 * file, listed once in solvers/registry.ts. A method builds the task graph it schedules
 * (GPipe's micro-batch graph, PipeDream's stage graph, SpikePipe's fine-grained graph),
 * returns a periodic schedule of that graph with period = cycles per minibatch of B samples,
 * the per-layer staleness it implies and the typed recipe that rebuilds its graph. The
 * application (lib/app/pipeline/run.ts) validates and simulates every result before it is
 * reported, so a speedup P_a / P_b is a ratio of two validated schedules on one cost model.
 */
import type { HardwareSpec, ResolvedNetwork } from '../../lib/model/spec/types';
import type { Cycles, Machine, Schedule, TaskGraph } from '../../lib/model/types';
import type { GraphRecipe } from '../../lib/model/graph/recipe';
import type { SolverStatus } from '../solver';
import type { OptionSpecs, OptionsOf } from '../options';

/** One cell: a network on a hardware spec with N processors. */
export interface PipelineContext {
  net: ResolvedNetwork;
  hw: HardwareSpec;
  machine: Machine;
  procs: number;
  /**
   * The result of another method on the same cell — a baseline whose plan seeds a search
   * (SpikePipe starts from PipeDream's and GPipe's assignments). The caller computes it once
   * per cell, with the options it gives that method, validated and simulated like any row.
   */
  use<D>(method: PipelineMethod<any, D>): Promise<PipelineResult<D>>;
}

export interface PipelineResult<D = Record<string, unknown>> {
  method: string;
  /** The graph the schedule is for. */
  graph: TaskGraph;
  /** How to rebuild `graph` from the network and hardware (written into schedule files). */
  recipe: GraphRecipe;
  /** Periodic schedule: `period` cycles per minibatch. */
  schedule: Schedule;
  period: Cycles;
  /** d_l per weight layer (index l−1). */
  staleness: number[];
  status: SolverStatus;
  /** Lower bound on this method's achievable period for its own graph (for gap columns). */
  bound: Cycles;
  /**
   * What `bound` bounds. 'graph': a proven lower bound on the period of ANY valid schedule of
   * `graph` on the context's machine (links included), so lib/app/pipeline/run.ts raises it to
   * the graph's own bounds for the row. 'problem': a proven lower bound on the period of any
   * schedule the method may return under its delay rule and budgets — the graph's own delays
   * were read off this schedule, so its T∞ is not one; the row takes `bound` as it is.
   * 'method': only what this method can reach (sequential: one processor), not used for the row.
   */
  boundScope: 'graph' | 'problem' | 'method';
  /**
   * With a budget: whether `bound` takes every active budget into account (true), or is a
   * budget-blind bound — valid, since a budget only removes schedules, but weaker (false).
   */
  boundUnderBudget?: boolean;
  /** Micro-batches per minibatch, for methods that split the minibatch (GPipe). */
  microBatches?: number;
  /** Model chunks per processor, for methods that interleave them (interleaved 1F1B, ZB-V, DualPipeV). */
  chunksPerRank?: number;
  /** Method-specific facts, typed per method (its descriptor's `D`). */
  details: D;
  notes: string[];
  solverSeconds: number;
}

/**
 * baseline: a standard pipeline the others are measured against; search: a scheduler that
 * searches assignments and delays (LayerPipe, SpikePipe); exact: a search whose optimality a
 * MILP proves under a wall-clock limit (`reproduce` runs these in --full mode only).
 */
export type MethodKind = 'baseline' | 'search' | 'exact';

export interface PipelineMethod<S extends OptionSpecs = OptionSpecs, D = Record<string, unknown>> {
  /** The name on the command line, in sweep specs and in rows. */
  name: string;
  /** Column title in the tables. */
  title: string;
  /** One line for `--help`. */
  description: string;
  kind: MethodKind;
  /** The options it takes (anything else is refused), with their defaults. */
  options: S;
  run(ctx: PipelineContext, options: OptionsOf<S>): Promise<PipelineResult<D>>;
}

/** Define a method keeping its option and detail types. */
export function defineMethod<const S extends OptionSpecs, D>(m: PipelineMethod<S, D>): PipelineMethod<S, D> {
  return m;
}

/** The delay rules a method may take as its `delayRule` option (empty when it has none). */
export function delayRulesOf(m: PipelineMethod<any, unknown>): readonly string[] {
  const s = (m.options as OptionSpecs).delayRule;
  return s && s.type === 'enum' ? s.values : [];
}
