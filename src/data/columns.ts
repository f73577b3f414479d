// Column storage shared by the CSV and JSON tables, and positions in data files.
//
// A table keeps one `Column` per column, not one array per row: a cell written as a number is a
// slot of a Float64Array (8 bytes, no string), anything else a string in a sparse side array. The
// position of a cell is not stored; each table finds it again when a diagnostic needs it (O(size of
// the row) for CSV, O(1) for JSON), and line numbers come from a line index built on the first
// such request.
import { fail, type Span } from '../diagnostics/diagnostic.js';
import type { DataTable } from './table.js';
import { normElem, elemText, type Elem } from '../lower/values.js';

/** Line numbers of a text's offsets, built lazily (one pass) the first time a position is needed. */
export class LineIndex {
  private starts?: Uint32Array;
  constructor(private readonly text: string) {}

  private build(): Uint32Array {
    const t = this.text;
    let n = 1;
    for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) n++;
    const starts = new Uint32Array(n);
    let k = 1;
    for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) starts[k++] = i + 1;
    return (this.starts = starts);
  }

  /** Span of text[start, end): 1-based line and column (a byte-order mark is not a column). */
  span(file: string, start: number, end: number): Span {
    const starts = this.starts ?? this.build();
    let lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= start) lo = mid;
      else hi = mid - 1;
    }
    let col = start - starts[lo]! + 1;
    if (lo === 0 && start > 0 && this.text.charCodeAt(0) === 0xfeff) col--;
    return { file, start, end: Math.max(end, start + 1), line: lo + 1, col };
  }
}

/** One column of a table: numbers in a typed array, other cells as strings (NaN in `num`). */
export class Column {
  num: Float64Array;
  txt: (string | undefined)[] | undefined;

  constructor(capacity: number) {
    this.num = new Float64Array(Math.max(16, capacity));
  }

  private room(row: number): void {
    if (row < this.num.length) return;
    const grown = new Float64Array(Math.max(row + 1, this.num.length * 2));
    grown.set(this.num);
    this.num = grown;
  }
  setNum(row: number, v: number): void {
    this.room(row);
    this.num[row] = v;
  }
  setText(row: number, s: string): void {
    this.room(row);
    this.num[row] = NaN;
    (this.txt ??= [])[row] = s;
  }
  /** A cell without a value (JSON null or a missing field). */
  setNone(row: number): void {
    this.room(row);
    this.num[row] = NaN;
  }
  /** Drops the spare capacity once all rows are in. */
  trim(rows: number): void {
    this.num = fit(this.num, rows);
  }
}

/** The first n elements: a view when little would be wasted, else a copy that frees the rest. */
export function fit<T extends Float64Array | Uint32Array | Int32Array>(a: T, n: number): T {
  if (a.length === n) return a;
  return (a.length - n <= (n >> 3) + 16 ? a.subarray(0, n) : a.slice(0, n)) as T;
}

/** The element a cell stands for when used as a key or a set element (as `normElem` of its text). */
function numberElem(v: number): Elem {
  // normElem turns integer texts shorter than 16 characters into numbers and keeps the rest as text.
  if (Number.isInteger(v) && (v >= 0 ? v < 1e15 : v > -1e14)) return v;
  return String(v);
}

/** A table stored by columns; subclasses say how cells read as text and where they are. */
export abstract class ColumnTable implements DataTable {
  readonly keyCols: readonly number[];
  private readonly byName = new Map<string, number>();

  constructor(
    readonly file: string,
    protected readonly text: string,
    readonly columns: readonly string[],
    protected readonly cols: readonly Column[],
    readonly rowCount: number,
    keyCols: readonly number[],
    protected readonly lines: LineIndex,
  ) {
    this.keyCols = keyCols;
    columns.forEach((c, i) => { if (!this.byName.has(c)) this.byName.set(c, i); });
  }

  abstract cell(row: number, col: number): string | number | null;
  abstract cellSpan(row: number, col: number): Span;
  /** The message (and hint) for a cell that holds no number. */
  protected abstract notANumber(row: number, col: number): { message: string; hint?: string };
  /** Whether numbers in this format count as set elements by value (JSON) or by their text (CSV). */
  protected abstract readonly numbersByValue: boolean;

  column(name: string): number {
    return this.byName.get(name) ?? -1;
  }

  elem(row: number, col: number): Elem {
    const c = this.cols[col]!;
    const v = c.num[row]!;
    if (v === v) return this.numbersByValue ? v : numberElem(v);
    const t = c.txt?.[row];
    return normElem(t ?? '');
  }

  /** The cell as a number, or NaN when it holds none. */
  numOrNaN(row: number, col: number): number {
    const c = this.cols[col]!;
    const v = c.num[row]!;
    if (v === v) return v;
    const t = c.txt?.[row];
    if (t === undefined) return NaN;
    const s = t.trim();
    const n = s === '' ? NaN : Number(s);
    return Number.isFinite(n) ? n : NaN;
  }

  number(row: number, col: number): number {
    const n = this.numOrNaN(row, col);
    if (n === n) return n;
    const why = this.notANumber(row, col);
    fail('E0503', why.message, this.cellSpan(row, col), why.hint);
  }

  keyTuple(row: number): Elem[] {
    const out = new Array<Elem>(this.keyCols.length);
    this.keyInto(row, out);
    return out;
  }

  keyInto(row: number, out: Elem[]): void {
    const k = this.keyCols;
    for (let i = 0; i < k.length; i++) out[i] = this.elem(row, k[i]!);
  }
}

type KeyIndex = Map<Elem, number | KeyIndex>;

/** Fails with E0505 at the second row with a key already seen, with a note at the first. */
export function checkDuplicateKeys(t: DataTable): void {
  const k = t.keyCols;
  if (k.length === 0) return;
  const root: KeyIndex = new Map();
  const n = k.length;
  const key = new Array<Elem>(n);
  // The maps along the previous row's key: rows usually come sorted, so consecutive keys share a prefix.
  const prev = new Array<Elem | undefined>(n);
  const path: KeyIndex[] = [root];
  for (let r = 0; r < t.rowCount; r++) {
    t.keyInto(r, key);
    let j = 0;
    while (j < n - 1 && key[j] === prev[j]) j++;
    let m = path[j]!;
    for (; j < n - 1; j++) {
      let next = m.get(key[j]!) as KeyIndex | undefined;
      if (!next) { next = new Map(); m.set(key[j]!, next); }
      prev[j] = key[j];
      path[j + 1] = m = next;
    }
    const last = key[n - 1]!;
    const first = m.get(last) as number | undefined;
    if (first !== undefined) {
      fail('E0505', `duplicate key (${key.map(elemText).join(', ')}) in \`${t.file}\``, t.cellSpan(r, k[0]!),
        'every row of a table needs its own key; remove one of the rows or add a key column', [{ message: 'first given here', span: t.cellSpan(first, k[0]!) }]);
    }
    m.set(last, r);
  }
}
