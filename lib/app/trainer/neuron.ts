/**
 * The LIF neuron written as a first-order IIR filter, its reverse-time backward pass, the
 * surrogate derivatives of the spike, and the non-spiking integrator readout.
 *
 * Forward, per neuron, t = 1..T (u_0 = 0, s_0 = 0):
 *   soft reset:  u_t = α·u_{t−1} + β·I_t − θ·s_{t−1}
 *   hard reset:  u_t = α·u_{t−1}·(1 − s_{t−1}) + β·I_t
 *   no reset:    u_t = α·u_{t−1} + β·I_t
 *   s_t = H(u_t − θ)            (or σ(k·(u_t − θ)) with spikeFn 'sigmoid', for gradient checks)
 * Backward (BPTT), g_t = ∂L/∂s_t, σ'_t the surrogate at u_t − θ, e_{T+1} = 0:
 *   reset detached (default):  e_t = σ'_t·g_t + α·e_{t+1}              (hard: α·(1 − s_t)·e_{t+1})
 *   reset kept, soft:          e_t = σ'_t·(g_t − θ·e_{t+1}) + α·e_{t+1}
 *   reset kept, hard:          e_t = σ'_t·(g_t − α·u_t·e_{t+1}) + α·(1 − s_t)·e_{t+1}
 *   δI_t = β·e_t
 * i.e. the same IIR filter (pole α, gain β) run anti-causally.
 *
 * Arrays are [sample][t][neuron]. A layer whose input is the same at every step (direct
 * input encoding: the first layer) passes `staticInput` and I is [sample][neuron]; its
 * backward sums δI over t.
 */
import type { Vec } from './kernels';

export type SurrogateKind = 'fast-sigmoid' | 'triangle' | 'arctan';
export const SURROGATES: readonly SurrogateKind[] = ['fast-sigmoid', 'triangle', 'arctan'];

export interface NeuronParams {
  alpha: number;
  beta: number;
  theta: number;
  reset: 'soft' | 'hard' | 'none';
  /** Treat the reset term as a constant in backward (the default, as in the anchor). */
  detachReset: boolean;
  /** Heaviside spikes with a surrogate derivative, or smooth sigmoid spikes (checks only). */
  spikeFn: 'heaviside' | 'sigmoid';
  surrogate: SurrogateKind;
  /**
   * Sharpness k of the surrogate: fast-sigmoid σ' = 1/(k|v|+1)² (default 25, the anchor's
   * slope); triangle σ' = k·max(0, 1 − k|v|) (default 1, i.e. width θ = 1); arctan
   * σ' = (k/2)/(1 + (π·k·v/2)²) (default 2); sigmoid spikes s = 1/(1 + e^{−k·v}).
   */
  slope: number;
}

export const DEFAULT_SLOPE: Record<SurrogateKind, number> = { 'fast-sigmoid': 25, triangle: 1, arctan: 2 };

/** σ'(v) for every v = u − θ of u[off .. off+n) into out[0..n). */
function surrogateInto(p: NeuronParams, u: Vec, off: number, n: number, s: Vec, out: Float64Array): void {
  const th = p.theta;
  const k = p.slope;
  if (p.spikeFn === 'sigmoid') {
    for (let i = 0; i < n; i++) {
      const v = s[off + i];
      out[i] = k * v * (1 - v);
    }
    return;
  }
  switch (p.surrogate) {
    case 'fast-sigmoid':
      for (let i = 0; i < n; i++) {
        const d = k * Math.abs(u[off + i] - th) + 1;
        out[i] = 1 / (d * d);
      }
      break;
    case 'triangle':
      for (let i = 0; i < n; i++) {
        const d = 1 - k * Math.abs(u[off + i] - th);
        out[i] = d > 0 ? k * d : 0;
      }
      break;
    case 'arctan': {
      const c = (Math.PI * k) / 2;
      for (let i = 0; i < n; i++) {
        const v = c * (u[off + i] - th);
        out[i] = k / 2 / (1 + v * v);
      }
      break;
    }
  }
}

/**
 * Forward of a spiking layer over `rows` samples and T steps of n neurons: fills u and s
 * ([rows][T][n]) from I ([rows][T][n], or [rows][n] when staticInput). O(rows·T·n).
 */
export function lifForward(p: NeuronParams, I: Vec, staticInput: boolean, rows: number, T: number, n: number, u: Vec, s: Vec): void {
  const { alpha, beta, theta, reset } = p;
  const sig = p.spikeFn === 'sigmoid';
  const k = p.slope;
  if (hasFastForward(p)) {
    // Fast path (Heaviside spikes, soft or no reset): four neurons through their T steps at
    // a time, u and s in registers. Math.fround is the value a float32 u stores (a float64 u
    // stores v exactly), so this is the arithmetic of the general loop below, in the same
    // order, bit for bit. One neuron at a time is latency-bound (each step waits for the
    // last); four independent chains run ~2.3× faster than stepping t outermost (measured).
    const th = reset === 'soft' ? theta : 0;
    const f32 = u instanceof Float32Array;
    const n4 = n - (n % 4);
    for (let b = 0; b < rows; b++) {
      const c0 = b * T * n;
      const i0 = staticInput ? b * n : c0;
      for (let i = 0; i < n4; i += 4) {
        let ib = i0 + i;
        let o = c0 + i;
        let v0 = beta * I[ib], v1 = beta * I[ib + 1], v2 = beta * I[ib + 2], v3 = beta * I[ib + 3];
        u[o] = v0; u[o + 1] = v1; u[o + 2] = v2; u[o + 3] = v3;
        let u0 = (f32 ? Math.fround(v0) : v0), u1 = (f32 ? Math.fround(v1) : v1), u2 = (f32 ? Math.fround(v2) : v2), u3 = (f32 ? Math.fround(v3) : v3);
        let s0 = u0 >= theta ? 1 : 0, s1 = u1 >= theta ? 1 : 0, s2 = u2 >= theta ? 1 : 0, s3 = u3 >= theta ? 1 : 0;
        s[o] = s0; s[o + 1] = s1; s[o + 2] = s2; s[o + 3] = s3;
        for (let t = 1; t < T; t++) {
          o += n;
          if (!staticInput) ib = o;
          v0 = alpha * u0 + beta * I[ib] - th * s0;
          v1 = alpha * u1 + beta * I[ib + 1] - th * s1;
          v2 = alpha * u2 + beta * I[ib + 2] - th * s2;
          v3 = alpha * u3 + beta * I[ib + 3] - th * s3;
          u[o] = v0; u[o + 1] = v1; u[o + 2] = v2; u[o + 3] = v3;
          u0 = (f32 ? Math.fround(v0) : v0); u1 = (f32 ? Math.fround(v1) : v1); u2 = (f32 ? Math.fround(v2) : v2); u3 = (f32 ? Math.fround(v3) : v3);
          s0 = u0 >= theta ? 1 : 0; s1 = u1 >= theta ? 1 : 0; s2 = u2 >= theta ? 1 : 0; s3 = u3 >= theta ? 1 : 0;
          s[o] = s0; s[o + 1] = s1; s[o + 2] = s2; s[o + 3] = s3;
        }
      }
      for (let i = n4; i < n; i++) {
        let ib = i0 + i;
        let o = c0 + i;
        let v = beta * I[ib];
        u[o] = v;
        let up = (f32 ? Math.fround(v) : v);
        let sp = up >= theta ? 1 : 0;
        s[o] = sp;
        for (let t = 1; t < T; t++) {
          o += n;
          if (!staticInput) ib = o;
          v = alpha * up + beta * I[ib] - th * sp;
          u[o] = v;
          up = (f32 ? Math.fround(v) : v);
          sp = up >= theta ? 1 : 0;
          s[o] = sp;
        }
      }
    }
    return;
  }
  for (let b = 0; b < rows; b++) {
    for (let t = 0; t < T; t++) {
      const cur = (b * T + t) * n;
      const prev = cur - n;
      const ib = staticInput ? b * n : cur;
      for (let i = 0; i < n; i++) {
        const up = t > 0 ? u[prev + i] : 0;
        const sp = t > 0 ? s[prev + i] : 0;
        let v: number;
        if (reset === 'soft') v = alpha * up + beta * I[ib + i] - theta * sp;
        else if (reset === 'hard') v = alpha * up * (1 - sp) + beta * I[ib + i];
        else v = alpha * up + beta * I[ib + i];
        u[cur + i] = v;
        const vs = u[cur + i]; // as stored, so forward and backward see the same value
        s[cur + i] = sig ? 1 / (1 + Math.exp(-k * (vs - theta))) : vs >= theta ? 1 : 0;
      }
    }
  }
}

/**
 * Backward of lifForward: g = ∂L/∂s ([rows][T][n]) → dI ([rows][T][n], or [rows][n] summed
 * over t when staticInput; overwritten). `scratch` needs 2n values. O(rows·T·n).
 */
export function lifBackward(
  p: NeuronParams,
  g: Vec,
  u: Vec,
  s: Vec,
  staticInput: boolean,
  rows: number,
  T: number,
  n: number,
  dI: Vec,
  scratch: Float64Array,
  dH: Float64Array | null = null,
): void {
  const { alpha, beta, theta, reset, detachReset } = p;
  const eNext = scratch.subarray(0, n);
  const sg = scratch.subarray(n, 2 * n);
  if (staticInput) dI.fill(0, 0, rows * n);
  if (dH && !linearBackward(p)) throw new RangeError('lifBackward: dH needs a soft (detached) or no reset');
  if (hasFastBackward(p)) {
    // Fast path of the default neuron: e_t = σ'_t·g_t + α·e_{t+1}, σ' inlined; where g_t = 0
    // and e_{t+1} = 0 (silent gradient) there is nothing to compute. One neuron through its
    // T steps at a time, e in a register (the same arithmetic in the same order as stepping
    // t outermost, which it replaced: measured faster, as in lifForward).
    const k = p.slope;
    for (let b = 0; b < rows; b++) {
      const c0 = b * T * n;
      for (let i = 0; i < n; i++) {
        let en = 0;
        let acc = 0;
        for (let t = T - 1; t >= 0; t--) {
          const cur = c0 + t * n + i;
          const gi = g[cur];
          let e = 0;
          let h = 0;
          if (gi !== 0) {
            const d = k * Math.abs(u[cur] - theta) + 1;
            h = (1 / (d * d)) * gi;
            e = h + alpha * en;
          } else if (en !== 0) e = alpha * en;
          en = e;
          if (staticInput) acc += beta * e;
          else dI[cur] = beta * e;
          if (dH) dH[cur] = beta * h;
        }
        if (staticInput) dI[b * n + i] = acc;
      }
    }
    return;
  }
  for (let b = 0; b < rows; b++) {
    eNext.fill(0);
    for (let t = T - 1; t >= 0; t--) {
      const cur = (b * T + t) * n;
      surrogateInto(p, u, cur, n, s, sg);
      const ob = staticInput ? b * n : cur;
      for (let i = 0; i < n; i++) {
        const en = eNext[i];
        let e: number;
        if (reset === 'soft') e = detachReset ? sg[i] * g[cur + i] + alpha * en : sg[i] * (g[cur + i] - theta * en) + alpha * en;
        else if (reset === 'hard') {
          const keep = alpha * (1 - s[cur + i]) * en;
          e = detachReset ? sg[i] * g[cur + i] + keep : sg[i] * (g[cur + i] - alpha * u[cur + i] * en) + keep;
        } else e = sg[i] * g[cur + i] + alpha * en;
        eNext[i] = e;
        if (staticInput) dI[ob + i] += beta * e;
        else dI[ob + i] = beta * e;
        if (dH) dH[cur + i] = beta * (sg[i] * g[cur + i]);
      }
    }
  }
}

/** The neuron lifForward has a fast path for (Heaviside spikes, soft or no reset); the SIMD module runs the same one. */
export function hasFastForward(p: NeuronParams): boolean {
  return p.spikeFn === 'heaviside' && p.reset !== 'hard';
}

/** The neuron lifBackward has a fast path for (fast-sigmoid surrogate, linear backward); the SIMD module runs the same one. */
export function hasFastBackward(p: NeuronParams): boolean {
  return p.spikeFn === 'heaviside' && p.surrogate === 'fast-sigmoid' && linearBackward(p);
}

/**
 * True when the neuron's backward is the linear filter e_t = σ'_t·g_t + α·e_{t+1} (soft reset
 * detached, or no reset): then δI_t = h_t + α·δI_{t+1} with h_t = β·σ'_t·g_t, and a linear
 * map of δI (a conv's activation gradient) can be applied to the sparser h_t and filtered
 * after (lifBackward's `dH`).
 */
export function linearBackward(p: NeuronParams): boolean {
  return p.reset === 'none' || (p.reset === 'soft' && p.detachReset);
}

/**
 * The non-spiking readout: o_t = α·o_{t−1} + β·I_t, logits = (1/T)·Σ_t o_t. logits is
 * [rows][n]. `scratch` needs n values. O(rows·T·n).
 */
export function integratorForward(alpha: number, beta: number, I: Vec, staticInput: boolean, rows: number, T: number, n: number, logits: Vec, scratch: Float64Array): void {
  const o = scratch.subarray(0, n);
  for (let b = 0; b < rows; b++) {
    o.fill(0);
    const lb = b * n;
    for (let i = 0; i < n; i++) logits[lb + i] = 0;
    for (let t = 0; t < T; t++) {
      const ib = staticInput ? b * n : (b * T + t) * n;
      for (let i = 0; i < n; i++) {
        o[i] = alpha * o[i] + beta * I[ib + i];
        logits[lb + i] += o[i];
      }
    }
    for (let i = 0; i < n; i++) logits[lb + i] /= T;
  }
}

/**
 * Backward of integratorForward: e_t = dlogits/T + α·e_{t+1}, δI_t = β·e_t (overwritten;
 * summed over t when staticInput). O(rows·T·n).
 */
export function integratorBackward(alpha: number, beta: number, dlogits: Vec, staticInput: boolean, rows: number, T: number, n: number, dI: Vec): void {
  for (let b = 0; b < rows; b++) {
    const lb = b * n;
    for (let i = 0; i < n; i++) {
      const g = dlogits[lb + i] / T;
      let e = 0;
      let acc = 0;
      for (let t = T - 1; t >= 0; t--) {
        e = g + alpha * e;
        if (staticInput) acc += beta * e;
        else dI[(b * T + t) * n + i] = beta * e;
      }
      if (staticInput) dI[lb + i] = acc;
    }
  }
}
