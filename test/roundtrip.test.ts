// LP and MPS round trips: every model is written with the project's writers (writeLp / writeMps
// through StringSink and FileSink), read back by HiGHS (in-process, from the text) and by the
// outside programs glpsol and cbc when they are installed, solved, and compared with evg's own
// in-process HiGHS and GLPK solves and with optima derived by hand.
//
// The files carry the emitted (scaled) objective: user objective = file objective / objScale,
// and an MPS file writes a maximisation as the minimisation of the negated objective (see
// test/lpfiles.ts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { solveGlpk } from '../src/solve/glpk.js';
import { solveHighs } from '../src/solve/highs.js';
import { interpret } from '../src/report/results.js';
import { toJson } from '../src/report/output.js';
import { sourceName } from '../src/ir/names.js';
import { colTuple } from '../src/ir/model.js';
import { tempDir } from './helpers.js';
import {
  build, buildFile, cbcSolve, expectClose, fileColNames, fileRowNames, glpsolSolve, hasCbc, hasGlpsol, highsSolveFile,
  lpText, mpsText, userObjective, warnIfMissing, writeFiles, type Built, type FileSolution, type Format,
} from './lpfiles.js';

warnIfMissing('glpsol', hasGlpsol, 'the glpsol round-trip tests (glpsol --lp / --freemps)');
warnIfMissing('cbc', hasCbc, 'the cbc round-trip tests (cbc FILE solve)');

const DISPATCH = fileURLToPath(new URL('../examples/dispatch/model.evg', import.meta.url));

interface Case {
  readonly name: string;
  readonly make: () => Built;
  /** The optimum in the objective's unit, derived independently (see each model's comment). */
  readonly objective: number;
  /** Variables (source names) whose optimal value is unique, with that value in the declared unit. */
  readonly values: Record<string, number>;
  readonly status?: 'optimal' | 'infeasible';
}

const CASES: Case[] = [
  {
    // The 24-hour dispatch example (LP with imported components, CSV data, objScale 0.1).
    // Reference: evg's in-process solves agree with each other; 4235.69188888... $.
    name: 'dispatch example',
    make: () => buildFile(DISPATCH),
    objective: 4235.691888888887,
    values: {},
  },
  {
    // Unit commitment with one period: demand 6.5 MW, capacities a 3, b 4, c 5 MW, start costs
    // 10, 12, 15 $, energy costs 2, 3, 1 $/MW, and 1 $ per unit of the integer counter n >= number on.
    // Feasible sets and their cost (start + merit-order dispatch + n):
    //   {a,b}: 22 + (3*2 + 3.5*3) + 2 = 40.5      {a,c}: 25 + (5*1 + 1.5*2) + 2 = 35
    //   {b,c}: 27 + (5*1 + 1.5*3) + 2 = 38.5      {a,b,c}: 37 + 5 + 3 + 3 = 48
    // Unique optimum {a,c}: p[a] = 1.5, p[c] = 5, n = 2, cost 35 $. `spare` (integer) and `idle`
    // (binary) appear in no constraint and not in the objective.
    name: 'MILP (binary and integer variables)',
    make: () => build(`
      set G = {a, b, c}
      param cap[G] : MW = {a: 3, b: 4, c: 5}
      param start[G] : $ = {a: 10, b: 12, c: 15}
      param energy[G] : $/MW = {a: 2, b: 3, c: 1}
      var on[G] binary
      var units_on integer in [0, 7]
      var spare integer in [2, 5]
      var idle binary
      var p[g in G] : MW in [0, cap[g]]
      constraint lim[g in G]: p[g] <= cap[g] * on[g]
      constraint demand: sum(g in G) p[g] >= 6.5 MW
      constraint count: units_on >= sum(g in G) on[g]
      minimize spend = sum(g in G) (start[g] * on[g] + energy[g] * p[g]) + 1 $ * units_on
    `),
    objective: 35,
    values: { 'on[a]': 1, 'on[b]': 0, 'on[c]': 1, 'p[a]': 1.5, 'p[b]': 0, 'p[c]': 5, units_on: 2 },
  },
  {
    // Maximisation with an objective constant, a ranged constraint and a negative lower bound:
    // max 3 e + 2 s + 10 with e in [0, 4], s in [-3, 5], e + 2 s <= 7, -2 <= e - s <= 3.
    // At e = 4: s <= 1.5 (first row) and s >= 1 (range); s = 1.5 gives 12 + 3 + 10 = 25. The
    // gradient (3, 2) = 2 (1, 0) + 1 (1, 2) with both multipliers > 0: the vertex is the unique optimum.
    name: 'maximisation with constant, ranged row, negative bound',
    make: () => build(`
      var export_e in [0, 4]
      var store_s in [-3, 5]
      constraint capacity: export_e + 2 * store_s <= 7
      constraint spread: -2 <= export_e - store_s <= 3
      maximize profit = 3 * export_e + 2 * store_s + 10
    `),
    objective: 25,
    values: { export_e: 4, store_s: 1.5 },
  },
  {
    // Names with spaces, symbols and negative numbers; free, fixed, minus-infinity-bounded and
    // unused variables. f[b,k] >= max(k, -2): per bus -1 + 2 + 3.5 = 4.5, four buses 18;
    // z free >= -5; v <= 4 (no lower bound) >= -7; fx fixed at 3 with weight 2: 6.
    // Objective 18 - 5 - 7 + 6 = 12. `unused` and `neg` appear nowhere.
    name: 'names, free, fixed, unused variables',
    make: () => build(`
      set B = {"bus 7", "a-b", "x+y", n1}
      set K = {-1, 2, 3.5}
      var f[b in B, k in K] in [-2, 10]
      var zfree
      var v <= 4
      var fx in [3, 3]
      var unused in [1, 2]
      var neg in [-3, -1]
      constraint cap[b in B, k in K]: f[b, k] >= k
      constraint zlo: zfree >= -5
      constraint zhi: zfree - fx <= 100
      constraint vlo: v >= -7
      minimize total = sum(b in B, k in K) f[b, k] + zfree + v + 2 * fx
    `),
    objective: 12,
    values: {
      'f[bus 7,-1]': -1, 'f[a-b,2]': 2, 'f[x+y,3.5]': 3.5, 'f[n1,-1]': -1, 'f[n1,3.5]': 3.5,
      zfree: -5, v: -7, fx: 3,
    },
  },
  {
    // 500 continuous and 500 binary variables (names of 8 characters and more: see the CBC
    // MPS issue in roundtrip-pending.test.ts); one constraint, the objective and the Binaries
    // list each have 500 terms and must wrap. Greedy (fractional knapsack, ratios increasing in i):
    // sum_{i<=k} (1 + i/1000) <= 100 holds for k = 95 (99.56) but not 96 (100.656), so
    // amount[1..95] = 1, amount[96] = 0.44 / 1.096, chosen[i] = 1 exactly for i <= 96 (cost 0.001 each).
    // Objective 95 + 0.44/1.096 - 0.096.
    name: 'long rows (500 terms)',
    make: () => build(`
      set I = 1..500
      var amount[i in I] in [0, 1]
      var chosen[i in I] binary
      constraint budget: sum(i in I) (1 + i / 1000) * amount[i] <= 100
      constraint link[i in I]: amount[i] <= chosen[i]
      maximize total = sum(i in I) (amount[i] - 0.001 * chosen[i])
    `),
    objective: 95 + 0.44 / 1.096 - 0.096,
    values: { 'amount[1]': 1, 'amount[95]': 1, 'amount[96]': 0.44 / 1.096, 'amount[97]': 0, 'amount[500]': 0, 'chosen[96]': 1, 'chosen[97]': 0 },
  },
  {
    // x + y >= 3 with x, y in [0, 1]: infeasible.
    name: 'infeasible LP',
    make: () => build(`
      var x_a in [0, 1]
      var y_b in [0, 1]
      constraint need: x_a + y_b >= 3
      minimize total = x_a + y_b
    `),
    objective: NaN,
    values: {},
    status: 'infeasible',
  },
];

interface Prepared {
  readonly built: Built;
  readonly lp: string;
  readonly mps: string;
  readonly files: { lp: string; mps: string };
  /** File name of a variable's column, by source name. */
  readonly fileName: Map<string, string>;
  /** Objectives (declared unit) of evg's in-process HiGHS and GLPK solves, when optimal. */
  readonly inProcess: number[];
}

async function prepare(c: Case): Promise<Prepared> {
  const built = c.make();
  const { model } = built;
  const dir = tempDir();
  const files = writeFiles(model, dir, 'model');
  const names = fileColNames(model);
  const fileName = new Map<string, string>();
  for (const f of model.colFamilies) {
    for (let j = f.first; j < f.first + f.count; j++) fileName.set(sourceName(f.name, colTuple(f, j)), names[j]!);
  }
  const inProcess: number[] = [];
  for (const solve of [solveHighs, solveGlpk]) {
    const out = await solve(model, {});
    if (out.status === 'optimal') inProcess.push(interpret(built.comp, out).objective!.value);
  }
  return { built, lp: lpText(model, 'model'), mps: mpsText(model, 'model'), files, fileName, inProcess };
}

/** Checks a reader's solution against the case: status, objective in user terms, unique values. */
function checkFileSolution(c: Case, p: Prepared, sol: FileSolution, format: Format, sparse = false): void {
  const expected = c.status ?? 'optimal';
  expect(sol.status, sol.log).toBe(expected);
  if (expected !== 'optimal') return;
  const objective = userObjective(p.built.model, sol.objective!, format);
  expectClose(objective, c.objective, 1e-6, `${c.name}: objective from the ${format} file`);
  // ... and the same as evg's own in-process HiGHS and GLPK solves.
  expect(p.inProcess).toHaveLength(2);
  for (const ref of p.inProcess) expectClose(objective, ref, 1e-6, `${c.name}: ${format} file vs in-process objective`);
  for (const [name, v] of Object.entries(c.values)) {
    const fname = p.fileName.get(name);
    expect(fname, `column of ${name}`).toBeDefined();
    // CBC lists nonzero values only.
    const got = sol.values.get(fname!) ?? (sparse ? 0 : undefined);
    expectClose(got, v, 1e-6, `${c.name}: ${name} (${fname}) from the ${format} file`);
  }
}

describe.each(CASES)('round trip: $name', (c) => {
  let p: Prepared;
  beforeAll(async () => {
    p = await prepare(c);
  });

  it('evg solves it in-process with HiGHS and GLPK to the expected optimum', async () => {
    for (const solve of [solveHighs, solveGlpk]) {
      const out = await solve(p.built.model, {});
      expect(out.status, out.solver).toBe(c.status ?? 'optimal');
      if (c.status) continue;
      const r = interpret(p.built.comp, out);
      expectClose(r.objective!.value, c.objective, 1e-6, `${out.solver} objective`);
      const json = toJson(p.built.comp, r, {}) as { variables: Record<string, number> };
      for (const [name, v] of Object.entries(c.values)) expectClose(json.variables[name], v, 1e-6, `${out.solver} ${name}`);
    }
  });

  it('FileSink and StringSink write the same text', () => {
    expect(readFileSync(p.files.lp, 'utf8')).toBe(p.lp);
    expect(readFileSync(p.files.mps, 'utf8')).toBe(p.mps);
  });

  it('LP file: no line longer than 255 characters, sections in order', () => {
    const lines = p.lp.split('\n');
    const long = lines.filter((l) => l.length > 255);
    expect(long.map((l) => `${l.length}: ${l.slice(0, 60)}...`)).toEqual([]);
    const sections = lines.filter((l) => /^(Minimize|Maximize|Subject To|Bounds|Generals|Binaries|End)$/.test(l));
    const order = ['Minimize', 'Maximize', 'Subject To', 'Bounds', 'Generals', 'Binaries', 'End'];
    expect(sections.map((s) => order.indexOf(s))).toEqual([...sections.map((s) => order.indexOf(s))].sort((a, b) => a - b));
    expect(sections[0]).toBe(p.built.model.objective.sense === 'maximize' ? 'Maximize' : 'Minimize');
    expect(sections[sections.length - 1]).toBe('End');
  });

  it('LP text read back by HiGHS', async () => {
    checkFileSolution(c, p, await highsSolveFile('lp', p.lp), 'lp');
  });

  it('MPS bytes read back by HiGHS', async () => {
    checkFileSolution(c, p, await highsSolveFile('mps', p.mps), 'mps');
  });

  it('HiGHS keeps every column of the LP and MPS files, under its written name', async () => {
    if (c.status) return;
    const names = fileColNames(p.built.model);
    for (const format of ['lp', 'mps'] as const) {
      const sol = await highsSolveFile(format, format === 'lp' ? p.lp : p.mps);
      for (const n of names) expect(sol.values.has(n), `${format}: column ${n}`).toBe(true);
      // Each column's value lies within its bounds (unused columns included).
      const { colLower, colUpper } = p.built.model;
      names.forEach((n, j) => {
        const v = sol.values.get(n)!;
        expect(v, `${format}: ${n}`).toBeGreaterThanOrEqual(colLower[j]! - 1e-9);
        expect(v, `${format}: ${n}`).toBeLessThanOrEqual(colUpper[j]! + 1e-9);
      });
    }
  });

  it.skipIf(!hasGlpsol)('glpsol --lp', () => {
    checkFileSolution(c, p, glpsolSolve(p.files.lp, 'lp'), 'lp');
  });

  it.skipIf(!hasGlpsol)('glpsol --freemps', () => {
    checkFileSolution(c, p, glpsolSolve(p.files.mps, 'mps'), 'mps');
  });

  it.skipIf(!hasCbc)('cbc FILE.lp solve', () => {
    checkFileSolution(c, p, cbcSolve(p.files.lp), 'lp', true);
  });

  it.skipIf(!hasCbc)('cbc FILE.mps solve', () => {
    checkFileSolution(c, p, cbcSolve(p.files.mps), 'mps', true);
  });
});

describe('LP file names', () => {
  const c = CASES.find((k) => k.name.startsWith('names'))!;
  let p: Prepared;
  beforeAll(async () => {
    p = await prepare(c);
  });
  // CPLEX LP: letters, digits and ! " # $ % & ( ) / , . ; ? @ _ ` ' { } | ~, not starting with a digit or a period.
  const LEGAL = /^[A-Za-z!"#$%&()/,;?@_`'{}|~][A-Za-z0-9!"#$%&()/,.;?@_`'{}|~]*$/;

  /** Inverse of the documented escaping: `(`/`)` back to brackets, `~hh` and `~u....~` back to characters. */
  function decode(s: string): string {
    return s.replace(/\(/g, '[').replace(/\)/g, ']')
      .replace(/~u([0-9a-f]+)~/g, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
      .replace(/~([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  }

  it('column and row names are legal, unique, at most 255 characters, and decode to the source names', () => {
    const { model } = p.built;
    const cols = fileColNames(model);
    const rows = fileRowNames(model);
    for (const n of [...cols, ...rows]) {
      expect(n, n).toMatch(LEGAL);
      expect(n.length).toBeLessThanOrEqual(255);
    }
    expect(new Set(cols).size).toBe(cols.length);
    expect(new Set(rows).size).toBe(rows.length);
    const sources = [...p.fileName.keys()];
    expect(cols.map(decode).sort()).toEqual([...sources].sort());
    expect(cols).toContain('f(bus~207,~2d1)');
    expect(cols).toContain('f(a~2db,3.5)');
    expect(cols).toContain('f(x~2by,2)');
    expect(rows).toContain('cap(n1,~2d1)');
  });

  it('the LP file uses exactly those names: one row per constraint line, no spaces inside names', () => {
    const { model } = p.built;
    const lines = p.lp.split('\n');
    const s = lines.indexOf('Subject To');
    const b = lines.indexOf('Bounds');
    const rowNames = lines.slice(s + 1, b).map((l) => /^ (\S+):/.exec(l)?.[1]).filter((x): x is string => !!x);
    expect(rowNames).toEqual(fileRowNames(model));
    expect(new Set(rowNames).size).toBe(rowNames.length);
    // Every token of a constraint line is a number, an operator or a column name.
    const cols = new Set(fileColNames(model));
    for (const l of lines.slice(s + 1, b)) {
      const body = l.replace(/^ \S+:/, '');
      for (const tok of body.trim().split(/\s+/)) {
        if (/^([<>]?=|[+-]|-?[0-9.]+(e[+-]?\d+)?)$/.test(tok)) continue;
        expect(cols.has(tok), `token ${tok} in: ${l}`).toBe(true);
      }
    }
  });

  it('ranged rows become NAME~lo and NAME~hi in LP files and a RANGES entry in MPS files', async () => {
    const r = await prepare(CASES.find((k) => k.name.startsWith('maximisation'))!);
    expect(r.lp).toMatch(/^ spread~lo: export_e - store_s >= -2$/m);
    expect(r.lp).toMatch(/^ spread~hi: export_e - store_s <= 3$/m);
    expect(r.mps).toMatch(/^RANGES\n\s+RNG spread 5$/m);
    // The objective constant: a column fixed at 1.
    expect(r.lp).toMatch(/\+ 10 evg~constant/);
    expect(r.lp).toMatch(/^ evg~constant = 1$/m);
    expect(r.mps).toMatch(/^ FX BND evg~constant 1$/m);
    // Maximisation: the MPS objective is negated and says so.
    expect(r.mps).toMatch(/maximisation written as minimisation/);
    expect(r.mps).toMatch(/^\s+export_e obj -3$/m);
  });

  it('HiGHS reads the sanitized names back unchanged from both formats', async () => {
    const cols = fileColNames(p.built.model);
    for (const format of ['lp', 'mps'] as const) {
      const sol = await highsSolveFile(format, format === 'lp' ? p.lp : p.mps);
      expect([...sol.values.keys()].filter((n) => n !== 'evg~constant').sort()).toEqual([...cols].sort());
    }
  });
});
