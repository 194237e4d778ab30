/**
 * The one independent judge of every schedule (README, The model: schedules, validation). It returns EVERY violation, each
 * with a one-line message naming the tasks and the numbers, so a broken solver can be
 * debugged from one run.
 *
 * Model (the same the solvers use):
 * * iteration k of task v runs on its processor during [k·P + start_v, k·P + start_v + cycles_v),
 *   cycles_v being its duration ON THAT PROCESSOR (`taskCycles`, lib/model/durations.ts: the
 *   task's cost for the processor's type on a heterogeneous machine, `cycles` otherwise);
 * * an edge u→v with delay w (v of iteration k consumes u of iteration k − w) requires
 *   `start_v + w·P ≥ start_u + cycles_u + comm(u, v)`, with comm = transferCycles(m, bytes,
 *   proc_u, proc_v): 0 on one processor, else ceil(bytes / bandwidth) + latency (each transfer
 *   is timed as if it had its link to itself);
 * * LINKS (periodic schedules): one dedicated full-duplex link per ordered processor pair p→q,
 *   `m.bandwidth` bytes per cycle. The bytes a link carries per iteration are counted by
 *   lib/model/metrics/communication.ts (`linkBytes`: each tensor once per destination processor), and
 *   every link must move them within one period: ceil(bytes(p→q) / bandwidth) ≤ P, else a
 *   'link' violation naming the pair, the bytes, the cycles and the period. This is link
 *   THROUGHPUT; the order of the transfers inside a period is not modelled (see that file).
 *   Makespan schedules are one-shot and have no link check;
 * * MAKESPAN schedules are one-shot: there is no "next iteration", so delays are ignored and
 *   EVERY edge is a precedence (w = 0, P = ∞). STG/DOT graphs have no delays anyway; a graph
 *   with delayed edges scheduled for makespan is treated as its acyclic unrolled iteration
 *   (a loop edge then makes the problem infeasible, and validate says which edge);
 * * PERIODIC schedules: the period is a positive integer, each task fits in it
 *   (cycles ≤ P, else 'too-long'), and on each processor the busy intervals taken modulo P
 *   (arcs on a circle of length P) are disjoint;
 * * tasks with zero cycles occupy no processor time (they are markers) and never overlap;
 * * starts are integers ≥ 0 (cycles are integers, so integer starts lose nothing).
 *
 * A task whose placement is itself broken (processor out of range, bad start) is reported once
 * and left out of the precedence/overlap checks, which would otherwise repeat that one error
 * in confusing forms. Duplicated tasks are checked at their first entry.
 *
 * Complexity: O(n log n + e log e) (a sort per processor, one pass over the edges, the link
 * bytes).
 */
import type { Machine, Schedule, TaskGraph, TaskId, ValidationResult, Violation, ViolationKind } from '../types';
import { transferCycles } from '../machine';
import { checkDurations, taskCycles } from '../durations';
import { forEachGroupLink, linkBytes, linkCycles, tensorGroups } from '../metrics/communication';

export function validate(g: TaskGraph, m: Machine, s: Schedule): ValidationResult {
  const violations: Violation[] = [];
  const add = (kind: ViolationKind, message: string, tasks: TaskId[] = []) => violations.push({ kind, message, tasks });
  const n = g.tasks.length;
  const periodic = s.kind === 'periodic';
  checkDurations(g, m);

  // --- schedule header -----------------------------------------------------------------------
  let procsOk = true;
  if (!Number.isInteger(s.procs) || s.procs < 1) {
    add('processor', `the schedule's processor count must be a positive integer, got ${s.procs}`);
    procsOk = false;
  } else if (s.procs > m.procs) {
    add('processor', `the schedule uses ${s.procs} processors but the machine has ${m.procs}`);
  }
  let P = Infinity;
  if (periodic) {
    const p = s.period;
    if (p === undefined || !Number.isInteger(p) || p <= 0) {
      add('period', `the period must be a positive integer, got ${p === undefined ? 'none' : p}`);
    } else P = p;
  } else if (s.kind !== 'makespan') {
    add('period', `unknown schedule kind ${JSON.stringify(s.kind)} (expected makespan or periodic)`);
  }
  const periodOk = !periodic || Number.isFinite(P);

  // --- every task exactly once ------------------------------------------------------------------
  const idx = new Map<TaskId, number>();
  g.tasks.forEach((t, i) => idx.set(t.id, i));
  const proc = new Int32Array(n).fill(-1);
  const start = new Float64Array(n).fill(NaN);
  const seen = new Uint8Array(n);
  const usable = new Uint8Array(n); // placed once with a sane processor and start
  const dur = Float64Array.from(g.tasks, (t) => t.cycles); // duration on the task's processor
  const unknown = new Set<string>();
  for (const [k, st] of s.tasks.entries()) {
    const i = idx.get(st.id);
    if (i === undefined) {
      if (!unknown.has(st.id)) add('unknown-task', `entry ${k}: task ${st.id} is not in graph ${g.name}`, [st.id]);
      unknown.add(st.id);
      continue;
    }
    if (seen[i]) {
      if (seen[i] === 1) add('duplicate', `task ${st.id} appears more than once (entry ${k} repeats it)`, [st.id]);
      seen[i] = 2;
      continue;
    }
    seen[i] = 1;
    proc[i] = st.processor;
    start[i] = st.start;
    let ok = true;
    if (!Number.isInteger(st.processor) || st.processor < 0 || (procsOk && st.processor >= s.procs)) {
      add('processor', `task ${st.id} is on processor ${st.processor}, outside 0..${procsOk ? s.procs - 1 : '?'}`, [st.id]);
      ok = false;
    }
    if (typeof st.start !== 'number' || !Number.isFinite(st.start) || !Number.isInteger(st.start) || st.start < 0) {
      add('negative-start', `task ${st.id} starts at ${st.start}; a start must be an integer ≥ 0`, [st.id]);
      ok = false;
    }
    usable[i] = ok ? 1 : 0;
    if (ok && st.processor < m.procs) dur[i] = taskCycles(g.tasks[i], st.processor, m);
  }
  const missing: TaskId[] = [];
  for (let i = 0; i < n; i++) if (!seen[i]) missing.push(g.tasks[i].id);
  if (missing.length > 0) {
    const shown = missing.length > 10 ? `${missing.slice(0, 10).join(', ')}, … (${missing.length} in all)` : missing.join(', ');
    add('missing', `${missing.length} task${missing.length === 1 ? '' : 's'} not scheduled: ${shown}`, missing);
  }

  // --- each task fits in the period --------------------------------------------------------------
  const fits = new Uint8Array(n).fill(1);
  if (periodic && periodOk) {
    for (let i = 0; i < n; i++) {
      if (seen[i] && dur[i] > P) {
        fits[i] = 0;
        add('too-long', `task ${g.tasks[i].id} takes ${dur[i]} cycles${g.tasks[i].cyclesByType ? ` on processor ${proc[i]}` : ''}, more than the period ${P}`, [g.tasks[i].id]);
      }
    }
  }

  // --- precedence ---------------------------------------------------------------------------------
  for (const e of g.edges) {
    const u = e.from;
    const v = e.to;
    if (!usable[u] || !usable[v]) continue;
    const w = periodic ? e.delay : 0;
    if (w > 0 && !periodOk) continue; // cannot judge without a period (already reported)
    const tu = g.tasks[u];
    const tv = g.tasks[v];
    const comm = transferCycles(m, e.bytes, proc[u], proc[v]);
    const ready = start[u] + dur[u] + comm;
    const at = w > 0 ? start[v] + w * P : start[v]; // (0·∞ would be NaN)
    if (at < ready) {
      const commText = comm > 0 ? ` (+${comm} comm)` : '';
      const vText = w > 0 ? `${start[v]} + ${w}·${P} = ${at}` : `${start[v]}`;
      const delayText = w > 0 ? ` (delay ${w})` : '';
      add(
        'precedence',
        `precedence ${tu.id}→${tv.id}${delayText}: ${tv.id} starts at ${vText} but ${tu.id} ends at ${start[u] + dur[u]}${commText}`,
        [tu.id, tv.id],
      );
    }
  }

  // --- no overlap on a processor -------------------------------------------------------------
  if (procsOk && periodOk) {
    const byProc = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      if (!usable[i] || !fits[i] || dur[i] <= 0) continue;
      let list = byProc.get(proc[i]);
      if (!list) byProc.set(proc[i], (list = []));
      list.push(i);
    }
    for (const p of [...byProc.keys()].sort((a, b) => a - b)) {
      const list = byProc.get(p)!;
      if (periodic) circleOverlaps(g, dur, list, start, P, p, add);
      else lineOverlaps(g, dur, list, start, p, add);
    }
  }

  // --- link throughput (periodic) -------------------------------------------------------------
  if (periodic && periodOk && procsOk) {
    const linkProc = new Int32Array(n).fill(-1);
    for (let i = 0; i < n; i++) if (usable[i]) linkProc[i] = proc[i];
    const over = linkBytes(g, linkProc).pairs.filter((pr) => linkCycles(m, pr.bytes) > P);
    if (over.length > 0) {
      // Producers whose tensors use each overloaded link (graph order).
      const G = tensorGroups(g);
      const senders = new Map<string, Set<number>>(over.map((pr) => [`${pr.from}>${pr.to}`, new Set<number>()]));
      for (let id = 0; id < G.src.length; id++) {
        forEachGroupLink(G, id, linkProc, (p, q) => senders.get(`${p}>${q}`)?.add(G.src[id]));
      }
      for (const pr of over) {
        const ids = [...senders.get(`${pr.from}>${pr.to}`)!].sort((a, b) => a - b).map((i) => g.tasks[i].id);
        const shown = ids.length > 5 ? `${ids.slice(0, 5).join(', ')}, … (${ids.length} in all)` : ids.join(', ');
        add(
          'link',
          `link p${pr.from}→p${pr.to} carries ${pr.bytes} bytes per iteration: ${linkCycles(m, pr.bytes)} cycles at ${m.bandwidth} B/cycle, ` +
            `more than the period ${P} (tensors of ${shown})`,
          ids,
        );
      }
    }
  }

  // --- stated makespan ----------------------------------------------------------------------------
  if (s.kind === 'makespan') {
    let finish = 0;
    let all = true;
    for (let i = 0; i < n; i++) {
      if (!usable[i]) {
        all = false;
        continue;
      }
      finish = Math.max(finish, start[i] + dur[i]);
    }
    if (s.makespan === undefined) add('makespan', `the schedule states no makespan; its tasks finish at ${finish}`);
    else if (all && s.makespan !== finish) add('makespan', `the stated makespan ${s.makespan} differs from the last finish ${finish}`);
  }

  return { valid: violations.length === 0, violations };
}

type Add = (kind: ViolationKind, message: string, tasks?: TaskId[]) => void;

/**
 * Intervals on a line: sort by start, sweep keeping the interval that reaches furthest; a task
 * starting before that end overlaps it. Reports each overlapping task once (with the furthest-
 * reaching earlier task). O(k log k).
 */
function lineOverlaps(g: TaskGraph, dur: Float64Array, list: number[], start: Float64Array, p: number, add: Add): void {
  list.sort((a, b) => start[a] - start[b] || a - b);
  let far = -1;
  let farEnd = -Infinity;
  for (const i of list) {
    const end = start[i] + dur[i];
    if (far >= 0 && start[i] < farEnd) {
      const a = g.tasks[far];
      const b = g.tasks[i];
      add('overlap', `overlap on processor ${p}: ${a.id} [${start[far]}, ${farEnd}) and ${b.id} [${start[i]}, ${end})`, [a.id, b.id]);
    }
    if (end > farEnd) {
      farEnd = end;
      far = i;
    }
  }
}

/**
 * Arcs [start mod P, start mod P + cycles) on a circle of length P (every cycles ≤ P). Sorted
 * by residue, two sweeps: the first finds arcs starting inside an earlier arc; the second
 * visits the arcs again shifted by +P (only while they start before the furthest first-lap
 * end) to find arcs that wrap past P into them. A pair found twice is reported once.
 * O(k log k).
 */
function circleOverlaps(g: TaskGraph, dur: Float64Array, list: number[], start: Float64Array, P: number, p: number, add: Add): void {
  const res = new Float64Array(g.tasks.length);
  for (const i of list) res[i] = ((start[i] % P) + P) % P;
  list.sort((a, b) => res[a] - res[b] || a - b);
  const reported = new Set<string>();
  const report = (a: number, b: number) => {
    const key = a < b ? `${a},${b}` : `${b},${a}`;
    if (reported.has(key)) return;
    reported.add(key);
    const ta = g.tasks[a];
    const tb = g.tasks[b];
    add(
      'overlap',
      `overlap on processor ${p} (mod P=${P}): ${ta.id} [${res[a]}, ${res[a] + dur[a]}) and ${tb.id} [${res[b]}, ${res[b] + dur[b]})`,
      [ta.id, tb.id],
    );
  };
  let far = -1;
  let farEnd = -Infinity;
  for (const i of list) {
    const end = res[i] + dur[i];
    if (far >= 0 && res[i] < farEnd) report(far, i);
    if (end > farEnd) {
      farEnd = end;
      far = i;
    }
  }
  // Wrap-around: arc i shifted to res+P collides with an arc reaching beyond P. `far` is the
  // first-lap arc with the largest end; since cycles ≤ P it is never i itself when it collides.
  for (const i of list) {
    if (res[i] + P >= farEnd) break;
    if (far !== i) report(far, i);
  }
}
