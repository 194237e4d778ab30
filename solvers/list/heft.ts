/**
 * HEFT — Heterogeneous Earliest Finish Time (Topcuoglu, Hariri & Wu, IEEE TPDS 13(3), 2002).
 * Priority: upward rank rank_u(i) = w̄_i + max_{j ∈ succ(i)} (c̄_ij + rank_u(j)), w̄_i the mean
 * of task i's durations over the processors and c̄ the mean transfer cost over links between
 * distinct processors (= the transfer cost on identical links; 0 with one processor). Tasks
 * are taken in decreasing rank (a ready list, which is the same order when ranks decrease
 * along edges and stays valid when zero-cost tasks tie with their successors), each on the
 * processor giving the earliest finish with its duration there, inserted into an idle gap
 * when one fits. On Topcuoglu et al.'s Fig. 2 example (networks/dag/topcuoglu2002.json) it
 * gives the paper's makespan 80 (test/hetero.test.ts).
 *
 * O((n + e) log n + n·P·log n). Ties: see core.ts.
 */
import type { Machine, Schedule, TaskGraph } from '../../lib/model/types';
import { earliestPicker, listProblem, listSolver, readyListSchedule, toSchedule, upwardRanks, withRestarts, type ListOptions } from './core';

export function heft(g: TaskGraph, m: Machine, opts: ListOptions = {}): Schedule {
  const p = listProblem(g, m);
  const pick = earliestPicker(p);
  const pl = withRestarts(p, upwardRanks(p), opts, (prio) => readyListSchedule(p, prio, true, pick));
  return toSchedule(g, m, pl, 'heft');
}

export const heftSolver = listSolver('heft', 'HEFT: upward rank with mean communication, earliest finish with insertion', heft);
