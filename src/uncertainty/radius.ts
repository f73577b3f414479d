// Radii of phi-divergence ambiguity sets from data, their largest meaningful value, and the risk
// level that makes a distributionally robust chance constraint an ordinary one
// (shared/notes/math.md sections 1 and 2). Divergences, with q the empirical distribution:
//
//   variation  phi(t) = |t - 1|        D = sum |p_s - q_s|
//   hellinger  phi(t) = (sqrt t - 1)^2  D = sum (sqrt p_s - sqrt q_s)^2 = 2 - 2 sum sqrt(p_s q_s)
//   chi2       phi(t) = (t - 1)^2       D = sum (p_s - q_s)^2 / q_s
//
// Radius (confidence 1 - alpha, N samples, K outcomes):
// - variation: Weissman et al.'s L1 deviation bound P(||q - p||_1 >= r) <= (2^K - 2) exp(-N r^2 / 2)
//   gives rho = sqrt((2/N) ln((2^K - 2) / alpha)), with ln(2^K - 2) = K ln 2 + log1p(-2^(1-K)) so that
//   large K neither overflows nor loses the -2. K = 1 has nothing to be uncertain about: rho = 0.
// - smooth phi (Pardo; Ben-Tal et al. 2013): (2N / phi''(1)) D(q || p) is asymptotically
//   chi-square with K - 1 degrees of freedom, so rho = phi''(1) / (2N) chi2_{K-1}(1 - alpha).
//   Hellinger: phi'(t) = 1 - t^(-1/2), phi''(t) = t^(-3/2) / 2, phi''(1) = 1/2. Chi-square:
//   phi'' = 2. (K = 1: rho = 0.)
//
// Largest divergence (maxDivergence): the sup of D(p || q) over p in the simplex, a convex function of
// p, is at a vertex p = e_s: variation |1 - q_s| + (1 - q_s) = 2 (1 - q_s); Hellinger 2 - 2 sqrt(q_s);
// chi-square (1 - q_s)^2 / q_s + (1 - q_s) = 1/q_s - 1 (outcomes with q_s = 0 are unreachable). So
// for a given q it is 2 (1 - min q), 2 - 2 sqrt(min q), 1/min q - 1, and over every q (disjoint
// supports) 2, 2 and +inf. A radius at or beyond it puts every distribution in the set (worst
// case: max_s h_s); the Hellinger value 2 is the same as the variation's, not 1 (that is for the
// other normalisation, phi = (sqrt t - 1)^2 / 2).
//
// Adjusted risk (Jiang and Guan 2016). Let V be the violation event and v = Q(V) its empirical
// share. By the data-processing inequality the two-point distribution (P(V), 1 - P(V)) is no
// farther from (v, 1 - v) than P from Q, and splitting within V and its complement in proportion
// to q attains it, so
//
//     f(v) = sup { P(V) : D(P || Q) <= rho } = max { pi : d(pi, v) <= rho },
//     d(pi, v) = v phi(pi / v) + (1 - v) phi((1 - pi) / (1 - v)).
//
// f is nondecreasing; the robust constraint f(v) <= eps holds iff v <= eps', the largest v with
// d(eps, v) >= rho, in closed form:
// - variation: d = 2 |pi - v|, f(v) = v + rho/2, eps' = eps - rho / 2.
// - hellinger: with eps = sin^2 a, v = sin^2 b, d = 2 - 2 cos(a - b), so f(v) <= eps iff
//   b <= a - acos(1 - rho/2): eps' = sin^2(asin(sqrt eps) - acos(1 - rho/2)). Even v = 0 lets P(V)
//   reach 1 - (1 - rho/2)^2; past that no positive level works.
// - chi2: d = (pi - v)^2 / (v (1 - v)), f(v) = v + sqrt(rho v (1 - v)); f(v) = eps is
//   (1 + rho) v^2 - (2 eps + rho) v + eps^2 = 0, whose smaller root, written without cancellation,
//   is eps' = 2 eps^2 / (2 eps + rho + sqrt(rho^2 + 4 eps rho (1 - eps))) > 0.
// A result <= 0 means no positive level works (variation and Hellinger give the signed value).
import { chiSquareQuantile } from './stats.js';

export type Divergence = 'variation' | 'hellinger' | 'chi2';

function check(divergence: string): asserts divergence is Divergence {
  if (divergence !== 'variation' && divergence !== 'hellinger' && divergence !== 'chi2') throw new RangeError(`unknown divergence ${divergence}`);
}

/** Radius of the set around the empirical distribution of `samples` draws on `outcomes` outcomes. */
export function radiusFor(divergence: Divergence, confidence: number, samples: number, outcomes: number): number {
  check(divergence);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), not ${confidence}`);
  if (!(samples >= 1 && samples < Infinity)) throw new RangeError(`samples must be at least 1, not ${samples}`);
  if (!(Number.isInteger(outcomes) && outcomes >= 1)) throw new RangeError(`outcomes must be a positive integer, not ${outcomes}`);
  if (outcomes === 1) return 0;
  const alpha = 1 - confidence;
  if (divergence === 'variation') {
    const lnCount = outcomes * Math.LN2 + Math.log1p(-(2 ** (1 - outcomes))); // ln(2^K - 2)
    return Math.sqrt((2 / samples) * (lnCount - Math.log(alpha)));
  }
  const curvature = divergence === 'hellinger' ? 0.5 : 2;
  return (curvature / (2 * samples)) * chiSquareQuantile(confidence, outcomes - 1);
}

/**
 * Supremum of D(p || q) over all distributions p: for the given q when there is one, over every
 * q otherwise (2, 2 and Infinity).
 */
export function maxDivergence(divergence: Divergence, q?: readonly number[]): number {
  check(divergence);
  if (q === undefined) return divergence === 'chi2' ? Infinity : 2;
  const qmin = Math.min(...q);
  if (divergence === 'variation') return 2 * (1 - qmin);
  if (divergence === 'hellinger') return 2 - 2 * Math.sqrt(qmin);
  return 1 / Math.min(...q.filter((p) => p > 0)) - 1;
}

/**
 * Risk level eps' such that the sample chance constraint at eps' is the distributionally robust
 * one at eps over the ball of radius rho; <= 0 when no positive level works.
 */
export function adjustedRisk(divergence: Divergence, eps: number, rho: number): number {
  check(divergence);
  if (!(eps > 0 && eps < 1)) throw new RangeError(`risk level must be in (0, 1), not ${eps}`);
  if (!(rho >= 0 && rho < Infinity)) throw new RangeError(`radius must be finite and nonnegative, not ${rho}`);
  if (divergence === 'variation') return eps - rho / 2;
  if (divergence === 'hellinger') {
    const b = Math.asin(Math.sqrt(eps)) - Math.acos(Math.max(-1, 1 - rho / 2));
    return Math.sign(b) * Math.sin(b) ** 2;
  }
  return (2 * eps * eps) / (2 * eps + rho + Math.sqrt(rho * rho + 4 * eps * rho * (1 - eps)));
}
