import { describe, expect, it } from 'vitest';
import type { Schedule, TaskGraph } from '../lib/model/types';
import { parseDot, toDot } from '../lib/model/io/dot';
import { toChromeTrace } from '../lib/model/io/trace';
import { InputError } from '../lib/model/errors';

const g3: TaskGraph = {
  name: 'three',
  layers: 1,
  tasks: [
    { id: 'F_1', kind: 'F', layer: 1, cycles: 12, gemmCycles: 10, vectorCycles: 2 },
    { id: 'Ba1_1', kind: 'Ba1', layer: 1, cycles: 5, gemmCycles: 0, vectorCycles: 5 },
    { id: 'U_1', kind: 'U', layer: 1, cycles: 3, gemmCycles: 0, vectorCycles: 3 },
  ],
  edges: [
    { from: 0, to: 1, bytes: 1024, delay: 0, data: 'state' },
    { from: 1, to: 2, bytes: 0, delay: 0 },
    { from: 2, to: 0, bytes: 4096, delay: 2, data: 'weights', loopLayer: 1 },
  ],
};

describe('DOT', () => {
  it('writes a deterministic digraph', () => {
    expect(toDot(g3)).toBe(
      [
        'digraph three {',
        '  node [shape=box];',
        '  F_1 [label="F_1\\n12", cycles=12, kind=F, layer=1, gemm=10, vector=2];',
        '  Ba1_1 [label="Ba1_1\\n5", cycles=5, kind=Ba1, layer=1, gemm=0, vector=5];',
        '  U_1 [label="U_1\\n3", cycles=3, kind=U, layer=1, gemm=0, vector=3];',
        '  F_1 -> Ba1_1 [label="1024 B", bytes=1024, data=state];',
        '  Ba1_1 -> U_1;',
        '  U_1 -> F_1 [label="4096 B, delay 2", bytes=4096, delay=2, style=dashed, data=weights, loop=1];',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('round-trips through parseDot', () => {
    const back = parseDot(toDot(g3), 'x.dot');
    expect(back.name).toBe('three');
    expect(back.tasks).toEqual(g3.tasks);
    expect(back.edges).toEqual(g3.edges);
    expect(back.layers).toBe(1);
  });

  it('quotes ids that are not plain identifiers', () => {
    const g: TaskGraph = {
      name: 'timestep graph',
      layers: 0,
      tasks: [
        { id: 'F_1@1', kind: 'task', layer: 0, cycles: 2, gemmCycles: 0, vectorCycles: 2 },
        { id: 'node', kind: 'task', layer: 0, cycles: 1, gemmCycles: 0, vectorCycles: 1 },
      ],
      edges: [{ from: 0, to: 1, bytes: 0, delay: 0 }],
    };
    const text = toDot(g);
    expect(text).toContain('"F_1@1" -> "node";');
    expect(parseDot(text, 'g.dot').tasks.map((t) => t.id)).toEqual(['F_1@1', 'node']);
  });

  it('reads simple hand-written digraphs: chains, weight attributes, defaults, comments', () => {
    const g = parseDot(
      `// a comment
       digraph G {
         rankdir=LR;
         node [weight=1];
         a [weight=5]; b; /* b keeps the default */
         # a line comment
         a -> b -> c [weight=7];
         c [cycles=2]
         a -> c [delay=1];
       }`,
      'g.dot',
    );
    expect(g.tasks.map((t) => [t.id, t.cycles])).toEqual([
      ['a', 5],
      ['b', 1],
      ['c', 2],
    ]);
    expect(g.edges).toEqual([
      { from: 0, to: 1, bytes: 7, delay: 0 },
      { from: 1, to: 2, bytes: 7, delay: 0 },
      { from: 0, to: 2, bytes: 0, delay: 1 },
    ]);
  });

  it('bad input: one-line errors with the line number', () => {
    const err = (text: string) => {
      try {
        parseDot(text, 'bad.dot');
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(err('graph G { a -- b }')).toBe('bad.dot: line 1: undirected graphs are not supported (use digraph)');
    expect(err('digraph G {\n a [cycles=1];\n a -- b;\n}')).toBe('bad.dot: line 3: undirected edge "--" (use "->")');
    expect(err('digraph G {\n a [cycles=1];\n b;\n}')).toBe('bad.dot: line 3: node b has no cycles (or weight) attribute');
    expect(err('digraph G {\n a [cycles=-1];\n}')).toBe('bad.dot: line 2: node a: cycles must be an integer ≥ 0, got "-1"');
    expect(err('digraph G {\n a [cycles=1];\n subgraph x { }\n}')).toBe('bad.dot: line 3: subgraphs are not supported');
    expect(err('digraph G {\n a [cycles=1]')).toBe('bad.dot: line 2: expected "}" before the end of the file');
    expect(err('digraph G {\n a [cycles="1]\n}')).toBe('bad.dot: line 2: unterminated string');
  });
});

describe('Chrome trace', () => {
  const s: Schedule = {
    kind: 'periodic',
    procs: 2,
    period: 20,
    method: 'hand',
    tasks: [
      { id: 'F_1', processor: 0, start: 0 },
      { id: 'Ba1_1', processor: 1, start: 14 },
      { id: 'U_1', processor: 1, start: 19 },
    ],
  };
  it('one X event per task instance plus thread names, times in µs', () => {
    const tr = toChromeTrace(g3, s, { iterations: 3, clockHz: 1e6 }); // 1 cycle = 1 µs
    const xs = tr.traceEvents.filter((e) => e.ph === 'X');
    const ms = tr.traceEvents.filter((e) => e.ph === 'M');
    expect(xs).toHaveLength(9);
    expect(ms.filter((e) => e.name === 'thread_name').map((e) => [e.tid, e.args.name])).toEqual([
      [0, 'processor 0'],
      [1, 'processor 1'],
    ]);
    expect(xs[0]).toEqual({ name: 'F_1', cat: 'F', ph: 'X', pid: 0, tid: 0, ts: 0, dur: 12, args: { iteration: 0, cycles: 12, startCycle: 0, layer: 1 } });
    const u2 = xs.find((e) => e.name === 'U_1' && e.args.iteration === 2)!;
    expect([u2.ts, u2.dur, u2.tid]).toEqual([59, 3, 1]);
    // sorted by time
    for (let i = 1; i < xs.length; i++) expect(xs[i].ts!).toBeGreaterThanOrEqual(xs[i - 1].ts!);
    expect(tr.otherData).toMatchObject({ graph: 'three', kind: 'periodic', period: 20, method: 'hand', iterations: 3 });
    expect(JSON.stringify(toChromeTrace(g3, s, { iterations: 3, clockHz: 1e6 }))).toBe(JSON.stringify(tr));
  });
  it('a makespan schedule is shown once; default clock 1 GHz', () => {
    const tr = toChromeTrace(g3, { kind: 'makespan', procs: 1, makespan: 20, tasks: s.tasks.map((t) => ({ ...t, processor: 0 })) });
    const xs = tr.traceEvents.filter((e) => e.ph === 'X');
    expect(xs).toHaveLength(3);
    expect(xs.map((e) => e.dur)).toEqual([0.012, 0.005, 0.003]);
  });
});
