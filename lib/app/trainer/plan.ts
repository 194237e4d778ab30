/**
 * What the trainer needs to know about a network, as plain (structured-clone-able) data:
 * per weight layer the GEMM sizes, the conv and pool geometry in HWC layout, and whether the
 * layer spikes. Built once from a ResolvedNetwork; anything the trainer cannot run is an
 * InputError here, before any data is loaded.
 */
import { InputError } from '../../model/errors';
import { NETWORK_INPUT, layerDag } from '../../model/spec/layer-dag';
import type { ResolvedNetwork, Shape3 } from '../../model/spec/types';
import { type ConvGeom, slideOut } from './conv';

export interface PoolPlan {
  type: 'avgpool' | 'maxpool';
  geom: ConvGeom;
  /** Values per sample after the pool. */
  outSize: number;
}

/**
 * What a weight layer of a residual or branching network reads, as an expression over the
 * network input and the outputs of earlier weight layers (after their own pools). All tensors
 * are per sample, HWC; `size` is values per sample.
 * - `add`: element-wise sum (SEW-ResNet's spike add, summed where read);
 * - `concat`: channel concatenation per pixel (`channels` per source over `pixels` pixels; flat
 *   tensors are one pixel);
 * - `pool`: a pool of a merged tensor (padding 0).
 */
export type InputExpr =
  | { kind: 'input'; size: number }
  | { kind: 'layer'; layer: number; size: number }
  | { kind: 'add'; srcs: InputExpr[]; size: number }
  | { kind: 'concat'; srcs: InputExpr[]; size: number; pixels: number; channels: number[] }
  | { kind: 'pool'; type: 'avgpool' | 'maxpool'; geom: ConvGeom; src: InputExpr; size: number };

export interface LayerPlan {
  /** 1-based weight-layer index. */
  index: number;
  type: 'fc' | 'conv';
  /** Values per sample of the input and of the GEMM output (before any pool). */
  inSize: number;
  outSize: number;
  /** GEMM sizes: K inputs (fc: inSize; conv: C·k²), M outputs (fc: out; conv: Cout). */
  K: number;
  M: number;
  /** Output positions per sample (fc: 1; conv: Ho·Wo). */
  positions: number;
  geom?: ConvGeom;
  pool?: PoolPlan;
  /** Values per sample handed to the next layer. */
  nextSize: number;
  /** False for the readout (last) layer. */
  spiking: boolean;
  /**
   * The layer sees the same analog input at every step (direct encoding: it reads the
   * network input itself, with nothing added to its current).
   */
  staticInput: boolean;
  /**
   * What the GEMM reads, when it is not simply the layer before (chain layers leave it out;
   * layer indices in expressions are 0-based into NetPlan.layers).
   */
  input?: InputExpr;
  /**
   * The gradient of this layer's output is a sum (it is read through a merge, a pool of a
   * merge, or by more than one layer): the engine zeroes it at forward and readers add to it.
   */
  gradSum?: boolean;
  /** Tensors added to the input current before the neuron (membrane add), same size as outSize. */
  membrane?: InputExpr[];
}

export interface NetPlan {
  name: string;
  /** [C, H, W]; samples are stored HWC. */
  input: Shape3;
  timesteps: number;
  classes: number;
  neuron: { alpha: number; beta: number; theta: number; reset: 'soft' | 'hard' | 'none' };
  layers: LayerPlan[];
}

const size = (s: Shape3): number => s[0] * s[1] * s[2];

/** Build the plan; InputError (naming the network file and layer) for what cannot be run. */
export function planNetwork(net: ResolvedNetwork): NetPlan {
  const spec = net.spec;
  const where = net.file ?? spec.name;
  const layers: LayerPlan[] = [];
  if (net.weightLayers.length === 0) throw new InputError(where, 'the network has no weight layer');
  if (spec.readout !== 'integrator') throw new InputError(`${where}: /readout`, `unsupported readout "${String(spec.readout)}" (the trainer supports "integrator")`);
  if (!['soft', 'hard', 'none'].includes(spec.neuron.reset)) throw new InputError(`${where}: /neuron/reset`, `unsupported reset "${String(spec.neuron.reset)}"`);
  if (!(Number.isInteger(spec.timesteps) && spec.timesteps >= 1)) throw new InputError(`${where}: /timesteps`, 'must be an integer ≥ 1');
  const exprs = inputExpressions(net);
  let prevNext = size(spec.input);
  net.weightLayers.forEach((wl, i) => {
    const at = `${where}: /layers/${wl.specIndex}`;
    const last = i === net.weightLayers.length - 1;
    if (wl.type !== 'fc' && wl.type !== 'conv') throw new InputError(at, `unsupported layer type "${String(wl.type)}" (the trainer runs fc, conv, avgpool, maxpool, flatten, add, concat)`);
    const inSize = size(wl.inShape);
    const { gemm, membrane } = exprs[i];
    const chain = membrane.length === 0 && (i === 0 ? gemm.kind === 'input' : gemm.kind === 'layer' && gemm.layer === i - 1);
    if (chain && inSize !== prevNext) throw new InputError(at, `input of ${inSize} values does not follow the previous layer's ${prevNext}`);
    if (gemm.size !== inSize) throw new InputError(at, `input of ${inSize} values, but what it reads has ${gemm.size}`);
    const outSize = size(wl.outShape);
    let K: number;
    let M: number;
    let positions: number;
    let geom: ConvGeom | undefined;
    if (wl.type === 'fc') {
      K = inSize;
      M = outSize;
      positions = 1;
    } else {
      const [C, H, W] = wl.inShape;
      const [Cout, Ho, Wo] = wl.outShape;
      geom = { H, W, C, kernel: wl.kernel, stride: wl.stride, padding: wl.padding, Ho, Wo };
      if (slideOut(H, wl.kernel, wl.stride, wl.padding) !== Ho || slideOut(W, wl.kernel, wl.stride, wl.padding) !== Wo) {
        throw new InputError(at, `conv output ${Ho}×${Wo} does not match kernel ${wl.kernel}, stride ${wl.stride}, padding ${wl.padding} on ${H}×${W}`);
      }
      K = C * wl.kernel * wl.kernel;
      M = Cout;
      positions = Ho * Wo;
    }
    let pool: PoolPlan | undefined;
    if (wl.pool) {
      if (last) throw new InputError(at, 'a pool after the readout layer is not supported');
      if (wl.pool.type !== 'avgpool' && wl.pool.type !== 'maxpool') throw new InputError(at, `unsupported pool "${String(wl.pool.type)}"`);
      const [C, H, W] = wl.outShape;
      const [, Ho, Wo] = wl.pool.outShape;
      const pg: ConvGeom = { H, W, C, kernel: wl.pool.kernel, stride: wl.pool.stride, padding: 0, Ho, Wo };
      if (slideOut(H, pg.kernel, pg.stride, 0) !== Ho || slideOut(W, pg.kernel, pg.stride, 0) !== Wo) {
        throw new InputError(at, `pool output ${Ho}×${Wo} does not match kernel ${pg.kernel}, stride ${pg.stride} on ${H}×${W}`);
      }
      pool = { type: wl.pool.type, geom: pg, outSize: C * Ho * Wo };
    }
    const nextSize = pool ? pool.outSize : outSize;
    if (size(wl.nextShape) !== nextSize) throw new InputError(at, `next shape ${wl.nextShape.join('×')} does not match ${nextSize} values`);
    if (last && outSize !== spec.classes) throw new InputError(at, `the readout has ${outSize} outputs but the network has ${spec.classes} classes`);
    layers.push({
      index: i + 1,
      type: wl.type,
      inSize,
      outSize,
      K,
      M,
      positions,
      geom,
      pool,
      nextSize,
      spiking: !last,
      staticInput: gemm.kind === 'input' && membrane.length === 0,
    });
    const lp = layers[layers.length - 1];
    if (!chain) lp.input = gemm;
    if (membrane.length) {
      for (const m of membrane) if (m.size !== outSize) throw new InputError(at, `a membrane add of ${m.size} values into a current of ${outSize}`);
      lp.membrane = membrane;
    }
    prevNext = nextSize;
  });
  // A layer read by anything but the next layer's GEMM alone takes its gradient as a sum.
  const reads = new Array<number>(layers.length).fill(0);
  const count = (e: InputExpr): void => {
    if (e.kind === 'layer') {
      reads[e.layer]++;
      layers[e.layer].gradSum = true;
    }
    else if (e.kind === 'add' || e.kind === 'concat') e.srcs.forEach(count);
    else if (e.kind === 'pool') count(e.src);
  };
  layers.forEach((l, i) => {
    if (i > 0 && !l.input && !l.membrane) reads[i - 1]++;
    if (l.input) count(l.input);
    l.membrane?.forEach(count);
  });
  layers.forEach((l, i) => {
    if (l.pool && reads[i] > 1) throw new InputError(`${where}: /layers/${net.weightLayers[i].specIndex}`, 'a layer with its own pool is read more than once');
  });
  return {
    name: spec.name,
    input: [spec.input[0], spec.input[1], spec.input[2]],
    timesteps: spec.timesteps,
    classes: spec.classes,
    neuron: { alpha: spec.neuron.alpha, beta: spec.neuron.beta, theta: spec.neuron.theta, reset: spec.neuron.reset },
    layers,
  };
}

/** Number of weights of a layer (K·M; layers are bias-free). */
export const layerParams = (l: LayerPlan): number => l.K * l.M;

/**
 * Per weight layer, what its GEMM reads and what is added to its current, from the layer DAG:
 * a pool that reads a conv nothing else reads is that conv's own (plan.pool); flatten changes
 * no data (HWC); a membrane add's first input is a weight layer whose current receives the
 * others. O(layers + edges).
 */
function inputExpressions(net: ResolvedNetwork): { gemm: InputExpr; membrane: InputExpr[] }[] {
  const spec = net.spec;
  const where = net.file ?? spec.name;
  const dag = layerDag(spec.layers, where);
  const byspec = new Map<number, number>();
  net.weightLayers.forEach((w, i) => byspec.set(w.specIndex, i));
  const memo = new Map<number, { e: InputExpr; shape: Shape3 }>();
  const membrane: InputExpr[][] = net.weightLayers.map(() => []);
  const inputShape: Shape3 = [spec.input[0], spec.input[1], spec.input[2]];
  const value = (j: number): { e: InputExpr; shape: Shape3 } => {
    if (j === NETWORK_INPUT) return { e: { kind: 'input', size: size(inputShape) }, shape: inputShape };
    const hit = memo.get(j);
    if (hit) return hit;
    const l = spec.layers[j];
    const ins = dag.inputs[j];
    let r: { e: InputExpr; shape: Shape3 };
    const wi = byspec.get(j);
    if (wi !== undefined) {
      const w = net.weightLayers[wi];
      // The unpooled output; a pool of its own is taken below.
      r = { e: { kind: 'layer', layer: wi, size: size(w.outShape) }, shape: w.outShape };
    } else {
      switch (l.type) {
        case 'avgpool':
        case 'maxpool': {
          const src = ins[0];
          const wsrc = src === NETWORK_INPUT ? undefined : byspec.get(src);
          if (wsrc !== undefined && net.weightLayers[wsrc].pool && dag.readers[src].length === 1) {
            const w = net.weightLayers[wsrc];
            r = { e: { kind: 'layer', layer: wsrc, size: size(w.nextShape) }, shape: w.nextShape };
          } else {
            const v = value(src);
            const [C, H, W] = v.shape;
            const k = l.kernel;
            const st = l.stride ?? k;
            const Ho = slideOut(H, k, st, 0);
            const Wo = slideOut(W, k, st, 0);
            const shape: Shape3 = [C, Ho, Wo];
            r = { e: { kind: 'pool', type: l.type, geom: { H, W, C, kernel: k, stride: st, padding: 0, Ho, Wo }, src: v.e, size: size(shape) }, shape };
          }
          break;
        }
        case 'flatten': {
          const v = value(ins[0]);
          r = { e: v.e, shape: [size(v.shape), 1, 1] };
          break;
        }
        case 'add': {
          const vals = ins.map(value);
          if (l.mode === 'membrane') {
            const first = byspec.get(ins[0]);
            if (first === undefined) throw new InputError(`${where}: /layers/${j}/inputs/0`, 'a membrane add needs a conv or fc as its first input');
            for (const v of vals.slice(1)) membrane[first].push(v.e);
            r = vals[0];
          } else r = { e: { kind: 'add', srcs: vals.map((v) => v.e), size: vals[0].e.size }, shape: vals[0].shape };
          break;
        }
        case 'concat': {
          const vals = ins.map(value);
          // Flat tensors are [n, 1, 1]: one pixel, so channel concat is vector concat.
          const pixels = vals[0].shape[1] * vals[0].shape[2];
          const channels = vals.map((v) => v.e.size / pixels);
          const total = channels.reduce((a, b) => a + b, 0);
          const shape: Shape3 = [total, vals[0].shape[1], vals[0].shape[2]];
          r = { e: { kind: 'concat', srcs: vals.map((v) => v.e), size: total * pixels, pixels, channels }, shape };
          break;
        }
        default:
          throw new InputError(`${where}: /layers/${j}`, `unsupported layer type "${String((l as { type: unknown }).type)}"`);
      }
    }
    memo.set(j, r);
    return r;
  };
  // Visit every layer first so that all membrane adds are collected.
  for (const j of dag.order) value(j);
  return net.weightLayers.map((w, i) => ({ gemm: value(dag.inputs[w.specIndex][0]).e, membrane: membrane[i] }));
}
