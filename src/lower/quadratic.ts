// Convex quadratic terms of the objective: sigma * a^2 with sigma > 0 in a minimisation (< 0 in a
// maximisation), a affine.
//
// As a QP (HiGHS, when the model has no integer columns): the objective is c'x + (1/2) x'Qx, so
//     sigma (v'x + c0)^2  =  (1/2) x' (2 sigma v v') x  +  2 sigma c0 v'x  +  sigma c0^2.
//
// As a piecewise-linear outer approximation (GLPK, or a MILP): tangents of a^2 at N + 1 equally
// spaced points p_k of the range [lo, hi] of a (from the variables' bounds),
//     s >= 2 p_k a - p_k^2,    k = 0..N,   and sigma a^2 is replaced by sigma s.
// The tangents lie below the parabola, so the approximated cost never exceeds the true one; on
// each interval between tangent points (width h = (hi - lo) / N) the gap is largest midway, h^2/4.
// The objective's error is therefore at most sum sigma h^2 / 4, which is reported.
import { combine, constant, emitRow, type Affine } from './aux.js';
import type { AtomContext } from './lower.js';

/** The QP form: Hessian entries (column pairs, value of Q), linear part and constant. */
export function squareToHessian(a: Affine, sigma: number, push: (i: number, j: number, q: number) => void): Affine {
  const { cols, vals, c } = a;
  for (let p = 0; p < cols.length; p++) {
    for (let q = 0; q <= p; q++) {
      const i = cols[p]!, j = cols[q]!;
      // Q = 2 sigma v v'; one triangle is stored (the diagonal once, off-diagonal pairs once).
      push(Math.max(i, j), Math.min(i, j), 2 * sigma * vals[p]! * vals[q]!);
    }
  }
  return { cols, vals: vals.map((v) => 2 * sigma * c * v), c: sigma * c * c };
}

/** The tangent outer approximation; returns the expression of s (canonical) and the error bound of sigma a^2. */
export function squareTangents(ctx: AtomContext, a: Affine, sigma: number, segments: number): { s: Affine; error: number } {
  const [lo, hi] = ctx.finiteBounds([a], 'a square in the objective approximated by tangents needs the range of its argument');
  const f = ctx.argFactor;
  const s = ctx.value(0, Math.max(lo * lo, hi * hi), 'sq');
  const a1 = combine(1 / f, a, 0, constant(0));
  const s1 = combine(1 / (f * f), s, 0, constant(0));
  const l = lo / f, h = hi / f;
  const n = hi > lo ? Math.max(1, segments) : 1;
  for (let k = 0; k <= n; k++) {
    const p = l + ((h - l) * k) / n;
    // s1 - 2 p a1 >= -p^2
    emitRow(ctx.sink, combine(1, s1, -2 * p, a1), -p * p, Infinity, `${ctx.label}~tan${k}`);
  }
  const width = (hi - lo) / n;
  return { s, error: (sigma * width * width) / 4 };
}
