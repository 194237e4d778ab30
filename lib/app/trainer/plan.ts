/**
 * What the trainer needs to know about a network, as plain (structured-clone-able) data:
 * per weight layer the GEMM sizes, the conv and pool geometry in HWC layout, and whether the
 * layer spikes. Built once from a ResolvedNetwork; anything the trainer cannot run is an
 * InputError here, before any data is loaded.
 */
import { InputError } from '../../model/errors';
import { readsPrevious } from '../../model/spec/infer';
import type { ResolvedNetwork, Shape3 } from '../../model/spec/types';
import { type ConvGeom, slideOut } from './kernels';

export interface PoolPlan {
  type: 'avgpool' | 'maxpool';
  geom: ConvGeom;
  /** Values per sample after the pool. */
  outSize: number;
}

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
  /** The first layer sees the same analog input at every step (direct encoding). */
  staticInput: boolean;
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
  const branching = net.weightLayers.find((w) => !readsPrevious(w));
  if (branching) {
    throw new InputError(`${where}: /layers/${branching.specIndex}`, `${branching.name ? `"${branching.name}" reads` : 'this layer reads'} a merge or a skip connection; the trainer runs chains of layers only (residual and branching networks can be scheduled, not yet trained)`);
  }
  let prevNext = size(spec.input);
  net.weightLayers.forEach((wl, i) => {
    const at = `${where}: /layers/${wl.specIndex}`;
    const last = i === net.weightLayers.length - 1;
    if (wl.type !== 'fc' && wl.type !== 'conv') throw new InputError(at, `unsupported layer type "${String(wl.type)}" (the trainer runs fc, conv, avgpool, maxpool, flatten)`);
    const inSize = size(wl.inShape);
    if (inSize !== prevNext) throw new InputError(at, `input of ${inSize} values does not follow the previous layer's ${prevNext}`);
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
      staticInput: i === 0,
    });
    prevNext = nextSize;
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
