// The polyhedral cone approximation against the closed form: for a fixed vector x, the smallest t
// the rows allow must lie in [||x|| / (1 + eps), ||x||] (outer) or [||x||, (1 + eps) ||x||]
// (inner), with eps the accuracy the plan reports; and the depths match 1 / cos(pi / 2^(nu+1)) - 1.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accuracyOf, depthFor, lowerCone, planCone, rotatedToStandard, towerLevels, type ConeMode } from './soc.js';
import { constant, single } from './aux.js';
import { TestLp } from '../../test/lp-sink.js';

/** min t subject to the approximation of ||x|| <= t with x fixed; returns t*. */
async function smallestT(x: readonly number[], eps: number, mode: ConeMode): Promise<{ t: number; eps: number; rows: number; columns: number }> {
  const lp = new TestLp();
  const t = lp.column(-Infinity, Infinity, 0, 't');
  const plan = planCone(x.length, eps);
  const cost = lowerCone(lp, x.map((v) => constant(v)), single(t), plan, mode, 'k');
  const r = await lp.solve({ [t]: 1 });
  expect(r.status).toBe('optimal');
  return { t: r.objective, eps: plan.eps, ...cost };
}

const norm = (x: readonly number[]) => Math.hypot(...x);

describe('accuracy of the 3-dimensional construction', () => {
  it('matches the published table: 1/cos(pi/2^(nu+1)) - 1', () => {
    // Values from Ben-Tal and Nemirovski's bound, computed by hand: cos(pi/16) = 0.980785...
    expect(accuracyOf(3)).toBeCloseTo(1 / 0.9807852804032304 - 1, 12);
    expect(accuracyOf(3)).toBeCloseTo(1.96e-2, 3);
    expect(accuracyOf(6)).toBeCloseTo(3.0e-4, 5);
    expect(accuracyOf(8)).toBeCloseTo(1.88e-5, 6);
    expect(accuracyOf(10)).toBeCloseTo(1.18e-6, 7);
  });

  it('picks the smallest depth that reaches the requested accuracy', () => {
    expect(depthFor(1e-4)).toBe(7); // accuracy(6) = 3.0e-4 > 1e-4 >= accuracy(7) = 7.5e-5
    expect(depthFor(2e-2)).toBe(3);
    for (const e of [0.1, 1e-2, 1e-3, 1e-5, 1e-8]) {
      const nu = depthFor(e);
      expect(accuracyOf(nu)).toBeLessThanOrEqual(e);
      if (nu > 1) expect(accuracyOf(nu - 1)).toBeGreaterThan(e);
    }
  });

  it('counts the levels of the tower', () => {
    expect([2, 3, 4, 5, 8, 9].map(towerLevels)).toEqual([1, 2, 2, 3, 3, 4]);
  });
});

describe('the smallest t allowed lies within the stated accuracy of ||x||', () => {
  const vec = (n: number) => fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: n, maxLength: n });
  for (const n of [2, 3, 5, 8]) {
    for (const mode of ['outer', 'inner'] as const) {
      it(`${n} components, ${mode}`, async () => {
        await fc.assert(fc.asyncProperty(vec(n), fc.constantFrom(2e-2, 1e-4, 1e-6), async (x, eps) => {
          const r = await smallestT(x, eps, mode);
          expect(r.eps).toBeLessThanOrEqual(eps * (1 + 1e-12));
          const nx = norm(x), tol = 1e-7 * Math.max(1, nx);
          if (mode === 'outer') {
            expect(r.t).toBeLessThanOrEqual(nx + tol);
            expect(r.t).toBeGreaterThanOrEqual(nx / (1 + r.eps) - tol);
          } else {
            expect(r.t).toBeGreaterThanOrEqual(nx - tol);
            expect(r.t).toBeLessThanOrEqual(nx * (1 + r.eps) + tol);
          }
        }), { seed: 20261201 + n, numRuns: 12 });
      });
    }
  }

  it('the size grows as 3 nu + 6 rows and 2 nu + 2 columns per 3-d cone', async () => {
    const r = await smallestT([3, 4], 1e-4, 'outer');
    const nu = depthFor(1e-4);
    expect(r.rows).toBe(3 * nu + 6);
    expect(r.columns).toBe(2 * nu + 2);
    // 3-4-5 triangle
    expect(r.t).toBeLessThanOrEqual(5 + 1e-9);
    expect(r.t).toBeGreaterThanOrEqual(5 / (1 + r.eps) - 1e-9);
  });
});

describe('rotated cones', () => {
  it('x^2 <= 2 u v: the largest x allowed for fixed u, v is close to sqrt(2 u v)', async () => {
    for (const [u, v] of [[1, 2], [3, 0.5], [10, 10], [0.2, 7]] as const) {
      const lp = new TestLp();
      const x = lp.column(-Infinity, Infinity, 0, 'x');
      const { xs, t } = rotatedToStandard([single(x)], constant(u), constant(v));
      const plan = planCone(xs.length, 1e-6);
      lowerCone(lp, xs, t, plan, 'inner', 'r');
      const r = await lp.solve({ [x]: 1 }, 'maximize');
      // Inner: every feasible x satisfies x^2 <= 2uv. The accuracy applies to the standard form
      // ||(x, (u - v)/sqrt 2)|| <= (u + v)/sqrt 2 =: T, so the largest x is at least
      // sqrt((T / (1 + eps))^2 - (u - v)^2 / 2).
      const exact = Math.sqrt(2 * u * v);
      const T = (u + v) / Math.SQRT2;
      expect(r.objective).toBeLessThanOrEqual(exact * (1 + 1e-9));
      expect(r.objective).toBeGreaterThanOrEqual(Math.sqrt((T / (1 + plan.eps)) ** 2 - (u - v) ** 2 / 2) - 1e-7);
    }
  });
});
