// Regression tests for the number, limit, list, escaping and message defects a hostile tester
// found: every command below once hung, overflowed, ran twice, passed raw HTML or formulas on,
// or failed with a message that did not say where. Each now gives a correct result or exit 2
// with one line naming the file, JSON path or option.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cli } from './helpers/cli';
import { LIMITS } from '../lib/model/limits';
import { parseJsonText } from '../lib/model/io/json';
import { csvField, latexEscape, markdownEscape, toCsv, toLatex, toMarkdown, type Table } from '../reports/table';
import { lineChartSvg } from '../reports/svg/line-chart';
import hardwareSchema from '../lib/model/spec/schemas/hardware.schema.json';
import networkSchema from '../lib/model/spec/schemas/network.schema.json';

const ROOT = resolve(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'spikepipe-relnum-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** Exit 2, exactly one stderr line matching `re`, nothing on stdout, no trace. */
async function oneLine(args: string[], re: RegExp): Promise<void> {
  const r = await cli(...args);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(re);
  expect(r.stderr).not.toMatch(/\bat .*:\d+:\d+/);
  expect(r.stdout).toBe('');
}

describe('sizes and overflow: documented maxima, safe integers throughout', () => {
  it('the schemas state the same maxima as LIMITS', () => {
    const hw = hardwareSchema.properties;
    expect(hw.processors.maximum).toBe(LIMITS.processors);
    expect(hw.array.properties.rows.maximum).toBe(LIMITS.arraySide);
    expect(hw.array.properties.cols.maximum).toBe(LIMITS.arraySide);
    expect(hw.vectorLanes.maximum).toBe(LIMITS.vectorLanes);
    expect(hw.lossCyclesPerElement.maximum).toBe(LIMITS.cyclesPerElement);
    expect(hw.groups.items.properties.count.maximum).toBe(LIMITS.processors);
    const net = networkSchema.properties;
    expect(net.batch.maximum).toBe(LIMITS.batch);
    expect(net.timesteps.maximum).toBe(LIMITS.timesteps);
    expect(net.layers.maxItems).toBe(LIMITS.layers);
    expect(networkSchema.definitions.size.maximum).toBe(LIMITS.layerSize);
    expect(LIMITS.timeLimitSeconds * 1000 * 1.05).toBeLessThanOrEqual(2 ** 31 - 1);
  });

  it('hardware values past the maxima are refused with the file and JSON path', async () => {
    const loss = file('loss.json', '{"name":"x","processors":2,"array":{"rows":4,"cols":4},"lossCyclesPerElement":1e300}');
    await oneLine(['cost', 'tiny-fc', '--hw', loss], /loss\.json: \/lossCyclesPerElement: must be <= 1048576, got 1e\+300/);
    const rows = file('rows.json', '{"array":{"rows":9007199254740993}}');
    const t0 = Date.now();
    await oneLine(['bounds', 'tiny-fc', '--procs', '2', '--hw', rows], /rows\.json: \/array\/rows: must be <= 65536/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a cost past 2^53 cycles within the maxima is "exceeds 2^53 cycles", naming the layer', async () => {
    const hw = file('slow.json', '{"name":"slow","processors":2,"array":{"rows":1,"cols":1},"vectorLanes":1}');
    const net = file('huge.json', JSON.stringify({ name: 'huge', input: [16777216, 1, 1], timesteps: 4096, batch: 65536, classes: 16777216, layers: [{ type: 'fc', out: 16777216 }] }));
    await oneLine(['cost', net, '--hw', hw], /huge\.json: \/layers\/0: F_1 on hardware slow .*exceeds 2\^53 cycles/);
    await oneLine(['schedule', net, '--procs', '2', '--method', 'pipedream', '--hw', hw], /huge\.json: \/layers\/0: .*exceeds 2\^53 cycles/);
  });

  it('counts on the command line are bounded', async () => {
    await oneLine(['cost', 'tiny-fc', '--batch', '1000000000000000'], /^spikepipe: --batch: must be an integer from 1 to 65536, got 1000000000000000$/m);
    await oneLine(['schedule', 'tiny-fc', '--procs', '1000000000', '--method', 'pipedream'], /^spikepipe: --procs: must be an integer from 1 to 1024/);
    await oneLine(['stg', join(ROOT, 'networks/stg/50/rand0000.stg'), '--procs', '100000'], /--procs: processor count must be at most 1024/);
    await oneLine(['train', 'tiny-fc', '--delays', '100000000'], /^spikepipe: --delays: must be an integer from 0 to 1024/);
    await oneLine(['graph', 'tiny-fc', '--delays', '100000000,0'], /--delays: a delay must be at most 1024/);
    await oneLine(['schedule', 'tiny-fc', '--procs', '2', '--method', 'spikepipe', '--max-staleness', '100000000'], /a staleness K from 0 to 1024/);
    const made = join(dir, 'tiny.schedule.json');
    expect((await cli('schedule', 'tiny-fc', '--procs', '2', '--method', 'spikepipe', '--out', made)).code).toBe(0);
    await oneLine(['validate', 'tiny-fc', made, '--simulate', '--iterations', '100000000'], /--iterations: must be an integer from 1 to 10000/);
  });

  it('a schedule whose start times span 10^12 periods is refused by the simulator, not a heap crash', async () => {
    const made = join(dir, 'span.schedule.json');
    expect((await cli('schedule', 'tiny-fc', '--procs', '2', '--method', 'spikepipe', '--out', made)).code).toBe(0);
    const s = JSON.parse(readFileSync(made, 'utf8'));
    s.tasks[1].start = 1e15;
    const far = file('far.json', JSON.stringify(s));
    await oneLine(['validate', 'tiny-fc', far, '--simulate'], /far\.json: schedule: its start times and delays span \d+ periods; at most 10000 can be simulated/);
  });

  it('a timestep graph past the task limit is refused naming the file', async () => {
    const deep = file('deep.json', JSON.stringify({ name: 'deep', input: [1, 1, 4], timesteps: 4096, batch: 1, classes: 2, layers: [...Array.from({ length: 99 }, () => ({ type: 'fc', out: 4 })), { type: 'fc', out: 2 }] }));
    await oneLine(['graph', deep, '--granularity', 'timestep'], /deep\.json: \/timesteps: 100 layers × 4096 timesteps give about \d+ tasks at timestep granularity, more than 1048576/);
  });

  it('STG costs past 2^53 are refused on read with file and line', async () => {
    const big = file('big.stg', '1\n0 0 0\n1 9007199254740993 1 0\n2 0 1 1\n');
    await oneLine(['bounds', big, '--procs', '2'], /big\.stg: line 3: the processing time of task 1 9007199254740993 exceeds 2\^53/);
    const sum = file('sum.stg', '2\n0 0 0\n1 9007199254740990 1 0\n2 9007199254740990 1 0\n3 0 2 1 2\n');
    await oneLine(['schedule', sum, '--procs', '2', '--method', 'cpop'], /sum\.stg: line 4: the total processing time up to task 2 exceeds 2\^53 cycles/);
  });
});

describe('time limits', () => {
  it('above 2^31 ms is refused with one line wherever a limit is taken', async () => {
    await oneLine(['schedule', 'tiny-fc', '--procs', '2', '--method', 'spikepipe-ilp', '--time-limit', '3000000'], /--time-limit: must be at most 2000000 seconds/);
    await oneLine(['schedule', 'tiny-fc', '--procs', '2', '--method', 'spikepipe-ilp', '--option', 'timeLimitSeconds=3000000'], /--option \(spikepipe-ilp\): must be a number ≤ 2000000, got 3000000/);
    await oneLine(['stg', join(ROOT, 'networks/stg/50/rand0000.stg'), '--time-limit', '3000000'], /--time-limit: must be at most 2000000 seconds/);
    await oneLine(['pareto', 'tiny-fc', '--procs', '2', '--time-limit', '1e9'], /--time-limit/);
    const sweep = file('sweep.json', JSON.stringify({ networks: ['tiny-fc'], procs: [2], methods: ['pipedream'], timeLimitSeconds: 3000000 }));
    await oneLine(['sweep', sweep], /sweep\.json: \/timeLimitSeconds: must be <= 2000000/);
  });

  it('the largest limit runs without a TimeoutOverflowWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const r = await cli('schedule', 'tiny-fc', '--procs', '2', '--method', 'spikepipe-ilp', '--time-limit', String(LIMITS.timeLimitSeconds));
      expect(r.code, r.stderr).toBe(0);
      await new Promise((ok) => setTimeout(ok, 50));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });
});

describe('lists: deduplicated on the command line, refused in spec files', () => {
  it('stg --solvers heft,heft --procs 2,2 runs one case, with a note', async () => {
    const r = await cli('stg', join(ROOT, 'networks/stg/50/rand0000.stg'), '--solvers', 'heft,heft', '--procs', '2,2', '--restarts', '0', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).rows).toHaveLength(1);
    expect(r.stderr).toContain('spikepipe: note: --procs: 2 listed more than once; each runs once');
    expect(r.stderr).toContain('spikepipe: note: --solvers: heft listed more than once; each runs once');
  });

  it('compare tiny-fc tiny-fc --methods pipedream,pipedream gives each row once', async () => {
    const r = await cli('compare', 'tiny-fc', 'tiny-fc', '--procs', '2,2', '--methods', 'pipedream,pipedream', '--json');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout).rows as { network: string; procs: number; method: string }[];
    const keys = rows.map((x) => `${x.network}|${x.procs}|${x.method}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(r.stderr.split('\n').filter((l) => l.includes('note:'))).toHaveLength(3);
  });

  it('a sweep spec listing a method twice is refused', async () => {
    const sweep = file('dup-sweep.json', JSON.stringify({ networks: ['tiny-fc'], procs: [2], methods: ['pipedream', 'pipedream'] }));
    await oneLine(['sweep', sweep], /dup-sweep\.json: \/methods: "pipedream" is listed twice/);
  });
});

describe('escaping of table cells and SVG text', () => {
  const hostile = ['</svg><script>alert(1)</script>', 'two\nlines', "=cmd|' /C calc'!A0", '\\textbf{x}', '@SUM(A1)', '-2+3', 'a|b & c'];
  const t: Table = { id: 't', caption: 'hostile <b>\nnames', columns: [{ key: 'name', title: 'name' }, { key: 'v', title: 'v', align: 'r' }], rows: hostile.map((name, i) => ({ name, v: String(-i - 0.5) })) };

  it('Markdown: no raw HTML, no broken rows', () => {
    const md = toMarkdown(t);
    expect(md).not.toMatch(/<script>|<\/svg>|<b>/);
    expect(md).toContain('&lt;/svg&gt;&lt;script&gt;');
    expect(md).toContain('two<br>lines');
    expect(md).toContain('\\\\textbf{x}');
    expect(md).toContain('a\\|b &amp; c');
    // one line per row: caption, blank, head, rule and 7 rows
    expect(md.trimEnd().split('\n')).toHaveLength(4 + hostile.length);
    expect(markdownEscape('x\r\ny')).toBe('x<br>y');
  });

  it('CSV: RFC 4180 quoting and a formula guard that leaves numbers alone', () => {
    expect(csvField("=cmd|' /C calc'!A0")).toBe("'=cmd|' /C calc'!A0");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('+x')).toBe("'+x");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField('-3.5')).toBe('-3.5');
    expect(csvField('-12.50 %')).toBe('-12.50 %');
    expect(csvField('1e-3')).toBe('1e-3');
    expect(csvField('-')).toBe('-');
    expect(csvField('=a,b')).toBe('"\'=a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    const csv = toCsv(t);
    expect(csv).toContain('"two\nlines"');
    expect(csv).toContain(',-0.5\n');
  });

  it('LaTeX: specials escaped, no line break inside a row', () => {
    expect(latexEscape('\\textbf{x}')).toBe('\\textbackslash{}textbf\\{x\\}');
    expect(latexEscape('a\nb')).toBe('a b');
    expect(latexEscape('$&#^_%~<>|')).toBe('\\$\\&\\#\\textasciicircum{}\\_\\%\\textasciitilde{}\\textless{}\\textgreater{}\\textbar{}');
    const tex = toLatex(t);
    const rows = tex.split('\n').filter((l) => l.endsWith(' \\\\'));
    expect(rows).toHaveLength(1 + hostile.length);
    expect(tex).not.toMatch(/\\textbf\{x\}/);
  });

  it('SVG text is XML-escaped, control characters dropped', () => {
    const svg = lineChartSvg([{ label: '</svg><script>\u0001', points: [{ x: 1, y: 1 }] }], { title: "t'\"", xLabel: 'x', yLabel: 'y' });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;/svg&gt;&lt;script&gt;\ufffd');
    expect(svg).not.toMatch(/[\u0000-\u0008]/);
  });
});

describe('messages name the file, JSON path or option', () => {
  it('duplicate JSON keys and bytes that are not UTF-8 are refused with the line', async () => {
    const dup = file('dup.json', '{\n  "name": "x",\n  "processors": 2,\n  "processors": 4\n}\n');
    await oneLine(['cost', 'tiny-fc', '--hw', dup], /dup\.json: line 4 column 3: duplicate key "processors"/);
    const bad = file('bad.json', Buffer.concat([Buffer.from('{\n  "name": "x'), Buffer.from([0xff]), Buffer.from('"\n}\n')]));
    await oneLine(['cost', 'tiny-fc', '--hw', bad], /bad\.json: line 2: not UTF-8: byte 0xff at byte offset 14/);
    expect(() => parseJsonText('{"a":{"k":1},"b":{"k":2},"c":"x:y"}', 'ok')).not.toThrow();
    expect(() => parseJsonText('{"a\\u003a":1,"a:":2}', 'esc')).toThrow(/duplicate key "a:"/);
  });

  it('a schedule file whose staleness or batch does not fit names the file and path', async () => {
    const made = join(dir, 'base.schedule.json');
    expect((await cli('schedule', 'tiny-fc', '--procs', '2', '--method', 'spikepipe', '--out', made)).code).toBe(0);
    const s = JSON.parse(readFileSync(made, 'utf8'));
    const three = file('three.json', JSON.stringify({ ...s, staleness: [0, 0, 0] }));
    await oneLine(['validate', 'tiny-fc', three], /three\.json: \/staleness: has 3 values but networks\/tiny-fc\.json has 2 weight layers/);
    await oneLine(['bounds', 'tiny-fc', '--procs', '2', '--schedule', three], /three\.json: \/staleness: has 3 values/);
    const batch = file('batch.json', JSON.stringify({ ...s, build: { ...s.build, batch: 1e15 } }));
    await oneLine(['validate', 'tiny-fc', batch], /batch\.json: \/build\/batch: must be an integer from 1 to 65536/);
  });

  it('a line break in a quoted name stays inside the one error line (found by the fuzz)', async () => {
    const made = join(dir, 'named.schedule.json');
    expect((await cli('schedule', 'tiny-fc', '--procs', '2', '--method', 'spikepipe', '--out', made)).code).toBe(0);
    const s = JSON.parse(readFileSync(made, 'utf8'));
    const nl = file('nl.json', JSON.stringify({ ...s, build: { ...s.build, network: 'a\nb\u0007' } }));
    await oneLine(['validate', 'tiny-fc', nl], /nl\.json: \/build\/network: the schedule is for a\\nb\\u0007, not tiny-fc$/m);
  });

  it('reproduce --stg /nonexistent fails before the run starts', async () => {
    const out = join(dir, 'repro');
    await oneLine(['reproduce', '--stg', '/nonexistent', '--out', out], /^spikepipe: --stg \/nonexistent: no such directory$/m);
    await oneLine(['reproduce', '--stg', dir, '--out', out], /has no 50\/ folder/);
  });
});
