// Expected values: the requested correlations themselves, the Gaussian-copula relation
// rho_S = (6/pi) asin(r/2), the Gumbel closed forms tau = 1 - 1/theta and
// C(u, v) = exp(-((-ln u)^theta + (-ln v)^theta)^(1/theta)), uniform margins, and the marginals'
// closed-form means; tolerances are a few sampling standard errors.
import { describe, expect, it } from 'vitest';
import { copulaError, sample, sampleUniforms, type Copula } from './copula.js';
import type { Marginal } from './marginals.js';
import { kendall, pearson, spearman } from './stats.js';

function column(x: Float64Array, dims: number, d: number): Float64Array {
  const n = x.length / dims;
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) c[i] = x[i * dims + d]!;
  return c;
}

// Four large-sample standard errors of a correlation estimate near r: (1 - r^2) / sqrt(n) for
// Pearson's r under normality; Spearman's is about 6% larger, hence 4.5 of them (0.032 at r = 0,
// n = 20000; ~0.02 at the larger correlations).
const tol = (r: number, n: number) => (4.5 * (1 - r * r)) / Math.sqrt(n);

const avg = (x: Float64Array) => x.reduce((s, v) => s + v, 0) / x.length;

const R4 = [
  [1, 0.6, -0.3, 0],
  [0.6, 1, 0.2, 0.4],
  [-0.3, 0.2, 1, 0.1],
  [0, 0.4, 0.1, 1],
];

const MIXED: Marginal[] = [
  { kind: 'beta', a: 2, b: 5, lo: 0, hi: 10 },
  { kind: 'weibull', shape: 2, scale: 3 },
  { kind: 'empirical', values: [4, 1, 7, 7, 2, 9] },
  { kind: 'truncnormal', mean: 0, sd: 1, lo: 0, hi: Infinity },
];

describe('gaussian copula', () => {
  const n = 20000;
  it('Spearman-specified: sample Spearman correlations match the matrix (any marginals)', () => {
    const x = sample(MIXED, { kind: 'gaussian', correlation: R4, measure: 'spearman' }, n, 1);
    for (let i = 0; i < 4; i++) {
      for (let j = i + 1; j < 4; j++) {
        if (i === 2 || j === 2) continue; // the 6-value empirical marginal has heavy ties
        expect(Math.abs(spearman(column(x, 4, i), column(x, 4, j)) - R4[i]![j]!)).toBeLessThan(tol(R4[i]![j]!, n));
      }
    }
    const u = sampleUniforms({ kind: 'gaussian', correlation: R4, measure: 'spearman' }, 4, n, 1);
    for (let i = 0; i < 4; i++) {
      for (let j = i + 1; j < 4; j++) expect(Math.abs(spearman(column(u, 4, i), column(u, 4, j)) - R4[i]![j]!)).toBeLessThan(tol(R4[i]![j]!, n));
    }
  });
  it('Pearson-specified: Spearman is (6/pi) asin(r/2), and normal scores have Pearson r', () => {
    const normals: Marginal[] = Array.from({ length: 4 }, () => ({ kind: 'normal', mean: 0, sd: 1 }));
    const c: Copula = { kind: 'gaussian', correlation: R4, measure: 'pearson' };
    const x = sample(normals, c, n, 2);
    const u = sampleUniforms(c, 4, n, 2);
    for (let i = 0; i < 4; i++) {
      for (let j = i + 1; j < 4; j++) {
        const r = R4[i]![j]!;
        expect(Math.abs(pearson(column(x, 4, i), column(x, 4, j)) - r)).toBeLessThan(tol(r, n));
        const rs = (6 / Math.PI) * Math.asin(r / 2);
        expect(Math.abs(spearman(column(u, 4, i), column(u, 4, j)) - rs)).toBeLessThan(tol(rs, n));
      }
    }
  });
  it('perfect correlation (singular matrices) works', () => {
    const same = sampleUniforms({ kind: 'gaussian', correlation: [[1, 1], [1, 1]], measure: 'spearman' }, 2, 1000, 3);
    for (let i = 0; i < 1000; i++) expect(same[2 * i]).toBeCloseTo(same[2 * i + 1]!, 12);
    const opposite = sampleUniforms({ kind: 'gaussian', correlation: [[1, -1], [-1, 1]], measure: 'pearson' }, 2, 1000, 3);
    for (let i = 0; i < 1000; i++) expect(opposite[2 * i]! + opposite[2 * i + 1]!).toBeCloseTo(1, 12);
    // rank 2 of 3: variables 1 and 2 identical, both with Spearman 0.5 to variable 3
    const r3 = [[1, 1, 0.5], [1, 1, 0.5], [0.5, 0.5, 1]];
    expect(copulaError({ kind: 'gaussian', correlation: r3, measure: 'spearman' }, 3)).toBeUndefined();
    const x = sampleUniforms({ kind: 'gaussian', correlation: r3, measure: 'spearman' }, 3, n, 4);
    for (let i = 0; i < 100; i++) expect(x[3 * i]).toBeCloseTo(x[3 * i + 1]!, 12);
    expect(Math.abs(spearman(column(x, 3, 0), column(x, 3, 2)) - 0.5)).toBeLessThan(tol(0.5, n));
    // equicorrelation -1/2 for 3 variables is singular but positive semidefinite (as Pearson)
    const eq = [[1, -0.5, -0.5], [-0.5, 1, -0.5], [-0.5, -0.5, 1]];
    expect(copulaError({ kind: 'gaussian', correlation: eq, measure: 'pearson' }, 3)).toBeUndefined();
    const z = sample(Array.from({ length: 3 }, () => ({ kind: 'normal', mean: 0, sd: 1 }) as Marginal), { kind: 'gaussian', correlation: eq, measure: 'pearson' }, 200, 5);
    for (let i = 0; i < 200; i++) expect(Math.abs(z[3 * i]! + z[3 * i + 1]! + z[3 * i + 2]!)).toBeLessThan(1e-6); // z1 + z2 + z3 = 0
  });
  it('bad matrices give messages', () => {
    const g = (correlation: number[][], measure: 'pearson' | 'spearman' = 'pearson'): Copula => ({ kind: 'gaussian', correlation, measure });
    expect(copulaError(g([[1, 0], [0, 1]]), 3)).toMatch(/has 2 rows but there are 3 variables/);
    expect(copulaError(g([[1, 0], [0, 1, 0]]), 2)).toMatch(/row 2 .* has 3 entries, expected 2 \(the matrix must be square\)/);
    expect(copulaError(g([[1, 0.5], [0.4, 1]]), 2)).toMatch(/not symmetric: entry \(1, 2\) = 0.5 but \(2, 1\) = 0.4/);
    expect(copulaError(g([[1, 0.5], [0.5, 0.9]]), 2)).toMatch(/diagonal correlation entry \(2, 2\) must be 1 \(got 0.9\)/);
    expect(copulaError(g([[1, 1.2], [1.2, 1]]), 2)).toMatch(/entry \(1, 2\) = 1.2 is outside \[-1, 1\]/);
    expect(copulaError(g([[1, NaN], [NaN, 1]]), 2)).toMatch(/must be a finite number/);
    const bad = [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]];
    expect(copulaError(g(bad), 3)).toMatch(/not form a positive semidefinite matrix.*lower the correlations/);
    // PSD as a Spearman matrix, but not once converted to Pearson (|2 sin(pi/12)| > 1/2)
    const eq = [[1, -0.5, -0.5], [-0.5, 1, -0.5], [-0.5, -0.5, 1]];
    expect(copulaError(g(eq, 'spearman'), 3)).toMatch(/converted to Pearson .* not form a positive semidefinite matrix/);
    expect(copulaError({ kind: 'gaussian', correlation: [[1]], measure: 'kendall' } as unknown as Copula, 1)).toMatch(/measure must be/);
    expect(() => sampleUniforms(g(bad), 3, 10, 1)).toThrow(/positive semidefinite/);
    expect(() => sample([{ kind: 'normal', mean: 0, sd: 0 }], { kind: 'independent' }, 10, 1)).toThrow(/variable 1: normal: sd must be greater than 0/);
  });
});

describe('gumbel copula', () => {
  it("Kendall's tau is 1 - 1/theta", () => {
    const n = 4000;
    for (const theta of [1.5, 2, 5]) {
      const u = sampleUniforms({ kind: 'gumbel', theta }, 3, n, Math.round(10 * theta));
      for (const [i, j] of [[0, 1], [0, 2], [1, 2]] as const) {
        expect(Math.abs(kendall(column(u, 3, i), column(u, 3, j)) - (1 - 1 / theta))).toBeLessThan(0.03);
      }
    }
  });
  it('has uniform margins and the closed-form joint CDF', () => {
    const n = 20000;
    for (const theta of [2, 20]) {
      const u = sampleUniforms({ kind: 'gumbel', theta }, 2, n, 8);
      for (let d = 0; d < 2; d++) {
        const c = column(u, 2, d);
        for (const q of [0.1, 0.25, 0.5, 0.75, 0.9]) expect(Math.abs(c.filter((v) => v <= q).length / n - q)).toBeLessThan(0.01);
      }
      const C = Math.exp(-Math.pow(Math.pow(-Math.log(0.3), theta) + Math.pow(-Math.log(0.6), theta), 1 / theta));
      let hits = 0;
      for (let i = 0; i < n; i++) if (u[2 * i]! <= 0.3 && u[2 * i + 1]! <= 0.6) hits++;
      expect(Math.abs(hits / n - C)).toBeLessThan(4 * Math.sqrt((C * (1 - C)) / n));
    }
  });
  it('theta = 1 is independence', () => {
    const u = sampleUniforms({ kind: 'gumbel', theta: 1 }, 2, 3000, 9);
    expect(u).toEqual(sampleUniforms({ kind: 'independent' }, 2, 3000, 9));
    expect(Math.abs(kendall(column(u, 2, 0), column(u, 2, 1)))).toBeLessThan(0.04);
  });
  it('theta < 1 is an error', () => {
    expect(copulaError({ kind: 'gumbel', theta: 0.5 }, 2)).toMatch(/theta must be a finite number >= 1/);
    expect(copulaError({ kind: 'gumbel', theta: NaN }, 2)).toMatch(/theta must be/);
    expect(copulaError({ kind: 'gumbel', theta: 1 }, 2)).toBeUndefined();
  });
});

describe('reproducibility and layout', () => {
  const copulas: Copula[] = [
    { kind: 'independent' },
    { kind: 'gaussian', correlation: R4, measure: 'spearman' },
    { kind: 'gumbel', theta: 3 },
  ];
  it.each(copulas)('same seed, same numbers; other seed, other numbers (%o)', (c) => {
    const a = sampleUniforms(c, 4, 500, 42);
    expect(sampleUniforms(c, 4, 500, 42)).toEqual(a);
    const b = sampleUniforms(c, 4, 500, 43);
    expect(b).not.toEqual(a);
    expect(a.every((v) => v > 0 && v < 1)).toBe(true);
    expect(sample(MIXED, c, 500, 42)).toEqual(sample(MIXED, c, 500, 42));
  });
  it('accepts any safe integer seed, rejects others', () => {
    const c: Copula = { kind: 'independent' };
    expect(sampleUniforms(c, 1, 5, 0)).not.toEqual(sampleUniforms(c, 1, 5, 2 ** 32));
    expect(sampleUniforms(c, 1, 5, -1)).not.toEqual(sampleUniforms(c, 1, 5, 1));
    expect(() => sampleUniforms(c, 1, 5, 1.5)).toThrow(/seed must be an integer/);
    expect(sampleUniforms(c, 3, 0, 1).length).toBe(0);
    expect(sampleUniforms(c, 0, 4, 1).length).toBe(0);
  });
  it('sample is the marginal transform of sampleUniforms, row-major', () => {
    const c: Copula = { kind: 'gaussian', correlation: [[1, 0.5], [0.5, 1]], measure: 'pearson' };
    const u = sampleUniforms(c, 2, 100, 6);
    const x = sample([{ kind: 'uniform', lo: 0, hi: 2 }, { kind: 'weibull', shape: 1, scale: 1 }], c, 100, 6);
    for (let i = 0; i < 100; i++) {
      expect(x[2 * i]).toBeCloseTo(2 * u[2 * i]!, 14);
      expect(x[2 * i + 1]).toBeCloseTo(-Math.log(1 - u[2 * i + 1]!), 12);
    }
  });
  it('the marginal transform gives the right means', () => {
    const n = 20000;
    const ms: Marginal[] = [
      { kind: 'normal', mean: 10, sd: 2 },
      { kind: 'truncnormal', mean: 5, sd: 2, lo: 5, hi: Infinity },
      { kind: 'beta', a: 2, b: 5, lo: 1, hi: 8 },
      { kind: 'weibull', shape: 2, scale: 3 },
      { kind: 'uniform', lo: -1, hi: 3 },
      { kind: 'empirical', values: [1, 2, 3, 10] },
    ];
    // closed-form mean and standard deviation of each
    const expected: [number, number][] = [
      [10, 2],
      [5 + 2 * Math.sqrt(2 / Math.PI), 2 * Math.sqrt(1 - 2 / Math.PI)],
      [1 + (7 * 2) / 7, 7 * Math.sqrt(10 / (49 * 8))],
      [(3 * Math.sqrt(Math.PI)) / 2, 3 * Math.sqrt(1 - Math.PI / 4)],
      [1, 4 / Math.sqrt(12)],
      [4, 4],
    ];
    const corr = Array.from({ length: 6 }, (_, i) => Array.from({ length: 6 }, (_, j) => 0.5 ** Math.abs(i - j)));
    for (const c of [{ kind: 'gaussian', correlation: corr, measure: 'spearman' }, { kind: 'gumbel', theta: 2 }] as Copula[]) {
      const x = sample(ms, c, n, 12);
      expected.forEach(([mu, sd], d) => expect(Math.abs(avg(column(x, 6, d)) - mu)).toBeLessThan((4 * sd) / Math.sqrt(n)));
    }
  });
});

describe('speed', () => {
  it('1000 samples x 50 dims, mixed marginals, take well under 2 s', () => {
    const dims = 50;
    const kinds: Marginal[] = [
      { kind: 'normal', mean: 0, sd: 1 },
      { kind: 'beta', a: 2, b: 5, lo: 0, hi: 1 },
      { kind: 'weibull', shape: 2, scale: 8 },
      { kind: 'empirical', values: Array.from({ length: 365 }, (_, i) => Math.sin(i) + 2) },
      { kind: 'truncnormal', mean: 1, sd: 1, lo: 0, hi: 3 },
    ];
    const ms = Array.from({ length: dims }, (_, i) => kinds[i % kinds.length]!);
    const corr = Array.from({ length: dims }, (_, i) => Array.from({ length: dims }, (_, j) => 0.9 ** Math.abs(i - j)));
    for (const c of [{ kind: 'gaussian', correlation: corr, measure: 'spearman' }, { kind: 'gumbel', theta: 2 }] as Copula[]) {
      const t = performance.now();
      const x = sample(ms, c, 1000, 1);
      expect(performance.now() - t).toBeLessThan(2000);
      expect(x.length).toBe(50000);
      expect(x.every(Number.isFinite)).toBe(true);
    }
  });
});
