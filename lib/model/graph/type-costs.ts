/**
 * Per-processor-type costs of a graph built from a hardware spec with processor groups (README,
 * Heterogeneous processors): the same graph is built once per group's hardware (its array,
 * vector lanes and clock), and every task gets `cyclesByType[k]` = its cycles on group k
 * converted to the reference clock (the top-level `clockHz`): ceil(cycles_k · f_ref / f_k).
 * `cycles` becomes the smallest of them (with the gemm/vector split of that type), so every
 * bound read off `cycles` stays a lower bound. The structure (tasks, ids, edges, bytes) does not
 * depend on the array, so the per-group graphs line up task by task; a mismatch is a bug.
 */
import type { TaskGraph } from '../types';
import type { HardwareSpec } from '../spec/types';
import { groupHardware } from '../spec/hardware';

/** Cycles of a processor clocked at `hz` expressed in cycles of the reference clock `refHz`. */
export function toReferenceCycles(cycles: number, hz: number, refHz: number): number {
  return hz === refHz ? cycles : Math.ceil((cycles * refHz) / hz);
}

/** `build(hw)` on a homogeneous spec; on a spec with groups, the per-type graph described above. */
export function withTypeCosts(hw: HardwareSpec, build: (hw: HardwareSpec) => TaskGraph): TaskGraph {
  if (!hw.groups) return build(hw);
  const graphs = hw.groups.map((g, k) => {
    const gk = build(groupHardware(hw, k));
    return { g: gk, hz: g.clockHz };
  });
  const base = graphs[0].g;
  const tasks = base.tasks.map((t, i) => {
    const by = graphs.map(({ g, hz }) => {
      const x = g.tasks[i];
      if (x.id !== t.id) throw new Error(`internal error: per-group graphs differ at task ${i} (${x.id} vs ${t.id})`);
      return toReferenceCycles(x.cycles, hz, hw.clockHz);
    });
    let best = 0;
    for (let k = 1; k < by.length; k++) if (by[k] < by[best]) best = k;
    const src = graphs[best].g.tasks[i];
    const gemmCycles = toReferenceCycles(src.gemmCycles, graphs[best].hz, hw.clockHz);
    return { ...t, cycles: by[best], gemmCycles: Math.min(gemmCycles, by[best]), vectorCycles: by[best] - Math.min(gemmCycles, by[best]), cyclesByType: by };
  });
  return { ...base, tasks, meta: { ...base.meta, hardware: hw.name } };
}
