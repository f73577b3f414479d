// CSV tables, tokenized by papaparse. The rules of a CSV data file:
//
// - The first row that is not skipped is the header: it names the columns (names are trimmed,
//   quoted or not). Every other row must have as many fields as the header.
// - Fields are separated by the delimiter (`,` unless the table says otherwise). A field may be
//   quoted with `"`: the quote is then its very first character (at the start of the line or
//   right after the delimiter), a `"` inside it is written `""`, and it may hold delimiters and
//   line breaks; spaces may follow the closing quote, anything else there is an error. A `"` in a
//   field that does not start with one is an error.
// - Spaces around an unquoted field are dropped (JavaScript's whitespace, which includes the CR of
//   a CRLF line end and non-breaking spaces); inside quotes they are kept.
// - A line whose first character is `#` is a comment. Lines that are empty or hold only spaces
//   are skipped (a line `""` is a row with one empty field).
// - A byte-order mark at the start is ignored; lines end in LF or CRLF.
//
// Two rules differ from those of the reader this one replaced (and of csv-parse with `trim`), because
// papaparse reads these inputs otherwise and taking its reading would silently change the data:
// - spaces before an opening quote: ` "a, b"` is, for papaparse, two unquoted fields ` "a` and
//   ` b"`. It is an error at the quote (hint: remove the spaces), as any `"` inside a field is.
// - an indented comment `  # note`: for papaparse a data row (whose quotes could even open a field
//   running over the following lines). It is an error at the `#` (hint: start the line with `#`).
//
// papaparse gives the fields of each row as strings and the offset where the row ends
// (`meta.cursor`); it does not say which fields were quoted. This file adds what the language
// needs on top: the checks above, trimming (only of unquoted fields, so rows that contain a `"` are
// walked to see which fields start with one), numbers stored without their text (see
// `canonicalNumber`), and positions. Only the offset where each data row starts is kept (the end of
// the row before it, plus the comment lines papaparse skipped); the line and column of a cell are
// found again from there when a diagnostic needs them.
import Papa from 'papaparse';
import { fail, type Span } from '../diagnostics/diagnostic.js';
import { Column, ColumnTable, LineIndex, fit } from './columns.js';

const LF = 10, QUOTE = 34, HASH = 35;

/** Whitespace as `String.prototype.trim` sees it (and papaparse after a closing quote), LF aside. */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || c === 9 || c === 13 || c === 11 || c === 12;
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** Whether a string is empty or all whitespace. */
function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isSpace(s.charCodeAt(i))) return false;
  return true;
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

// ------------------------------------------------------------------------------------ locating
// Positions inside rows that papaparse accepted: a quoted field starts with its quote and its first
// `"` not doubled closes it; an unquoted field runs to the delimiter or the end of the line.

/** Where a row whose text starts at or after p begins: past the comment lines papaparse skipped. */
function rowBegin(t: string, p: number): number {
  while (t.charCodeAt(p) === HASH) {
    const nl = t.indexOf('\n', p);
    p = nl < 0 ? t.length : nl + 1;
  }
  return p;
}

/** The closing quote of the quoted field whose text starts at `from` (after its opening quote). */
function closingQuote(t: string, from: number): number {
  for (;;) {
    const q = t.indexOf('"', from);
    if (q < 0) return t.length;
    if (t.charCodeAt(q + 1) !== QUOTE) return q;
    from = q + 2;
  }
}

/** The offset of what ends the field that starts at p: the delimiter, the LF, or the end of the text. */
function fieldStop(t: string, p: number, delim: number): number {
  const n = t.length;
  if (t.charCodeAt(p) === QUOTE) p = closingQuote(t, p + 1) + 1;
  while (p < n) {
    const c = t.charCodeAt(p);
    if (c === delim || c === LF) break;
    p++;
  }
  return p;
}

/** The extent of the field that starts at p: quotes included, spaces around it not; an empty field is where it starts. */
function fieldExtent(t: string, p: number, delim: number): [number, number] {
  if (t.charCodeAt(p) === QUOTE) return [p, Math.min(t.length, closingQuote(t, p + 1) + 1)];
  const stop = fieldStop(t, p, delim);
  let s = p, e = stop;
  while (s < e && isSpace(t.charCodeAt(s))) s++;
  while (e > s && isSpace(t.charCodeAt(e - 1))) e--;
  return s === e ? [p, p] : [s, e];
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
    /** Per data row: where the row before it ended (the row starts there, or after comment lines). */
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
    const t = this.text, d = this.delimiter;
    let p = rowBegin(t, this.rowStart[row]!);
    for (let f = 0; f < col; f++) p = fieldStop(t, p, d) + 1;
    const [s, e] = fieldExtent(t, p, d);
    return this.lines.span(this.file, s, e);
  }

  protected notANumber(row: number, col: number): { message: string; hint?: string } {
    const s = this.cell(row, col).trim();
    const where = `in column \`${this.columns[col]}\` of \`${this.file}\``;
    return s === ''
      ? { message: `empty cell ${where}`, hint: 'fill the cell, or give the parameter a `default` and drop the row' }
      : { message: `\`${s}\` is not a number ${where}` };
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
  /** Per data row, as `CsvTable` keeps it. */
  readonly rowStart: Uint32Array;
  readonly lines: LineIndex;
}

/** An unquoted field into its column: trimmed, and as a number when it is written as one. */
function putPlain(col: Column, row: number, v: string): void {
  const n = v.length;
  if (n > 0) {
    const a = v.charCodeAt(0), b = v.charCodeAt(n - 1);
    // Trimming is rare: printable ASCII at both ends needs none.
    if (!(a > 32 && a < 127 && b > 32 && b < 127)) v = v.trim();
  }
  const x = canonicalNumber(v, 0, v.length);
  if (x === x) col.setNum(row, x);
  else col.setText(row, v);
}

/**
 * Parses a CSV text into columns. Malformed quoting, indented comments and rows with the wrong
 * number of fields `fail` (E0506) at their position in the file; a file without rows gives no columns.
 */
export function parseCsv(file: string, text: string, delimiter: string): CsvParse {
  const lines = new LineIndex(text);
  const delim = delimiter.charCodeAt(0);
  // papaparse drops a byte-order mark before parsing: its offsets are one less than ours.
  const base = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const bad = (message: string, at: number, hint: string): never => fail('E0506', message, lines.span(file, at, at + 1), hint);

  let columns: string[] = [];
  const headerFields: number[] = [];
  let headerStart = -1, headerEnd = -1;
  let cols: Column[] = [];
  let ncols = 0;
  let rowStart = new Uint32Array(0);
  let rows = 0;
  /** Where the text of the next row starts, comment lines included. */
  let next = base;
  /** The first `"` at or after the current row (-1: none left): rows before it have no quoted field. */
  let nextQuote = text.indexOf('"');

  /**
   * Which fields of the row at `start` are quoted; fails at a `"` inside an unquoted field. Stops
   * (and the rest is unquoted) at the field that starts at `until`, where papaparse found an error.
   */
  const quotedFields = (start: number, fields: string[], until: number): boolean[] => {
    const quoted = new Array<boolean>(fields.length).fill(false);
    let p = start;
    for (let f = 0; f < fields.length && p < until; f++) {
      if (text.charCodeAt(p) === QUOTE) quoted[f] = true;
      else {
        // An unquoted field is the text itself.
        const q = fields[f]!.indexOf('"');
        if (q >= 0) {
          const v = fields[f]!;
          let k = 0;
          while (k < q && isSpace(v.charCodeAt(k))) k++;
          bad('malformed CSV file: a `"` inside a field that does not start with a quote', p + q,
            k === q && k > 0
              ? 'a quoted field starts with `"` right after the delimiter: remove the spaces before the quote'
              : 'put the whole field in quotes and write each `"` inside it as `""`');
        }
      }
      p = fieldStop(text, p, delim) + 1;
    }
    return quoted;
  };

  /** Fails at the first quoting error papaparse reported (offsets in papaparse's text). */
  const quoteError = (start: number, fields: string[], err: Papa.ParseError): never => {
    // `index` is where the text of the quoted field starts, after its opening quote.
    const open = (err.index ?? 1) - 1 + base;
    quotedFields(start, fields, open);
    if (err.code === 'MissingQuotes') {
      return bad('malformed CSV file: Quote not closed: the quoted field that starts here runs to the end of the file', open,
        'a quoted field ends with `"`; a `"` inside it is written `""`');
    }
    // InvalidQuotes: something other than spaces, the delimiter or a line end after the closing quote.
    let p = closingQuote(text, open + 1) + 1;
    while (p < text.length && isSpace(text.charCodeAt(p)) && text.charCodeAt(p) !== delim) p++;
    if (p >= text.length) p = open;
    return bad(`malformed CSV file: \`${text[p]}\` after the closing quote of a field`, p,
      'a field is either quoted as a whole or not at all; a `"` inside a quoted field is written `""`');
  };

  const step = (r: Papa.ParseStepResult<string[]>): void => {
    const fields = r.data;
    const from = next;
    const end = r.meta.cursor + base;
    next = end;
    const f0 = fields[0]!;
    let start = -1;
    // Empty lines (a field of spaces, unless quoted).
    if (fields.length === 1 && isBlank(f0)) {
      start = rowBegin(text, from);
      if (text.charCodeAt(start) !== QUOTE) return;
    }
    // A line of spaces and `#` (papaparse only takes `#` in the first column as a comment).
    if (f0.length > 0 && isSpace(f0.charCodeAt(0))) {
      if (start < 0) start = rowBegin(text, from);
      let k = 0;
      while (k < f0.length && isSpace(f0.charCodeAt(k))) k++;
      if (f0.charCodeAt(k) === HASH && text.charCodeAt(start) !== QUOTE) {
        bad('malformed CSV file: a comment line starts with `#`, without spaces before it', start + k,
          'remove the spaces before `#` to make the line a comment, or quote the value if it is data: `"#..."`');
      }
    }
    if (r.errors.length > 0) {
      if (start < 0) start = rowBegin(text, from);
      quoteError(start, fields, r.errors[0]!);
    }
    const hasQuote = nextQuote >= 0 && nextQuote < end;
    if (hasQuote) {
      nextQuote = text.indexOf('"', end);
      if (start < 0) start = rowBegin(text, from);
    }
    const quoted = hasQuote ? quotedFields(start, fields, Infinity) : undefined;

    if (headerStart < 0) {
      // The header row.
      headerStart = start < 0 ? (start = rowBegin(text, from)) : start;
      let p = start;
      for (let f = 0; f < fields.length; f++) {
        const [s, e] = fieldExtent(text, p, delim);
        headerFields.push(s);
        headerEnd = e;
        p = fieldStop(text, p, delim) + 1;
      }
      columns = fields.map((h) => h.trim());
      ncols = columns.length;
      // At most one row per remaining line: the columns are allocated once.
      let count = 1;
      for (let i = text.indexOf('\n', end); i >= 0; i = text.indexOf('\n', i + 1)) count++;
      cols = columns.map(() => new Column(count));
      rowStart = new Uint32Array(count);
      return;
    }

    if (fields.length !== ncols) {
      if (start < 0) start = rowBegin(text, from);
      let e = text.indexOf('\n', start);
      if (e < 0) e = text.length;
      if (text.charCodeAt(e - 1) === 13) e--;
      const k = fields.length;
      fail('E0506', `row has ${k} field${k === 1 ? '' : 's'} but the header has ${ncols}`, lines.span(file, start, e), `the header is: ${columns.join(', ')}`);
    }
    rowStart[rows] = from;
    if (quoted) {
      for (let f = 0; f < ncols; f++) {
        if (quoted[f]) cols[f]!.setText(rows, fields[f]!);
        else putPlain(cols[f]!, rows, fields[f]!);
      }
    } else {
      for (let f = 0; f < ncols; f++) putPlain(cols[f]!, rows, fields[f]!);
    }
    rows++;
  };

  // A closing quote followed by spaces at the very end of the text is an error for papaparse, which
  // expects a delimiter or a line break there: a final line break settles it.
  const input = text.endsWith('\n') ? text : text + '\n';
  Papa.parse<string[]>(input, { delimiter, newline: '\n', comments: '#', quoteChar: '"', escapeChar: '"', step });
  for (const c of cols) c.trim(rows);
  return { columns, headerStart, headerEnd, headerFields, cols, rowCount: rows, rowStart: fit(rowStart, rows), lines };
}
