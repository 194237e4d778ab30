/**
 * What `spikepipe reproduce` runs, quick (the default, minutes on 2 cores) or full. Every
 * choice is here in one place, so the README can point at it and a user can change it.
 */
import type { SweepSpec } from '../sweep/spec';
import { listMethods, solverNames } from '../../../solvers/registry';

export type ReproduceMode = 'quick' | 'full';

export const NETWORKS = ['mnist-fc', 'fmnist-conv', 'cifar10-vgg', 'cifar100-vgg'];
export const PROCS = [2, 4, 8];
/** The processor count whose schedules feed the accuracy table, Gantt charts and traces. */
export const FIGURE_PROCS = 4;
/**
 * Gantt charts of one period on FIGURE_PROCS processors: the classic methods on mnist-fc, and the
 * synchronous pipelines of today on cifar10-vgg, whose 9 layers leave room for their chunks
 * (interleaving needs 2 chunks per rank, so a 3-layer network gets one rank).
 */
export const GANTTS: { network: string; methods: string[] }[] = [
  { network: 'mnist-fc', methods: ['sequential', 'gpipe', 'pipedream', 'layerpipe', 'spikepipe'] },
  { network: 'cifar10-vgg', methods: ['1f1b', 'interleaved-1f1b', 'zb-h1', 'zb-h2', 'spikepipe'] },
];

/** The delay rules of the grid: every method that takes delay rules runs under each it implements. */
export const DELAY_RULES = ['minimal', 'pipedream', '2S'];

/**
 * Version of the cached results in <out>/.cache: bump it when a solver's results change, so a
 * rerun into an old output folder recomputes instead of mixing old rows with new ones.
 */
export const CACHE_VERSION = 3;
/**
 * Version of the accuracy cache (<out>/.cache/accuracy-<mode>-v<N>.jsonl): 4 since each line is
 * one (row, seed) with the seed in its key and row; a v3 file (no seeds) is left alone.
 */
export const ACCURACY_CACHE_VERSION = 4;

/** SpikePipe at the paper's operating point: both claims' budgets at once, enforced by its solvers. */
export const PAPER_POINT_OPTIONS = { maxCommOverhead: 0.005, maxStaleness: 'pipedream' } as const;

/** Every method of the catalogue (exact ones, proven by a MILP under a time limit, in full mode only). */
export function pipelineSweep(mode: ReproduceMode): SweepSpec {
  return {
    name: 'SpikePipe paper grid',
    networks: NETWORKS,
    procs: PROCS,
    methods: listMethods()
      .filter((m) => mode === 'full' || m.kind !== 'exact')
      .map((m) => m.name),
    delayRules: DELAY_RULES,
    timeLimitSeconds: 10,
    variants: [
      { name: 'paper', method: 'spikepipe', options: { ...PAPER_POINT_OPTIONS } },
      // The same with the 0.5 % taken of the second reading of total communication (with memory traffic).
      { name: 'paper-traffic', method: 'spikepipe', options: { ...PAPER_POINT_OPTIONS, commReading: 'traffic' } },
    ],
  };
}

export interface ParetoPlan {
  networks: string[];
  procs: number[];
  commCaps: (number | null)[];
  stalenessCaps: ('none' | 'pipedream' | number | null)[];
  /** Prove the front points with the period MILP where the graph allows. */
  prove: boolean;
  timeLimitSeconds: number;
}

/** Pareto fronts per network at N = 4 and 8: a coarse grid without proofs in quick mode. */
export function paretoPlan(mode: ReproduceMode): ParetoPlan {
  return mode === 'full'
    ? { networks: NETWORKS, procs: [4, 8], commCaps: [0, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, null], stalenessCaps: ['none', 1, 'pipedream', null], prove: true, timeLimitSeconds: 10 }
    : { networks: NETWORKS, procs: [4, 8], commCaps: [0, 0.005, 0.05, 0.2, null], stalenessCaps: ['pipedream', null], prove: false, timeLimitSeconds: 10 };
}

export interface StgPlan {
  /** List heuristics on every case. */
  listSolvers: string[];
  /** The exact solver of the exact rows and the application graphs. */
  exactSolver: string;
  /** Seeded randomized-priority restarts per list heuristic (as the `stg` command's default). */
  restarts: number;
  /** The exact solver on these graphs (relative to the STG directory) at these p. */
  exactGraphs: string[] | 'all';
  exactProcs: number[];
  exactTimeLimitSeconds: number;
  procs: number[];
}

export function stgPlan(mode: ReproduceMode): StgPlan {
  return {
    listSolvers: solverNames('list'),
    exactSolver: 'ilp',
    restarts: 16,
    exactGraphs: mode === 'full' ? 'all' : Array.from({ length: 30 }, (_, i) => `rand${String(i).padStart(4, '0')}.stg`),
    exactProcs: mode === 'full' ? [2, 4, 8, 16] : [4],
    exactTimeLimitSeconds: 5,
    procs: [2, 4, 8, 16],
  };
}

export interface AccuracyPlan {
  networks: string[];
  epochs: number;
  /** Training-sample cap (undefined = the whole 9,000 / 60,000). */
  limit?: number;
  testLimit?: number;
  /** Every row is trained once per seed (data subset, initial weights, minibatch order). */
  seeds: number[];
}

/**
 * Full: evidence — every row over seeds 1 and 2, fmnist-conv on a stratified 20,000 of
 * Fashion-MNIST's 60,000 training images for 3 epochs, tested on all 10,000 test images.
 * Quick: a smoke test of the machinery (one seed, one epoch, 1,000 samples); its table says so.
 */
export function accuracyPlan(mode: ReproduceMode): AccuracyPlan[] {
  return mode === 'full'
    ? [
        { networks: ['mnist-fc'], epochs: 3, seeds: [1, 2] },
        { networks: ['fmnist-conv'], epochs: 3, limit: 20000, testLimit: 10000, seeds: [1, 2] },
      ]
    : [
        { networks: ['mnist-fc'], epochs: 1, seeds: [1] },
        { networks: ['fmnist-conv'], epochs: 1, limit: 1000, testLimit: 500, seeds: [1] },
      ];
}
