/**
 * The training loop: seeded init and shuffling, minibatches cut into shards (optionally run
 * on worker threads), gradient summation in a fixed order, the optimizer step, and the three
 * ways of simulating pipeline staleness d_l (index l−1 of `delays`):
 *
 * - `stash` (PipeDream weight stashing): at iteration k the gradient is computed on the
 *   current weights W^(k) and queued; the one computed at iteration k − d_l is applied:
 *   W_l^(k+1) = W_l^(k) − η·update(ΔW_l^(k−d_l)). For the first d_l iterations of a layer
 *   nothing is applied; with Adam the optimizer step consumes the delayed gradient (its step
 *   count advances only when something is applied). No old weights are stored: computing the
 *   gradient at iteration k on W^(k) and applying it d_l later is exactly a gradient taken on
 *   a d_l-old, consistent weight version.
 * - `ema` (LayerPipe2-style, no weight history): keep Δ̄_l, an EMA (decay 0.9) of the
 *   per-step weight changes W^(j+1) − W^(j); at iteration k rebuild Ŵ_l = W_l^(k) − d_l·Δ̄_l,
 *   run forward and backward on the rebuilt weights, and apply the gradient at once.
 * - `none` (no weight versioning): the backward of layer l for the minibatch forwarded at
 *   iteration j runs at iteration j + d_l, from the activations and membranes stored at j
 *   but with the weights current at j + d_l (for Wᵀ·δ), and its gradient is applied at once.
 *   Delays must not increase towards the output.
 * Without `delays` the loop is plain synchronous training (no queues); `stash` with all
 * d_l = 0 equals it bit for bit.
 */
import { InputError } from '../../model/errors';
import { LIMITS } from '../../model/limits';
import type { DataSplit, Dataset } from '../data/dataset';
import { type DType, type KernelKind, ShardEngine, type StepResult } from './engine';
import type { Vec } from './kernels';
import { DEFAULT_SLOPE, type NeuronParams, type SurrogateKind } from './neuron';
import { type Optimizer, type OptimizerKind, makeOptimizer } from './optim';
import { ShardWorker, type WorkerInit, sharedCopy, sharedF32, sharedF64 } from './parallel';
import { type NetPlan, layerParams } from './plan';
import { createRng, permutation } from './rng';

export type DelayMode = 'stash' | 'ema' | 'none';
export const DELAY_MODES: readonly DelayMode[] = ['stash', 'ema', 'none'];

export interface TrainOptions {
  epochs: number;
  /** Minibatch size (default: the network's). */
  batch?: number;
  /** Learning rate (default 1e-3 for Adam, 0.1 for SGD). */
  lr?: number;
  /** Default: the network's optimizer, else Adam. */
  optimizer?: OptimizerKind;
  seed?: number;
  /** Per-layer staleness d_l; omitted = plain training. */
  delays?: number[];
  mode?: DelayMode;
  surrogate?: SurrogateKind;
  /** Surrogate sharpness (see NeuronParams.slope; default per surrogate). */
  slope?: number;
  spikeFn?: 'heaviside' | 'sigmoid';
  detachReset?: boolean;
  /** Threads computing shards (1 = the main thread only). */
  workers?: number;
  /** Pieces each minibatch is cut into (default 2); results depend on this, not on workers. */
  shards?: number;
  /** EMA decay of the weight-change average in mode `ema` (default 0.9). */
  emaDecay?: number;
  dtype?: DType;
  /** Product kernels of a float32 run: WebAssembly SIMD (default) or scalar JavaScript. */
  kernels?: KernelKind;
  onStep?: (p: StepProgress) => void;
  onEpoch?: (e: EpochStats) => void;
}

export interface StepProgress {
  epoch: number;
  step: number;
  steps: number;
  /** Minibatch size. */
  batch: number;
  loss: number;
}

export interface EpochStats {
  epoch: number;
  /** Mean minibatch loss over the epoch. */
  trainLoss: number;
  /** Share of training samples classified right in their (training-time) forward pass. */
  trainAccuracy: number;
  testAccuracy: number;
  testLoss: number;
  /** Training samples per second of wall time (forward + backward + step; evaluation excluded). */
  trainSamplesPerSecond: number;
  trainSeconds: number;
}

export interface TrainResult {
  epochs: EpochStats[];
  weights: Vec[];
}

export const DEFAULT_LR: Record<OptimizerKind, number> = { adam: 1e-3, sgd: 0.1 };

/** U(−1/√K, 1/√K) per layer (PyTorch Linear's default bound), seeded per layer. */
export function initWeights(plan: NetPlan, seed: number, alloc: (n: number) => Vec): Vec[] {
  return plan.layers.map((l) => {
    const rng = createRng(seed, `init/${l.index}`);
    const bound = 1 / Math.sqrt(l.K);
    const w = alloc(layerParams(l));
    for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-bound, bound);
    return w;
  });
}

/** InputError unless every sample of `d` has the network's input shape and a valid label. */
export function checkDataset(plan: NetPlan, d: Dataset): void {
  const [c, h, w] = plan.input;
  const [dc, dh, dw] = d.shape;
  if (c !== dc || h !== dh || w !== dw) {
    throw new InputError(d.name, `samples are ${dc}×${dh}×${dw} but network "${plan.name}" takes ${c}×${h}×${w}`);
  }
  if (d.classes > plan.classes) throw new InputError(d.name, `${d.classes} classes but network "${plan.name}" has ${plan.classes} outputs`);
}

interface ShardRunner {
  step(shard: number, iteration: number, indices: Int32Array, batchTotal: number, set: 'live' | 'recon'): Promise<StepResult>;
  evaluate(thread: number, indices: Int32Array, set: 'live' | 'recon'): Promise<{ lossSum: number; correct: number }>;
}

/** Sum shard gradients into dst in shard order (dst = g0 + g1 + …). O(|W|·S). */
function sumShards(dst: Float64Array, parts: Float64Array[]): void {
  if (parts.length === 1) {
    dst.set(parts[0]);
    return;
  }
  const a = parts[0];
  const b = parts[1];
  for (let i = 0; i < dst.length; i++) dst[i] = a[i] + b[i];
  for (let p = 2; p < parts.length; p++) {
    const c = parts[p];
    for (let i = 0; i < dst.length; i++) dst[i] += c[i];
  }
}

export class Trainer {
  readonly plan: NetPlan;
  readonly weights: Vec[];
  readonly batch: number;
  readonly mode: DelayMode | 'plain';
  readonly delays: number[];
  readonly optimizer: Optimizer;
  private readonly o: TrainOptions;
  private readonly data: DataSplit;
  private readonly x: Vec;
  private readonly y: Uint8Array;
  private readonly testX: Vec;
  private readonly testY: Uint8Array;
  private readonly shardCount: number;
  private readonly threads: number;
  private readonly engines = new Map<number, ShardEngine>();
  /** Per shard, per layer weight gradients (float64). */
  private readonly grads: Float64Array[][] = [];
  private readonly gsum: Float64Array[];
  private readonly recon: Vec[] | null = null;
  private readonly emaAvg: Float64Array[] | null = null;
  private readonly delta: Float64Array[] | null = null;
  private readonly stashRing: Float64Array[][] | null = null;
  private workers: ShardWorker[] = [];
  private iteration = 0;
  private readonly shuffleRng;
  private readonly alloc: (n: number) => Vec;

  private constructor(plan: NetPlan, data: DataSplit, o: TrainOptions) {
    this.plan = plan;
    this.o = o;
    this.data = data;
    checkDataset(plan, data.train);
    checkDataset(plan, data.test);
    const L = plan.layers.length;
    this.batch = o.batch ?? 64;
    if (!(Number.isInteger(this.batch) && this.batch >= 1)) throw new InputError('--batch', `must be an integer ≥ 1, got ${this.batch}`);
    if (data.train.n < this.batch) throw new InputError('--batch', `the training set has ${data.train.n} samples, fewer than one batch of ${this.batch}`);
    const kind = o.optimizer ?? 'adam';
    const lr = o.lr ?? DEFAULT_LR[kind];
    if (!(lr > 0) || !Number.isFinite(lr)) throw new InputError('--lr', `the learning rate must be > 0, got ${lr}`);
    this.mode = o.delays ? (o.mode ?? 'stash') : 'plain';
    this.delays = o.delays ? o.delays.slice() : new Array<number>(L).fill(0);
    if (this.delays.length !== L) throw new InputError('--delays', `${this.delays.length} delays for ${L} weight layers`);
    this.delays.forEach((d) => {
      if (!(Number.isInteger(d) && d >= 0 && d <= LIMITS.staleness)) throw new InputError('--delays', `delays must be integers from 0 to ${LIMITS.staleness}, got ${d}`);
    });
    if (this.mode === 'none') {
      for (let l = 0; l + 1 < L; l++) {
        if (this.delays[l] < this.delays[l + 1]) throw new InputError('--delays', `mode none needs delays that do not increase towards the output, got ${this.delays.join(',')}`);
      }
    }
    const dtype = o.dtype ?? 'float32';
    this.threads = Math.max(1, Math.floor(o.workers ?? 1));
    if (dtype === 'float64' && this.threads > 1) throw new RangeError('trainer: float64 runs single-threaded');
    this.shardCount = Math.max(1, Math.min(this.batch, Math.floor(o.shards ?? 2)));
    const shared = this.threads > 1;
    this.alloc = dtype === 'float64' ? (n) => new Float64Array(n) : shared ? sharedF32 : (n) => new Float32Array(n);
    const sizes = plan.layers.map(layerParams);
    this.weights = initWeights(plan, o.seed ?? 0, this.alloc);
    this.optimizer = makeOptimizer(kind, lr, sizes);
    this.gsum = sizes.map((n) => new Float64Array(n));
    for (let s = 0; s < this.shardCount; s++) this.grads.push(sizes.map((n) => (shared ? sharedF64(n) : new Float64Array(n))));
    if (this.mode === 'ema') {
      this.recon = sizes.map((n) => this.alloc(n));
      this.emaAvg = sizes.map((n) => new Float64Array(n));
      this.delta = sizes.map((n) => new Float64Array(n));
    }
    if (this.mode === 'stash') this.stashRing = sizes.map((n, l) => Array.from({ length: this.delays[l] + 1 }, () => new Float64Array(n)));
    if (dtype === 'float64') {
      this.x = Float64Array.from(data.train.x);
      this.testX = Float64Array.from(data.test.x);
    } else {
      this.x = shared ? sharedCopy(data.train.x) : data.train.x;
      this.testX = shared ? sharedCopy(data.test.x) : data.test.x;
    }
    this.y = shared ? sharedCopy(data.train.y) : data.train.y;
    this.testY = shared ? sharedCopy(data.test.y) : data.test.y;
    this.shuffleRng = createRng(o.seed ?? 0, 'shuffle');
  }

  /** Build a trainer (starting its worker threads when workers > 1). */
  static async create(plan: NetPlan, data: DataSplit, o: TrainOptions): Promise<Trainer> {
    const t = new Trainer(plan, data, o);
    t.startEngines();
    return t;
  }

  private neuronParams(): NeuronParams {
    const surrogate = this.o.surrogate ?? 'fast-sigmoid';
    return {
      ...this.plan.neuron,
      detachReset: this.o.detachReset ?? true,
      spikeFn: this.o.spikeFn ?? 'heaviside',
      surrogate,
      slope: this.o.slope ?? (this.o.spikeFn === 'sigmoid' ? 4 : DEFAULT_SLOPE[surrogate]),
    };
  }

  private startEngines(): void {
    const engineOpts = {
      neuron: this.neuronParams(),
      maxSamples: Math.ceil(this.batch / this.shardCount),
      dtype: this.o.dtype ?? 'float32',
      delays: this.mode === 'none' ? this.delays : undefined,
      kernels: this.o.kernels,
    };
    for (let s = 0; s < this.shardCount; s++) if (s % this.threads === 0) this.engines.set(s, new ShardEngine(this.plan, engineOpts));
    for (let w = 1; w < this.threads; w++) {
      const shards: number[] = [];
      for (let s = w; s < this.shardCount; s += this.threads) shards.push(s);
      const grads: Record<number, Float64Array[]> = {};
      for (const s of shards) grads[s] = this.grads[s];
      const init: WorkerInit = {
        plan: this.plan,
        engine: engineOpts,
        shards,
        x: this.x as Float32Array,
        y: this.y,
        testX: this.testX as Float32Array,
        testY: this.testY,
        live: this.weights as Float32Array[],
        recon: this.recon as Float32Array[] | null,
        grads,
      };
      this.workers.push(new ShardWorker(init));
    }
    if (!this.engines.has(0)) this.engines.set(0, new ShardEngine(this.plan, engineOpts));
  }

  /** Stop the worker threads. */
  async close(): Promise<void> {
    const ws = this.workers;
    this.workers = [];
    await Promise.all(ws.map((w) => w.close()));
  }

  private runner(testSet: boolean): ShardRunner {
    const x = testSet ? this.testX : this.x;
    const y = testSet ? this.testY : this.y;
    const setOf = (set: 'live' | 'recon'): Vec[] => (set === 'recon' && this.recon ? this.recon : this.weights);
    return {
      step: async (shard, iteration, indices, batchTotal, set) => {
        const thread = shard % this.threads;
        if (thread === 0) return (this.engines.get(shard) as ShardEngine).step(iteration, x, y, indices, batchTotal, setOf(set), this.grads[shard]);
        return this.workers[thread - 1].request({ op: 'step', shard, iteration, indices, batchTotal, set });
      },
      evaluate: async (thread, indices, set) => {
        if (thread === 0) return (this.engines.get(0) as ShardEngine).evaluate(x, y, indices, setOf(set));
        return this.workers[thread - 1].request({ op: 'eval', data: testSet ? 'test' : 'train', indices, set });
      },
    };
  }

  /** W − d·Δ̄ for every layer into the reconstruction buffers (mode ema). O(|W|). */
  private reconstruct(): void {
    const recon = this.recon as Vec[];
    const avg = this.emaAvg as Float64Array[];
    this.weights.forEach((W, l) => {
      const d = this.delays[l];
      const r = recon[l];
      if (d === 0) r.set(W);
      else {
        const a = avg[l];
        for (let i = 0; i < W.length; i++) r[i] = W[i] - d * a[i];
      }
    });
  }

  /**
   * One training iteration on the samples `batchIdx` (indices into the training set):
   * forward, backward, gradient sum, optimizer step as the mode says. Returns the mean loss,
   * the number of correctly classified samples, and whether all weights are still finite.
   */
  async iterate(batchIdx: Int32Array): Promise<{ loss: number; correct: number; weightsFinite: boolean }> {
    const B = batchIdx.length;
    const S = Math.min(this.shardCount, B);
    const set = this.mode === 'ema' ? 'recon' : 'live';
    if (this.mode === 'ema') this.reconstruct();
    const k = this.iteration++;
    const run = this.runner(false);
    const pieces: Int32Array[] = [];
    for (let s = 0; s < S; s++) pieces.push(batchIdx.subarray(Math.floor((s * B) / S), Math.floor(((s + 1) * B) / S)));
    // Post the workers' shards first, then compute the main thread's while they run.
    const order = [...pieces.keys()].sort((a, b) => Number(a % this.threads === 0) - Number(b % this.threads === 0));
    const pending = new Map<number, Promise<StepResult>>();
    for (const s of order) pending.set(s, run.step(s, k, pieces[s], B, set));
    const results: StepResult[] = [];
    for (let s = 0; s < S; s++) results.push(await (pending.get(s) as Promise<StepResult>));
    let lossSum = 0;
    let correct = 0;
    for (const r of results) {
      lossSum += r.lossSum;
      correct += r.correct;
    }
    const L = this.plan.layers.length;
    let finite = true;
    for (let l = 0; l < L; l++) {
      if (!results[0].gradLayers[l]) continue;
      const parts = results.map((_, s) => this.grads[s][l]);
      const W = this.weights[l];
      switch (this.mode) {
        case 'plain':
        case 'none':
          sumShards(this.gsum[l], parts);
          finite = this.optimizer.step(l, W, this.gsum[l]) && finite;
          break;
        case 'stash': {
          const ring = (this.stashRing as Float64Array[][])[l];
          const d = this.delays[l];
          sumShards(ring[k % (d + 1)], parts);
          if (k >= d) finite = this.optimizer.step(l, W, ring[(k - d) % (d + 1)]) && finite;
          break;
        }
        case 'ema': {
          sumShards(this.gsum[l], parts);
          const delta = (this.delta as Float64Array[])[l];
          finite = this.optimizer.step(l, W, this.gsum[l], delta) && finite;
          const a = (this.emaAvg as Float64Array[])[l];
          const decay = this.o.emaDecay ?? 0.9;
          for (let i = 0; i < a.length; i++) a[i] = decay * a[i] + (1 - decay) * delta[i];
          break;
        }
      }
    }
    return { loss: lossSum / B, correct, weightsFinite: finite };
  }

  /** Accuracy and mean loss on the test set (or the training set). */
  async evaluate(which: 'test' | 'train' = 'test'): Promise<{ accuracy: number; loss: number }> {
    const ds = which === 'test' ? this.data.test : this.data.train;
    const chunk = Math.ceil(this.batch / this.shardCount);
    const run = this.runner(which === 'test');
    const threads = this.threads;
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < ds.n; start += chunk * threads) {
      const jobs: Promise<{ lossSum: number; correct: number }>[] = [];
      for (let t = threads - 1; t >= 0; t--) {
        const a = start + t * chunk;
        if (a >= ds.n) continue;
        const idx = new Int32Array(Math.min(chunk, ds.n - a));
        for (let i = 0; i < idx.length; i++) idx[i] = a + i;
        jobs.push(run.evaluate(t, idx, 'live'));
      }
      for (const r of (await Promise.all(jobs)).reverse()) {
        lossSum += r.lossSum;
        correct += r.correct;
      }
    }
    return { accuracy: correct / ds.n, loss: lossSum / ds.n };
  }

  /** One epoch: seeded shuffle, floor(n/batch) minibatches (the remainder is dropped). */
  async trainEpoch(epoch: number): Promise<EpochStats> {
    const n = this.data.train.n;
    const perm = permutation(n, this.shuffleRng);
    const steps = Math.floor(n / this.batch);
    let lossTotal = 0;
    let correct = 0;
    const t0 = process.hrtime.bigint();
    for (let s = 0; s < steps; s++) {
      const r = await this.iterate(perm.subarray(s * this.batch, (s + 1) * this.batch));
      if (!Number.isFinite(r.loss) || !r.weightsFinite) {
        // Sparse products skip zero inputs, so NaN weights behind silent neurons need not
        // reach the loss at once: non-finite weights count as divergence too.
        await this.close();
        const what = Number.isFinite(r.loss) ? 'the weights became NaN or infinite' : `the training loss is ${r.loss}`;
        throw new InputError(`${this.plan.name}: epoch ${epoch} step ${s + 1}`, `${what} (training diverged; try a smaller --lr)`);
      }
      lossTotal += r.loss;
      correct += r.correct;
      this.o.onStep?.({ epoch, step: s + 1, steps, batch: this.batch, loss: r.loss });
    }
    const trainSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const test = await this.evaluate('test');
    const stats: EpochStats = {
      epoch,
      trainLoss: lossTotal / steps,
      trainAccuracy: correct / (steps * this.batch),
      testAccuracy: test.accuracy,
      testLoss: test.loss,
      trainSamplesPerSecond: (steps * this.batch) / trainSeconds,
      trainSeconds,
    };
    this.o.onEpoch?.(stats);
    return stats;
  }
}

/** Train `plan` on `data` for o.epochs epochs; closes its worker threads when done. */
export async function train(plan: NetPlan, data: DataSplit, o: TrainOptions): Promise<TrainResult> {
  const t = await Trainer.create(plan, data, o);
  try {
    const epochs: EpochStats[] = [];
    for (let e = 1; e <= o.epochs; e++) epochs.push(await t.trainEpoch(e));
    return { epochs, weights: t.weights };
  } finally {
    await t.close();
  }
}
