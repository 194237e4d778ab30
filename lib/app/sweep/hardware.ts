/** Hardware of a sweep point: the base spec (default hardware when none) with the variant's overrides. */
import type { HardwareSpec } from '../../model/spec/types';
import { loadHardware } from '../../model/spec/hardware';
import { hardwareLabel, type HardwareVariant } from './spec';

/**
 * Overriding the array width also sets the vector unit's lanes to it (the design's V = C),
 * so a 64-wide variant is a 64-wide processor, not a 64-wide array with a 128-lane vector unit.
 */
export function variantHardware(v: HardwareVariant): HardwareSpec {
  const base = loadHardware(v.base);
  const hw: HardwareSpec = { ...base, array: { ...base.array }, name: hardwareLabel(v) };
  if (v.arrayRows !== undefined) hw.array.rows = v.arrayRows;
  if (v.arrayCols !== undefined) {
    hw.array.cols = v.arrayCols;
    hw.vectorLanes = v.arrayCols;
  }
  if (v.linkBandwidth !== undefined) hw.linkBandwidth = v.linkBandwidth;
  if (v.linkLatency !== undefined) hw.linkLatency = v.linkLatency;
  return hw;
}
