/**
 * The machine: N identical processors, fully connected by one dedicated full-duplex link per
 * ORDERED pair p→q (p→q and q→p are separate links), each of `bandwidth` bytes per cycle with
 * `latency` cycles of delay. A transfer of b bytes between two processors arrives
 * ceil(b / bandwidth) + latency cycles after its producer ends (`commCycles`); it occupies its
 * link for ceil(b / bandwidth) of them (latency is pipelined). In a periodic schedule every link
 * must carry its bytes of one iteration within the period: Σ bytes(p→q) / bandwidth ≤ P — the
 * per-link bytes are counted in lib/model/metrics/communication.ts (`linkBytes`, `linkPeriodBound`)
 * and checked by lib/model/schedule/validate.ts ('link' violations).
 */
import type { Bytes, Cycles, Machine } from './types';
import { fail } from './errors';
import { LIMITS } from './limits';

/**
 * Cycles to move `bytes` between two different processors: ceil(bytes / bandwidth) + latency.
 * An edge that carries no data (pure ordering, STG graphs) costs nothing.
 */
export function commCycles(m: Machine, bytes: Bytes): Cycles {
  if (bytes <= 0) return 0;
  return Math.ceil(bytes / m.bandwidth) + m.latency;
}

/** Cost of edge data between processors p and q (0 on the same processor). */
export function transferCycles(m: Machine, bytes: Bytes, p: number, q: number): Cycles {
  return p === q ? 0 : commCycles(m, bytes);
}

/** A machine with no communication cost (STG's model). */
export function zeroCommMachine(procs: number): Machine {
  checkProcs(procs);
  return { procs, bandwidth: 1, latency: 0 };
}

export function checkProcs(procs: number, where = '--procs'): void {
  if (!Number.isInteger(procs) || procs <= 0) fail(where, `processor count must be a positive integer, got ${procs}`);
  if (procs > LIMITS.processors) fail(where, `processor count must be at most ${LIMITS.processors}, got ${procs}`);
}
