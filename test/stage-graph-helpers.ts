/** Synthetic layer graphs for the pipeline-baseline tests (the shape of lib/model/graph/training.ts's graphs). */
import type { Edge, Task, TaskGraph } from '../lib/model/types';
import type { Stage } from '../lib/model/graph/stages';

// ---------------------------------------------------------------------------------------------
// Synthetic layer graphs with chosen costs (the shape of lib/model/graph/training.ts's graphs)
// ---------------------------------------------------------------------------------------------

export interface LayerCost {
  F: number;
  Ba1: number;
  Ba2: number; // ignored for layer 1
  Bw: number;
  U: number;
}

export function task(id: string, kind: Task['kind'], layer: number, cycles: number): Task {
  return { id, kind, layer, cycles, gemmCycles: 0, vectorCycles: cycles };
}

/**
 * SpikePipe-variant layer graph: spikes edges carry `spikes` bytes, gradients `grad` bytes,
 * state/δI/weights `local` bytes (they stay on one processor in the baselines).
 */
export function spikepipeGraph(costs: LayerCost[], bytes: { spikes: number; grad: number; local: number }, loss = 0): TaskGraph {
  const L = costs.length;
  const tasks: Task[] = [];
  const idx = new Map<string, number>();
  const add = (t: Task) => {
    idx.set(t.id, tasks.length);
    tasks.push(t);
  };
  costs.forEach((c, i) => add(task(`F_${i + 1}`, 'F', i + 1, c.F)));
  add(task('Loss', 'Loss', 0, loss));
  for (let l = L; l >= 1; l--) {
    const c = costs[l - 1];
    add(task(`Ba1_${l}`, 'Ba1', l, c.Ba1));
    if (l > 1) add(task(`Ba2_${l}`, 'Ba2', l, c.Ba2));
    add(task(`Bw_${l}`, 'Bw', l, c.Bw));
    add(task(`U_${l}`, 'U', l, c.U));
  }
  const edges: Edge[] = [];
  const e = (a: string, b: string, n: number, data: Edge['data'], loopLayer?: number) => {
    const ed: Edge = { from: idx.get(a)!, to: idx.get(b)!, bytes: n, delay: loopLayer ? 1 : 0, data };
    if (loopLayer) ed.loopLayer = loopLayer;
    edges.push(ed);
  };
  for (let l = 2; l <= L; l++) e(`F_${l - 1}`, `F_${l}`, bytes.spikes, 'spikes');
  e(`F_${L}`, 'Loss', bytes.local, 'state');
  e('Loss', `Ba1_${L}`, bytes.local, 'grad');
  for (let l = L; l >= 1; l--) {
    e(`F_${l}`, `Ba1_${l}`, bytes.local, 'state');
    if (l < L) e(`Ba2_${l + 1}`, `Ba1_${l}`, bytes.grad, 'grad');
    if (l > 1) e(`Ba1_${l}`, `Ba2_${l}`, bytes.local, 'dI');
    e(`Ba1_${l}`, `Bw_${l}`, bytes.local, 'dI');
    if (l > 1) e(`F_${l - 1}`, `Bw_${l}`, bytes.spikes, 'spikes');
    e(`Bw_${l}`, `U_${l}`, bytes.local, 'grad');
    e(`U_${l}`, `F_${l}`, bytes.local, 'weights', l);
    if (l > 1) e(`U_${l}`, `Ba2_${l}`, bytes.local, 'weights', l);
  }
  return { name: 'synthetic', tasks, edges, layers: L };
}

/** PipeDream-variant layer graph: F_l, B_l (= whole backward incl. U), Loss. */
export function pipedreamGraph(F: number[], B: number[], bytes: { spikes: number; grad: number; local: number }, loss = 0): TaskGraph {
  const L = F.length;
  const tasks: Task[] = [];
  F.forEach((c, i) => tasks.push(task(`F_${i + 1}`, 'F', i + 1, c)));
  tasks.push(task('Loss', 'Loss', 0, loss));
  for (let l = L; l >= 1; l--) tasks.push(task(`B_${l}`, 'B', l, B[l - 1]));
  const at = (id: string) => tasks.findIndex((t) => t.id === id);
  const edges: Edge[] = [];
  const e = (a: string, b: string, n: number, data: Edge['data'], loopLayer?: number) => {
    const ed: Edge = { from: at(a), to: at(b), bytes: n, delay: loopLayer ? 1 : 0, data };
    if (loopLayer) ed.loopLayer = loopLayer;
    edges.push(ed);
  };
  for (let l = 2; l <= L; l++) e(`F_${l - 1}`, `F_${l}`, bytes.spikes, 'spikes');
  e(`F_${L}`, 'Loss', bytes.local, 'state');
  e('Loss', `B_${L}`, bytes.local, 'grad');
  for (let l = L; l >= 1; l--) {
    e(`F_${l}`, `B_${l}`, bytes.local, 'state');
    if (l < L) e(`B_${l + 1}`, `B_${l}`, bytes.grad, 'grad');
    e(`B_${l}`, `F_${l}`, bytes.local, 'weights', l);
  }
  return { name: 'synthetic-pd', tasks, edges, layers: L };
}

export const oneLayerPerStage = (L: number): Stage[] => Array.from({ length: L }, (_, i) => ({ first: i, last: i, replicas: 1 }));

