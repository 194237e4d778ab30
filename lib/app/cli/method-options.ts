/**
 * Method options from the command line. `--option [method.]name=value` (repeatable) sets any
 * option a method's descriptor declares; `--micro-batches`, `--time-limit`, `--delay-rule` and
 * the budgets `--max-comm-overhead`, `--max-staleness`, `--max-memory` are short forms of
 * microBatches, timeLimitSeconds, delayRule, maxCommOverhead, maxStaleness and maxMemoryBytes. An option goes to every
 * method of the run that takes it (or to the one named before the dot); an option that none of
 * them takes is refused with one line saying which methods do take it.
 */
import { fail } from '../../model/errors';
import { countFromText, LIMITS } from '../../model/limits';
import { checkOption, optionFromText, optionList } from '../../../solvers/options';
import { listMethods, type AnyMethod } from '../../../solvers/registry';
import type { MethodOptions } from '../pipeline/run';

function positiveInt(text: string, flag: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) fail(flag, `must be a positive integer, got "${text}"`);
  return countFromText(text, LIMITS.batch, flag);
}

/** A wall-clock limit in seconds, > 0 and at most LIMITS.timeLimitSeconds (what a Node timer holds). */
export function seconds(text: string, flag: string): number {
  if (!/^\s*\d+(\.\d+)?\s*$/.test(text) || !(Number(text) > 0)) fail(flag, `must be a positive number of seconds, got "${text}"`);
  if (Number(text) > LIMITS.timeLimitSeconds) fail(flag, `must be at most ${LIMITS.timeLimitSeconds} seconds (about 23 days), got ${text.trim()}`);
  return Number(text);
}

function share(text: string, flag: string): number {
  const x = Number(text);
  if (text.trim() === '' || !Number.isFinite(x) || x < 0 || x > 1) fail(flag, `must be a share between 0 and 1 (e.g. 0.005 for 0.5 %), got "${text}"`);
  return x;
}

function bytes(text: string, flag: string): number {
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < 1) fail(flag, `must be a positive whole number of bytes, got "${text}"`);
  return Number(text);
}

/** The short flags: commander attribute, option key, flag text, and how the flag's text reads (null: as the option's type reads it). */
export const OPTION_FLAGS = [
  { attr: 'microBatches', key: 'microBatches', flag: '--micro-batches', parse: positiveInt },
  { attr: 'timeLimit', key: 'timeLimitSeconds', flag: '--time-limit', parse: seconds },
  { attr: 'delayRule', key: 'delayRule', flag: '--delay-rule', parse: null },
  { attr: 'maxCommOverhead', key: 'maxCommOverhead', flag: '--max-comm-overhead', parse: share },
  { attr: 'maxStaleness', key: 'maxStaleness', flag: '--max-staleness', parse: null },
  { attr: 'maxMemory', key: 'maxMemoryBytes', flag: '--max-memory', parse: bytes },
] as const;

export interface MethodOptionFlags {
  microBatches?: string;
  timeLimit?: string;
  delayRule?: string;
  maxCommOverhead?: string;
  maxStaleness?: string;
  maxMemory?: string;
  /** `--option` values, `name=value` or `method.name=value`. */
  option?: string[];
}

/** Collect repeated `--option` values (commander's argParser). */
export function collectOption(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function takers(methods: readonly AnyMethod[], key: string): AnyMethod[] {
  return methods.filter((m) => key in m.options);
}

/**
 * Raw options per method for the methods that run (`methods`; a cell also runs the methods they
 * depend on, which callers pass here too when those take options from the same flags).
 */
export function methodOptionsFromFlags(flags: MethodOptionFlags, methods: readonly AnyMethod[]): MethodOptions {
  const out: Record<string, Record<string, unknown>> = {};
  const set = (targets: AnyMethod[], key: string, text: string, where: string) => {
    for (const m of targets) {
      (out[m.name] ??= {})[key] = optionFromText(m.options[key], text, `${where} (${m.name})`);
    }
  };
  const refuse = (key: string, where: string): never => {
    const owners = takers(listMethods(), key).map((m) => m.name);
    const ran = methods.map((m) => m.name).join(', ');
    return fail(where, owners.length > 0 ? `none of ${ran} takes ${key} (it is an option of ${owners.join(', ')})` : `no method takes an option "${key}"`);
  };
  for (const f of OPTION_FLAGS) {
    const text = flags[f.attr];
    if (text === undefined) continue;
    const targets = takers(methods, f.key);
    if (targets.length === 0) refuse(f.key, f.flag);
    for (const m of targets) {
      const spec = m.options[f.key];
      (out[m.name] ??= {})[f.key] = f.parse ? checkOption(spec, f.parse(text, f.flag), f.flag) : optionFromText(spec, text, f.flag);
    }
  }
  for (const item of flags.option ?? []) {
    const m = /^(?:([a-z0-9-]+)\.)?([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(item);
    if (!m) fail('--option', `expected name=value or method.name=value, got "${item}"`);
    const [, only, key, text] = m;
    if (only !== undefined) {
      const target = methods.find((x) => x.name === only);
      if (!target) fail('--option', `method ${only} is not run here (${methods.map((x) => x.name).join(', ')})`);
      if (!(key in target.options)) fail('--option', `${only} takes no option "${key}" (its options: ${optionList(target.options)})`);
      set([target], key, text, '--option');
    } else {
      const targets = takers(methods, key);
      if (targets.length === 0) refuse(key, '--option');
      set(targets, key, text, '--option');
    }
  }
  return out;
}

/** Help text for `--option`: every method's options. */
export function optionFlagHelp(): string {
  return `method option name=value or method.name=value (repeatable); options: ${listMethods()
    .filter((m) => Object.keys(m.options).length > 0)
    .map((m) => `${m.name}: ${Object.keys(m.options).join(', ')}`)
    .join('; ')}`;
}

/** Register the short option flags on a command (schedule, compare, pareto). */
export function addOptionFlags<C extends { option(flags: string, description: string, parse?: (v: string, prev: string[] | undefined) => string[]): C }>(cmd: C): C {
  return cmd
    .option('--micro-batches <m>', 'micro-batched methods (gpipe, 1f1b, zb-*, …): micro-batches m, must divide the batch (default: the best m of each method\'s candidates)')
    .option('--time-limit <s>', 'exact methods: wall-clock limit in seconds')
    .option('--delay-rule <rule>', 'methods with delay rules: minimal, 2S or pipedream')
    .option('--max-comm-overhead <x>', "budget: bytes crossing processors at most PipeDream's plus this share of all communication of training (e.g. 0.005)")
    .option('--max-staleness <cap>', "budget: d_l at most none (0), pipedream (PipeDream's d_l), K, or d1,…,dL")
    .option('--max-memory <bytes>', 'budget: peak memory per processor (weights, stashed versions, activations)')
    .option('--option <name=value>', optionFlagHelp(), collectOption);
}
