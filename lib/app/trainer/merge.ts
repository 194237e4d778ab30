/**
 * Merged inputs of residual and branching networks (plan.ts `InputExpr`): evaluating an
 * occurrence of an expression into buffers kept for backward, and sending a gradient back
 * through it into the output gradients (`gOut`) of the layers it reads.
 */
import { avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward } from './conv';
import type { Vec } from './kernels';
import type { InputExpr } from './plan';

/**
 * One occurrence of an InputExpr in a layer's input (ids are per occurrence, so a merge read
 * by two layers is evaluated by each, as the model says).
 */
export interface ENode {
  e: InputExpr;
  /** Index into BatchState.nodes / ShardEngine.nodeGrad; −1 for leaves. */
  id: number;
  kids: ENode[];
}

/** Value of a merge node in one state: [n·T][size], and max-pool arg-max offsets. */
export interface NodeState {
  val: Vec;
  arg: Int32Array | null;
}

/** What evaluation reads and writes of a shard engine's per-minibatch state. */
export interface MergeState {
  n: number;
  /** Network input [n][size] (the same at every step). */
  x: Vec;
  layers: { s: Vec; pooled: Vec | null; gOut: Float64Array | null }[];
  nodes: NodeState[];
}

/** True when an expression reads some weight layer's output (so a gradient flows back). */
export function readsLayer(nd: ENode): boolean {
  return nd.e.kind === 'layer' || nd.kids.some(readsLayer);
}

/**
 * Value of an expression occurrence in state st: a leaf's own buffer (the network input has
 * n rows, a layer's output n·T), a merge computed into its node buffer (n·T rows).
 */
export function evalNode(st: MergeState, T: number, nd: ENode): Vec {
  const e = nd.e;
  if (e.kind === 'input') return st.x;
  if (e.kind === 'layer') {
    const ls = st.layers[e.layer];
    return ls.pooled ?? ls.s;
  }
  const NT = st.n * T;
  const ns = st.nodes[nd.id];
  const out = ns.val;
  const sz = e.size;
  // Rows of a source: the network input is the same at every step.
  const rowOf = (kid: ENode, r: number): number => (kid.e.kind === 'input' ? (r / T) | 0 : r);
  if (e.kind === 'add') {
    for (let k = 0; k < nd.kids.length; k++) {
      const kid = nd.kids[k];
      const v = evalNode(st, T, kid);
      for (let r = 0; r < NT; r++) {
        const o = r * sz;
        const q = rowOf(kid, r) * sz;
        if (k === 0) for (let i = 0; i < sz; i++) out[o + i] = v[q + i];
        else for (let i = 0; i < sz; i++) out[o + i] += v[q + i];
      }
    }
  } else if (e.kind === 'concat') {
    const P = e.pixels;
    const Ct = sz / P;
    let c0 = 0;
    for (let k = 0; k < nd.kids.length; k++) {
      const kid = nd.kids[k];
      const v = evalNode(st, T, kid);
      const Ck = e.channels[k];
      for (let r = 0; r < NT; r++) {
        const q = rowOf(kid, r) * kid.e.size;
        for (let p = 0; p < P; p++) {
          const o = r * sz + p * Ct + c0;
          const a = q + p * Ck;
          for (let c = 0; c < Ck; c++) out[o + c] = v[a + c];
        }
      }
      c0 += Ck;
    }
  } else {
    const kid = nd.kids[0];
    const v = evalNode(st, T, kid);
    const src = kid.e.size;
    for (let r = 0; r < NT; r++) {
      const q = rowOf(kid, r) * src;
      if (e.type === 'avgpool') avgPoolForward(v, q, e.geom, out, r * sz);
      else maxPoolForward(v, q, e.geom, out, r * sz, ns.arg as Int32Array, r * sz);
    }
  }
  return out;
}

/**
 * Send g (∂L/∂ of the occurrence's value, [n·T][size]) back through it: summed into the
 * gOut of every layer it reads (the network input takes none). g is only read.
 */
export function backNode(st: MergeState, T: number, nodeGrad: Float64Array[][], nd: ENode, g: Float64Array): void {
  const e = nd.e;
  const NT = st.n * T;
  if (e.kind === 'input') return;
  if (e.kind === 'layer') {
    const t = st.layers[e.layer].gOut as Float64Array;
    for (let i = 0, m = NT * e.size; i < m; i++) t[i] += g[i];
    return;
  }
  if (e.kind === 'add') {
    for (const kid of nd.kids) backNode(st, T, nodeGrad, kid, g);
    return;
  }
  const bufs = nodeGrad[nd.id];
  const sz = e.size;
  if (e.kind === 'concat') {
    const P = e.pixels;
    const Ct = sz / P;
    let c0 = 0;
    for (let k = 0; k < nd.kids.length; k++) {
      const kid = nd.kids[k];
      const Ck = e.channels[k];
      if (kid.e.kind !== 'input') {
        const gk = bufs[k];
        for (let r = 0; r < NT; r++) {
          for (let p = 0; p < P; p++) {
            const o = r * sz + p * Ct + c0;
            const a = r * kid.e.size + p * Ck;
            for (let c = 0; c < Ck; c++) gk[a + c] = g[o + c];
          }
        }
        backNode(st, T, nodeGrad, kid, gk);
      }
      c0 += Ck;
    }
    return;
  }
  const kid = nd.kids[0];
  if (kid.e.kind === 'input') return;
  const gs = bufs[0];
  const src = kid.e.size;
  for (let r = 0; r < NT; r++) {
    if (e.type === 'avgpool') avgPoolBackward(g, r * sz, e.geom, gs, r * src);
    else maxPoolBackward(g, r * sz, e.geom, st.nodes[nd.id].arg as Int32Array, r * sz, gs, r * src);
  }
  backNode(st, T, nodeGrad, kid, gs);
}
