// SpikePipe's delay rules: 'pipedream' keeps every layer exactly as stale as PipeDream's
// schedule at the same N (never staler), and is never slower than PipeDream.
import { describe, expect, it } from 'vitest';
import { loadNetwork } from '../lib/model/spec/network';
import { defaultHardware } from '../lib/model/spec/hardware';
import { runMethod } from '../lib/app/pipeline/run';

const hw = defaultHardware();
const ctx = (network: string, procs: number, options = {}) => ({ net: loadNetwork(network), hw, procs, options });

describe("SpikePipe with delayRule 'pipedream'", () => {
  for (const [network, procs] of [
    ['mnist-fc', 2],
    ['mnist-fc', 4],
    ['fmnist-conv', 4],
  ] as const) {
    it(`${network} at ${procs}: PipeDream's staleness, period ≤ PipeDream's and ≥ minimal-delay SpikePipe's`, async () => {
      const pd = await runMethod('pipedream', ctx(network, procs));
      const capped = await runMethod('spikepipe', ctx(network, procs, { spikepipe: { delayRule: 'pipedream' } }));
      const free = await runMethod('spikepipe', ctx(network, procs));
      expect(capped.result.staleness).toEqual(pd.result.staleness);
      expect(capped.result.period).toBeLessThanOrEqual(pd.result.period);
      // Fixing the delays can only restrict the schedules SpikePipe may choose from.
      expect(capped.result.period).toBeGreaterThanOrEqual(free.lowerBound);
      expect(capped.validation.valid).toBe(true);
      expect(capped.simulation.measuredPeriod).toBe(capped.result.period);
      expect(capped.result.details.delayRule).toBe('pipedream');
    });
  }
});
