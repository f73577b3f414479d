// Implications on binary variables by big-M. Brute force: the unit-commitment-like model below
// is separable by period, so its optimum is the sum over periods of the best of "off" and "on",
// each computed in closed form.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileText, codesAt } from '../../test/helpers.js';
import { build, lpRows, solve } from '../../test/lowering.js';

/** Best cost of one period: off (buy everything, at most 0.5 MW) or on (p in [pmin, 2], buy the rest). */
function period(load: number, pmin: number): number {
  const off = load <= 0.5 ? 100 * load : Infinity;
  // On: p as large as possible (30 $/MWh < 100 $/MWh), at least pmin; the balance fixes buy = load - p >= 0.
  const p = Math.min(load, 2);
  const on = p >= pmin && load - p <= 0.5 ? 30 * p + 100 * (load - p) + 5 : Infinity;
  return Math.min(off, on);
}

describe('implications', () => {
  it('golden: if on then p >= 0.8, if not on then p <= 0 (M from p in [0, 2])', () => {
    const { model } = build(`
      var on binary
      var p : MW in [0, 2]
      constraint minout: if on then p >= 0.8 MW
      constraint off: if not on then p <= 0 MW
      minimize m = p
    `);
    // p - 0.8 >= -0.8 (1 - on): p - 0.8 on >= 0; p <= 0 + 2 on: p - 2 on <= 0.
    expect(lpRows(model, 'minout')).toEqual([' minout: - 0.8 on + p >= 0']);
    expect(lpRows(model, 'off')).toEqual([' off: - 2 on + p <= 0']);
  });

  it('optimal commitments match the per-period brute force', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 20 }).map((k) => k / 10), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 12 }).map((k) => k / 10),
      async (loads, pmin) => {
        const expected = loads.reduce((s, l) => s + period(l, pmin), 0);
        fc.pre(Number.isFinite(expected));
        const s = await solve(`
          horizon T = ${loads.length} steps of 1 h
          param load[T] : MW = [${loads.join(', ')}]
          var on[t in T] binary
          var p[t in T] : MW in [0, 2]
          var buy[t in T] : MW in [0, 0.5]
          constraint minout[t in T]: if on[t] then p[t] >= ${pmin} MW
          constraint off[t in T]: if not on[t] then p[t] <= 0 MW
          constraint bal[t in T]: p[t] + buy[t] == load[t]
          minimize cost = sum(t in T) (30 $/MWh * p[t] * step(T) + 100 $/MWh * buy[t] * step(T) + 5 $ * on[t])
        `);
        expect(s.objective).toBeCloseTo(expected, 7);
      }), { seed: 41, numRuns: 25 });
  });

  it('a conjunction with a negation, an equality, and else: start-up logic', async () => {
    // su[t] >= 1 when on[t] and not on[t-1]; if on then p == 1 else p == 0; off in hour 1.
    // Needed in hours 2 and 4: start in hour 2 (10) and stay on through hour 4 (p = 1 in hours
    // 2, 3, 4): 13, against 22 for switching off in hour 3 (two start-ups, p = 1 twice).
    const s = await solve(`
      horizon T = 4 steps of 1 h
      param need[T] = [0, 1, 0, 1]
      var on[t in T] binary
      var su[t in T] in [0, 1]
      var p[t in T] in [0, 1]
      constraint level[t in T]: if on[t] then p[t] == 1 else p[t] == 0
      constraint demand[t in T]: p[t] >= need[t]
      constraint init: on[1] == 0
      constraint start[t in T where t > first(T)]: if on[t] and not on[t-1] then su[t] >= 1
      minimize cost = sum(t in T) (10 * su[t] + p[t])
    `);
    expect(s.objective).toBeCloseTo(13, 9);
  });

  it('a condition on parameters only is a conditional constraint, with its else branch', async () => {
    // x[t] >= 2 in odd hours, x[t] >= 1 in even ones: 2 + 1 + 2.
    const s = await solve(`
      horizon T = 3 steps of 1 h
      var x[t in T] in [0, 5]
      constraint c[t in T]: if t - 2 * floor(t / 2) == 1 then x[t] >= 2 else x[t] >= 1
      minimize m = sum(t in T) x[t]
    `);
    expect(s.objective).toBeCloseTo(5, 9);
  });

  it('E0413: a condition on a continuous variable; E0412: a big-M without bounds', () => {
    const c = compileText('var x in [0, 1]\nvar y\nconstraint c: if x then y >= 1\nminimize m = y\n');
    expect(codesAt(c)).toEqual(['E0413@3:18']);
    const d = compileText('var b binary\nvar y\nconstraint c: if b then y >= 1\nminimize m = y\n');
    expect(codesAt(d)).toEqual(['E0412@3:1']);
    expect(d.diags.list[0]!.message).toContain('`y`');
  });
});
