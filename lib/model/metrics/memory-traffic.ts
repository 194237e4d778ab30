/**
 * Total communication of training, second reading: all the data one training iteration moves.
 *
 *   first reading  (communication.ts `trainingCommunication`): the bytes of every edge of the
 *                  SpikePipe layer graph plus one read and one write of every weight — data
 *                  moved BETWEEN tasks, as if each ran on its own processor.
 *   second reading (here, `trainingMemoryTraffic`): the first reading PLUS the bytes every task
 *                  of that graph moves between its processor's on-chip memory and its compute
 *                  units (lib/model/cost/memory.ts): each GEMM's operand reads and output and
 *                  partial-sum writes as SCALE-Sim counts them per dataflow, and the vector
 *                  unit's inputs read and outputs written once.
 *
 * Both at the network's batch, with the dataflows the hardware spec names. The parts are added
 * as they are, not deduplicated: a tensor its producer writes to memory and an edge carries
 * counts in both, and U_l's weight read and write sit beside the first reading's 2·Σ|W|.
 */
import type { Bytes } from '../types';
import type { HardwareSpec, ResolvedNetwork } from '../spec/types';
import { buildTrainingGraph } from '../graph/training';
import { totalCommunication } from '../cost/bytes';
import { costTable } from '../cost/tasks';

export interface TrainingTraffic {
  /** First reading: edges and weights (= `trainingCommunication`). */
  communication: Bytes;
  /** Σ memoryReadBytes over the tasks of the SpikePipe layer graph. */
  memoryReadBytes: Bytes;
  /** Σ memoryWriteBytes over those tasks. */
  memoryWriteBytes: Bytes;
  /** Second reading: communication + memoryReadBytes + memoryWriteBytes. */
  total: Bytes;
}

/**
 * Both readings of one iteration of `net` on `hw`, and the memory parts of the second. The
 * memory traffic is summed over the tasks of the graph `trainingCommunication` measures (the
 * cost table holds exactly those tasks; a mismatch is a bug and throws). O(tasks + edges).
 */
export function trainingTraffic(net: ResolvedNetwork, hw: HardwareSpec): TrainingTraffic {
  const g = buildTrainingGraph(net, hw, { variant: 'spikepipe', granularity: 'layer' });
  const rows = new Map(costTable(net, hw, { memoryTraffic: true }).tasks.map((r) => [r.id, r]));
  if (rows.size !== g.tasks.length) throw new Error(`memory traffic: ${rows.size} costed tasks for ${g.tasks.length} graph tasks`);
  let memoryReadBytes = 0;
  let memoryWriteBytes = 0;
  for (const t of g.tasks) {
    const r = rows.get(t.id);
    if (!r) throw new Error(`memory traffic: task ${t.id} of the graph is not in the cost table`);
    memoryReadBytes += r.memoryReadBytes!;
    memoryWriteBytes += r.memoryWriteBytes!;
  }
  const communication = totalCommunication(g);
  return { communication, memoryReadBytes, memoryWriteBytes, total: communication + memoryReadBytes + memoryWriteBytes };
}

/** Total communication of training, second reading (see the top of this file). */
export function trainingMemoryTraffic(net: ResolvedNetwork, hw: HardwareSpec): Bytes {
  return trainingTraffic(net, hw).total;
}
