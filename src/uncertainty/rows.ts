// A row as built in one world, kept to compare it with the same row in other worlds (a row that
// is the same in every world is added once) or to combine the worlds' rows into one treated row
// (an expectation, a chance constraint, a robust counterpart).
import type { AtomUse } from '../lower/atoms.js';
import type { Affine } from '../lower/aux.js';
import type { Literal } from '../lower/indicator.js';
import type { Elem, LinAcc } from '../lower/values.js';

export interface RowSnap {
  /** Linear part, columns ascending (canonical units; the constant is in lo and hi). */
  readonly cols: Int32Array;
  readonly vals: Float64Array;
  readonly lo: number;
  readonly hi: number;
  readonly atoms: readonly AtomUse[];
  readonly literals?: readonly Literal[];
  readonly tuple: readonly Elem[];
  readonly label: string;
}

export function snapshot(acc: LinAcc, lo: number, hi: number, literals: readonly Literal[] | undefined, tuple: readonly Elem[], label: string): RowSnap {
  const n = acc.n;
  const order = Array.from(acc.cols.subarray(0, n)).sort((a, b) => a - b);
  const cols: number[] = [], vals: number[] = [];
  for (const j of order) {
    const v = acc.coef[j]!;
    if (v !== 0) { cols.push(j); vals.push(v); }
  }
  return { cols: Int32Array.from(cols), vals: Float64Array.from(vals), lo, hi, atoms: acc.atoms.slice(), literals, tuple, label };
}

function sameAffine(a: Affine, b: Affine): boolean {
  if (a.c !== b.c || a.cols.length !== b.cols.length) return false;
  for (let i = 0; i < a.cols.length; i++) if (a.cols[i] !== b.cols[i] || a.vals[i] !== b.vals[i]) return false;
  return true;
}

function sameArray(a: ArrayLike<number> | undefined, b: ArrayLike<number> | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Exactly the same row (same columns, coefficients, bounds, nonlinear terms and conditions). */
export function sameRow(a: RowSnap, b: RowSnap): boolean {
  if (a.lo !== b.lo || a.hi !== b.hi || !sameArray(a.cols, b.cols) || !sameArray(a.vals, b.vals)) return false;
  if (a.atoms.length !== b.atoms.length || (a.literals?.length ?? 0) !== (b.literals?.length ?? 0)) return false;
  for (let i = 0; i < a.atoms.length; i++) {
    const x = a.atoms[i]!, y = b.atoms[i]!;
    if (x.node !== y.node || x.k !== y.k || x.args.length !== y.args.length) return false;
    for (let k = 0; k < x.args.length; k++) if (!sameAffine(x.args[k]!, y.args[k]!)) return false;
    if (!sameArray(x.data?.xs, y.data?.xs) || !sameArray(x.data?.ys, y.data?.ys)) return false;
  }
  for (let i = 0; i < (a.literals?.length ?? 0); i++) {
    if (a.literals![i]!.col !== b.literals![i]!.col || a.literals![i]!.negated !== b.literals![i]!.negated) return false;
  }
  return true;
}

/** The same index tuple. */
export function sameTuple(a: RowSnap, b: RowSnap): boolean {
  if (a.tuple.length !== b.tuple.length) return false;
  for (let i = 0; i < a.tuple.length; i++) if (a.tuple[i] !== b.tuple[i]) return false;
  return true;
}

/**
 * The row as `r <= 0`: `acc <= hi` gives r = acc - hi, `acc >= lo` gives r = lo - acc (linear
 * part only; a two-sided row has two).
 */
export function sides(s: RowSnap): { r: Affine; upper: boolean }[] {
  const out: { r: Affine; upper: boolean }[] = [];
  if (s.hi !== Infinity) out.push({ r: { cols: Array.from(s.cols), vals: Array.from(s.vals), c: -s.hi }, upper: true });
  if (s.lo !== -Infinity) out.push({ r: { cols: Array.from(s.cols), vals: Array.from(s.vals, (v) => -v), c: s.lo }, upper: false });
  return out;
}

/** a - b. */
export function difference(a: Affine, b: Affine): Affine {
  const m = new Map<number, number>();
  a.cols.forEach((j, k) => m.set(j, (m.get(j) ?? 0) + a.vals[k]!));
  b.cols.forEach((j, k) => m.set(j, (m.get(j) ?? 0) - b.vals[k]!));
  const cols: number[] = [], vals: number[] = [];
  for (const [j, v] of [...m].sort((x, y) => x[0] - y[0])) if (v !== 0) { cols.push(j); vals.push(v); }
  return { cols, vals, c: a.c - b.c };
}

/** Largest absolute coefficient (and constant) of an affine expression. */
export function magnitude(a: Affine): number {
  let m = Math.abs(a.c);
  for (const v of a.vals) m = Math.max(m, Math.abs(v));
  return m;
}
