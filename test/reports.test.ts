// Report tables and figures: hand-computed headline numbers, the three renderings of one table,
// and well-formed SVG.
import { describe, expect, it } from 'vitest';
import type { CompareRow } from '../lib/app/pipeline/cells';
import { joinCells, type Cell } from '../lib/app/pipeline/cells';
import { headline, speedupTable } from '../reports/pipeline-tables';
import { toCsv, toLatex, toMarkdown, type Table } from '../reports/table';
import { lineChartSvg } from '../reports/svg/line-chart';
import { ganttSvg } from '../reports/svg/gantt';
import type { TaskGraph } from '../lib/model/types';

function cell(network: string, procs: number, method: string, period: number, crossing: number, delayRule?: string): Cell {
  return {
    network, hardware: 'default', procs, method, ...(delayRule ? { delayRule } : {}), ok: true, period, lowerBound: period, gap: 0, valid: true,
    simulatedPeriod: period, crossingBytes: crossing, totalCommunication: 1000, staleness: [0], peakMemoryBytes: 0, solverSeconds: 0.1, notes: [],
  };
}

describe('pipeline tables', () => {
  // Two cells: (PD 100, GPipe 150, SP 50) and (PD 90, GPipe 60, SP 60); crossing PD 10, SP 30 / 15.
  const cells = [
    cell('n', 2, 'sequential', 200, 0), cell('n', 2, 'gpipe', 150, 0), cell('n', 2, 'pipedream', 100, 10), cell('n', 2, 'spikepipe', 50, 30),
    cell('n', 4, 'sequential', 200, 0), cell('n', 4, 'gpipe', 60, 0), cell('n', 4, 'pipedream', 90, 10), cell('n', 4, 'spikepipe', 60, 15),
    cell('n', 4, 'spikepipe', 80, 10, '2S'),
  ];
  const rows: CompareRow[] = joinCells(cells);

  it('joins speedups and overhead within each cell; 2S rows do not serve as baselines', () => {
    const sp2 = rows.find((r) => r.procs === 2 && r.method === 'spikepipe' && !r.delayRule)!;
    expect([sp2.speedupVsPipeDream, sp2.speedupVsGPipe, sp2.speedupVsSequential]).toEqual([2, 3, 4]);
    expect(sp2.commOverhead).toBeCloseTo((30 - 10) / 1000, 12);
    const s2S = rows.find((r) => r.delayRule === '2S')!;
    expect(s2S.speedupVsPipeDream).toBeCloseTo(90 / 80, 12);
  });

  it('headline: means and maxima over cells by hand', () => {
    const h = headline(rows);
    expect(h.cells).toBe(2);
    expect(h.meanVsPipeDream).toBeCloseTo((2 + 1.5) / 2, 12);
    expect(h.maxVsPipeDream).toBe(2);
    expect(h.meanVsGPipe).toBeCloseTo((3 + 1) / 2, 12);
    // faster of GPipe and PipeDream: cell 1: 100/50 = 2; cell 2: 60/60 = 1
    expect(h.meanVsBestStandard).toBeCloseTo(1.5, 12);
    expect(h.maxCommOverhead).toBeCloseTo(0.02, 12);
    expect(h.meanCommOverhead).toBeCloseTo((0.02 + 0.005) / 2, 12);
  });

  it('speedup table: paper row first, then ours, then one row per cell', () => {
    const t = speedupTable(rows);
    expect(t.rows[0].network).toMatch(/^paper/);
    expect(t.rows[1].vsPipeDream).toBe('1.75× / 2.00×');
    expect(t.rows.slice(2).map((r) => [r.procs, r.spikepipe, r.vsPipeDream])).toEqual([
      ['2', '50', '2.00×'],
      ['4', '60', '1.50×'],
    ]);
  });
});

describe('table renderings', () => {
  const t: Table = {
    id: 'x', caption: 'A & B: 5 % × 2', columns: [{ key: 'a', title: 'a_1' }, { key: 'b', title: 'b', align: 'r' }],
    rows: [{ a: 'x|y', b: '1,5' }], notes: ['n'],
  };
  it('Markdown escapes pipes, CSV quotes commas, LaTeX escapes specials', () => {
    expect(toMarkdown(t)).toBe('**A &amp; B: 5 % × 2**\n\n| a_1 | b |\n| --- | ---: |\n| x\\|y | 1,5 |\n\nn\n');
    expect(toCsv(t)).toBe('a,b\nx|y,"1,5"\n');
    const tex = toLatex(t);
    expect(tex).toContain('\\caption{A \\& B: 5 \\% $\\times$ 2}');
    expect(tex).toContain('a\\_1 & b \\\\');
    expect(tex).toContain('\\begin{tabular}{lr}');
  });
});

describe('SVG figures', () => {
  it('line chart and Gantt chart are well-formed and deterministic', () => {
    const svg = lineChartSvg([{ label: 'a<b', points: [{ x: 2, y: 1 }, { x: 4, y: 2 }] }], { title: 'T', xLabel: 'x', yLabel: 'y', references: [{ y: 1.6, label: 'r' }] });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('a&lt;b');
    expect((svg.match(/<circle /g) ?? []).length).toBe(2);
    const g: TaskGraph = { name: 'g', layers: 0, edges: [], tasks: [{ id: 'A', kind: 'F', layer: 1, cycles: 6, gemmCycles: 6, vectorCycles: 0 }, { id: 'B', kind: 'Bw', layer: 1, cycles: 4, gemmCycles: 4, vectorCycles: 0 }] };
    // B wraps past the period end (start 8 mod 10, 4 cycles): drawn in two pieces.
    const gantt = ganttSvg(g, { kind: 'periodic', procs: 1, period: 10, tasks: [{ id: 'A', processor: 0, start: 2 }, { id: 'B', processor: 0, start: 18 }] }, { title: 'G' });
    expect((gantt.match(/<title>B \(iteration \+1\)/g) ?? []).length).toBe(2);
    expect(gantt).toBe(ganttSvg(g, { kind: 'periodic', procs: 1, period: 10, tasks: [{ id: 'A', processor: 0, start: 2 }, { id: 'B', processor: 0, start: 18 }] }, { title: 'G' }));
  });
});
