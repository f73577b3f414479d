// Copulas for scenario generation (math.md section 6): draw u in (0,1)^d with the wanted dependence,
// then x_d = F_d^{-1}(u_d) with the marginals of marginals.ts.
//
// - independent: u_d iid uniform.
// - gaussian: z = L w with w ~ N(0, I) and R = L L^T, u_d = Phi(z_d). A Spearman matrix is first
//   converted to the Pearson correlation of the normals, r = 2 sin(pi rho / 6). L comes from a
//   pivoted (outer-product) Cholesky factorisation that stops when the remaining Schur complement is
//   numerically zero, so a positive semidefinite but singular R (e.g. a correlation of exactly 1)
//   gives a d x rank factor; a Schur complement with a negative pivot or a large off-diagonal entry
//   means R is not positive semidefinite, i.e. no joint distribution has those correlations.
// - gumbel (theta >= 1, exchangeable): Marshall-Olkin. With alpha = 1/theta, V positive alpha-stable
//   with Laplace transform E[exp(-sV)] = exp(-s^alpha), E_d iid Exp(1): u_d = psi(E_d / V) with the
//   generator psi(t) = exp(-t^alpha). V is drawn by the Chambers-Mallows-Stuck formula for a totally
//   skewed stable law (Kanter's form): Theta ~ U(0, pi), W ~ Exp(1),
//     V = sin(alpha Theta) / sin(Theta)^(1/alpha) * (sin((1 - alpha) Theta) / W)^((1 - alpha)/alpha),
//   evaluated in logarithms so large theta neither overflows nor underflows. Kendall's tau is 1 - 1/theta.
//
// Randomness: one 32-bit Mersenne Twister (stdlib) per call, seeded from the integer seed; each
// uniform takes 52 bits of two outputs, u = (k + 1/2) 2^-52, strictly inside (0, 1). The integer
// stream is exact on every machine and the rest is IEEE arithmetic plus JavaScript's Math functions,
// so a seed gives the same scenarios everywhere (for a given Node/V8 major version).

import mt19937 from '@stdlib/random-base-mt19937';
import { marginalError, quantileFunction, type Marginal } from './marginals.js';
import { normalCdf, normalQuantile, pearsonFromSpearman } from './stats.js';

export type Copula =
  | { kind: 'independent' }
  | { kind: 'gaussian'; correlation: readonly (readonly number[])[]; measure: 'pearson' | 'spearman' }
  | { kind: 'gumbel'; theta: number };

const PIVOT_TOL = 1e-10; // a Schur diagonal at or below this counts as zero (R has unit diagonal)
const OFFDIAG_TOL = 1e-8; // a zero-pivot Schur complement must be zero to this accuracy

type Prepared = { error: string } | { error?: undefined; draw: (next: () => number, out: Float64Array, at: number) => void };

/** Pivoted Cholesky of the symmetric d x d matrix r: a d x rank factor (row-major), or undefined if not PSD. */
function factor(r: Float64Array, d: number): { l: Float64Array; rank: number } | undefined {
  const s = Float64Array.from(r);
  const cols: Float64Array[] = [];
  const left = Array.from({ length: d }, (_, i) => i);
  while (left.length > 0) {
    let p = left[0]!;
    for (const i of left) if (s[i * d + i]! > s[p * d + p]!) p = i;
    const pivot = s[p * d + p]!;
    if (pivot <= PIVOT_TOL) {
      for (const i of left) {
        if (s[i * d + i]! < -PIVOT_TOL) return undefined;
        for (const j of left) if (i !== j && Math.abs(s[i * d + j]!) > OFFDIAG_TOL) return undefined;
      }
      break;
    }
    left.splice(left.indexOf(p), 1);
    const root = Math.sqrt(pivot);
    const col = new Float64Array(d);
    col[p] = root;
    for (const i of left) col[i] = s[i * d + p]! / root;
    for (const i of left) for (const j of left) s[i * d + j]! -= col[i]! * col[j]!;
    cols.push(col);
  }
  const rank = cols.length;
  const l = new Float64Array(d * rank);
  for (let k = 0; k < rank; k++) for (let i = 0; i < d; i++) l[i * rank + k] = cols[k]![i]!;
  return { l, rank };
}

const clampUnit = (u: number): number => Math.min(1 - 2 ** -53, Math.max(2 ** -60, u));

function prepareGaussian(c: Extract<Copula, { kind: 'gaussian' }>, d: number): Prepared {
  if (c.measure !== 'pearson' && c.measure !== 'spearman') {
    return { error: `gaussian copula: measure must be 'pearson' or 'spearman' (got ${JSON.stringify(c.measure)})` };
  }
  const m = c.correlation;
  if (!Array.isArray(m) || m.length !== d) {
    return { error: `gaussian copula: the correlation matrix has ${Array.isArray(m) ? m.length : 0} rows but there are ${d} variables` };
  }
  for (let i = 0; i < d; i++) {
    const row = m[i];
    if (!Array.isArray(row) || row.length !== d) {
      return { error: `gaussian copula: row ${i + 1} of the correlation matrix has ${Array.isArray(row) ? row.length : 0} entries, expected ${d} (the matrix must be square)` };
    }
  }
  const r = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const v = m[i]![j]!;
      const at = `entry (${i + 1}, ${j + 1})`;
      if (typeof v !== 'number' || !Number.isFinite(v)) return { error: `gaussian copula: correlation ${at} must be a finite number (got ${String(v)})` };
      if (i === j && Math.abs(v - 1) > 1e-12) return { error: `gaussian copula: diagonal correlation ${at} must be 1 (got ${v})` };
      if (Math.abs(v) > 1) return { error: `gaussian copula: correlation ${at} = ${v} is outside [-1, 1]` };
      const w = m[j]![i]!;
      if (j > i && typeof w === 'number' && Math.abs(v - w) > 1e-12) {
        return { error: `gaussian copula: the correlation matrix is not symmetric: entry (${i + 1}, ${j + 1}) = ${v} but (${j + 1}, ${i + 1}) = ${w}` };
      }
      r[i * d + j] = i === j ? 1 : c.measure === 'spearman' ? pearsonFromSpearman(v) : v;
    }
  }
  // Symmetrise exactly (entries may differ by up to 1e-12).
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) r[j * d + i] = r[i * d + j]!;
  const f = factor(r, d);
  if (!f) {
    const what = c.measure === 'spearman' ? 'the Spearman correlations, converted to Pearson correlations by r = 2 sin(pi rho / 6), do' : 'the correlation matrix does';
    return { error: `gaussian copula: ${what} not form a positive semidefinite matrix, so no joint distribution has them; lower the correlations (in magnitude), especially among strongly correlated groups` };
  }
  const { l, rank } = f;
  const w = new Float64Array(rank);
  return {
    draw(next, out, at) {
      for (let k = 0; k < rank; k++) w[k] = normalQuantile(next());
      for (let i = 0; i < d; i++) {
        let z = 0;
        for (let k = 0; k < rank; k++) z += l[i * rank + k]! * w[k]!;
        out[at + i] = clampUnit(normalCdf(z));
      }
    },
  };
}

function prepareGumbel(theta: number, d: number): Prepared {
  if (typeof theta !== 'number' || !Number.isFinite(theta) || theta < 1) {
    return { error: `gumbel copula: theta must be a finite number >= 1 (theta = 1 is independence; Kendall's tau = 1 - 1/theta), got ${String(theta)}` };
  }
  if (theta === 1) return { draw: (next, out, at) => { for (let i = 0; i < d; i++) out[at + i] = next(); } };
  const alpha = 1 / theta;
  return {
    draw(next, out, at) {
      const t = Math.PI * next();
      const lw = Math.log(-Math.log(next())); // ln W, W ~ Exp(1)
      // alpha ln V, from the formula in the header
      const alv = alpha * Math.log(Math.sin(alpha * t)) - Math.log(Math.sin(t)) + (1 - alpha) * (Math.log(Math.sin((1 - alpha) * t)) - lw);
      for (let i = 0; i < d; i++) {
        const le = Math.log(-Math.log(next())); // ln E_i, E_i ~ Exp(1)
        out[at + i] = clampUnit(Math.exp(-Math.exp(alpha * le - alv)));
      }
    },
  };
}

function prepare(c: Copula, dims: number): Prepared {
  if (!Number.isInteger(dims) || dims < 0) return { error: `copula: the number of variables must be a non-negative integer (got ${dims})` };
  switch (c.kind) {
    case 'independent':
      return { draw: (next, out, at) => { for (let i = 0; i < dims; i++) out[at + i] = next(); } };
    case 'gaussian':
      return prepareGaussian(c, dims);
    case 'gumbel':
      return prepareGumbel(c.theta, dims);
    default:
      return { error: `unknown copula kind ${JSON.stringify((c as { kind: unknown }).kind)}` };
  }
}

/** A user-facing message if `c` cannot couple `dims` variables, undefined if it can. */
export function copulaError(c: Copula, dims: number): string | undefined {
  return prepare(c, dims).error;
}

/** Uniforms strictly inside (0, 1) from MT19937; any safe integer is a valid seed. */
function uniformStream(seed: number): () => number {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer (got ${seed})`);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  const rand = mt19937.factory({ seed: [lo, hi] });
  return () => ((rand() >>> 6) * 2 ** 26 + (rand() >>> 6) + 0.5) * 2 ** -52;
}

/** n samples of `dims` uniforms in (0,1), row-major (sample i, dim d at i*dims+d); same seed → same numbers, on every machine. */
export function sampleUniforms(c: Copula, dims: number, n: number, seed: number): Float64Array {
  const p = prepare(c, dims);
  if (p.error !== undefined) throw new Error(p.error);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`the number of samples must be a non-negative integer (got ${n})`);
  const next = uniformStream(seed);
  const out = new Float64Array(n * dims);
  for (let i = 0; i < n; i++) p.draw(next, out, i * dims);
  return out;
}

/** n scenarios of marginals.length values, row-major: x_d = F_d^{-1}(u_d) on the copula's uniforms. */
export function sample(marginals: readonly Marginal[], c: Copula, n: number, seed: number): Float64Array {
  marginals.forEach((m, i) => {
    const e = marginalError(m);
    if (e !== undefined) throw new Error(`variable ${i + 1}: ${e}`);
  });
  const dims = marginals.length;
  const out = sampleUniforms(c, dims, n, seed);
  const q = marginals.map(quantileFunction);
  for (let i = 0; i < n; i++) for (let d = 0; d < dims; d++) out[i * dims + d] = q[d]!(out[i * dims + d]!);
  return out;
}
