/**
 * `spikepipe schedule <file.stg|file.dot|file.json> --procs N --method <solver>`: a makespan
 * problem read from a graph file (an STG file, a DOT file, or a DAG file with a per-processor
 * cost table, lib/model/io/dag.ts) scheduled by one makespan solver of the catalogue (list or
 * exact), validated and simulated, printed like `schedule`'s report. With a DAG file `--procs`
 * must equal its processor count (one column of the cost table per processor).
 */
import { existsSync } from 'node:fs';
import type { Schedule } from '../../../model/types';
import { fail } from '../../../model/errors';
import { validate } from '../../../model/schedule/validate';
import { simulateMakespan } from '../../../model/schedule/simulate';
import { lowerBounds } from '../../../model/bounds';
import { isDagJson } from '../../../model/io/dag';
import { readJsonFile } from '../../../model/io/json';
import { getSolver } from '../../../../solvers/registry';
import { loadProblem } from './bounds';

export interface GraphScheduleReport {
  graph: string;
  procs: number;
  solver: string;
  status: string;
  makespan: number;
  lowerBound: number;
  simulatedMakespan: number | null;
  schedule: Schedule;
}

/** True when `arg` names a graph file rather than a network (by extension or DAG `format`). */
export function isGraphFileArg(arg: string): boolean {
  if (/\.(stg|dot|gv)$/i.test(arg)) return true;
  if (!/\.json$/i.test(arg) || !existsSync(arg)) return false;
  return isDagJson(readJsonFile(arg));
}

export async function scheduleGraphCommand(arg: string, procs: number, method: string, options: { timeLimitSeconds?: number } = {}): Promise<GraphScheduleReport> {
  const solver = getSolver(method, '--method');
  const p = loadProblem(arg, { procs });
  if (p.kind !== 'makespan') fail(arg, 'has delayed edges: a periodic problem, which the makespan solvers do not take');
  const r = await solver.solve(p.g, p.m, options);
  if (!r.schedule || r.value === null) fail(arg, `${solver.name} found no schedule (${r.status}${r.notes?.length ? `: ${r.notes.join('; ')}` : ''})`);
  const v = validate(p.g, p.m, r.schedule);
  if (!v.valid) throw new Error(`internal error: ${solver.name} produced an invalid schedule: ${v.violations[0].message}`);
  const sim = simulateMakespan(p.g, p.m, r.schedule);
  return {
    graph: p.g.name,
    procs: p.m.procs,
    solver: solver.name,
    status: r.status,
    makespan: r.value,
    lowerBound: Math.max(r.bound, lowerBounds(p.g, p.m, 'makespan').bound),
    simulatedMakespan: sim.measuredMakespan ?? null,
    schedule: r.schedule,
  };
}

export function formatGraphScheduleReport(r: GraphScheduleReport): string {
  const lines = [
    `${r.solver} on ${r.graph}, ${r.procs} processors: makespan ${r.makespan} (simulated ${r.simulatedMakespan ?? '-'}), lower bound ${r.lowerBound}, ${r.status}`,
  ];
  const byProc = new Map<number, string[]>();
  for (const t of [...r.schedule.tasks].sort((a, b) => a.start - b.start)) {
    const l = byProc.get(t.processor) ?? [];
    l.push(`${t.id}@${t.start}`);
    byProc.set(t.processor, l);
  }
  for (const [q, l] of [...byProc].sort((a, b) => a[0] - b[0])) lines.push(`    p${q}: ${l.join(' ')}`);
  return lines.join('\n') + '\n';
}
