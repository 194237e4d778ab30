/**
 * The plain rows the tables render, produced by the application (lib/app): the comparison
 * rows of the pipeline methods, the STG benchmark rows and summaries, the accuracy rows.
 * They live here so that reports depend on nothing above them.
 */
import type { SolverStatus } from '../solvers/solver';
import type { StalenessCap } from '../solvers/options';

/** One (network, hardware, N, method) row of the comparison, with speedups and overhead. */
export interface CompareRow {
  network: string;
  hardware: string;
  procs: number;
  method: string;
  delayRule?: string;
  /** A named configuration of the method (a sweep variant, e.g. `paper`). */
  variant?: string;
  /** Cycles per minibatch (null when the method failed). */
  period: number | null;
  lowerBound: number | null;
  /** (period − lowerBound) / lowerBound. */
  gap: number | null;
  valid: boolean;
  simulatedPeriod: number | null;
  /** (crossing − crossing of PipeDream) / total communication of training. */
  commOverhead: number | null;
  /** The same over the second reading of the total: with every task's memory traffic (null for rows of older runs). */
  commOverheadTraffic: number | null;
  crossingBytes: number | null;
  /** Total communication of training (the overhead's denominator). */
  totalCommunication: number | null;
  /** d_l per weight layer. */
  staleness: number[];
  /** Largest per-processor peak (weights + activations) in the simulation. */
  peakMemoryBytes: number | null;
  speedupVsSequential: number | null;
  speedupVsGPipe: number | null;
  speedupVsPipeDream: number | null;
  /** The fastest synchronous baseline of the cell (every d_l = 0) and the speedup over it. */
  bestSync?: string;
  speedupVsBestSync?: number | null;
  /** The fastest asynchronous baseline of the cell (some d_l > 0) and the speedup over it. */
  bestAsync?: string;
  speedupVsBestAsync?: number | null;
  /** Largest per-processor peaks of activations and of weight versions held (simulated). */
  peakActivationBytes?: number;
  peakWeightBytes?: number | null;
  /** The micro-batch count used (micro-batched methods). */
  microBatches?: number;
  /** Model chunks per processor (interleaved methods). */
  chunksPerRank?: number;
  /** With a budget: whether `lowerBound` takes it into account (false: a budget-blind bound, labelled as such). */
  boundUnderBudget?: boolean;
  solverSeconds: number;
  notes: string[];
}

/** One (graph, p, solver) row of the STG benchmark. */
export interface StgRow {
  /** `<dir>/<file>`, the optimum tables' key (e.g. `50/rand0000.stg`). */
  graph: string;
  procs: number;
  solver: string;
  makespan: number | null;
  /** The solver's proven lower bound (≥ max(CP, ⌈W/p⌉)). */
  lowerBound: number;
  publishedOpt: number | null;
  publishedLb: number | null;
  publishedUb: number | null;
  /** (makespan − ref) / ref, ref = published optimum if known, else the best lower bound known. */
  gap: number | null;
  status: SolverStatus | 'invalid';
  /** True when the schedule passed validate() (false only for status invalid). */
  valid: boolean;
  /** Makespan below a published optimum / lower bound: a bug somewhere. */
  belowPublished: boolean;
  /** Options fingerprint for resume (`tl=5;r=16;s=1`). */
  options: string;
}

/** Per solver (and `best`) over the rows of the STG benchmark. */
export interface StgSummary {
  solver: string;
  /** Rows of cases with a published optimum. */
  cases: number;
  reachedOptimum: number;
  /** Rows with status optimal (proven by the solver; open cases included). */
  provenOptimal: number;
  invalid: number;
  /** Mean gap over `cases` (null when none). */
  meanGap: number | null;
  /** Rows of cases with only published bounds. */
  open: number;
  /** Open cases where the makespan is below the published upper bound. */
  improvedUpperBound: number;
  /** Open cases proven optimal here. */
  openProven: number;
  belowPublished: number;
}

/** What identifies a row of the accuracy table: network, data, delays and budget. */
export interface AccuracyRowKey {
  network: string;
  dataset: string;
  label: string;
  mode: 'stash' | 'ema' | 'none';
  staleness: number[];
  epochs: number;
  trainSamples: number;
  testSamples: number;
}

/** One trained row of the accuracy table. */
export interface AccuracyRow extends AccuracyRowKey {
  /** Test accuracy after the last epoch, in [0, 1]. */
  testAccuracy: number;
  trainLoss: number;
  /** testAccuracy minus that of the network's no-delay row (first one), in [−1, 1]; null without one. */
  deltaVsNoDelay: number | null;
  trainSamplesPerSecond: number;
  /** Seed of the data subset, the initial weights and the minibatch order. */
  seed: number;
  /** Set when the data stands in for another dataset (CIFAR rows on padded Fashion-MNIST). */
  note?: string;
}

/** Min, mean and max of a set of values (fractions in [0, 1] or differences of them). */
export interface Spread {
  mean: number;
  min: number;
  max: number;
  /** Sample standard deviation (n − 1); null for a single value. */
  std: number | null;
  /** Number of values. */
  n: number;
}

/**
 * One row of the accuracy table over several seeds: the final test accuracy of each seed, its
 * mean and spread, and the difference to the same network's no-delay row, paired seed by seed
 * (same seed: same data subset, initial weights and minibatch order), with the no-delay row's
 * own spread beside it as the run-to-run noise a difference must stand out of.
 */
export interface AccuracySummaryRow extends AccuracyRowKey {
  /** Seeds in ascending order; accuracies[i] is seed seeds[i]'s final test accuracy. */
  seeds: number[];
  accuracies: number[];
  accuracy: Spread;
  /** Per-seed differences to the no-delay row over the seeds both have; null without one. */
  delta: Spread | null;
  /** The no-delay row's max − min over its seeds (the run-to-run noise); null without one. */
  noise: number | null;
  /** Mean training samples/s over the seeds (wall-clock; not a result). */
  trainSamplesPerSecond: number;
  note?: string;
}

/** The budget of a Pareto sweep's run (null: none). */
export interface ParetoBudget {
  maxCommOverhead: number | null;
  maxStaleness: StalenessCap | null;
}

export interface ParetoPoint {
  /** Cycles per minibatch. */
  period: number;
  /** (crossing − PipeDream's crossing) / total communication of training. */
  commOverhead: number;
  crossingBytes: number;
  /** d_l per layer, and their sum (the staleness axis). */
  staleness: number[];
  stalenessSum: number;
  peakMemoryBytes: number;
  lowerBound: number;
  /** The period is proven minimal under this point's budget. */
  proven: boolean;
  /** The budget of the run that produced it (a smaller one may give the same schedule). */
  budget: ParetoBudget;
  method: string;
  speedupVsPipeDream: number;
  speedupVsGPipe: number;
  /** The schedule file (format 2) of the point. */
  schedule: Record<string, unknown>;
}

export interface ParetoResult {
  network: string;
  hardware: string;
  procs: number;
  /** Objectives of the front: period, comm, staleness, memory. */
  axes: string[];
  /** The front, by period then overhead. */
  points: ParetoPoint[];
  /** Every distinct schedule evaluated (the front among them). */
  evaluated: ParetoPoint[];
  pipedream: { period: number; staleness: number[]; crossingBytes: number };
  gpipe: { period: number };
  totalCommunication: number;
  runs: number;
}

