/**
 * Core value types shared by every module. Plain data only: algorithms take these in and
 * give these back, so a schedule or a graph can be written to JSON and read again unchanged.
 */

/** A duration or a point in time, in clock cycles of one processor. */
export type Cycles = number;
/** A data size in bytes. */
export type Bytes = number;
/** Stable, human-readable task name, unique within a graph (`F1`, `Ba2_3`, `t17`). */
export type TaskId = string;
/** Processor index, 0-based. */
export type ProcId = number;
/** Iteration distance of an edge: 0 = same minibatch. */
export type Delay = number;

/**
 * Task kinds. Training graphs use F, Ba1, Ba2, Bw, U, Loss (SpikePipe variant), B (PipeDream's
 * combined backward Ba1+Ba2+Bw+U) and Ba (Ba1+Ba2 together); STG and DOT graphs use `task`.
 */
export type TaskKind = 'F' | 'Ba1' | 'Ba2' | 'Bw' | 'U' | 'Loss' | 'B' | 'Ba' | 'task';

export interface Task {
  id: TaskId;
  kind: TaskKind;
  /** Weight layer 1..L; 0 for tasks that belong to no layer (Loss, STG tasks). */
  layer: number;
  /** Timestep 1..T when the graph is built with `granularity: "timestep"`. */
  timestep?: number;
  /** Micro-batch index 1..m (GPipe graphs). */
  micro?: number;
  /**
   * Total cost: gemmCycles + vectorCycles. On a heterogeneous machine (`cyclesByType` set) it is
   * the SMALLEST of the per-type costs, so every bound computed from `cycles` stays a valid lower
   * bound; durations come from `taskCycles` (lib/model/durations.ts).
   */
  cycles: Cycles;
  /**
   * Heterogeneous machines: the cost on each processor type (index = `Machine.procType[p]`), in
   * cycles of the reference clock. Absent on homogeneous graphs (every processor takes `cycles`).
   */
  cyclesByType?: Cycles[];
  gemmCycles: Cycles;
  vectorCycles: Cycles;
}

/** What an edge carries; used for the communication metrics and the DOT/trace labels. */
export type EdgeData = 'spikes' | 'state' | 'grad' | 'dI' | 'weights' | 'order' | 'allreduce';

export interface Edge {
  /** Index into `TaskGraph.tasks`. */
  from: number;
  to: number;
  bytes: Bytes;
  /** Iteration distance: the consumer of iteration k uses the producer's output of k - delay. */
  delay: Delay;
  data?: EdgeData;
  /**
   * Set on the weight loop edges U_l→F_l and U_l→Ba2_l (value l). Their delay is 1 + d_l,
   * d_l being the extra staleness of layer l; `withStaleness` rewrites exactly these edges.
   */
  loopLayer?: number;
}

export interface TaskGraph {
  name: string;
  tasks: Task[];
  edges: Edge[];
  /** Number of weight layers L (0 for STG/DOT graphs). */
  layers: number;
  /** Free-form provenance (network id, variant, granularity, source file). */
  meta?: Record<string, string | number | boolean>;
}

/**
 * Processors (identical unless `procType` says otherwise) joined by point-to-point links of one bandwidth and latency: one
 * dedicated full-duplex link per ordered pair p→q (lib/model/machine.ts describes the link model).
 */
export interface Machine {
  procs: number;
  /**
   * Link bandwidth in bytes per cycle, per ordered processor pair. A transfer takes
   * ceil(bytes / bandwidth) + latency cycles; a periodic schedule must also fit the bytes each
   * link carries per iteration into the period (throughput; lib/model/metrics/communication.ts).
   */
  bandwidth: number;
  /** Per-transfer latency in cycles. */
  latency: Cycles;
  /** Clock in Hz, to turn cycles into seconds in reports. */
  clockHz?: number;
  /** Optional memory per processor in bytes (reported against, not enforced by solvers). */
  memoryBytes?: Bytes;
  /**
   * Heterogeneous machines: the type of every processor (index into a task's `cyclesByType`).
   * Absent on homogeneous machines. Durations are read through `taskCycles` (lib/model/durations.ts).
   */
  procType?: number[];
  /** Names of the processor types (hardware group names), for messages and reports. */
  typeNames?: string[];
}

export interface ScheduledTask {
  id: TaskId;
  processor: ProcId;
  /** Start of iteration 0; iteration k starts at k·period + start. May exceed the period. */
  start: Cycles;
}

/**
 * A schedule. `makespan` schedules are one-shot (acyclic graphs, delays ignored);
 * `periodic` ones repeat every `period` cycles forever.
 */
export interface Schedule {
  kind: 'makespan' | 'periodic';
  procs: number;
  makespan?: Cycles;
  period?: Cycles;
  tasks: ScheduledTask[];
  /** Per-layer extra staleness d_l (index l-1), for training graphs. */
  staleness?: number[];
  /** Which method made it (`heft`, `pipedream`, …). */
  method?: string;
  /** Name of the graph it schedules. */
  graph?: string;
}

export type ViolationKind =
  | 'missing'
  | 'duplicate'
  | 'unknown-task'
  | 'processor'
  | 'negative-start'
  | 'precedence'
  | 'overlap'
  | 'too-long'
  | 'period'
  | 'makespan'
  /** Periodic schedules: a link p→q carries more bytes per iteration than it can move in one period. */
  | 'link';

export interface Violation {
  kind: ViolationKind;
  message: string;
  tasks: TaskId[];
}

export interface ValidationResult {
  valid: boolean;
  violations: Violation[];
}
