/**
 * Sweep specs: a JSON grid (schema in sweep.schema.json) expanded into points in one fixed
 * order. A point's `key` names it uniquely, so results can be matched across runs, shards
 * and merges. Methods, their options and their delay rules are checked against the catalogue
 * (solvers/registry.ts) when the spec is read, so a method registered there is sweepable.
 *
 * `delayRules` crosses the grid with delay rules: as a list, every method that takes a
 * `delayRule` option gets one point per listed rule it implements (a method implementing
 * none of them is refused); as an object `{method: [rules]}`, only the methods named, the
 * others once at their default. Methods without delay rules always get one point.
 *
 * `variants` add named configurations of a method, each one more point per (network, hardware,
 * N) with its own options (checked against the method's descriptor), e.g. SpikePipe at the
 * paper's operating point `{"name": "paper", "method": "spikepipe", "options":
 * {"maxCommOverhead": 0.005, "maxStaleness": "pipedream"}}`; rows carry the variant's name.
 */
import Ajv from 'ajv';
import schema from './sweep.schema.json';
import { fail } from '../../model/errors';
import { readJsonFile, schemaErrors } from '../../model/io/json';
import type { RawOptions } from '../../../solvers/options';
import { delayRulesOf } from '../../../solvers/pipeline/method';
import { getMethod } from '../../../solvers/registry';
import { checkMethodOptions, type MethodOptions } from '../pipeline/run';

export interface HardwareVariant {
  label?: string;
  base?: string;
  arrayRows?: number;
  arrayCols?: number;
  linkBandwidth?: number;
  linkLatency?: number;
}

export interface SweepSpec {
  name?: string;
  networks: string[];
  hardware?: HardwareVariant[];
  procs: number[];
  /** Method names of the catalogue. */
  methods: string[];
  delayRules?: string[] | Record<string, string[]>;
  /** Wall-clock limit given to every method that takes `timeLimitSeconds`. */
  timeLimitSeconds?: number;
  /** Options per method name (checked against its descriptor). */
  options?: Record<string, RawOptions>;
  /** Named configurations of a method, one more point each. */
  variants?: SweepVariant[];
}

export interface SweepVariant {
  /** Lower-case name, unique in the spec; rows show `method@name`. */
  name: string;
  method: string;
  /** The variant's options (over the spec's options of that method). */
  options: RawOptions;
}

export interface SweepPoint {
  key: string;
  network: string;
  hardware: HardwareVariant;
  hardwareLabel: string;
  procs: number;
  method: string;
  /** Set when the grid crosses this method with delay rules. */
  delayRule?: string;
  /** Set for a variant's point. */
  variant?: string;
  /** Options of every method of the point's cell (its own and those it seeds from). */
  options: MethodOptions;
}

const ajv = new Ajv({ allErrors: false, strict: true });
const check = ajv.compile<SweepSpec>(schema);

/** The rules each method of the spec is crossed with (absent: one point at its default). */
function rulesByMethod(spec: SweepSpec, where: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const dr = spec.delayRules ?? ['minimal'];
  if (Array.isArray(dr)) {
    for (const [k, name] of spec.methods.entries()) {
      const takes = delayRulesOf(getMethod(name, `${where}: /methods/${k}`));
      if (takes.length === 0) continue;
      const rules = dr.filter((r) => takes.includes(r));
      if (rules.length === 0) fail(`${where}: /delayRules`, `${name} implements none of ${dr.join(', ')} (its rules: ${takes.join(', ')})`);
      out.set(name, rules);
    }
  } else {
    for (const [name, rules] of Object.entries(dr)) {
      if (!spec.methods.includes(name)) fail(`${where}: /delayRules/${name}`, `${name} is not among the sweep's methods`);
      const takes = delayRulesOf(getMethod(name, `${where}: /delayRules/${name}`));
      rules.forEach((r, k) => {
        if (!takes.includes(r)) fail(`${where}: /delayRules/${name}/${k}`, takes.length === 0 ? `${name} takes no delay rule` : `${name} has no rule ${JSON.stringify(r)} (its rules: ${takes.join(', ')})`);
      });
      out.set(name, rules);
    }
  }
  for (const rules of out.values()) {
    const dup = rules.find((v, i) => rules.indexOf(v) !== i);
    if (dup !== undefined) fail(`${where}: /delayRules`, `${JSON.stringify(dup)} is listed twice`);
  }
  return out;
}

export function parseSweepSpec(json: unknown, where: string): SweepSpec {
  if (!check(json)) throw schemaErrors(where, check.errors ?? []);
  const spec = json as SweepSpec;
  for (const key of ['networks', 'procs', 'methods'] as const) {
    const list = spec[key] as unknown[];
    const dup = list.find((v, i) => list.indexOf(v) !== i);
    if (dup !== undefined) fail(`${where}: /${key}`, `${JSON.stringify(dup)} is listed twice`);
  }
  spec.methods.forEach((m, k) => getMethod(m, `${where}: /methods/${k}`));
  checkMethodOptions(spec.options ?? {}, `${where}: /options`);
  rulesByMethod(spec, where);
  const names = new Set<string>();
  (spec.variants ?? []).forEach((v, k) => {
    if (names.has(v.name)) fail(`${where}: /variants/${k}/name`, `${JSON.stringify(v.name)} is used twice`);
    names.add(v.name);
    getMethod(v.method, `${where}: /variants/${k}/method`);
    checkMethodOptions({ [v.method]: { ...(spec.options?.[v.method] ?? {}), ...v.options } }, `${where}: /variants/${k}/options`);
  });
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

/** The options of every method in a point's cell: the spec's, `timeLimitSeconds` where taken, the point's rule. */
function pointOptions(spec: SweepSpec, method: string, rule: string | undefined): MethodOptions {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, raw] of Object.entries(spec.options ?? {})) out[name] = { ...raw };
  if (spec.timeLimitSeconds !== undefined) {
    for (const name of spec.methods) {
      if ('timeLimitSeconds' in getMethod(name).options) (out[name] ??= {}).timeLimitSeconds ??= spec.timeLimitSeconds;
    }
  }
  if (rule !== undefined) (out[method] ??= {}).delayRule = rule;
  return out;
}

/** All points of the grid, in the order networks × hardware × procs × methods × delay rules. */
export function expandSweep(spec: SweepSpec, where = 'sweep spec'): SweepPoint[] {
  const hws = spec.hardware ?? [{}];
  const labels = hws.map(hardwareLabel);
  const dupLabel = labels.find((l, i) => labels.indexOf(l) !== i);
  if (dupLabel !== undefined) fail('/hardware', `two hardware variants are both labelled "${dupLabel}"; give them distinct labels`);
  const rules = rulesByMethod(spec, where);
  const points: SweepPoint[] = [];
  for (const network of spec.networks)
    hws.forEach((hardware, h) => {
      for (const procs of spec.procs)
        for (const method of spec.methods)
          for (const delayRule of rules.get(method) ?? [undefined]) {
            points.push({
              key: [network, labels[h], `p${procs}`, method, delayRule ?? '-'].join('|'),
              network,
              hardware,
              hardwareLabel: labels[h],
              procs,
              method,
              ...(delayRule !== undefined ? { delayRule } : {}),
              options: pointOptions(spec, method, delayRule),
            });
          }
      for (const procs of spec.procs)
        for (const v of spec.variants ?? []) {
          const options = pointOptions(spec, v.method, undefined);
          points.push({
            key: [network, labels[h], `p${procs}`, `${v.method}@${v.name}`, '-'].join('|'),
            network,
            hardware,
            hardwareLabel: labels[h],
            procs,
            method: v.method,
            variant: v.name,
            options: { ...options, [v.method]: { ...(options[v.method] ?? {}), ...v.options } },
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
