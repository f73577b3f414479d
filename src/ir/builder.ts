// Incremental construction of the sparse model, in time and memory linear in the nonzeros:
// growable typed arrays, no per-row objects. Rows are scaled by powers of ten as they arrive.
import type { LinAcc } from '../lower/values.js';
import { fail } from '../diagnostics/diagnostic.js';
import { colTuple, familyOf, type ColFamily, type Hessian, type Model, type ObjectiveInfo, type RowFamily } from './model.js';
import type { LoweringRecord } from '../lower/lower.js';
import { sourceName } from './names.js';

class F64 {
  a = new Float64Array(1024);
  n = 0;
  /** Makes room for `k` more values. */
  reserve(k: number): void {
    if (this.n + k > this.a.length) this.grow(this.n + k);
  }
  push(v: number): void {
    if (this.n === this.a.length) this.grow(this.n + 1);
    this.a[this.n++] = v;
  }
  grow(min: number): void {
    let cap = this.a.length * 2;
    while (cap < min) cap *= 2;
    const b = new Float64Array(cap);
    b.set(this.a.subarray(0, this.n));
    this.a = b;
  }
  view(): Float64Array {
    return this.a.subarray(0, this.n);
  }
}

class I32 {
  a = new Int32Array(1024);
  n = 0;
  /** Makes room for `k` more values. */
  reserve(k: number): void {
    if (this.n + k > this.a.length) this.grow(this.n + k);
  }
  push(v: number): void {
    if (this.n === this.a.length) this.grow(this.n + 1);
    this.a[this.n++] = v;
  }
  grow(min: number): void {
    let cap = this.a.length * 2;
    while (cap < min) cap *= 2;
    const b = new Int32Array(cap);
    b.set(this.a.subarray(0, this.n));
    this.a = b;
  }
  view(): Int32Array {
    return this.a.subarray(0, this.n);
  }
}

/** Power of ten that brings the geometric mean of [lo, hi] to about 1. */
export function powerOfTenScale(lo: number, hi: number): number {
  if (!(lo > 0) || !Number.isFinite(hi)) return 1;
  // The common case: sqrt(lo * hi) within [10^-0.5, 10^0.5) rounds to the exponent 0.
  const p = lo * hi;
  if (p >= 0.1 && p < 10) return 1;
  const e = -Math.round(Math.log10(Math.sqrt(lo * hi)));
  return e === 0 ? 1 : 10 ** e;
}

const DROP = 1e-13;

/** Limits that keep every index a 32-bit integer and the arrays within what a process can hold. */
export const MAX_COLUMNS = 2 ** 28;
export const MAX_NONZEROS = 2 ** 30;

export class ModelBuilder {
  private colLower = new F64();
  private colUpper = new F64();
  private colType = new Uint8Array(1024);
  numCols = 0;
  private rowStart = new I32();
  private rowIndex = new I32();
  private rowValue = new F64();
  private rowLower = new F64();
  private rowUpper = new F64();
  private rowScale = new F64();
  readonly colFamilies: ColFamily[] = [];
  readonly rowFamilies: RowFamily[] = [];
  trivialRows = 0;
  private colCost?: Float64Array;
  private objOffset = 0;
  private objScale = 1;
  private objective: ObjectiveInfo = { name: 'objective', sense: 'minimize' };
  private hessian?: Hessian;
  private lowering: readonly LoweringRecord[] = [];
  private objectiveError = 0;
  private mMin = Infinity;
  private mMax = 0;
  /** Rows holding the smallest and the largest coefficient (for the coefficient-range warning). */
  private mMinRow = -1;
  private mMaxRow = -1;
  private rhsMin = Infinity;
  private rhsMax = 0;

  constructor() {
    this.rowStart.push(0);
  }

  get numRows(): number {
    return this.rowLower.n;
  }

  /** Allocates `count` columns with the given type; bounds default to free (binary: [0, 1]). */
  addColumns(count: number, type: 0 | 1 | 2, what = 'the model'): number {
    const base = this.numCols;
    const need = base + count;
    if (need > MAX_COLUMNS) fail('E0608', `${what} needs ${count} columns, which makes ${need} in all: evg holds at most ${MAX_COLUMNS}`);
    if (need > this.colType.length) {
      let cap = this.colType.length * 2;
      while (cap < need) cap *= 2;
      const t = new Uint8Array(cap);
      t.set(this.colType.subarray(0, base));
      this.colType = t;
    }
    this.colType.fill(type, base, need);
    this.colLower.reserve(count);
    this.colUpper.reserve(count);
    this.colLower.a.fill(type === 2 ? 0 : -Infinity, base, need);
    this.colUpper.a.fill(type === 2 ? 1 : Infinity, base, need);
    this.colLower.n = need;
    this.colUpper.n = need;
    this.numCols = need;
    return base;
  }

  setColLower(j: number, v: number): void {
    this.colLower.a[j] = this.colType[j] === 2 ? Math.max(0, v) : v;
  }
  setColUpper(j: number, v: number): void {
    this.colUpper.a[j] = this.colType[j] === 2 ? Math.min(1, v) : v;
  }
  /** The current bound arrays (valid until the next column is added). */
  colLowers(): Float64Array {
    return this.colLower.a;
  }
  colUppers(): Float64Array {
    return this.colUpper.a;
  }
  /** Source name of a column, for messages: `p[g1,3]`. */
  columnName(j: number): string {
    const f = familyOf(this.colFamilies, j);
    return f ? sourceName(f.name, colTuple(f, j)) : `column ${j}`;
  }
  colTypeOf(j: number): number {
    return this.colType[j]!;
  }
  colLowerOf(j: number): number {
    return this.colLower.a[j]!;
  }
  colUpperOf(j: number): number {
    return this.colUpper.a[j]!;
  }

  /**
   * Adds `lo <= acc <= hi` (acc and bounds in canonical units; acc's constant already moved to the
   * bounds by the caller). `display` is the factor of the row's display unit. Returns false if the
   * row had no variables (the caller decides whether that is trivially true or an error).
   */
  addRow(acc: LinAcc, lo: number, hi: number, display: number): boolean {
    const n = acc.n, coef = acc.coef;
    const cols = acc.cols.subarray(0, n);
    let max = 0, min = Infinity;
    for (let i = 0; i < n; i++) {
      const v = Math.abs(coef[cols[i]!]!);
      if (v > max) max = v;
      if (v > 0 && v < min) min = v;
    }
    if (max === 0) return false;
    const cut = max * DROP;
    if (min <= cut) {
      // Coefficients that are rounding noise next to the largest are dropped (rare).
      min = Infinity;
      for (let i = 0; i < n; i++) {
        const v = Math.abs(coef[cols[i]!]!);
        if (v > cut && v < min) min = v;
      }
    }
    const s = powerOfTenScale(min, max);
    if (this.rowIndex.n + n > MAX_NONZEROS) fail('E0608', `the model has more than ${MAX_NONZEROS} nonzeros`);
    const row = this.numRows;
    // Sorted column order makes the files deterministic and readable. Rows are short: an
    // insertion sort beats the typed array's sort there.
    if (n > 16) cols.sort();
    else {
      for (let i = 1; i < n; i++) {
        const c = cols[i]!;
        let k = i - 1;
        while (k >= 0 && cols[k]! > c) { cols[k + 1] = cols[k]!; k--; }
        cols[k + 1] = c;
      }
    }
    const index = this.rowIndex, value = this.rowValue;
    index.reserve(n);
    value.reserve(n);
    const ia = index.a, va = value.a;
    let at = index.n;
    for (let i = 0; i < n; i++) {
      const j = cols[i]!;
      const v = coef[j]!;
      if (Math.abs(v) <= cut) continue;
      const e = v * s;
      ia[at] = j;
      va[at] = e;
      at++;
      const a = e < 0 ? -e : e;
      if (a < this.mMin) { this.mMin = a; this.mMinRow = row; }
      if (a > this.mMax) { this.mMax = a; this.mMaxRow = row; }
    }
    index.n = at;
    value.n = at;
    this.rowStart.push(at);
    const l = lo * s, h = hi * s;
    this.rowLower.push(l);
    this.rowUpper.push(h);
    this.rowScale.push(s * display);
    this.rhsRange(l);
    this.rhsRange(h);
    return true;
  }

  private rhsRange(b: number): void {
    const a = Math.abs(b);
    if (a > 0 && a !== Infinity) { if (a < this.rhsMin) this.rhsMin = a; if (a > this.rhsMax) this.rhsMax = a; }
  }

  /**
   * Sets the objective from an accumulated linear expression and, for a QP, the lower triangle of
   * its Hessian as (row, column, value) triples with row >= column (canonical units; repeated
   * entries are added). Both are scaled by the same power of ten.
   */
  setObjective(acc: LinAcc, info: ObjectiveInfo, display: number, quad?: { i: readonly number[]; j: readonly number[]; q: readonly number[] }): void {
    this.objective = info;
    let max = 0, min = Infinity;
    for (let i = 0; i < acc.n; i++) {
      const v = Math.abs(acc.coef[acc.cols[i]!]!);
      if (v > max) max = v;
    }
    if (quad) for (const q of quad.q) max = Math.max(max, Math.abs(q));
    for (let i = 0; i < acc.n; i++) {
      const v = Math.abs(acc.coef[acc.cols[i]!]!);
      if (v > max * DROP && v < min) min = v;
    }
    const s = max > 0 ? powerOfTenScale(min, max) : 1;
    const cost = new Float64Array(this.numCols);
    for (let i = 0; i < acc.n; i++) {
      const j = acc.cols[i]!;
      const v = acc.coef[j]!;
      if (Math.abs(v) > max * DROP) cost[j] = v * s;
    }
    this.colCost = cost;
    this.objOffset = acc.c * s;
    this.objScale = s * display;
    this.hessian = quad && quad.q.length ? compressHessian(quad, this.numCols, s) : undefined;
  }

  setLowering(records: readonly LoweringRecord[], objectiveError: number): void {
    this.lowering = records;
    this.objectiveError = objectiveError;
  }

  hasIntegers(): boolean {
    for (let j = 0; j < this.numCols; j++) if (this.colType[j] !== 0) return true;
    return false;
  }

  beginRowFamily(f: Omit<RowFamily, 'first' | 'count' | 'keys'>): RowFamily {
    const fam: RowFamily = { ...f, first: this.numRows, count: 0, keys: new Int32Array(0) };
    this.rowFamilies.push(fam);
    return fam;
  }

  finish(name: string): Model {
    const colCost = this.colCost && this.colCost.length === this.numCols ? this.colCost : grow(this.colCost, this.numCols);
    let integers = 0, binaries = 0;
    let bMin = Infinity, bMax = 0, oMin = Infinity, oMax = 0;
    const lower = this.colLower.view(), upper = this.colUpper.view();
    for (let j = 0; j < this.numCols; j++) {
      const t = this.colType[j];
      if (t === 1) integers++;
      else if (t === 2) binaries++;
      const a = Math.abs(lower[j]!), b = Math.abs(upper[j]!);
      if (a > 0 && a !== Infinity) { if (a < bMin) bMin = a; if (a > bMax) bMax = a; }
      if (b > 0 && b !== Infinity) { if (b < bMin) bMin = b; if (b > bMax) bMax = b; }
      const c = Math.abs(colCost[j]!);
      if (c > 0) { if (c < oMin) oMin = c; if (c > oMax) oMax = c; }
    }
    const range = (lo: number, hi: number): [number, number] => (lo === Infinity ? [0, 0] : [lo, hi]);
    return {
      name,
      objective: this.objective,
      hessian: this.hessian,
      lowering: this.lowering,
      objectiveError: this.objectiveError,
      numCols: this.numCols,
      colLower: lower,
      colUpper: upper,
      colType: this.colType.subarray(0, this.numCols),
      colCost,
      objOffset: this.objOffset,
      objScale: this.objScale,
      numRows: this.numRows,
      rowStart: this.rowStart.view(),
      rowIndex: this.rowIndex.view(),
      rowValue: this.rowValue.view(),
      rowLower: this.rowLower.view(),
      rowUpper: this.rowUpper.view(),
      rowScale: this.rowScale.view(),
      colFamilies: this.colFamilies,
      rowFamilies: this.rowFamilies,
      stats: {
        nonzeros: this.rowIndex.n,
        integers,
        binaries,
        matrixRange: range(this.mMin, this.mMax),
        matrixRangeRows: [this.mMinRow, this.mMaxRow],
        objectiveRange: range(oMin, oMax),
        boundsRange: range(bMin, bMax),
        rhsRange: range(this.rhsMin, this.rhsMax),
        trivialRows: this.trivialRows,
      },
    };
  }
}

/** Triples (row >= column) to compressed columns, duplicates added, entries of |q| below 1e-300 dropped. */
function compressHessian(t: { i: readonly number[]; j: readonly number[]; q: readonly number[] }, n: number, scale: number): Hessian {
  const order = t.q.map((_, k) => k).sort((a, b) => t.j[a]! - t.j[b]! || t.i[a]! - t.i[b]!);
  const start = new Int32Array(n + 1);
  const index: number[] = [], value: number[] = [];
  let lastI = -1, lastJ = -1;
  for (const k of order) {
    const i = t.i[k]!, j = t.j[k]!;
    if (i === lastI && j === lastJ) { value[value.length - 1]! += t.q[k]! * scale; continue; }
    index.push(i);
    value.push(t.q[k]! * scale);
    start[j + 1]!++;
    lastI = i;
    lastJ = j;
  }
  for (let j = 0; j < n; j++) start[j + 1]! += start[j]!;
  return { start, index: Int32Array.from(index), value: Float64Array.from(value) };
}

function grow(a: Float64Array | undefined, n: number): Float64Array {
  const out = new Float64Array(n);
  if (a) out.set(a.subarray(0, Math.min(n, a.length)));
  return out;
}
