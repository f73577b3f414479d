// Radii against hand computations (chi-square quantiles from a printed table), the largest
// divergence against vertices and random points of the simplex, and the adjusted risk level
// against brute force over a grid of two-point distributions (pi = P(V), v = Q(V)).
import { describe, expect, it } from 'vitest';
import { adjustedRisk, maxDivergence, radiusFor, type Divergence } from './radius.js';

const phi: Record<Divergence, (t: number) => number> = {
  variation: (t) => Math.abs(t - 1),
  hellinger: (t) => (Math.sqrt(t) - 1) ** 2,
  chi2: (t) => (t - 1) ** 2,
};
/** lim phi(t) / t as t -> inf: the cost of mass where q = 0. */
const slope: Record<Divergence, number> = { variation: 1, hellinger: 1, chi2: Infinity };

/** D(p || q) = sum q_s phi(p_s / q_s), straight from the definition. */
function divergence(d: Divergence, p: readonly number[], q: readonly number[]): number {
  return p.reduce((a, ps, s) => a + (q[s]! > 0 ? q[s]! * phi[d](ps / q[s]!) : ps > 0 ? ps * slope[d] : 0), 0);
}

describe('radiusFor', () => {
  it('variation: sqrt((2/N) ln((2^K - 2)/alpha))', () => {
    // K = 2, N = 50, 90%: ln(2 / 0.1) = ln 20 = 2.995732, (2/50) 2.995732 = 0.1198293, sqrt = 0.3461637
    expect(radiusFor('variation', 0.9, 50, 2)).toBeCloseTo(0.3461637, 7);
    // K = 4, N = 100, 95%: ln(14 / 0.05) = ln 280 = 5.6347896, * 0.02 = 0.1126958, sqrt = 0.3357019
    expect(radiusFor('variation', 0.95, 100, 4)).toBeCloseTo(0.3357019, 7);
    // K = 2000 (2^K overflows a double): ln(2^K - 2) = 2000 ln 2 = 1386.2944 to double precision;
    // N = 1e6, 95%: sqrt(2e-6 (1386.2944 + 2.9957)) = 0.0527122
    expect(radiusFor('variation', 0.95, 1e6, 2000)).toBeCloseTo(0.0527122, 7);
    expect(Number.isFinite(radiusFor('variation', 0.95, 1e6, 5000))).toBe(true);
  });

  it('smooth phi: phi\'\'(1) / (2N) chi2_{K-1}(1 - alpha), with table quantiles', () => {
    // Table: chi2_4(0.95) = 9.4877, chi2_1(0.95) = 3.8415, chi2_9(0.99) = 21.666, chi2_2(0.90) = 4.6052
    expect(radiusFor('hellinger', 0.95, 100, 5)).toBeCloseTo((0.5 / 200) * 9.4877, 5); // 0.0237193
    expect(radiusFor('chi2', 0.95, 100, 5)).toBeCloseTo((2 / 200) * 9.4877, 5); // 0.094877
    expect(radiusFor('hellinger', 0.95, 30, 2)).toBeCloseTo((0.5 / 60) * 3.8415, 5);
    expect(radiusFor('chi2', 0.99, 1000, 10)).toBeCloseTo((2 / 2000) * 21.666, 5);
    expect(radiusFor('chi2', 0.9, 10, 3)).toBeCloseTo((2 / 20) * 4.6052, 4);
    // Hellinger is a quarter of chi-square (phi''(1) = 1/2 against 2).
    expect(radiusFor('hellinger', 0.8, 77, 7) * 4).toBeCloseTo(radiusFor('chi2', 0.8, 77, 7), 12);
  });

  it('shrinks as N grows, grows with confidence and with K; one outcome needs no radius', () => {
    for (const d of ['variation', 'hellinger', 'chi2'] as const) {
      let last = Infinity;
      for (const N of [1, 5, 20, 100, 1000, 1e5]) {
        const r = radiusFor(d, 0.95, N, 4);
        expect(r).toBeLessThan(last);
        last = r;
      }
      last = 0;
      for (const c of [0.5, 0.8, 0.9, 0.95, 0.99, 0.999]) {
        const r = radiusFor(d, c, 100, 4);
        expect(r).toBeGreaterThan(last);
        last = r;
      }
      last = 0;
      for (const K of [2, 3, 5, 10, 50]) {
        const r = radiusFor(d, 0.95, 100, K);
        expect(r).toBeGreaterThan(last);
        last = r;
      }
      expect(radiusFor(d, 0.95, 100, 1)).toBe(0);
      // Four times the samples: the variation radius halves, the smooth ones fall to a quarter.
      const ratio = radiusFor(d, 0.9, 10, 3) / radiusFor(d, 0.9, 40, 3);
      expect(ratio).toBeCloseTo(d === 'variation' ? 2 : 4, 12);
    }
  });

  it('rejects bad input', () => {
    expect(() => radiusFor('chi2', 1, 10, 3)).toThrow(/confidence/);
    expect(() => radiusFor('chi2', 0.9, 0, 3)).toThrow(/samples/);
    expect(() => radiusFor('chi2', 0.9, 10, 2.5)).toThrow(/outcomes/);
    expect(() => radiusFor('kl' as Divergence, 0.9, 10, 3)).toThrow(/divergence/);
  });
});

describe('maxDivergence', () => {
  it('over every q: 2, 2 and +inf (disjoint supports; chi-square unbounded as q_s -> 0)', () => {
    expect(maxDivergence('variation')).toBe(2);
    expect(maxDivergence('hellinger')).toBe(2);
    expect(maxDivergence('chi2')).toBe(Infinity);
    expect(divergence('hellinger', [0, 1], [1, 0])).toBe(2);
    expect(divergence('variation', [0, 1], [1, 0])).toBe(2);
    expect(divergence('chi2', [1e-6, 1 - 1e-6], [1 - 1e-6, 1e-6])).toBeGreaterThan(1e5);
  });

  it('for a given q: attained at the vertex of the least likely outcome, never exceeded', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (let trial = 0; trial < 30; trial++) {
      const K = 2 + (trial % 5);
      const w = Array.from({ length: K }, () => 0.05 + rand());
      const q = w.map((x) => x / w.reduce((a, b) => a + b, 0));
      for (const d of ['variation', 'hellinger', 'chi2'] as const) {
        const m = maxDivergence(d, q);
        const vertices = q.map((_, s) => divergence(d, q.map((__, t) => (t === s ? 1 : 0)), q));
        expect(m).toBeCloseTo(Math.max(...vertices), 12);
        for (let k = 0; k < 200; k++) {
          const x = q.map(() => rand() ** 3);
          const p = x.map((v) => v / x.reduce((a, b) => a + b, 0));
          expect(divergence(d, p, q)).toBeLessThanOrEqual(m + 1e-12);
        }
      }
    }
    // By hand, q = (0.1, 0.9): 2 (1 - 0.1) = 1.8, 2 - 2 sqrt(0.1) = 1.367544, 1/0.1 - 1 = 9.
    expect(maxDivergence('variation', [0.1, 0.9])).toBeCloseTo(1.8, 12);
    expect(maxDivergence('hellinger', [0.1, 0.9])).toBeCloseTo(1.367544, 6);
    expect(maxDivergence('chi2', [0.1, 0.9])).toBeCloseTo(9, 12);
  });
});

/**
 * The largest empirical violation share v such that no two-point distribution (pi, 1 - pi)
 * within rho of (v, 1 - v) has pi > eps, over grids of v and pi (steps 1/n). 0 if none.
 */
function bruteRisk(d: Divergence, eps: number, rho: number, n: number): number {
  let best = -1;
  for (let i = 0; i <= Math.floor(eps * n); i++) {
    const v = i / n;
    let ok = true;
    for (let j = Math.floor(eps * n) + 1; j <= n && ok; j++) {
      const pi = j / n;
      if (divergence(d, [pi, 1 - pi], [v, 1 - v]) <= rho) ok = false;
    }
    if (ok) best = v;
  }
  return best;
}

describe('adjustedRisk', () => {
  it('variation: eps - rho / 2 exactly (math.md), also when no positive level is left', () => {
    for (const [eps, rho] of [[0.05, 0.02], [0.1, 0.1], [0.2, 0.5], [0.05, 0.1], [0.05, 0.2]] as const) {
      expect(adjustedRisk('variation', eps, rho)).toBe(eps - rho / 2);
    }
    expect(adjustedRisk('variation', 0.05, 0.2)).toBeLessThanOrEqual(0);
  });

  it('matches brute force over two-point distributions (variation, hellinger, chi2)', () => {
    const n = 4000;
    for (const d of ['variation', 'hellinger', 'chi2'] as const) {
      for (const [eps, rho] of [[0.05, 0.01], [0.1, 0.02], [0.2, 0.1], [0.3, 0.005], [0.1, 0.3]] as const) {
        const exact = adjustedRisk(d, eps, rho);
        const brute = bruteRisk(d, eps, rho, n);
        if (brute < 0) expect(exact).toBeLessThanOrEqual(2 / n);
        else expect(exact).toBeCloseTo(brute, 3); // within the grid's resolution
        expect(exact).toBeLessThanOrEqual(eps);
      }
    }
  });

  it('the robust violation probability at the adjusted level is eps; smaller rho, larger level', () => {
    // f(v) = max { pi : d(pi, v) <= rho } by bisection from the definition, at v = eps'.
    const f = (d: Divergence, v: number, rho: number) => {
      let lo = v, hi = 1;
      for (let k = 0; k < 200; k++) { const m = (lo + hi) / 2; if (divergence(d, [m, 1 - m], [v, 1 - v]) <= rho) lo = m; else hi = m; }
      return lo;
    };
    for (const d of ['variation', 'hellinger', 'chi2'] as const) {
      for (const [eps, rho] of [[0.05, 0.01], [0.1, 0.04], [0.25, 0.2]] as const) {
        const v = adjustedRisk(d, eps, rho);
        expect(v).toBeGreaterThan(0);
        expect(f(d, v, rho)).toBeCloseTo(eps, 9);
        expect(adjustedRisk(d, eps, rho / 2)).toBeGreaterThan(v);
        expect(adjustedRisk(d, eps, 0)).toBeCloseTo(eps, 15);
      }
    }
  });

  it('hellinger: no positive level once 1 - (1 - rho/2)^2 >= eps (even v = 0 reaches it)', () => {
    // rho = 0.06: 1 - 0.97^2 = 0.0591 > 0.05
    expect(adjustedRisk('hellinger', 0.05, 0.06)).toBeLessThanOrEqual(0);
    expect(bruteRisk('hellinger', 0.05, 0.06, 4000)).toBeLessThan(0);
    // rho = 0.05: 1 - 0.975^2 = 0.049375 < 0.05, a small positive level
    expect(adjustedRisk('hellinger', 0.05, 0.05)).toBeGreaterThan(0);
    // chi-square always leaves a positive level (the divergence from v = 0 is infinite)
    expect(adjustedRisk('chi2', 0.05, 10)).toBeGreaterThan(0);
  });
});
