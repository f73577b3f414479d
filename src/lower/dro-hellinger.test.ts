// The Hellinger worst case against a direct maximisation over p. Independent of the dual: the
// KKT conditions of max p.h s.t. sum p = 1, sum (sqrt p_s - sqrt q_s)^2 <= rho (a convex problem,
// so they are sufficient) give p_s = q_s mu^2 / (theta - h_s)^2 with theta > max h; sum p = 1
// fixes mu, and the radius fixes theta (bisection). For K = 2 a fine grid over the simplex, for
// K = 3 nested 1-D searches, check that solver too, and cases with zero probabilities. The polyhedral cones bracket the exact value
// (outer below, inner above) within the accuracy stated in dro-hellinger.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { affine, combine, constant, single, type Affine } from './aux.js';
import { hellingerWorstCase } from './dro-hellinger.js';
import type { ConeMode } from './soc.js';
import { TestLp } from '../../test/lp-sink.js';
import { convexMin, dot, gridWorst, minimise, searchWorst3 } from '../../test/dro-search.js';

const hellinger = (p: readonly number[], q: readonly number[]) => p.reduce((a, ps, s) => a + (Math.sqrt(ps) - Math.sqrt(q[s]!)) ** 2, 0);

/** The exact worst case from the KKT conditions (q > 0): value, the radius multiplier mu, theta and p. */
function kktWorst(q: readonly number[], h: readonly number[], rho: number): { value: number; mu: number; theta: number; p: number[] } {
  const hmax = Math.max(...h);
  const top = q.reduce((a, qs, s) => a + (h[s] === hmax ? qs : 0), 0);
  if (rho >= 2 - 2 * Math.sqrt(top)) {
    return { value: hmax, mu: 0, theta: hmax, p: q.map((qs, s) => (h[s] === hmax ? qs / top : 0)) };
  }
  const at = (t: number) => {
    const ratio = h.map((hs) => 1 / (t + (hmax - hs))); // 1 / (theta - h_s), theta = hmax + t
    const mu = 1 / Math.sqrt(q.reduce((a, qs, s) => a + qs * ratio[s]! ** 2, 0));
    const p = q.map((qs, s) => qs * (mu * ratio[s]!) ** 2);
    const D = q.reduce((a, qs, s) => a + qs * (mu * ratio[s]! - 1) ** 2, 0);
    return { p, mu, D };
  };
  let hi = 1;
  while (at(hi).D > rho) hi *= 2;
  let lo = hi;
  while (at(lo).D <= rho) lo /= 2;
  for (let k = 0; k < 200; k++) {
    const mid = Math.sqrt(lo * hi);
    if (at(mid).D > rho) lo = mid; else hi = mid;
  }
  const { p, mu } = at(hi);
  return { value: dot(p, h), mu, theta: hmax + hi, p };
}

/**
 * First-order size of the approximation's gap (dro-hellinger.ts):
 * eps sum_s q_s v_s (a (sqrt r_s - 1)^2 + 1/a)^2 / 2, v_s = theta - h_s, r_s = p_s / q_s, a = 1/sqrt(rho).
 */
function gapEstimate(q: readonly number[], h: readonly number[], sol: { theta: number; p: number[] }, rho: number, eps: number): number {
  const a = 1 / Math.sqrt(rho);
  return eps * q.reduce((acc, qs, s) => acc + (qs * (sol.theta - h[s]!) * (a * (Math.sqrt(sol.p[s]! / qs) - 1) ** 2 + 1 / a) ** 2) / 2, 0);
}

async function bound(q: readonly number[], h: readonly Affine[], rho: number, accuracy: number, mode: ConeMode, lp = new TestLp()) {
  const r = hellingerWorstCase(lp, q, h, rho, { accuracy, mode }, 'hel');
  return { ...(await minimise(lp, r.bound)), eps: r.eps };
}

const instance = fc.integer({ min: 2, max: 6 }).chain((K) => fc.record({
  w: fc.array(fc.integer({ min: 1, max: 100 }), { minLength: K, maxLength: K }),
  h: fc.array(fc.integer({ min: -400, max: 400 }).map((k) => k / 40), { minLength: K, maxLength: K }),
  rho: fc.oneof(fc.double({ min: 1e-4, max: 1.5, noNaN: true }), fc.constantFrom(1e-3, 0.01, 0.1, 0.5)),
})).map(({ w, h, rho }) => ({ q: w.map((x) => x / w.reduce((a, b) => a + b, 0)), h, rho }));

describe('the independent solver', () => {
  it('matches a fine grid for K = 2 and nested 1-D searches for K = 3', () => {
    const cases: [number[], number[], number][] = [
      [[0.3, 0.7], [4, -2], 0.05], [[0.5, 0.5], [1, 0], 0.3], [[0.9, 0.1], [0, 10], 0.2],
      [[0.2, 0.3, 0.5], [3, -1, 1], 0.02], [[0.6, 0.3, 0.1], [-5, 2, 8], 0.15], [[1 / 3, 1 / 3, 1 / 3], [0, 1, 2], 0.6],
    ];
    for (const [q, h, rho] of cases) {
      const exact = kktWorst(q, h, rho).value;
      const direct = q.length === 2 ? gridWorst(hellinger, q, h, rho, 1_000_000) : searchWorst3(hellinger, q, h, rho);
      const range = Math.max(...h) - Math.min(...h);
      expect(direct).toBeLessThanOrEqual(exact + 1e-9);
      expect(direct).toBeGreaterThanOrEqual(exact - range * (q.length === 2 ? 1e-5 : 1e-9));
      if (q.length === 3) expect(gridWorst(hellinger, q, h, rho, 1000)).toBeLessThanOrEqual(exact + 1e-9);
      expect(hellinger(kktWorst(q, h, rho).p, q)).toBeCloseTo(rho, 9);
    }
  });
});

describe('hellinger: the reformulation against the direct maximum', () => {
  for (const mode of ['outer', 'inner'] as const) {
    it(`h fixed, ${mode}: brackets the exact value within the stated accuracy`, async () => {
      await fc.assert(fc.asyncProperty(instance, fc.constantFrom(1e-6, 1e-4), async ({ q, h, rho }, accuracy) => {
        const sol = kktWorst(q, h, rho);
        const r = await bound(q, h.map((v) => constant(v)), rho, accuracy, mode);
        expect(r.eps).toBeLessThanOrEqual(accuracy);
        const tol = 1e-7 * (1 + Math.max(...h.map(Math.abs)));
        const gap = gapEstimate(q, h, sol, rho, r.eps);
        if (mode === 'outer') expect(r.value).toBeLessThanOrEqual(sol.value + tol);
        else expect(r.value).toBeGreaterThanOrEqual(sol.value - tol);
        expect(Math.abs(r.value - sol.value)).toBeLessThanOrEqual(1.25 * gap + tol);
      }), { seed: mode === 'outer' ? 41 : 42, numRuns: 60 });
    });
  }
});

describe('hellinger: more checks', () => {
  it('h depending on decision columns (fixed by their bounds): h_s = a_s + b_s x + c_s y', async () => {
    const coef = fc.array(fc.integer({ min: -20, max: 20 }).map((k) => k / 4), { minLength: 6, maxLength: 6 });
    await fc.assert(fc.asyncProperty(instance, coef, coef, fc.integer({ min: -8, max: 8 }), fc.integer({ min: -8, max: 8 }), fc.constantFrom('outer' as const, 'inner' as const),
      async ({ q, h: a, rho }, b, c, x0, y0, mode) => {
        const lp = new TestLp();
        const x = lp.column(x0, x0, 0, 'x');
        const y = lp.column(y0, y0, 0, 'y');
        const r = await bound(q, a.map((as, s) => affine([x, y], [b[s]!, c[s]!], as)), rho, 1e-6, mode, lp);
        const h = a.map((as, s) => as + b[s]! * x0 + c[s]! * y0);
        const sol = kktWorst(q, h, rho);
        expect(Math.abs(r.value - sol.value)).toBeLessThanOrEqual(1.25 * gapEstimate(q, h, sol, rho, r.eps) + 1e-7 * (1 + Math.max(...h.map(Math.abs))));
      }), { seed: 43, numRuns: 40 });
  });

  it('K = 2 against a fine grid, K = 3 against nested 1-D searches, with zero probabilities', async () => {
    const cases: [number[], number[], number][] = [
      [[0.3, 0.7], [4, -2], 0.05], [[0.85, 0.15], [0, 10], 0.4],
      [[0.5, 0.5, 0], [1, 2, 10], 0.1], [[0.5, 0.5, 0], [1, 2, 10], 0.5], [[0, 0.25, 0.75], [6, 5, -3], 0.3], [[0.2, 0.3, 0.5], [3, -1, 1], 0.02],
    ];
    for (const [q, h, rho] of cases) {
      const direct = q.length === 2 ? gridWorst(hellinger, q, h, rho, 1_000_000) : searchWorst3(hellinger, q, h, rho);
      const range = Math.max(...h) - Math.min(...h);
      for (const mode of ['outer', 'inner'] as const) {
        const r = await bound(q, h.map((v) => constant(v)), rho, 1e-7, mode);
        const slack = (q.length === 2 ? 1e-5 : 1e-8) * range; // the grid's resolution for K = 2
        if (mode === 'outer') expect(r.value).toBeLessThanOrEqual(direct + slack);
        else expect(r.value).toBeGreaterThanOrEqual(direct - 1e-8 * range);
        expect(Math.abs(r.value - direct)).toBeLessThanOrEqual(1e-5 * range);
      }
    }
  });

  it('rho = 0 is the expectation, rho at the diameter max h (both without cones), and the value grows with rho', async () => {
    const q = [0.1, 0.4, 0.3, 0.2], h = [5, -1, 2, 7];
    const at = async (rho: number, mode: ConeMode = 'inner') => {
      const lp = new TestLp();
      const r = hellingerWorstCase(lp, q, h.map((v) => constant(v)), rho, { accuracy: 1e-6, mode }, 'hel');
      return { value: (await minimise(lp, r.bound)).value, eps: r.eps, columns: lp.lower.length };
    };
    expect(await at(0)).toEqual({ value: 2.1, eps: 0, columns: 0 }); // 0.5 - 0.4 + 0.6 + 1.4
    const diameter = 2 - 2 * Math.sqrt(0.1);
    for (const rho of [diameter, 1.5, 2, 3]) expect(await at(rho)).toMatchObject({ value: 7, eps: 0 });
    // All mass on outcome 4 is at divergence 2 - 2 sqrt(0.2) = 1.1056: from there on the worst case is 7.
    for (const mode of ['outer', 'inner'] as const) {
      for (const rho of [1.11, 1.2, diameter - 1e-3]) expect((await at(rho, mode)).value).toBeCloseTo(7, 4);
    }
    let last = -Infinity;
    for (let rho = 0; rho <= 1.4; rho += 0.05) {
      const { value } = await at(rho);
      expect(value).toBeGreaterThanOrEqual(last - 1e-6);
      expect(value).toBeCloseTo(kktWorst(q, h, rho).value, 4);
      last = value;
    }
  });
});

describe('hellinger: a decision under the worst case', () => {
  it('min over x in [0, 10] of sup_P E[(x - d)^+ + 3 (d - x)^+]: outer <= brute force <= inner, close', async () => {
    const inst = fc.record({
      d: fc.array(fc.integer({ min: 0, max: 100 }).map((k) => k / 10), { minLength: 2, maxLength: 6 }),
      w: fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 6, maxLength: 6 }),
      rho: fc.double({ min: 1e-3, max: 1, noNaN: true }),
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
        expect(r.value).toBeCloseTo(brute, 3);
      }
    }), { seed: 44, numRuns: 20 });
  });
});
