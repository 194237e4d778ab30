/**
 * The catalogue: every pipelined-training method and every makespan solver, each one file
 * exporting one descriptor (as in SAGA), listed here once in the order the tables show them.
 * The CLI's help and flags, `compare`, the sweep spec's check, `reproduce`'s plan and every
 * table read these lists, so adding a method or a list scheduler is one new file plus one line
 * below. `registerMethod` / `registerSolver` add one at run time (a plug-in, a test).
 */
import { fail } from '../lib/model/errors';
import type { PipelineMethod } from './pipeline/method';
import type { Solver, SolverKind } from './solver';
import { sequential } from './pipeline/sequential';
import { gpipe } from './pipeline/gpipe';
import { pipedream } from './pipeline/pipedream';
import { pipedreamReplicated } from './pipeline/pipedream-replicated';
import { layerpipe } from './pipeline/layerpipe';
import { spikepipe } from './pipeline/spikepipe';
import { spikepipeIlp } from './pipeline/spikepipe-ilp';
import { oneFOneB } from './pipeline/1f1b';
import { interleaved1F1B } from './pipeline/interleaved-1f1b';
import { zbH1 } from './pipeline/zb-h1';
import { zbH2 } from './pipeline/zb-h2';
import { zbV } from './pipeline/zb-v';
import { dualpipeV } from './pipeline/dualpipev';
import { pipedream2BW } from './pipeline/pipedream-2bw';
import { syncOptimal } from './pipeline/sync-optimal';
import { hlfetSolver } from './list/hlfet';
import { etfSolver } from './list/etf';
import { heftSolver } from './list/heft';
import { cpopSolver } from './list/cpop';
import { peftSolver } from './list/peft';
import { ilpSolver } from './exact/ilp';
import { bnbSolver } from './exact/bnb';
import { ilpTimeIndexedSolver } from './exact/ilp-ti';
import { ilpDisjunctiveSolver } from './exact/ilp-disj';
import { ilpJslpSolver } from './exact/ilp-jslp';

/** A method of any options and details. */
export type AnyMethod = PipelineMethod<any, any>;

// Order of the tables: sequential, the synchronous baselines and their proven optimum, the asynchronous ones, the searches.
const METHODS: AnyMethod[] = [sequential, gpipe, oneFOneB, interleaved1F1B, zbH1, zbH2, zbV, dualpipeV, syncOptimal, pipedream, pipedream2BW, pipedreamReplicated, layerpipe, spikepipe, spikepipeIlp];

const SOLVERS: Solver[] = [hlfetSolver, etfSolver, heftSolver, cpopSolver, peftSolver, ilpSolver, bnbSolver, ilpTimeIndexedSolver, ilpDisjunctiveSolver, ilpJslpSolver];

function register<T extends { name: string }>(list: T[], item: T, what: string): () => void {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(item.name)) throw new Error(`register ${what}: name ${JSON.stringify(item.name)} must be lower-case letters, digits and '-'`);
  if (list.some((x) => x.name === item.name)) throw new Error(`register ${what}: a ${what} named ${item.name} exists already`);
  list.push(item);
  return () => {
    const i = list.indexOf(item);
    if (i >= 0) list.splice(i, 1);
  };
}

/** Every pipelined-training method, in table order. */
export function listMethods(): readonly AnyMethod[] {
  return METHODS;
}

export function methodNames(): string[] {
  return METHODS.map((m) => m.name);
}

/** The method called `name`, or an InputError at `where` listing the known ones. */
export function getMethod(name: string, where = '--method'): AnyMethod {
  const m = METHODS.find((x) => x.name === name);
  if (!m) fail(where, `unknown method ${JSON.stringify(name)} (known: ${methodNames().join(', ')})`);
  return m;
}

/** Parse a comma-separated method list (order kept, duplicates dropped). */
export function parseMethods(list: string, where = '--methods'): AnyMethod[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) fail(where, 'no method given');
  return [...new Set(names)].map((n) => getMethod(n, where));
}

/** Add a method after the shipped ones; returns a function that removes it again. */
export function registerMethod(m: AnyMethod): () => void {
  return register(METHODS, m, 'method');
}

/** Every makespan solver (optionally of one kind), in table order. */
export function listSolvers(kind?: SolverKind): readonly Solver[] {
  return kind ? SOLVERS.filter((s) => s.kind === kind) : SOLVERS;
}

export function solverNames(kind?: SolverKind): string[] {
  return listSolvers(kind).map((s) => s.name);
}

/** The solver called `name`, or an InputError at `where` listing the known ones. */
export function getSolver(name: string, where = '--solvers'): Solver {
  const s = SOLVERS.find((x) => x.name === name);
  if (!s) fail(where, `unknown solver "${name}" (known: ${solverNames().join(', ')})`);
  return s;
}

/** Add a makespan solver after the shipped ones; returns a function that removes it again. */
export function registerSolver(s: Solver): () => void {
  return register(SOLVERS, s, 'solver');
}
