// What reformulations work with: affine expressions over the model's columns, and a sink that
// takes the auxiliary columns and rows a reformulation adds.
//
// Every reformulation (abs.ts, soc.ts, pwl.ts, ...) is written against these two interfaces only,
// so that it can be tested on its own (test sinks collect rows; an LP solve checks the math) and
// so that model building decides names, units, scaling and the record of what was added.

/** `c + sum_k vals[k] * x[cols[k]]`, the columns in their own units. */
export interface Affine {
  readonly cols: readonly number[];
  readonly vals: readonly number[];
  readonly c: number;
}

export type ColType = 0 | 1 | 2;

export interface AuxSink {
  /** A new auxiliary column `lo <= x <= hi` of the given type; returns its index. */
  column(lo: number, hi: number, type: ColType, label: string): number;
  /** A new row `lo <= sum vals[k] * x[cols[k]] <= hi`. */
  row(cols: readonly number[], vals: readonly number[], lo: number, hi: number, label: string): void;
}

export const affine = (cols: readonly number[], vals: readonly number[], c = 0): Affine => ({ cols, vals, c });

/** The affine expression `x[j]`. */
export const single = (j: number): Affine => ({ cols: [j], vals: [1], c: 0 });

export const constant = (c: number): Affine => ({ cols: [], vals: [], c });

/** `a * x + b * y` (coefficients of repeated columns are added). */
export function combine(a: number, x: Affine, b: number, y: Affine): Affine {
  const cols: number[] = [], vals: number[] = [];
  const at = new Map<number, number>();
  const put = (k: number, j: number, v: number) => {
    if (v === 0) return;
    const i = at.get(j);
    if (i === undefined) { at.set(j, cols.length); cols.push(j); vals.push(k * v); }
    else vals[i]! += k * v;
  };
  x.cols.forEach((j, i) => put(a, j, x.vals[i]!));
  y.cols.forEach((j, i) => put(b, j, y.vals[i]!));
  return { cols, vals, c: a * x.c + b * y.c };
}

/** Emits `lo <= e <= hi` (the constant of e moves to the bounds). */
export function emitRow(sink: AuxSink, e: Affine, lo: number, hi: number, label: string): void {
  sink.row(e.cols, e.vals, lo - e.c, hi - e.c, label);
}

/** Value of an affine expression at a point. */
export function valueAt(e: Affine, x: ArrayLike<number>): number {
  let s = e.c;
  for (let k = 0; k < e.cols.length; k++) s += e.vals[k]! * x[e.cols[k]!]!;
  return s;
}

/** Bounds of an affine expression over the box of its columns' bounds (interval arithmetic). */
export function boundsOf(e: Affine, lower: ArrayLike<number>, upper: ArrayLike<number>): [number, number] {
  let lo = e.c, hi = e.c;
  for (let k = 0; k < e.cols.length; k++) {
    const v = e.vals[k]!, j = e.cols[k]!;
    if (v > 0) { lo += v * lower[j]!; hi += v * upper[j]!; }
    else { lo += v * upper[j]!; hi += v * lower[j]!; }
  }
  return [Number.isNaN(lo) ? -Infinity : lo, Number.isNaN(hi) ? Infinity : hi];
}
