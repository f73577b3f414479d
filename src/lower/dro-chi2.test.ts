// The chi-square worst case against a direct maximisation over p. Independent of the
// reformulation: the KKT conditions of max p.h s.t. sum p = 1, sum (p_s - q_s)^2 / q_s <= rho,
// p >= 0 (convex, so sufficient) give p_s = q_s (1 + kappa (h_s - nu))_+, nu fixed by sum p = 1
// (over the active sets) and kappa by the radius (bisection); when no p_s hits 0 that is the closed form
// E_q h + sqrt(rho Var_q h). A fine grid (K = 2) and nested 1-D searches (K = 3) check that solver
// and zero probabilities. The cone approximation is a change of sqrt(rho) by the factor 1 + eps
// (dro-chi2.ts), which the tests check as stated.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { affine, combine, constant, single, type Affine } from './aux.js';
import { chi2WorstCase } from './dro-chi2.js';
import type { ConeMode } from './soc.js';
import { TestLp } from '../../test/lp-sink.js';
import { convexMin, dot, gridWorst, minimise, searchWorst3 } from '../../test/dro-search.js';

/** sum (p_s - q_s)^2 / q_s, with 0 for p_s = q_s = 0 and +inf for p_s > q_s = 0. */
const chi2 = (p: readonly number[], q: readonly number[]) => p.reduce((a, ps, s) => a + (q[s]! > 0 ? (ps - q[s]!) ** 2 / q[s]! : ps > 0 ? Infinity : 0), 0);

/** The exact worst case from the KKT conditions (q > 0). */
function kktWorst(q: readonly number[], h: readonly number[], rho: number): { value: number; p: number[] } {
  const hmax = Math.max(...h);
  const top = q.reduce((a, qs, s) => a + (h[s] === hmax ? qs : 0), 0);
  if (rho >= 1 / top - 1) return { value: hmax, p: q.map((qs, s) => (h[s] === hmax ? qs / top : 0)) };
  const mean = dot(q, h);
  if (rho === 0) return { value: mean, p: [...q] };
  // For fixed kappa, sum_s q_s (1 + kappa (h_s - nu))_+ = 1 is piecewise linear in nu: try the
  // active sets of the j highest outcomes.
  const order = q.map((_, s) => s).sort((a, b) => h[b]! - h[a]!);
  const pAt = (kappa: number) => {
    let Q = 0, H = 0, nu = mean;
    for (let j = 0; j < order.length; j++) {
      const s = order[j]!;
      Q += q[s]!;
      H += q[s]! * h[s]!;
      nu = (Q + kappa * H - 1) / (kappa * Q);
      const next = order[j + 1];
      if (next === undefined || 1 + kappa * (h[next]! - nu) <= 0) break;
    }
    return q.map((qs, s) => qs * Math.max(0, 1 + kappa * (h[s]! - nu)));
  };
  let hi = 1;
  while (chi2(pAt(hi), q) < rho) hi *= 2;
  let lo = hi;
  while (chi2(pAt(lo), q) >= rho) lo /= 2;
  for (let k = 0; k < 200; k++) {
    const mid = Math.sqrt(lo * hi);
    if (chi2(pAt(mid), q) < rho) lo = mid; else hi = mid;
  }
  const p = pAt(lo);
  return { value: dot(p, h), p };
}

async function bound(q: readonly number[], h: readonly Affine[], rho: number, accuracy: number, mode: ConeMode, lp = new TestLp()) {
  const r = chi2WorstCase(lp, q, h, rho, { accuracy, mode }, 'chi');
  return { ...(await minimise(lp, r.bound)), eps: r.eps };
}

const instance = fc.integer({ min: 2, max: 6 }).chain((K) => fc.record({
  w: fc.array(fc.integer({ min: 1, max: 100 }), { minLength: K, maxLength: K }),
  h: fc.array(fc.integer({ min: -400, max: 400 }).map((k) => k / 40), { minLength: K, maxLength: K }),
  rho: fc.oneof(fc.double({ min: 1e-4, max: 3, noNaN: true }), fc.constantFrom(1e-3, 0.01, 0.1, 0.5)),
})).map(({ w, h, rho }) => ({ q: w.map((x) => x / w.reduce((a, b) => a + b, 0)), h, rho }));

describe('the independent solver', () => {
  it('matches a fine grid for K = 2, nested 1-D searches for K = 3, and the closed form when no p_s hits 0', () => {
    const cases: [number[], number[], number][] = [
      [[0.3, 0.7], [4, -2], 0.05], [[0.5, 0.5], [1, 0], 0.3], [[0.9, 0.1], [0, 10], 2],
      [[0.2, 0.3, 0.5], [3, -1, 1], 0.02], [[0.6, 0.3, 0.1], [-5, 2, 8], 0.9], [[1 / 3, 1 / 3, 1 / 3], [0, 1, 2], 1.2],
    ];
    for (const [q, h, rho] of cases) {
      const exact = kktWorst(q, h, rho);
      const direct = q.length === 2 ? gridWorst(chi2, q, h, rho, 1_000_000) : searchWorst3(chi2, q, h, rho);
      const range = Math.max(...h) - Math.min(...h);
      expect(direct).toBeLessThanOrEqual(exact.value + 1e-9);
      expect(direct).toBeGreaterThanOrEqual(exact.value - range * (q.length === 2 ? 1e-5 : 1e-9));
      expect(chi2(exact.p, q)).toBeCloseTo(rho, 9);
      if (exact.p.every((ps) => ps > 0)) {
        const mean = dot(q, h), variance = dot(q, h.map((hs) => (hs - mean) ** 2));
        expect(exact.value).toBeCloseTo(mean + Math.sqrt(rho * variance), 9);
      }
    }
    // 0.2, 0.3, 0.5 with h = 3, -1, 1: mean 0.8, variance 0.2 * 4.84 + 0.3 * 3.24 + 0.5 * 0.04 = 1.96,
    // sqrt(0.02 * 1.96) = 0.1979899 (p stays positive: 0.2 (1 + 2.2 k) etc. with k = 0.1979899 / 1.96).
    expect(kktWorst([0.2, 0.3, 0.5], [3, -1, 1], 0.02).value).toBeCloseTo(0.9979899, 7);
  });
});

describe('chi-square: the reformulation against the direct maximum', () => {
  for (const mode of ['outer', 'inner'] as const) {
    it(`h fixed, ${mode}: W(rho / (1 + eps)^2) <= outer <= W <= inner <= W(rho (1 + eps)^2), |U - W| <= eps (W - E h)`, async () => {
      await fc.assert(fc.asyncProperty(instance, fc.constantFrom(1e-6, 1e-3, 2e-2), async ({ q, h, rho }, accuracy) => {
        const W = kktWorst(q, h, rho).value;
        const r = await bound(q, h.map((v) => constant(v)), rho, accuracy, mode);
        expect(r.eps).toBeLessThanOrEqual(accuracy);
        const tol = 1e-7 * (1 + Math.max(...h.map(Math.abs)));
        if (mode === 'outer') {
          expect(r.value).toBeLessThanOrEqual(W + tol);
          expect(r.value).toBeGreaterThanOrEqual(kktWorst(q, h, rho / (1 + r.eps) ** 2).value - tol);
        } else {
          expect(r.value).toBeGreaterThanOrEqual(W - tol);
          expect(r.value).toBeLessThanOrEqual(kktWorst(q, h, rho * (1 + r.eps) ** 2).value + tol);
        }
        expect(Math.abs(r.value - W)).toBeLessThanOrEqual(r.eps * (W - dot(q, h)) + tol);
      }), { seed: mode === 'outer' ? 51 : 52, numRuns: 60 });
    });
  }

  it('h depending on decision columns (fixed by their bounds): h_s = a_s + b_s x + c_s y', async () => {
    const coef = fc.array(fc.integer({ min: -20, max: 20 }).map((k) => k / 4), { minLength: 6, maxLength: 6 });
    await fc.assert(fc.asyncProperty(instance, coef, coef, fc.integer({ min: -8, max: 8 }), fc.integer({ min: -8, max: 8 }), fc.constantFrom('outer' as const, 'inner' as const),
      async ({ q, h: a, rho }, b, c, x0, y0, mode) => {
        const lp = new TestLp();
        const x = lp.column(x0, x0, 0, 'x');
        const y = lp.column(y0, y0, 0, 'y');
        const r = await bound(q, a.map((as, s) => affine([x, y], [b[s]!, c[s]!], as)), rho, 1e-6, mode, lp);
        const h = a.map((as, s) => as + b[s]! * x0 + c[s]! * y0);
        const W = kktWorst(q, h, rho).value;
        expect(Math.abs(r.value - W)).toBeLessThanOrEqual(r.eps * (W - dot(q, h)) + 1e-7 * (1 + Math.max(...h.map(Math.abs))));
      }), { seed: 53, numRuns: 40 });
  });

  it('K = 2 against a fine grid, K = 3 against nested 1-D searches; an outcome with q_s = 0 is unreachable', async () => {
    const cases: [number[], number[], number][] = [
      [[0.3, 0.7], [4, -2], 0.05], [[0.85, 0.15], [0, 10], 0.4],
      [[0.5, 0.5, 0], [1, 2, 10], 0.1], [[0, 0.25, 0.75], [6, 5, -3], 0.3], [[0.2, 0.3, 0.5], [3, -1, 1], 0.7],
    ];
    for (const [q, h, rho] of cases) {
      // An outcome with q_s = 0 has p_s = 0 (else the divergence is infinite): the direct
      // maximum is over the others.
      const on = q.map((_, s) => s).filter((s) => q[s]! > 0);
      const [qq, hh] = [on.map((s) => q[s]!), on.map((s) => h[s]!)];
      const direct = qq.length === 2 ? gridWorst(chi2, qq, hh, rho, 1_000_000) : searchWorst3(chi2, qq, hh, rho);
      const range = Math.max(...h) - Math.min(...h);
      for (const mode of ['outer', 'inner'] as const) {
        const r = await bound(q, h.map((v) => constant(v)), rho, 1e-7, mode);
        const slack = (qq.length === 2 ? 1e-5 : 1e-8) * range;
        if (mode === 'outer') expect(r.value).toBeLessThanOrEqual(direct + slack);
        else expect(r.value).toBeGreaterThanOrEqual(direct - 1e-8 * range);
        expect(Math.abs(r.value - direct)).toBeLessThanOrEqual(1e-5 * range);
      }
    }
    // With q = (0.5, 0.5, 0) the third outcome's value does not matter.
    const a = await bound([0.5, 0.5, 0], [constant(1), constant(2), constant(1e6)], 0.3, 1e-6, 'inner');
    expect(a.value).toBeCloseTo(1.5 + Math.sqrt(0.3 * 0.25), 6);
  });

  it('rho = 0 is the expectation, rho at the diameter max h (both without cones), and the value grows with rho', async () => {
    const q = [0.1, 0.4, 0.3, 0.2], h = [5, -1, 2, 7];
    const at = async (rho: number, mode: ConeMode = 'inner') => {
      const lp = new TestLp();
      const r = chi2WorstCase(lp, q, h.map((v) => constant(v)), rho, { accuracy: 1e-6, mode }, 'chi');
      return { value: (await minimise(lp, r.bound)).value, eps: r.eps, columns: lp.lower.length };
    };
    expect(await at(0)).toEqual({ value: 2.1, eps: 0, columns: 0 });
    for (const rho of [9, 10, 100]) expect(await at(rho)).toMatchObject({ value: 7, eps: 0 }); // 1/0.1 - 1 = 9
    // All mass on outcome 4 is at divergence 1/0.2 - 1 = 4: from there on the worst case is 7.
    for (const mode of ['outer', 'inner'] as const) for (const rho of [4, 5, 8.9]) expect((await at(rho, mode)).value).toBeCloseTo(7, 5);
    let last = -Infinity;
    for (let rho = 0; rho <= 5; rho += 0.125) {
      const { value } = await at(rho);
      expect(value).toBeGreaterThanOrEqual(last - 1e-7);
      expect(value).toBeCloseTo(kktWorst(q, h, rho).value, 5);
      last = value;
    }
  });

  it('rejects a malformed set', () => {
    expect(() => chi2WorstCase(new TestLp(), [0.5, 0.4], [constant(0), constant(1)], 0.1, { accuracy: 1e-6, mode: 'outer' }, 'chi')).toThrow(/sum/);
  });
});

describe('chi-square: a decision under the worst case', () => {
  it('min over x in [0, 10] of sup_P E[(x - d)^+ + 3 (d - x)^+]: outer <= brute force <= inner, close', async () => {
    const inst = fc.record({
      d: fc.array(fc.integer({ min: 0, max: 100 }).map((k) => k / 10), { minLength: 2, maxLength: 6 }),
      w: fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 6, maxLength: 6 }),
      rho: fc.double({ min: 1e-3, max: 2, noNaN: true }),
    });
    await fc.assert(fc.asyncProperty(inst, async ({ d, w, rho }) => {
      const ws = d.map((_, s) => w[s]!);
      const q = ws.map((x) => x / ws.reduce((a, b) => a + b, 0));
      const brute = convexMin((xv) => kktWorst(q, d.map((ds) => Math.max(xv - ds, 3 * (ds - xv))), rho).value, 0, 10);
      for (const mode of ['outer', 'inner'] as const) {
        const lp = new TestLp();
        const x = single(lp.column(0, 10, 0, 'x'));
        const h = d.map((ds, s) => {
          const e = single(lp.column(-Infinity, Infinity, 0, `e${s}`));
          const over = combine(1, e, -1, x), under = combine(1, e, 3, x);
          lp.row(over.cols, over.vals, -ds, Infinity, `over${s}`); // e >= x - d
          lp.row(under.cols, under.vals, 3 * ds, Infinity, `under${s}`); // e >= 3 (d - x)
          return e;
        });
        const r = await bound(q, h, rho, 1e-6, mode, lp);
        if (mode === 'outer') expect(r.value).toBeLessThanOrEqual(brute + 1e-6);
        else expect(r.value).toBeGreaterThanOrEqual(brute - 1e-6);
        expect(r.value).toBeCloseTo(brute, 4);
      }
    }), { seed: 54, numRuns: 20 });
  });
});
