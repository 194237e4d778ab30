/**
 * The Schedule file format (JSON Schema in ./schedule.schema.json) and small helpers that
 * read times off a schedule.
 *
 * The schema checks structure only (types, required fields): a schedule that parses can
 * still be wrong (a negative start, a missing task, a wrong makespan), and saying *what* is
 * wrong is `validate()`'s job, which reports every violation at once instead of stopping at
 * the first. Unknown extra properties are accepted and dropped, so files written by newer
 * tools still load.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { Cycles, Schedule, ScheduledTask, TaskGraph } from '../types';
import type { GraphRecipe, LayerRange, StageContraction } from '../graph/recipe';
import { readJsonFile, schemaErrors } from '../io/json';
import { fail } from '../errors';
import scheduleSchema from './schedule.schema.json';

let compiled: ValidateFunction | null = null;

/** The ajv validator, compiled on first use (keeps CLI start-up free of it). */
function validator(): ValidateFunction {
  if (!compiled) compiled = new Ajv({ allErrors: false, verbose: true, strict: true, strictRequired: false }).compile(scheduleSchema);
  return compiled;
}

/**
 * Check `json` against the Schedule schema and return a clean Schedule (known fields only).
 * A schema violation is an InputError `where: /json/path: what`.
 */
export function parseSchedule(json: unknown, where: string): Schedule {
  const check = validator();
  if (!check(json)) throw schemaErrors(where, check.errors);
  const o = json as Record<string, unknown> & { tasks: Record<string, unknown>[] };
  const s: Schedule = {
    kind: o.kind as Schedule['kind'],
    procs: o.procs as number,
    tasks: o.tasks.map((t) => ({ id: t.id as string, processor: t.processor as number, start: t.start as number })),
  };
  if (o.makespan !== undefined) s.makespan = o.makespan as number;
  if (o.period !== undefined) s.period = o.period as number;
  if (o.staleness !== undefined) s.staleness = (o.staleness as number[]).slice();
  if (o.method !== undefined) s.method = o.method as string;
  if (o.graph !== undefined) s.graph = o.graph as string;
  return s;
}

/** Read a schedule file (InputError naming the file on a missing file, bad JSON or schema). */
export function loadSchedule(file: string): Schedule {
  return parseSchedule(readJsonFile(file), file);
}

/** The schedule file format `spikepipe schedule --out` writes. */
export const SCHEDULE_FORMAT = 2;

/** A schedule file's `build`: which network and hardware, and the recipe of the graph. */
export interface ScheduleBuild extends GraphRecipe {
  network: string;
  hardware: string;
}

export interface ScheduleFile {
  schedule: Schedule;
  /** Present in files written by `spikepipe schedule --out`. */
  build?: ScheduleBuild;
}

/** Format 1's build: the contraction as a name beside flat stages, replicas and micro-batches. */
interface BuildV1 {
  network: string;
  hardware: string;
  variant: GraphRecipe['variant'];
  granularity: GraphRecipe['granularity'];
  batch: number;
  dataflow: GraphRecipe['dataflow'];
  contraction?: 'gpipe' | 'pipedream' | 'pipedream-replicated';
  stages?: LayerRange[];
  replicas?: number[];
  microBatches?: number;
}

function buildFromV1(b: BuildV1, where: string): ScheduleBuild {
  const { network, hardware, variant, granularity, batch, dataflow } = b;
  const out: ScheduleBuild = { network, hardware, variant, granularity, batch, dataflow };
  if (b.contraction === undefined) return out;
  if (!b.stages) fail(`${where}: /build/stages`, `format 1: a ${b.contraction} build needs its stages`);
  const stages = b.stages;
  let c: StageContraction;
  if (b.contraction === 'gpipe') c = { kind: 'gpipe', stages, microBatches: b.microBatches ?? 1 };
  else if (b.contraction === 'pipedream') c = { kind: 'pipedream', stages };
  else c = { kind: 'replicated', stages, replicas: b.replicas ?? stages.map(() => 1) };
  return { ...out, contraction: c };
}

/** A schedule file with its build recipe (format 1 files are converted). */
export function parseScheduleFile(json: unknown, where: string): ScheduleFile {
  const schedule = parseSchedule(json, where);
  const o = json as { format?: number; build?: unknown };
  if (o.build === undefined) return { schedule };
  const build = o.format === SCHEDULE_FORMAT ? (structuredClone(o.build) as ScheduleBuild) : buildFromV1(o.build as BuildV1, where);
  return { schedule, build };
}

export function loadScheduleFile(file: string): ScheduleFile {
  return parseScheduleFile(readJsonFile(file), file);
}

/** The JSON object of a schedule file (format 2), keys in a fixed order, tasks sorted. */
export function scheduleFileJson(s: Schedule, build: ScheduleBuild): Record<string, unknown> {
  return {
    format: SCHEDULE_FORMAT,
    kind: s.kind,
    procs: s.procs,
    ...(s.period !== undefined ? { period: s.period } : {}),
    ...(s.makespan !== undefined ? { makespan: s.makespan } : {}),
    ...(s.staleness !== undefined ? { staleness: [...s.staleness] } : {}),
    ...(s.method !== undefined ? { method: s.method } : {}),
    graph: build.network,
    build,
    tasks: sortedTasks(s),
  };
}

/** A schedule's entries indexed by task: processor (−1 where unplaced) and start (NaN). */
export interface ScheduleByTask {
  proc: Int32Array;
  start: Float64Array;
}

/**
 * Where each task of `g` is placed: processor (−1 if the schedule does not place it) and start
 * (NaN if not placed), indexed by task index. When a task appears several times (an invalid
 * schedule) the first entry wins; ids unknown to the graph are ignored. O(n).
 */
export function placement(g: TaskGraph, s: Schedule): ScheduleByTask {
  const n = g.tasks.length;
  const idx = new Map<string, number>();
  g.tasks.forEach((t, i) => idx.set(t.id, i));
  const proc = new Int32Array(n).fill(-1);
  const start = new Float64Array(n).fill(NaN);
  for (const st of s.tasks) {
    const i = idx.get(st.id);
    if (i === undefined || proc[i] !== -1) continue;
    proc[i] = st.processor;
    start[i] = st.start;
  }
  return { proc, start };
}

/** Finish time start + cycles of every task of `g` (NaN for tasks the schedule omits). O(n). */
export function finishTimes(g: TaskGraph, s: Schedule): Float64Array {
  const { start } = placement(g, s);
  const f = new Float64Array(g.tasks.length);
  for (let i = 0; i < f.length; i++) f[i] = start[i] + g.tasks[i].cycles;
  return f;
}

/**
 * Makespan of a schedule: the latest finish of iteration 0 over the tasks it places (0 when
 * empty). For a periodic schedule this is the latency of one iteration, not the period.
 */
export function makespanOf(g: TaskGraph, s: Schedule): Cycles {
  let best = 0;
  for (const f of finishTimes(g, s)) if (f > best) best = f;
  return best;
}

/** Entries sorted by (processor, start, id): a stable order for writing and printing. */
export function sortedTasks(s: Schedule): ScheduledTask[] {
  return s.tasks
    .slice()
    .sort((a, b) => a.processor - b.processor || a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
