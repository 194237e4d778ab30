/**
 * The layers of a NetworkSpec as a DAG: names resolved, default inputs filled (a layer without
 * `inputs` reads the layer listed before it, the first one the network input), and a
 * topological order that keeps the listed order wherever the edges allow it (Kahn's algorithm
 * taking the lowest listed index among the ready layers), so a chain keeps its order and a
 * residual block may list its shortcut after the main path. A membrane add makes its first
 * input (the layer whose current it joins) wait for the others. Errors name the file and the
 * JSON path: a name used twice, an input naming no layer, a cycle (its layers listed), a layer
 * whose output nothing reads. O(n² + edges) for n layers.
 */
import type { LayerSpec } from './types';
import { fail } from '../errors';

/** The network input, as a node id in `LayerDag.inputs`. */
export const NETWORK_INPUT = -1;

export interface LayerDag {
  /** Per listed layer i: the listed indices it reads (NETWORK_INPUT for the input), in order. */
  inputs: number[][];
  /** Per listed layer i: the listed indices that read it. */
  readers: number[][];
  /** Listed indices in topological order. */
  order: number[];
}

/** How an error names listed layer i: its name if it has one, else its JSON path. */
export function layerLabel(layers: readonly LayerSpec[], i: number): string {
  const n = layers[i].name;
  return n !== undefined ? JSON.stringify(n) : `/layers/${i}`;
}

export function layerDag(layers: readonly LayerSpec[], where: string): LayerDag {
  const byName = new Map<string, number>();
  layers.forEach((l, i) => {
    if (l.name === undefined) return;
    const j = byName.get(l.name);
    if (j !== undefined) fail(`${where}: /layers/${i}/name`, `duplicate name ${JSON.stringify(l.name)} (also /layers/${j})`);
    byName.set(l.name, i);
  });
  const inputs = layers.map((l, i): number[] => {
    if (l.inputs === undefined) return [i === 0 ? NETWORK_INPUT : i - 1];
    return l.inputs.map((name, k) => {
      if (name === 'input') return NETWORK_INPUT;
      const j = byName.get(name);
      if (j === undefined) {
        const known = [...byName.keys()].map((x) => JSON.stringify(x)).join(', ');
        fail(`${where}: /layers/${i}/inputs/${k}`, `names no layer: ${JSON.stringify(name)} (${known ? `named layers: ${known}, and "input"` : 'no layer has a name; "input" is the network input'})`);
      }
      if (j === i) fail(`${where}: /layers/${i}/inputs/${k}`, `a layer cannot read itself (${JSON.stringify(name)})`);
      return j;
    });
  });
  const readers = layers.map((): number[] => []);
  inputs.forEach((ins, i) => new Set(ins).forEach((j) => j !== NETWORK_INPUT && readers[j].push(i)));

  // Ordering edges: data edges, plus (membrane add) the add's other inputs before its first.
  const after = layers.map((): number[] => []);
  const indegree = new Array<number>(layers.length).fill(0);
  const order = (u: number, v: number) => {
    if (u === NETWORK_INPUT || u === v) return;
    after[u].push(v);
    indegree[v]++;
  };
  inputs.forEach((ins, i) => new Set(ins).forEach((j) => order(j, i)));
  layers.forEach((l, i) => {
    if (l.type === 'add' && l.mode === 'membrane') for (const j of new Set(inputs[i].slice(1))) order(j, inputs[i][0]);
  });

  // Networks have at most thousands of layers: a linear scan for the lowest ready index will do.
  const ready: number[] = [];
  indegree.forEach((d, i) => d === 0 && ready.push(i));
  const topo: number[] = [];
  while (ready.length > 0) {
    let k = 0;
    for (let j = 1; j < ready.length; j++) if (ready[j] < ready[k]) k = j;
    const u = ready[k];
    ready[k] = ready[ready.length - 1];
    ready.pop();
    topo.push(u);
    for (const v of after[u]) if (--indegree[v] === 0) ready.push(v);
  }
  if (topo.length < layers.length) fail(`${where}: /layers`, `cycle among layers: ${findCycle(after, indegree).map((i) => layerLabel(layers, i)).join(' → ')}`);

  const sink = topo[topo.length - 1];
  layers.forEach((_, i) => {
    if (i !== sink && readers[i].length === 0) {
      fail(`${where}: /layers/${i}`, `the output of ${layerLabel(layers, i)} is read by no layer (only the readout, ${layerLabel(layers, sink)}, may be unread)`);
    }
  });
  return { inputs, readers, order: topo };
}

/** A cycle among the nodes Kahn's algorithm left (indegree > 0): walk back until a node repeats. */
function findCycle(after: number[][], indegree: number[]): number[] {
  const before = after.map((): number[] => []);
  after.forEach((vs, u) => vs.forEach((v) => before[v].push(u)));
  let u = indegree.findIndex((d) => d > 0);
  const seen = new Map<number, number>();
  const path: number[] = [];
  while (!seen.has(u)) {
    seen.set(u, path.length);
    path.push(u);
    u = before[u].find((p) => indegree[p] > 0)!;
  }
  const cycle = path.slice(seen.get(u)!).reverse();
  const k = cycle.indexOf(cycle.reduce((a, b) => Math.min(a, b))); // start at the first listed layer of the cycle
  const rotated = [...cycle.slice(k), ...cycle.slice(0, k)];
  return [...rotated, rotated[0]];
}
