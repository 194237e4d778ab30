// Regressions of the scale work (README, Scale), none of them timed: the generated chains, the
// loop-based extrema on arrays far past the argument limit of a spread, LayerPipe's polynomial
// search (equal to the exhaustive one where both run; a 50-layer chain at N = 16 in seconds,
// not gigabytes), and the scale benchmark's report on a cell run in this process.
import { describe, expect, it } from 'vitest';
import { chainNetwork, chainNetworkSpec, resolveScaleNetwork } from '../lib/app/scale/chain';
import { runScaleCell } from '../lib/app/scale/cell';
import { networkAvailable, scaleMarkdown } from '../lib/app/scale/bench';
import { maxOf, minOf } from '../lib/model/extrema';
import { defaultHardware, machineFromHardware } from '../lib/model/spec/hardware';
import { loadNetwork } from '../lib/model/spec/network';
import { buildTrainingGraph } from '../lib/model/graph/training';
import { enumerateConfigs, configurationCount, layerpipe, type LayerPipeDetails } from '../solvers/pipeline/layerpipe';
import { boundaryCosts, bestPeriodPerStageCount, dpShortlist } from '../solvers/pipeline/layerpipe-dp';
import { ctxOf, run } from './helpers/methods';

const hw = defaultHardware();

describe('generated chains', () => {
  it('chain-L has L weight layers on 3×32×32, valid shapes up to 50 layers', () => {
    for (const L of [6, 8, 16, 32, 50]) {
      const net = chainNetwork(L);
      expect(net.weightLayers.length).toBe(L);
      expect(net.spec.input).toEqual([3, 32, 32]);
      expect(net.weightLayers.at(-1)!.type).toBe('fc');
      expect(net.weightLayers.filter((w) => w.pool).length).toBe(3);
    }
    expect(chainNetworkSpec(16).layers.filter((l) => l.type === 'conv').length).toBe(14);
    expect(resolveScaleNetwork('chain-8').spec.name).toBe('chain-8');
    expect(resolveScaleNetwork('mnist-fc').spec.name).toBe('mnist-fc');
    expect(() => chainNetwork(3)).toThrow(/at least|≥ 6/);
    expect(networkAvailable('chain-50')).toBe(true);
    expect(networkAvailable('no-such-network-here')).toBe(false);
  });
});

describe('maxOf / minOf', () => {
  it('agree with Math.max / Math.min and take 200,000 elements', () => {
    const big = Array.from({ length: 200_000 }, (_, i) => ((i * 7919) % 200_003) - 100_000);
    let hi = -Infinity;
    let lo = Infinity;
    for (const x of big) {
      hi = Math.max(hi, x);
      lo = Math.min(lo, x);
    }
    expect(maxOf(big)).toBe(hi);
    expect(minOf(big)).toBe(lo);
    expect(maxOf(new Float64Array(big))).toBe(hi);
    expect(maxOf([], 0)).toBe(0);
    expect(maxOf([])).toBe(-Infinity);
    expect(minOf([])).toBe(Infinity);
    expect(maxOf([1, 2], 5)).toBe(5);
    expect(minOf([3, -1], 0)).toBe(-1);
    expect(maxOf([1, NaN])).toBeNaN();
  });
});

describe('LayerPipe at scale', () => {
  it('the dynamic program finds the exhaustive search\'s best period per stage count and its fewest bytes', () => {
    for (const id of ['mnist-fc', 'fmnist-conv', 'cifar10-vgg']) {
      const net = loadNetwork(id);
      const g = buildTrainingGraph(net, hw, { variant: 'spikepipe', granularity: 'layer', dataflow: 'spec' });
      for (const N of [2, 3, 4, 8]) {
        const m = machineFromHardware(hw, N);
        const all = enumerateConfigs(g, N, m);
        const perK: number[] = [];
        for (const c of all) {
          const k = maxOf(c.config.stageOfLayer) + 1;
          perK[k - 1] = Math.min(perK[k - 1] ?? Infinity, c.period);
        }
        const costs = boundaryCosts(g, m);
        expect(bestPeriodPerStageCount(costs, N)).toEqual(perK);
        const best = dpShortlist(costs, N, 0)[0];
        expect(best.period).toBe(minOf(all.map((c) => c.period)));
      }
    }
  });

  it('counts its configurations without enumerating them', () => {
    expect(configurationCount(4, 8)).toBe(27);
    expect(configurationCount(9, 16)).toBe(6561);
    expect(configurationCount(50, 16)).toBeGreaterThan(1e16);
  });

  it('a 50-layer chain at N = 16: a valid, simulated schedule from the dynamic program', async () => {
    // offsetEvals 0: the loop-shortening search is not what this checks, and it is most of the time.
    const ctx = ctxOf(chainNetwork(50), 16, { offsetEvals: 0 });
    const r = await run<LayerPipeDetails>(layerpipe, ctx);
    expect(r.details.search).toBe('dynamic program');
    expect(r.details.processorsUsed).toBeLessThanOrEqual(16);
    expect(r.period).toBeGreaterThanOrEqual(r.details.bestPeriod);
    expect(r.notes.some((n) => n.includes('dynamic program'))).toBe(true);
  });

  it('more processors than layers: at most L stages, said in the row', async () => {
    const r = await run<LayerPipeDetails>(layerpipe, ctxOf(loadNetwork('mnist-fc'), 16));
    expect(r.details.processorsUsed).toBeLessThanOrEqual(3);
    expect(r.notes.some((n) => n.includes('at most 3 of 16 processors'))).toBe(true);
  });
});

describe('scale benchmark report', () => {
  it('one cell in this process, the Markdown table', async () => {
    const c = await runScaleCell({ network: 'chain-8', procs: 4, method: 'pipedream' });
    expect(c.status).toBe('valid');
    expect(c.layers).toBe(8);
    expect(c.period).toBeGreaterThan(0);
    const d = await runScaleCell({ network: 'chain-8', procs: 4, method: 'no-such-method' });
    expect(d.status).toBe('declined');
    const md = scaleMarkdown({ cells: [c, d], skipped: [{ network: 'x', reason: 'skipped' }], seconds: 1, machine: 'test', options: { timeoutSeconds: 1, heapMB: 1, rssCapMB: 1 } });
    expect(md).toContain('| chain-8 | pipedream |');
    expect(md).toContain('Declined or failed');
    expect(md).toContain('* x: skipped');
  });
});
