/**
 * Speed and memory of `spikepipe pareto` (the default grid: 10 communication caps × 4 staleness
 * caps, MILP proofs where the graph has ≤ 40 tasks): cifar10-vgg on 8 processors (45 fine tasks,
 * no MILP) and mnist-fc on 4 (15 tasks, the front proven). One bench op = one whole sweep; the
 * heap after it is printed. `npm run bench -- pareto` runs it (a minute or two).
 */
import { bench, describe } from 'vitest';
import { defaultHardware } from '../lib/model/spec/hardware';
import { pareto } from '../lib/app/pareto/pareto';

const hw = defaultHardware();

describe('pareto (default grid)', () => {
  for (const [network, procs] of [
    ['cifar10-vgg', 8],
    ['mnist-fc', 4],
  ] as const) {
    bench(
      `${network} on ${procs} processors`,
      async () => {
        const r = await pareto({ network, hw, procs });
        const mb = (process.memoryUsage().rss / 2 ** 20).toFixed(0);
        console.log(`${network} p${procs}: ${r.points.length} front points of ${r.evaluated.length} schedules, ${r.runs} runs, rss ${mb} MiB`);
      },
      { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
    );
  }
});
