/** Write tables as Markdown, CSV and LaTeX files, plus one tables.md holding them all. */
import * as path from 'node:path';
import { writeOutputSet, type OutputFile } from '../lib/model/io/output';
import { toCsv, toLatex, toMarkdown, type Table } from './table';

/** The files <dir>/<id>.md|.csv|.tex of each table (not yet written). */
export function tableFiles(dir: string, tables: Table[]): OutputFile[] {
  const out: OutputFile[] = [];
  for (const t of tables) {
    for (const [ext, text] of [
      ['md', toMarkdown(t)],
      ['csv', toCsv(t)],
      ['tex', toLatex(t)],
    ] as const) out.push({ file: path.join(dir, `${t.id}.${ext}`), data: text });
  }
  return out;
}

/**
 * Writes <dir>/<id>.md|.csv|.tex for each table and the `extra` files as one set (all or none
 * changed, lib/model/io/output.ts); returns the paths written.
 */
export function writeTableFiles(dir: string, tables: Table[], extra: OutputFile[] = []): string[] {
  const files = [...tableFiles(dir, tables), ...extra];
  writeOutputSet(files, '--out');
  return files.map((f) => f.file);
}

/** One Markdown document with every table, in order, under a title. */
export function tablesDocument(title: string, tables: Table[], preface: string[] = []): string {
  return [`# ${title}`, '', ...preface, ...(preface.length ? [''] : []), ...tables.map(toMarkdown).flatMap((t) => [t, ''])].join('\n');
}
