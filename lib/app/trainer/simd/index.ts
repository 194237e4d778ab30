/**
 * The float32 products of the trainer on WebAssembly SIMD (kernels.as.ts, AssemblyScript,
 * compiled by `npm run build:wasm` into dist/wasm/trainer-kernels.wasm).
 *
 * One `SimdKernels` per engine (per thread) owns one instance of the module, with its own
 * memory: per layer the weights (K×M), their transpose for conv layers and a float32 weight
 * gradient, and scratch for one call's operands. Operands are copied in (sparse rows: O(nnz);
 * dense rows converted from float64) and results copied out, which costs O(size) against the
 * O(nnz·M) of the product — about 2 % here. Measured on fmnist-conv's shapes, the products run
 * 8–10× faster than the scalar JavaScript kernels (../kernels.ts, ../conv.ts), which stay the
 * float64 path of the gradient checks and the reference these are tested against.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SparseRows, Vec } from '../kernels';
import type { ConvGeom } from '../conv';
import type { NetPlan } from '../plan';
import { fail } from '../../../model/errors';

/** The few WebAssembly globals used (lib es2022 declares none; Node 20 has them all). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface Exports {
  memory: { buffer: ArrayBuffer };
  alloc(bytes: number): number;
  spmm(ptr: number, idx: number, val: number, rows: number, binary: number, Wt: number, M: number, Y: number, accumulate: number): void;
  spmmScatter(ptr: number, idx: number, val: number, rows: number, binary: number, D: number, M: number, dWt: number): void;
  convGather(ptr: number, idx: number, val: number, H: number, W: number, C: number, k: number, s: number, pad: number, Ho: number, Wo: number, Wm: number, gx: number): void;
  denseBackward(D: number, rows: number, M: number, Wt: number, K: number, G: number): void;
  lifForward(I: number, staticInput: number, rows: number, T: number, n: number, alpha: number, beta: number, theta: number, th: number, u: number, s: number): void;
  maxPool2(x: number, maps: number, H: number, W: number, C: number, y: number, arg: number): void;
  lifBackward(g: number, u: number, staticInput: number, rows: number, T: number, n: number, alpha: number, beta: number, theta: number, k: number, dI: number, dH: number): void;
}

/** Where `npm run build:wasm` writes the module, from the package root. */
export const WASM_PATH = join('dist', 'wasm', 'trainer-kernels.wasm');

let compiled: object | null = null;

function packageRoot(from: string): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`trainer: no package.json above ${from}`);
    dir = up;
  }
}

/** The compiled module (once per thread). An InputError (one line, exit 2) when it was never built. */
function wasmModule(): object {
  if (compiled) return compiled;
  const file = join(packageRoot(__dirname), WASM_PATH);
  // An unbuilt checkout is the user's to fix: one line (InputError), not a stack trace.
  if (!existsSync(file)) fail(file, 'the SIMD kernels are not built: run `npm run build` (or `npm run build:wasm`), or train with --kernels js');
  compiled = new wasm.Module(readFileSync(file));
  return compiled;
}

/** Shape of one layer's weights: K inputs (rows of Wt) × M outputs. */
export interface SimdLayer {
  K: number;
  M: number;
  /** Conv layers keep Wtᵀ (M×K) for the activation gradient. */
  conv: boolean;
}

/** Largest operands of one call, in values. */
export interface SimdScratch {
  /** Sparse rows per call and stored entries. */
  rows: number;
  nnz: number;
  /** Dense input (δ rows) and dense output (Y, G or gx) values. */
  dense: number;
  out: number;
  /** A layer's whole input current and its membranes and spikes (0: no LIF in wasm). */
  current?: number;
  state?: number;
  /** Pooled spikes (and arg-max offsets) of the largest max-pooled layer. */
  pooled?: number;
  /** T·n of the largest spiking layer: one sample's LIF backward (0: none in wasm). */
  neuronSteps?: number;
}

interface Region {
  at: number;
  n: number;
}

export class SimdKernels {
  private readonly x: Exports;
  private readonly layers: SimdLayer[];
  private readonly w: Region[];
  private readonly wT: (Region | null)[];
  private readonly dw: Region[];
  private readonly ptr: Region;
  private readonly idx: Region;
  private readonly val: Region;
  private readonly din: Region;
  private readonly out: Region;
  private readonly cur: Region;
  private readonly u: Region;
  private readonly s: Region;
  private readonly pooled: Region;
  private readonly arg: Region;
  /** One sample's LIF backward: g, δI and δH as float64 (2 values each per f64), u as float32. */
  private readonly bg: Region;
  private readonly bdi: Region;
  private readonly bdh: Region;
  private readonly bu: Region;
  private f64!: Float64Array;
  private buf: ArrayBuffer | null = null;
  private f32!: Float32Array;
  private i32!: Int32Array;

  constructor(layers: SimdLayer[], scratch: SimdScratch) {
    const inst = new wasm.Instance(wasmModule(), {
      env: {
        abort: () => {
          throw new Error('trainer: wasm kernels aborted');
        },
      },
    });
    this.x = inst.exports as unknown as Exports;
    this.layers = layers;
    // 16-byte aligned (the stub allocator's blocks are not): aligned v128 loads and stores
    const region = (n: number): Region => ({ at: ((this.x.alloc(4 * Math.max(4, n) + 16) >>> 0) + 15) & ~15, n });
    this.w = layers.map((l) => region(l.K * l.M));
    this.wT = layers.map((l) => (l.conv ? region(l.K * l.M) : null));
    this.dw = layers.map((l) => region(l.K * l.M));
    this.ptr = region(scratch.rows + 1);
    this.idx = region(scratch.nnz);
    this.val = region(scratch.nnz);
    this.din = region(scratch.dense);
    this.out = region(scratch.out);
    this.cur = region(scratch.current ?? 0);
    this.u = region(scratch.state ?? 0);
    this.s = region(scratch.state ?? 0);
    this.pooled = region(scratch.pooled ?? 0);
    this.arg = region(scratch.pooled ?? 0);
    const steps = scratch.neuronSteps ?? 0;
    this.bg = region(2 * steps);
    this.bdi = region(2 * steps);
    this.bdh = region(2 * steps);
    this.bu = region(steps);
  }

  /** Views of the module's memory (renewed if it ever moved). */
  private views(): void {
    const b = this.x.memory.buffer;
    if (b === this.buf) return;
    this.buf = b;
    this.f32 = new Float32Array(b);
    this.i32 = new Int32Array(b);
    this.f64 = new Float64Array(b);
  }

  private f(r: Region, n = r.n): Float32Array {
    return this.f32.subarray(r.at >> 2, (r.at >> 2) + n);
  }

  private check(r: Region, n: number, what: string): void {
    if (n > r.n) throw new RangeError(`trainer: wasm ${what} needs ${n} values, has ${r.n}`);
  }

  /** Copy layer l's weights (K×M) in; conv layers also get their transpose. */
  setWeights(l: number, W: Vec): void {
    this.views();
    const { K, M } = this.layers[l];
    const w = this.f(this.w[l]);
    w.set(W.subarray(0, K * M));
    const t = this.wT[l];
    if (t) {
      const wt = this.f(t);
      for (let k = 0; k < K; k++) {
        const b = k * M;
        for (let m = 0; m < M; m++) wt[m * K + k] = w[b + m];
      }
    }
  }

  private loadRows(S: SparseRows): void {
    const nnz = S.ptr[S.rows];
    this.check(this.ptr, S.rows + 1, 'row pointers');
    this.check(this.idx, nnz, 'entries');
    this.i32.set(S.ptr.subarray(0, S.rows + 1), this.ptr.at >> 2);
    this.i32.set(S.idx.subarray(0, nnz), this.idx.at >> 2);
    if (!S.binary) this.f32.set(S.val.subarray(0, nnz), this.val.at >> 2);
  }

  /** Y[yOff..] = S·Wt_l (rows of M), as ../kernels.ts spmm. */
  spmm(S: SparseRows, l: number, Y: Vec, yOff: number): void {
    this.views();
    const M = this.layers[l].M;
    this.check(this.out, S.rows * M, 'output');
    this.loadRows(S);
    this.x.spmm(this.ptr.at, this.idx.at, this.val.at, S.rows, S.binary ? 1 : 0, this.w[l].at, M, this.out.at, 0);
    Y.set(this.f(this.out, S.rows * M), yOff);
  }

  /**
   * The same product written into the layer's input current (kept in the module for
   * lifForward), at value offset `off`.
   */
  spmmToCurrent(S: SparseRows, l: number, off: number): void {
    this.views();
    const M = this.layers[l].M;
    this.check(this.cur, off + S.rows * M, 'input current');
    this.loadRows(S);
    this.x.spmm(this.ptr.at, this.idx.at, this.val.at, S.rows, S.binary ? 1 : 0, this.w[l].at, M, this.cur.at + 4 * off, 0);
  }

  /** Copy the first n values of the input current out (for the neurons run in JavaScript). */
  currentTo(Y: Vec, n: number): void {
    this.views();
    Y.set(this.f(this.cur, n));
  }

  /**
   * LIF forward of the default neuron over the input current (../neuron.ts lifForward's fast
   * path, bit for bit), u and s copied out. th = θ for a soft reset, 0 for none.
   */
  lifForward(staticInput: boolean, rows: number, T: number, n: number, alpha: number, beta: number, theta: number, th: number, u: Vec, s: Vec): void {
    this.views();
    const size = rows * T * n;
    this.check(this.u, size, 'membranes');
    this.x.lifForward(this.cur.at, staticInput ? 1 : 0, rows, T, n, alpha, beta, theta, th, this.u.at, this.s.at);
    u.set(this.f(this.u, size));
    s.set(this.f(this.s, size));
  }

  /** True when maxPool2 can pool the spikes lifForward left: 2×2, stride 2, no padding, C a multiple of 4. */
  static pools(g: ConvGeom): boolean {
    return g.kernel === 2 && g.stride === 2 && g.padding === 0 && g.C % 4 === 0 && g.Ho === g.H >> 1 && g.Wo === g.W >> 1;
  }

  /**
   * 2×2 max pooling of the spikes the last lifForward left (`maps` maps of geometry g), as
   * ../conv.ts maxPoolForward (same maxima, same arg-max offsets), copied out.
   */
  maxPool2(maps: number, g: ConvGeom, pooled: Vec, arg: Int32Array): void {
    this.views();
    const n = maps * g.Ho * g.Wo * g.C;
    this.check(this.pooled, n, 'pooled spikes');
    this.check(this.s, maps * g.H * g.W * g.C, 'spikes');
    this.x.maxPool2(this.s.at, maps, g.H, g.W, g.C, this.pooled.at, this.arg.at);
    pooled.set(this.f(this.pooled, n));
    arg.set(this.i32.subarray(this.arg.at >> 2, (this.arg.at >> 2) + n));
  }

  /**
   * LIF backward of the default neuron (fast-sigmoid surrogate of slope k, reset detached or
   * none), ../neuron.ts lifBackward's fast path bit for bit, one sample at a time through the
   * module: g ([rows][T][n], float64) and u (float32) in, δI ([rows][T][n], or [rows][n] summed
   * over t when static) and δH out.
   */
  lifBackward(g: Float64Array, u: Float32Array, staticInput: boolean, rows: number, T: number, n: number, alpha: number, beta: number, theta: number, k: number, dI: Float64Array, dH: Float64Array | null): void {
    this.views();
    const m = T * n;
    this.check(this.bu, m, 'neuron steps');
    const gAt = this.bg.at >> 3;
    const dAt = this.bdi.at >> 3;
    const hAt = this.bdh.at >> 3;
    const out = staticInput ? n : m;
    for (let b = 0; b < rows; b++) {
      this.f64.set(g.subarray(b * m, (b + 1) * m), gAt);
      this.f32.set(u.subarray(b * m, (b + 1) * m), this.bu.at >> 2);
      this.x.lifBackward(this.bg.at, this.bu.at, staticInput ? 1 : 0, 1, T, n, alpha, beta, theta, k, this.bdi.at, dH ? this.bdh.at : 0);
      dI.set(this.f64.subarray(dAt, dAt + out), b * out);
      if (dH) dH.set(this.f64.subarray(hAt, hAt + m), b * m);
    }
  }

  /** Zero layer l's float32 weight gradient. */
  zeroGrad(l: number): void {
    this.views();
    this.f(this.dw[l]).fill(0);
  }

  /** dWt_l += Sᵀ·D (D = S.rows rows of M at D[dOff..], converted to float32). */
  scatterGrad(S: SparseRows, D: Vec, dOff: number, l: number): void {
    this.views();
    const M = this.layers[l].M;
    this.check(this.din, S.rows * M, 'δ rows');
    this.loadRows(S);
    this.f32.set(D.subarray(dOff, dOff + S.rows * M), this.din.at >> 2);
    this.x.spmmScatter(this.ptr.at, this.idx.at, this.val.at, S.rows, S.binary ? 1 : 0, this.din.at, M, this.dw[l].at);
  }

  /** Copy layer l's weight gradient out (overwriting dW). */
  readGrad(l: number, dW: Vec): void {
    this.views();
    dW.set(this.f(this.dw[l]));
  }

  /** Conv activation gradient of one map from compressed δ rows Dcsr (as convBackwardInputGather). */
  convGather(Dcsr: SparseRows, l: number, g: ConvGeom, gx: Vec, gOff: number): void {
    this.views();
    const n = g.H * g.W * g.C;
    this.check(this.out, n, 'conv input gradient');
    this.loadRows(Dcsr);
    if (Dcsr.binary) this.f(this.val, Dcsr.ptr[Dcsr.rows]).fill(1);
    this.x.convGather(this.ptr.at, this.idx.at, this.val.at, g.H, g.W, g.C, g.kernel, g.stride, g.padding, g.Ho, g.Wo, (this.wT[l] as Region).at, this.out.at);
    gx.set(this.f(this.out, n), gOff);
  }

  /** G[gOff..] = D·Wtᵀ (rows×K) for an FC layer, as ../kernels.ts denseBackward. */
  denseBackward(D: Vec, dOff: number, rows: number, l: number, G: Vec, gOff: number): void {
    this.views();
    const { K, M } = this.layers[l];
    this.check(this.din, rows * M, 'δ rows');
    this.check(this.out, rows * K, 'activation gradient');
    this.f32.set(D.subarray(dOff, dOff + rows * M), this.din.at >> 2);
    this.x.denseBackward(this.din.at, rows, M, this.w[l].at, K, this.out.at);
    G.set(this.f(this.out, rows * K), gOff);
  }
}

/**
 * The kernels an engine for `plan` needs: every layer's weights, and scratch for the largest
 * operand of any call on up to `maxSamples` samples (with `lif`, room for the membranes and
 * spikes of the largest spiking layer; with `lifBack`, for one sample's neuron backward).
 */
export function simdForPlan(plan: NetPlan, maxSamples: number, lif: boolean, lifBack: boolean): SimdKernels {
  const N = maxSamples;
  const T = plan.timesteps;
  let rows = 1;
  let nnz = 1;
  let dense = 1;
  let out = 1;
  let current = 1;
  let state = 0;
  let pooled = 0;
  let neuronSteps = 0;
  for (const l of plan.layers) {
    const r = l.geom ? l.positions : l.staticInput ? N : N * T;
    rows = Math.max(rows, r);
    nnz = Math.max(nnz, r * l.K, r * l.M);
    dense = Math.max(dense, r * l.M);
    out = Math.max(out, r * l.M, l.geom ? l.inSize : r * l.K);
    current = Math.max(current, (l.staticInput ? N : N * T) * l.outSize);
    if (l.spiking) state = Math.max(state, N * T * l.outSize);
    if (l.spiking) neuronSteps = Math.max(neuronSteps, T * l.outSize);
    if (l.spiking && l.pool?.type === 'maxpool' && SimdKernels.pools(l.pool.geom)) pooled = Math.max(pooled, N * T * l.nextSize);
  }
  const layers = plan.layers.map((l) => ({ K: l.K, M: l.M, conv: l.type === 'conv' }));
  return new SimdKernels(layers, { rows, nnz, dense, out, current, state: lif ? state : 0, pooled: lif ? pooled : 0, neuronSteps: lifBack ? neuronSteps : 0 });
}
