// Worst-case expectation over a Hellinger ball around an empirical distribution.
//
// Source:  sup_{p in P} sum_s p_s h_s <= b,  P = { p >= 0, sum p = 1, sum_s q_s phi(p_s / q_s) <= rho },
//          phi(t) = (sqrt t - 1)^2, so the divergence is sum_s (sqrt p_s - sqrt q_s)^2 = 2 - 2 sum_s sqrt(p_s q_s)
//          (an outcome with q_s = 0 costs 0 phi(p_s / 0) = p_s lim phi(t)/t = p_s).
// Target:  U affine in new columns and the h's, with  sup <= b  <=>  exists aux: U <= b  (up to the
//          polyhedral cone approximation of soc.ts, below).
//
// Conjugate: phi*(s) = sup_{t >= 0} s t - t + 2 sqrt t - 1. For s < 1 the stationary point
// sqrt t = 1 / (1 - s) gives phi*(s) = s / (1 - s); for s >= 1 the sup is +inf. So the domain is
// s < 1, i.e. h_s - eta < lambda (math.md section 1). Ben-Tal et al. (2013):
//
//     sup = inf_{lambda >= 0, eta}  lambda rho + eta + sum_s q_s lambda phi*((h_s - eta) / lambda)
//
// (Slater holds for every rho > 0: p = q has divergence 0.) With g_s = h_s - eta,
// lambda phi*(g/lambda) = lambda g / (lambda - g) = g + g^2 / (lambda - g), and since sum q = 1,
//
//     U = E_q[h] + lambda rho + sum_s q_s u_s,    u_s (lambda - g_s) >= g_s^2,  u_s >= 0,  lambda - g_s >= 0.
//
// u_s is lambda phi*(g_s/lambda) - g_s >= 0, the outcome's share of the premium over the mean.
// The closed cone admits lambda - g_s = 0 only with g_s = 0, and at lambda = 0 it leaves
// g_s <= 0, u_s >= -g_s, so U >= E_q[h] + sum q_s (eta - h_s) = eta >= max_s h_s: the limit of the
// perspective (the worst case over every p). So the closed cone is exactly the closure of the
// perspective, and the strict domain h_s - eta < lambda needs no epsilon. An outcome with q_s = 0
// keeps only its domain row lambda - g_s >= 0 (sup_{p_s >= 0} p_s (g_s - lambda) is 0 or +inf).
//
// This is the cone of math.md, w_s (lambda - h_s + eta) >= lambda^2, after w_s = lambda + g_s + u_s
// (both say lambda (w_s - lambda - g_s) >= g_s (w_s - lambda)); the two are the same set but not
// the same approximation. With the approximation's relative error on the cone, math.md's form
// loses about 2 eps lambda in U, and below rho ~ 2 eps its outer approximation is unbounded
// (lambda (rho - 1) + sum q w with w ~ (1 - 2 eps) lambda as lambda grows). Here the explicit u_s >= 0 and lambda - g_s >= 0
// keep every approximation above E_q[h] and inside the conjugate's domain (the polyhedral cone by
// itself allows u_s or lambda - g_s slightly negative).
//
// Balance. The rotated cone u v >= g^2 goes to soc.ts as (a u)(v / a) >= g^2, standard form
// ||(sqrt 2 g, (a u - v/a)/sqrt 2)|| <= (a u + v/a)/sqrt 2, whose error is relative to a u + v/a.
// At the optimum, with r_s = p_s / q_s, v_s = lambda / sqrt r_s and u_s = v_s (sqrt r_s - 1)^2,
// and sum_s q_s (sqrt r_s - 1)^2 = rho: u / v is about rho. a = 1 / sqrt(rho) (at most 1e3)
// balances the two sides. A first-order expansion (raise u_s until the point lies in the exact cone) gives the gap
// between the approximation and the exact worst case W, with v_s = lambda - h_s + eta at the optimum:
//
//     |U - W|  ~<  eps sum_s q_s v_s (a (sqrt r_s - 1)^2 + 1/a)^2 / 2  =  eps lambda rho c,
//     c = sum_s q_s (1 + (sqrt r_s - 1)^2 / rho)^2 / (2 sqrt r_s)
//
// (lambda = dW/drho; c = 1/2 at r = 1, larger when some p_s is far from q_s; the tests find the
// actual gap within this estimate). lambda rho is about half the premium W - E_q[h] for small
// rho, so the error is relative to the premium rather than to lambda, which grows like
// 1/sqrt(rho); without the balance (a = 1) it would be about eps lambda / 2, and in math.md's form
// about 2 eps lambda. `outer` gives U <= W (a relaxation), `inner` U >= W
// (conservative: every point it allows satisfies the exact cone).
//
// Special cases, exact and without cones (eps 0): rho = 0 forces p = q, U = E_q[h]; when rho >=
// 2 - 2 sqrt(min_s q_s), the largest divergence from q over the simplex (all mass on the least
// likely outcome), the ball is the simplex and U = max_s h_s.
import { combine, constant, emitRow, single, type Affine, type AuxSink } from './aux.js';
import { lowerCone, planCone, rotatedToStandard, type ConeMode } from './soc.js';
import { checkAmbiguity, expectation, maxOver } from './dro-variation.js';

const scale = (x: Affine, k: number): Affine => combine(k, x, 0, constant(0));

export interface ConeOptions {
  /** Requested relative accuracy of each cone (soc.ts). */
  readonly accuracy: number;
  readonly mode: ConeMode;
}

/** Largest Hellinger divergence from q over the simplex: 2 - 2 sqrt(min q). */
export function hellingerDiameter(q: readonly number[]): number {
  return 2 - 2 * Math.sqrt(Math.min(...q));
}

/**
 * U with sup_{p in P} sum p_s h_s <= b <=> exists aux: U <= b, P the Hellinger ball of radius rho
 * around q. `eps` is the accuracy of the cones (0 when none were needed).
 */
export function hellingerWorstCase(sink: AuxSink, q: readonly number[], h: readonly Affine[], rho: number, cone: ConeOptions, label: string): { bound: Affine; eps: number } {
  checkAmbiguity(q, h, rho, label);
  if (rho === 0) return { bound: expectation(q, h), eps: 0 };
  if (rho >= hellingerDiameter(q)) return { bound: maxOver(sink, h, label), eps: 0 };
  const plan = planCone(2, cone.accuracy);
  const a = Math.min(1e3, 1 / Math.sqrt(rho));
  const lambda = single(sink.column(0, Infinity, 0, `${label}.lambda`));
  const eta = single(sink.column(-Infinity, Infinity, 0, `${label}.eta`));
  let U = combine(1, expectation(q, h), rho, lambda);
  h.forEach((hs, s) => {
    const g = combine(1, hs, -1, eta);
    const v = combine(1, lambda, -1, g); // lambda - h_s + eta
    emitRow(sink, v, 0, Infinity, `${label}.dom${s}`);
    if (!(q[s]! > 0)) return;
    const u = single(sink.column(0, Infinity, 0, `${label}.u${s}`));
    const { xs, t } = rotatedToStandard([scale(g, Math.SQRT2)], scale(u, a), scale(v, 1 / a));
    lowerCone(sink, xs, t, plan, cone.mode, `${label}.cone${s}`);
    U = combine(1, U, q[s]!, u);
  });
  return { bound: U, eps: plan.eps };
}
