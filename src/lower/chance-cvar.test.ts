// CVaR approximation of a chance constraint. Closed form: for fixed values (constant Affines) the
// smallest U the rows allow is CVaR_eps, the mean of the top eps of the probability mass (the last
// atom taken fractionally), computed here by sorting. The ordering saa <= cvar <= moment on random
// instances is checked in chance-moment.test.ts, which has all three.
import { describe, expect, it } from 'vitest';
import { affine, constant, emitRow, type Affine } from './aux.js';
import { chanceCvar } from './chance-cvar.js';
import { TestLp } from '../../test/lp-sink.js';
import { rng } from '../../test/random.js';


/** Mean of the worst eps tail of a discrete distribution. */
function cvarClosedForm(v: readonly number[], p: readonly number[], eps: number): number {
  const order = v.map((_, s) => s).sort((a, b) => v[b]! - v[a]!);
  let mass = 0, sum = 0;
  for (const s of order) {
    const take = Math.min(p[s]!, eps - mass);
    if (take <= 0) break;
    sum += take * v[s]!;
    mass += take;
  }
  return sum / eps;
}

async function smallestU(lp: TestLp, U: Affine): Promise<number> {
  const cost: Record<number, number> = {};
  U.cols.forEach((j, k) => { cost[j] = (cost[j] ?? 0) + U.vals[k]!; });
  const sol = await lp.solve(cost);
  expect(sol.status).toBe('optimal');
  return sol.objective + U.c;
}

describe('CVaR: the smallest U for fixed values is the closed-form CVaR', () => {
  it('hand-computed: values 10, 4, 0, -2 with probabilities 0.1, 0.2, 0.3, 0.4', async () => {
    // eps = 0.25: (0.1 * 10 + 0.15 * 4) / 0.25 = 6.4; eps = 0.3: (1 + 0.8) / 0.3 = 6; eps = 0.6: (1 + 0.8 + 0) / 0.6 = 3.
    for (const [eps, want] of [[0.25, 6.4], [0.3, 6], [0.6, 3], [0.05, 10]] as const) {
      const lp = new TestLp();
      const U = chanceCvar(lp, [10, 4, 0, -2].map((v) => constant(v)), [0.1, 0.2, 0.3, 0.4], eps, 'cc');
      expect(await smallestU(lp, U)).toBeCloseTo(want, 9);
    }
  });

  it('random discrete distributions, equal and unequal probabilities, eps at and between atoms', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const u = rng(seed);
      const S = 1 + Math.floor(u() * 8);
      const v = Array.from({ length: S }, () => Math.round((u() * 20 - 10) * 4) / 4);
      if (S > 2) v[1] = v[0]!; // a tie
      const w = seed % 2 ? new Array<number>(S).fill(1) : Array.from({ length: S }, () => 1 + Math.floor(u() * 5));
      const W = w.reduce((a, b) => a + b, 0);
      const p = w.map((x) => x / W);
      const eps = seed % 3 === 0 ? Math.max(1, Math.floor(u() * W)) / W : 0.01 + 0.98 * u();
      if (!(eps < 1)) continue;
      const lp = new TestLp();
      const U = chanceCvar(lp, v.map((x) => constant(x)), p, eps, 'cc');
      expect(await smallestU(lp, U), `seed ${seed}`).toBeCloseTo(cvarClosedForm(v, p, eps), 8);
    }
  });

  it('as a constraint: CVaR_eps(x - b_s) <= 0 is x <= the largest value with that tail mean', async () => {
    // b = 1..10, p = 0.1 each, eps = 0.2: CVaR of x - b = x - (1 + 2) / 2, so x <= 1.5.
    const lp = new TestLp();
    const x = lp.column(-100, 100, 0, 'x');
    const U = chanceCvar(lp, Array.from({ length: 10 }, (_, s) => affine([x], [1], -(s + 1))), new Array<number>(10).fill(0.1), 0.2, 'cc');
    emitRow(lp, U, -Infinity, 0, 'cc');
    const sol = await lp.solve({ [x]: 1 }, 'maximize');
    expect(sol.objective).toBeCloseTo(1.5, 9);
    expect(lp.types.every((t) => t === 0)).toBe(true);
  });

  it('rejects a risk level outside (0, 1)', () => {
    expect(() => chanceCvar(new TestLp(), [constant(1)], [1], 0, 'cc')).toThrow(/risk level/);
    expect(() => chanceCvar(new TestLp(), [constant(1)], [1], 1, 'cc')).toThrow(/risk level/);
  });
});
