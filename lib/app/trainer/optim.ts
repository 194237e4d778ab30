/**
 * Optimizers, per weight layer, updating weights in place. Each layer keeps its own step
 * count, so a layer whose first (delayed) gradient arrives late starts Adam's bias
 * correction at its own first step. `delta`, when given, receives the change applied to each
 * weight (the EMA weight reconstruction needs it).
 */
import type { Vec } from './kernels';

export type OptimizerKind = 'sgd' | 'adam';

export interface Optimizer {
  readonly kind: OptimizerKind;
  readonly lr: number;
  /**
   * W ← W − update(g) for layer `layer` (0-based). Returns false when a new weight is not
   * finite (the sum of the new weights is taken in the same pass, so this costs nothing).
   * O(|W|).
   */
  step(layer: number, W: Vec, g: Vec, delta?: Vec): boolean;
}

/** Plain SGD: W ← W − lr·g. */
export function sgd(lr: number): Optimizer {
  return {
    kind: 'sgd',
    lr,
    step(_layer, W, g, delta) {
      let sum = 0;
      for (let i = 0; i < W.length; i++) {
        const d = -lr * g[i];
        W[i] += d;
        sum += W[i];
        if (delta) delta[i] = d;
      }
      return Number.isFinite(sum);
    },
  };
}

/**
 * Adam (Kingma & Ba) with PyTorch's defaults and arithmetic order: m ← β1·m + (1−β1)·g,
 * v ← β2·v + (1−β2)·g², W ← W − (lr/(1−β1^t))·m / (√v/√(1−β2^t) + ε).
 */
export function adam(lr: number, sizes: number[], beta1 = 0.9, beta2 = 0.999, eps = 1e-8): Optimizer {
  // Moments in float64: the arithmetic is double anyway, and no float32 round-trips.
  const m = sizes.map((n) => new Float64Array(n));
  const v = sizes.map((n) => new Float64Array(n));
  const t = sizes.map(() => 0);
  return {
    kind: 'adam',
    lr,
    step(layer, W, g, delta) {
      const ml = m[layer];
      const vl = v[layer];
      const k = ++t[layer];
      const stepSize = lr / (1 - Math.pow(beta1, k));
      const bc2 = Math.sqrt(1 - Math.pow(beta2, k));
      let sum = 0;
      for (let i = 0; i < W.length; i++) {
        const gi = g[i];
        ml[i] = beta1 * ml[i] + (1 - beta1) * gi;
        vl[i] = beta2 * vl[i] + (1 - beta2) * gi * gi;
        const d = (-stepSize * ml[i]) / (Math.sqrt(vl[i]) / bc2 + eps);
        W[i] += d;
        sum += W[i];
        if (delta) delta[i] = d;
      }
      return Number.isFinite(sum);
    },
  };
}

export function makeOptimizer(kind: OptimizerKind, lr: number, sizes: number[]): Optimizer {
  return kind === 'adam' ? adam(lr, sizes) : sgd(lr);
}
