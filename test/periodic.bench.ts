/**
 * Speed of the periodic schedulers on the shipped networks' fine graphs (layer granularity,
 * best dataflows, free loops): the retiming-plus-assignment solver, the modulo scheduler's
 * period search, the offset search, the whole `spikepipe` method, and the period MILP on
 * mnist-fc (15 tasks). One bench op = one full solve.
 */
import { runMethod } from '../lib/app/pipeline/run';
import { bench, describe } from 'vitest';
import { loadNetwork } from '../lib/model/spec/network';
import { defaultHardware, machineFromHardware } from '../lib/model/spec/hardware';
import { buildTrainingGraph } from '../lib/model/graph/training';
import { assignAndRetime } from '../solvers/periodic/assignment';
import { moduloSchedule } from '../solvers/periodic/modulo';
import { improveOffsets } from '../solvers/periodic/offsets';
import { periodIlp } from '../solvers/periodic/period-ilp';
import { spikepipe } from '../solvers/pipeline/spikepipe';

const hw = defaultHardware();
const cases = [
  ['mnist-fc', 4],
  ['cifar10-vgg', 8],
] as const;

for (const [id, N] of cases) {
  const net = loadNetwork(id);
  const g = buildTrainingGraph(net, hw, { variant: 'spikepipe', dataflow: 'best' });
  const m = machineFromHardware(hw, N);
  const placed = assignAndRetime(g, m, { freeLoops: true })!;
  describe(`${id} on ${N} processors (${g.tasks.length} tasks)`, () => {
    bench('assignment (retiming-plus-assignment)', () => {
      assignAndRetime(g, m, { freeLoops: true });
    });
    bench('modulo scheduling (period search)', () => {
      moduloSchedule(g, m, { freeLoops: true, procChoice: 'earliest' });
    });
    bench('offset search (3000 evaluations max)', () => {
      improveOffsets(g, m, placed.placement, 3000);
    });
    bench('spikepipe method (all solvers, with its PipeDream and GPipe seeds, validated and simulated)', async () => {
      await runMethod(spikepipe.name, { net, hw, procs: N });
    });
  });
}

describe('period MILP, mnist-fc on 3 processors', () => {
  const net = loadNetwork('mnist-fc');
  const g = buildTrainingGraph(net, hw, { variant: 'spikepipe', dataflow: 'best' });
  const m = machineFromHardware(hw, 3);
  const inc = assignAndRetime(g, m, { freeLoops: true, nodeLimit: 0 })!;
  bench(
    'binary search + bytes solve (HiGHS)',
    async () => {
      await periodIlp(g, m, { freeLoops: true, lowerBound: Math.ceil(126640 / 3), incumbent: inc.placement, timeLimitSeconds: 10 });
    },
    { iterations: 2, time: 0 },
  );
});
