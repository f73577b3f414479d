// Budget (Bertsimas-Sim) robust counterpart against enumeration. The uncertainty set
// { |zeta_k| <= 1, sum_k |zeta_k| <= gamma } is a polytope whose vertices have floor(gamma)
// coordinates at +-1 and, for fractional gamma, one more at +-frac(gamma). The enumeration takes
// every point with entries in {0, +-1, +-frac} inside the set (a superset of the vertices, all in
// the set), so "the nominal row at each of them" has the robust row's feasible set: random small
// instances must give the same optimum, for one budget group and for two composed ones.
import { describe, expect, it } from 'vitest';
import { affine, constant, emitRow } from './aux.js';
import { robustBox } from './robust-box.js';
import { robustBudget } from './robust-budget.js';
import { TestLp } from '../../test/lp-sink.js';
import { rng, int } from '../../test/random.js';
import { devOf, lpOptimum, nominalOf, randomRows, rowAt } from '../../test/robust-rows.js';

/** Points of the budget set with entries in {0, +-1, +-frac(gamma)} (at most one fractional). */
function budgetPoints(K: number, gamma: number): number[][] {
  const f = gamma - Math.floor(gamma);
  const values = f > 0 ? [0, 1, -1, f, -f] : [0, 1, -1];
  const out: number[][] = [];
  const rec = (z: number[]) => {
    const l1 = z.reduce((s, v) => s + Math.abs(v), 0);
    if (l1 > gamma + 1e-12 || z.filter((v) => Math.abs(v) !== 1 && v !== 0).length > 1) return;
    if (z.length === K) { out.push(z); return; }
    for (const v of values) rec([...z, v]);
  };
  rec([]);
  return out;
}

const GAMMAS = [0, 0.5, 1, 1.5, 2, 2.7, 3.25, 4, 5];

describe('budget robust counterpart', () => {
  it('known points: gamma = 1.5, K = 3 has 3 * 2 * 2 * 2 = 24 vertices among its points', () => {
    const pts = budgetPoints(3, 1.5);
    const vertices = pts.filter((z) => z.filter((v) => Math.abs(v) === 1).length === 1 && z.filter((v) => Math.abs(v) === 0.5).length === 1);
    expect(vertices.length).toBe(24);
    expect(budgetPoints(2, 0).length).toBe(1);
    expect(budgetPoints(2, 2).length).toBe(9);
  });

  it('random instances, integer and fractional budgets, against enumeration', async () => {
    let feasible = 0, strict = 0;
    for (let seed = 1; seed <= 80; seed++) {
      const u = rng(seed);
      const n = int(u, 1, 3), K = int(u, 2, 4), m = int(u, 1, 3), B = int(u, 1, 4);
      const c = Array.from({ length: n }, () => int(u, -5, 5) || 1);
      const rows = randomRows(u, n, K, m);
      const gamma = GAMMAS[int(u, 0, GAMMAS.length - 1)]!;
      const robust = await lpOptimum(n, B, c, (lp) => rows.forEach((r, i) => emitRow(lp, robustBudget(lp, nominalOf(r), devOf(r), gamma, `r${i}`), -Infinity, 0, `r${i}`)));
      const pts = budgetPoints(K, gamma);
      const enumd = await lpOptimum(n, B, c, (lp) => rows.forEach((r, i) => pts.forEach((z, v) => emitRow(lp, rowAt(r, z), -Infinity, 0, `r${i}v${v}`))));
      if (enumd.obj < Infinity) {
        feasible++;
        const box = await lpOptimum(n, B, c, (lp) => rows.forEach((r, i) => emitRow(lp, robustBox(lp, nominalOf(r), devOf(r), `r${i}`), -Infinity, 0, `r${i}`)));
        if (box.obj > enumd.obj + 1e-6 && gamma > 0) strict++;
      }
      if (enumd.obj === Infinity) expect(robust.obj, `seed ${seed}`).toBe(Infinity);
      else expect(robust.obj, `seed ${seed} gamma ${gamma}`).toBeCloseTo(enumd.obj, 7);
    }
    expect(feasible).toBeGreaterThan(40);
    expect(strict).toBeGreaterThan(5); // the budget is strictly less conservative than the box on many
  });

  it('two groups with separate budgets, composed, against the product of the two point sets', async () => {
    let feasible = 0;
    for (let seed = 201; seed <= 250; seed++) {
      const u = rng(seed);
      const n = int(u, 1, 3), KA = int(u, 1, 3), KB = int(u, 1, 3), m = int(u, 1, 2), B = int(u, 1, 4);
      const c = Array.from({ length: n }, () => int(u, -5, 5) || 1);
      const rows = randomRows(u, n, KA + KB, m);
      const gA = GAMMAS[int(u, 0, 5)]!, gB = GAMMAS[int(u, 0, 5)]!;
      const robust = await lpOptimum(n, B, c, (lp) => rows.forEach((r, i) => {
        const dev = devOf(r);
        const UA = robustBudget(lp, nominalOf(r), dev.slice(0, KA), gA, `r${i}a`);
        emitRow(lp, robustBudget(lp, UA, dev.slice(KA), gB, `r${i}b`), -Infinity, 0, `r${i}`);
      }));
      const pts = budgetPoints(KA, gA).flatMap((za) => budgetPoints(KB, gB).map((zb) => [...za, ...zb]));
      const enumd = await lpOptimum(n, B, c, (lp) => rows.forEach((r, i) => pts.forEach((z, v) => emitRow(lp, rowAt(r, z), -Infinity, 0, `r${i}v${v}`))));
      if (enumd.obj < Infinity) feasible++;
      if (enumd.obj === Infinity) expect(robust.obj, `seed ${seed}`).toBe(Infinity);
      else expect(robust.obj, `seed ${seed} gammas ${gA} ${gB}`).toBeCloseTo(enumd.obj, 7);
    }
    expect(feasible).toBeGreaterThan(25);
  });

  it('gamma = 0 is the nominal row; gamma >= K is the box (same columns)', () => {
    const lp = new TestLp();
    const x = lp.column(0, 1, 0, 'x'), y = lp.column(0, 1, 0, 'y');
    const nominal = affine([x, y], [1, 2], -1);
    const dev = [affine([x], [0.5], 0), affine([y], [-1], 0.25), constant(0)];
    expect(robustBudget(lp, nominal, dev, 0, 'r')).toBe(nominal);
    expect(lp.lower.length).toBe(2);
    const box = new TestLp(), bud = new TestLp();
    for (const s of [box, bud]) { s.column(0, 1, 0, 'x'); s.column(0, 1, 0, 'y'); }
    const Ub = robustBox(box, nominal, dev, 'r'), Ug = robustBudget(bud, nominal, dev, 2, 'r'); // 2 non-zero deviations
    expect(Ug).toEqual(Ub);
    expect(bud.rows).toEqual(box.rows);
    expect(() => robustBudget(lp, nominal, dev, -1, 'r')).toThrow(RangeError);
  });

  it('a constant deviation still uses the budget', async () => {
    // nominal x, deviations |1| (constant) and |2 x| with gamma = 1: worst case x + max(1, 2x).
    // Maximise x subject to that <= 2: x + 1 <= 2 and 3x <= 2, so x = 2/3 (the box would give x = 1/3).
    const lp = new TestLp();
    const x = lp.column(0, 10, 0, 'x');
    emitRow(lp, robustBudget(lp, affine([x], [1], -2), [constant(1), affine([x], [2], 0)], 1, 'r'), -Infinity, 0, 'r');
    const sol = await lp.solve({ [x]: 1 }, 'maximize');
    expect(sol.objective).toBeCloseTo(2 / 3, 9);
  });
});
