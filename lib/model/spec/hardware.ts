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
type HardwareFile = Partial<Omit<HardwareSpec, 'array' | 'dataflow' | 'updateCyclesPerWeight'>> & {
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
  return hw;
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

/** The Machine of `procs` processors (default: the spec's count) with the spec's links. */
export function machineFromHardware(hw: HardwareSpec, procs: number = hw.processors): Machine {
  checkProcs(procs);
  const m: Machine = { procs, bandwidth: hw.linkBandwidth, latency: hw.linkLatency, clockHz: hw.clockHz };
  if (hw.memoryBytes !== undefined) m.memoryBytes = hw.memoryBytes;
  return m;
}
