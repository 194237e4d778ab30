/**
 * Sweep specs: a JSON grid (schema in sweep.schema.json) expanded into points in one fixed
 * order. A point's `key` names it uniquely, so results can be matched across runs, shards
 * and merges.
 */
import Ajv from 'ajv';
import schema from './sweep.schema.json';
import { fail } from '../../model/errors';
import { readJsonFile, schemaErrors } from '../../model/io/json';

export interface HardwareVariant {
  label?: string;
  base?: string;
  arrayRows?: number;
  arrayCols?: number;
  linkBandwidth?: number;
  linkLatency?: number;
}

export type SweepMethod = 'sequential' | 'gpipe' | 'pipedream' | 'layerpipe' | 'spikepipe' | 'spikepipe-ilp';
export type DelayRule = 'minimal' | '2S' | 'pipedream';

export interface SweepSpec {
  name?: string;
  networks: string[];
  hardware?: HardwareVariant[];
  procs: number[];
  methods: SweepMethod[];
  delayRules?: DelayRule[];
  timeLimitSeconds?: number;
  seed?: number;
}

export interface SweepPoint {
  key: string;
  network: string;
  hardware: HardwareVariant;
  hardwareLabel: string;
  procs: number;
  method: SweepMethod;
  delayRule: DelayRule;
  timeLimitSeconds?: number;
  seed: number;
}

const ajv = new Ajv({ allErrors: false, strict: true });
const check = ajv.compile<SweepSpec>(schema);

export function parseSweepSpec(json: unknown, where: string): SweepSpec {
  if (!check(json)) throw schemaErrors(where, check.errors ?? []);
  const spec = json as SweepSpec;
  for (const key of ['networks', 'procs', 'methods', 'delayRules'] as const) {
    const list = (spec[key] ?? []) as unknown[];
    const dup = list.find((v, i) => list.indexOf(v) !== i);
    if (dup !== undefined) fail(`${where}: /${key}`, `${JSON.stringify(dup)} is listed twice`);
  }
  return spec;
}

export function loadSweepSpec(file: string): SweepSpec {
  return parseSweepSpec(readJsonFile(file), file);
}

export function hardwareLabel(h: HardwareVariant): string {
  if (h.label) return h.label;
  const parts: string[] = [];
  if (h.base) parts.push(h.base.replace(/^.*\//, '').replace(/\.json$/, ''));
  if (h.arrayRows !== undefined || h.arrayCols !== undefined) parts.push(`${h.arrayRows ?? 'R'}x${h.arrayCols ?? 'C'}`);
  if (h.linkBandwidth !== undefined) parts.push(`bw${h.linkBandwidth}`);
  if (h.linkLatency !== undefined) parts.push(`lat${h.linkLatency}`);
  return parts.length ? parts.join('-') : 'default';
}

/** All points of the grid, in the order networks × hardware × procs × methods × delay rules. */
export function expandSweep(spec: SweepSpec): SweepPoint[] {
  const hws = spec.hardware ?? [{}];
  const labels = hws.map(hardwareLabel);
  const dupLabel = labels.find((l, i) => labels.indexOf(l) !== i);
  if (dupLabel !== undefined) fail('/hardware', `two hardware variants are both labelled "${dupLabel}"; give them distinct labels`);
  const rules = spec.delayRules ?? ['minimal'];
  const points: SweepPoint[] = [];
  for (const network of spec.networks)
    hws.forEach((hardware, h) => {
      for (const procs of spec.procs)
        for (const method of spec.methods)
          for (const delayRule of rules) {
            // The delay rule only changes methods that choose delays; others get one point.
            const usesRule = method === 'spikepipe' || method === 'spikepipe-ilp';
            if (!usesRule && delayRule !== rules[0]) continue;
            const rule = usesRule ? delayRule : 'minimal';
            points.push({
              key: [network, labels[h], `p${procs}`, method, usesRule ? rule : '-'].join('|'),
              network,
              hardware,
              hardwareLabel: labels[h],
              procs,
              method,
              delayRule: rule,
              timeLimitSeconds: spec.timeLimitSeconds,
              seed: spec.seed ?? 0,
            });
          }
    });
  return points;
}

/** Parse `i/N` (0-based shard i of N). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m) fail('--shard', `expected i/N with 0 ≤ i < N, got "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) fail('--shard', `expected i/N with 0 ≤ i < N, got "${text}"`);
  return { index, count };
}

/**
 * The deterministic share of shard i of N: every N-th point of the grid order starting at i
 * (round-robin keeps shards balanced when cost grows along the grid).
 */
export function shardPoints(points: SweepPoint[], shard: { index: number; count: number }): SweepPoint[] {
  return points.filter((_, k) => k % shard.count === shard.index);
}
