/**
 * What `spikepipe reproduce` runs, quick (the default, minutes on 2 cores) or full. Every
 * choice is here in one place, so the README can point at it and a user can change it.
 */
import type { SweepSpec } from '../sweep/spec';

export type ReproduceMode = 'quick' | 'full';

export const NETWORKS = ['mnist-fc', 'fmnist-conv', 'cifar10-vgg', 'cifar100-vgg'];
export const PROCS = [2, 4, 8];
/** The processor count whose schedules feed the accuracy table, Gantt charts and traces. */
export const FIGURE_PROCS = 4;
/** The network of the Gantt charts (one chart per method). */
export const GANTT_NETWORK = 'mnist-fc';
export const GANTT_METHODS = ['sequential', 'gpipe', 'pipedream', 'layerpipe', 'spikepipe'];

export function pipelineSweep(mode: ReproduceMode): SweepSpec {
  return {
    name: 'SpikePipe paper grid',
    networks: NETWORKS,
    procs: PROCS,
    methods: mode === 'full'
      ? ['sequential', 'gpipe', 'pipedream', 'pipedream-replicated', 'layerpipe', 'spikepipe', 'spikepipe-ilp'] as SweepSpec['methods']
      : ['sequential', 'gpipe', 'pipedream', 'pipedream-replicated', 'layerpipe', 'spikepipe'] as SweepSpec['methods'],
    delayRules: ['minimal', 'pipedream', '2S'],
    timeLimitSeconds: 10,
    seed: 0,
  };
}

export interface StgPlan {
  /** List heuristics on every case. */
  listSolvers: string[];
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
    listSolvers: ['hlfet', 'etf', 'heft', 'cpop', 'peft'],
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
}

export function accuracyPlan(mode: ReproduceMode): AccuracyPlan[] {
  return mode === 'full'
    ? [
        { networks: ['mnist-fc'], epochs: 3 },
        // fmnist-conv trains at ~30–50 samples/s on 2 cores: a 15 % stratified subset.
        { networks: ['fmnist-conv'], epochs: 3, limit: 9000, testLimit: 2000 },
      ]
    : [
        { networks: ['mnist-fc'], epochs: 1 },
        { networks: ['fmnist-conv'], epochs: 1, limit: 1000, testLimit: 500 },
      ];
}
