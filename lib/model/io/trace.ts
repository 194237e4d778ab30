/**
 * Chrome trace-event JSON of a schedule (open in chrome://tracing or ui.perfetto.dev): one
 * complete event (`ph: 'X'`) per task instance, pid 0, tid = processor, times in
 * microseconds (cycles / clockHz · 10⁶), plus `thread_name` metadata naming each processor.
 *
 * A periodic schedule is unrolled for `iterations` iterations (default 4; instance k starts at
 * k·P + start); a makespan schedule is shown once. Events are sorted by (ts, tid, name,
 * iteration), so the output is deterministic. O(iterations · n log(iterations · n)).
 */
import type { Schedule, TaskGraph } from '../types';

export interface TraceOptions {
  /** Iterations of a periodic schedule to show (default 4; ignored for makespan schedules). */
  iterations?: number;
  /** Clock in Hz to turn cycles into time (default 1 GHz: 1 cycle = 1 ns). */
  clockHz?: number;
}

export interface TraceEvent {
  name: string;
  ph: 'X' | 'M';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  args: Record<string, string | number>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ns' | 'ms';
  otherData: Record<string, string | number>;
}

export function toChromeTrace(g: TaskGraph, s: Schedule, opts: TraceOptions = {}): ChromeTrace {
  const clockHz = opts.clockHz ?? 1e9;
  if (!(clockHz > 0) || !Number.isFinite(clockHz)) throw new RangeError(`clockHz must be a positive number, got ${clockHz}`);
  const periodic = s.kind === 'periodic';
  const K = periodic ? (opts.iterations ?? 4) : 1;
  if (!Number.isInteger(K) || K < 1) throw new RangeError(`iterations must be a positive integer, got ${K}`);
  const P = periodic ? (s.period ?? 0) : 0;
  const us = (cycles: number) => (cycles * 1e6) / clockHz;
  const byId = new Map(g.tasks.map((t) => [t.id, t]));

  const events: TraceEvent[] = [];
  for (let k = 0; k < K; k++) {
    for (const st of s.tasks) {
      const t = byId.get(st.id);
      const cycles = t?.cycles ?? 0;
      const start = k * P + st.start;
      const args: Record<string, string | number> = { iteration: k, cycles, startCycle: start };
      if (t && t.layer > 0) args.layer = t.layer;
      events.push({ name: st.id, cat: t?.kind ?? 'unknown', ph: 'X', pid: 0, tid: st.processor, ts: us(start), dur: us(cycles), args });
    }
  }
  events.sort(
    (a, b) =>
      a.ts! - b.ts! || a.tid - b.tid || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.args.iteration as number) - (b.args.iteration as number),
  );
  const procs = new Set<number>(s.tasks.map((t) => t.processor));
  for (let p = 0; p < s.procs; p++) procs.add(p);
  const meta: TraceEvent[] = [{ name: 'process_name', ph: 'M', pid: 0, tid: 0, args: { name: s.graph ?? g.name } }];
  for (const p of [...procs].sort((a, b) => a - b)) {
    meta.push({ name: 'thread_name', ph: 'M', pid: 0, tid: p, args: { name: `processor ${p}` } });
    meta.push({ name: 'thread_sort_index', ph: 'M', pid: 0, tid: p, args: { sort_index: p } });
  }
  const otherData: Record<string, string | number> = { graph: g.name, kind: s.kind, procs: s.procs, clockHz, iterations: K };
  if (periodic && s.period !== undefined) otherData.period = s.period;
  if (s.makespan !== undefined) otherData.makespan = s.makespan;
  if (s.method !== undefined) otherData.method = s.method;
  return { traceEvents: [...meta, ...events], displayTimeUnit: 'ns', otherData };
}
