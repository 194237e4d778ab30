/**
 * Local searches over processor assignments: `reduceMaxLoad` lowers the period an assignment
 * needs (largest load, and with a machine the busiest link), `reduceCrossing` lowers the bytes
 * crossing processors under a cap on both. Moves, swaps and (for bytes) pair moves, chosen by the
 * crossing bytes they add or save (lib/model/metrics/communication.ts counts them).
 */
import { taskCycles } from '../../lib/model/durations';
import type { Machine, TaskGraph } from '../../lib/model/types';
import { groupCrossing, linkCycles, tensorGroups } from '../../lib/model/metrics/communication';
import { crossingBytes, processorLoads } from './assignment-cost';
import { LinkLoads } from './link-loads';
import { lexLess } from './quality';
import { maxOf } from '../../lib/model/extrema';

const stamps = new WeakMap<TaskGraph, { mark: Int32Array; tick: number }>();

/** Change in crossing bytes if the tasks in `moved` go to the processors in `to`. O(Σ group sizes). */
function moveDelta(g: TaskGraph, proc: number[], moved: readonly number[], to: readonly number[]): number {
  const G = tensorGroups(g);
  let st = stamps.get(g);
  if (!st) stamps.set(g, (st = { mark: new Int32Array(G.src.length), tick: 0 }));
  const tick = ++st.tick;
  const ids: number[] = [];
  for (const v of moved) {
    for (const id of G.ofTask[v]) {
      if (st.mark[id] !== tick) {
        st.mark[id] = tick;
        ids.push(id);
      }
    }
  }
  let before = 0;
  for (const id of ids) before += groupCrossing(G, id, proc);
  const old = moved.map((v) => proc[v]);
  moved.forEach((v, i) => (proc[v] = to[i]));
  let after = 0;
  for (const id of ids) after += groupCrossing(G, id, proc);
  moved.forEach((v, i) => (proc[v] = old[i]));
  return after - before;
}

/** Processors other than v's own that hold a task sharing a tensor with v (the only useful targets). */
function neighbourProcs(G: ReturnType<typeof tensorGroups>, proc: readonly number[], v: number): number[] {
  const out: number[] = [];
  for (const id of G.ofTask[v]) {
    const s = proc[G.src[id]];
    if (s !== proc[v] && !out.includes(s)) out.push(s);
    for (const d of G.dests[id]) if (proc[d] !== proc[v] && !out.includes(proc[d])) out.push(proc[d]);
  }
  return out.sort((a, b) => a - b);
}

/** Rank of a move: byte-saving moves first (most saved), then least added bytes per cycle saved. */
function moveRank(delta: number, saved: number): [number, number, number] {
  return delta <= 0 ? [0, delta, -saved] : [1, delta / saved, -saved];
}

/** A resource that can set an assignment's period: a processor's load or a link's cycles. */
type Resource = { kind: 'proc'; p: number } | { kind: 'link'; k: number };

/**
 * Lower the assignment's period: without `m` the largest processor load (P||Cmax); with `m`
 * max(largest load, busiest link's cycles), the period the assignment needs (links as in
 * lib/model/metrics/communication.ts). Each step takes a resource at the maximum V (processors first,
 * then links by index) and applies, among the moves and swaps that bring it below V while no
 * other resource rises to V (one already at V may stay there), the one with the least added
 * crossing bytes per cycle saved. Each step lowers (V, number of resources at V)
 * lexicographically, so it terminates. Candidates: for a processor, moves of its tasks anywhere
 * and swaps with smaller tasks elsewhere; for a link p→q, moves and swaps of the tasks whose
 * tensors use it (senders on p, receivers on q). O(steps · k·(N + n)·deg) without links; with
 * links each trial adds O(deg) and each step O(N²). With `maxBytes` (a communication budget) a
 * move that would take the crossing bytes above it is not made; a start above it stays as it
 * is unless a move lowers both.
 */
export function reduceMaxLoad(g: TaskGraph, proc0: readonly number[], procs: number, maxSteps = 20 * g.tasks.length, m?: Machine, maxBytes = Infinity): number[] {
  const proc = proc0.slice();
  const c = g.tasks.map((t) => t.cycles);
  const d = (v: number, p: number) => (m ? taskCycles(g.tasks[v], p, m) : c[v]); // per-processor duration
  const n = c.length;
  const links = m ? new LinkLoads(g, { ...m, procs }, proc) : null;
  const G = tensorGroups(g);
  let bytes = maxBytes < Infinity ? crossingBytes(g, proc) : 0;
  for (let step = 0; step < maxSteps; step++) {
    const load = processorLoads(g, proc, procs, m);
    const Lmax = maxOf(load);
    const V = Math.max(Lmax, links ? links.maxCycles() : 0);
    const targets: Resource[] = [];
    for (let p = 0; p < procs; p++) if (load[p] === V) targets.push({ kind: 'proc', p });
    if (links) for (let k = 0; k < procs * procs; k++) if (links.bytes[k] > 0 && links.cycles(k) === V) targets.push({ kind: 'link', k });
    let best: { rank: [number, number, number]; moved: number[]; to: number[]; delta: number } | null = null;
    const consider = (target: Resource, moved: number[], to: number[]) => {
      // Processor loads after the move (only the touched processors change).
      const newLoad = new Map<number, number>();
      moved.forEach((v, i) => {
        const a = proc[v];
        const b = to[i];
        newLoad.set(a, (newLoad.get(a) ?? load[a]) - d(v, a));
        newLoad.set(b, (newLoad.get(b) ?? load[b]) + d(v, b));
      });
      let targetAfter = target.kind === 'proc' ? (newLoad.get(target.p) ?? V) : V;
      for (const [p, l] of newLoad) if (l > V || (l === V && load[p] < V)) return;
      let bytesDelta: number;
      if (links) {
        const t = links.trial(proc, moved, to);
        for (const x of t.links) {
          const after = linkCycles(m!, x.bytes);
          const before = links.cycles(x.k);
          if (after > V || (after === V && before < V)) return;
          if (target.kind === 'link' && x.k === target.k) targetAfter = after;
        }
        bytesDelta = t.bytesDelta;
      } else bytesDelta = moveDelta(g, proc, moved, to);
      if (targetAfter >= V) return;
      if (bytesDelta > 0 && bytes + bytesDelta > maxBytes) return;
      const rank = moveRank(bytesDelta, V - targetAfter);
      if (!best || lexLess(rank, best.rank)) best = { rank, moved, to, delta: bytesDelta };
    };
    for (const target of targets) {
      if (target.kind === 'proc') {
        const pmax = target.p;
        for (let v = 0; v < n; v++) {
          if (proc[v] !== pmax || c[v] === 0) continue;
          for (let q = 0; q < procs; q++) if (q !== pmax) consider(target, [v], [q]);
          for (let u = 0; u < n; u++) {
            const q = proc[u];
            if (q === pmax || c[u] >= c[v]) continue;
            consider(target, [v, u], [q, pmax]);
          }
        }
      } else {
        const from = Math.floor(target.k / procs);
        const into = target.k % procs;
        // Tasks whose tensors use the link: senders on `from` with a receiver on `into`, and those receivers.
        const involved = new Set<number>();
        for (let id = 0; id < G.src.length; id++) {
          if (proc[G.src[id]] !== from) continue;
          const rx = G.dests[id].filter((d) => proc[d] === into);
          if (rx.length === 0) continue;
          involved.add(G.src[id]);
          for (const d of rx) involved.add(d);
        }
        for (const v of [...involved].sort((a, b) => a - b)) {
          for (let q = 0; q < procs; q++) if (q !== proc[v]) consider(target, [v], [q]);
          for (let u = 0; u < n; u++) if (proc[u] !== proc[v]) consider(target, [v, u], [proc[u], proc[v]]);
        }
      }
      if (best) break;
    }
    if (!best) break;
    const b: { moved: number[]; to: number[]; delta: number } = best;
    if (links) links.apply(proc, b.moved, b.to);
    else b.moved.forEach((v, i) => (proc[v] = b.to[i]));
    bytes += b.delta;
  }
  return proc;
}

/**
 * Lower the crossing bytes without any load exceeding `cap` (and, with `m`, without any link's
 * cycles rising above `cap`): best-improvement descent over single moves, swaps and moves of an
 * edge's two ends together. O(steps · (nN + k·n + E·N)·deg).
 */
export function reduceCrossing(g: TaskGraph, proc0: readonly number[], procs: number, cap: number, maxSteps = 10 * g.tasks.length, m?: Machine): number[] {
  const proc = proc0.slice();
  const c0 = g.tasks.map((t) => t.cycles);
  const c = (v: number, p: number) => (m ? taskCycles(g.tasks[v], p, m) : c0[v]); // per-processor duration
  const n = c0.length;
  const G = tensorGroups(g);
  const links = m ? new LinkLoads(g, { ...m, procs }, proc) : null;
  const pairs: [number, number][] = [];
  const seenPair = new Set<string>();
  for (const e of g.edges) {
    if (e.from === e.to) continue;
    const a = Math.min(e.from, e.to);
    const b = Math.max(e.from, e.to);
    const k = `${a},${b}`;
    if (!seenPair.has(k)) {
      seenPair.add(k);
      pairs.push([a, b]);
    }
  }
  /** Bytes delta of a move, or null when it would push a link above the cap. */
  const deltaOf = (moved: number[], to: number[]): number | null => {
    if (!links) return moveDelta(g, proc, moved, to);
    const t = links.trial(proc, moved, to);
    for (const x of t.links) {
      const after = linkCycles(m!, x.bytes);
      if (after > cap && after > links.cycles(x.k)) return null;
    }
    return t.bytesDelta;
  };
  for (let step = 0; step < maxSteps; step++) {
    const load = processorLoads(g, proc, procs, m);
    let best: { d: number; moved: number[]; to: number[] } | null = null;
    const consider = (moved: number[], to: number[]) => {
      const d = deltaOf(moved, to);
      if (d !== null && d < 0 && (!best || d < best.d)) best = { d, moved, to };
    };
    // Tasks touching a crossing tensor: only they can start an improving move.
    const hot: number[] = [];
    for (let v = 0; v < n; v++) {
      if (G.ofTask[v].some((id) => groupCrossing(G, id, proc) > 0)) hot.push(v);
    }
    // Moving v (or swapping it) helps only towards a processor holding a task it shares a
    // tensor with; pair moves likewise.
    for (const v of hot) {
      const targets = neighbourProcs(G, proc, v);
      for (const q of targets) {
        if (load[q] + c(v, q) > cap) continue;
        consider([v], [q]);
      }
      for (let u = 0; u < n; u++) {
        const pu = proc[u];
        const pv = proc[v];
        if (pu === pv || !targets.includes(pu)) continue;
        if (load[pu] - c(u, pu) + c(v, pu) > cap || load[pv] - c(v, pv) + c(u, pv) > cap) continue;
        consider([v, u], [pu, pv]);
      }
    }
    for (const [a, b] of pairs) {
      if (proc[a] !== proc[b]) continue;
      const targets = [...new Set([...neighbourProcs(G, proc, a), ...neighbourProcs(G, proc, b)])].sort((x, y) => x - y);
      for (const q of targets) {
        if (load[q] + c(a, q) + c(b, q) > cap) continue;
        consider([a, b], [q, q]);
      }
    }
    if (!best) break;
    const bb: { d: number; moved: number[]; to: number[] } = best;
    if (links) links.apply(proc, bb.moved, bb.to);
    else bb.moved.forEach((v, i) => (proc[v] = bb.to[i]));
  }
  return proc;
}
