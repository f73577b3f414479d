// The variation-distance worst case against two independent computations: the primal LP over
// the probability vector p (max sum p_s h_s, sum |p_s - q_s| <= rho through split variables),
// solved by HiGHS, and the closed form of math.md (move rho/2 of mass from the lowest outcomes to
// the highest). The reformulation is an exact LP dual, so they must agree to solver precision.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { affine, combine, constant, single, type Affine } from './aux.js';
import { variationWorstCase } from './dro-variation.js';
import { TestLp } from '../../test/lp-sink.js';
import { convexMin, dot, minimise } from '../../test/dro-search.js';

/** max_p sum p h s.t. p in the simplex, sum |p - q| <= rho: the primal LP, t_s >= |p_s - q_s|. */
async function primalWorst(q: readonly number[], h: readonly number[], rho: number): Promise<number> {
  const lp = new TestLp();
  const p = q.map((_, s) => lp.column(0, 1, 0, `p${s}`));
  const t = q.map((_, s) => lp.column(0, Infinity, 0, `t${s}`));
  lp.row(p, p.map(() => 1), 1, 1, 'sum');
  q.forEach((qs, s) => {
    lp.row([t[s]!, p[s]!], [1, -1], -qs, Infinity, `t+${s}`); // t - p >= -q
    lp.row([t[s]!, p[s]!], [1, 1], qs, Infinity, `t-${s}`); // t + p >= q
  });
  lp.row(t, t.map(() => 1), -Infinity, rho, 'radius');
  const cost: Record<number, number> = {};
  p.forEach((j, s) => { cost[j] = h[s]!; });
  const r = await lp.solve(cost, 'maximize');
  expect(r.status).toBe('optimal');
  return r.objective;
}

/** math.md's closed form: move min(rho/2, 1 - q_top) of mass from the lowest outcomes to the top one. */
function greedyWorst(q: readonly number[], h: readonly number[], rho: number): number {
  const order = q.map((_, s) => s).sort((a, b) => h[a]! - h[b]!);
  const top = order[order.length - 1]!;
  const p = [...q];
  let move = Math.min(rho / 2, 1 - q[top]!);
  p[top]! += move;
  for (const s of order) {
    if (s === top || move <= 0) continue;
    const take = Math.min(p[s]!, move);
    p[s]! -= take;
    move -= take;
  }
  return p.reduce((acc, ps, s) => acc + ps * h[s]!, 0);
}

/** Random instance: K = 2..6 outcomes, q from positive weights (a zero now and then), h in [-10, 10]. */
const instance = fc.integer({ min: 2, max: 6 }).chain((K) => fc.record({
  w: fc.array(fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 100 }) }, { weight: 1, arbitrary: fc.constant(0) }), { minLength: K, maxLength: K }),
  h: fc.array(fc.integer({ min: -400, max: 400 }).map((k) => k / 40), { minLength: K, maxLength: K }),
  rho: fc.oneof(fc.double({ min: 0, max: 2.2, noNaN: true }), fc.constantFrom(0, 0.01, 1, 2)),
})).filter((r) => r.w.some((x) => x > 0)).map(({ w, h, rho }) => {
  const sum = w.reduce((a, b) => a + b, 0);
  return { q: w.map((x) => x / sum), h, rho };
});

describe('variation: the worst case equals the primal LP and the closed form', () => {
  it('h fixed (constant affines)', async () => {
    await fc.assert(fc.asyncProperty(instance, async ({ q, h, rho }) => {
      const lp = new TestLp();
      const U = variationWorstCase(lp, q, h.map((v) => constant(v)), rho, 'v');
      const { value } = await minimise(lp, U);
      const primal = await primalWorst(q, h, rho);
      expect(value).toBeCloseTo(primal, 7);
      expect(greedyWorst(q, h, rho)).toBeCloseTo(primal, 9);
    }), { seed: 31, numRuns: 60 });
  });

  it('h depending on decision columns (fixed by their bounds): h_s = a_s + b_s x + c_s y', async () => {
    const coef = fc.array(fc.integer({ min: -20, max: 20 }).map((k) => k / 4), { minLength: 6, maxLength: 6 });
    await fc.assert(fc.asyncProperty(instance, coef, coef, fc.integer({ min: -8, max: 8 }), fc.integer({ min: -8, max: 8 }), async ({ q, h: a, rho }, b, c, x0, y0) => {
      const lp = new TestLp();
      const x = lp.column(x0, x0, 0, 'x');
      const y = lp.column(y0, y0, 0, 'y');
      const hs = a.map((as, s) => affine([x, y], [b[s]!, c[s]!], as));
      const U = variationWorstCase(lp, q, hs, rho, 'v');
      const { value } = await minimise(lp, U);
      const h = a.map((as, s) => as + b[s]! * x0 + c[s]! * y0);
      expect(value).toBeCloseTo(greedyWorst(q, h, rho), 7);
    }), { seed: 32, numRuns: 40 });
  });

  it('rho = 0 is the expectation under q, rho at the diameter is max h, and the value grows with rho', async () => {
    const q = [0.1, 0.4, 0.3, 0.2], h = [5, -1, 2, 7];
    const at = async (rho: number) => {
      const lp = new TestLp();
      return (await minimise(lp, variationWorstCase(lp, q, h.map((v) => constant(v)), rho, 'v'))).value;
    };
    expect(await at(0)).toBeCloseTo(dot(q, h), 9); // 0.5 - 0.4 + 0.6 + 1.4 = 2.1
    expect(await at(0)).toBeCloseTo(2.1, 9);
    // Diameter 2 (1 - 0.1) = 1.8; from 2 (1 - q_top) = 1.6 on the worst case is already max h.
    for (const rho of [1.6, 1.7, 1.8, 1.9, 2, 5]) expect(await at(rho)).toBeCloseTo(7, 8);
    // By hand: rho = 0.2 moves 0.1 from outcome 2 (h = -1) to outcome 4 (h = 7): 2.1 + 0.8.
    expect(await at(0.2)).toBeCloseTo(2.9, 8);
    let last = -Infinity;
    for (let rho = 0; rho <= 2.01; rho += 0.05) {
      const v = await at(rho);
      expect(v).toBeGreaterThanOrEqual(last - 1e-9);
      last = v;
    }
  });

  it('mass can move to an outcome with q_s = 0', async () => {
    const lp = new TestLp();
    const U = variationWorstCase(lp, [0.5, 0.5, 0], [constant(1), constant(2), constant(10)], 0.4, 'v');
    // 0.2 of mass from outcome 1 to outcome 3: 0.3 + 1 + 2 = 3.3
    expect((await minimise(lp, U)).value).toBeCloseTo(3.3, 8);
  });

  it('rejects a malformed set', () => {
    const lp = new TestLp();
    expect(() => variationWorstCase(lp, [0.5, 0.6], [constant(0), constant(1)], 0.1, 'v')).toThrow(/sum/);
    expect(() => variationWorstCase(lp, [1], [constant(0), constant(1)], 0.1, 'v')).toThrow(/outcomes/);
    expect(() => variationWorstCase(lp, [1], [constant(0)], -1, 'v')).toThrow(/radius/);
  });
});

describe('variation: a decision under the worst case', () => {
  it('min over x in [0, 10] of sup_P E[(x - d)^+ + 3 (d - x)^+] equals brute force over x', async () => {
    const inst = fc.record({
      d: fc.array(fc.integer({ min: 0, max: 100 }).map((k) => k / 10), { minLength: 2, maxLength: 6 }),
      rho: fc.double({ min: 0, max: 1.5, noNaN: true }),
    });
    await fc.assert(fc.asyncProperty(inst, fc.integer({ min: 1, max: 1000 }), async ({ d, rho }, seed) => {
      const w = d.map((_, s) => 1 + ((seed * (s + 7)) % 13));
      const q = w.map((x) => x / w.reduce((a, b) => a + b, 0));
      const lp = new TestLp();
      const x = single(lp.column(0, 10, 0, 'x'));
      const h = d.map((ds, s) => {
        const e = single(lp.column(-Infinity, Infinity, 0, `e${s}`));
        // e >= x - d, e >= 3 (d - x)
        lp.row([...combine(1, e, -1, x).cols], [...combine(1, e, -1, x).vals], -ds, Infinity, `over${s}`);
        lp.row([...combine(1, e, 3, x).cols], [...combine(1, e, 3, x).vals], 3 * ds, Infinity, `under${s}`);
        return e;
      });
      const { value } = await minimise(lp, variationWorstCase(lp, q, h, rho, 'v'));
      const cost = (xv: number) => greedyWorst(q, d.map((ds) => Math.max(xv - ds, 3 * (ds - xv))), rho);
      expect(value).toBeCloseTo(convexMin(cost, 0, 10), 6);
    }), { seed: 33, numRuns: 25 });
  });
});
