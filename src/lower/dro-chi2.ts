// Worst-case expectation over a chi-square ball around an empirical distribution.
//
// Source:  sup_{p in P} sum_s p_s h_s <= b,  P = { p >= 0, sum p = 1, sum_s q_s phi(p_s / q_s) <= rho },
//          phi(t) = (t - 1)^2, so the divergence is sum_s (p_s - q_s)^2 / q_s (Neyman's chi-square). An
//          outcome with q_s = 0 costs 0 phi(p_s / 0) = p_s lim phi(t)/t = +inf unless p_s = 0: it is
//          unreachable and its h_s does not matter.
// Target:  U affine in new columns and the h's, with  sup <= b  <=>  exists aux: U <= b  (up to the
//          polyhedral cone approximation of soc.ts, below).
//
// Conjugate: phi*(s) = sup_{t >= 0} s t - (t - 1)^2. The stationary point t = 1 + s/2 is
// admissible iff s >= -2 and gives s (1 + s/2) - s^2/4 = s + s^2/4; for s < -2 the sup is at t = 0,
// -1. So phi*(s) = s + s^2/4 (s >= -2), -1 (s < -2) = (s + 2)_+^2 / 4 - 1: finite everywhere,
// continuous and differentiable at -2 (value -1, slope 0). Check, phi** = phi: for t >= 0,
// sup_s t s - s - s^2/4 is at s = 2(t - 1) >= -2 and equals (t - 1)^2. Ben-Tal et al.'s dual is
//
//     inf_{lambda >= 0, eta}  lambda (rho - 1) + eta + sum_s q_s (h_s - eta + 2 lambda)_+^2 / (4 lambda)
//
// (rotated cones 4 lambda w_s >= z_s^2, z_s >= h_s - eta + 2 lambda, z_s >= 0). It is exact, but
// its terms grow like lambda ~ 1/sqrt(rho) and cancel (w_s - lambda), so a cone error relative to
// lambda becomes an absolute error on U. What is written instead is the same value in a form
// whose one cone has the size of a standard deviation. Only p >= 0 is dualised (multipliers
// omega >= 0); E = { sum p = 1, sum (p_s - q_s)^2 / q_s <= rho } is a compact ellipsoid, so by
// Sion's minimax theorem
//
//     sup_{p in E, p >= 0} p.h = min_{omega >= 0} sup_{p in E} p.(h + omega)
//                              = min_{k >= h}  E_q[k] + sqrt(rho) sigma_q(k),
//     sigma_q(k) = || ( sqrt(q_s) (k_s - E_q[k]) )_s ||_2,
//
// the inner sup by Cauchy-Schwarz (p = q + d with sum d = 0: sup d.k = sup d.(k - E_q k) over
// sum d_s^2 / q_s <= rho is sqrt(rho) sigma_q(k)). k = h + omega raises the low outcomes to a
// floor, where the worst case puts no mass, the flat piece s < -2 of phi*. Rows, over the outcomes
// with q_s > 0:
//
//     U = m + sqrt(rho) t,   k_s >= h_s,   m = sum_s q_s k_s,   t >= ||(sqrt(q_s) (k_s - m))_s||
//
// one cone with n = #{q_s > 0} components (a tower of n - 1 three-dimensional cones in soc.ts).
//
// Accuracy. soc.ts's outer cone gives sigma <= (1 + eps) t, its inner one allows every t >=
// (1 + eps) sigma, so W(rho / (1 + eps)^2) <= U_outer <= W(rho) <= U_inner <= W(rho (1 + eps)^2), W
// the exact worst case: the cone error is exactly a relative change of sqrt(rho). W is concave
// and nondecreasing in sqrt(rho) (mixing two feasible p mixes their radii), so
//
//     |U - W| <= eps (W - E_q[h])                         eps relative to the premium over the mean.
//
// Special cases, exact and without cones (eps 0): rho = 0 gives E_q[h]; when rho >= 1/min q_s - 1
// (min over the reachable outcomes), the largest divergence from q over their simplex (all mass
// on the least likely one), the ball holds every reachable distribution and U = max h_s over them.
import { combine, emitRow, single, type Affine, type AuxSink } from './aux.js';
import { lowerCone, planCone } from './soc.js';
import { checkAmbiguity, expectation, maxOver } from './dro-variation.js';
import type { ConeOptions } from './dro-hellinger.js';

/** Largest chi-square divergence from q over the distributions it allows: 1/min(q > 0) - 1. */
export function chi2Diameter(q: readonly number[]): number {
  return 1 / Math.min(...q.filter((p) => p > 0)) - 1;
}

/**
 * U with sup_{p in P} sum p_s h_s <= b <=> exists aux: U <= b, P the chi-square ball of radius
 * rho around q. `eps` is the accuracy of the cone (0 when none was needed).
 */
export function chi2WorstCase(sink: AuxSink, q: readonly number[], h: readonly Affine[], rho: number, cone: ConeOptions, label: string): { bound: Affine; eps: number } {
  checkAmbiguity(q, h, rho, label);
  if (rho === 0) return { bound: expectation(q, h), eps: 0 };
  const support = q.map((_, s) => s).filter((s) => q[s]! > 0);
  if (rho >= chi2Diameter(q)) return { bound: maxOver(sink, support.map((s) => h[s]!), label), eps: 0 };
  const m = single(sink.column(-Infinity, Infinity, 0, `${label}.mean`));
  const t = single(sink.column(0, Infinity, 0, `${label}.sd`));
  const mean: number[] = [], weights: number[] = [];
  const xs = support.map((s) => {
    const k = sink.column(-Infinity, Infinity, 0, `${label}.k${s}`);
    emitRow(sink, combine(1, single(k), -1, h[s]!), 0, Infinity, `${label}.floor${s}`);
    mean.push(k);
    weights.push(q[s]!);
    const w = Math.sqrt(q[s]!);
    return combine(w, single(k), -w, m);
  });
  // m - sum q_s k_s = 0
  sink.row([m.cols[0]!, ...mean], [1, ...weights.map((w) => -w)], 0, 0, `${label}.mean`);
  const plan = planCone(xs.length, cone.accuracy);
  lowerCone(sink, xs, t, plan, cone.mode, `${label}.cone`);
  return { bound: combine(1, m, Math.sqrt(rho), t), eps: plan.eps };
}
