/**
 * Per-layer gradient staleness d_l (index l−1), from a rule or from a schedule file.
 *
 * Rules:
 * - `2S:N` — LayerPipe2's Delay(l) = 2·S(l), S(l) = pipeline stages after layer l's stage.
 *   The L layers are cut into N contiguous stages balanced by layer count, stage of layer l
 *   = floor((l−1)·N'/L) with N' = min(N, L): a pipeline has at most one stage per layer, so
 *   asking for more stages than layers gives the one-layer-per-stage pipeline (an empty stage
 *   would add delay without adding parallelism).
 * - PipeDream 1F1B with one layer per stage: stage s of N = L is stale by N − s, d_l = L − l.
 * - a constant k: every layer stale by k.
 * - an explicit list `d1,d2,…,dL`.
 */
import { InputError } from '../errors';
import { GRANULARITIES, VARIANTS } from '../graph/training';
import { loadSchedule } from '../schedule/schedule';

/** d_l = 2·(stages after layer l's stage) for L layers in N balanced contiguous stages. */
export function twoStageDelays(L: number, N: number): number[] {
  const n = Math.min(N, L);
  const d: number[] = [];
  for (let l = 1; l <= L; l++) {
    const stage = Math.floor(((l - 1) * n) / L);
    d.push(2 * (n - 1 - stage));
  }
  return d;
}

/** PipeDream with one layer per stage (N = L): d_l = L − l. */
export function pipeDreamDelays(L: number): number[] {
  return Array.from({ length: L }, (_, i) => L - (i + 1));
}

/** The LayerPipe2 rule with one layer per stage: d_l = 2·(L − l). */
export function twoSDelays(L: number): number[] {
  return twoStageDelays(L, L);
}

const isCount = (x: number): boolean => Number.isInteger(x) && x >= 0;

/**
 * Does schedule graph name `graph` name network `net`? The training-graph builder names its
 * graphs `<network>-<variant>-<granularity>` (lib/graph/training.ts); the bare network name,
 * or the name followed by one of ` /:@#.([` and anything, is accepted too. `mnist-fc2` or
 * `mnist-fc-foo` do not name `mnist-fc`.
 */
export function graphNamesNetwork(graph: string, net: string): boolean {
  if (graph === net) return true;
  if (!graph.startsWith(net)) return false;
  const rest = graph.slice(net.length);
  if (' /:@#.(['.includes(rest.charAt(0))) return true;
  return VARIANTS.some((v) => GRANULARITIES.some((g) => rest === `-${v}-${g}`));
}

/** Staleness of a schedule file (`spikepipe schedule --out`), checked against the network. */
export function delaysFromSchedule(file: string, network: string, L: number): number[] {
  const s = loadSchedule(file);
  if (s.graph !== undefined && !graphNamesNetwork(s.graph, network)) {
    throw new InputError(`${file}: /graph`, `the schedule is for "${s.graph}", not for network "${network}"`);
  }
  if (!s.staleness) throw new InputError(`${file}: /staleness`, 'the schedule has no per-layer staleness (not a training schedule)');
  if (s.staleness.length !== L) {
    throw new InputError(`${file}: /staleness`, `has ${s.staleness.length} entries but network "${network}" has ${L} weight layers`);
  }
  s.staleness.forEach((d, i) => {
    if (!isCount(d)) throw new InputError(`${file}: /staleness/${i}`, `must be an integer ≥ 0, got ${d}`);
  });
  return s.staleness.slice();
}

/**
 * Parse a `--delays` value: `2S:N`, a constant `k`, a list `d1,…,dL`, or a schedule JSON
 * path (anything ending in .json or naming an existing file). InputError on anything else.
 */
export function parseDelays(text: string, network: string, L: number, where = '--delays'): number[] {
  const t = text.trim();
  const m2s = /^2S:(\d+)$/i.exec(t);
  if (m2s) {
    const N = Number(m2s[1]);
    if (N < 1) throw new InputError(where, `2S:N needs N ≥ 1 stages, got ${N}`);
    return twoStageDelays(L, N);
  }
  if (/^\d+$/.test(t)) return new Array<number>(L).fill(Number(t));
  if (/^\d+(,\d+)+$/.test(t)) {
    const d = t.split(',').map(Number);
    if (d.length !== L) throw new InputError(where, `${d.length} delays given but network "${network}" has ${L} weight layers`);
    return d;
  }
  if (/\.json$/i.test(t)) return delaysFromSchedule(t, network, L);
  throw new InputError(where, `"${text}" is not a schedule .json file, 2S:N, a constant k or a list d1,…,dL`);
}
