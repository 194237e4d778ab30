/**
 * Typed options of a method or solver, declared as plain data in its descriptor: every option
 * has a type, a one-line description and (where it is a constant) its default. The same
 * declaration types the options the method receives (`OptionsOf`), validates what a user,
 * a sweep spec or a library caller passes (`parseOptions`: an option the method does not take
 * is refused with one line, never ignored) and documents the defaults in `--help`.
 */
import { fail } from '../lib/model/errors';
import { LIMITS } from '../lib/model/limits';

interface OptionBase {
  /** One line for `--help` and the README. */
  description: string;
}

export interface IntegerOption extends OptionBase {
  type: 'integer';
  min?: number;
  max?: number;
  default?: number;
}

export interface NumberOption extends OptionBase {
  type: 'number';
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  max?: number;
  default?: number;
}

export interface EnumOption<V extends string = string> extends OptionBase {
  type: 'enum';
  values: readonly V[];
  default?: V;
}

export interface BooleanOption extends OptionBase {
  type: 'boolean';
  default?: boolean;
}

/**
 * A cap on the per-layer staleness d_l: `none` (every d_l = 0: plain SGD), `pipedream`
 * (PipeDream's own d_l at the same N), a uniform K, or one value per layer (the method checks
 * the length). From the command line `none`, `pipedream`, `3` or `3,1,0`.
 */
export interface StalenessOption extends OptionBase {
  type: 'staleness';
  default?: StalenessCap;
}

export type StalenessCap = 'none' | 'pipedream' | number | readonly number[];

export type OptionSpec = IntegerOption | NumberOption | EnumOption | BooleanOption | StalenessOption;
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type ValueOf<S> = S extends { type: 'enum'; values: readonly (infer V)[] }
  ? V
  : S extends { type: 'boolean' }
    ? boolean
    : S extends { type: 'staleness' }
      ? StalenessCap
      : number;
type WithDefault<S extends OptionSpecs> = { [K in keyof S]: S[K] extends { default: unknown } ? K : never }[keyof S];
type WithoutDefault<S extends OptionSpecs> = Exclude<keyof S, WithDefault<S>>;

/** The options a method receives: keys with a default are always present. */
export type OptionsOf<S extends OptionSpecs> = { [K in WithDefault<S>]: ValueOf<S[K]> } & { [K in WithoutDefault<S>]?: ValueOf<S[K]> };

/** Declare option specs keeping their literal types (enum values, presence of defaults). */
export function defineOptions<const S extends OptionSpecs>(specs: S): S {
  return specs;
}

/** Raw options as a caller passes them (CLI flags already converted, sweep JSON, library). */
export type RawOptions = Readonly<Record<string, unknown>>;

function describe(name: string, s: OptionSpec): string {
  if (s.type === 'enum') return `${name} (${s.values.join('|')})`;
  if (s.type === 'staleness') return `${name} (none|pipedream|K|d1,…,dL)`;
  return `${name} (${s.type})`;
}

/** `name (type), …` or `none`, for messages. */
export function optionList(specs: OptionSpecs): string {
  const names = Object.keys(specs);
  return names.length === 0 ? 'none' : names.map((n) => describe(n, specs[n])).join(', ');
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 && x <= LIMITS.staleness;

/** Check one value against its spec; returns it typed, or fails naming `where`. */
export function checkOption(s: OptionSpec, value: unknown, where: string): number | string | boolean | StalenessCap {
  switch (s.type) {
    case 'staleness':
      if (value === 'none' || value === 'pipedream' || isCount(value)) return value;
      if (Array.isArray(value) && value.length > 0 && value.every(isCount)) return [...value];
      return fail(where, `must be none, pipedream, a staleness K from 0 to ${LIMITS.staleness} or one such K per layer, got ${JSON.stringify(value)}`);
    case 'boolean':
      if (typeof value !== 'boolean') fail(where, `must be true or false, got ${JSON.stringify(value)}`);
      return value;
    case 'enum':
      if (typeof value !== 'string' || !s.values.includes(value)) fail(where, `must be one of ${s.values.join(', ')}, got ${JSON.stringify(value)}`);
      return value;
    case 'integer':
    case 'number': {
      const kind = s.type === 'integer' ? 'an integer' : 'a number';
      if (typeof value !== 'number' || !Number.isFinite(value) || (s.type === 'integer' && !Number.isSafeInteger(value))) {
        fail(where, `must be ${kind}, got ${JSON.stringify(value)}`);
      }
      if (s.min !== undefined && value < s.min) fail(where, `must be ${kind} ≥ ${s.min}, got ${value}`);
      if (s.type === 'number' && s.above !== undefined && !(value > s.above)) fail(where, `must be ${kind} > ${s.above}, got ${value}`);
      if (s.max !== undefined && value > s.max) fail(where, `must be ${kind} ≤ ${s.max}, got ${value}`);
      return value;
    }
  }
}

/**
 * Validate `raw` against `specs` and fill in the defaults. An unknown key is refused with the
 * list of the options `owner` takes; `where` locates the options (a flag, a JSON path).
 */
export function parseOptions<S extends OptionSpecs>(owner: string, specs: S, raw: RawOptions, where: string): OptionsOf<S> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const s = specs[key];
    if (!s) fail(where, `${owner} takes no option "${key}" (its options: ${optionList(specs)})`);
    out[key] = checkOption(s, value, `${where}: ${key}`);
  }
  for (const [key, s] of Object.entries(specs)) if (!(key in out) && s.default !== undefined) out[key] = s.default;
  return out as OptionsOf<S>;
}

/**
 * Convert a command-line string to the option's type (`--option name=value`): numbers for
 * integer/number options, true/false for booleans, the text itself for enums.
 */
export function optionFromText(s: OptionSpec, text: string, where: string): number | string | boolean | StalenessCap {
  if (s.type === 'staleness') {
    const t = text.trim();
    if (t === 'none' || t === 'pipedream') return t;
    const parts = t.split(',').map((x) => x.trim());
    if (parts.some((x) => !/^\d+$/.test(x))) fail(where, `must be none, pipedream, a staleness K ≥ 0 or d1,…,dL, got "${text}"`);
    const ks = parts.map(Number);
    return checkOption(s, ks.length === 1 ? ks[0] : ks, where);
  }
  if (s.type === 'boolean') {
    if (text !== 'true' && text !== 'false') fail(where, `must be true or false, got "${text}"`);
    return text === 'true';
  }
  if (s.type === 'enum') return checkOption(s, text, where);
  if (text.trim() === '' || !Number.isFinite(Number(text))) fail(where, `must be ${s.type === 'integer' ? 'an integer' : 'a number'}, got "${text}"`);
  return checkOption(s, Number(text), where);
}

/** Lines `name  description (default x)` for help texts. */
export function optionHelp(specs: OptionSpecs): string[] {
  return Object.entries(specs).map(([n, s]) => `${describe(n, s)}: ${s.description}${s.default !== undefined ? ` (default ${s.default})` : ''}`);
}
