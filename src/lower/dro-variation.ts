// Worst-case expectation over a variation-distance (L1) ball around an empirical distribution.
//
// Source:  sup_{p in P} sum_s p_s h_s <= b,   P = { p >= 0, sum_s p_s = 1, sum_s |p_s - q_s| <= rho },
//          each h_s affine in the columns, q the empirical probabilities (sum 1, q_s >= 0).
// Target:  an affine U in new columns and the h's columns, with  sup <= b  <=>  exists aux: U <= b.
//
// For fixed h the sup is an LP in p; its LP dual (multipliers eta for sum p = 1, lambda >= 0 for
// the radius, a_s, b_s >= 0 for t_s >= +-(p_s - q_s) after splitting |p_s - q_s| <= t_s) is
//
//     min  lambda rho + eta + sum_s q_s z_s   s.t.  z_s >= h_s - eta,  -lambda <= z_s <= lambda,
//                                                   h_s - eta <= lambda  (for every s, q_s = 0 too)
//
// with z_s = a_s - b_s (|z_s| <= lambda from a_s + b_s <= lambda). This is Ben-Tal et al.'s
// lambda rho + eta + lambda sum q_s phi*((h_s - eta)/lambda) with phi(t) = |t - 1|,
// phi*(s) = max(s, -1) on s <= 1 (shared/notes/math.md section 1). Strong LP duality holds for
// every rho >= 0 (p = q is feasible), so the reformulation is exact; since the h_s enter the
// dual's constraints only, `min over aux of U <= b` is exactly the robust constraint, with h
// depending on decisions. An outcome with q_s = 0 needs no z_s: it contributes only its domain
// row (mass may move to it, so its h_s still bounds the worst case).
//
// Written with zeta_s = z_s + lambda >= 0 (the row z_s >= -lambda becomes a bound):
//
//     U = (rho - 1) lambda + eta + sum_{q_s > 0} q_s zeta_s
//     zeta_s - lambda + eta >= h_s  (q_s > 0),   lambda + eta >= h_s  (all s),   lambda, zeta >= 0
//
// Check (math.md): for fixed h the worst case moves rho/2 of mass from the lowest outcomes to the
// highest one. When rho >= 2 (1 - min_s q_s), the largest divergence from q over the simplex (all
// mass on the least likely outcome), the ball holds every distribution and the worst case is
// max_s h_s: that case is emitted directly as the epigraph  eta >= h_s,  U = eta.
//
// The checks shared with dro-hellinger.ts and dro-chi2.ts are here too.
import { combine, constant, emitRow, single, type Affine, type AuxSink } from './aux.js';

/** Rejects a malformed ambiguity set: lengths, probabilities (sum 1 within 1e-9), the radius. */
export function checkAmbiguity(q: readonly number[], h: readonly Affine[], rho: number, what: string): void {
  if (q.length === 0 || q.length !== h.length) throw new RangeError(`${what}: ${q.length} probabilities for ${h.length} outcomes`);
  let sum = 0;
  for (const p of q) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`${what}: probability ${p} outside [0, 1]`);
    sum += p;
  }
  if (!(Math.abs(sum - 1) <= 1e-9)) throw new RangeError(`${what}: probabilities sum to ${sum}, not 1`);
  if (!(rho >= 0 && rho < Infinity)) throw new RangeError(`${what}: radius must be finite and nonnegative, not ${rho}`);
}

/** sum_s q_s h_s. */
export function expectation(q: readonly number[], h: readonly Affine[]): Affine {
  let e = constant(0);
  q.forEach((p, s) => { if (p > 0) e = combine(1, e, p, h[s]!); });
  return e;
}

/** The epigraph of max_s h_s: a column eta >= h_s for every s; returns eta. */
export function maxOver(sink: AuxSink, h: readonly Affine[], label: string): Affine {
  const eta = single(sink.column(-Infinity, Infinity, 0, `${label}.max`));
  h.forEach((hs, s) => emitRow(sink, combine(1, eta, -1, hs), 0, Infinity, `${label}.max${s}`));
  return eta;
}

/**
 * An upper bound U (affine, in aux columns + the h's columns) with  sup_{p in P} sum_s p_s h_s <= b  <=>  exists aux: U <= b,
 * P = { p >= 0, sum p = 1, sum_s |p_s - q_s| <= rho }. Linear (dual of the LP over p).
 */
export function variationWorstCase(sink: AuxSink, q: readonly number[], h: readonly Affine[], rho: number, label: string): Affine {
  checkAmbiguity(q, h, rho, label);
  if (rho >= 2 * (1 - Math.min(...q))) return maxOver(sink, h, label);
  const lambda = single(sink.column(0, Infinity, 0, `${label}.lambda`));
  const eta = single(sink.column(-Infinity, Infinity, 0, `${label}.eta`));
  let U = combine(rho - 1, lambda, 1, eta);
  h.forEach((hs, s) => {
    // lambda + eta - h_s >= 0: the domain of phi*, for every outcome.
    emitRow(sink, combine(1, combine(1, lambda, 1, eta), -1, hs), 0, Infinity, `${label}.dom${s}`);
    if (!(q[s]! > 0)) return;
    const zeta = single(sink.column(0, Infinity, 0, `${label}.zeta${s}`));
    // zeta_s - lambda + eta - h_s >= 0
    emitRow(sink, combine(1, combine(1, zeta, -1, lambda), 1, combine(1, eta, -1, hs)), 0, Infinity, `${label}.z${s}`);
    U = combine(1, U, q[s]!, zeta);
  });
  return U;
}
