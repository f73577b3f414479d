// Chance constraint, distributionally robust over all distributions with the samples' mean and
// covariance: a second-order cone, lowered by soc.ts.
//
// Source:  P[ r(x, xi) <= 0 ] >= 1 - eps for EVERY distribution of xi with the mean and covariance
//          of the samples (values r_s(x), probabilities p_s).
// Target:
//
//     rbar(x) + k || d(x) ||_2 <= 0,    rbar = sum_s p_s r_s,   d_s = sqrt(p_s) (r_s - rbar),
//     k = sqrt((1 - eps) / eps)
//
// as U = rbar + k tau with tau >= ||d|| an epigraph column (the caller adds U <= 0).
//
// Why this is math.md's mu^T a(x) + k ||Sigma^{1/2} a(x)|| <= b(x): for r affine in xi,
// r(x, xi) = a0(x) + xi^T a(x) (b = -a0), the samples' moments are mu = sum_s p_s xi_s and
// Sigma = sum_s p_s (xi_s - mu)(xi_s - mu)^T. Then rbar = a0 + mu^T a, r_s - rbar = (xi_s - mu)^T a,
// and ||d||^2 = sum_s p_s ((xi_s - mu)^T a)^2 = a^T Sigma a = ||Sigma^{1/2} a||^2. So rbar and ||d||
// are the mean and the (weighted, population) standard deviation of r under the samples, and no
// factorisation of Sigma is needed.
//
// Why the constraint: r has mean m = rbar and variance sigma^2 = a^T Sigma a under every distribution
// in the set, and the largest P[r > 0] over distributions with these two moments is the one-sided
// Chebyshev (Cantelli) bound sigma^2 / (sigma^2 + m^2) when m < 0 (else 1), which is tight: two-point
// distributions of a^T xi come arbitrarily close to it (Calafiore and El Ghaoui 2006). It is <= eps
// exactly when m + k sigma <= 0. The same expression is the worst-case CVaR_eps over the moment set, so on the
// samples' own distribution (which has these moments): moment-feasible => CVaR-feasible =>
// SAA-feasible, and the optimal costs are ordered saa <= cvar <= moment.
//
// Size. d(x) = D [x_J; 1] for the n columns J that occur, D an S x (n + 1) matrix. When S > n + 1
// the S components are replaced by the n + 1 rows of R from a Householder QR D = Q R, which has the
// same norm for every x (||D y|| = ||Q R y|| = ||R y||; R^T R = D^T D is the covariance of
// (x_J, 1)'s coefficients); a cone over hundreds of samples then has at most n + 1 components.
// Components that are identically zero are dropped: all samples equal gives d = 0 and no cone.
// A mean or deviation coefficient shared by every sample is taken exactly (no rounding of
// sum_s p_s v = v), so that identical samples really give zeros.
//
// Accuracy. Two or more components go through lowerCone with planCone(n, accuracy): 'outer' gives
// ||d|| <= (1 + eps_reached) tau (a relaxation), 'inner' gives ||d|| <= tau at every feasible point
// (conservative: the point satisfies the true inequality). One component is |d| <= tau, exact; only
// constants under the norm make it a number. The accuracy reached is returned (0 when exact).
import { combine, constant, emitRow, single, type Affine, type AuxSink } from './aux.js';
import { checkChance } from './chance-saa.js';
import { lowerCone, planCone, type ConeMode } from './soc.js';

export function chanceMoment(
  sink: AuxSink, r: readonly Affine[], p: readonly number[], eps: number,
  cone: { accuracy: number; mode: ConeMode }, label: string,
): { U: Affine; eps: number } {
  checkChance(r, p, eps, false, label);
  const k = Math.sqrt((1 - eps) / eps);
  const active = r.map((_, s) => s).filter((s) => p[s]! > 0);
  // The columns that occur, and each sample's coefficients over them (the constant last).
  const colIndex = new Map<number, number>();
  for (const s of active) r[s]!.cols.forEach((j, i) => { if (r[s]!.vals[i] !== 0 && !colIndex.has(j)) colIndex.set(j, colIndex.size); });
  const n = colIndex.size;
  const cols = [...colIndex.keys()];
  const coef = active.map((s) => {
    const row = new Array<number>(n + 1).fill(0);
    r[s]!.cols.forEach((j, i) => { const q = colIndex.get(j); if (q !== undefined) row[q]! += r[s]!.vals[i]!; });
    row[n] = r[s]!.c;
    return row;
  });
  // The mean, exact where every sample has the same coefficient.
  const mean = new Array<number>(n + 1).fill(0);
  for (let q = 0; q <= n; q++) {
    const v0 = coef[0]![q]!;
    if (coef.every((row) => row[q] === v0)) { mean[q] = v0; continue; }
    let m = 0;
    active.forEach((s, i) => { m += p[s]! * coef[i]![q]!; });
    mean[q] = m;
  }
  const toAffine = (row: readonly number[]): Affine => {
    const cs: number[] = [], vs: number[] = [];
    for (let q = 0; q < n; q++) if (row[q] !== 0) { cs.push(cols[q]!); vs.push(row[q]!); }
    return { cols: cs, vals: vs, c: row[n]! };
  };
  const rbar = toAffine(mean);
  let D = active.map((s, i) => coef[i]!.map((v, q) => Math.sqrt(p[s]!) * (v - mean[q]!)));
  D = D.filter((row) => row.some((v) => v !== 0));
  if (D.length > n + 1) D = householderR(D, n + 1).filter((row) => row.some((v) => v !== 0));
  if (D.length === 0) return { U: rbar, eps: 0 };
  const xs = D.map(toAffine);
  if (xs.every((x) => x.cols.length === 0)) return { U: combine(1, rbar, k, constant(Math.hypot(...xs.map((x) => x.c)))), eps: 0 };
  const tau = single(sink.column(0, Infinity, 0, `${label}~moment.tau`));
  const U = combine(1, rbar, k, tau);
  if (xs.length === 1) {
    emitRow(sink, combine(1, tau, -1, xs[0]!), 0, Infinity, `${label}~moment.abs+`);
    emitRow(sink, combine(1, tau, 1, xs[0]!), 0, Infinity, `${label}~moment.abs-`);
    return { U, eps: 0 };
  }
  const plan = planCone(xs.length, cone.accuracy);
  lowerCone(sink, xs, tau, plan, cone.mode, `${label}~moment`);
  return { U, eps: plan.eps };
}

/** The q x q upper-triangular R of a Householder QR of the m x q matrix A (m > q): ||A y|| = ||R y||. */
function householderR(A: readonly (readonly number[])[], q: number): number[][] {
  const a = A.map((row) => [...row]);
  const m = a.length;
  for (let j = 0; j < q; j++) {
    let norm = 0;
    for (let i = j; i < m; i++) norm = Math.hypot(norm, a[i]![j]!);
    if (norm === 0) continue;
    const alpha = a[j]![j]! > 0 ? -norm : norm;
    const v = new Array<number>(m).fill(0);
    for (let i = j; i < m; i++) v[i] = a[i]![j]!;
    v[j]! -= alpha;
    let vv = 0;
    for (let i = j; i < m; i++) vv += v[i]! * v[i]!;
    if (vv === 0) continue;
    for (let c = j; c < q; c++) {
      let dot = 0;
      for (let i = j; i < m; i++) dot += v[i]! * a[i]![c]!;
      const f = (2 * dot) / vv;
      for (let i = j; i < m; i++) a[i]![c]! -= f * v[i]!;
    }
    // Exact zeros below the diagonal (they are rounding noise after the reflection).
    a[j]![j] = alpha;
    for (let i = j + 1; i < m; i++) a[i]![j] = 0;
  }
  return a.slice(0, q).map((row, i) => row.map((v, c) => (c < i ? 0 : v)));
}
