/**
 * `spikepipe bounds <network|file.stg|file.dot> --procs N [--delays none|2S:N|d1,…]
 *  [--hw file] [--variant v] [--granularity g] [--json]`: the lower bounds of lib/model/bounds
 * (critical path, ceil(work/N), longest task, iteration bound T∞) and the binding one.
 *
 * STG files are makespan problems (no delays, no communication: T∞ = 0); networks are
 * periodic problems on their training graph with the delays given (default none = plain SGD).
 * With --schedule the graph is the one that schedule file was made for (its build recipe).
 * Also exports `loadProblem`, the graph-argument loader `validate` shares.
 */
import type { Command } from 'commander';
import type { CliIO } from '../io';
import { printJson } from '../io';
import type { Machine, TaskGraph } from '../../../model/types';
import { checkProcs, zeroCommMachine } from '../../../model/machine';
import { fail } from '../../../model/errors';
import { loadStg } from '../../../model/io/stg';
import { loadDot } from '../../../model/io/dot';
import { dagFileOrNull, dagMachine } from '../../../model/io/dag';
import { loadNetwork } from '../../../model/spec/network';
import { loadHardware, machineFromHardware } from '../../../model/spec/hardware';
import { buildTrainingGraph, GRANULARITIES, VARIANTS, type Granularity, type Variant } from '../../../model/graph/training';
import { parseDelays } from '../../../model/graph/delays';
import { buildGraph, checkRecipe } from '../../../model/graph/recipe';
import { loadScheduleFile, type ScheduleBuild } from '../../../model/schedule/schedule';
import { lowerBounds, type LowerBounds } from '../../../model/bounds';
import { parseChoice, parsePositiveInt } from './cost';
import { maxOf } from '../../../model/extrema';
import { checkCount, LIMITS } from '../../../model/limits';

export interface ProblemOptions {
  procs: number;
  hw?: string;
  /** Delay rule text (`none`, `2S:N`, list) for networks. */
  delays?: string;
  /** Explicit per-layer staleness (used when `delays` is not given). */
  staleness?: number[];
  variant?: Variant;
  granularity?: Granularity;
  /** A schedule's build recipe (networks): rebuild exactly the graph it was made for. */
  recipe?: ScheduleBuild;
  /** The file the recipe came from, for messages. */
  recipeFile?: string;
}

export interface Problem {
  g: TaskGraph;
  m: Machine;
  /** What the graph is: STG/DOT files without delays are makespan problems. */
  kind: 'makespan' | 'periodic';
  source: 'stg' | 'dot' | 'dag' | 'network';
}

/**
 * Load the graph named on the command line. `.stg` → STG file (no communication: a machine
 * of `procs` processors with zero-cost transfers for its 0-byte edges); `.dot`/`.gv` → DOT
 * file (without --hw, links of 1 byte/cycle and no latency, so an edge's bytes are its
 * transfer cycles); a `.json` file whose `format` is "dag" → a DAG with a per-processor cost
 * table (lib/model/io/dag.ts; `procs` must equal its processor count); anything else → a
 * network file or shipped id, lowered to its training
 * graph on the hardware (default hardware without --hw).
 */
export function loadProblem(arg: string, o: ProblemOptions): Problem {
  checkProcs(o.procs);
  const isFile = /\.(stg|dot|gv)$/i.test(arg);
  if (isFile) {
    for (const [flag, v] of [['--delays', o.delays], ['--variant', o.variant], ['--granularity', o.granularity]] as const) {
      if (v !== undefined) fail(flag, `applies to networks only, not to ${arg}`);
    }
  }
  if (/\.stg$/i.test(arg)) return { g: loadStg(arg), m: zeroCommMachine(o.procs), kind: 'makespan', source: 'stg' };
  const dag = dagFileOrNull(arg);
  if (dag) {
    for (const [flag, v] of [['--delays', o.delays], ['--variant', o.variant], ['--granularity', o.granularity], ['--hw', o.hw]] as const) {
      if (v !== undefined) fail(flag, `applies to networks only, not to the DAG file ${arg} (its cost table fixes the processors)`);
    }
    return { g: dag, m: dagMachine(dag, o.procs), kind: 'makespan', source: 'dag' };
  }
  if (/\.(dot|gv)$/i.test(arg)) {
    const g = loadDot(arg);
    const m = o.hw !== undefined ? machineFromHardware(loadHardware(o.hw), o.procs) : zeroCommMachine(o.procs);
    return { g, m, kind: g.edges.some((e) => e.delay > 0) ? 'periodic' : 'makespan', source: 'dot' };
  }
  const net = loadNetwork(arg);
  const L = net.weightLayers.length;
  const staleness = o.delays !== undefined ? parseDelays(o.delays, L, '--delays') : o.staleness;
  // Staleness read from a schedule file: checked against the network, naming the file.
  const checkStaleness = () => {
    if (o.delays !== undefined || o.staleness === undefined) return;
    const file = `${o.recipeFile ?? 'the schedule file'}: /staleness`;
    if (o.staleness.length !== L) fail(file, `has ${o.staleness.length} values but ${net.file ?? net.spec.name} has ${L} weight layers`);
    o.staleness.forEach((d, i) => checkCount(d, LIMITS.staleness, `${file}/${i}`, 0));
  };
  const hw = loadHardware(o.hw);
  if (o.recipe) {
    // A schedule written by `spikepipe schedule --out` says how its graph was built (GPipe's
    // micro-batch graph, PipeDream's stage graph, SpikePipe's dataflow choice): rebuild exactly that.
    const file = o.recipeFile ?? 'schedule';
    if (o.recipe.network !== net.spec.name) fail(`${file}: /build/network`, `the schedule is for ${o.recipe.network}, not ${net.spec.name}`);
    checkRecipe(o.recipe, net, `${file}: /build`);
    checkStaleness();
    const g = buildGraph(o.recipe, net, hw, staleness ?? new Array<number>(L).fill(0));
    return { g, m: machineFromHardware(hw, o.procs), kind: 'periodic', source: 'network' };
  }
  checkStaleness();
  const g = buildTrainingGraph(net, hw, { variant: o.variant, granularity: o.granularity, staleness });
  return { g, m: machineFromHardware(hw, o.procs), kind: 'periodic', source: 'network' };
}

interface BoundsCliOptions {
  schedule?: string;
  procs?: string;
  hw?: string;
  delays?: string;
  variant?: string;
  granularity?: string;
  json?: boolean;
}

export interface BoundsReport extends LowerBounds {
  graph: string;
  tasks: number;
  edges: number;
}

export function boundsReport(p: Problem): BoundsReport {
  const lb = lowerBounds(p.g, p.m, p.kind);
  return { graph: p.g.name, tasks: p.g.tasks.length, edges: p.g.edges.length, ...lb };
}

export function formatBounds(r: BoundsReport): string {
  const rows: [string, string][] = [
    ['critical path', String(r.criticalPath)],
    ['work bound', `${r.workBound}  (total work ${r.totalWork} / ${r.procs})`],
    ['longest task', String(r.longestTask)],
    [
      'iteration bound',
      r.iterationBoundCycle.length > 0 ? `${fmt(r.iterationBound)}  (cycle ${r.iterationBoundCycle.join(' → ')})` : fmt(r.iterationBound),
    ],
    ['lower bound', `${r.bound}  (${r.kind === 'makespan' ? 'makespan: max(CP, work, longest)' : 'period: max(ceil T∞, work, longest)'})`],
  ];
  const w = maxOf(rows.map(([k]) => k.length));
  return [`${r.graph}: ${r.tasks} tasks, ${r.edges} edges, ${r.procs} processors, ${r.kind}`, ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`)].join('\n') + '\n';
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}

export function register(program: Command, io: CliIO): void {
  program
    .command('bounds')
    .description('lower bounds on the makespan (STG/DOT) or period (networks): critical path, ceil(work/N), longest task, iteration bound')
    .argument('<graph>', 'network JSON file or shipped id, an .stg file, or a .dot file')
    .requiredOption('--procs <n>', 'number of processors')
    .option('--delays <rule>', 'networks: extra staleness per layer: none (default), 2S:N, or d1,…,dL')
    .option('--hw <file>', 'hardware JSON file or shipped id (default hardware otherwise)')
    .option('--variant <variant>', 'networks: spikepipe (default) or pipedream')
    .option('--granularity <g>', 'networks: layer (default) or timestep')
    .option('--schedule <file>', "networks: the graph a schedule file was made for (its build recipe and staleness; --delays overrides the staleness)")
    .option('--json', 'print JSON')
    .action((graph: string, opts: BoundsCliOptions) => {
      const procs = parsePositiveInt(opts.procs, '--procs')!;
      const variant = parseChoice(opts.variant, VARIANTS, '--variant');
      const granularity = parseChoice(opts.granularity, GRANULARITIES, '--granularity');
      let fromSchedule: Pick<ProblemOptions, 'recipe' | 'recipeFile' | 'staleness'> = {};
      if (opts.schedule !== undefined) {
        if (variant !== undefined || granularity !== undefined) fail('--schedule', 'takes the graph from the schedule: give no --variant or --granularity');
        const f = loadScheduleFile(opts.schedule);
        if (!f.build) fail(opts.schedule, 'has no build recipe (written by an older tool or by hand): give --variant/--granularity instead');
        fromSchedule = { recipe: f.build, recipeFile: opts.schedule, staleness: f.schedule.staleness };
      }
      const p = loadProblem(graph, { procs, hw: opts.hw, delays: opts.delays, variant, granularity, ...fromSchedule });
      const r = boundsReport(p);
      if (opts.json) printJson(io, r);
      else io.out(formatBounds(r));
    });
}
