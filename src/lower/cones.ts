// Quadratic and norm terms in constraints, as second-order cones (then approximated by soc.ts).
//
// Sources, in a row normalised to `... <= rhs`:
//   norm(x_1, ..., x_n) with a positive sign     epigraph  r >= ||x||          (standard cone)
//   sum_i c_i a_i^2 <= C, C constant, c_i > 0    epigraph  s >= ||(sqrt(c_i) a_i)||, row s <= sqrt(C)
//   sum_i c_i a_i^2 + L <= rhs, L with variables  epigraph  s >= sum_i c_i a_i^2: the rotated cone
//                                                 ||z||^2 <= 2 s (1/2), row s + L <= rhs
//   sum_i c_i a_i^2 <= c u v, nothing else        the rotated cone ||(sqrt(c_i) a_i)||^2 <= 2 (c u / 2) v,
//                                                 with u >= 0 and v >= 0 (DistFlow's P^2 + Q^2 <= v l)
// A rotated cone ||z||^2 <= 2 U V is approximated in its standard form (below) with accuracy eps
// on that form; a feasible point then satisfies ||z||^2 <= 2 U V + ((1 + eps)^2 - 1)(U + V)^2 / 2,
// so U and V are balanced (U -> alpha U, V -> V / alpha) from their bounds to keep that small;
// the post-solve check reports the violation actually reached.
//   a square among other nonlinear terms          epigraph  s >= a^2 (rotated cone)
// A rotated cone ||z||^2 <= 2 u v is the standard ||(z, (u - v)/sqrt 2)|| <= (u + v)/sqrt 2.
//
// Everything is expressed in the arguments' own unit (coefficients divided by its canonical
// factor) so that the auxiliary columns of the approximation sit near the values of the model.
import { combine, constant, emitRow, type Affine } from './aux.js';
import { lowerCone, planCone, rotatedToStandard } from './soc.js';
import type { AtomContext } from './lower.js';

const scale = (a: Affine, k: number): Affine => combine(k, a, 0, constant(0));

/** Lowers ||xs|| <= t (t affine); returns the accuracy achieved. */
export function cone(ctx: AtomContext, xs: readonly Affine[], t: Affine, unitFactor: number): number {
  const plan = planCone(xs.length, ctx.options.coneAccuracy);
  const k = 1 / unitFactor;
  lowerCone(ctx.sink, xs.map((x) => scale(x, k)), scale(t, k), plan, ctx.options.coneMode, `${ctx.label}~cone`);
  ctx.coneAccuracy(plan.eps);
  return plan.eps;
}

/** r >= ||xs||: returns r (in the arguments' unit). */
export function normEpigraph(ctx: AtomContext, xs: readonly Affine[]): Affine {
  const r = ctx.value(0, Infinity, 'norm');
  cone(ctx, xs, r, ctx.argFactor);
  return r;
}

/** s >= sum_i c_i a_i^2 through the rotated cone ||(sqrt(c_i) a_i)||^2 <= 2 s (1/2); returns s. */
export function squaresEpigraph(ctx: AtomContext, terms: readonly { c: number; a: Affine }[]): Affine {
  const f = ctx.argFactor;
  // In the arguments' unit: a' = a / f, s' = s / f^2; the constant 1/2 is in the unit of s'.
  const s = ctx.value(0, Infinity, 'sq');
  const zs = terms.map((t) => scale(t.a, Math.sqrt(t.c) / f));
  const { xs, t } = rotatedToStandard(zs, scale(s, 1 / (f * f)), constant(0.5));
  const plan = planCone(xs.length, ctx.options.coneAccuracy);
  lowerCone(ctx.sink, xs, t, plan, ctx.options.coneMode, `${ctx.label}~sq`);
  ctx.coneAccuracy(plan.eps);
  return s;
}

/**
 * sum_i c_i a_i^2 <= c u v (c > 0) as a rotated cone, with u >= 0 and v >= 0. Returns the
 * expression that takes the family's row: u >= 0, in the caller's `<= 0` form (-u).
 *
 * Divided by f^2 (f the canonical factor of the a's unit) and with U = u / fu, V = v / fv in their
 * own units: ||z'||^2 <= 2 U' V with z'_i = sqrt(c_i) a_i / f and U' = (c fu fv / (2 f^2)) U.
 * (DistFlow with P, Q in MW, v in kV^2, l in kA^2: ||(P, Q)||^2 <= 2 (l / 2) v.)
 */
export function productCone(ctx: AtomContext, terms: readonly { c: number; a: Affine }[], c: number, u: Affine, v: Affine, vFactor: number): Affine {
  const f = ctx.argFactor;
  const zs = terms.map((t) => scale(t.a, Math.sqrt(t.c) / f));
  // U V is what matters: U -> alpha U, V -> V / alpha changes nothing but the balance of the
  // standard form, whose accuracy (relative to (U + V) / sqrt 2) costs least when U and V are
  // alike. The variables' bounds give their typical size.
  const U0 = scale(u, (c * vFactor) / (2 * f * f));
  const V0 = scale(v, 1 / vFactor);
  const size = (a: Affine) => { const [lo, hi] = ctx.bounds(a); return lo > 0 && hi < Infinity ? Math.sqrt(lo * hi) : hi > 0 && hi < Infinity ? hi : NaN; };
  const ratio = size(V0) / size(U0);
  const alpha = Number.isFinite(ratio) && ratio > 0 ? Math.sqrt(ratio) : 1;
  const U = scale(U0, alpha);
  const V = scale(V0, 1 / alpha);
  const { xs, t } = rotatedToStandard(zs, U, V);
  const plan = planCone(xs.length, ctx.options.coneAccuracy);
  lowerCone(ctx.sink, xs, t, plan, ctx.options.coneMode, `${ctx.label}~rcone`);
  ctx.coneAccuracy(plan.eps);
  emitRow(ctx.sink, v, 0, Infinity, `${ctx.label}~rcone.v`);
  return scale(u, -1);
}
