// Univariate marginals, each given by its inverse CDF F^{-1}, so that a copula sample u in (0,1)^d
// becomes scenario values x_i = F_i^{-1}(u_i) (math.md section 6), plus closed-form means and
// variances for moment-based chance constraints (math.md section 2: mu and Sigma).
//
//   normal(mu, s)           F^{-1}(u) = mu + s Phi^{-1}(u)
//   truncnormal(mu, s, l, h) with a = (l - mu)/s, b = (h - mu)/s, Z = Phi(b) - Phi(a):
//                           F^{-1}(u) = mu + s Phi^{-1}(Phi(a) + u Z); mean mu + s (phi(a) - phi(b)) / Z.
//                           An interval in the upper tail is reflected (x -> 2mu - x) so that Phi is
//                           only ever evaluated where it is small and hence accurate.
//   beta(a, b) on [l, h]    l + (h - l) I^{-1}_u(a, b)  (regularised incomplete beta inverse, stdlib)
//   weibull(k, lambda)      lambda (-ln(1 - u))^{1/k};  mean lambda Gamma(1 + 1/k)
//   uniform(l, h)           l + u (h - l)
//   empirical(x_1..x_n)     see empiricalQuantile below (Hazen's rule, Hyndman-Fan type 5).

import gamma from '@stdlib/math-base-special-gamma';
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
import { normalCdf, normalQuantile } from './stats.js';

export type Marginal =
  | { kind: 'normal'; mean: number; sd: number }
  | { kind: 'truncnormal'; mean: number; sd: number; lo: number; hi: number } // lo/hi may be -Infinity/Infinity
  | { kind: 'beta'; a: number; b: number; lo: number; hi: number } // Beta(a,b) scaled to [lo, hi]
  | { kind: 'weibull'; shape: number; scale: number }
  | { kind: 'uniform'; lo: number; hi: number }
  | { kind: 'empirical'; values: readonly number[] };

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const phi = (z: number): number => (Number.isFinite(z) ? INV_SQRT_2PI * Math.exp(-0.5 * z * z) : 0);

/** Standardised truncation interval, reflected into the lower half so Phi stays accurate. */
function truncStd(m: { mean: number; sd: number; lo: number; hi: number }) {
  let a = (m.lo - m.mean) / m.sd;
  let b = (m.hi - m.mean) / m.sd;
  let sign = 1;
  if (a + b > 0) {
    [a, b] = [-b, -a];
    sign = -1;
  }
  const pa = normalCdf(a);
  const pb = normalCdf(b);
  return { a, b, sign, pa, pb, z: pb - pa };
}

const fmt = (v: unknown): string => (typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v));

/** A user-facing message for bad parameters, or undefined if the marginal is usable. */
export function marginalError(m: Marginal): string | undefined {
  const finite = (name: string, v: number): string | undefined =>
    typeof v === 'number' && Number.isFinite(v) ? undefined : `${m.kind}: ${name} must be a finite number (got ${fmt(v)})`;
  const positive = (name: string, v: number): string | undefined =>
    finite(name, v) ?? (v > 0 ? undefined : `${m.kind}: ${name} must be greater than 0 (got ${fmt(v)})`);
  const interval = (lo: number, hi: number, infinite: boolean): string | undefined => {
    for (const [name, v] of [['lo', lo], ['hi', hi]] as const) {
      const bad = infinite ? typeof v !== 'number' || Number.isNaN(v) : !Number.isFinite(v);
      if (bad) return `${m.kind}: ${name} must be a ${infinite ? '' : 'finite '}number (got ${fmt(v)})`;
    }
    return lo < hi ? undefined : `${m.kind}: lo must be less than hi (got lo = ${lo}, hi = ${hi})`;
  };
  switch (m.kind) {
    case 'normal':
      return finite('mean', m.mean) ?? positive('sd', m.sd);
    case 'truncnormal': {
      const e = finite('mean', m.mean) ?? positive('sd', m.sd) ?? interval(m.lo, m.hi, true);
      if (e) return e;
      if (!(truncStd(m).z > 1e-300)) {
        return `truncnormal: the interval [${m.lo}, ${m.hi}] has no probability under a normal with mean ${m.mean} and sd ${m.sd} (it lies too far in the tail); move it closer to the mean or widen sd`;
      }
      return undefined;
    }
    case 'beta':
      return positive('a', m.a) ?? positive('b', m.b) ?? interval(m.lo, m.hi, false);
    case 'weibull':
      return positive('shape', m.shape) ?? positive('scale', m.scale);
    case 'uniform':
      return interval(m.lo, m.hi, false);
    case 'empirical': {
      if (!Array.isArray(m.values) || m.values.length === 0) return 'empirical: needs at least one value';
      const i = m.values.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
      return i < 0 ? undefined : `empirical: value ${i + 1} must be a finite number (got ${fmt(m.values[i])})`;
    }
    default:
      return `unknown marginal kind ${fmt((m as { kind: unknown }).kind)}`;
  }
}

/**
 * Inverse of the empirical CDF, Hazen's rule (Hyndman and Fan 1996, type 5): the k-th smallest of n
 * values x_(k) sits at probability (k - 1/2)/n, F^{-1} interpolates linearly between neighbours and
 * is flat (x_(1), x_(n)) below 1/(2n) and above 1 - 1/(2n). So samples stay within [min, max] and
 * the mean of F^{-1}(U) for U uniform is exactly the sample mean (the end halves and the trapezoids
 * add up to sum x_k / n).
 */
function empiricalQuantile(sorted: Float64Array, u: number): number {
  const n = sorted.length;
  const h = n * u - 0.5; // 0-based fractional position
  if (h <= 0) return sorted[0]!;
  if (h >= n - 1) return sorted[n - 1]!;
  const k = Math.floor(h);
  return sorted[k]! + (h - k) * (sorted[k + 1]! - sorted[k]!);
}

/**
 * The inverse CDF of `m` as a function of u in [0, 1] (NaN outside), with set-up work (sorting,
 * truncation constants) done once. Assumes marginalError(m) is undefined.
 */
export function quantileFunction(m: Marginal): (u: number) => number {
  const inUnit = (f: (u: number) => number) => (u: number) => (u >= 0 && u <= 1 ? f(u) : NaN);
  switch (m.kind) {
    case 'normal':
      return inUnit((u) => m.mean + m.sd * normalQuantile(u));
    case 'truncnormal': {
      const t = truncStd(m);
      return inUnit((u) => {
        // For the reflected case the quantile at u is the mirror of the one at 1 - u: pb - u Z.
        const p = t.sign > 0 ? t.pa + u * t.z : t.pb - u * t.z;
        const z = Math.min(t.b, Math.max(t.a, normalQuantile(p)));
        return m.mean + t.sign * m.sd * z;
      });
    }
    case 'beta':
      return inUnit((u) => m.lo + (m.hi - m.lo) * betaQuantile(u, m.a, m.b));
    case 'weibull':
      return inUnit((u) => m.scale * Math.pow(-Math.log1p(-u), 1 / m.shape));
    case 'uniform':
      return inUnit((u) => m.lo + u * (m.hi - m.lo));
    case 'empirical': {
      const sorted = Float64Array.from(m.values).sort();
      return inUnit((u) => empiricalQuantile(sorted, u));
    }
  }
}

/** F^{-1}(u) for u in (0,1) (0 and 1 give the ends of the support; NaN outside [0, 1]). */
export function quantile(m: Marginal, u: number): number {
  return quantileFunction(m)(u);
}

/** Truncated standard normal moments E[Z], E[Z^2] on [a, b] (a*phi(a) taken as 0 at infinity). */
function truncMoments(m: { mean: number; sd: number; lo: number; hi: number }) {
  const t = truncStd(m);
  const xphi = (z: number) => (Number.isFinite(z) ? z * phi(z) : 0);
  const m1 = (phi(t.a) - phi(t.b)) / t.z;
  const m2 = 1 + (xphi(t.a) - xphi(t.b)) / t.z;
  return { t, m1, m2 };
}

/** Expected value, in closed form (empirical: the sample mean, which is also the mean of its F^{-1}). */
export function mean(m: Marginal): number {
  switch (m.kind) {
    case 'normal':
      return m.mean;
    case 'truncnormal': {
      const { t, m1 } = truncMoments(m);
      return m.mean + t.sign * m.sd * m1;
    }
    case 'beta':
      return m.lo + ((m.hi - m.lo) * m.a) / (m.a + m.b);
    case 'weibull':
      return m.scale * gamma(1 + 1 / m.shape);
    case 'uniform':
      return (m.lo + m.hi) / 2;
    case 'empirical':
      return m.values.reduce((s, v) => s + v, 0) / m.values.length;
  }
}

/**
 * Variance, in closed form. For `empirical` it is the variance of the interpolated distribution
 * sampled by quantile() (point masses 1/(2n) at both ends, uniform pieces of mass 1/n between
 * neighbours), which is a little smaller than the sample variance.
 */
export function variance(m: Marginal): number {
  switch (m.kind) {
    case 'normal':
      return m.sd * m.sd;
    case 'truncnormal': {
      const { m1, m2 } = truncMoments(m);
      return m.sd * m.sd * Math.max(0, m2 - m1 * m1);
    }
    case 'beta': {
      const s = m.a + m.b;
      return ((m.hi - m.lo) ** 2 * m.a * m.b) / (s * s * (s + 1));
    }
    case 'weibull': {
      const g1 = gamma(1 + 1 / m.shape);
      return m.scale * m.scale * (gamma(1 + 2 / m.shape) - g1 * g1);
    }
    case 'uniform':
      return (m.hi - m.lo) ** 2 / 12;
    case 'empirical': {
      const x = Float64Array.from(m.values).sort();
      const n = x.length;
      const mu = mean(m);
      const d = x.map((v) => v - mu); // centred, for accuracy
      let s = (d[0]! ** 2 + d[n - 1]! ** 2) / 2;
      for (let k = 0; k + 1 < n; k++) s += (d[k]! ** 2 + d[k]! * d[k + 1]! + d[k + 1]! ** 2) / 3;
      return s / n;
    }
  }
}
