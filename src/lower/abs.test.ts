// abs(...): the epigraph where |a| only needs an upper bound, the one-binary exact form elsewhere.
// Golden: the rows written for each (derived by hand from the header of abs.ts). Numeric: random
// instances against brute force — a convex piecewise-linear function of one variable on an
// interval attains its minimum at a kink or an end, and |x - a| its maximum at an end.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binaries, bruteMin, build, lit, lpRows, solve } from '../../test/lowering.js';

describe('abs: golden rows', () => {
  it('abs(x - y) <= 1 is the epigraph t >= x - y, t >= y - x, t <= 1', () => {
    const { model } = build(`
      var x in [-3, 5]
      var y in [0, 2]
      constraint c: abs(x - y) <= 1
      minimize m = x
    `);
    expect(lpRows(model, 'c')).toEqual([
      ' c: c~aux(1) <= 1',
      ' c~aux(1): - x + y + c~aux(1) >= 0',
      ' c~aux(2): x - y + c~aux(1) >= 0',
    ]);
    expect(binaries(model)).toBe(0);
  });

  it('abs(x) >= 2 is exact: x = p - n, p <= 5 z, n <= 5 (1 - z), p + n >= 2 (M = 5 from x in [-3, 5])', () => {
    const { model } = build(`
      var x in [-3, 5]
      constraint d: abs(x) >= 2
      minimize m = x
    `);
    expect(lpRows(model, 'd')).toEqual([
      ' d: d~aux(1) + d~aux(2) >= 2',
      ' d~aux(1): x - d~aux(1) + d~aux(2) = 0',
      ' d~aux(2): d~aux(1) - 5 d~aux(3) <= 0',
      ' d~aux(3): d~aux(2) + 5 d~aux(3) <= 5',
    ]);
    expect(binaries(model)).toBe(1);
    expect(model.lowering.map((r) => [r.family, r.form, r.binaries, r.bigM])).toEqual([['d', 'abs: exact, one binary (MILP)', 1, 5]]);
  });
});

describe('abs: optima against brute force', () => {
  const num = fc.integer({ min: -40, max: 40 }).map((k) => k / 4);
  it('min w1 |x1 - a1| + w2 |x2 - a2| with x1 + x2 = S, 0 <= x <= U: an LP, the kinks and ends of x1', async () => {
    await fc.assert(fc.asyncProperty(num, num, fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 15 }),
      async (a1, a2, w1, w2, U, S) => {
        fc.pre(S <= 2 * U);
        const f = (x1: number) => w1 * Math.abs(x1 - a1) + w2 * Math.abs(S - x1 - a2);
        const lo = Math.max(0, S - U), hi = Math.min(U, S);
        const expected = bruteMin([lo, hi, a1, S - a2], f, (x) => x >= lo && x <= hi);
        const s = await solve(`
          var x1 in [0, ${U}]
          var x2 in [0, ${U}]
          constraint total: x1 + x2 == ${S}
          minimize m = ${w1} * abs(x1 - ${lit(a1)}) + ${w2} * abs(x2 - ${lit(a2)})
        `);
        expect(binaries(s.model)).toBe(0);
        expect(s.objective).toBeCloseTo(expected, 7);
      }), { seed: 11, numRuns: 25 });
  });

  it('max |x1 - a1| + |x2 - a2| over a box needs the exact form; its optimum is at the ends', async () => {
    await fc.assert(fc.asyncProperty(num, num, fc.integer({ min: 1, max: 10 }), async (a1, a2, U) => {
      const expected = Math.max(Math.abs(a1), Math.abs(U - a1)) + Math.max(Math.abs(a2), Math.abs(U - a2));
      for (const solver of ['highs', 'glpk'] as const) {
        const s = await solve(`
          var x1 in [0, ${U}]
          var x2 in [0, ${U}]
          maximize m = abs(x1 - ${lit(a1)}) + abs(x2 - ${lit(a2)})
        `, { solver });
        expect(binaries(s.model)).toBe(2);
        expect(s.objective).toBeCloseTo(expected, 7);
      }
    }), { seed: 12, numRuns: 15 });
  });
});
