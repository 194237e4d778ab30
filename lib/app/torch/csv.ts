/**
 * CSV as torch reads and writes pipeline schedules: Python's `csv` module, excel dialect
 * (pytorch torch/distributed/pipelining/schedules.py: `_dump_csv` writes each rank's
 * `pipeline_order` list with `csv.writer`, a None — an idle step — as an empty cell, one row per
 * rank in the dict's order; `_load_csv` reads the rows with `csv.reader`, rank = row index, each
 * cell through `_Action.from_str`, an empty cell back to None). Rows may differ in length.
 *
 * Reading follows `csv.reader`: fields split at ',', a field may be quoted with '"' ('""' inside
 * it is one '"'), a row ends at '\r\n', '\n' or '\r'; an empty line is a row without cells (a rank
 * with nothing to do), the empty text after the last line end is no row. Writing uses '\n' where
 * Python's writer puts '\r\n' (the reader takes both) and never needs quotes: action strings
 * hold no ',' or '"'.
 */
import { readInputText } from '../../model/io/files';
import { fail } from '../../model/errors';

/** Read a text file; every file error is an InputError naming it. */
export function readTextFile(file: string): string {
  return readInputText(file, 'a CSV file');
}

/** The rows of a CSV text (see the module comment); an unterminated quote is an InputError at `where`. */
export function parseCsv(text: string, where: string): string[][] {
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let fieldStarted = false;
  let i = 0;
  const endRow = () => {
    if (fieldStarted || row.length > 0) row.push(field);
    rows.push(row);
    row = [];
    field = '';
    fieldStarted = false;
  };
  while (i < src.length) {
    const ch = src[i];
    if (ch === '"' && field === '' && !fieldStarted) {
      const lineStart = rows.length + 1;
      i++;
      for (;;) {
        if (i >= src.length) fail(where, `row ${lineStart}: a quoted field is not closed`);
        if (src[i] === '"') {
          if (src[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += src[i++];
      }
      fieldStarted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      fieldStarted = true;
      i++;
    } else if (ch === '\r' || ch === '\n') {
      endRow();
      i += ch === '\r' && src[i + 1] === '\n' ? 2 : 1;
    } else {
      field += ch;
      fieldStarted = true;
      i++;
    }
  }
  if (fieldStarted || row.length > 0) endRow();
  return rows;
}

/** CSV text of rows of plain cells (no quoting needed; see the module comment). */
export function formatCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => r.join(',')).join('\n') + '\n';
}
