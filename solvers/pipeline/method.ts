/**
 * The contract of a pipelined-training method (baseline or proposed). Each method builds the
 * task graph it schedules (GPipe's micro-batch graph, PipeDream's stage graph, SpikePipe's
 * fine-grained graph), returns a periodic schedule of that graph with period = cycles per
 * minibatch of B samples, and the per-layer staleness it implies. Every result passes the
 * validator before it is returned, so a speedup P_a / P_b is a ratio of two validated
 * schedules on one cost model.
 */
import type { HardwareSpec, ResolvedNetwork } from '../../lib/model/spec/types';
import type { Cycles, Machine, Schedule, TaskGraph } from '../../lib/model/types';
import type { SolverStatus } from '../solver';

export interface PipelineOptions {
  /** GPipe micro-batches; undefined = best of 1, 2, 4, 8 dividing B. */
  microBatches?: number;
  /** PipeDream stage replication when procs > layers. */
  replicate?: boolean;
  /** Exact solvers' wall-clock limit, seconds. */
  timeLimitSeconds?: number;
  seed?: number;
  /**
   * SpikePipe delay rule: 'minimal' (smallest delays that reach the target period), '2S'
   * (LayerPipe2: d_l = 2·stages after l, on PipeDream's stages) or 'pipedream' (PipeDream's
   * own per-layer staleness at the same N: no staler than the baseline).
   */
  delayRule?: '2S' | 'minimal' | 'pipedream';
}

export interface PipelineContext {
  net: ResolvedNetwork;
  hw: HardwareSpec;
  machine: Machine;
  procs: number;
  options: PipelineOptions;
}

export interface PipelineResult {
  method: string;
  /** The graph the schedule is for. */
  graph: TaskGraph;
  /** Validated periodic schedule: `period` cycles per minibatch. */
  schedule: Schedule;
  period: Cycles;
  /** d_l per weight layer (index l−1). */
  staleness: number[];
  status: SolverStatus;
  /** Lower bound on this method's achievable period for its own graph (for gap columns). */
  bound: Cycles;
  /**
   * What `bound` bounds. 'graph': a proven lower bound on the period of ANY valid schedule of
   * `graph` on the context's machine (links included), so lib/app/pipeline/run.ts raises the row's
   * lower bound to it. 'method': only what this method can reach (sequential: one processor),
   * not used for the row.
   */
  boundScope: 'graph' | 'method';
  /** Method-specific facts (micro-batches chosen, stage partition, candidate periods…). */
  details: Record<string, unknown>;
  notes: string[];
  solverSeconds: number;
}

export interface PipelineMethod {
  name: string;
  description: string;
  run(ctx: PipelineContext): Promise<PipelineResult>;
}
