import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TaskGraph } from '../lib/model/types';
import { InputError } from '../lib/model/errors';
import { zeroCommMachine } from '../lib/model/machine';
import {
  bottomLevels,
  criticalPath,
  criticalPathTasks,
  iterationBound,
  longestTask,
  lowerBounds,
  topLevels,
  workBound,
} from '../lib/model/bounds';

function graph(tasks: [string, number][], edges: [string, string, number?][], name = 'g'): TaskGraph {
  const idx = new Map(tasks.map(([id], i) => [id, i]));
  return {
    name,
    layers: 0,
    tasks: tasks.map(([id, cycles]) => ({ id, kind: 'task', layer: 0, cycles, gemmCycles: 0, vectorCycles: cycles })),
    edges: edges.map(([a, b, delay = 0]) => ({ from: idx.get(a)!, to: idx.get(b)!, bytes: 0, delay })),
  };
}

describe('critical path and work', () => {
  //   a(3) → b(4) → d(2)
  //   a(3) → c(7) → d(2),  e(1) alone
  const g = graph(
    [
      ['a', 3],
      ['b', 4],
      ['c', 7],
      ['d', 2],
      ['e', 1],
    ],
    [
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'd'],
      ['c', 'd'],
    ],
  );
  it('by hand', () => {
    expect(criticalPath(g)).toBe(12);
    expect([...bottomLevels(g)]).toEqual([12, 6, 9, 2, 1]);
    expect([...topLevels(g)]).toEqual([0, 3, 3, 10, 0]);
    expect(criticalPathTasks(g).map((i) => g.tasks[i].id)).toEqual(['a', 'c', 'd']);
    expect(workBound(g, 2)).toBe(9); // 17 / 2 → 9
    expect(workBound(g, 4)).toBe(5);
    expect(longestTask(g)).toBe(7);
    expect(lowerBounds(g, zeroCommMachine(2), 'makespan').bound).toBe(12);
    expect(lowerBounds(g, zeroCommMachine(1), 'makespan').bound).toBe(17);
  });
  it('edges with delay do not count in the critical path', () => {
    const h = graph(
      [
        ['a', 5],
        ['b', 6],
      ],
      [
        ['a', 'b'],
        ['b', 'a', 1],
      ],
    );
    expect(criticalPath(h)).toBe(11);
    expect(() => lowerBounds(h, zeroCommMachine(2), 'makespan')).toThrow(InputError);
  });
  it('a zero-delay cycle is an InputError naming it', () => {
    const h = graph(
      [
        ['x', 1],
        ['y', 1],
      ],
      [
        ['x', 'y'],
        ['y', 'x'],
      ],
    );
    expect(() => criticalPath(h)).toThrow(/cycle with no delay: .*x.*y|cycle with no delay: .*y.*x/);
    expect(() => iterationBound(h)).toThrow(InputError);
  });
});

describe('iteration bound', () => {
  it('a 2-node loop 3 + 5 cycles with 2 delays → 4', () => {
    const g = graph(
      [
        ['a', 3],
        ['b', 5],
      ],
      [
        ['a', 'b'],
        ['b', 'a', 2],
      ],
    );
    expect(iterationBound(g)).toEqual({ value: 4, cycle: ['a', 'b'], cycles: 8, delays: 2 });
  });
  it('of two loops the larger ratio wins; a non-integer ratio 7/3', () => {
    const g = graph(
      [
        ['a', 3],
        ['b', 5],
        ['c', 3],
        ['d', 4],
      ],
      [
        ['a', 'b'],
        ['b', 'a', 2], // 8/2 = 4
        ['b', 'c'],
        ['c', 'd'],
        ['d', 'c', 3], // 7/3
      ],
    );
    expect(iterationBound(g).value).toBe(4);
    const h = graph(
      [
        ['c', 3],
        ['d', 4],
        ['e', 1],
      ],
      [
        ['c', 'd'],
        ['d', 'c', 3],
        ['d', 'e'],
      ],
    );
    const ib = iterationBound(h);
    expect(ib.value).toBe(7 / 3);
    expect([ib.cycles, ib.delays]).toEqual([7, 3]);
    expect(lowerBounds(h, zeroCommMachine(8), 'periodic').bound).toBe(4); // ceil(7/3) = 3 < longest 4
    expect(lowerBounds(h, zeroCommMachine(8), 'periodic').iterationBound).toBe(7 / 3);
  });
  it('self-loop and overlapping cycles sharing nodes', () => {
    const g = graph(
      [
        ['a', 10],
        ['b', 1],
        ['c', 1],
      ],
      [
        ['a', 'a', 3], // 10/3
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'a', 1], // 12/1
        ['c', 'b', 1], // 2/1
      ],
    );
    expect(iterationBound(g)).toEqual({ value: 12, cycle: ['a', 'b', 'c'], cycles: 12, delays: 1 });
  });
  it('acyclic graph → 0 and an empty cycle', () => {
    const g = graph(
      [
        ['a', 3],
        ['b', 5],
      ],
      [['a', 'b', 4]],
    );
    expect(iterationBound(g)).toEqual({ value: 0, cycle: [], cycles: 0, delays: 0 });
  });
  it('matches brute-force enumeration of simple cycles on random graphs', () => {
    const arb = fc.record({
      n: fc.integer({ min: 1, max: 7 }),
      cycles: fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 7, maxLength: 7 }),
      edges: fc.array(fc.tuple(fc.nat(6), fc.nat(6), fc.integer({ min: 0, max: 4 })), { maxLength: 18 }),
    });
    fc.assert(
      fc.property(arb, ({ n, cycles, edges }) => {
        const tasks: [string, number][] = [];
        for (let i = 0; i < n; i++) tasks.push([`v${i}`, cycles[i]]);
        // forward edges may have delay 0; backward and self edges get delay ≥ 1 (no zero-delay cycle)
        const es: [string, string, number][] = edges
          .filter(([a, b]) => a < n && b < n)
          .map(([a, b, d]) => [`v${a}`, `v${b}`, a < b ? d : Math.max(1, d)]);
        const g = graph(tasks, es);
        // brute force: every simple cycle, by DFS from its smallest node over edges (multi-edges kept)
        let bestNum = -1;
        let bestDen = 1;
        const dfs = (s: number, v: number, num: number, den: number, onPath: Set<number>) => {
          for (const e of g.edges) {
            if (e.from !== v) continue;
            const nn = num + g.tasks[v].cycles;
            const dd = den + e.delay;
            if (e.to === s) {
              if (bestNum < 0 || nn * bestDen > bestNum * dd) [bestNum, bestDen] = [nn, dd];
            } else if (e.to > s && !onPath.has(e.to)) {
              onPath.add(e.to);
              dfs(s, e.to, nn, dd, onPath);
              onPath.delete(e.to);
            }
          }
        };
        for (let s = 0; s < n; s++) dfs(s, s, 0, 0, new Set([s]));
        const ib = iterationBound(g);
        if (bestNum < 0) return ib.value === 0 && ib.cycle.length === 0;
        // exact: same rational, and the reported cycle really has that ratio
        expect(ib.cycles * bestDen).toBe(bestNum * ib.delays);
        const ids = new Map(g.tasks.map((t, i) => [t.id, i]));
        const sum = ib.cycle.reduce((a, id) => a + g.tasks[ids.get(id)!].cycles, 0);
        expect(sum).toBe(ib.cycles);
        return true;
      }),
      { numRuns: 600, seed: 3 },
    );
  });
});

import { runCli } from '../lib/app/cli/main';
import { loadNetwork } from '../lib/model/spec/network';
import { defaultHardware, machineFromHardware } from '../lib/model/spec/hardware';
import { buildTrainingGraph } from '../lib/model/graph/training';
import { parseDelays } from '../lib/model/graph/delays';
import { loadStg } from '../lib/model/io/stg';
import { capture } from './helpers/cli';

const STG = 'networks/stg/50/rand0000.stg';

describe('bounds on real inputs', () => {
  it('spikepipe bounds rand0000.stg --procs 2 --json → CP 55, work 131', async () => {
    const io = capture();
    expect(await runCli(['bounds', STG, '--procs', '2', '--json'], io)).toBe(0);
    const r = JSON.parse(io.stdout);
    expect(r).toMatchObject({ criticalPath: 55, workBound: 131, totalWork: 262, longestTask: 10, iterationBound: 0, bound: 131, kind: 'makespan' });
    // the file's own `# CP Length` agrees
    expect(loadStg(STG).meta?.cpLength).toBe(55);
  });

  it('T∞ of mnist-fc without delay is above T∞ with 2S delays on 4 stages', () => {
    const net = loadNetwork('mnist-fc');
    const hw = defaultHardware();
    const L = net.weightLayers.length;
    const none = iterationBound(buildTrainingGraph(net, hw, { staleness: parseDelays('none', L, 'x') }));
    const twoS = iterationBound(buildTrainingGraph(net, hw, { staleness: parseDelays('2S:4', L, 'x') }));
    expect(none.value).toBeGreaterThan(twoS.value);
    // with no delay the whole iteration is one loop: T∞ = the critical path of the iteration
    const g0 = buildTrainingGraph(net, hw, {});
    expect(none.value).toBe(criticalPath(g0));
    expect(lowerBounds(g0, machineFromHardware(hw, 4), 'periodic').bound).toBe(criticalPath(g0));
    // every loop's ratio is Σcycles / (1 + d_l): the critical one divides by its delay
    expect(twoS.value * twoS.delays).toBe(twoS.cycles);
  });

  it('text output and bad input', async () => {
    const io = capture();
    expect(await runCli(['bounds', 'mnist-fc', '--procs', '4', '--delays', '2S:4'], io)).toBe(0);
    expect(io.stdout).toMatch(/iteration bound +\d+(\.\d+)? +\(cycle F_1 → /);
    const bad = capture();
    expect(await runCli(['bounds', STG, '--procs', '0'], bad)).toBe(2);
    expect(bad.stderr).toBe('spikepipe: --procs: must be a positive integer, got "0"\n');
    const bad2 = capture();
    expect(await runCli(['bounds', STG, '--procs', '2', '--delays', 'none'], bad2)).toBe(2);
    expect(bad2.stderr).toMatch(/^spikepipe: --delays: applies to networks only/);
    const bad3 = capture();
    expect(await runCli(['bounds', 'nope.stg', '--procs', '2'], bad3)).toBe(2);
    expect(bad3.stderr).toBe('spikepipe: nope.stg: no such file\n');
  });
});
