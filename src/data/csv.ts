// CSV tables. A header row names the columns; fields are separated by the delimiter (`,` unless
// the table says otherwise) and may be quoted with `"` (a `"` inside quotes is written `""`, and
// quotes may hold delimiters and line breaks); spaces around fields are dropped; lines that are
// empty or start with `#` are skipped; a byte-order mark is ignored; lines end in LF or CRLF.
// These are the rules csv-parse applied with the options this project used
// (trim, skip_empty_lines, comment '#' without infix, bom, relax_column_count);
// test/data.test.ts compares this reader with csv-parse on random files.
//
// The reader is one pass over the text without per-record objects: each cell goes straight into
// its column (numbers written the way JavaScript prints them as a float, everything else as a
// string), and only the offset where each record starts is kept, so that a cell's line and column
// can be found again when a diagnostic needs them.
import { fail, type Span } from '../diagnostics/diagnostic.js';
import { Column, ColumnTable, LineIndex, fit } from './columns.js';

const LF = 10, QUOTE = 34, HASH = 35;

/** Spaces dropped around fields (those of csv-parse's `trim`, and CR before LF), unless the delimiter. */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || c === 9 || c === 13 || c === 11 || c === 12;
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

const POW10: number[] = [];
for (let k = 0, p = 1; k <= 22; k++, p *= 10) POW10.push(p);

/**
 * The value of text[s, e) if it is a number written exactly as JavaScript prints it (so that
 * `String(value)` gives the text back: no leading `+` or zeros, no trailing fractional zeros, no
 * exponent, at most 15 significant digits), else NaN. Such a value is exact: the digits form an
 * integer below 2^53 and dividing it by a power of ten up to 10^22 rounds correctly, as parsing does.
 */
export function canonicalNumber(text: string, s: number, e: number): number {
  let i = s;
  const neg = i < e && text.charCodeAt(i) === 45;
  if (neg) i++;
  if (i >= e) return NaN;
  let c = text.charCodeAt(i);
  let mant = 0, sig = 0, zeros = 0, frac = 0;
  if (c === 48) {
    i++;
  } else if (c >= 49 && c <= 57) {
    while (i < e && (c = text.charCodeAt(i)) >= 48 && c <= 57) { mant = mant * 10 + (c - 48); sig++; i++; }
  } else {
    return NaN;
  }
  if (i < e && text.charCodeAt(i) === 46) {
    const f0 = ++i;
    while (i < e && (c = text.charCodeAt(i)) >= 48 && c <= 57) {
      if (mant === 0 && c === 48) zeros++;
      else { mant = mant * 10 + (c - 48); sig++; }
      i++;
    }
    frac = i - f0;
    if (frac === 0 || text.charCodeAt(i - 1) === 48) return NaN;
  }
  if (i !== e || sig > 15) return NaN;
  if (mant === 0) return neg ? NaN : 0;
  // 0.000001 prints as such, 0.0000001 as 1e-7.
  if (zeros > 5) return NaN;
  const v = frac ? mant / POW10[frac]! : mant;
  return neg ? -v : v;
}

export class CsvTable extends ColumnTable {
  protected readonly numbersByValue = false;

  constructor(
    file: string,
    text: string,
    columns: readonly string[],
    cols: readonly Column[],
    rowCount: number,
    keyCols: readonly number[],
    lines: LineIndex,
    private readonly delimiter: number,
    /** Offset in the text where each data row starts. */
    private readonly rowStart: Uint32Array,
  ) {
    super(file, text, columns, cols, rowCount, keyCols, lines);
  }

  cell(row: number, col: number): string {
    const c = this.cols[col]!;
    const t = c.txt?.[row];
    return t !== undefined ? t : String(c.num[row]);
  }

  cellSpan(row: number, col: number): Span {
    const sc = new Scanner(this.file, this.text, this.delimiter, this.lines);
    let p = this.rowStart[row]!;
    for (let f = 0; f < col; f++) p = sc.field(p) + 1;
    sc.field(p);
    return this.lines.span(this.file, sc.start, sc.end);
  }

  protected notANumber(row: number, col: number): { message: string; hint?: string } {
    const s = this.cell(row, col).trim();
    const where = `in column \`${this.columns[col]}\` of \`${this.file}\``;
    return s === ''
      ? { message: `empty cell ${where}`, hint: 'fill the cell, or give the parameter a `default` and drop the row' }
      : { message: `\`${s}\` is not a number ${where}` };
  }
}

/** Reads one field at a time; after `field(p)`: its extent [start, end), quotes included, and its text. */
class Scanner {
  start = 0;
  end = 0;
  quoted = false;
  /** The unquoted text of a quoted field. */
  value = '';

  constructor(
    private readonly file: string,
    private readonly text: string,
    private readonly delim: number,
    private readonly lines: LineIndex,
  ) {}

  fail(message: string, at: number, hint?: string): never {
    fail('E0506', message, this.lines.span(this.file, at, at + 1), hint);
  }

  /** Scans the field at p; returns the offset of what ends it (the delimiter, LF, or the end of the text). */
  field(p: number): number {
    const t = this.text, n = t.length, delim = this.delim;
    const p0 = p;
    let c = 0;
    // (A CR that ends the line is not skipped: an empty last field is where the line ends.)
    while (p < n && (c = t.charCodeAt(p)) !== delim && isSpace(c) && !(c === 13 && t.charCodeAt(p + 1) === LF)) p++;
    this.start = p;
    if (p < n && t.charCodeAt(p) === QUOTE) {
      this.quoted = true;
      const open = p;
      let value = '';
      let from = p + 1;
      for (;;) {
        const q = t.indexOf('"', from);
        if (q < 0) {
          this.fail('malformed CSV file: Quote not closed: the quoted field that starts here runs to the end of the file', open,
            'a quoted field ends with `"`; a `"` inside it is written `""`');
        }
        if (t.charCodeAt(q + 1) === QUOTE) {
          value += t.slice(from, q + 1);
          from = q + 2;
          continue;
        }
        value += t.slice(from, q);
        p = q + 1;
        break;
      }
      this.value = value;
      this.end = p;
      while (p < n && (c = t.charCodeAt(p)) !== delim && c !== LF && isSpace(c)) p++;
      if (p < n && c !== delim && c !== LF) {
        this.fail(`malformed CSV file: \`${t[p]}\` after the closing quote of a field`, p,
          'a field is either quoted as a whole or not at all; a `"` inside a quoted field is written `""`');
      }
      return p;
    }
    this.quoted = false;
    while (p < n && (c = t.charCodeAt(p)) !== delim && c !== LF) {
      if (c === QUOTE) {
        this.fail('malformed CSV file: a `"` inside a field that does not start with a quote', p,
          'put the whole field in quotes and write each `"` inside it as `""`');
      }
      p++;
    }
    let e = p;
    while (e > this.start && isSpace(t.charCodeAt(e - 1))) e--;
    // An empty field is where it starts, before any spaces.
    if (e === this.start) this.start = e = p0;
    this.end = e;
    return p;
  }
}

export interface CsvParse {
  readonly columns: string[];
  /** Where the header row starts and ends (offsets). */
  readonly headerStart: number;
  readonly headerEnd: number;
  /** Offsets of every header field. */
  readonly headerFields: number[];
  readonly cols: Column[];
  readonly rowCount: number;
  readonly rowStart: Uint32Array;
  readonly lines: LineIndex;
}

/**
 * Parses a CSV text into columns. Malformed quoting and rows with the wrong number of fields
 * `fail` (E0506) at their position in the file; a file without rows gives no columns.
 */
export function parseCsv(file: string, text: string, delimiter: string): CsvParse {
  const lines = new LineIndex(text);
  const delim = delimiter.charCodeAt(0);
  const sc = new Scanner(file, text, delim, lines);
  const n = text.length;
  let columns: string[] = [];
  const headerFields: number[] = [];
  let headerStart = -1, headerEnd = -1;
  let cols: Column[] = [];
  let rowStart = new Uint32Array(0);
  let rows = 0;
  let p = n > 0 && text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (p < n) {
    // Skip empty lines and comment lines.
    let q = p, c = 0;
    while (q < n && (c = text.charCodeAt(q)) !== delim && isSpace(c)) q++;
    if (q >= n) break;
    if (c === LF) { p = q + 1; continue; }
    if (c === HASH) {
      const nl = text.indexOf('\n', q);
      p = nl < 0 ? n : nl + 1;
      continue;
    }
    const recStart = p;
    if (headerStart < 0) {
      // The header row.
      headerStart = p;
      for (;;) {
        const stop = sc.field(p);
        headerFields.push(sc.start);
        columns.push(sc.quoted ? sc.value : text.slice(sc.start, sc.end));
        headerEnd = sc.end;
        p = stop + 1;
        if (stop >= n || text.charCodeAt(stop) !== delim) break;
      }
      // At most one row per remaining line: the columns are allocated once.
      let lines = 1;
      for (let i = text.indexOf('\n', p); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
      cols = columns.map(() => new Column(lines));
      rowStart = new Uint32Array(lines);
      continue;
    }
    rowStart[rows] = recStart;
    const ncols = cols.length;
    let f = 0;
    for (;;) {
      const stop = sc.field(p);
      if (f < ncols) {
        const col = cols[f]!;
        if (sc.quoted) col.setText(rows, sc.value);
        else {
          const v = canonicalNumber(text, sc.start, sc.end);
          if (v === v) col.setNum(rows, v);
          else col.setText(rows, text.slice(sc.start, sc.end));
        }
      }
      f++;
      p = stop + 1;
      if (stop >= n || text.charCodeAt(stop) !== delim) break;
    }
    if (f !== ncols) {
      let end = text.indexOf('\n', recStart);
      if (end < 0) end = n;
      if (text.charCodeAt(end - 1) === 13) end--;
      fail('E0506', `row has ${f} field${f === 1 ? '' : 's'} but the header has ${ncols}`, lines.span(file, recStart, end), `the header is: ${columns.join(', ')}`);
    }
    rows++;
  }
  for (const c of cols) c.trim(rows);
  columns = columns.map((h) => h.trim());
  return { columns, headerStart, headerEnd, headerFields, cols, rowCount: rows, rowStart: fit(rowStart, rows), lines };
}
