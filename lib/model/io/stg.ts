/**
 * Reader for the Standard Task Graph Set format (Kasahara lab, Waseda; Tobita & Kasahara 2002).
 *
 * ```
 *   n                          number of real tasks
 *   0  0  0                    dummy entry task
 *   i  p_i  k  pred_1 … pred_k one line per task 1..n (ids topologically ordered)
 *   n+1 0  k  …                dummy exit task
 *   # …                        information block (generators, seeds, CP Length, …)
 * ```
 *
 * Fields are separated by whitespace: the canonical files pad numbers to 11 columns, some
 * copies (sparse, fpppp) do not, so we split on whitespace and never on columns.
 *
 * The dummies are dropped with their edges: the result has tasks `t1..tn` (kind `task`,
 * layer 0, all cost in `vectorCycles`) and one edge per real predecessor (0 bytes, delay 0).
 * The `#` block is kept in `meta` (`cpLength`, `infoTasks`, `infoEdges`, `avgProcTime`,
 * `parallelism`) so tests can check the graph against the file's own numbers.
 *
 * Errors are InputErrors naming the file and line. O(size of the file).
 */
import { createHash } from 'node:crypto';
import type { Edge, Task, TaskGraph } from '../types';
import { fail } from '../errors';
import { readInputText } from './files';

/** Parse the text of an `.stg` file. `file` is only used in messages and `meta.source`. */
export function parseStg(text: string, file: string): TaskGraph {
  const lines = text.split(/\r?\n/);
  // Data lines: non-empty, not starting with '#'. Keep 1-based line numbers for messages.
  const data: { line: number; fields: string[] }[] = [];
  const info: { line: number; text: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trim();
    if (t === '') continue;
    if (t.startsWith('#')) info.push({ line: i + 1, text: t });
    else data.push({ line: i + 1, fields: t.split(/\s+/) });
  }
  if (data.length === 0) fail(file, 'empty STG file (expected the task count on the first line)');

  const int = (s: string, line: number, what: string): number => {
    if (!/^[+-]?\d+$/.test(s)) fail(`${file}: line ${line}`, `bad number ${JSON.stringify(s)} for ${what}`);
    if (!Number.isSafeInteger(Number(s))) fail(`${file}: line ${line}`, `${what} ${s} exceeds 2^53 (counts and cycles must be exact integers)`);
    return Number(s);
  };

  const head = data[0];
  if (head.fields.length < 1) fail(`${file}: line ${head.line}`, 'expected the task count');
  const n = int(head.fields[0], head.line, 'the task count');
  if (n < 0) fail(`${file}: line ${head.line}`, `the task count must be ≥ 0, got ${n}`);
  const taskLines = data.slice(1);
  if (taskLines.length !== n + 2) {
    const where = taskLines.length > 0 ? `${file}: line ${taskLines[taskLines.length - 1].line}` : `${file}: line ${head.line}`;
    fail(
      where,
      `the header says ${n} tasks (${n + 2} lines with the entry and exit dummies) but the file has ${taskLines.length} task lines`,
    );
  }

  const tasks: Task[] = [];
  const edges: Edge[] = [];
  let dummyEdges = 0;
  let work = 0;
  for (let k = 0; k < taskLines.length; k++) {
    const { line, fields } = taskLines[k];
    const where = `${file}: line ${line}`;
    if (fields.length < 3) fail(where, `expected "id time #preds preds…", got ${fields.length} field(s)`);
    const id = int(fields[0], line, 'the task id');
    if (id !== k) fail(where, `expected task id ${k} (ids run 0..${n + 1} in order), got ${id}`);
    const time = int(fields[1], line, `the processing time of task ${id}`);
    if (time < 0) fail(where, `the processing time of task ${id} must be ≥ 0, got ${time}`);
    work += time;
    if (!Number.isSafeInteger(work)) fail(where, `the total processing time up to task ${id} exceeds 2^53 cycles`);
    const np = int(fields[2], line, `the predecessor count of task ${id}`);
    if (np < 0) fail(where, `the predecessor count of task ${id} must be ≥ 0, got ${np}`);
    if (fields.length !== 3 + np) fail(where, `task ${id} declares ${np} predecessors but lists ${fields.length - 3}`);
    const isDummy = id === 0 || id === n + 1;
    if (isDummy && time !== 0) fail(where, `dummy task ${id} must take 0 time, got ${time}`);
    for (let j = 0; j < np; j++) {
      const p = int(fields[3 + j], line, `predecessor ${j + 1} of task ${id}`);
      if (p < 0) fail(where, `task ${id}: predecessor ${p} is not a task id`);
      if (p >= id) {
        fail(
          where,
          p === id
            ? `task ${id} lists itself as a predecessor`
            : `task ${id} lists predecessor ${p}, a forward reference (ids must be topologically ordered)`,
        );
      }
      if (isDummy || p === 0) {
        dummyEdges++;
        continue;
      }
      edges.push({ from: p - 1, to: id - 1, bytes: 0, delay: 0 });
    }
    if (!isDummy) {
      tasks.push({ id: `t${id}`, kind: 'task', layer: 0, cycles: time, gemmCycles: 0, vectorCycles: time });
    }
  }

  const meta: Record<string, string | number | boolean> = { source: file, format: 'stg', dummyEdges };
  Object.assign(meta, parseInfo(info.map((i) => i.text)));
  const name = file.replace(/\\/g, '/').split('/').pop()!.replace(/\.stg$/i, '');
  return { name, tasks, edges, layers: 0, meta };
}

/**
 * The numbers of the `#` information block we use. "Ave. Proc. Time" prefers the measured
 * "(Real : x)" value when one is given (random graphs state the generator's target and the
 * real mean; two-peak generators give two lines, the second carrying the real overall mean).
 */
function parseInfo(lines: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  const num = (s: string | undefined) => (s === undefined ? NaN : Number(s));
  for (const raw of lines) {
    const t = raw.replace(/^#\s*/, '');
    const colon = t.indexOf(':');
    if (colon < 0) continue;
    const key = t.slice(0, colon).trim();
    const value = t.slice(colon + 1).trim();
    const first = num(value.match(/^[-+]?\d+(\.\d+)?/)?.[0]);
    const real = num(value.match(/Real\s*:\s*([-+]?\d+(\.\d+)?)/)?.[1]);
    if (key === 'CP Length' && Number.isFinite(first)) out.cpLength = first;
    else if (key === 'Tasks' && Number.isFinite(first)) out.infoTasks = first;
    else if (key === 'Edges' && Number.isFinite(first)) out.infoEdges = first;
    else if (key === 'Parallelism' && Number.isFinite(first)) out.parallelism = first;
    else if (key.startsWith('Ave. Proc. Time')) {
      if (Number.isFinite(real)) out.avgProcTime = real;
      else if (Number.isFinite(first) && out.avgProcTime === undefined) out.avgProcTime = first;
    }
  }
  return out;
}

/** Read and parse an `.stg` file; a missing or unreadable file is an InputError naming it. */
export function loadStg(file: string): TaskGraph {
  return parseStg(readInputText(file, 'an STG file'), file);
}

/**
 * The content digest of a parsed STG graph (SHA-256, hex): processing times and predecessor
 * lists in task order — what a schedule depends on, not the file's padding or `#` block.
 * Published optima are matched by it (networks/stg/optimal/graphs.csv).
 */
export function stgDigest(g: TaskGraph): string {
  const preds: number[][] = g.tasks.map(() => []);
  for (const e of g.edges) preds[e.to].push(e.from);
  const text = g.tasks.map((t, i) => `${t.cycles}:${preds[i].join(',')}`).join(';');
  return createHash('sha256').update(`stg1;${g.tasks.length};${text}`).digest('hex');
}
