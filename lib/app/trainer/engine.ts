/**
 * Forward, loss and BPTT backward of one shard (a slice of a minibatch) of a spiking network.
 *
 * One ShardEngine runs in the main thread for shard 0 and one in each worker for the other
 * shards; they are the same code, so the split never changes the arithmetic of a shard. The
 * engine owns all activation storage (allocated once) and writes per-layer weight gradients
 * (already scaled by 1/batch, so shard gradients simply add up) into arrays the caller owns.
 *
 * Per-layer backward delays (`delays`, mode `none` of the trainer): the backward of layer l
 * for the minibatch of iteration j runs at iteration j + d_l, reading the forward state
 * (membranes, spikes, inputs) stored at iteration j and multiplying with the weights current
 * at iteration j + d_l. Delays must not increase towards the output, so the gradient a layer
 * needs from the layer above is always ready. With all delays 0 this is plain BPTT.
 */
import {
  type SparseRows,
  type Vec,
  allocSparseRows,
  denseBackward,
  softmaxCrossEntropy,
  spmm,
  spmmGrad,
  toSparseRows,
  transposeSparse,
} from './kernels';
import {
  type ConvGeom,
  avgPoolBackward,
  avgPoolForward,
  convBackwardInputGather,
  im2colFromPixels,
  maxPoolBackward,
  maxPoolForward,
  transposeDense,
} from './conv';
import { type NeuronParams, hasFastBackward, hasFastForward, integratorBackward, integratorForward, lifBackward, lifForward, linearBackward } from './neuron';
import { type ENode, type NodeState, backNode, evalNode, readsLayer } from './merge';
import type { InputExpr, LayerPlan, NetPlan } from './plan';
import { maxOf } from '../../model/extrema';
import { SimdKernels, simdForPlan } from './simd';

export type DType = 'float32' | 'float64';
/**
 * Product kernels of a float32 engine: WebAssembly SIMD (./simd, the default) or the scalar
 * JavaScript ones (./kernels.ts, ./conv.ts; float64 always uses these).
 */
export type KernelKind = 'simd' | 'js';

export interface EngineOptions {
  neuron: NeuronParams;
  /** Largest number of samples in one call. */
  maxSamples: number;
  dtype: DType;
  /** Per-layer backward delay (index l−1); omitted or all 0 = plain BPTT. */
  delays?: number[];
  /** Product kernels for float32 (default 'simd'). */
  kernels?: KernelKind;
}

/** Everything one minibatch leaves behind in forward for its backward. */
interface LayerState {
  /** Membrane and spikes [n][T][outSize] (spiking layers). */
  u: Vec;
  s: Vec;
  /** Pooled spikes [n·T][nextSize] and max-pool arg-max offsets. */
  pooled: Vec | null;
  arg: Int32Array | null;
  /** FC layers: the input rows, compressed (reused by the weight gradient). */
  csr: SparseRows | null;
  /**
   * ∂L/∂(this layer's output after pool), [n·T][nextSize], written by the layer above (or,
   * with plan.gradSum, zeroed at forward and summed into by every reader).
   */
  gOut: Float64Array | null;
  /** Merged GEMM input of a layer with plan.input, as forwarded (rows: n·T, or n when static). */
  xin: Vec | null;
}

interface BatchState {
  n: number;
  iteration: number;
  /** Gathered input samples [n][inSize] (HWC). */
  x: Vec;
  labels: Uint8Array;
  logits: Vec;
  dlogits: Vec;
  layers: LayerState[];
  nodes: NodeState[];
}

export interface StepResult {
  /** Summed (not averaged) loss and correct predictions of the samples forwarded now. */
  lossSum: number;
  correct: number;
  /** Which layers got a gradient this iteration (false during a delayed warm-up). */
  gradLayers: boolean[];
}

export class ShardEngine {
  readonly plan: NetPlan;
  private readonly opts: EngineOptions;
  private readonly Ctor: Float32ArrayConstructor | Float64ArrayConstructor;
  private readonly delays: number[];
  private readonly ring: BatchState[];
  private evalState: BatchState | null = null;
  // scratch shared by all states (float64: see kernels.ts)
  private readonly Ibuf: Float64Array;
  private readonly dIbuf: Float64Array;
  private readonly gsBuf: Float64Array;
  /** h_t = β·σ'_t·g_t of a conv layer whose neuron backward is linear (see linearBackward). */
  private readonly hBuf: Float64Array;
  /** One input map compressed per pixel (rows H·W, columns C), and its im2col. */
  private readonly pxCsr: SparseRows;
  private readonly colCsr: SparseRows;
  /** Transposed input rows (weight gradient) and the counters transposeSparse needs. */
  private readonly csc: SparseRows;
  private readonly cscCount: Int32Array;
  /** Conv activation gradient: δ rows compressed, transposed weights. */
  private readonly dCsr: SparseRows;
  private readonly wT: Float64Array;
  /**
   * Float64 copies of float32 weights, refreshed at every call: the products read them many
   * times and V8 reads a Float64Array faster than a Float32Array (measured ~1.35× on the conv
   * forward); the values are the same, so the sums are too.
   */
  private readonly w64: Float64Array[];
  private readonly nscratch: Float64Array;
  /** Per layer: the GEMM-input expression and the membrane adds as occurrence trees. */
  private readonly gemmNode: (ENode | null)[];
  private readonly memNodes: ENode[][];
  private readonly nodeList: ENode[] = [];
  /** Per merge node: gradient scratch for its sources (concat: one per source). */
  private readonly nodeGrad: Float64Array[][];
  /** Gradient of a merged GEMM input, [n·T][inSize]. */
  private readonly gX: Float64Array;
  /** The float32 products on WebAssembly SIMD (null: the JavaScript kernels). */
  private readonly simd: SimdKernels | null;

  constructor(plan: NetPlan, opts: EngineOptions) {
    this.plan = plan;
    this.opts = opts;
    this.Ctor = opts.dtype === 'float64' ? Float64Array : Float32Array;
    const L = plan.layers.length;
    this.delays = opts.delays ? opts.delays.slice() : new Array<number>(L).fill(0);
    if (this.delays.length !== L) throw new RangeError(`engine: ${this.delays.length} delays for ${L} layers`);
    for (let l = 0; l + 1 < L; l++) {
      if (this.delays[l] < this.delays[l + 1]) throw new RangeError('engine: backward delays must not increase towards the output');
    }
    const D = maxOf(this.delays, 0);
    this.ring = [];
    for (let i = 0; i <= D; i++) this.ring.push(this.allocState());
    const T = plan.timesteps;
    const N = opts.maxSamples;
    let maxI = 0;
    let maxPos = 1;
    let maxCol = 1;
    let maxK = 1;
    let maxNnz = 1;
    let maxN = 1;
    let maxDcsr = 1;
    let maxW = 1;
    let maxPx = 1;
    let maxIn = 1;
    for (const l of plan.layers) {
      maxI = Math.max(maxI, N * T * l.outSize);
      maxK = Math.max(maxK, l.K);
      if (l.geom) {
        maxPos = Math.max(maxPos, l.positions);
        maxCol = Math.max(maxCol, l.positions * l.K);
        maxNnz = Math.max(maxNnz, l.positions * l.K);
        maxDcsr = Math.max(maxDcsr, l.positions * l.M);
        maxW = Math.max(maxW, l.K * l.M);
        maxPx = Math.max(maxPx, l.geom.H * l.geom.W);
        maxIn = Math.max(maxIn, l.inSize);
      } else maxNnz = Math.max(maxNnz, (l.staticInput ? N : N * T) * l.K);
      maxN = Math.max(maxN, l.outSize);
    }
    this.Ibuf = new Float64Array(maxI);
    this.dIbuf = new Float64Array(maxI);
    this.gsBuf = new Float64Array(maxI);
    this.hBuf = new Float64Array(maxI);
    this.pxCsr = allocSparseRows(maxPx, maxIn, this.Ctor);
    this.colCsr = allocSparseRows(maxPos, maxCol, this.Ctor);
    this.csc = allocSparseRows(maxK, maxNnz, this.Ctor);
    this.cscCount = new Int32Array(maxK + 1);
    this.dCsr = allocSparseRows(maxPos, maxDcsr, this.Ctor);
    this.wT = new Float64Array(maxW);
    this.w64 = plan.layers.map((l) => new Float64Array(opts.dtype === 'float64' ? 0 : l.K * l.M));
    this.nscratch = new Float64Array(2 * maxN);
    const build = (e: InputExpr): ENode => {
      const kids = e.kind === 'add' || e.kind === 'concat' ? e.srcs.map(build) : e.kind === 'pool' ? [build(e.src)] : [];
      const node: ENode = { e, id: e.kind === 'input' || e.kind === 'layer' ? -1 : this.nodeList.length, kids };
      if (node.id >= 0) this.nodeList.push(node);
      return node;
    };
    let maxX = 1;
    this.gemmNode = plan.layers.map((l, i) => {
      if (l.input || (i > 0 && plan.layers[i - 1].gradSum)) maxX = Math.max(maxX, N * T * l.inSize);
      if (!l.input) return null;
      // A bare network input read by a non-static layer is broadcast over t by a 1-source add.
      if (l.input.kind === 'input' && !l.staticInput) return build({ kind: 'add', srcs: [l.input], size: l.input.size });
      return build(l.input);
    });
    this.memNodes = plan.layers.map((l) => (l.membrane ?? []).map((e) => (e.kind === 'input' ? build({ kind: 'add', srcs: [e], size: e.size }) : build(e))));
    this.nodeGrad = this.nodeList.map((nd) => {
      const e = nd.e;
      if (e.kind === 'pool') return [new Float64Array(N * T * e.src.size)];
      if (e.kind === 'concat') return e.srcs.map((x) => new Float64Array(N * T * x.size));
      return [];
    });
    this.gX = new Float64Array(maxX);
    for (let i = 0; i < this.ring.length; i++) this.ring[i].nodes = this.allocNodes();
    this.simd = opts.dtype === 'float32' && (opts.kernels ?? 'simd') === 'simd' ? simdForPlan(plan, N, hasFastForward(opts.neuron), hasFastBackward(opts.neuron)) : null;
  }

  private allocNodes(): NodeState[] {
    const NT = this.opts.maxSamples * this.plan.timesteps;
    return this.nodeList.map((nd) => ({
      val: new this.Ctor(NT * nd.e.size),
      arg: nd.e.kind === 'pool' && nd.e.type === 'maxpool' ? new Int32Array(NT * nd.e.size) : null,
    }));
  }

  private allocState(): BatchState {
    const { plan } = this;
    const N = this.opts.maxSamples;
    const T = plan.timesteps;
    const C = this.Ctor;
    const layers = plan.layers.map((l, i): LayerState => {
      const rows = l.staticInput ? N : N * T;
      const spk = l.spiking;
      return {
        u: new C(spk ? N * T * l.outSize : 0),
        s: new C(spk ? N * T * l.outSize : 0),
        pooled: l.pool ? new C(N * T * l.nextSize) : null,
        arg: l.pool?.type === 'maxpool' ? new Int32Array(N * T * l.nextSize) : null,
        csr: l.type === 'fc' ? allocSparseRows(rows, rows * l.K, C) : null,
        gOut: i < plan.layers.length - 1 ? new Float64Array(N * T * l.nextSize) : null,
        xin: null,
      };
    });
    return {
      n: 0,
      iteration: -1,
      x: new C(N * plan.input[0] * plan.input[1] * plan.input[2]),
      labels: new Uint8Array(N),
      logits: new C(N * plan.classes),
      dlogits: new C(N * plan.classes),
      layers,
      // filled once the expression nodes exist (the constructor allocates the ring first)
      nodes: this.nodeList ? this.allocNodes() : [],
    };
  }

  /** Copy samples `indices` of (x, y) into the state (x is [count][inSize], HWC). */
  private gather(st: BatchState, x: Vec, y: ArrayLike<number>, indices: ArrayLike<number>): void {
    const [c, h, w] = this.plan.input;
    const inSize = c * h * w;
    const n = indices.length;
    if (n > this.opts.maxSamples) throw new RangeError(`engine: ${n} samples > maxSamples ${this.opts.maxSamples}`);
    for (let i = 0; i < n; i++) {
      const src = indices[i] * inSize;
      st.x.set(x.subarray(src, src + inSize), i * inSize);
      st.labels[i] = y[indices[i]];
    }
    st.n = n;
  }

  /** The input of layer li (index into plan.layers) in state st. */
  private inputOf(st: BatchState, li: number): Vec {
    if (this.plan.layers[li].input) return st.layers[li].xin as Vec;
    if (li === 0) return st.x;
    const prev = st.layers[li - 1];
    return prev.pooled ?? prev.s;
  }

  /** The weights as float64 (copied into w64 when they are float32). */
  private widen(weights: Vec[]): Vec[] {
    if (this.opts.dtype === 'float64' || this.simd) return weights;
    for (let l = 0; l < weights.length; l++) this.w64[l].set(weights[l]);
    return this.w64;
  }

  /** im2col of the map at input[off..] into colCsr, through the per-pixel compression. */
  private im2col(input: Vec, off: number, g: ConvGeom): void {
    toSparseRows(input, off, g.H * g.W, g.C, this.pxCsr);
    im2colFromPixels(this.pxCsr, g, this.colCsr);
  }

  /** Forward all layers; fills logits (and dlogits scaled by `scale` when given). */
  private forward(st: BatchState, weights: Vec[], scale: number | null): { lossSum: number; correct: number } {
    const { plan } = this;
    const T = plan.timesteps;
    const n = st.n;
    for (let li = 0; li < plan.layers.length; li++) {
      const l = plan.layers[li];
      const ls = st.layers[li];
      const W = weights[li];
      const simd = this.simd;
      if (simd) simd.setWeights(li, W);
      if (l.gradSum && ls.gOut) ls.gOut.fill(0, 0, n * T * l.nextSize);
      const gn = this.gemmNode[li];
      if (gn) ls.xin = evalNode(st, T, gn);
      const input = this.inputOf(st, li);
      const rows = l.staticInput ? n : n * T;
      if (l.type === 'fc') {
        const csr = ls.csr as SparseRows;
        toSparseRows(input, 0, rows, l.K, csr);
        if (simd) simd.spmmToCurrent(csr, li, 0);
        else spmm(csr, W, l.M, this.Ibuf, 0);
      } else {
        const g = l.geom!;
        for (let r = 0; r < rows; r++) {
          this.im2col(input, r * l.inSize, g);
          if (simd) simd.spmmToCurrent(this.colCsr, li, r * l.outSize);
          else spmm(this.colCsr, W, l.M, this.Ibuf, r * l.outSize);
        }
      }
      const mem = this.memNodes[li];
      // The default neuron runs in the module on the current it already holds; any other
      // neuron, a membrane add or the readout take the current out to JavaScript.
      const lifInWasm = simd !== null && l.spiking && mem.length === 0 && hasFastForward(this.opts.neuron);
      if (simd && !lifInWasm) simd.currentTo(this.Ibuf, rows * l.outSize);
      for (const nd of mem) {
        // membrane add: the other inputs join the current (the layer is not static then)
        const v = evalNode(st, T, nd);
        const I = this.Ibuf;
        for (let i = 0, m = n * T * l.outSize; i < m; i++) I[i] += v[i];
      }
      if (l.spiking) {
        if (lifInWasm) {
          const nb = this.opts.neuron;
          simd.lifForward(l.staticInput, n, T, l.outSize, nb.alpha, nb.beta, nb.theta, nb.reset === 'soft' ? nb.theta : 0, ls.u, ls.s);
        } else lifForward(this.opts.neuron, this.Ibuf, l.staticInput, n, T, l.outSize, ls.u, ls.s);
        if (lifInWasm && l.pool?.type === 'maxpool' && SimdKernels.pools(l.pool.geom)) {
          simd.maxPool2(n * T, l.pool.geom, ls.pooled as Vec, ls.arg as Int32Array);
        } else if (l.pool) {
          const pg = l.pool.geom;
          const out = ls.pooled as Vec;
          for (let r = 0; r < n * T; r++) {
            if (l.pool.type === 'avgpool') avgPoolForward(ls.s, r * l.outSize, pg, out, r * l.nextSize);
            else maxPoolForward(ls.s, r * l.outSize, pg, out, r * l.nextSize, ls.arg as Int32Array, r * l.nextSize);
          }
        }
      } else {
        const { alpha, beta } = this.opts.neuron;
        integratorForward(alpha, beta, this.Ibuf, l.staticInput, n, T, l.outSize, st.logits, this.nscratch);
      }
    }
    return softmaxCrossEntropy(st.logits, n, plan.classes, st.labels, scale === null ? null : st.dlogits, scale ?? 0);
  }

  /** Backward of one layer: weight gradient into dW, activation gradient into the layer below. */
  private backwardLayer(st: BatchState, li: number, W: Vec, dW: Vec): void {
    const { plan } = this;
    const l: LayerPlan = plan.layers[li];
    const ls = st.layers[li];
    const T = plan.timesteps;
    const n = st.n;
    const nb = this.opts.neuron;
    // Where the activation gradient goes: straight into the layer below's gOut (a chain),
    // through gX and the input expression (a merged input), or nowhere (the network input).
    const gn = this.gemmNode[li];
    const direct = !l.input && li > 0 && !plan.layers[li - 1].gradSum;
    const viaX = (!l.input && li > 0 && !direct) || (gn !== null && readsLayer(gn));
    const useH = l.type === 'conv' && l.spiking && (direct || viaX) && !l.staticInput && linearBackward(nb);
    if (!l.spiking) {
      integratorBackward(nb.alpha, nb.beta, st.dlogits, l.staticInput, n, T, l.outSize, this.dIbuf);
    } else {
      let gs = ls.gOut as Vec;
      if (l.pool) {
        const pg = l.pool.geom;
        for (let r = 0; r < n * T; r++) {
          if (l.pool.type === 'avgpool') avgPoolBackward(ls.gOut as Vec, r * l.nextSize, pg, this.gsBuf, r * l.outSize);
          else maxPoolBackward(ls.gOut as Vec, r * l.nextSize, pg, ls.arg as Int32Array, r * l.nextSize, this.gsBuf, r * l.outSize);
        }
        gs = this.gsBuf;
      }
      if (this.simd && hasFastBackward(nb) && ls.u instanceof Float32Array && gs instanceof Float64Array) {
        this.simd.lifBackward(gs, ls.u, l.staticInput, n, T, l.outSize, nb.alpha, nb.beta, nb.theta, nb.slope, this.dIbuf, useH ? this.hBuf : null);
      } else lifBackward(nb, gs, ls.u, ls.s, l.staticInput, n, T, l.outSize, this.dIbuf, this.nscratch, useH ? this.hBuf : null);
    }
    // membrane add: the current's gradient δI is also the gradient of each added tensor
    for (const nd of this.memNodes[li]) backNode(st, T, this.nodeGrad, nd, this.dIbuf);
    const rows = l.staticInput ? n : n * T;
    const input = this.inputOf(st, li);
    // dWt = inputᵀ·δI, as a sparse-row product of the transposed input with the δI rows
    // (SIMD: scattered from the input rows as they are, into a float32 gradient).
    const simd = this.simd;
    if (simd) {
      simd.zeroGrad(li);
      if (l.type === 'fc') simd.scatterGrad(ls.csr as SparseRows, this.dIbuf, 0, li);
      else {
        for (let r = 0; r < rows; r++) {
          this.im2col(input, r * l.inSize, l.geom!);
          simd.scatterGrad(this.colCsr, this.dIbuf, r * l.outSize, li);
        }
      }
      simd.readGrad(li, dW);
    } else if (l.type === 'fc') {
      spmmGrad(transposeSparse(ls.csr as SparseRows, this.csc, this.cscCount), this.dIbuf, l.M, dW, 0);
    } else {
      dW.fill(0);
      for (let r = 0; r < rows; r++) {
        this.im2col(input, r * l.inSize, l.geom!);
        transposeSparse(this.colCsr, this.csc, this.cscCount);
        spmmGrad(this.csc, this.dIbuf.subarray(r * l.outSize, (r + 1) * l.outSize), l.M, dW, 0, true);
      }
    }
    if (direct || viaX) {
      const target = direct ? (st.layers[li - 1].gOut as Float64Array) : this.gX;
      if (l.type === 'fc') {
        if (simd) simd.denseBackward(this.dIbuf, 0, rows, li, target, 0);
        else denseBackward(this.dIbuf, 0, rows, l.M, W, l.K, target, 0);
      } else {
        if (!simd) transposeDense(W, l.K, l.M, this.wT);
        const g = l.geom!;
        const gather = (D: Float64Array, dOff: number, gOff: number): void => {
          if (simd) {
            toSparseRows(D, dOff, l.positions, l.M, this.dCsr);
            simd.convGather(this.dCsr, li, g, target, gOff);
          } else convBackwardInputGather(D, dOff, l.M, this.wT, g, target, gOff, this.dCsr);
        };
        if (useH) {
          // δI_t = h_t + α·δI_{t+1}, and the map is linear: G_t = Wᵀ⋆h_t + α·G_{t+1}. h has
          // zeros wherever the layer above sent no gradient (max pooling routes it to one
          // tap of each window), so the sparse product costs a fraction of Wᵀ⋆δI.
          const a = nb.alpha;
          const sz = l.inSize;
          for (let b = 0; b < n; b++) {
            for (let t = T - 1; t >= 0; t--) {
              const r = b * T + t;
              gather(this.hBuf, r * l.outSize, r * sz);
              if (t < T - 1) for (let i = r * sz, e = i + sz; i < e; i++) target[i] += a * target[i + sz];
            }
          }
        } else {
          for (let r = 0; r < rows; r++) gather(this.dIbuf, r * l.outSize, r * l.inSize);
        }
      }
      if (viaX) {
        if (gn) backNode(st, T, this.nodeGrad, gn, this.gX);
        else {
          // a chain read of a layer whose gradient is a sum
          const t = st.layers[li - 1].gOut as Float64Array;
          for (let i = 0, m = rows * l.inSize; i < m; i++) t[i] += this.gX[i];
        }
      }
    }
  }

  /**
   * One training iteration of this shard: forward the samples `indices` of (x, y) with
   * `weights`, then every layer's backward that is due now (all of them when undelayed),
   * writing weight gradients into `grads` (float64, scaled by 1/batchTotal).
   */
  step(iteration: number, x: Vec, y: ArrayLike<number>, indices: ArrayLike<number>, batchTotal: number, weights: Vec[], grads: Vec[]): StepResult {
    const st = this.ring[iteration % this.ring.length];
    this.gather(st, x, y, indices);
    st.iteration = iteration;
    weights = this.widen(weights);
    const { lossSum, correct } = this.forward(st, weights, 1 / batchTotal);
    const L = this.plan.layers.length;
    const gradLayers = new Array<boolean>(L).fill(false);
    for (let li = L - 1; li >= 0; li--) {
      const j = iteration - this.delays[li];
      if (j < 0) continue;
      const src = this.ring[j % this.ring.length];
      if (src.iteration !== j) continue; // never forwarded (cannot happen in a contiguous run)
      this.backwardLayer(src, li, weights[li], grads[li]);
      gradLayers[li] = true;
    }
    return { lossSum, correct, gradLayers };
  }

  /** Forward only (evaluation): summed loss and correct predictions of `indices`. */
  evaluate(x: Vec, y: ArrayLike<number>, indices: ArrayLike<number>, weights: Vec[]): { lossSum: number; correct: number } {
    if (!this.evalState) this.evalState = this.allocState();
    this.gather(this.evalState, x, y, indices);
    return this.forward(this.evalState, this.widen(weights), null);
  }
}
