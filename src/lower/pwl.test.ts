// pwl(x, X, Y): convex where it is bounded from above (or concave from below) becomes the
// epigraph of its pieces, with no binaries; otherwise the SOS2-equivalent form with a binary per
// segment. Both must reach the optimum found by brute force: a piecewise-linear objective
// over an interval is smallest at a breakpoint or an end.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pwlCurvature, pwlValue } from './atoms.js';
import { binaries, bruteMin, build, lit, lpRows, solve } from '../../test/lowering.js';

/** Breakpoints 0, 1, ... with increments, and values; convex when the slopes are sorted. */
const pwlData = (convex: boolean) => fc.tuple(
  fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 5 }),
  fc.array(fc.integer({ min: -6, max: 6 }), { minLength: 5, maxLength: 5 }),
  fc.integer({ min: -5, max: 5 }),
).map(([dx, slopes, y0]) => {
  const s = slopes.slice(0, dx.length);
  if (convex) s.sort((a, b) => a - b);
  const xs = [0], ys = [y0];
  dx.forEach((d, i) => { xs.push(xs[i]! + d); ys.push(ys[i]! + s[i]! * d); });
  return { xs, ys };
});

const list = (v: readonly number[]) => `[${v.map(lit).join(', ')}]`;

describe('pwl: golden rows', () => {
  it('a convex pwl in a minimisation: t >= each piece, x within the breakpoints', () => {
    // Points (0, 0), (1, 1), (3, 5): slopes 1 and 2. Pieces: t >= x, t >= 2x - 1.
    const { model } = build(`
      var x in [0, 3]
      constraint need: x >= 2
      minimize m = pwl(x, [0, 1, 3], [0, 1, 5])
    `);
    expect(lpRows(model, 'objective')).toEqual([
      ' objective~aux(1): - x + objective~aux(1) >= 0',
      ' objective~aux(2): - 2 x + objective~aux(1) >= -1',
      // 0 <= x <= 3, a range: the LP format writes it as two rows.
      ' objective~aux(3)~lo: x >= 0',
      ' objective~aux(3)~hi: x <= 3',
    ]);
    expect(model.lowering[0]!.form).toBe('pwl: convex, epigraph (LP)');
  });
});

describe('pwl: optima against brute force', () => {
  for (const convex of [true, false]) {
    it(`${convex ? 'convex' : 'any'} pwl + c x minimised over [lo, hi] (${convex ? 'no binaries' : 'the SOS2 form where not convex'})`, async () => {
      await fc.assert(fc.asyncProperty(pwlData(convex), fc.integer({ min: -3, max: 3 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }),
        async (d, c, u, v) => {
          const end = d.xs[d.xs.length - 1]!;
          const lo = Math.round(Math.min(u, v) * end * 4) / 4, hi = Math.round(Math.max(u, v) * end * 4) / 4;
          const data = { xs: Float64Array.from(d.xs), ys: Float64Array.from(d.ys) };
          const f = (x: number) => pwlValue(data, x) + c * x;
          const expected = bruteMin([lo, hi, ...d.xs], f, (x) => x >= lo - 1e-12 && x <= hi + 1e-12);
          for (const solver of ['highs', 'glpk'] as const) {
            const s = await solve(`
              var x in [${lit(lo)}, ${lit(hi)}]
              minimize m = pwl(x, ${list(d.xs)}, ${list(d.ys)}) + ${c} * x
            `, { solver });
            const curv = pwlCurvature(data);
            // Minimised: convex (or affine) needs no binaries; concave or neither needs the SOS2 form.
            expect(binaries(s.model)).toBe(curv === 'convex' || curv === 'affine' ? 0 : d.xs.length - 1);
            expect(s.objective).toBeCloseTo(expected, 6);
          }
        }), { seed: convex ? 31 : 32, numRuns: 25 });
    });
  }

  it('breakpoints and values from indexed parameters, with units: a degradation-like cost', async () => {
    // Cost 0, 2, 6, 12 $ at depths 0, 0.5, 0.75, 1 (convex), depth at least 0.6:
    // the cheapest is d = 0.6, cost 2 + (6 - 2) * (0.1 / 0.25) = 3.6 $.
    const s = await solve(`
      set K = 1..4
      param bp[K] = [0, 0.5, 0.75, 1]
      param cost[K] : $ = [0, 2, 6, 12]
      var d in [0, 1]
      constraint deep: d >= 0.6
      minimize total = pwl(d, bp, cost)
    `);
    expect(s.objective).toBeCloseTo(3.6, 9);
    expect(binaries(s.model)).toBe(0);
  });
});
