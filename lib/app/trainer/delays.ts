/**
 * Per-layer gradient staleness d_l (index l−1) for the trainer: from a schedule file written
 * by `spikepipe schedule --out`, or from a rule. The rules shared with the task-graph side
 * (`none`, `2S:N`, an explicit list) come from lib/model/graph/delays.ts, so the trainer and the
 * scheduler mean the same thing by `2S:4`; this module adds a constant `k` and schedule
 * files, and the PipeDream placeholder.
 *
 * `2S:N`: LayerPipe2's Delay(l) = 2·S(l), S(l) = pipeline stages after layer l's stage, with
 * the L layers in N contiguous stages balanced by layer count; N > L is clamped to L (one
 * layer per stage), so `2S:4` on the 3-layer mnist-fc gives 4,2,0.
 */
import { InputError } from '../../model/errors';
import { evenStages, parseDelays as parseRule, staleness2S } from '../../model/graph/delays';
import { GRANULARITIES, VARIANTS } from '../../model/graph/training';
import { loadSchedule } from '../../model/schedule/schedule';
import { checkCount, countFromText, LIMITS } from '../../model/limits';

/** d_l = 2·(stages after layer l's stage) for L layers in N balanced contiguous stages. */
export function twoStageDelays(L: number, N: number): number[] {
  return staleness2S(evenStages(L, N));
}

/** The LayerPipe2 rule with one layer per stage: d_l = 2·(L − l). */
export function twoSDelays(L: number): number[] {
  return twoStageDelays(L, L);
}

/** PipeDream 1F1B with one layer per stage (N = L): stage s stale by N − s, d_l = L − l. */
export function pipeDreamDelays(L: number): number[] {
  return Array.from({ length: L }, (_, i) => L - (i + 1));
}

/**
 * Does schedule graph name `graph` name network `net`? The training-graph builder names its
 * graphs `<network>-<variant>-<granularity>` (lib/model/graph/training.ts); the bare network name,
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
  s.staleness.forEach((d, i) => checkCount(d, LIMITS.staleness, `${file}: /staleness/${i}`, 0));
  return s.staleness.slice();
}

/**
 * Parse a `--delays` value for a network of L weight layers: a schedule `.json` file, a
 * constant `k` (every layer), `none`, `2S:N`, or a list `d1,…,dL`. InputError otherwise.
 */
export function parseDelays(text: string, network: string, L: number, where = '--delays'): number[] {
  const t = text.trim();
  if (/\.json$/i.test(t)) return delaysFromSchedule(t, network, L);
  if (/^\d+$/.test(t)) return new Array<number>(L).fill(countFromText(t, LIMITS.staleness, where, 0));
  return parseRule(t, L, where);
}
