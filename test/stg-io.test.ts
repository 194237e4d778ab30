import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStg, parseStg } from '../lib/model/io/stg';
import { graphKeyOfFile, loadOptimaDir, optimumKey, parseOptima } from '../lib/model/io/optima';
import { criticalPath } from '../lib/model/bounds';
import { totalWork } from '../lib/model/graph/taskgraph';
import { InputError } from '../lib/model/errors';

const STG = path.resolve(__dirname, '../networks/stg');
const allFiles = [
  ...fs.readdirSync(path.join(STG, '50')).map((f) => path.join(STG, '50', f)),
  ...['robot', 'sparse', 'fpppp'].map((f) => path.join(STG, 'app', `${f}.stg`)),
].sort();

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).not.toContain('\n');
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('STG reader on the shipped data set (networks/stg)', () => {
  it('finds all 183 files', () => {
    expect(allFiles.length).toBe(183);
  });

  it('every file loads and matches its own # block (tasks, edges, CP length, total work)', () => {
    for (const f of allFiles) {
      const g = loadStg(f);
      const meta = g.meta!;
      expect(g.tasks.length, f).toBe(meta.infoTasks);
      expect(g.edges.length, f).toBe(meta.infoEdges);
      expect(criticalPath(g), f).toBe(meta.cpLength);
      // total work = tasks × average processing time ("Real" value when the block gives one)
      expect(totalWork(g), f).toBe(Math.round((meta.infoTasks as number) * (meta.avgProcTime as number)));
      for (const e of g.edges) expect(e.from).toBeLessThan(e.to);
    }
  });

  it('reads rand0000 as documented (50 tasks, CP 55, work 262)', () => {
    const g = loadStg(path.join(STG, '50', 'rand0000.stg'));
    expect(g.name).toBe('rand0000');
    expect(g.tasks[0]).toEqual({ id: 't1', kind: 'task', layer: 0, cycles: 9, gemmCycles: 0, vectorCycles: 9 });
    expect(criticalPath(g)).toBe(55);
    expect(totalWork(g)).toBe(262);
    // t47 has predecessors 15 16 20 33 44
    const preds = g.edges.filter((e) => e.to === 46).map((e) => e.from + 1);
    expect(preds).toEqual([15, 16, 20, 33, 44]);
  });

  it('reads the unpadded application graphs (sparse: 96 tasks, CP 122, work 1936)', () => {
    const g = loadStg(path.join(STG, 'app', 'sparse.stg'));
    expect(g.tasks.length).toBe(96);
    expect(criticalPath(g)).toBe(122);
    expect(totalWork(g)).toBe(1936);
    const robot = loadStg(path.join(STG, 'app', 'robot.stg'));
    expect([robot.tasks.length, criticalPath(robot), totalWork(robot)]).toEqual([88, 569, 2483]);
    const fpppp = loadStg(path.join(STG, 'app', 'fpppp.stg'));
    expect([fpppp.tasks.length, criticalPath(fpppp), totalWork(fpppp)]).toEqual([334, 1062, 7129]);
  });
});

describe('STG reader on hand-written text', () => {
  const text = ['3', '0 0 0', '1 4 1 0', '2   7 1 1', '3 2 2 1 2', '4 0 1 3', '# CP Length : 13'].join('\n');

  it('drops the dummies and their edges, keeps real edges, parses whitespace-split fields', () => {
    const g = parseStg(text, 'hand.stg');
    expect(g.tasks.map((t) => [t.id, t.cycles])).toEqual([
      ['t1', 4],
      ['t2', 7],
      ['t3', 2],
    ]);
    expect(g.edges.map((e) => [e.from, e.to, e.bytes, e.delay])).toEqual([
      [0, 1, 0, 0],
      [0, 2, 0, 0],
      [1, 2, 0, 0],
    ]);
    expect(g.meta!.cpLength).toBe(13);
    expect(g.meta!.dummyEdges).toBe(2);
    expect(criticalPath(g)).toBe(13);
  });

  it('rejects a wrong task count, naming file and line', () => {
    const e = inputError(() => parseStg(['4', '0 0 0', '1 4 1 0', '2 7 1 1', '3 2 1 2'].join('\n'), 'bad.stg'));
    expect(e.message).toMatch(/^bad\.stg: line 5: the header says 4 tasks .* but the file has 4 task lines$/);
  });

  it('rejects forward and self references', () => {
    const fwd = inputError(() => parseStg(['2', '0 0 0', '1 4 1 2', '2 7 1 0', '3 0 1 2'].join('\n'), 'f.stg'));
    expect(fwd.message).toBe('f.stg: line 3: task 1 lists predecessor 2, a forward reference (ids must be topologically ordered)');
    const self = inputError(() => parseStg(['2', '0 0 0', '1 4 1 0', '2 7 1 2', '3 0 1 2'].join('\n'), 's.stg'));
    expect(self.message).toBe('s.stg: line 4: task 2 lists itself as a predecessor');
  });

  it('rejects bad numbers and wrong predecessor counts', () => {
    const bad = inputError(() => parseStg(['1', '0 0 0', '1 x 1 0', '2 0 1 1'].join('\n'), 'n.stg'));
    expect(bad.message).toBe('n.stg: line 3: bad number "x" for the processing time of task 1');
    const cnt = inputError(() => parseStg(['1', '0 0 0', '1 3 2 0', '2 0 1 1'].join('\n'), 'c.stg'));
    expect(cnt.message).toBe('c.stg: line 3: task 1 declares 2 predecessors but lists 1');
    const hdr = inputError(() => parseStg('abc\n', 'h.stg'));
    expect(hdr.message).toBe('h.stg: line 1: bad number "abc" for the task count');
  });

  it('reports a missing file', () => {
    const e = inputError(() => loadStg('/nonexistent/x.stg'));
    expect(e.message).toBe('/nonexistent/x.stg: no such file');
  });
});

describe('published optima tables', () => {
  it('parse solved and open lines', () => {
    const rows = parseOptima('50/rand0000.stg,2,131\n\n50/rand0009.stg,2,132,134\n', 'Case50_2_OPT.csv');
    expect(rows).toEqual([
      { graph: '50/rand0000.stg', procs: 2, opt: 131, lb: 131, ub: 131 },
      { graph: '50/rand0009.stg', procs: 2, lb: 132, ub: 134 },
    ]);
  });

  it('reject malformed lines with file and line number', () => {
    expect(inputError(() => parseOptima('a,2,3\nb,2\n', 'x.csv')).message).toBe(
      'x.csv: line 2: expected "graph,procs,opt" or "graph,procs,lb,ub", got 2 fields',
    );
    expect(inputError(() => parseOptima('a,two,3\n', 'x.csv')).message).toBe('x.csv: line 1: bad number "two" for procs');
    expect(inputError(() => parseOptima('a,2,9,3\n', 'x.csv')).message).toBe('x.csv: line 1: lower bound 9 exceeds upper bound 3');
    expect(inputError(() => parseOptima('a,4,9\n', 'Case50_2_OPT.csv', 2)).message).toBe("Case50_2_OPT.csv: line 1: procs 4 differs from the file name's 2");
  });

  it('load the shipped optima: 1440 cases, spot values and open counts as documented', () => {
    const m = loadOptimaDir(path.join(STG, 'optimal'));
    expect(m.size).toBe(1440);
    expect(m.get(optimumKey('50/rand0000.stg', 2))!.opt).toBe(131);
    expect(m.get(optimumKey('50/rand0000.stg', 4))!.opt).toBe(66);
    expect(m.get(optimumKey('50/rand0000.stg', 16))!.opt).toBe(55);
    expect(m.get(optimumKey('50/rand0009.stg', 4))).toMatchObject({ graph: '50/rand0009.stg', procs: 4, lb: 132, ub: 134 });
    // every published graph is known by content too (graphs.csv)
    expect([...m.values()].every((r) => /^[0-9a-f]{64}$/.test(r.sha256 ?? ''))).toBe(true);
    const open = [2, 4, 8, 16].map((p) => [...m.values()].filter((r) => r.procs === p && r.graph.startsWith('50/') && r.opt === undefined).length);
    expect(open).toEqual([17, 18, 16, 0]);
  });

  it('key a graph file by its parent directory and name', () => {
    expect(graphKeyOfFile(path.join(STG, '50', 'rand0042.stg'))).toBe('50/rand0042.stg');
  });

  it('reject a directory whose table does not parse (file:line)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stg-opt-'));
    fs.writeFileSync(path.join(dir, 'Case50_2_OPT.csv'), '50/a.stg,2,10\n50/b.stg,2,x\n');
    const e = inputError(() => loadOptimaDir(dir));
    expect(e.message).toBe(`${path.join(dir, 'Case50_2_OPT.csv')}: line 2: bad number "x" for opt`);
    fs.rmSync(dir, { recursive: true });
  });
});
