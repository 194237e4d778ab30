/** Write tables as Markdown, CSV and LaTeX files, plus one tables.md holding them all. */
import * as path from 'node:path';
import { writeFileAtomic } from '../lib/model/io/jsonl';
import { toCsv, toLatex, toMarkdown, type Table } from './table';

/** Writes <dir>/<id>.md|.csv|.tex for each table; returns the paths written. */
export function writeTableFiles(dir: string, tables: Table[]): string[] {
  const written: string[] = [];
  for (const t of tables) {
    for (const [ext, text] of [
      ['md', toMarkdown(t)],
      ['csv', toCsv(t)],
      ['tex', toLatex(t)],
    ] as const) {
      const file = path.join(dir, `${t.id}.${ext}`);
      writeFileAtomic(file, text);
      written.push(file);
    }
  }
  return written;
}

/** One Markdown document with every table, in order, under a title. */
export function tablesDocument(title: string, tables: Table[], preface: string[] = []): string {
  return [`# ${title}`, '', ...preface, ...(preface.length ? [''] : []), ...tables.map(toMarkdown).flatMap((t) => [t, ''])].join('\n');
}
