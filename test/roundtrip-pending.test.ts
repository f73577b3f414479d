// Tests of behaviour that is wrong today: each states the correct expectation and FAILS until the
// bug it describes is fixed in src/. When one passes, move it to roundtrip.test.ts or
// solvers.test.ts. Each block names the bug and gives a minimal reproduction.
//
// The LP keyword tests are last: HiGHS's LP reader aborts its WebAssembly instance on them.
import { describe, expect, it } from 'vitest';
import { solveGlpk } from '../src/solve/glpk.js';
import { solveHighs } from '../src/solve/highs.js';
import { interpret } from '../src/report/results.js';
import { toJson } from '../src/report/output.js';
import { compileText, tempDir } from './helpers.js';
import {
  build, cbcSolve, expectClose, fileColNames, glpsolSolve, hasCbc, hasGlpsol, highsSolveFile, lpText, mpsText,
  userObjective, warnIfMissing, writeFiles,
} from './lpfiles.js';

warnIfMissing('glpsol', hasGlpsol, 'the glpsol checks of the pending tests');
warnIfMissing('cbc', hasCbc, 'the cbc checks of the pending tests');

describe('BUG 1: LP writer lines exceed 255 characters', () => {
  // The wrap width (250) counts only the terms: the ` name:` prefix of a constraint and the
  // ` <= rhs` suffix come on top. With terms of 9 characters (` + x(123)`) the first line of a
  // long row holds at least 241 characters of terms, plus the prefix: 303 characters here.
  // Repro: `set I = 1..500`, `var x[i in I] in [0, 1]`, a constraint with a 60-character name
  // over `sum(i in I) x[i]`, then `evg compile m.evg -o m.lp`.
  it('no LP line is longer than 255 characters, whatever the length of the names', () => {
    const name = `balance_${'of_the_feeder_'.repeat(4)}`.padEnd(60, 'x');
    const { model } = build(`
      set I = 1..500
      var x[i in I] in [0, 1]
      constraint ${name}: sum(i in I) x[i] <= 123.456789012345
      maximize total = sum(i in I) x[i]
    `);
    const long = lpText(model).split('\n').filter((l) => l.length > 255);
    expect(long.map((l) => l.length)).toEqual([]);
  });
});

describe('BUG 2: a constraint named `obj` collides with the objective row of MPS files', () => {
  // MPS files name the objective row `obj` (`N obj`); a constraint `obj` becomes a second row
  // `obj`. HiGHS silently adds the constraint's coefficients to the objective (objective 16
  // instead of 6), glpsol and cbc reject the file ("duplicate name obj").
  const TEXT = `
    var x in [0, 4]
    var y in [0, 5]
    constraint obj: x + y <= 3
    maximize total = 2 * x + y
  `;
  // x = 3, y = 0: 6.
  it('HiGHS reads the MPS file to the right objective', async () => {
    const { model } = build(TEXT);
    const sol = await highsSolveFile('mps', mpsText(model));
    expect(sol.status).toBe('optimal');
    expectClose(userObjective(model, sol.objective!, 'mps'), 6, 1e-9);
  });
  it.skipIf(!hasGlpsol)('glpsol reads the MPS file', () => {
    const { model } = build(TEXT);
    const f = writeFiles(model, tempDir(), 'm');
    const sol = glpsolSolve(f.mps, 'mps');
    expect(sol.status, sol.log).toBe('optimal');
    expectClose(userObjective(model, sol.objective!, 'mps'), 6, 1e-9);
  });
  it.skipIf(!hasCbc)('cbc reads the MPS file', () => {
    const { model } = build(TEXT);
    const f = writeFiles(model, tempDir(), 'm');
    const sol = cbcSolve(f.mps);
    expect(sol.status, sol.log).toBe('optimal');
    expectClose(userObjective(model, sol.objective!, 'mps'), 6, 1e-9);
  });
});

describe('BUG 3: CBC misreads MPS files with short names', () => {
  // CBC's MPS reader assumes fixed-format 8-character fields until a line shows otherwise, so a
  // first COLUMNS line like `    x obj -3` or `    x(1) obj -10` is read as the name "x obj -3" /
  // "x(1) obj" and rejected ("Bad image"); with only short names every line fails. Marking the
  // file as free format (`NAME evg FREE`, which glpsol also accepts) or aligning the fields to the
  // fixed columns would make it unambiguous.
  const SCALAR = `
    var x in [0, 4]
    var y in [-3, 5]
    constraint c1: x + 2 * y <= 7
    constraint r: -2 <= x - y <= 3
    maximize profit = 3 * x + 2 * y + 10
  `; // optimum 25 (x = 4, y = 1.5), see roundtrip.test.ts
  const INDEXED = `
    set I = 1..20
    var x[i in I] in [0, 1]
    constraint budget: sum(i in I) x[i] <= 2.5
    maximize total = sum(i in I) x[i]
  `; // optimum 2.5
  it.skipIf(!hasCbc).each([
    ['scalar names', SCALAR, 25],
    ['indexed names', INDEXED, 2.5],
  ])('cbc reads the MPS file (%s)', (_, text, optimum) => {
    const { model } = build(text as string);
    const f = writeFiles(model, tempDir(), 'm');
    const sol = cbcSolve(f.mps);
    expect(sol.status, sol.log).toBe('optimal');
    expectClose(userObjective(model, sol.objective!, 'mps'), optimum as number, 1e-9);
  });
});

describe('BUG 4: file names are not injective (`e12` and `_e12`)', () => {
  // A name that starts like an exponent (`e12`) gets a `_` prefix, but `_` is not escaped, so the
  // distinct variables `e12` and `_e12` are both written as `_e12`: the LP/MPS files merge them.
  const TEXT = `
    var e12 in [0, 4]
    var _e12 in [0, 1]
    constraint cap: e12 + 2 * _e12 <= 5
    maximize total = e12 + _e12
  `; // e12 = 4, _e12 = 0.5: 4.5 (evg's in-process solvers agree)
  it('distinct variables get distinct file names', () => {
    const { model } = build(TEXT);
    const names = fileColNames(model);
    expect(new Set(names).size).toBe(names.length);
  });
  it('HiGHS reads the LP file to the right objective', async () => {
    const { model } = build(TEXT);
    const sol = await highsSolveFile('lp', lpText(model));
    expect(sol.status).toBe('optimal');
    expectClose(userObjective(model, sol.objective!, 'lp'), 4.5, 1e-9);
  });
});

describe('BUG 5: GLPK back-end reports an unbounded MILP as an error', () => {
  // glpk.js returns GLP_UNDEF for an unbounded MILP (also after the retry without presolve);
  // solveGlpk maps it to 'error' ("GLPK status 1"). HiGHS says 'infeasible-or-unbounded'.
  it('status unbounded or infeasible-or-unbounded', async () => {
    const b = build(`
      var k integer >= 0
      var y in [0, 1]
      constraint c: k - y >= 1
      maximize total = k + y
    `);
    const out = await solveGlpk(b.model, {});
    expect(['unbounded', 'infeasible-or-unbounded']).toContain(out.status);
  });
});

describe('BUG 6: HiGHS back-end reports an objective for an unbounded LP', () => {
  // HiGHS has a primal feasible point when it proves unboundedness, and solveHighs passes it on:
  // `evg solve` prints "status unbounded" together with "objective t = 3" and variable values,
  // the JSON has "objective": 3. GLPK (correctly) reports none.
  it('no objective value in the results of an unbounded model', async () => {
    const b = build(`
      var x >= 0
      var y in [0, 1]
      constraint c: x - y >= 1
      maximize total = x + y
    `);
    for (const solve of [solveHighs, solveGlpk]) {
      const out = await solve(b.model, {});
      expect(out.status, out.solver).toBe('unbounded');
      const json = toJson(b.comp, interpret(b.comp, out), {}) as { objective: number | null };
      expect(json.objective, out.solver).toBeNull();
    }
  });
});

describe('BUG 7: parser crash on a reserved word inside an expression', () => {
  // `param p = a + binary + b` (or `constraint c: x + integer + y <= 3`) throws a TypeError in
  // EvgParser.bin (parser.ts: joinSpan of an undefined operand during error recovery); the CLI
  // reports "error[E0901]: internal compiler error" instead of the syntax error.
  it.each(['param p = a + binary + b', 'constraint s: binary + b <= 3', 'var x in [0, 1]\nconstraint c: x + integer + x <= 3'])(
    'a syntax error, not an exception: %s', (text) => {
      const c = compileText(text);
      expect(c.diags.hasErrors).toBe(true);
      expect(c.diags.list.map((d) => d.code)).not.toContain('E0901');
    });
});

describe('BUG 8: the unit k$ cannot be written', () => {
  // unit-names.ts defines `k$` (factor 1e3), but the lexer splits it into the identifier `k` and
  // `$`: `param a : k$ = 5` gives "error[E0004]: unknown unit `k`", `5 k$` a syntax error.
  it('k$ in a declaration and in a quantity', async () => {
    const c = compileText(`
      param price : k$/MWh = 2
      var p : MW in [0, 3]
      constraint need: p >= 1.5 MW
      minimize total = price * p * 1 h + 1 k$
    `);
    expect(c.diags.list.map((d) => `${d.code} ${d.message}`)).toEqual([]);
    const out = await solveHighs(c.elaboration!.model, {});
    const r = interpret(c, out);
    // 2 k$/MWh * 1.5 MWh + 1 k$ = 4 k$
    expect(r.objective!.value * (r.objective!.unit === 'k$' ? 1 : 1e-3)).toBeCloseTo(4, 9);
  });
});

describe('BUG 9: a set element cannot be written bare as an index', () => {
  // The quick reference documents `expr net[t in T] : MW = p[g1, t] - load[t]`, but a bare
  // element in an index is looked up as a declared name: "error[E0201]: unknown name `g1`".
  // (`p["g1", t]` works.) Either the checker or the documentation is wrong.
  it('p[g1, t] names the element g1 of G', () => {
    const c = compileText(`
      horizon T = 2 steps of 1 h
      set G = {g1, g2}
      param load[T] : MW = [1, 2]
      var p[g in G, t in T] : MW in [0, 5]
      expr net[t in T] : MW = p[g1, t] - load[t]
      constraint c[t in T]: net[t] >= 0 MW
      minimize total = sum(g in G, t in T) p[g, t] * 1 $/MW
    `);
    expect(c.diags.list.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  });
});

describe('BUG 10: names that are LP keywords are written unescaped', () => {
  // A variable (or constraint) named like an LP keyword is written verbatim: HiGHS's LP reader
  // aborts its WebAssembly instance ("Aborted()") on `inf`, `infinity`, `free`, `st`, `end`,
  // `bounds`, `bin`, `general(s)`, `max`, `min`, `sos`, `semi(s)`; cbc rejects `st` ("duplicates
  // in objective and matrix") and `subject` ("Can not locate keyword 'Subject To'"). glpsol
  // accepts them all. Repro: `var free in [0, 4]`, `var y in [0, 1]`, `constraint c: free + y <= 3`,
  // `maximize total = 2 * free + y` (optimum 6), then `evg compile m.evg -o m.lp`.
  const HIGHS_FAILS = ['inf', 'infinity', 'free', 'st', 'end', 'bounds', 'bin', 'general', 'generals', 'max', 'min', 'sos', 'semi'];
  const CBC_FAILS = ['st', 'subject'];
  const text = (n: string) => `
    var ${n} in [0, 4]
    var y in [0, 1]
    constraint c: ${n} + y <= 3
    maximize total = 2 * ${n} + y
  `;
  it.skipIf(!hasCbc).each(CBC_FAILS)('cbc reads an LP file with a variable named %s', (n) => {
    const { model } = build(text(n));
    const f = writeFiles(model, tempDir(), 'm');
    const sol = cbcSolve(f.lp);
    expect(sol.status, sol.log).toBe('optimal');
    expectClose(userObjective(model, sol.objective!, 'lp'), 6, 1e-9);
  });
  it.each(HIGHS_FAILS)('HiGHS reads an LP file with a variable named %s', async (n) => {
    const { model } = build(text(n));
    const sol = await highsSolveFile('lp', lpText(model));
    expect(sol.status).toBe('optimal');
    expectClose(userObjective(model, sol.objective!, 'lp'), 6, 1e-9);
  });
});
