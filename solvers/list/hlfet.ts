/**
 * HLFET — Highest Level First with Estimated Times (Adam, Chandy & Dickson 1974; as surveyed by
 * Kwok & Ahmad 1999). Priority: the static level = bottom level without communication.
 * The ready task of highest level goes to the processor where it can start earliest, after
 * the tasks already there (no insertion into idle gaps, as published).
 *
 * O((n + e) log n + n·P). Ties: see core.ts (topological position, then smallest processor).
 */
import type { Machine, Schedule, TaskGraph } from '../../lib/model/types';
import { earliestPicker, listProblem, listSolver, readyListSchedule, toSchedule, withRestarts, type ListOptions } from './core';

export function hlfet(g: TaskGraph, m: Machine, opts: ListOptions = {}): Schedule {
  const p = listProblem(g, m);
  const pick = earliestPicker(p);
  const pl = withRestarts(p, p.bl, opts, (prio) => readyListSchedule(p, prio, false, pick));
  return toSchedule(g, m, pl, 'hlfet');
}

export const hlfetSolver = listSolver('hlfet', 'HLFET: static bottom-level priority, earliest-start processor, no insertion', hlfet);
