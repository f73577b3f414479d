// Convex squares in the objective: a QP for HiGHS (no integers), tangent cuts for GLPK or a MILP,
// with the error bound h^2/4 per square reported. Closed form: min (x - 3)^2 + (y + 1)^2 subject to
// x + y = 1 is the squared distance from (3, -1) to the line, (3 - 1 - 1)^2 / 2 = 1/2, at (2.5, -1.5).
import { describe, expect, it } from 'vitest';
import { binaries, solve } from '../../test/lowering.js';

const TEXT = `
  var x in [-10, 10]
  var y in [-10, 10]
  constraint line: x + y == 1
  minimize m = (x - 3)^2 + (y + 1)^2
`;

describe('quadratic objective', () => {
  it('HiGHS solves it as a QP: 1/2 at (2.5, -1.5)', async () => {
    const s = await solve(TEXT);
    expect(s.model.hessian).toBeDefined();
    expect(s.objective).toBeCloseTo(0.5, 7);
    expect(s.value('x')).toBeCloseTo(2.5, 5); // HiGHS's QP solver stops at 1e-6 primal tolerance
    expect(s.model.lowering.map((r) => r.form)).toEqual(['square: QP Hessian']);
  });

  it('GLPK gets tangent cuts: the optimum is below 1/2 by at most the reported bound', async () => {
    for (const pwlSegments of [4, 20, 100]) {
      const s = await solve(TEXT, { solver: 'glpk', lowering: { pwlSegments } });
      expect(s.model.hessian).toBeUndefined();
      // Each square's argument ranges over an interval of width 20 (x, y in [-10, 10]): h = 20 / N.
      const bound = 2 * (20 / pwlSegments) ** 2 / 4;
      expect(s.model.objectiveError).toBeCloseTo(bound, 9);
      expect(s.objective).toBeLessThanOrEqual(0.5 + 1e-9);
      expect(s.objective).toBeGreaterThanOrEqual(0.5 - bound - 1e-9);
      // The cost terms are evaluated as written: the true cost at the approximate solution.
      const x = s.value('x'), y = s.value('y');
      expect((x - 3) ** 2 + (y + 1) ** 2).toBeGreaterThanOrEqual(0.5 - 1e-9);
    }
  });

  it('a generator cost b2 P^2 + b1 P with units, in a MILP: tangents, and the same optimum as by hand', async () => {
    // Two hours, load 0.5 and 0.8 MW, one unit: cost 0.01 $/MW^2h * (P MW)^2 + 58 $/MWh, and a
    // binary that must be on when P > 0 (an implication). Cost = sum 0.01 P^2 + 58 P + 1 $.
    const s = await solve(`
      horizon T = 2 steps of 1 h
      param load[T] : MW = [0.5, 0.8]
      var on[t in T] binary
      var p[t in T] : MW in [0, 1]
      constraint bal[t in T]: p[t] == load[t]
      constraint commit[t in T]: if not on[t] then p[t] <= 0 MW
      minimize cost = sum(t in T) (0.01 $/MW^2h * p[t]^2 * step(T) + 58 $/MWh * p[t] * step(T) + 1 $ * on[t])
    `, { lowering: { pwlSegments: 50 } });
    expect(binaries(s.model)).toBe(0);
    const exact = 0.01 * (0.25 + 0.64) + 58 * 1.3 + 2;
    // MILP: tangents, below the exact cost by at most (1/50)^2/4 per square (times 0.01 $/MW^2h).
    expect(s.model.hessian).toBeUndefined();
    expect(s.objective).toBeLessThanOrEqual(exact + 1e-9);
    expect(s.objective).toBeGreaterThanOrEqual(exact - 2 * 0.01 * (1 / 50) ** 2 / 4 - 1e-9);
  });
});

describe('golden', () => {
  it('3 (x - 1)^2 + y^2 as a QP: -6 x + 3 + (1/2) x\'Qx with Q = diag(6, 2), written scaled by 0.1', async () => {
    const { build } = await import('../../test/lowering.js');
    const { lpText, mpsText } = await import('../../test/lpfiles.js');
    const { model } = build('var x in [-2, 2]\nvar y in [1, 3]\nminimize m = 3 * (x - 1)^2 + y^2\n');
    expect(model.objScale).toBe(0.1);
    expect(lpText(model)).toContain(' evg~obj: - 0.6 x + 0.3 evg~constant + [ 0.6 x ^ 2 + 0.2 y ^ 2 ] / 2\n');
    expect(mpsText(model)).toContain('QUADOBJ\n    x x 0.6\n    y y 0.2\nENDATA');
  });

  it('with --linearize: 2 tangent cuts at the ends and the middle of x in [-2, 2]', async () => {
    // Tangents of a^2 at p = -2, 0, 2: s >= -4 a - 4, s >= 0, s >= 4 a - 4 (a = x, s its epigraph).
    const { build, lpRows } = await import('../../test/lowering.js');
    const { model } = build('var x in [-2, 2]\nminimize m = x^2\n', { quadraticObjective: 'pwl', pwlSegments: 2 });
    expect(lpRows(model, 'objective')).toEqual([
      ' objective~aux(1): 4 x + objective~aux(1) >= -4',
      ' objective~aux(2): objective~aux(1) >= 0',
      ' objective~aux(3): - 4 x + objective~aux(1) >= -4',
    ]);
    // h = 2: the error bound is h^2 / 4 = 1 (at x = -1 and 1 the cuts give 0 instead of 1).
    expect(model.objectiveError).toBeCloseTo(1, 12);
  });
});
