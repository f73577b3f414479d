// Data tables read from CSV or JSON files, with the position of every cell for diagnostics.
//
// CSV: a header row names the columns (csv-parse does the parsing, quoting included); `#` starts a
// comment line. JSON: an array of records `[{"gen": "g1", "pmax": 0.86}, ...]` or an object of
// equally long columns `{"gen": ["g1", ...], "pmax": [0.86, ...]}`.
import { readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { fail, spanAt, type Span, type SourceTexts } from '../diagnostics/diagnostic.js';
import { normElem, type Elem } from '../lower/values.js';

export interface DataTable {
  readonly file: string;
  readonly columns: readonly string[];
  readonly keyCols: readonly number[];
  readonly rowCount: number;
  cell(row: number, col: number): string | number | null;
  /** Where a cell is in its file (line and column for CSV). */
  cellSpan(row: number, col: number): Span;
  keyTuple(row: number): Elem[];
  column(name: string): number;
}

class CsvTable implements DataTable {
  constructor(
    readonly file: string,
    readonly columns: string[],
    readonly keyCols: number[],
    private readonly records: string[][],
    private readonly lines: number[],
    private readonly text: string,
  ) {}
  get rowCount(): number {
    return this.records.length;
  }
  cell(row: number, col: number): string {
    return this.records[row]![col] ?? '';
  }
  cellSpan(row: number, col: number): Span {
    const line = this.lines[row]!;
    const start = lineOffset(this.text, line);
    const off = fieldOffset(this.text, start, col);
    const rec = this.records[row]![col] ?? '';
    return { ...spanAt(this.file, this.text, off, off + Math.max(1, rec.length)), line };
  }
  keyTuple(row: number): Elem[] {
    return this.keyCols.map((c) => normElem(this.cell(row, c)));
  }
  column(name: string): number {
    return this.columns.indexOf(name);
  }
}

class JsonTable implements DataTable {
  constructor(
    readonly file: string,
    readonly columns: string[],
    readonly keyCols: number[],
    private readonly records: (string | number | null)[][],
  ) {}
  get rowCount(): number {
    return this.records.length;
  }
  cell(row: number, col: number): string | number | null {
    return this.records[row]![col] ?? null;
  }
  cellSpan(): Span {
    return { file: this.file, start: 0, end: 1, line: 1, col: 1 };
  }
  keyTuple(row: number): Elem[] {
    return this.keyCols.map((c) => {
      const v = this.cell(row, c);
      return normElem(typeof v === 'number' ? v : String(v ?? ''));
    });
  }
  column(name: string): number {
    return this.columns.indexOf(name);
  }
}

function lineOffset(text: string, line: number): number {
  let off = 0;
  for (let l = 1; l < line && off >= 0; l++) off = text.indexOf('\n', off) + 1;
  return Math.max(0, off);
}

/** Offset of field `col` in the CSV line starting at `start` (quotes respected). */
function fieldOffset(text: string, start: number, col: number): number {
  let i = start, field = 0, quoted = false;
  while (field < col && i < text.length) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) field++;
    else if (ch === '\n' && !quoted) break;
    i++;
  }
  while (text[i] === ' ') i++;
  return i;
}

export interface TableOptions {
  readonly keys: readonly string[];
  readonly delimiter?: string;
  /** Where the table is declared, for diagnostics about the declaration itself. */
  readonly declSpan: Span;
}

/** Reads and caches data files for one compilation. */
export class DataLoader {
  private readonly cache = new Map<string, DataTable>();
  constructor(private readonly sources: SourceTexts) {}

  load(path: string, format: 'csv' | 'json', opts: TableOptions): DataTable {
    const cacheKey = `${format}|${path}|${opts.keys.join(',')}|${opts.delimiter ?? ''}`;
    const hit = this.cache.get(cacheKey);
    if (hit) return hit;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
      fail('E0501', `cannot read data file \`${path}\`: ${reason}`, opts.declSpan, 'data paths are relative to the model file that names them');
    }
    this.sources.set(path, text);
    const table = format === 'csv' ? readCsv(path, text, opts) : readJson(path, text, opts);
    this.cache.set(cacheKey, table);
    return table;
  }
}

function readCsv(path: string, text: string, opts: TableOptions): DataTable {
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parseCsv(text, {
      info: true,
      trim: true,
      skip_empty_lines: true,
      comment: '#',
      comment_no_infix: true,
      delimiter: opts.delimiter ?? ',',
      relax_column_count: true,
      bom: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    const err = e as { message: string; lines?: number };
    const line = err.lines ?? 1;
    fail('E0506', `malformed CSV file: ${err.message.replace(/^Invalid .*?: /, '')}`, { ...spanAt(path, text, lineOffset(text, line), lineOffset(text, line) + 1), line });
  }
  if (parsed.length === 0) fail('E0506', `data file \`${path}\` is empty (a header row naming the columns is needed)`, spanAt(path, text, 0, 1));
  const header = parsed[0]!.record;
  const columns = header.map((h) => h.trim());
  const dup = columns.find((c, i) => columns.indexOf(c) !== i);
  if (dup) fail('E0506', `column \`${dup}\` appears twice in the header`, { ...spanAt(path, text, 0, 1), line: parsed[0]!.info.lines });
  const records: string[][] = [];
  const lines: number[] = [];
  for (let r = 1; r < parsed.length; r++) {
    const rec = parsed[r]!;
    if (rec.record.length !== columns.length) {
      const line = rec.info.lines;
      fail('E0506', `row has ${rec.record.length} fields but the header has ${columns.length}`, { ...spanAt(path, text, lineOffset(text, line), lineOffset(text, line) + 1), line },
        `the header is: ${columns.join(', ')}`);
    }
    records.push(rec.record);
    lines.push(rec.info.lines);
  }
  const keyCols = keyColumns(columns, opts, path);
  const table = new CsvTable(path, columns, keyCols, records, lines, text);
  checkDuplicateKeys(table);
  return table;
}

function readJson(path: string, text: string, opts: TableOptions): DataTable {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const m = /position (\d+)/.exec(msg);
    const off = m ? Number(m[1]) : 0;
    fail('E0506', `malformed JSON file: ${msg}`, spanAt(path, text, off, off + 1));
  }
  let columns: string[] = [];
  const records: (string | number | null)[][] = [];
  const scalar = (v: unknown, where: string): string | number | null => {
    if (v === null || typeof v === 'string' || typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    fail('E0506', `${where} holds ${Array.isArray(v) ? 'an array' : 'an object'}; data tables hold numbers and strings`, spanAt(path, text, 0, 1));
  };
  if (Array.isArray(data)) {
    for (const rec of data) if (rec && typeof rec === 'object' && !Array.isArray(rec)) for (const k of Object.keys(rec)) if (!columns.includes(k)) columns.push(k);
    data.forEach((rec, i) => {
      if (!rec || typeof rec !== 'object' || Array.isArray(rec)) fail('E0506', `element ${i} of the JSON array is not a record {"column": value, ...}`, spanAt(path, text, 0, 1));
      records.push(columns.map((c) => scalar((rec as Record<string, unknown>)[c] ?? null, `record ${i}, field "${c}"`)));
    });
  } else if (data && typeof data === 'object') {
    const obj = data as Record<string, unknown>;
    columns = Object.keys(obj);
    const cols = columns.map((c) => {
      const v = obj[c];
      if (!Array.isArray(v)) fail('E0506', `field "${c}" is not an array; a JSON table is an array of records or an object of columns`, spanAt(path, text, 0, 1));
      return v as unknown[];
    });
    const n = cols.length ? cols[0]!.length : 0;
    cols.forEach((c, i) => {
      if (c.length !== n) fail('E0506', `column "${columns[i]}" has ${c.length} values but "${columns[0]}" has ${n}`, spanAt(path, text, 0, 1));
    });
    for (let r = 0; r < n; r++) records.push(cols.map((c, i) => scalar(c[r], `column "${columns[i]}", row ${r}`)));
  } else {
    fail('E0506', 'a JSON data file must hold an array of records or an object of columns', spanAt(path, text, 0, 1));
  }
  const keyCols = keyColumns(columns, opts, path);
  const table = new JsonTable(path, columns, keyCols, records);
  checkDuplicateKeys(table);
  return table;
}

function keyColumns(columns: readonly string[], opts: TableOptions, path: string): number[] {
  const keys = opts.keys.length ? opts.keys : columns.length ? [columns[0]!] : [];
  return keys.map((k) => {
    const i = columns.indexOf(k);
    if (i < 0) fail('E0502', `data file \`${path}\` has no key column \`${k}\``, opts.declSpan, `its columns are: ${columns.join(', ')}`);
    return i;
  });
}

function checkDuplicateKeys(t: DataTable): void {
  const seen = new Map<string, number>();
  for (let r = 0; r < t.rowCount; r++) {
    const key = t.keyTuple(r).map(String).join('\u0001');
    const prev = seen.get(key);
    if (prev !== undefined) {
      fail('E0505', `duplicate key (${t.keyTuple(r).join(', ')}) in \`${t.file}\``, t.cellSpan(r, t.keyCols[0]!), undefined,
        [{ message: 'first given here', span: t.cellSpan(prev, t.keyCols[0]!) }]);
    }
    seen.set(key, r);
  }
}

/** Parses a data cell as a number; `fail`s with the cell's position when it is not one. */
export function cellNumber(t: DataTable, row: number, col: number): number {
  const v = t.cell(row, col);
  if (typeof v === 'number') return v;
  const s = (v ?? '').trim();
  const n = s === '' ? NaN : Number(s);
  if (!Number.isFinite(n)) {
    fail('E0503', `${s === '' ? 'empty cell' : `\`${s}\` is not a number`} in column \`${t.columns[col]}\` of \`${t.file}\``, t.cellSpan(row, col),
      s === '' ? 'fill the cell, or give the parameter a `default` and drop the row' : undefined);
  }
  return n;
}
