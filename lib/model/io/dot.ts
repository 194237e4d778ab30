/**
 * Graphviz DOT for task graphs.
 *
 * `toDot` writes a deterministic digraph (tasks and edges in graph order): every node is
 * labelled with its id and cycles and carries the task's fields as attributes (`cycles`, and
 * for training tasks `kind`, `layer`, `timestep`, `micro`, `gemm`, `vector`); every edge
 * carries `bytes` and `delay` when non-zero (delayed edges are drawn dashed), `data` and
 * `loop` (the weight-loop layer) when set. `parseDot` reads those attributes back, so
 * `parseDot(toDot(g))` gives the same tasks and edges.
 *
 * `parseDot` accepts the simple digraphs DAG-scheduling datasets use: node statements
 * `a [cycles=3];` (`weight` is accepted for `cycles`), edge chains `a -> b -> c [bytes=8];`
 * (`weight` on an edge means `bytes`), `node [...]`/`edge [...]` defaults, graph attributes
 * (ignored), comments (`//`, `/* *\/`, and `#` lines). Not supported (InputError with the
 * line): undirected graphs, subgraphs, ports. Every node needs a cycle count. Tasks keep the
 * order of first appearance. O(size of the text).
 */
import { readInputText } from './files';
import { basename } from 'node:path';
import type { Edge, EdgeData, Task, TaskGraph, TaskKind } from '../types';
import { fail } from '../errors';
import { safeCount } from '../limits';

/** DOT ID: bare when it is a plain identifier or number, else a quoted string. */
function dotId(s: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s) && !KEYWORDS.has(s.toLowerCase())) return s;
  if (/^-?(\d+(\.\d*)?|\.\d+)$/.test(s)) return s;
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const KEYWORDS = new Set(['node', 'edge', 'graph', 'digraph', 'subgraph', 'strict']);

export function toDot(g: TaskGraph): string {
  const out: string[] = [`digraph ${dotId(g.name)} {`, '  node [shape=box];'];
  for (const t of g.tasks) {
    const attrs = [`label="${t.id.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}\\n${t.cycles}"`, `cycles=${t.cycles}`];
    if (t.kind !== 'task' || t.layer !== 0) {
      attrs.push(`kind=${t.kind}`, `layer=${t.layer}`);
      if (t.timestep !== undefined) attrs.push(`timestep=${t.timestep}`);
      if (t.micro !== undefined) attrs.push(`micro=${t.micro}`);
      attrs.push(`gemm=${t.gemmCycles}`, `vector=${t.vectorCycles}`);
    }
    out.push(`  ${dotId(t.id)} [${attrs.join(', ')}];`);
  }
  for (const e of g.edges) {
    const attrs: string[] = [];
    const label: string[] = [];
    if (e.bytes > 0) {
      label.push(`${e.bytes} B`);
      attrs.push(`bytes=${e.bytes}`);
    }
    if (e.delay > 0) {
      label.push(`delay ${e.delay}`);
      attrs.push(`delay=${e.delay}`, 'style=dashed');
    }
    if (e.data !== undefined) attrs.push(`data=${e.data}`);
    if (e.loopLayer !== undefined) attrs.push(`loop=${e.loopLayer}`);
    if (label.length > 0) attrs.unshift(`label="${label.join(', ')}"`);
    const a = attrs.length > 0 ? ` [${attrs.join(', ')}]` : '';
    out.push(`  ${dotId(g.tasks[e.from].id)} -> ${dotId(g.tasks[e.to].id)}${a};`);
  }
  out.push('}');
  return out.join('\n') + '\n';
}

// ------------------------------------------------------------------------------------------
// Parsing

interface Token {
  kind: 'id' | 'punct';
  text: string;
  line: number;
}

function tokenize(text: string, file: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = true; // only whitespace since the last newline (for `#` lines)
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '\n') {
      line++;
      i++;
      lineStart = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '#' && lineStart) {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    lineStart = false;
    if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const open = line;
      i += 2;
      while (i < n && !(text[i] === '*' && text[i + 1] === '/')) {
        if (text[i] === '\n') line++;
        i++;
      }
      if (i >= n) fail(`${file}: line ${open}`, 'unterminated /* comment');
      i += 2;
      continue;
    }
    if (c === '"') {
      const open = line;
      let s = '';
      i++;
      for (;;) {
        if (i >= n) fail(`${file}: line ${open}`, 'unterminated string');
        const d = text[i];
        if (d === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) {
          s += text[i + 1];
          i += 2;
          continue;
        }
        if (d === '\\' && text[i + 1] === '\n') {
          i += 2;
          line++;
          continue;
        }
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\n') line++;
        s += d;
        i++;
      }
      toks.push({ kind: 'id', text: s, line: open });
      continue;
    }
    if (c === '-' && (text[i + 1] === '>' || text[i + 1] === '-')) {
      toks.push({ kind: 'punct', text: text.slice(i, i + 2), line });
      i += 2;
      continue;
    }
    if ('{}[];,=:'.includes(c)) {
      toks.push({ kind: 'punct', text: c, line });
      i++;
      continue;
    }
    const m = /^(-?(?:\d+(?:\.\d*)?|\.\d+)|[A-Za-z_\u0080-\uffff][A-Za-z0-9_.@\u0080-\uffff]*)/.exec(text.slice(i, i + 256));
    if (!m) fail(`${file}: line ${line}`, `unexpected character ${JSON.stringify(c)}`);
    toks.push({ kind: 'id', text: m[0], line });
    i += m[0].length;
  }
  return toks;
}

const TASK_KINDS: readonly TaskKind[] = ['F', 'Ba1', 'Ba2', 'Bw', 'U', 'Loss', 'B', 'Ba', 'task'];
const EDGE_DATA: readonly EdgeData[] = ['spikes', 'state', 'grad', 'dI', 'weights', 'order', 'allreduce'];

interface NodeInfo {
  attrs: Map<string, { value: string; line: number }>;
  line: number;
}

/** Parse DOT text into a TaskGraph. `file` names the source in messages and in `meta.source`. */
export function parseDot(text: string, file: string): TaskGraph {
  const toks = tokenize(text, file);
  let p = 0;
  const at = (k = 0): Token | undefined => toks[p + k];
  const lastLine = () => (toks.length ? toks[toks.length - 1].line : 1);
  const where = (t?: Token) => `${file}: line ${t ? t.line : lastLine()}`;
  const isPunct = (t: Token | undefined, s: string) => t !== undefined && t.kind === 'punct' && t.text === s;
  const expect = (s: string): Token => {
    const t = at();
    if (!isPunct(t, s)) fail(where(t), `expected "${s}"${t ? `, got "${t.text}"` : ' before the end of the file'}`);
    p++;
    return t!;
  };
  const id = (what: string): Token => {
    const t = at();
    if (!t || t.kind !== 'id') fail(where(t), `expected ${what}${t ? `, got "${t.text}"` : ' before the end of the file'}`);
    p++;
    return t;
  };

  // header
  let t = at();
  if (t && t.kind === 'id' && t.text.toLowerCase() === 'strict') {
    p++;
    t = at();
  }
  if (!t || t.kind !== 'id' || t.text.toLowerCase() !== 'digraph') {
    if (t && t.kind === 'id' && t.text.toLowerCase() === 'graph') fail(where(t), 'undirected graphs are not supported (use digraph)');
    fail(where(t), `expected "digraph"${t ? `, got "${t.text}"` : ' (empty file)'}`);
  }
  p++;
  let name = basename(file).replace(/\.(gv|dot)$/i, '');
  if (at()?.kind === 'id') name = id('a graph name').text;
  expect('{');

  const nodes = new Map<string, NodeInfo>();
  const order: string[] = [];
  const rawEdges: { from: string; to: string; attrs: Map<string, { value: string; line: number }>; line: number }[] = [];
  const nodeDefaults = new Map<string, { value: string; line: number }>();
  const edgeDefaults = new Map<string, { value: string; line: number }>();

  const attrList = (): Map<string, { value: string; line: number }> => {
    const m = new Map<string, { value: string; line: number }>();
    while (isPunct(at(), '[')) {
      p++;
      while (!isPunct(at(), ']')) {
        const k = id('an attribute name');
        expect('=');
        const v = id(`a value for ${k.text}`);
        m.set(k.text, { value: v.text, line: k.line });
        if (isPunct(at(), ',') || isPunct(at(), ';')) p++;
      }
      p++;
    }
    return m;
  };
  const touch = (nodeId: string, line: number): NodeInfo => {
    let info = nodes.get(nodeId);
    if (!info) {
      info = { attrs: new Map(nodeDefaults), line };
      nodes.set(nodeId, info);
      order.push(nodeId);
    }
    return info;
  };
  const nodeRef = (): Token => {
    const t = at();
    if (t && t.kind === 'id' && t.text.toLowerCase() === 'subgraph') fail(where(t), 'subgraphs are not supported');
    if (isPunct(t, '{')) fail(where(t), 'subgraphs are not supported');
    const n = id('a node name');
    if (isPunct(at(), ':')) fail(where(at()), 'node ports are not supported');
    return n;
  };

  for (;;) {
    const s = at();
    if (!s) fail(where(), 'expected "}" before the end of the file');
    if (isPunct(s, '}')) {
      p++;
      break;
    }
    if (isPunct(s, ';')) {
      p++;
      continue;
    }
    if (s.kind === 'id' && ['node', 'edge', 'graph'].includes(s.text.toLowerCase()) && isPunct(at(1), '[')) {
      p++;
      const attrs = attrList();
      const target = s.text.toLowerCase() === 'node' ? nodeDefaults : s.text.toLowerCase() === 'edge' ? edgeDefaults : null;
      if (target) for (const [k, v] of attrs) target.set(k, v);
      continue;
    }
    if (s.kind === 'id' && isPunct(at(1), '=')) {
      p += 2;
      id('a value'); // graph attribute, ignored
      continue;
    }
    const first = nodeRef();
    const chain: Token[] = [first];
    while (isPunct(at(), '->') || isPunct(at(), '--')) {
      if (at()!.text === '--') fail(where(at()), 'undirected edge "--" (use "->")');
      p++;
      chain.push(nodeRef());
    }
    const attrs = attrList();
    if (chain.length === 1) {
      const info = touch(first.text, first.line);
      for (const [k, v] of attrs) info.attrs.set(k, v);
    } else {
      for (const c of chain) touch(c.text, c.line);
      for (let k = 0; k + 1 < chain.length; k++) {
        rawEdges.push({ from: chain[k].text, to: chain[k + 1].text, attrs: new Map([...edgeDefaults, ...attrs]), line: chain[k].line });
      }
    }
  }
  if (at()) fail(where(at()), `unexpected "${at()!.text}" after the closing "}"`);
  if (order.length === 0) fail(file, 'the graph has no nodes');

  const intAttr = (a: Map<string, { value: string; line: number }>, keys: string[], min: number, owner: string): number | undefined => {
    for (const k of keys) {
      const v = a.get(k);
      if (!v) continue;
      if (!/^\d+$/.test(v.value) || Number(v.value) < min || !Number.isSafeInteger(Number(v.value))) {
        fail(`${file}: line ${v.line}`, `${owner}: ${k} must be an integer ≥ ${min}, got "${v.value}"`);
      }
      return Number(v.value);
    }
    return undefined;
  };

  const index = new Map<string, number>();
  const tasks: Task[] = order.map((nid, i) => {
    index.set(nid, i);
    const info = nodes.get(nid)!;
    const a = info.attrs;
    const owner = `node ${nid}`;
    const gemm = intAttr(a, ['gemm'], 0, owner);
    const vector = intAttr(a, ['vector'], 0, owner);
    let cycles = intAttr(a, ['cycles', 'weight'], 0, owner);
    if (cycles === undefined && gemm !== undefined && vector !== undefined) cycles = gemm + vector;
    if (cycles === undefined) fail(`${file}: line ${info.line}`, `${owner} has no cycles (or weight) attribute`);
    if (gemm !== undefined && vector !== undefined && gemm + vector !== cycles) {
      fail(`${file}: line ${a.get('cycles')?.line ?? info.line}`, `${owner}: cycles ${cycles} ≠ gemm ${gemm} + vector ${vector}`);
    }
    const kindAttr = a.get('kind');
    if (kindAttr && !(TASK_KINDS as readonly string[]).includes(kindAttr.value)) {
      fail(`${file}: line ${kindAttr.line}`, `${owner}: kind must be one of ${TASK_KINDS.join(', ')}, got "${kindAttr.value}"`);
    }
    const task: Task = {
      id: nid,
      kind: (kindAttr?.value as TaskKind | undefined) ?? 'task',
      layer: intAttr(a, ['layer'], 0, owner) ?? 0,
      cycles,
      gemmCycles: gemm ?? 0,
      vectorCycles: vector ?? (gemm !== undefined ? cycles - gemm : cycles),
    };
    const ts = intAttr(a, ['timestep'], 1, owner);
    if (ts !== undefined) task.timestep = ts;
    const mi = intAttr(a, ['micro'], 1, owner);
    if (mi !== undefined) task.micro = mi;
    return task;
  });
  const edges: Edge[] = rawEdges.map((r) => {
    const owner = `edge ${r.from} -> ${r.to}`;
    const e: Edge = {
      from: index.get(r.from)!,
      to: index.get(r.to)!,
      bytes: intAttr(r.attrs, ['bytes', 'weight'], 0, owner) ?? 0,
      delay: intAttr(r.attrs, ['delay'], 0, owner) ?? 0,
    };
    const data = r.attrs.get('data');
    if (data) {
      if (!(EDGE_DATA as readonly string[]).includes(data.value)) {
        fail(`${file}: line ${data.line}`, `${owner}: data must be one of ${EDGE_DATA.join(', ')}, got "${data.value}"`);
      }
      e.data = data.value as EdgeData;
    }
    const loop = intAttr(r.attrs, ['loop'], 1, owner);
    if (loop !== undefined) e.loopLayer = loop;
    return e;
  });
  safeCount(tasks.reduce((s, t) => s + t.cycles, 0), file, 'the total work of the tasks');
  const layers = tasks.reduce((m, t) => Math.max(m, t.layer), 0);
  return { name, tasks, edges, layers, meta: { source: file, format: 'dot' } };
}

/** Read and parse a DOT file; every file error is an InputError naming it. */
export function loadDot(file: string): TaskGraph {
  return parseDot(readInputText(file, 'a DOT file'), file);
}
