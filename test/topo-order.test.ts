import { describe, expect, it } from 'vitest';
import type { TaskGraph } from '../lib/model/types';
import { kahnOrder, topoOrder } from '../lib/model/graph/taskgraph';

// Edges in this order: 0→3, 0→1, 2→1, 1→4, 3→4, and a delayed 4→0.
const g: TaskGraph = {
  name: 'kahn',
  layers: 0,
  tasks: [0, 1, 2, 3, 4].map((i) => ({ id: `t${i}`, kind: 'task', layer: 0, cycles: 1, gemmCycles: 0, vectorCycles: 1 })),
  edges: [
    [0, 3, 0],
    [0, 1, 0],
    [2, 1, 0],
    [1, 4, 0],
    [3, 4, 0],
    [4, 0, 1],
  ].map(([from, to, delay]) => ({ from, to, delay, bytes: 0 })),
};

describe("topological orders (Kahn's algorithm, one implementation)", () => {
  it('the ready discipline decides the order', () => {
    // ready {0, 2}. Smallest first: 0, 2, 1 (ready after 2), 3, 4.
    expect(topoOrder(g)).toEqual([0, 2, 1, 3, 4]);
    // FIFO: 0, 2, then 3 (released by 0) before 1 (released by 2), then 4.
    expect(topoOrder(g, (e) => e.delay === 0, 'fifo')).toEqual([0, 2, 3, 1, 4]);
    // LIFO: 2 (pushed last), 0, then 1 (pushed after 3), 3, 4.
    expect(topoOrder(g, (e) => e.delay === 0, 'lifo')).toEqual([2, 0, 1, 3, 4]);
  });

  it('the edge filter decides the graph: with the delayed edge there is a cycle', () => {
    expect(topoOrder(g, () => true)).toBeNull();
    expect(topoOrder(g, (_e, k) => k !== 1 && k !== 5)).toEqual([0, 2, 1, 3, 4]);
    expect(topoOrder(g, (_e, k) => k !== 1 && k !== 5, 'lifo')).toEqual([2, 1, 0, 3, 4]);
  });

  it('kahnOrder takes any successor relation (e.g. graph edges plus processor sequences)', () => {
    const succ = [[1], [2], []];
    expect(kahnOrder(3, (v, visit) => succ[v].forEach(visit), 'fifo')).toEqual([0, 1, 2]);
    expect(kahnOrder(3, (v, visit) => [...succ[v], ...(v === 2 ? [0] : [])].forEach(visit), 'fifo')).toBeNull();
  });
});
