/**
 * GEMM lowering of the three matrix tasks of a weight layer (the table of README, The model) and the
 * choice of dataflow. `samples` is the number of (sample, timestep) pairs in one GEMM:
 * B·T for a whole layer, B for one timestep (timestep granularity).
 *
 *   task  fc Nin→Nout            conv Cin→Cout, k×k (im2col)
 *   F     Nout × Nin × s         Cout × Cin·k² × s·Ho·Wo
 *   Ba2   Nin × Nout × s         Cin × Cout·k² × s·Hi·Wi   (δ dilated by the stride, padded)
 *   Bw    Nout × s × Nin         Cout × s·Ho·Wo × Cin·k²
 *
 * An fc layer after a conv flattens: Nin = C·H·W of its input.
 */
import type { Dataflow, HardwareSpec, WeightLayer } from '../spec/types';
import { DATAFLOWS, dataflowCost, type GemmShape } from './dataflow';

export type GemmTask = 'F' | 'Ba2' | 'Bw';
/** `spec`: the dataflow the hardware spec names for the task; `best`: the cheapest of ws/os/is. */
export type DataflowPolicy = 'spec' | 'best';

export interface GemmChoice extends GemmShape {
  dataflow: Dataflow;
  folds: number;
  cycles: number;
}

export function gemmShape(task: GemmTask, w: WeightLayer, samples: number): GemmShape {
  const [cin, hi, wi] = w.inShape;
  const [cout, ho, wo] = w.outShape;
  if (w.type === 'fc') {
    const nin = cin * hi * wi;
    if (task === 'F') return { M: cout, K: nin, N: samples };
    if (task === 'Ba2') return { M: nin, K: cout, N: samples };
    return { M: cout, K: samples, N: nin };
  }
  const k2 = w.kernel * w.kernel;
  if (task === 'F') return { M: cout, K: cin * k2, N: samples * ho * wo };
  if (task === 'Ba2') return { M: cin, K: cout * k2, N: samples * hi * wi };
  return { M: cout, K: samples * ho * wo, N: cin * k2 };
}

/**
 * Cost of `shape` for `task` under `policy`. With `best`, ties keep the spec's dataflow,
 * then the order ws, os, is — so the result is deterministic.
 */
export function chooseGemm(task: GemmTask, shape: GemmShape, hw: HardwareSpec, policy: DataflowPolicy = 'spec'): GemmChoice {
  const preferred = hw.dataflow[task];
  let best: GemmChoice = { ...shape, dataflow: preferred, ...dataflowCost(preferred, shape, hw.array) };
  if (policy === 'best') {
    for (const df of DATAFLOWS) {
      const c = dataflowCost(df, shape, hw.array);
      if (c.cycles < best.cycles) best = { ...shape, dataflow: df, ...c };
    }
  }
  return best;
}
