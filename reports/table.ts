/**
 * One table, three renderings: Markdown (GitHub pipes), CSV (RFC 4180) and LaTeX (booktabs).
 * Cells are preformatted strings, so all three show the same digits and stay byte-identical
 * from run to run.
 */
import { maxOf } from '../lib/model/extrema';

export type Align = 'l' | 'r' | 'c';

export interface Column {
  key: string;
  title: string;
  align?: Align;
}

export interface Table {
  id: string;
  caption: string;
  columns: Column[];
  rows: Record<string, string>[];
  /** Lines printed under the table (Markdown, LaTeX) — e.g. why a number falls short. */
  notes?: string[];
}

function cell(row: Record<string, string>, key: string): string {
  return row[key] ?? '';
}

export function toMarkdown(t: Table): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const head = `| ${t.columns.map((c) => esc(c.title)).join(' | ')} |`;
  const rule = `|${t.columns.map((c) => (c.align === 'r' ? ' ---: ' : c.align === 'c' ? ' :---: ' : ' --- ')).join('|')}|`;
  const body = t.rows.map((r) => `| ${t.columns.map((c) => esc(cell(r, c.key))).join(' | ')} |`);
  const notes = (t.notes ?? []).map((n) => `\n${n}`).join('\n');
  return [`**${t.caption}**`, '', head, rule, ...body].join('\n') + '\n' + (notes ? notes + '\n' : '');
}

export function toCsv(t: Table): string {
  const q = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [t.columns.map((c) => q(c.key)).join(',')];
  for (const r of t.rows) lines.push(t.columns.map((c) => q(cell(r, c.key))).join(','));
  return lines.join('\n') + '\n';
}

const LATEX_SPECIAL: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
  '×': '$\\times$',
  '≤': '$\\le$',
  '≥': '$\\ge$',
  '−': '$-$',
  '–': '--',
  '∞': '$\\infty$',
};

export function latexEscape(s: string): string {
  return s.replace(/[\\&%$#_{}~^×≤≥−–∞]/g, (ch) => LATEX_SPECIAL[ch] ?? ch);
}

export function toLatex(t: Table): string {
  const spec = t.columns.map((c) => c.align ?? 'l').join('');
  const lines = [
    '% requires \\usepackage{booktabs}',
    '\\begin{table}[t]',
    '\\centering',
    `\\caption{${latexEscape(t.caption)}}`,
    `\\label{tab:${t.id}}`,
    `\\begin{tabular}{${spec}}`,
    '\\toprule',
    t.columns.map((c) => latexEscape(c.title)).join(' & ') + ' \\\\',
    '\\midrule',
    ...t.rows.map((r) => t.columns.map((c) => latexEscape(cell(r, c.key))).join(' & ') + ' \\\\'),
    '\\bottomrule',
    '\\end{tabular}',
  ];
  for (const n of t.notes ?? []) lines.push(`\\par\\smallskip{\\footnotesize ${latexEscape(n)}}`);
  lines.push('\\end{table}');
  return lines.join('\n') + '\n';
}

/** Fixed-precision number formatting used by every report (no locale, no exponent). */
export function fmt(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  return x.toFixed(digits);
}

export function fmtInt(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return String(Math.round(x));
}

export function fmtPercent(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return `${(x * 100).toFixed(digits)} %`;
}

/**
 * Plain text for a terminal: columns padded to their widest cell (right-aligned where the
 * column says 'r'), two spaces apart, then the notes after a blank line. With `caption`, the
 * caption is the first line.
 */
export function toText(t: Table, opts: { caption?: boolean } = {}): string {
  const head = t.columns.map((c) => c.title);
  const body = t.rows.map((r) => t.columns.map((c) => cell(r, c.key)));
  const widths = head.map((h, i) => maxOf(body.map((r) => r[i].length), h.length));
  const line = (cells: string[]) =>
    cells
      .map((x, i) => (t.columns[i].align === 'r' ? x.padStart(widths[i]) : x.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const notes = t.notes ?? [];
  return [...(opts.caption ? [t.caption] : []), line(head), ...body.map(line), ...(notes.length > 0 ? ['', ...notes] : [])].join('\n') + '\n';
}
