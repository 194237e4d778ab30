/**
 * The bytes on every link of an assignment, kept up to date under moves (the local searches,
 * the exact link-aware search and the modulo scheduler). What a link carries is defined once, in
 * lib/model/metrics/communication.ts (tensor groups: a tensor sent to several tasks on one
 * processor moves once); this class only maintains those sums incrementally.
 */
import type { Machine, TaskGraph } from '../../lib/model/types';
import { forEachGroupLink, linkCycles, tensorGroups, type TensorGroups } from '../../lib/model/metrics/communication';

/**
 * Bytes per iteration on every link (N × N, row = sender) of an assignment, kept up to date
 * under moves, for the local searches and the modulo scheduler. `trial` evaluates a move of
 * some tasks without committing it: the change of the crossing bytes and of every link it
 * touches. Unplaced tasks (proc < 0) are allowed (partial assignments: each link's bytes only
 * grow as tasks are placed). O(Σ group sizes of the moved tasks) per trial.
 */
export class LinkLoads {
  readonly N: number;
  readonly bytes: Float64Array;
  private readonly G: TensorGroups;
  private readonly delta: Float64Array;
  private readonly changed: number[] = [];
  private readonly mark: Int32Array;
  private tick = 0;

  constructor(
    g: TaskGraph,
    private readonly m: Machine,
    proc: ArrayLike<number>,
  ) {
    this.N = m.procs;
    this.G = tensorGroups(g);
    this.bytes = new Float64Array(this.N * this.N);
    this.delta = new Float64Array(this.N * this.N);
    this.mark = new Int32Array(this.G.src.length);
    for (let id = 0; id < this.G.src.length; id++) forEachGroupLink(this.G, id, proc, (p, q, b) => (this.bytes[p * this.N + q] += b));
  }

  /** Cycles of link k = p·N + q. */
  cycles(k: number): number {
    return linkCycles(this.m, this.bytes[k]);
  }

  /** The busiest link's cycles (the link bound). O(N²). */
  maxCycles(): number {
    let worst = 0;
    for (let k = 0; k < this.bytes.length; k++) if (this.bytes[k] > 0) worst = Math.max(worst, linkCycles(this.m, this.bytes[k]));
    return worst;
  }

  private groupsOf(moved: readonly number[]): number[] {
    const tick = ++this.tick;
    const ids: number[] = [];
    for (const v of moved) {
      for (const id of this.G.ofTask[v]) {
        if (this.mark[id] !== tick) {
          this.mark[id] = tick;
          ids.push(id);
        }
      }
    }
    return ids;
  }

  /**
   * Effect of moving `moved[i]` to `to[i]` (proc is restored before returning): the change of
   * the crossing bytes and the links whose bytes change with their new byte counts.
   */
  trial(proc: number[], moved: readonly number[], to: readonly number[]): { bytesDelta: number; links: { k: number; bytes: number }[] } {
    const ids = this.groupsOf(moved);
    const N = this.N;
    const d = this.delta;
    const ch = this.changed;
    const touch = (k: number, b: number) => {
      if (d[k] === 0 && !ch.includes(k)) ch.push(k);
      d[k] += b;
    };
    for (const id of ids) forEachGroupLink(this.G, id, proc, (p, q, b) => touch(p * N + q, -b));
    const old = moved.map((v) => proc[v]);
    moved.forEach((v, i) => (proc[v] = to[i]));
    for (const id of ids) forEachGroupLink(this.G, id, proc, (p, q, b) => touch(p * N + q, b));
    moved.forEach((v, i) => (proc[v] = old[i]));
    let bytesDelta = 0;
    const links: { k: number; bytes: number }[] = [];
    for (const k of ch) {
      if (d[k] !== 0) {
        bytesDelta += d[k];
        links.push({ k, bytes: this.bytes[k] + d[k] });
      }
      d[k] = 0;
    }
    ch.length = 0;
    return { bytesDelta, links };
  }

  /** Move `moved[i]` to `to[i]` in `proc` and update the link bytes. */
  apply(proc: number[], moved: readonly number[], to: readonly number[]): void {
    const ids = this.groupsOf(moved);
    const N = this.N;
    for (const id of ids) forEachGroupLink(this.G, id, proc, (p, q, b) => (this.bytes[p * N + q] -= b));
    moved.forEach((v, i) => (proc[v] = to[i]));
    for (const id of ids) forEachGroupLink(this.G, id, proc, (p, q, b) => (this.bytes[p * N + q] += b));
  }
}
