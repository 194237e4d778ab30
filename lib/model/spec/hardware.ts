/**
 * HardwareSpec: schema check, defaults (README, The model), and the Machine the solvers see.
 *
 * Every field of a hardware file is optional; the defaults below are the same values as the
 * schema's `default` fields (a test keeps them in step). `vectorLanes` defaults to the
 * array's `cols` (a dependent default a JSON Schema cannot state) and `name` to the file
 * name without `.json`.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { Machine } from '../types';
import type { HardwareSpec } from './types';
import hardwareSchema from './schemas/hardware.schema.json';
import { checkSchema } from './validate';
import { readJsonFile } from '../io/json';
import { fail } from '../errors';
import { checkProcs } from '../machine';
import { LIMITS } from '../limits';
import { shippedFile } from './paths';

/** Design §4 defaults, except vectorLanes (= array.cols) and name. */
export const HARDWARE_DEFAULTS = Object.freeze({
  processors: 4,
  array: Object.freeze({ rows: 128, cols: 128 }),
  dataflow: Object.freeze({ F: 'ws', Ba2: 'ws', Bw: 'os' } as const),
  bytesPerValue: 2,
  spikeEncoding: 'bit' as const,
  linkBandwidth: 64,
  linkLatency: 100,
  clockHz: 1e9,
  iirCyclesPerElement: 2,
  updateCyclesPerWeight: Object.freeze({ sgd: 1, adam: 4 }),
  lossCyclesPerElement: 4,
});

/** What a hardware file may contain: every field optional, nested objects partial. */
type HardwareFile = Partial<Omit<HardwareSpec, 'array' | 'dataflow' | 'updateCyclesPerWeight' | 'groups'>> & {
  groups?: { name?: string; count: number; array: { rows: number; cols: number }; vectorLanes?: number; clockHz?: number }[];
  array?: Partial<HardwareSpec['array']>;
  dataflow?: Partial<HardwareSpec['dataflow']>;
  updateCyclesPerWeight?: Partial<HardwareSpec['updateCyclesPerWeight']>;
};

/** The default hardware (README, The model): 128×128 arrays, 4 processors. A fresh object each call. */
export function defaultHardware(): HardwareSpec {
  return resolveHardware({ name: 'default' }, 'default hardware');
}

/** Schema-check a hardware spec and fill every default. The input is not mutated. */
export function resolveHardware(spec: unknown, where: string, name = 'hardware'): HardwareSpec {
  const s = checkSchema<HardwareFile>(hardwareSchema, spec, where);
  const D = HARDWARE_DEFAULTS;
  const array = { ...D.array, ...s.array };
  const hw: HardwareSpec = {
    name: s.name ?? name,
    processors: s.processors ?? D.processors,
    array,
    dataflow: { ...D.dataflow, ...s.dataflow },
    vectorLanes: s.vectorLanes ?? array.cols,
    bytesPerValue: s.bytesPerValue ?? D.bytesPerValue,
    spikeEncoding: s.spikeEncoding ?? D.spikeEncoding,
    linkBandwidth: s.linkBandwidth ?? D.linkBandwidth,
    linkLatency: s.linkLatency ?? D.linkLatency,
    clockHz: s.clockHz ?? D.clockHz,
    iirCyclesPerElement: s.iirCyclesPerElement ?? D.iirCyclesPerElement,
    updateCyclesPerWeight: { ...D.updateCyclesPerWeight, ...s.updateCyclesPerWeight },
    lossCyclesPerElement: s.lossCyclesPerElement ?? D.lossCyclesPerElement,
  };
  if (s.memoryBytes !== undefined) hw.memoryBytes = s.memoryBytes;
  if (s.groups) {
    hw.groups = s.groups.map((g, k) => ({
      name: g.name ?? (s.groups!.some((o, j) => j !== k && o.array.rows === g.array.rows && o.array.cols === g.array.cols) ? `group${k}` : `${g.array.rows}x${g.array.cols}`),
      count: g.count,
      array: { ...g.array },
      vectorLanes: g.vectorLanes ?? g.array.cols,
      clockHz: g.clockHz ?? hw.clockHz,
    }));
    const sum = hw.groups.reduce((a, g) => a + g.count, 0);
    if (sum > LIMITS.processors) fail(`${where}: /groups`, `the groups hold ${sum} processors, more than ${LIMITS.processors}`);
    if (s.processors !== undefined && s.processors !== sum) {
      fail(`${where}: /processors`, `${s.processors} processors, but the groups hold ${sum} (${describeGroups(hw)}); give the sum or leave processors out`);
    }
    hw.processors = sum;
  }
  return hw;
}

/** `2×128x128 + 2×64x64`, for messages. */
export function describeGroups(hw: HardwareSpec): string {
  return (hw.groups ?? []).map((g) => `${g.count}×${g.name}`).join(' + ');
}

/**
 * The homogeneous hardware of group `k` (its array, vector lanes and clock; everything else
 * from the top level): what the cost model evaluates for processor type k.
 */
export function groupHardware(hw: HardwareSpec, k: number): HardwareSpec {
  const g = hw.groups![k];
  const { groups: _omit, ...rest } = hw;
  return { ...rest, name: `${hw.name}/${g.name}`, processors: g.count, array: { ...g.array }, vectorLanes: g.vectorLanes, clockHz: g.clockHz };
}

/**
 * Load a hardware spec: no argument → defaultHardware(); a path; or the id of a file in
 * <package>/networks/hardware/ (`tiny-4x4`). An existing path wins over an id.
 */
export function loadHardware(path?: string): HardwareSpec {
  if (path === undefined) return defaultHardware();
  let file = path;
  let where = path;
  if (!existsSync(path) && /^[a-z0-9][a-z0-9x-]*$/i.test(path)) {
    const shipped = shippedFile('networks', 'hardware', `${path}.json`);
    if (existsSync(shipped)) {
      file = shipped;
      where = `networks/hardware/${path}.json`;
    } else fail(path, 'no such file or shipped hardware spec (see networks/hardware/)');
  }
  return resolveHardware(readJsonFile(file), where, basename(file).replace(/\.json$/i, ''));
}

/**
 * The Machine of `procs` processors (default: the spec's count) with the spec's links.
 *
 * With processor groups the machine IS the groups: `procs` must equal the sum of their counts
 * (a different count is one InputError naming both), processor p has the type of the group that
 * holds it (groups in file order), and every duration is in cycles of the top-level `clockHz`
 * (the reference clock; README, Heterogeneous processors). Taking "the first N" processors
 * silently would change which kinds of processor a run uses with N, so it is refused.
 */
export function machineFromHardware(hw: HardwareSpec, procs: number = hw.processors, where = '--procs'): Machine {
  checkProcs(procs, where);
  const m: Machine = { procs, bandwidth: hw.linkBandwidth, latency: hw.linkLatency, clockHz: hw.clockHz };
  if (hw.memoryBytes !== undefined) m.memoryBytes = hw.memoryBytes;
  if (hw.groups) {
    if (procs !== hw.processors) {
      fail(where, `hardware ${hw.name} has ${hw.processors} processors in groups (${describeGroups(hw)}); the processor count must be ${hw.processors}, got ${procs}`);
    }
    m.procType = hw.groups.flatMap((g, k) => new Array<number>(g.count).fill(k));
    m.typeNames = hw.groups.map((g) => g.name);
  }
  return m;
}
