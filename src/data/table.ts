// Data tables read from CSV or JSON files (src/data/csv.ts, src/data/json.ts), stored by column,
// with the line and column of every cell available for diagnostics.
import { readFileSync } from 'node:fs';
import { EvgError, fail, type Span, type SourceTexts } from '../diagnostics/diagnostic.js';
import type { Elem } from '../lower/values.js';
import { checkDuplicateKeys } from './columns.js';
import { CsvTable, parseCsv } from './csv.js';
import { parseJson } from './json.js';

export interface DataTable {
  readonly file: string;
  readonly columns: readonly string[];
  readonly keyCols: readonly number[];
  readonly rowCount: number;
  /** The cell as read: text for CSV; number, string or null for JSON. */
  cell(row: number, col: number): string | number | null;
  /** The cell as a set element (`normElem` of its text). */
  elem(row: number, col: number): Elem;
  /** The cell as a number; `fail`s (E0503) at the cell when it holds none. */
  number(row: number, col: number): number;
  /** The cell as a number, or NaN when it holds none (no diagnostic). */
  numOrNaN(row: number, col: number): number;
  /** Where a cell is in its file. Computed on demand: only diagnostics need it. */
  cellSpan(row: number, col: number): Span;
  keyTuple(row: number): Elem[];
  /** Writes the key of a row into `out` (length = number of key columns). */
  keyInto(row: number, out: Elem[]): void;
  /** The index of a column, or -1. */
  column(name: string): number;
}

export interface TableOptions {
  readonly keys: readonly string[];
  readonly delimiter?: string;
  /** Where the table is declared, for diagnostics about the declaration itself. */
  readonly declSpan: Span;
}

/** Reads and caches data files for one compilation. */
export class DataLoader {
  /** Tables read, and files that failed (their error is thrown again instead of reading the file again). */
  private readonly cache = new Map<string, DataTable | EvgError>();
  constructor(private readonly sources: SourceTexts) {}

  load(path: string, format: 'csv' | 'json', opts: TableOptions): DataTable {
    const cacheKey = `${format}|${path}|${opts.keys.join(',')}|${opts.delimiter ?? ''}`;
    const hit = this.cache.get(cacheKey);
    if (hit instanceof EvgError) throw hit;
    if (hit) return hit;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
      fail('E0501', `cannot read data file \`${path}\`: ${reason}`, opts.declSpan, 'data paths are relative to the model file that names them');
    }
    this.sources.set(path, text);
    try {
      const table = readTable(path, text, format, opts);
      this.cache.set(cacheKey, table);
      return table;
    } catch (e) {
      // A missing key column is reported at each declaration that names it; errors in the file once.
      if (e instanceof EvgError && e.diagnostic.code !== 'E0502') this.cache.set(cacheKey, e);
      throw e;
    }
  }
}

/** A table from the text of a data file (`path` names it in diagnostics). */
export function readTable(path: string, text: string, format: 'csv' | 'json', opts: TableOptions): DataTable {
  return format === 'csv' ? readCsv(path, text, opts) : readJson(path, text, opts);
}

function readCsv(path: string, text: string, opts: TableOptions): DataTable {
  const delimiter = opts.delimiter ?? ',';
  // The checker rejects these already; papaparse would silently read `,` instead of most of them.
  if (delimiter.length !== 1 || '"#\r\n\ufeff'.includes(delimiter)) {
    fail('E0508', `${JSON.stringify(delimiter)} cannot be the delimiter of a CSV file`, opts.declSpan, 'usual delimiters are delimiter = ";" and delimiter = "\\t"');
  }
  const p = parseCsv(path, text, delimiter);
  if (p.headerStart < 0) {
    fail('E0506', `data file \`${path}\` is empty (a header row naming the columns is needed)`, p.lines.span(path, 0, 1),
      'the first line that is not empty or a `#` comment names the columns, for example `gen,p_max_MW`');
  }
  const first = new Map<string, number>();
  p.columns.forEach((c, i) => {
    const j = first.get(c);
    if (j === undefined) { first.set(c, i); return; }
    const at = (k: number) => p.lines.span(path, p.headerFields[k]!, p.headerFields[k]! + Math.max(1, c.length));
    fail('E0506', `column \`${c}\` appears twice in the header`, p.lines.span(path, p.headerStart, p.headerEnd), 'rename one of the columns', [
      { message: `column ${j + 1} is \`${c}\``, span: at(j) },
      { message: `and so is column ${i + 1}`, span: at(i) },
    ]);
  });
  const keyCols = keyColumns(p.columns, opts, path, () => p.lines.span(path, p.headerStart, p.headerEnd));
  const table = new CsvTable(path, text, p.columns, p.cols, p.rowCount, keyCols, p.lines, delimiter.charCodeAt(0), p.rowStart);
  checkDuplicateKeys(table);
  return table;
}

function readJson(path: string, text: string, opts: TableOptions): DataTable {
  const table = parseJson(path, text, (columns) => keyColumns(columns, opts, path));
  checkDuplicateKeys(table);
  return table;
}

function keyColumns(columns: readonly string[], opts: TableOptions, path: string, header?: () => Span): number[] {
  const keys = opts.keys.length ? opts.keys : columns.length ? [columns[0]!] : [];
  return keys.map((k) => {
    const i = columns.indexOf(k);
    if (i < 0) {
      fail('E0502', `data file \`${path}\` has no key column \`${k}\``, opts.declSpan, `its columns are: ${columns.join(', ')}`,
        header ? [{ message: 'the header of the file', span: header() }] : undefined);
    }
    return i;
  });
}
