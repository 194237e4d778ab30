/**
 * DAG files with a per-processor cost table (README, Heterogeneous processors): the problem
 * instance of the heterogeneous list-scheduling literature (Topcuoglu, Hariri & Wu 2002: a cost
 * table W of n tasks × p processors and a communication time per edge). SAGA (anrgusc/saga)
 * serialises an instance as a task graph (task costs, dependency data sizes) plus a network
 * (node speeds, link speeds), a duration being cost / speed; that related-machines shape cannot
 * hold an arbitrary table like Topcuoglu's, so ours keeps SAGA's two parts in one file and gives
 * the table explicitly:
 *
 * ```json
 * { "format": "dag", "name": "…", "processors": 3,
 *   "tasks": [{ "id": "n1", "costs": [14, 16, 9] }, …],
 *   "edges": [{ "from": "n1", "to": "n2", "comm": 18 }, …] }
 * ```
 *
 * `costs[q]` is the task's duration on processor q (an integer ≥ 0, one per processor); `comm`
 * is the edge's transfer time when its tasks run on different processors, 0 on one processor,
 * the same for every pair (the machine has links of 1 byte per cycle and no latency, and the
 * edge carries `comm` bytes). Every processor is its own type. Schema: dag.schema.json; errors
 * name the file and the JSON path.
 */
import { existsSync } from 'node:fs';
import type { Edge, Machine, Task, TaskGraph } from '../types';
import dagSchema from './dag.schema.json';
import { checkSchema } from '../spec/validate';
import { readJsonFile } from './json';
import { fail } from '../errors';
import { checkProcs } from '../machine';

interface DagFile {
  format: 'dag';
  name?: string;
  processors: number;
  processorNames?: string[];
  tasks: { id: string; costs: number[] }[];
  edges: { from: string; to: string; comm?: number }[];
}

/** Whether parsed JSON looks like a DAG file (its `format` is "dag"). */
export function isDagJson(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { format?: unknown }).format === 'dag';
}

/** Check and lower a DAG file's JSON to a task graph with per-processor costs. */
export function parseDag(data: unknown, file: string): TaskGraph {
  const d = checkSchema<DagFile>(dagSchema, data, file);
  const P = d.processors;
  if (d.processorNames && d.processorNames.length !== P) fail(`${file}: /processorNames`, `${d.processorNames.length} names for ${P} processors`);
  const index = new Map<string, number>();
  const tasks: Task[] = d.tasks.map((t, i) => {
    if (index.has(t.id)) fail(`${file}: /tasks/${i}/id`, `task ${t.id} appears twice (first at /tasks/${index.get(t.id)})`);
    index.set(t.id, i);
    if (t.costs.length !== P) fail(`${file}: /tasks/${i}/costs`, `task ${t.id} has ${t.costs.length} costs, one per processor needed (${P})`);
    const cycles = Math.min(...t.costs);
    return { id: t.id, kind: 'task', layer: 0, cycles, gemmCycles: 0, vectorCycles: cycles, cyclesByType: [...t.costs] };
  });
  const edges: Edge[] = d.edges.map((e, k) => {
    const from = index.get(e.from);
    const to = index.get(e.to);
    if (from === undefined) fail(`${file}: /edges/${k}/from`, `no task ${e.from}`);
    if (to === undefined) fail(`${file}: /edges/${k}/to`, `no task ${e.to}`);
    if (from === to) fail(`${file}: /edges/${k}`, `task ${e.from} depends on itself`);
    return { from, to, bytes: e.comm ?? 0, delay: 0 };
  });
  const name = d.name ?? file.replace(/^.*[\\/]/, '').replace(/\.json$/i, '');
  const meta: Record<string, string | number | boolean> = { source: file, processors: P, format: 'dag' };
  if (d.processorNames) meta.processorNames = d.processorNames.join(',');
  return { name, tasks, edges, layers: 0, meta };
}

/** The DAG of `arg` when it is an existing `.json` file whose `format` is "dag"; null otherwise. */
export function dagFileOrNull(arg: string): TaskGraph | null {
  if (!/\.json$/i.test(arg) || !existsSync(arg)) return null;
  const data = readJsonFile(arg);
  return isDagJson(data) ? parseDag(data, arg) : null;
}

/** Read a DAG file. */
export function loadDag(file: string): TaskGraph {
  return parseDag(readJsonFile(file), file);
}

/**
 * The machine of a DAG file: its processors, each its own type, links of 1 byte per cycle and
 * no latency (an edge's `comm` is its transfer time). `procs`, when given, must equal the
 * file's processor count (the cost table has one column per processor).
 */
export function dagMachine(g: TaskGraph, procs?: number, where = '--procs'): Machine {
  const P = Number(g.meta?.processors);
  if (!Number.isInteger(P) || P < 1) fail(g.name, 'not a DAG file graph (no processor count)');
  if (procs !== undefined) {
    checkProcs(procs, where);
    if (procs !== P) fail(where, `${g.name} has a cost table for ${P} processors; the processor count must be ${P}, got ${procs}`);
  }
  const m: Machine = { procs: P, bandwidth: 1, latency: 0, procType: Array.from({ length: P }, (_, q) => q) };
  const names = g.meta?.processorNames;
  m.typeNames = typeof names === 'string' ? names.split(',') : Array.from({ length: P }, (_, q) => `p${q}`);
  return m;
}
