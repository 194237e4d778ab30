/**
 * Cycles of every training task of a layer (lowering in gemm.ts, array in dataflow/, vector
 * unit in vector.ts): GEMM cycles from the systolic array plus vector-unit cycles,
 * `cycles = gemmCycles + vectorCycles`.
 *
 *   F_l    GEMM F  + IIR forward  + pool forward (if the layer has a pool)
 *                   + merges folded into its input (adds, pools of merged tensors; spec/infer.ts)
 *   Ba1_l           IIR reverse  + pool backward
 *                   + the sum of the gradients of its readers when more than one reads it
 *   Ba2_l  GEMM Ba2 + backward of pools of merged inputs (absent when the layer reads only the
 *                     network input: nothing below needs the gradient)
 *   Bw_l   GEMM Bw
 *   U_l             optimizer step over |W|
 *   Loss            softmax cross-entropy over B·classes
 *
 * With `granularity: 'timestep'` F, Ba1 and Ba2 are costed for ONE timestep (samples = B);
 * Bw and U stay whole-layer tasks. Everything is O(1) per task.
 *
 * With `memoryTraffic: true` (layer granularity only) every task also carries the bytes it reads
 * from and writes to on-chip memory (memory.ts), `memoryReadBytes` and `memoryWriteBytes`.
 * They are opt-in so that the cost objects and `spikepipe cost` keep their shape for callers
 * that compare them whole.
 */
import type { Dataflow, HardwareSpec, ResolvedNetwork, WeightLayer } from '../spec/types';
import { fail } from '../errors';
import { chooseGemm, gemmShape, type DataflowPolicy, type GemmChoice, type GemmTask } from './gemm';
import { iirCycles, lossCycles, poolCycles, updateCycles } from './vector';
import { layerTaskTraffic, lossTraffic, type MemoryTraffic } from './memory';
import { nextSize } from '../spec/network';
import { LIMITS, safeCount } from '../limits';

export interface TaskCost {
  gemm: GemmChoice | null;
  gemmCycles: number;
  vectorCycles: number;
  cycles: number;
  /** On-chip memory bytes read (memory.ts); present only when costed with `memoryTraffic`. */
  memoryReadBytes?: number;
  /** On-chip memory bytes written; present only when costed with `memoryTraffic`. */
  memoryWriteBytes?: number;
}

export interface CostOptions {
  /** Samples per minibatch (default: the network's batch; GPipe passes B/m). */
  batch?: number;
  dataflow?: DataflowPolicy;
  /** `timestep`: F, Ba1, Ba2 costed per timestep. */
  granularity?: 'layer' | 'timestep';
  /** Also count each task's on-chip memory traffic (layer granularity only). */
  memoryTraffic?: boolean;
}

export interface LayerTaskCosts {
  F: TaskCost;
  Ba1: TaskCost;
  /** null for layer 1. */
  Ba2: TaskCost | null;
  Bw: TaskCost;
  U: TaskCost;
}

export type LayerTaskKind = keyof LayerTaskCosts;

/** Ba2_l exists when some weight layer below needs the gradient of l's GEMM input. */
export const hasBa2 = (w: WeightLayer): boolean => w.inputs.some((x) => x.into === 'gemm' && x.from > 0);
export const LAYER_TASK_KINDS: readonly LayerTaskKind[] = ['F', 'Ba1', 'Ba2', 'Bw', 'U'];

/** Batch size to cost with: opts.batch (checked) or the network's. */
export function effectiveBatch(net: ResolvedNetwork, opts: CostOptions = {}): number {
  const b = opts.batch ?? net.spec.batch;
  if (!Number.isSafeInteger(b) || b <= 0 || b > LIMITS.batch) {
    fail(opts.batch !== undefined ? 'batch' : `${net.file ?? net.spec.name}: /batch`, `must be a positive integer ≤ ${LIMITS.batch}, got ${b}`);
  }
  return b;
}

function checkPolicy(p: unknown): DataflowPolicy {
  if (p === undefined) return 'spec';
  if (p !== 'spec' && p !== 'best') fail('dataflow', `must be "spec" or "best", got ${JSON.stringify(p)}`);
  return p;
}

const vectorOnly = (vectorCycles: number): TaskCost => ({ gemm: null, gemmCycles: 0, vectorCycles, cycles: vectorCycles });

function withGemm(g: GemmChoice, vectorCycles: number): TaskCost {
  return { gemm: g, gemmCycles: g.cycles, vectorCycles, cycles: g.cycles + vectorCycles };
}

const withTraffic = (c: TaskCost, t: MemoryTraffic): TaskCost => ({ ...c, memoryReadBytes: t.readBytes, memoryWriteBytes: t.writeBytes });

export function layerTaskCosts(layer: WeightLayer, net: ResolvedNetwork, hw: HardwareSpec, opts: CostOptions = {}): LayerTaskCosts {
  const B = effectiveBatch(net, opts);
  const policy = checkPolicy(opts.dataflow);
  const T = opts.granularity === 'timestep' ? 1 : net.spec.timesteps;
  const Tfull = net.spec.timesteps;
  const [co, ho, wo] = layer.outShape;
  const nOut = co * ho * wo;
  const gemm = (task: GemmTask, samples: number) => chooseGemm(task, gemmShape(task, layer, samples), hw, policy);
  const pool = layer.pool ? poolCycles(T, B, nOut, hw) : 0;
  const iir = iirCycles(T, B, nOut, hw);
  // Element-wise work of the merges folded in (one vector op per element, as a pool's).
  const merge = poolCycles(T, B, layer.mergeElements + layer.inputPoolElements, hw);
  const inputPoolBack = poolCycles(T, B, layer.inputPoolElements, hw);
  const fanIn = poolCycles(T, B, Math.max(0, layer.consumers.length - 1) * nextSize(layer), hw);
  const c: LayerTaskCosts = {
    F: withGemm(gemm('F', B * T), iir + pool + merge),
    Ba1: vectorOnly(iir + pool + fanIn),
    Ba2: hasBa2(layer) ? withGemm(gemm('Ba2', B * T), inputPoolBack) : null,
    Bw: withGemm(gemm('Bw', B * Tfull), 0),
    U: vectorOnly(updateCycles(layer.params, net.spec.optimizer ?? 'adam', hw)),
  };
  const where = `${net.file ?? net.spec.name}: /layers/${layer.specIndex}`;
  for (const kind of LAYER_TASK_KINDS) {
    const tc = c[kind];
    if (tc) safeCount(tc.cycles, where, `${kind}_${layer.index} on hardware ${hw.name} (batch ${B}, timesteps ${Tfull})`);
  }
  if (!opts.memoryTraffic) return c;
  if (opts.granularity === 'timestep') fail('memoryTraffic', 'memory traffic is counted at layer granularity only');
  const t = layerTaskTraffic(layer, net, hw, { F: c.F.gemm!, Ba2: c.Ba2?.gemm ?? null, Bw: c.Bw.gemm! }, B);
  return {
    F: withTraffic(c.F, t.F),
    Ba1: withTraffic(c.Ba1, t.Ba1),
    Ba2: c.Ba2 && t.Ba2 ? withTraffic(c.Ba2, t.Ba2) : null,
    Bw: withTraffic(c.Bw, t.Bw),
    U: withTraffic(c.U, t.U),
  };
}

export function lossTaskCost(net: ResolvedNetwork, hw: HardwareSpec, opts: CostOptions = {}): TaskCost {
  const B = effectiveBatch(net, opts);
  const c = vectorOnly(safeCount(lossCycles(B, net.spec.classes, hw), `${net.file ?? net.spec.name}: /classes`, `Loss on hardware ${hw.name} (batch ${B}, lossCyclesPerElement ${hw.lossCyclesPerElement})`));
  return opts.memoryTraffic ? withTraffic(c, lossTraffic(B, net.spec.classes, hw)) : c;
}

/** PipeDream's combined backward B_l = Ba1 + Ba2 + Bw + U (costs summed; no single GEMM). */
export function combinedBackwardCost(c: LayerTaskCosts): TaskCost {
  const parts = [c.Ba1, c.Ba2, c.Bw, c.U].filter((x): x is TaskCost => x !== null);
  const gemmCycles = parts.reduce((s, x) => s + x.gemmCycles, 0);
  const vectorCycles = parts.reduce((s, x) => s + x.vectorCycles, 0);
  const sum: TaskCost = { gemm: null, gemmCycles, vectorCycles, cycles: gemmCycles + vectorCycles };
  if (!parts.every((x) => x.memoryReadBytes !== undefined && x.memoryWriteBytes !== undefined)) return sum;
  return withTraffic(sum, {
    readBytes: parts.reduce((s, x) => s + x.memoryReadBytes!, 0),
    writeBytes: parts.reduce((s, x) => s + x.memoryWriteBytes!, 0),
  });
}

export interface CostRow {
  id: string;
  kind: LayerTaskKind | 'Loss';
  /** Weight layer 1..L; 0 for Loss. */
  layer: number;
  gemm: { M: number; K: number; N: number; dataflow: Dataflow; folds: number } | null;
  gemmCycles: number;
  vectorCycles: number;
  cycles: number;
  /** With `memoryTraffic`: on-chip memory bytes the task reads and writes (memory.ts). */
  memoryReadBytes?: number;
  memoryWriteBytes?: number;
}

export interface CostTable {
  network: string;
  hardware: string;
  batch: number;
  timesteps: number;
  dataflow: DataflowPolicy;
  tasks: CostRow[];
  /** Σ cycles = time of one training iteration on one processor. */
  totalCycles: number;
  /** With `memoryTraffic`: Σ memoryReadBytes and Σ memoryWriteBytes over the tasks. */
  totalMemoryReadBytes?: number;
  totalMemoryWriteBytes?: number;
}

/**
 * Every task of one training iteration at layer granularity (SpikePipe task set), in layer
 * order F, Ba1, Ba2, Bw, U per layer, then Loss. What `spikepipe cost` prints (with
 * `spikepipe cost` and `memoryTraffic: true`: the memory columns and their totals too).
 */
export function costTable(net: ResolvedNetwork, hw: HardwareSpec, opts: Omit<CostOptions, 'granularity'> = {}): CostTable {
  const rows: CostRow[] = [];
  const row = (id: string, kind: CostRow['kind'], layer: number, c: TaskCost): CostRow => {
    const r: CostRow = {
      id,
      kind,
      layer,
      gemm: c.gemm ? { M: c.gemm.M, K: c.gemm.K, N: c.gemm.N, dataflow: c.gemm.dataflow, folds: c.gemm.folds } : null,
      gemmCycles: c.gemmCycles,
      vectorCycles: c.vectorCycles,
      cycles: c.cycles,
    };
    if (c.memoryReadBytes !== undefined) r.memoryReadBytes = c.memoryReadBytes;
    if (c.memoryWriteBytes !== undefined) r.memoryWriteBytes = c.memoryWriteBytes;
    return r;
  };
  for (const w of net.weightLayers) {
    const c = layerTaskCosts(w, net, hw, { ...opts, granularity: 'layer' });
    for (const kind of LAYER_TASK_KINDS) {
      const tc = c[kind];
      if (tc) rows.push(row(`${kind}_${w.index}`, kind, w.index, tc));
    }
  }
  rows.push(row('Loss', 'Loss', 0, lossTaskCost(net, hw, opts)));
  const table: CostTable = {
    network: net.spec.name,
    hardware: hw.name,
    batch: effectiveBatch(net, opts),
    timesteps: net.spec.timesteps,
    dataflow: checkPolicy(opts.dataflow),
    tasks: rows,
    totalCycles: safeCount(rows.reduce((s, r) => s + r.cycles, 0), net.file ?? net.spec.name, `one iteration on hardware ${hw.name}`),
  };
  if (opts.memoryTraffic) {
    table.totalMemoryReadBytes = safeCount(rows.reduce((s, r) => s + r.memoryReadBytes!, 0), net.file ?? net.spec.name, 'memory read in one iteration', 'bytes');
    table.totalMemoryWriteBytes = safeCount(rows.reduce((s, r) => s + r.memoryWriteBytes!, 0), net.file ?? net.spec.name, 'memory written in one iteration', 'bytes');
  }
  return table;
}
