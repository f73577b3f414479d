// Second-order cones by polyhedral approximation (Ben-Tal and Nemirovski, 2001).
//
// Source:  ||(x_1, ..., x_n)||_2 <= t, each x_i and t affine in the columns.
// Target:  linear rows and continuous auxiliary columns only.
//
// Three-dimensional cone sqrt(x1^2 + x2^2) <= x3 at depth nu >= 1, with theta_j = pi / 2^(j+1):
//
//     xi_0 >= |x1|,  eta_0 >= |x2|
//     xi_j  =  cos(theta_j) xi_{j-1} + sin(theta_j) eta_{j-1}                j = 1..nu
//     eta_j >= |cos(theta_j) eta_{j-1} - sin(theta_j) xi_{j-1}|              j = 1..nu
//     xi_nu <= x3,   eta_nu <= tan(theta_nu) xi_nu
//
// Each step rotates the vector (xi, eta) by -theta_j and folds it into the upper half-plane: its
// angle, in [0, pi/2] at the start, is in [0, theta_j] after step j, and its length can only grow
// (eta_j is an upper bound). Choosing every xi_j, eta_j exact shows that every point of the true
// cone is feasible (an outer approximation); conversely a feasible point has length at most
// xi_nu / cos(theta_nu) <= x3 / cos(theta_nu), so every feasible point satisfies
//
//     sqrt(x1^2 + x2^2) <= (1 + eps) x3,    eps = 1 / cos(pi / 2^(nu+1)) - 1
//
// (nu = 3: 2.0e-2, 6: 3.0e-4, 8: 1.9e-5, 10: 1.2e-6). Cost per 3-d cone: 2 nu + 2 columns and
// 3 nu + 6 rows. The last row uses theta_nu = pi / 2^(nu+1), as in Ben-Tal and Nemirovski's
// paper; shared/notes/math.md writes theta_{nu+1}, which would cut off part of the true cone.
//
// An n-dimensional cone becomes a tower of 3-d cones: components are paired, each pair bounded by
// an auxiliary r >= ||(a, b)||, the r's paired again, until one pair remains, bounded by t. The
// errors multiply along the ceil(log2 n) levels, so each level gets eps_l = (1 + eps)^(1/levels) - 1.
//
// Modes: `outer` as above (a relaxation: its optimum bounds the conic optimum from the side of
// the relaxation); `inner` replaces t by t / (1 + eps_total), so that every feasible point
// satisfies the true cone (conservative). Solving both brackets the true optimum.
import { combine, constant, emitRow, single, type Affine, type AuxSink } from './aux.js';

export type ConeMode = 'outer' | 'inner';

/** Relative accuracy of a 3-d cone at depth nu. */
export function accuracyOf(nu: number): number {
  return 1 / Math.cos(Math.PI / 2 ** (nu + 1)) - 1;
}

/** The smallest depth whose accuracy is at most eps (at least 1). */
export function depthFor(eps: number): number {
  if (!(eps > 0)) throw new RangeError(`cone accuracy must be positive, not ${eps}`);
  let nu = 1;
  while (accuracyOf(nu) > eps && nu < 40) nu++;
  return nu;
}

/** Levels of the tower of 3-d cones for an n-dimensional cone (n components under the norm). */
export function towerLevels(n: number): number {
  let levels = 0;
  for (let m = n; m > 1; m = Math.ceil(m / 2)) levels++;
  return Math.max(1, levels);
}

export interface ConePlan {
  /** Depth of every 3-d cone of the tower. */
  readonly nu: number;
  readonly levels: number;
  /** Accuracy guaranteed for the whole cone: ||x|| <= (1 + eps) t for every feasible point (outer). */
  readonly eps: number;
}

/** Depth per level and the accuracy achieved, for n components and a requested accuracy. */
export function planCone(n: number, eps: number): ConePlan {
  const levels = towerLevels(n);
  const perLevel = (1 + eps) ** (1 / levels) - 1;
  const nu = depthFor(perLevel);
  return { nu, levels, eps: (1 + accuracyOf(nu)) ** levels - 1 };
}

export interface ConeCost {
  columns: number;
  rows: number;
}

/**
 * Lowers ||(xs)||_2 <= t. Returns what was added. `label` prefixes the auxiliary names.
 * Components that are constants are allowed (a constant under the norm is a fixed length).
 */
export function lowerCone(sink: AuxSink, xs: readonly Affine[], t: Affine, plan: ConePlan, mode: ConeMode, label: string): ConeCost {
  const cost: ConeCost = { columns: 0, rows: 0 };
  const counting: AuxSink = {
    column: (lo, hi, type, l) => { cost.columns++; return sink.column(lo, hi, type, l); },
    row: (c, v, lo, hi, l) => { cost.rows++; sink.row(c, v, lo, hi, l); },
  };
  const top = mode === 'inner' ? combine(1 / (1 + plan.eps), t, 0, constant(0)) : t;
  if (xs.length === 0) {
    emitRow(counting, top, 0, Infinity, `${label}.nonneg`);
    return cost;
  }
  if (xs.length === 1) {
    // |x| <= t: exact, two rows.
    emitRow(counting, combine(1, top, -1, xs[0]!), 0, Infinity, `${label}.abs+`);
    emitRow(counting, combine(1, top, 1, xs[0]!), 0, Infinity, `${label}.abs-`);
    return cost;
  }
  // Pair components level by level; the last pair is bounded by t itself.
  let layer: Affine[] = [...xs];
  let level = 0;
  while (layer.length > 2) {
    const next: Affine[] = [];
    for (let i = 0; i < layer.length; i += 2) {
      if (i + 1 === layer.length) { next.push(layer[i]!); continue; }
      const r = counting.column(0, Infinity, 0, `${label}.r${level}_${i / 2}`);
      cone3(counting, layer[i]!, layer[i + 1]!, single(r), plan.nu, `${label}.l${level}_${i / 2}`);
      next.push(single(r));
    }
    layer = next;
    level++;
  }
  cone3(counting, layer[0]!, layer[1]!, top, plan.nu, `${label}.top`);
  return cost;
}

/** The Ben-Tal-Nemirovski rows for sqrt(x1^2 + x2^2) <= x3 at depth nu. */
export function cone3(sink: AuxSink, x1: Affine, x2: Affine, x3: Affine, nu: number, label: string): void {
  let xi = sink.column(0, Infinity, 0, `${label}.xi0`);
  let eta = sink.column(0, Infinity, 0, `${label}.eta0`);
  // xi_0 >= |x1|, eta_0 >= |x2|
  emitRow(sink, combine(1, single(xi), -1, x1), 0, Infinity, `${label}.a0+`);
  emitRow(sink, combine(1, single(xi), 1, x1), 0, Infinity, `${label}.a0-`);
  emitRow(sink, combine(1, single(eta), -1, x2), 0, Infinity, `${label}.b0+`);
  emitRow(sink, combine(1, single(eta), 1, x2), 0, Infinity, `${label}.b0-`);
  for (let j = 1; j <= nu; j++) {
    const th = Math.PI / 2 ** (j + 1);
    const c = Math.cos(th), s = Math.sin(th);
    const xi2 = sink.column(0, Infinity, 0, `${label}.xi${j}`);
    const eta2 = sink.column(0, Infinity, 0, `${label}.eta${j}`);
    // xi_j = c xi_{j-1} + s eta_{j-1}
    sink.row([xi2, xi, eta], [1, -c, -s], 0, 0, `${label}.rot${j}`);
    // eta_j >= +-(c eta_{j-1} - s xi_{j-1})
    sink.row([eta2, eta, xi], [1, -c, s], 0, Infinity, `${label}.fold${j}+`);
    sink.row([eta2, eta, xi], [1, c, -s], 0, Infinity, `${label}.fold${j}-`);
    xi = xi2;
    eta = eta2;
  }
  // xi_nu <= x3, eta_nu <= tan(theta_nu) xi_nu
  emitRow(sink, combine(1, x3, -1, single(xi)), 0, Infinity, `${label}.top`);
  sink.row([eta, xi], [1, -Math.tan(Math.PI / 2 ** (nu + 1))], -Infinity, 0, `${label}.angle`);
}

/**
 * A rotated cone ||x||^2 <= 2 u v, u, v >= 0, as the standard cone ||(x, (u - v) / sqrt 2)|| <=
 * (u + v) / sqrt 2 (both sides divided by sqrt 2 to keep coefficients near 1).
 */
export function rotatedToStandard(xs: readonly Affine[], u: Affine, v: Affine): { xs: Affine[]; t: Affine } {
  const h = Math.SQRT1_2;
  return { xs: [...xs, combine(h, u, -h, v)], t: combine(h, u, h, v) };
}
