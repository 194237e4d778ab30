/**
 * Reading JSON files and turning parse / schema failures into one-line InputErrors.
 *
 * JSON.parse's messages differ between Node versions and some carry no position at all
 * (V8's "Unexpected token 'x', "<whole text>" is not valid JSON"), so on failure we re-scan
 * the text with a small validator of our own (`locateJsonError`) that names the first bad
 * character by line and column. The scan runs only after JSON.parse has failed, so the
 * happy path costs nothing extra. Both are O(length of the text).
 *
 * Two things JSON.parse accepts silently are refused: a key given twice in one object (the
 * parser keeps the last; `duplicateKey` names it and its line), and bytes that are not UTF-8
 * (Node would turn them into U+FFFD; `decodeUtf8` names the byte offset and line).
 */
import type { ErrorObject } from 'ajv';
import { InputError } from '../errors';
import { readInputBytes } from './files';

/**
 * Read and parse a JSON file; every file error (missing, a directory or device, unreadable,
 * larger than MAX_INPUT_BYTES) or bad JSON is an InputError naming the file.
 */
export function readJsonFile(file: string): unknown {
  return parseJsonText(decodeUtf8(readInputBytes(file, 'a JSON file'), file), file);
}

/** Parse JSON text; `where` names its source in the error. A leading BOM is ignored. */
export function parseJsonText(text: string, where: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    const found = locateJsonError(body) ?? { offset: 0, reason: err.message.split('\n')[0] };
    const { line, column } = lineColumn(body, found.offset);
    throw new InputError(`${where}: line ${line} column ${column}`, found.reason);
  }
  const dup = typeof value === 'object' && value !== null && !surelyNoDuplicates(body, value) ? duplicateKey(body) : null;
  if (dup) {
    const { line, column } = lineColumn(body, dup.offset);
    throw new InputError(`${where}: line ${line} column ${column}`, dup.reason);
  }
  return value;
}

function countColons(s: string): number {
  let n = 0;
  for (let k = s.indexOf(':'); k >= 0; k = s.indexOf(':', k + 1)) n++;
  return n;
}

/**
 * A fast proof that `text` (which parsed to `value`) gives no key twice: every ':' of the text
 * ends a key or sits in a string, so without `\u003a` escapes the text's colons equal the parsed
 * keys plus the colons in parsed strings exactly when no key (and value) was dropped as a
 * duplicate. False means "look" (duplicateKey), not "found".
 */
function surelyNoDuplicates(text: string, value: unknown): boolean {
  if (/\\u003a/i.test(text)) return false;
  let parsed = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') parsed += countColons(v);
    else if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (typeof v === 'object' && v !== null) {
      for (const k in v) {
        parsed += 1 + countColons(k);
        stack.push((v as Record<string, unknown>)[k]);
      }
    }
  }
  return parsed === countColons(text);
}

/**
 * The first key given twice in one object of valid JSON `text`, or null. One native regex pass
 * over strings and brackets (a string followed by ":" is a key), so it costs about what
 * JSON.parse does.
 */
export function duplicateKey(text: string): JsonErrorLocation | null {
  const token = /"(?:[^"\\]|\\.)*"\s*:?|[{}[\]]/g;
  const stack: (Set<string> | null)[] = [];
  for (let m = token.exec(text); m !== null; m = token.exec(text)) {
    const t = m[0];
    if (t === '{') stack.push(new Set());
    else if (t === '[') stack.push(null);
    else if (t === '}' || t === ']') stack.pop();
    else if (t.endsWith(':')) {
      const quoted = t.slice(0, t.lastIndexOf('"') + 1);
      const key = quoted.includes('\\') ? (JSON.parse(quoted) as string) : quoted.slice(1, -1);
      const keys = stack[stack.length - 1];
      if (keys?.has(key)) return { offset: m.index, reason: `duplicate key ${showValue(key)} (JSON keeps only the last; give each key once)` };
      keys?.add(key);
    }
  }
  return null;
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decode a file's bytes as UTF-8; a byte sequence that is not UTF-8 is an InputError naming
 * its byte offset and line (Node's own decoding would replace it with U+FFFD silently).
 */
export function decodeUtf8(bytes: Uint8Array, where: string): string {
  try {
    return fatalUtf8.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    for (let k = 0; k < at; k++) if (bytes[k] === 10) line++;
    throw new InputError(`${where}: line ${line}`, `not UTF-8: byte 0x${bytes[at].toString(16).padStart(2, '0')} at byte offset ${at}`);
  }
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c < 0x80) n = 0;
    else if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const x = b[i + k];
      if (x === undefined) return i;
      if (k === 1 ? x < lo || x > hi : x < 0x80 || x > 0xbf) return i + k;
    }
    i += n + 1;
  }
  return Math.max(0, b.length - 1);
}

/** 1-based line and column of a character offset (column counts UTF-16 units). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

export interface JsonErrorLocation {
  offset: number;
  reason: string;
}

const MAX_DEPTH = 512;

/**
 * The offset and a short reason of the first syntax error in `text` (RFC 8259 grammar),
 * or null if the text is valid JSON. Recursive descent with a depth cap so a pathological
 * file cannot overflow the stack. With `duplicates`, a key given twice in one object is an
 * error too (at the second occurrence).
 */
export function locateJsonError(text: string, duplicates = false): JsonErrorLocation | null {
  let i = 0;
  const n = text.length;

  class Stop {
    constructor(readonly loc: JsonErrorLocation) {}
  }
  const stop = (offset: number, reason: string): never => {
    throw new Stop({ offset, reason });
  };
  const show = (k: number): string => (k >= n ? 'end of input' : `character ${JSON.stringify(text[k])}`);
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++) {
      if (text[i + k] !== word[k]) stop(i + k, `unexpected ${show(i + k)} (expected "${word}")`);
    }
    i += word.length;
  };
  const digits = (what: string) => {
    const s = i;
    while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    if (i === s) stop(i, `unexpected ${show(i)} in number (expected ${what})`);
  };
  const number = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') {
      i++;
      if (i < n && /[0-9]/.test(text[i])) stop(i, 'numbers must not have leading zeros');
    } else digits('a digit');
    if (text[i] === '.') {
      i++;
      digits('a digit after the decimal point');
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits('a digit in the exponent');
    }
  };
  const string = () => {
    const open = i;
    i++; // opening quote
    for (;;) {
      if (i >= n) stop(open, 'unterminated string');
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 32) stop(i, 'control character (e.g. a raw newline) inside a string');
      if (c === 92) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) stop(i, 'bad \\u escape (expected 4 hex digits)');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else stop(i, `bad escape sequence "\\${e ?? ''}"`);
      } else i++;
    }
  };
  const value = (depth: number) => {
    if (depth > MAX_DEPTH) stop(i, `nesting deeper than ${MAX_DEPTH} levels`);
    ws();
    const c = text[i];
    if (c === '{') object(depth);
    else if (c === '[') array(depth);
    else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
    else stop(i, `unexpected ${show(i)} (expected a value)`);
  };
  const object = (depth: number) => {
    i++;
    ws();
    if (text[i] === '}') {
      i++;
      return;
    }
    const keys = duplicates ? new Set<string>() : null;
    for (;;) {
      ws();
      if (text[i] !== '"') {
        stop(i, text[i] === '}' ? 'trailing comma before "}"' : `unexpected ${show(i)} (expected a double-quoted property name)`);
      }
      const start = i;
      string();
      if (keys) {
        const raw = text.slice(start + 1, i - 1);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(start, i)) as string) : raw;
        if (keys.has(key)) stop(start, `duplicate key ${showValue(key)} (JSON keeps only the last; give each key once)`);
        keys.add(key);
      }
      ws();
      if (text[i] !== ':') stop(i, `unexpected ${show(i)} (expected ":" after the property name)`);
      i++;
      value(depth + 1);
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return;
      }
      stop(i, `unexpected ${show(i)} (expected "," or "}")`);
    }
  };
  const array = (depth: number) => {
    i++;
    ws();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      ws();
      if (text[i] === ']') stop(i, 'trailing comma before "]"');
      value(depth + 1);
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return;
      }
      stop(i, `unexpected ${show(i)} (expected "," or "]")`);
    }
  };

  try {
    ws();
    if (i >= n) stop(i, 'empty file (expected a JSON value)');
    value(0);
    ws();
    if (i < n) stop(i, `unexpected ${show(i)} after the end of the JSON value`);
    return null;
  } catch (e) {
    if (e instanceof Stop) return e.loc;
    throw e;
  }
}

/** Render a value for an error message, short and on one line. */
export function showValue(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/**
 * One InputError from ajv's errors: the FIRST real error (ajv's `if` wrapper errors are
 * skipped, they only repeat the branch error), as `file: /json/path: message`.
 * Assumes the validator was compiled with `verbose: true` (for the offending value and the
 * parent schema); degrades to ajv's own message otherwise.
 */
export function schemaErrors(file: string, errors: readonly ErrorObject[] | null | undefined): InputError {
  const list = errors ?? [];
  const first = list.find((e) => e.keyword !== 'if') ?? list[0];
  if (!first) return new InputError(file, 'does not match its schema');
  // anyOf: the branch errors come first and each tells only half the story; say what anyOf wants.
  const anyOf = list.find((e) => (e.keyword === 'anyOf' || e.keyword === 'oneOf') && e.instancePath === first.instancePath);
  const e = anyOf ?? first;
  const path = e.instancePath === '' ? '/' : e.instancePath;
  const got = 'data' in e ? `, got ${showValue(e.data)}` : '';
  const p = e.params as Record<string, unknown>;
  const parent = e.parentSchema as Record<string, unknown> | undefined;
  switch (e.keyword) {
    case 'required':
      return new InputError(`${file}: ${joinPath(e.instancePath, String(p.missingProperty))}`, 'required property is missing');
    case 'additionalProperties': {
      const allowed = parent && typeof parent.properties === 'object' && parent.properties ? Object.keys(parent.properties) : [];
      const hint = allowed.length ? ` (allowed here: ${allowed.join(', ')})` : '';
      return new InputError(`${file}: ${joinPath(e.instancePath, String(p.additionalProperty))}`, `unknown property${hint}`);
    }
    case 'enum':
      return new InputError(`${file}: ${path}`, `must be one of ${(p.allowedValues as unknown[]).map((x) => showValue(x)).join(', ')}${got}`);
    case 'const':
      return new InputError(`${file}: ${path}`, `must be ${showValue(p.allowedValue)}${got}`);
    case 'type':
      return new InputError(`${file}: ${path}`, `must be ${article(String(p.type))}${got}`);
    case 'anyOf':
    case 'oneOf': {
      const desc = parent && typeof parent.description === 'string' ? parent.description : undefined;
      return new InputError(`${file}: ${path}`, `${desc ? `must be ${desc}` : (e.message ?? 'is invalid')}${got}`);
    }
    default:
      return new InputError(`${file}: ${path}`, `${e.message ?? 'is invalid'}${got}`);
  }
}

function joinPath(base: string, prop: string): string {
  return `${base}/${prop.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function article(type: string): string {
  if (type === 'integer') return 'an integer';
  if (type === 'object' || type === 'array') return `an ${type}`;
  return `a ${type}`;
}
