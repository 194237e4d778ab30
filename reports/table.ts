/**
 * One table, three renderings: Markdown (GitHub pipes), CSV (RFC 4180) and LaTeX (booktabs).
 * Cells are preformatted strings, so all three show the same digits and stay byte-identical
 * from run to run.
 *
 * Every cell is escaped for its format, since cells carry names from user files:
 *   Markdown  `\` and `|` backslash-escaped; `&`, `<`, `>` as HTML entities (no raw HTML);
 *             a line break as `<br>` (the caption: a space), so a cell stays one table row.
 *   CSV       RFC 4180 quoting (`"`, `,`, CR, LF); a cell starting with `=`, `+`, `-`, `@`,
 *             tab or CR gets a leading `'` (spreadsheet formula injection) unless the whole
 *             cell is a number (`-3.5`, `-12.50 %`, `1e-3`) or a lone `-`.
 *   LaTeX     `\ { } $ & # ^ _ % ~ < > |` escaped, line breaks as spaces.
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

const MD_SPECIAL: Record<string, string> = { '\\': '\\\\', '|': '\\|', '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** A Markdown table cell: one line, no raw HTML, no column break (`<br>` for line breaks). */
export function markdownEscape(s: string, lineBreak = '<br>'): string {
  return s.replace(/[\\|&<>]/g, (ch) => MD_SPECIAL[ch]).replace(/\r\n|\r|\n/g, lineBreak);
}

export function toMarkdown(t: Table): string {
  const esc = (s: string) => markdownEscape(s);
  const head = `| ${t.columns.map((c) => esc(c.title)).join(' | ')} |`;
  const rule = `|${t.columns.map((c) => (c.align === 'r' ? ' ---: ' : c.align === 'c' ? ' :---: ' : ' --- ')).join('|')}|`;
  const body = t.rows.map((r) => `| ${t.columns.map((c) => esc(cell(r, c.key))).join(' | ')} |`);
  const notes = (t.notes ?? []).map((n) => `\n${n}`).join('\n');
  return [`**${markdownEscape(t.caption, ' ')}**`, '', head, rule, ...body].join('\n') + '\n' + (notes ? notes + '\n' : '');
}

const NUMBER_CELL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?( ?%)?$/;

/** A CSV field: guarded against formula injection (see above), then quoted per RFC 4180. */
export function csvField(s: string): string {
  const g = /^[=+\-@\t\r]/.test(s) && !NUMBER_CELL.test(s) && s !== '-' ? `'${s}` : s;
  return /[",\n\r]/.test(g) ? `"${g.replace(/"/g, '""')}"` : g;
}

export function toCsv(t: Table): string {
  const q = csvField;
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
  '<': '\\textless{}',
  '>': '\\textgreater{}',
  '|': '\\textbar{}',
};

/** LaTeX text: specials escaped, line breaks as spaces (a blank line would end the tabular row). */
export function latexEscape(s: string): string {
  return s.replace(/[\\&%$#_{}~^×≤≥−–∞<>|]/g, (ch) => LATEX_SPECIAL[ch] ?? ch).replace(/\r\n|\r|\n/g, ' ');
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
