// Nonlinear terms ("atoms") of the expressions a user writes: abs, max, min, piecewise-linear
// functions, squares, products of two affine expressions, and Euclidean norms.
//
// The checker compiles `abs(p[t] - q[t])` into a closure that hands an AtomNode to the
// accumulator (values.ts). While a row is built the atom's affine arguments are evaluated for the
// row's indices (an AtomUse); the row's lowering (lower.ts) then decides from the atom's curvature
// and the sign it appears with which reformulation applies — an epigraph (no binaries), an exact
// mixed-integer form, a cone — exactly as a DCP compiler would, but with the signs of parameter
// coefficients known, since they are evaluated per row.
import type { LinFn } from '../check/program.js';
import type { Unit } from '../check/units.js';
import type { Acc } from './values.js';
import type { Span } from '../diagnostics/diagnostic.js';
import type { Env } from '../check/program.js';
import type { Affine } from './aux.js';

export type AtomKind = 'abs' | 'max' | 'min' | 'pwl' | 'square' | 'product' | 'norm';

/** Breakpoints and values of a piecewise-linear function, canonical units, xs strictly increasing. */
export interface PwlData {
  readonly xs: Float64Array;
  readonly ys: Float64Array;
}

export interface AtomNode {
  readonly kind: AtomKind;
  /**
   * Evaluates the affine arguments for the current indices, each into a fresh accumulator from
   * `make` (the checker rejects nested atoms). A fixed list for `abs(x - y)`, one per element for
   * the reduction `max(i in I) x[i]`.
   */
  readonly args: <A extends Acc>(env: Env, make: () => A) => A[];
  /** Unit of the arguments, and of the atom's value (canonical factor used for auxiliary columns). */
  readonly argUnit: Unit;
  /** The unit of each argument, where they differ (a product u * v). */
  readonly argUnits?: readonly Unit[];
  readonly unit: Unit;
  readonly span: Span;
  /** For `pwl`: the breakpoints, evaluated per row (they may come from indexed data). */
  readonly data?: (env: Env) => PwlData;
}

/** Arguments given as a fixed list of closures. */
export function fixedArgs(fs: readonly LinFn[]): AtomNode['args'] {
  return (env, make) => fs.map((f) => {
    const a = make();
    f(env, 1, a);
    return a;
  });
}

/** An atom as it occurs in one row: its multiplier and its arguments for that row's indices. */
export interface AtomUse {
  readonly node: AtomNode;
  readonly k: number;
  readonly args: readonly Affine[];
  readonly data?: PwlData;
}

/** Curvature of the atom as a function of its arguments. */
export function curvature(kind: AtomKind, data?: PwlData): 'convex' | 'concave' | 'affine' | 'none' {
  switch (kind) {
    case 'abs': case 'max': case 'square': case 'norm': return 'convex';
    case 'min': return 'concave';
    case 'product': return 'none';
    case 'pwl': return data ? pwlCurvature(data) : 'none';
  }
}

/** Convex when the slopes never decrease, concave when they never increase. */
export function pwlCurvature(d: PwlData): 'convex' | 'concave' | 'affine' | 'none' {
  let up = false, down = false;
  let prev = NaN;
  for (let i = 1; i < d.xs.length; i++) {
    const s = (d.ys[i]! - d.ys[i - 1]!) / (d.xs[i]! - d.xs[i - 1]!);
    if (i > 1) {
      const tol = 1e-12 * Math.max(1, Math.abs(s), Math.abs(prev));
      if (s > prev + tol) up = true;
      else if (s < prev - tol) down = true;
    }
    prev = s;
  }
  return up && down ? 'none' : up ? 'convex' : down ? 'concave' : 'affine';
}

/** Value of a piecewise-linear function; outside the breakpoints it is undefined (NaN). */
export function pwlValue(d: PwlData, x: number): number {
  const n = d.xs.length;
  const tol = 1e-9 * Math.max(1, Math.abs(d.xs[0]!), Math.abs(d.xs[n - 1]!));
  if (x < d.xs[0]! - tol || x > d.xs[n - 1]! + tol) return NaN;
  let lo = 0, hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (d.xs[mid]! <= x) lo = mid; else hi = mid;
  }
  const x0 = d.xs[lo]!, x1 = d.xs[hi]!;
  const w = x1 === x0 ? 0 : (Math.min(Math.max(x, x0), x1) - x0) / (x1 - x0);
  return d.ys[lo]! + w * (d.ys[hi]! - d.ys[lo]!);
}

/** The atom's value at given argument values (canonical units). */
export function atomValue(node: { kind: AtomKind }, v: readonly number[], data?: PwlData): number {
  switch (node.kind) {
    case 'abs': return Math.abs(v[0]!);
    case 'max': return Math.max(...v);
    case 'min': return Math.min(...v);
    case 'square': return v[0]! * v[0]!;
    case 'product': return v[0]! * v[1]!;
    case 'norm': return Math.hypot(...v);
    case 'pwl': return pwlValue(data!, v[0]!);
  }
}
