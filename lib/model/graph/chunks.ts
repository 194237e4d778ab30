/**
 * Micro-batch chunk graphs of the synchronous pipelines of today (1F1B-flush, interleaved 1F1B,
 * Zero Bubble, DualPipeV): the layer-level training graph (costed at the micro-batch size B/m)
 * contracted over contiguous chunks of layers, per micro-batch j one forward F_c^j, one backward
 * for the input B_c^j (= Ba1 + Ba2, the Loss folded into the last chunk's) and one backward for
 * the weights W_c^j (= Bw) — Zero Bubble's F/B/W split, which is exactly our Ba/Bw — and per
 * chunk one update U_c per minibatch after every W_c^j. The weight loops U_c → F_c^j and
 * U_c → B_c^j keep delay 1 (a flush every minibatch: d = 0). Without the split (`splitW` false:
 * 1F1B, interleaved 1F1B) B_c^j is the whole backward, Ba1 + Ba2 + Bw, and its gradient leaves
 * only when it ends — as one autograd backward does — and there are no W tasks. Chunks are numbered in pipeline
 * order (torch's stage index); which rank runs a chunk is the schedule's business (`rankOf`
 * here only fills `proc`, for the timing helpers). Contraction as in stages.ts: edges between
 * distinct chunk tasks kept, parallel ones merged by summing bytes. O(m·(V + E)).
 */
import type { Task, TaskGraph } from '../types';
import { accumulate, addEdge, addTask, finish, stageOfLayer, stageTask, type Builder, type Stage } from './stages';

export interface ChunkGraph {
  graph: TaskGraph;
  /** Contiguous layer ranges in pipeline order. */
  chunks: Stage[];
  /** Task index of F_c^j, B_c^j (input gradient, or the whole backward), W_c^j (weight gradient; empty without the split): [chunk][micro − 1]. */
  F: number[][];
  B: number[][];
  W: number[][];
  /** U_c per chunk. */
  U: number[];
  /** Rank of every task (rankOf of its chunk). */
  proc: number[];
  microBatches: number;
  /** Whether the backward is split into B (input) and W (weights). */
  splitW: boolean;
}

export function chunkStageGraph(microGraph: TaskGraph, chunks: readonly Stage[], micro: number, rankOf: readonly number[], splitW = true): ChunkGraph {
  const L = microGraph.layers;
  const C = chunks.length;
  const chunkOf = stageOfLayer(chunks, L);
  const b: Builder = { tasks: [], proc: [], edges: new Map() };
  const F: number[][] = chunks.map(() => []);
  const B: number[][] = chunks.map(() => []);
  const W: number[][] = chunks.map(() => []);
  const U: number[] = [];
  for (let j = 1; j <= micro; j++) chunks.forEach((s, c) => F[c].push(addTask(b, stageTask(`F_c${c + 1}_j${j}`, 'F', s.first + 1, j), rankOf[c])));
  for (let j = 1; j <= micro; j++) chunks.forEach((s, c) => B[c].push(addTask(b, stageTask(`B_c${c + 1}_j${j}`, 'Ba', s.first + 1, j), rankOf[c])));
  if (splitW) for (let j = 1; j <= micro; j++) chunks.forEach((s, c) => W[c].push(addTask(b, stageTask(`W_c${c + 1}_j${j}`, 'Bw', s.first + 1, j), rankOf[c])));
  chunks.forEach((s, c) => U.push(addTask(b, stageTask(`U_c${c + 1}`, 'U', s.first + 1), rankOf[c])));
  const at = (t: Task, j: number): number => {
    const c = t.kind === 'Loss' || t.layer < 1 ? C - 1 : chunkOf[t.layer - 1];
    if (t.kind === 'U') return U[c];
    if (t.kind === 'F') return F[c][j - 1];
    return t.kind === 'Bw' && splitW ? W[c][j - 1] : B[c][j - 1];
  };
  microGraph.tasks.forEach((t) => {
    if (t.kind === 'U') accumulate(b.tasks[at(t, 1)], t);
    else for (let j = 1; j <= micro; j++) accumulate(b.tasks[at(t, j)], t);
  });
  for (const e of microGraph.edges) {
    const u = microGraph.tasks[e.from];
    const v = microGraph.tasks[e.to];
    for (let j = 1; j <= micro; j++) {
      if (u.kind === 'U' && v.kind === 'U') {
        if (j === 1) addEdge(b, at(u, 1), at(v, 1), e);
      } else addEdge(b, at(u, j), at(v, j), e);
    }
  }
  const graph = finish(b, `${microGraph.name}/chunks${C}${splitW ? '' : '-whole'}-m${micro}`, L, { ...(microGraph.meta ?? {}), variant: 'chunk-stages', microBatches: micro });
  return { graph, chunks: [...chunks], F, B, W, U, proc: b.proc, microBatches: micro, splitW };
}
