// Incremental construction of the sparse model, in time and memory linear in the nonzeros:
// growable typed arrays, no per-row objects. Rows are scaled by powers of ten as they arrive.
import type { LinAcc } from '../lower/values.js';
import type { ColFamily, Model, ObjectiveInfo, RowFamily } from './model.js';

class F64 {
  a = new Float64Array(1024);
  n = 0;
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
  const e = -Math.round(Math.log10(Math.sqrt(lo * hi)));
  return e === 0 ? 1 : 10 ** e;
}

const DROP = 1e-13;

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
  private mMin = Infinity;
  private mMax = 0;
  private rhsMin = Infinity;
  private rhsMax = 0;

  constructor() {
    this.rowStart.push(0);
  }

  get numRows(): number {
    return this.rowLower.n;
  }

  /** Allocates `count` columns with the given type; bounds default to free (binary: [0, 1]). */
  addColumns(count: number, type: 0 | 1 | 2): number {
    const base = this.numCols;
    const need = base + count;
    if (need > this.colType.length) {
      let cap = this.colType.length * 2;
      while (cap < need) cap *= 2;
      const t = new Uint8Array(cap);
      t.set(this.colType.subarray(0, base));
      this.colType = t;
    }
    this.colType.fill(type, base, need);
    for (let i = 0; i < count; i++) {
      this.colLower.push(type === 2 ? 0 : -Infinity);
      this.colUpper.push(type === 2 ? 1 : Infinity);
    }
    this.numCols = need;
    return base;
  }

  setColLower(j: number, v: number): void {
    this.colLower.a[j] = this.colType[j] === 2 ? Math.max(0, v) : v;
  }
  setColUpper(j: number, v: number): void {
    this.colUpper.a[j] = this.colType[j] === 2 ? Math.min(1, v) : v;
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
    let max = 0;
    for (let i = 0; i < acc.n; i++) {
      const v = Math.abs(acc.coef[acc.cols[i]!]!);
      if (v > max) max = v;
    }
    if (max === 0) return false;
    const cut = max * DROP;
    let min = Infinity;
    for (let i = 0; i < acc.n; i++) {
      const v = Math.abs(acc.coef[acc.cols[i]!]!);
      if (v > cut && v < min) min = v;
    }
    const s = powerOfTenScale(min, max);
    // Sorted column order makes the files deterministic and readable.
    const cols = acc.cols.subarray(0, acc.n);
    if (acc.n > 1) cols.sort();
    for (let i = 0; i < acc.n; i++) {
      const j = cols[i]!;
      const v = acc.coef[j]!;
      if (Math.abs(v) <= cut) continue;
      const e = v * s;
      this.rowIndex.push(j);
      this.rowValue.push(e);
      const a = Math.abs(e);
      if (a < this.mMin) this.mMin = a;
      if (a > this.mMax) this.mMax = a;
    }
    this.rowStart.push(this.rowIndex.n);
    const l = lo * s, h = hi * s;
    this.rowLower.push(l);
    this.rowUpper.push(h);
    this.rowScale.push(s * display);
    for (const b of [l, h]) {
      const a = Math.abs(b);
      if (a > 0 && Number.isFinite(a)) { if (a < this.rhsMin) this.rhsMin = a; if (a > this.rhsMax) this.rhsMax = a; }
    }
    return true;
  }

  /** Sets the objective from an accumulated linear expression (canonical units). */
  setObjective(acc: LinAcc, info: ObjectiveInfo, display: number): void {
    this.objective = info;
    let max = 0, min = Infinity;
    for (let i = 0; i < acc.n; i++) {
      const v = Math.abs(acc.coef[acc.cols[i]!]!);
      if (v > max) max = v;
    }
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
      for (const b of [lower[j]!, upper[j]!]) {
        const a = Math.abs(b);
        if (a > 0 && Number.isFinite(a)) { if (a < bMin) bMin = a; if (a > bMax) bMax = a; }
      }
      const c = Math.abs(colCost[j]!);
      if (c > 0) { if (c < oMin) oMin = c; if (c > oMax) oMax = c; }
    }
    const range = (lo: number, hi: number): [number, number] => (lo === Infinity ? [0, 0] : [lo, hi]);
    return {
      name,
      objective: this.objective,
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
        objectiveRange: range(oMin, oMax),
        boundsRange: range(bMin, bMax),
        rhsRange: range(this.rhsMin, this.rhsMax),
        trivialRows: this.trivialRows,
      },
    };
  }
}

function grow(a: Float64Array | undefined, n: number): Float64Array {
  const out = new Float64Array(n);
  if (a) out.set(a.subarray(0, Math.min(n, a.length)));
  return out;
}
