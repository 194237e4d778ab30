/**
 * Peak memory per processor of a simulated periodic schedule (simulate.ts runs it; the model of
 * what is held when is in its module comment): weight versions and activation buffers as
 * intervals on their processor, swept over the steady-state window.
 */
import type { Bytes, Machine, TaskGraph } from '../types';
import { transferCycles } from '../machine';
import { loopEdgesByLayer } from '../graph/taskgraph';
import { maxOf } from '../extrema';

export interface ProcessorMemory {
  processor: number;
  weightBytes: Bytes;
  activationBytes: Bytes;
  /** Peak of weights + activations together (not the sum of the two peaks). */
  totalBytes: Bytes;
}

/** Instance start and finish times of a simulated run (index v·K + k) and each task's processor. */
export interface InstanceTimes {
  /** Simulated iterations. */
  K: number;
  proc: Int32Array;
  st: Float64Array;
  fin: Float64Array;
}

export function emptyMemory(procs: number): ProcessorMemory[] {
  return Array.from({ length: procs }, (_, p) => ({ processor: p, weightBytes: 0, activationBytes: 0, totalBytes: 0 }));
}

interface Interval {
  p: number;
  a: number;
  b: number;
  bytes: number;
}

/** Peak weights, activations and both together per processor over [start of iteration h, end of K − 1]. */
export function measureMemory(g: TaskGraph, m: Machine, r: InstanceTimes, procs: number, K: number, h: number): ProcessorMemory[] {
  const Ks = r.K;
  const n = g.tasks.length;
  let Ta = Infinity;
  let Tb = -Infinity;
  for (let v = 0; v < n; v++) {
    Ta = Math.min(Ta, r.st[v * Ks + h]);
    Tb = Math.max(Tb, r.fin[v * Ks + K - 1]);
  }
  const weights: Interval[] = [];
  const acts: Interval[] = [];
  const finOf = (v: number, k: number) => (k < Ks ? r.fin[v * Ks + k] : Infinity);

  // Weights, per layer.
  for (const [, list] of [...loopEdgesByLayer(g)].sort((a, b) => a[0] - b[0])) {
    const U = g.edges[list[0]].from;
    const bytes = maxOf(list.map((k) => g.edges[k].bytes));
    if (bytes <= 0) continue;
    const pU = r.proc[U];
    const stashByWriter = g.tasks[U].kind === 'B';
    const holders = [...new Set([pU, ...list.map((k) => r.proc[g.edges[k].to])])].sort((a, b) => a - b);
    for (let j = -1; j < Ks; j++) {
      for (const q of holders) {
        const arrive = j < 0 ? 0 : r.fin[U * Ks + j] + transferCycles(m, bytes, pU, q);
        let end = -Infinity;
        for (const ek of list) {
          const e = g.edges[ek];
          if (r.proc[e.to] !== q) continue;
          if (j >= 0) end = Math.max(end, finOf(e.to, j + e.delay));
          else for (let k = 0; k < Math.min(e.delay, Ks); k++) end = Math.max(end, finOf(e.to, k));
        }
        if (q === pU) {
          end = Math.max(end, finOf(U, j + 1));
          // PipeDream's combined backward B_l writes the weights AND runs with the version its
          // forward read (weight stashing): that version lives until B_l of the reading iteration.
          if (stashByWriter) {
            for (const ek of list) {
              const w = g.edges[ek].delay;
              if (j >= 0) end = Math.max(end, finOf(U, j + w));
              else for (let k = 0; k < Math.min(w, Ks); k++) end = Math.max(end, finOf(U, k));
            }
          }
        }
        if (end > arrive) weights.push({ p: q, a: arrive, b: end, bytes });
      }
    }
  }

  // Activations: one buffer per (producer instance, consumer processor, data kind). Weight
  // gradients into an update (several micro-batches' W → one U) accumulate into one buffer per
  // update instance, from the first one's arrival until the update ends, as gradient
  // accumulation does — not one copy per micro-batch.
  const buf = new Map<string, Interval>();
  g.edges.forEach((e, ek) => {
    if (e.loopLayer !== undefined || e.bytes <= 0) return;
    const q = r.proc[e.to];
    const tag = e.data ?? `edge${ek}`;
    const accumulates = g.tasks[e.to].kind === 'U' && e.data === 'grad';
    for (let k = 0; k < Ks; k++) {
      const i = k - e.delay;
      if (i < 0) continue;
      const a = r.fin[e.from * Ks + i];
      const b = r.fin[e.to * Ks + k];
      const keyStr = accumulates ? `U${e.to},${k},${q},${tag}` : `${e.from},${i},${q},${tag}`;
      const cur = buf.get(keyStr);
      if (cur) {
        cur.a = Math.min(cur.a, a);
        cur.b = Math.max(cur.b, b);
        cur.bytes = Math.max(cur.bytes, e.bytes);
      } else buf.set(keyStr, { p: q, a, b, bytes: e.bytes });
    }
  });
  for (const x of buf.values()) acts.push(x);

  const wPeak = sweep(weights, procs, Ta, Tb);
  const aPeak = sweep(acts, procs, Ta, Tb);
  const tPeak = sweep([...weights, ...acts], procs, Ta, Tb);
  return Array.from({ length: procs }, (_, p) => ({ processor: p, weightBytes: wPeak[p], activationBytes: aPeak[p], totalBytes: tPeak[p] }));
}

/** Peak of Σ bytes of intervals [a, b) alive at some time in [Ta, Tb], per processor. */
function sweep(list: Interval[], procs: number, Ta: number, Tb: number): number[] {
  const ev: [number, number, number][] = []; // [processor, time, delta]
  for (const x of list) {
    if (x.a > Tb || x.b <= Ta || x.b <= x.a) continue;
    ev.push([x.p, Math.max(x.a, Ta), x.bytes]);
    ev.push([x.p, x.b, -x.bytes]);
  }
  // releases before acquisitions at equal times (half-open intervals)
  ev.sort((u, v) => u[0] - v[0] || u[1] - v[1] || u[2] - v[2]);
  const peak = new Array<number>(procs).fill(0);
  const cur = new Array<number>(procs).fill(0);
  for (const [p, , d] of ev) {
    cur[p] += d;
    if (cur[p] > peak[p]) peak[p] = cur[p];
  }
  return peak;
}
