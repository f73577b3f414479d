// Small statistics the compiler needs around uncertainty (math.md sections 1, 2 and 6):
// - normalQuantile / normalCdf: moment-based chance constraints use z_{1-eps} = Phi^{-1}(1 - eps),
//   and the Gaussian copula maps z to u = Phi(z).
// - chiSquareQuantile: phi-divergence radii rho = phi''(1) / (2N) * chi2_{K-1}(1 - alpha).
// - pearson, spearman (average ranks for ties), kendall (tau-b): to check or fit correlations.
// - pearsonFromSpearman / spearmanFromPearson: under a Gaussian copula the Pearson correlation r of
//   the underlying normals and the Spearman rho_S of the variables satisfy r = 2 sin(pi rho_S / 6),
//   rho_S = (6 / pi) asin(r / 2) (whatever the marginals, since ranks ignore them).
// The special functions come from @stdlib (ports of Boost/Cephes code), not hand-written here.
// Phi^{-1}(p) is computed as -sqrt(2) erfcinv(2p), which keeps full relative precision in the lower
// tail (stdlib's normal quantile uses erfinv(2p - 1), which loses it for p below about 1e-8).

import erfcinv from '@stdlib/math-base-special-erfcinv';
import normalCdfStd from '@stdlib/stats-base-dists-normal-cdf';
import chisquareQuantile from '@stdlib/stats-base-dists-chisquare-quantile';

/** Standard normal CDF Phi(x). */
export function normalCdf(x: number): number {
  return normalCdfStd(x, 0, 1);
}

/** Standard normal quantile Phi^{-1}(p) for p in [0, 1] (-Infinity at 0, Infinity at 1, NaN outside). */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  const z = Math.SQRT2 * erfcinv(2 * p);
  return z === 0 ? 0 : -z; // no -0 at the median
}

/** Quantile of the chi-square distribution with `dof` > 0 degrees of freedom (NaN for bad input). */
export function chiSquareQuantile(p: number, dof: number): number {
  if (!(p >= 0 && p <= 1) || !(dof > 0)) return NaN;
  return chisquareQuantile(p, dof);
}

/** Pearson correlation of a normal-copula pair from its Spearman rank correlation: 2 sin(pi rho / 6). */
export function pearsonFromSpearman(rho: number): number {
  if (rho === 1 || rho === -1) return rho; // exact, so perfect dependence stays exactly singular
  return 2 * Math.sin((Math.PI * rho) / 6);
}

/** Spearman rank correlation of a normal-copula pair from its Pearson correlation: (6/pi) asin(r / 2). */
export function spearmanFromPearson(r: number): number {
  if (r === 1 || r === -1) return r;
  return (6 / Math.PI) * Math.asin(r / 2);
}

type Numbers = ArrayLike<number>;

function sameLength(x: Numbers, y: Numbers): void {
  if (x.length !== y.length) throw new RangeError(`correlation of arrays of different lengths (${x.length} and ${y.length})`);
}

/** Pearson correlation (two-pass, centred). NaN for fewer than 2 points or a constant array. */
export function pearson(x: Numbers, y: Numbers): number {
  sameLength(x, y);
  const n = x.length;
  if (n < 2) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** Ranks 1..n, tied values getting the average of the ranks they span. */
export function ranks(x: Numbers): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const r = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && x[order[j]!] === x[order[i]!]) j++;
    const avg = (i + j + 1) / 2; // ranks i+1 .. j, averaged
    for (let k = i; k < j; k++) r[order[k]!] = avg;
    i = j;
  }
  return r;
}

/** Spearman rank correlation: the Pearson correlation of the (average) ranks. */
export function spearman(x: Numbers, y: Numbers): number {
  sameLength(x, y);
  return pearson(ranks(x), ranks(y));
}

/**
 * Kendall's tau-b: (concordant - discordant) / sqrt((n0 - tiesX)(n0 - tiesY)), n0 = n(n-1)/2.
 * Plain O(n^2) pair count: fine for a few thousand points (tests, fitting a Gumbel theta = 1/(1 - tau)).
 */
export function kendall(x: Numbers, y: Numbers): number {
  sameLength(x, y);
  const n = x.length;
  let s = 0;
  let tx = 0;
  let ty = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    const yi = y[i]!;
    for (let j = i + 1; j < n; j++) {
      const dx = Math.sign(x[j]! - xi);
      const dy = Math.sign(y[j]! - yi);
      if (dx === 0) tx++;
      if (dy === 0) ty++;
      s += dx * dy;
    }
  }
  const n0 = (n * (n - 1)) / 2;
  const den = Math.sqrt((n0 - tx) * (n0 - ty));
  return den === 0 ? NaN : s / den;
}
