// Quadratic and norm constraints as polyhedral second-order cones, checked on problems whose
// conic optimum is known in closed form: the outer approximation (a relaxation) may only do
// better than the true optimum, the inner one (conservative) only worse, each by no more than
// the accuracy reported for the cone.
import { describe, expect, it } from 'vitest';
import { binaries, solve } from '../../test/lowering.js';

const SQ2 = Math.SQRT2;

describe('sum of squares <= constant', () => {
  // min x + y s.t. x^2 + y^2 <= 1: -sqrt(2) at x = y = -1/sqrt(2).
  const text = 'var x in [-2, 2]\nvar y in [-2, 2]\nconstraint disk: x^2 + y^2 <= 1\nminimize m = x + y\n';
  for (const eps of [2e-2, 1e-4, 1e-6]) {
    it(`brackets -sqrt 2 within eps = ${eps}`, async () => {
      const outer = await solve(text, { lowering: { coneAccuracy: eps, coneMode: 'outer' } });
      const inner = await solve(text, { lowering: { coneAccuracy: eps, coneMode: 'inner' } });
      const e = outer.model.lowering.find((r) => r.family === 'disk')!.eps!;
      expect(e).toBeLessThanOrEqual(eps);
      // Feasible points of the outer rows satisfy ||(x, y)|| <= 1 + e; the inner rows ||.|| <= 1.
      expect(outer.objective).toBeLessThanOrEqual(-SQ2 + 1e-9);
      expect(outer.objective).toBeGreaterThanOrEqual(-SQ2 * (1 + e) - 1e-9);
      expect(inner.objective).toBeGreaterThanOrEqual(-SQ2 - 1e-9);
      expect(inner.objective).toBeLessThanOrEqual(-SQ2 / (1 + e) + 1e-9);
      expect(binaries(outer.model)).toBe(0);
    });
  }

  it('P^2 + Q^2 <= S^2 with units: an apparent-power limit', async () => {
    // S = 5 MVA, Q = 3 Mvar fixed: P <= 4 MW.
    const s = await solve(`
      var p : MW in [0, 10 MW]
      var q : Mvar in [-10 Mvar, 10 Mvar]
      constraint fix: q == 3 Mvar
      constraint rating: p^2 + q^2 <= (5 MVA)^2
      maximize m = p
    `, { lowering: { coneAccuracy: 1e-6 } });
    expect(s.objective).toBeGreaterThanOrEqual(4 - 1e-9);
    expect(s.objective).toBeLessThanOrEqual(4 + 5 * 1e-6 + 1e-9);
  });
});

describe('norm(...) <= t', () => {
  it('the distance from (1, 2) to the half-plane x + y >= 5 is sqrt(2)', async () => {
    const text = `
      var x in [-10, 10]
      var y in [-10, 10]
      var r in [0, 100]
      constraint plane: x + y >= 5
      constraint dist: norm(x - 1, y - 2) <= r
      minimize m = r
    `;
    const outer = await solve(text, { lowering: { coneAccuracy: 1e-5, coneMode: 'outer' } });
    const inner = await solve(text, { lowering: { coneAccuracy: 1e-5, coneMode: 'inner' } });
    expect(outer.objective).toBeLessThanOrEqual(SQ2 + 1e-9);
    expect(outer.objective).toBeGreaterThanOrEqual(SQ2 / (1 + 1e-5) - 1e-9);
    expect(inner.objective).toBeGreaterThanOrEqual(SQ2 - 1e-9);
    expect(inner.objective).toBeLessThanOrEqual(SQ2 * (1 + 1e-5) + 1e-9);
  });

  it('a five-dimensional norm: a tower of 3-d cones', async () => {
    // min r s.t. ||(x1 - 1, x2 - 2, x3 - 3, x4 - 4, x5 - 5)|| <= r, sum x = 0: the distance from
    // (1..5) to the hyperplane sum x = 0 is 15 / sqrt(5).
    const s = await solve(`
      set I = 1..5
      var x[I] in [-20, 20]
      var r in [0, 100]
      constraint plane: sum(i in I) x[i] == 0
      constraint dist: norm(x[1] - 1, x[2] - 2, x[3] - 3, x[4] - 4, x[5] - 5) <= r
      minimize m = r
    `, { lowering: { coneAccuracy: 1e-6, coneMode: 'inner' } });
    const d = 15 / Math.sqrt(5);
    expect(s.objective).toBeGreaterThanOrEqual(d - 1e-8);
    expect(s.objective).toBeLessThanOrEqual(d * (1 + 1e-6) + 1e-8);
  });
});

describe('sum of squares <= u * v (rotated cone, DistFlow)', () => {
  it('max P s.t. P^2 + Q^2 <= v l, Q = 0.6, v = 1, l <= 1: P = 0.8', async () => {
    const text = `
      var P in [-5, 5]
      var Q in [-5, 5]
      var v in [0.9, 1.1]
      var l in [0, 1]
      constraint qfix: Q == 0.6
      constraint vfix: v == 1
      constraint branch: P^2 + Q^2 <= v * l
      maximize m = P
    `;
    const inner = await solve(text, { lowering: { coneAccuracy: 1e-6, coneMode: 'inner' } });
    const outer = await solve(text, { lowering: { coneAccuracy: 1e-6, coneMode: 'outer' } });
    expect(inner.objective).toBeLessThanOrEqual(0.8 + 1e-9);
    expect(outer.objective).toBeGreaterThanOrEqual(0.8 - 1e-9);
    // Unbalanced, the standard form of the cone would be ||(P, Q, (l/2 - v)/sqrt 2)|| <=
    // (l/2 + v)/sqrt 2; with l = 1, v = 1 and accuracy e: P^2 <= (1 + e)^2 * 9/8 - 0.36 - 1/8.
    // Balancing U = l/2 and V = v (cones.ts) can only tighten that.
    const bound = Math.sqrt((1 + 1e-6) ** 2 * 1.125 - 0.485);
    expect(outer.objective).toBeLessThanOrEqual(bound + 1e-9);
    expect(inner.objective).toBeGreaterThanOrEqual(0.8 - (bound - 0.8) - 1e-9);
  });

  it('with units: MW^2 <= kV^2 * kA^2', async () => {
    // |S|^2 = |V|^2 |I|^2 in physical units: 0.6 MW, 0.8 Mvar through 12.47 kV needs
    // l >= 1 MVA^2 / (12.47 kV)^2 = 6.43e-3 kA^2.
    const s = await solve(`
      var P : MW in [0 MW, 5 MW]
      var Q : Mvar in [0 Mvar, 5 Mvar]
      var v : kV^2 in [100 kV^2, 200 kV^2]
      var l : kA^2 in [0 kA^2, 1 kA^2]
      constraint pfix: P == 0.6 MW
      constraint qfix: Q == 0.8 Mvar
      constraint vfix: v == 12.47^2 * 1 kV^2
      constraint branch: P^2 + Q^2 <= v * l
      minimize m = l * 1 $/kA^2
    `, { lowering: { coneAccuracy: 1e-8, coneMode: 'inner' } });
    expect(s.value('l')).toBeGreaterThanOrEqual(1 / 12.47 ** 2 - 1e-9);
    expect(s.value('l')).toBeLessThanOrEqual(1 / 12.47 ** 2 * (1 + 1e-5));
  });
});

describe('sum of squares <= affine, and squares among other terms', () => {
  it('min z s.t. x^2 + y^2 <= z, x + y = 2: z = 2', async () => {
    const text = 'var x in [-5, 5]\nvar y in [-5, 5]\nvar z in [0, 50]\nconstraint s: x + y == 2\nconstraint p: x^2 + y^2 <= z\nminimize m = z\n';
    const outer = await solve(text, { lowering: { coneAccuracy: 1e-6, coneMode: 'outer' } });
    const inner = await solve(text, { lowering: { coneAccuracy: 1e-6, coneMode: 'inner' } });
    expect(outer.objective).toBeLessThanOrEqual(2 + 1e-9);
    expect(inner.objective).toBeGreaterThanOrEqual(2 - 1e-9);
    expect(inner.objective - outer.objective).toBeLessThan(1e-4);
  });

  it('x^2 + abs(y) <= 1, max x + y: a square epigraph next to an abs epigraph', async () => {
    // y = 1 - x^2 (y >= 0), max x + 1 - x^2 at x = 1/2: 5/4.
    const s = await solve('var x in [-2, 2]\nvar y in [-2, 2]\nconstraint c: x^2 + abs(y) <= 1\nmaximize m = x + y\n', { lowering: { coneAccuracy: 1e-7, coneMode: 'inner' } });
    expect(s.objective).toBeLessThanOrEqual(1.25 + 1e-9);
    expect(s.objective).toBeGreaterThanOrEqual(1.25 - 1e-5);
  });
});

describe('golden rows', () => {
  it('x^2 + y^2 <= 1 at depth 1 (accuracy 0.5): s <= 1 and the Ben-Tal-Nemirovski rows of ||(x, y)|| <= s', async () => {
    // Depth 1 is the smallest depth with 1/cos(pi/4) - 1 = 0.414 <= 0.5. Columns: s, xi0, eta0,
    // xi1, eta1 (aux 1..5). Rows: xi0 >= |x|, eta0 >= |y|; xi1 = cos(pi/4) xi0 + sin(pi/4) eta0;
    // eta1 >= |cos(pi/4) eta0 - sin(pi/4) xi0|; xi1 <= s; eta1 <= tan(pi/4) xi1. cos(pi/4) prints
    // as 0.707106781186548, sin(pi/4) as 0.707106781186547 (their doubles differ in the last bit).
    const { build, lpRows } = await import('../../test/lowering.js');
    const { model } = build('var x in [-2, 2]\nvar y in [-2, 2]\nconstraint disk: x^2 + y^2 <= 1\nminimize m = x + y\n', { coneAccuracy: 0.5 });
    expect(lpRows(model, 'disk')).toEqual([
      ' disk: disk~aux(1) <= 1',
      ' disk~aux(1): - x + disk~aux(2) >= 0',
      ' disk~aux(2): x + disk~aux(2) >= 0',
      ' disk~aux(3): - y + disk~aux(3) >= 0',
      ' disk~aux(4): y + disk~aux(3) >= 0',
      ' disk~aux(5): - 0.707106781186548 disk~aux(2) - 0.707106781186547 disk~aux(3) + disk~aux(4) = 0',
      ' disk~aux(6): 0.707106781186547 disk~aux(2) - 0.707106781186548 disk~aux(3) + disk~aux(5) >= 0',
      ' disk~aux(7): - 0.707106781186547 disk~aux(2) + 0.707106781186548 disk~aux(3) + disk~aux(5) >= 0',
      ' disk~aux(8): disk~aux(1) - disk~aux(4) >= 0',
      ' disk~aux(9): - 1 disk~aux(4) + disk~aux(5) <= 0',
    ]);
    expect(model.lowering[0]!.eps).toBeCloseTo(Math.SQRT2 - 1, 12);
  });
});
