/**
 * Speed of the DAG schedulers (`npx vitest bench --run test/dag.bench.ts`): HLFET and HEFT on
 * seeded random layered DAGs of 1,000 / 10,000 / 100,000 tasks on 16 processors (with
 * communication: up to 4 KiB per edge on 64 B/cycle links with 100 cycles latency), and the
 * exact solver on a few 50-task STG graphs (5 s limit; most close at the list schedule).
 * Each list-scheduler call includes building its arrays and validating the schedule.
 */
import * as path from 'node:path';
import { bench, describe } from 'vitest';
import type { Machine } from '../lib/model/types';
import { zeroCommMachine } from '../lib/model/machine';
import { loadStg } from '../lib/model/io/stg';
import { hlfet } from '../solvers/list/hlfet';
import { heft } from '../solvers/list/heft';
import { solveExact } from '../solvers/ilp/exact';
import { randomLayeredDag } from './helpers/random-dag';

const machine: Machine = { procs: 16, bandwidth: 64, latency: 100 };

for (const tasks of [1_000, 10_000, 100_000]) {
  const g = randomLayeredDag({ tasks, seed: 42, maxCycles: 200, maxBytes: 4096 });
  describe(`list schedulers, ${tasks} tasks (${g.edges.length} edges), 16 processors`, () => {
    const opts = tasks >= 100_000 ? { iterations: 3, warmupIterations: 1 } : { iterations: 10, warmupIterations: 2 };
    bench('hlfet', () => void hlfet(g, machine), opts);
    bench('heft', () => void heft(g, machine), opts);
  });
}

const STG = path.resolve(__dirname, '../networks/stg/50');
describe('exact solver (ilp, 5 s limit) on 50-task STG graphs, p = 4', () => {
  for (const k of [0, 1, 21, 27]) {
    const g = loadStg(path.join(STG, `rand${String(k).padStart(4, '0')}.stg`));
    bench(`rand${String(k).padStart(4, '0')}`, async () => void (await solveExact(g, zeroCommMachine(4), { timeLimitSeconds: 5 })), {
      iterations: 2,
      warmupIterations: 0,
    });
  }
});
