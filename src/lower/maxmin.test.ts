// max(...) and min(...) of affine expressions: epigraph / hypograph where the sign allows, the
// exact form with one binary per argument elsewhere. Brute force: max_i (s_i x + b_i) is convex
// piecewise linear in x, so its minimum over [lo, hi] lies at an end or where two lines cross,
// and its maximum at an end (min(...) mirrored).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binaries, bruteMin, build, lit, lpRows, solve } from '../../test/lowering.js';

const lines = fc.array(fc.tuple(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -10, max: 10 })), { minLength: 2, maxLength: 4 });

/** Ends and pairwise crossings of the lines within [lo, hi]. */
function candidates(ls: readonly [number, number][], lo: number, hi: number): number[] {
  const out = [lo, hi];
  for (let i = 0; i < ls.length; i++) for (let j = i + 1; j < ls.length; j++) {
    const [s1, b1] = ls[i]!, [s2, b2] = ls[j]!;
    if (s1 !== s2) out.push((b2 - b1) / (s1 - s2));
  }
  return out.filter((x) => x >= lo && x <= hi);
}

const maxOf = (ls: readonly [number, number][], x: number) => Math.max(...ls.map(([s, b]) => s * x + b));
const minOf = (ls: readonly [number, number][], x: number) => Math.min(...ls.map(([s, b]) => s * x + b));
const terms = (ls: readonly [number, number][]) => ls.map(([s, b]) => `${s} * x + ${lit(b)}`).join(', ');

describe('max and min: golden rows', () => {
  it('max(x, y) <= 3 is t >= x, t >= y, t <= 3; min(x, y) >= 1 is t <= x, t <= y, t >= 1', () => {
    const { model } = build(`
      var x in [0, 4]
      var y in [0, 4]
      constraint c: max(x, y) <= 3
      constraint d: min(x, y) >= 1
      minimize m = x + y
    `);
    expect(lpRows(model, 'c')).toEqual([' c: c~aux(1) <= 3', ' c~aux(1): - x + c~aux(1) >= 0', ' c~aux(2): - y + c~aux(1) >= 0']);
    // min(x, y) = -max(-x, -y): the row holds -t >= 1 - ... written with the auxiliary t = max(-x, -y).
    expect(lpRows(model, 'd')).toEqual([' d: - d~aux(1) >= 1', ' d~aux(1): x + d~aux(1) >= 0', ' d~aux(2): y + d~aux(1) >= 0']);
    expect(binaries(model)).toBe(0);
  });
});

describe('max and min: optima against brute force', () => {
  const range = fc.tuple(fc.integer({ min: -6, max: 0 }), fc.integer({ min: 1, max: 6 }));

  it('min over x of max_i (s_i x + b_i): epigraph, no binaries', async () => {
    await fc.assert(fc.asyncProperty(lines, range, async (ls, [lo, hi]) => {
      const expected = bruteMin(candidates(ls, lo, hi), (x) => maxOf(ls, x));
      const s = await solve(`var x in [${lo}, ${hi}]\nminimize m = max(${terms(ls)})\n`);
      expect(binaries(s.model)).toBe(0);
      expect(s.objective).toBeCloseTo(expected, 7);
    }), { seed: 21, numRuns: 25 });
  });

  it('max over x of max_i (...): exact, a binary per argument; at an end of [lo, hi]', async () => {
    await fc.assert(fc.asyncProperty(lines, range, async (ls, [lo, hi]) => {
      const expected = Math.max(maxOf(ls, lo), maxOf(ls, hi));
      const s = await solve(`var x in [${lo}, ${hi}]\nmaximize m = max(${terms(ls)})\n`);
      expect(binaries(s.model)).toBe(ls.length);
      expect(s.objective).toBeCloseTo(expected, 7);
    }), { seed: 22, numRuns: 25 });
  });

  it('max over x of min_i (...): hypograph; min over x of min_i (...): exact', async () => {
    await fc.assert(fc.asyncProperty(lines, range, async (ls, [lo, hi]) => {
      const best = -bruteMin(candidates(ls, lo, hi), (x) => -minOf(ls, x));
      const a = await solve(`var x in [${lo}, ${hi}]\nmaximize m = min(${terms(ls)})\n`);
      expect(binaries(a.model)).toBe(0);
      expect(a.objective).toBeCloseTo(best, 7);
      const worst = Math.min(minOf(ls, lo), minOf(ls, hi));
      const b = await solve(`var x in [${lo}, ${hi}]\nminimize m = min(${terms(ls)})\n`, { solver: 'glpk' });
      expect(binaries(b.model)).toBe(ls.length);
      expect(b.objective).toBeCloseTo(worst, 7);
    }), { seed: 23, numRuns: 20 });
  });

  it('the reduction max(i in I) and pos(...) are the same atoms', async () => {
    // min_x max_i (s_i x + b_i) with the lines given as data; pos(x - 2) = max(x - 2, 0).
    const s = await solve(`
      set I = 1..3
      param sl[I] = [1, -1, 0]
      param b[I] = [0, 4, 1]
      var x in [-5, 5]
      var y in [0, 10]
      constraint over: y >= pos(x - 2)
      minimize m = max(i in I) (sl[i] * x + b[i]) + y
    `);
    // max(x, 4 - x, 1) is smallest at x = 2 (value 2); y >= pos(0) = 0.
    expect(s.objective).toBeCloseTo(2, 9);
    expect(s.value('x')).toBeCloseTo(2, 9);
  });
});
