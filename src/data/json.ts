// JSON tables: an array of records `[{"gen": "g1", "pmax": 0.86}, ...]` or an object of equally
// long columns `{"gen": ["g1", ...], "pmax": [0.86, ...]}`. Cells hold numbers, strings, null or
// booleans (read as 1 and 0).
//
// jsonc-parser gives the offset of every value (JSON.parse gives values only), so values and
// syntax errors are reported at their own line and column. Its JSONC extensions (comments,
// trailing commas) are turned off, so that it accepts what JSON.parse accepts (test/data.test.ts
// compares the two on random texts).
import { createScanner, printParseErrorCode, visit, type ParseError } from 'jsonc-parser';
import { fail, type Note, type Span } from '../diagnostics/diagnostic.js';
import { Column, ColumnTable, LineIndex, fit } from './columns.js';

export class JsonTable extends ColumnTable {
  protected readonly numbersByValue = true;

  constructor(
    file: string,
    text: string,
    columns: readonly string[],
    cols: readonly Column[],
    rowCount: number,
    keyCols: readonly number[],
    lines: LineIndex,
    /** Per column and row: the offset of the value, or -1 - (offset of its record) when the record lacks the field. */
    private readonly offsets: readonly Int32Array[],
  ) {
    super(file, text, columns, cols, rowCount, keyCols, lines);
  }

  cell(row: number, col: number): string | number | null {
    const c = this.cols[col]!;
    const v = c.num[row]!;
    if (v === v) return v;
    return c.txt?.[row] ?? null;
  }

  cellSpan(row: number, col: number): Span {
    const off = this.offsets[col]![row]!;
    if (off < 0) return this.lines.span(this.file, -1 - off, -off);
    const sc = createScanner(this.text, false);
    sc.setPosition(off);
    sc.scan();
    return this.lines.span(this.file, off, off + sc.getTokenLength());
  }

  protected notANumber(row: number, col: number): { message: string; hint?: string } {
    const name = this.columns[col]!;
    if (this.offsets[col]![row]! < 0) {
      return { message: `record ${row + 1} of \`${this.file}\` has no field "${name}"`, hint: 'add the field, or give the parameter a `default` and drop the record' };
    }
    const v = this.cell(row, col);
    const where = `in column "${name}" of \`${this.file}\``;
    return v === null
      ? { message: `\`null\` is not a number ${where}`, hint: 'give the value, or give the parameter a `default` and drop the record' }
      : { message: `\`${JSON.stringify(v)}\` is not a number ${where}` };
  }
}

/** Marks a cell that no value was given for (yet). */
const UNSET = -0x80000000;

/** Per column: the offset of each value, growing as values come. */
class Offsets {
  a = new Int32Array(16).fill(UNSET);
  set(row: number, off: number): void {
    this.room(row + 1);
    this.a[row] = off;
  }
  room(n: number): void {
    if (n <= this.a.length) return;
    const grown = new Int32Array(Math.max(n, this.a.length * 2)).fill(UNSET);
    grown.set(this.a);
    this.a = grown;
  }
}

/**
 * Reads a JSON table in one pass over the text (jsonc-parser's visitor: no syntax tree, no
 * JavaScript object per record); `keyColumns` picks the key columns once the columns are known.
 * Syntax errors `fail` at their position first; then the first value of the wrong shape.
 */
export function parseJson(file: string, text: string, keyColumns: (columns: string[]) => number[]): JsonTable {
  const lines = new LineIndex(text);
  // A byte-order mark is not JSON; read it as a space so that offsets stay those of the file.
  const src = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
  /** The span of the token at `off` (a value or a field name). */
  const tokenAt = (off: number): Span => {
    const sc = createScanner(src, false);
    sc.setPosition(off);
    sc.scan();
    return lines.span(file, off, off + sc.getTokenLength());
  };
  const columns: string[] = [];
  const colIndex = new Map<string, number>();
  const cols: Column[] = [];
  const offs: Offsets[] = [];
  /** Per column, the record that last gave it and where (to find a field given twice in a record). */
  const lastRow: number[] = [];
  const lastKey: number[] = [];
  const recStart: number[] = [];
  let rows = 0;
  /** The first value of the wrong shape; reported once the text is known to be valid JSON. */
  let problem: (() => never) | undefined;
  const wrong = (message: string, span: Span, hint?: string, notes?: Note[]) => { problem ??= () => fail('E0506', message, span, hint, notes); };
  const NOT_A_TABLE = 'a JSON table is an array of records or an object of columns: [{"gen": "g1", "pmax": 1}] or {"gen": ["g1"], "pmax": [1]}';

  let layout: 'records' | 'columns' | undefined;
  let depth = 0;
  let element = 0; // elements of the root array seen
  let col = -1; // the column whose value comes next
  let colRows = 0; // values of the current column (object of columns)
  let firstCol = -1;

  const column = (name: string): number => {
    let c = colIndex.get(name);
    if (c === undefined) {
      c = columns.length;
      colIndex.set(name, c);
      columns.push(name);
      cols.push(new Column(Math.max(16, rows)));
      offs.push(new Offsets());
      lastRow.push(-1);
      lastKey.push(-1);
    }
    return c;
  };
  const put = (c: number, row: number, v: unknown, off: number): void => {
    const target = cols[c]!;
    switch (typeof v) {
      case 'number':
        if (!Number.isFinite(v)) { wrong(`the number ${src.slice(off, tokenAt(off).end)} is too large`, tokenAt(off), 'numbers in data files are finite doubles (below about 1.8e308)'); return; }
        target.setNum(row, v);
        break;
      case 'string': target.setText(row, v); break;
      case 'boolean': target.setNum(row, v ? 1 : 0); break;
      default: target.setNone(row);
    }
    offs[c]!.set(row, off);
  };
  const nested = (what: 'an object' | 'an array', off: number) => {
    if (depth === 0) return;
    if (layout === 'records') {
      if (depth === 1) wrong(`element ${element} of the JSON array is not a record {"column": value, ...}`, lines.span(file, off, off + 1), NOT_A_TABLE);
      else wrong(`record ${rows}, field "${columns[col]}" holds ${what}; data tables hold numbers and strings`, lines.span(file, off, off + 1));
    } else if (depth === 1) {
      wrong(`field "${columns[col]}" is not an array`, lines.span(file, off, off + 1), NOT_A_TABLE);
    } else {
      wrong(`column "${columns[col]}", value ${colRows + 1} holds ${what}; data tables hold numbers and strings`, lines.span(file, off, off + 1));
    }
  };

  visit(src, {
    onObjectBegin(off) {
      if (!problem) {
        if (depth === 0) layout = 'columns';
        else if (layout === 'records' && depth === 1) { element++; recStart[rows++] = off; }
        else nested('an object', off);
      }
      depth++;
    },
    onObjectEnd() {
      depth--;
    },
    onArrayBegin(off) {
      if (!problem) {
        if (depth === 0) layout = 'records';
        else if (layout === 'columns' && depth === 1) colRows = 0;
        else { if (layout === 'records' && depth === 1) element++; nested('an array', off); }
      }
      depth++;
    },
    onArrayEnd() {
      depth--;
      if (problem || layout !== 'columns' || depth !== 1) return;
      // The end of a column of the object of columns: all columns have as many values as the first.
      if (firstCol < 0) { firstCol = col; rows = colRows; return; }
      if (colRows !== rows) {
        wrong(`column "${columns[col]}" has ${colRows} value${colRows === 1 ? '' : 's'} but "${columns[firstCol]}" has ${rows}`, tokenAt(lastKey[col]!),
          'all columns need the same number of values', [{ message: `"${columns[firstCol]}" is here`, span: tokenAt(lastKey[firstCol]!) }]);
      }
    },
    onObjectProperty(name, off) {
      if (problem) return;
      const where = layout === 'records' && depth === 2 ? `record ${rows}` : layout === 'columns' && depth === 1 ? 'the object of columns' : undefined;
      if (!where) return;
      const c = column(name);
      const row = layout === 'records' ? rows - 1 : 0;
      if (lastRow[c] === row) {
        wrong(`field "${name}" appears twice in ${where}`, tokenAt(off), 'JSON would keep only the last value; remove one of them',
          [{ message: 'first given here', span: tokenAt(lastKey[c]!) }]);
      }
      lastRow[c] = row;
      lastKey[c] = off;
      col = c;
    },
    onLiteralValue(v, off) {
      if (problem) return;
      if (depth === 0) {
        wrong('a JSON data file must hold an array of records or an object of columns', tokenAt(off), NOT_A_TABLE);
      } else if (layout === 'records') {
        if (depth === 1) { element++; wrong(`element ${element} of the JSON array is not a record {"column": value, ...}`, tokenAt(off), NOT_A_TABLE); }
        else if (depth === 2) put(col, rows - 1, v, off);
      } else if (depth === 1) {
        wrong(`field "${columns[col]}" is not an array`, tokenAt(off), NOT_A_TABLE);
      } else if (depth === 2) {
        put(col, colRows++, v, off);
      }
    },
    onError(code, off, length) {
      const e: ParseError = { error: code, offset: off, length };
      fail('E0506', `malformed JSON file: ${parseErrorText(e, src)}`, lines.span(file, off, off + Math.max(1, length)));
    },
  }, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (problem) problem();

  // Fields a record does not give: no value, and the record's position for diagnostics.
  const offsets = offs.map((o, c) => {
    o.room(rows);
    const a = o.a;
    for (let r = 0; r < rows; r++) {
      if (a[r] === UNSET) { a[r] = -1 - recStart[r]!; cols[c]!.setNone(r); }
    }
    return fit(a, rows);
  });
  for (const c of cols) c.trim(rows);
  return new JsonTable(file, text, columns, cols, rows, keyColumns(columns), lines, offsets);
}

function parseErrorText(e: ParseError, src: string): string {
  const found = e.offset < src.length ? `\`${src.slice(e.offset, e.offset + Math.max(1, Math.min(e.length, 20)))}\`` : 'the end of the file';
  switch (printParseErrorCode(e.error)) {
    case 'InvalidSymbol': return `unexpected ${found}`;
    case 'InvalidNumberFormat': return `invalid number ${found}`;
    case 'PropertyNameExpected': return `expected a field name in double quotes, found ${found}`;
    case 'ValueExpected': return `expected a value, found ${found}`;
    case 'ColonExpected': return `expected \`:\`, found ${found}`;
    case 'CommaExpected': return `expected \`,\`, found ${found}`;
    case 'CloseBraceExpected': return `expected \`}\`, found ${found}`;
    case 'CloseBracketExpected': return `expected \`]\`, found ${found}`;
    case 'EndOfFileExpected': return `expected the end of the file, found ${found}`;
    case 'InvalidCommentToken': return 'comments are not allowed in JSON';
    case 'UnexpectedEndOfComment': return 'comments are not allowed in JSON';
    case 'UnexpectedEndOfString': return 'a string is not closed';
    case 'UnexpectedEndOfNumber': return `invalid number ${found}`;
    case 'InvalidUnicode': return 'invalid \\u escape in a string';
    case 'InvalidEscapeCharacter': return 'invalid escape in a string';
    case 'InvalidCharacter': return 'a control character (such as a line break) inside a string; write it as an escape like \\n';
    default: return printParseErrorCode(e.error);
  }
}
