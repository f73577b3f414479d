// Worst case over finitely many scenarios. Brute force: min over the box of max_s h_s(x) (+ c x)
// is an LP whose optimum is at a vertex of {tau >= h_s, box}: a point where n independent
// equations from {h_s = h_t} and {x_j = bound} hold. Enumerating those points (and checking a grid,
// whose points are all feasible, as an upper bound) gives the optimum independently.
import { describe, expect, it } from 'vitest';
import { affine, combine, constant, emitRow, valueAt, type Affine } from './aux.js';
import { worstCase } from './worst-case.js';
import { TestLp } from '../../test/lp-sink.js';
import { rng, int } from '../../test/random.js';


/** Candidate optima: solutions of n independent equations (rows of [coefs | rhs]) inside the box. */
function candidates(n: number, B: number, h: readonly Affine[]): number[][] {
  const eqs: number[][] = []; // coefficient vector (length n) and right side: a . x = b
  for (let j = 0; j < n; j++) for (const v of [0, B]) { const a = new Array<number>(n).fill(0); a[j] = 1; eqs.push([...a, v]); }
  for (let s = 0; s < h.length; s++) for (let t = s + 1; t < h.length; t++) {
    const d = combine(1, h[s]!, -1, h[t]!);
    const a = new Array<number>(n).fill(0);
    d.cols.forEach((j, k) => { a[j]! += d.vals[k]!; });
    eqs.push([...a, -d.c]);
  }
  const out: number[][] = [];
  const inBox = (x: number[]) => x.every((v) => v >= -1e-9 && v <= B + 1e-9);
  if (n === 1) {
    for (const [a, b] of eqs) if (a !== 0 && inBox([b! / a!])) out.push([b! / a!]);
  } else {
    for (let i = 0; i < eqs.length; i++) for (let k = i + 1; k < eqs.length; k++) {
      const [a, b, e] = eqs[i]!, [c, d, f] = eqs[k]!;
      const det = a! * d! - b! * c!;
      if (Math.abs(det) < 1e-12) continue;
      const x = [(e! * d! - b! * f!) / det, (a! * f! - e! * c!) / det];
      if (inBox(x)) out.push(x);
    }
  }
  return out;
}

describe('worst case over scenarios (min-max)', () => {
  it('random instances against the vertex candidates and a grid', async () => {
    for (let seed = 1; seed <= 50; seed++) {
      const u = rng(seed);
      const n = int(u, 1, 2), S = int(u, 2, 5), B = int(u, 1, 5);
      const c = Array.from({ length: n }, () => int(u, -2, 2));
      const h = Array.from({ length: S }, () => (u() < 0.15 ? constant(int(u, -5, 5)) : affine(Array.from({ length: n }, (_, j) => j), Array.from({ length: n }, () => int(u, -4, 4)), int(u, -5, 5))));
      const f = (x: ArrayLike<number>) => Math.max(...h.map((e) => valueAt(e, x))) + c.reduce((s, v, j) => s + v * x[j]!, 0);
      const expected = Math.min(...candidates(n, B, h).map(f));
      // The grid: every point is feasible, so no grid value is below the optimum.
      const N = 40;
      let grid = Infinity;
      if (n === 1) for (let i = 0; i <= N; i++) grid = Math.min(grid, f([(B * i) / N]));
      else for (let i = 0; i <= N; i++) for (let k = 0; k <= N; k++) grid = Math.min(grid, f([(B * i) / N, (B * k) / N]));
      const lp = new TestLp();
      for (let j = 0; j < n; j++) lp.column(0, B, 0, `x${j}`);
      const tau = worstCase(lp, h, 'w');
      const cost: Record<number, number> = Object.fromEntries(c.map((v, j) => [j, v]));
      tau.cols.forEach((j, k) => { cost[j] = (cost[j] ?? 0) + tau.vals[k]!; });
      const sol = await lp.solve(cost);
      expect(sol.status).toBe('optimal');
      const got = sol.objective + tau.c;
      expect(got, `seed ${seed}`).toBeCloseTo(expected, 8);
      expect(grid, `seed ${seed}`).toBeGreaterThanOrEqual(got - 1e-9);
      expect(f(sol.x), `seed ${seed}`).toBeCloseTo(got, 7);
    }
  });

  it('tau <= b means every scenario satisfies h_s <= b', async () => {
    // h = (x, 3 - 2x, 1): max <= 1.5 for x in [0.75, 1.5]; maximise x: 1.5, minimise: 0.75.
    for (const [sense, want] of [['maximize', 1.5], ['minimize', 0.75]] as const) {
      const lp = new TestLp();
      const x = lp.column(-10, 10, 0, 'x');
      emitRow(lp, worstCase(lp, [affine([x], [1]), affine([x], [-2], 3), constant(1)], 'w'), -Infinity, 1.5, 'w');
      expect((await lp.solve({ [x]: 1 }, sense)).objective).toBeCloseTo(want, 9);
      expect(lp.lower[1]).toBe(1); // the constant scenario is tau's lower bound, not a row
      expect(lp.rows.length).toBe(3);
    }
  });

  it('one scenario is its own maximum; only constants give a constant', () => {
    const lp = new TestLp();
    const h = affine([0], [2], 1);
    expect(worstCase(lp, [h], 'w')).toBe(h);
    expect(worstCase(lp, [constant(3), constant(-1)], 'w')).toEqual(constant(3));
    expect(lp.lower.length).toBe(0);
    expect(() => worstCase(lp, [], 'w')).toThrow(RangeError);
  });
});
