// LP and MPS round trips: every model is written with the project's writers (writeLp / writeMps
// through StringSink and FileSink), read back by HiGHS (in-process, from the text) and by the
// outside programs glpsol and cbc when they are installed, solved, and compared with evg's own
// in-process HiGHS and GLPK solves and with optima derived by hand.
//
// The files carry the emitted (scaled) objective: user objective = file objective / objScale,
// and an MPS file writes a maximisation as the minimisation of the negated objective (see
// test/lpfiles.ts).
//
// The second half is about file names (src/ir/names.ts): line length, long names, the reserved
// objective row, free MPS, injectivity, LP keywords, and a property test on models built as IR
// with random family names and elements, each checked against an independent decoder of the
// documented escape scheme and, read back by every reader, against a hand-derived optimum.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { solveGlpk } from '../src/solve/glpk.js';
import { solveHighs } from '../src/solve/highs.js';
import { interpret } from '../src/report/results.js';
import { toJson } from '../src/report/output.js';
import { Namer, NAME_LIMIT, sourceName } from '../src/ir/names.js';
import { colTuple, rowTuple, type Model } from '../src/ir/model.js';
import type { Elem } from '../src/lower/values.js';
import { tempDir } from './helpers.js';
import {
  build, buildFile, cbcSolve, expectClose, fileColNames, fileRowNames, glpsolSolve, hasCbc, hasGlpsol, highsSolveFile,
  lpText, mpsText, separableModel, userObjective, warnIfMissing, writeFiles, type Built, type FileSolution, type Format,
  type NamedFamily,
} from './lpfiles.js';

warnIfMissing('glpsol', hasGlpsol, 'the glpsol round-trip tests (glpsol --lp / --freemps)');
warnIfMissing('cbc', hasCbc, 'the cbc round-trip tests (cbc FILE solve)');

const DISPATCH = fileURLToPath(new URL('../examples/dispatch/model.evg', import.meta.url));

interface Case {
  readonly name: string;
  readonly make: () => Built;
  /** The optimum in the objective's unit, derived independently (see each model's comment); NaN: none. */
  readonly objective: number;
  /** Variables (source names) whose optimal value is unique, with that value in the declared unit. */
  readonly values: Record<string, number>;
  readonly status?: 'optimal' | 'infeasible';
}

const CASES: Case[] = [
  {
    // The 24-hour dispatch example with its quadratic costs linearised by tangent cuts (an LP that
    // every reader takes; imported components, CSV data). No value derived by hand: the files read
    // by glpsol, cbc and HiGHS must reach the optimum of evg's in-process HiGHS and GLPK solves.
    name: 'dispatch example',
    make: () => buildFile(DISPATCH, { quadraticObjective: 'pwl' }),
    objective: NaN,
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
    // 500 continuous and 500 binary variables (names of 8 characters and more, which CBC read
    // even before MPS files said FREE); one constraint, the objective and the Binaries
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
  if (!Number.isNaN(c.objective)) expectClose(objective, c.objective, 1e-6, `${c.name}: objective from the ${format} file`);
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
      if (!Number.isNaN(c.objective)) expectClose(r.objective!.value, c.objective, 1e-6, `${out.solver} objective`);
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

  /** Source name of a file name, by the inverse of the escaping documented in src/ir/names.ts. */
  function decode(s: string): string {
    const { family, tuple } = decodeName(s);
    return sourceName(family, tuple);
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
    expect(r.mps).toMatch(/^\s+export_e evg~obj -3$/m);
    // The objective row has a name no escaped model name can take.
    expect(r.lp).toMatch(/^ evg~obj: 3 export_e \+ 2 store_s \+ 10 evg~constant$/m);
    expect(r.mps).toMatch(/^ N evg~obj$/m);
    expect(r.mps).toMatch(/^NAME model FREE$/m);
  });

  it('HiGHS reads the sanitized names back unchanged from both formats', async () => {
    const cols = fileColNames(p.built.model);
    for (const format of ['lp', 'mps'] as const) {
      const sol = await highsSolveFile(format, format === 'lp' ? p.lp : p.mps);
      expect([...sol.values.keys()].filter((n) => n !== 'evg~constant').sort()).toEqual([...cols].sort());
    }
  });
});

// ---- file names: escaping, length, reserved names ------------------------------------------------

/**
 * (family, tuple) of a file name that was not shortened, by the inverse of the scheme documented
 * in src/ir/names.ts: a final `(...)` holds the tuple, split at commas; `~hh` and `~uhhhhhh` are
 * characters; `(` `)` in the family are brackets; an element marked `~s` is a string, any other
 * element that reads back as a number is that number.
 */
function decodeName(name: string): { family: string; tuple: Elem[] } {
  const chars = (s: string) => s.replace(/~u([0-9a-f]{6})|~([0-9a-f]{2})/g, (_: string, u: string | undefined, h: string | undefined) => String.fromCodePoint(parseInt(u ?? h!, 16)));
  const family = (s: string) => chars(s.replace(/\(/g, '[').replace(/\)/g, ']'));
  if (!name.endsWith(')')) return { family: family(name), tuple: [] };
  const open = name.lastIndexOf('(');
  const tuple = name.slice(open + 1, -1).split(',').map((t): Elem => {
    if (t.startsWith('~s')) return chars(t.slice(2));
    const text = chars(t);
    return String(Number(text)) === text ? Number(text) : text;
  });
  return { family: family(name.slice(0, open)), tuple };
}

/** Only letters, digits and `_ . , ( ) ~`, not starting with a digit or a period. */
const FILE_NAME = /^[A-Za-z_~][A-Za-z0-9_.,()~]*$/;

const sameElem = (a: Elem, b: Elem) => a === b || (Number.isNaN(a) && Number.isNaN(b));

/** Checks every column and row name of `model`: legal, short, unique, and decoding to its source where not shortened. */
function checkNames(model: Model): void {
  const namer = new Namer(model);
  for (const [kind, count, limit] of [['col', model.numCols, NAME_LIMIT], ['row', model.numRows, NAME_LIMIT - 3]] as const) {
    const seen = new Set<string>();
    for (let k = 0; k < count; k++) {
      const name = kind === 'col' ? namer.colFile(k) : namer.rowFile(k);
      const f = kind === 'col' ? namer.colFamily(k) : namer.rowFamily(k);
      const tuple = kind === 'col' ? colTuple(f as never, k) : rowTuple(f as never, k);
      expect(name, `${kind} ${k} of ${f.name}`).toMatch(FILE_NAME);
      expect(name.length, name).toBeLessThanOrEqual(limit);
      expect(seen.has(name), `duplicate ${kind} name ${name}`).toBe(false);
      seen.add(name);
      const shortened = /~n\d+$/.test(name);
      if (shortened) {
        expect(name.endsWith(`~n${k}`), name).toBe(true);
        continue;
      }
      const d = decodeName(name);
      expect(d.family, name).toBe(f.name);
      expect(d.tuple.length, name).toBe(tuple.length);
      d.tuple.forEach((e, i) => expect(sameElem(e, tuple[i]!), `${name}: element ${i} ${String(e)} vs ${String(tuple[i])}`).toBe(true));
    }
  }
}

/** Every line of an LP text: printable ASCII, at most 255 characters. */
function checkLpLines(lp: string): void {
  const bad = lp.split('\n').filter((l) => l.length > 255 || /[^\x20-\x7e]/.test(l));
  expect(bad.map((l) => `${l.length}: ${l.slice(0, 80)}`)).toEqual([]);
}

/**
 * Its for every reader of the written files (HiGHS from text, glpsol and cbc from disk) and for
 * evg's in-process solves: status optimal, objective `optimum`, and — read back by file name —
 * the value of every column in `values` (when given; cbc lists nonzero values only).
 */
function readerTests(make: () => { model: Model; optimum: number; values?: readonly number[] }): void {
  let model: Model, optimum: number, values: readonly number[] | undefined;
  let lp: string, mps: string, files: { lp: string; mps: string }, names: string[];
  beforeAll(() => {
    ({ model, optimum, values } = make());
    lp = lpText(model);
    mps = mpsText(model);
    files = writeFiles(model, tempDir(), 'm');
    names = fileColNames(model);
  });
  const check = (sol: FileSolution, format: Format, sparse = false) => {
    expect(sol.status, sol.log).toBe('optimal');
    expectClose(userObjective(model, sol.objective!, format), optimum, 1e-9, `${format} objective`);
    values?.forEach((v, j) => expectClose(sol.values.get(names[j]!) ?? (sparse ? 0 : undefined), v, 1e-9, `${format}: ${names[j]}`));
  };
  it('the names are legal, unique and decode to the source; no LP line is too long', () => {
    checkNames(model);
    checkLpLines(lp);
  });
  it('evg in-process (HiGHS, GLPK)', async () => {
    for (const solve of [solveHighs, solveGlpk]) {
      const out = await solve(model, {});
      expect(out.status, out.solver).toBe('optimal');
      expectClose(out.objective! / model.objScale, optimum, 1e-9, out.solver);
    }
  });
  it('HiGHS reads the LP text', async () => check(await highsSolveFile('lp', lp), 'lp'));
  it('HiGHS reads the MPS bytes', async () => check(await highsSolveFile('mps', mps), 'mps'));
  it.skipIf(!hasGlpsol)('glpsol --lp', () => check(glpsolSolve(files.lp, 'lp'), 'lp'));
  it.skipIf(!hasGlpsol)('glpsol --freemps', () => check(glpsolSolve(files.mps, 'mps'), 'mps'));
  it.skipIf(!hasCbc)('cbc FILE.lp', () => check(cbcSolve(files.lp), 'lp', true));
  it.skipIf(!hasCbc)('cbc FILE.mps', () => check(cbcSolve(files.mps), 'mps', true));
}

const built = (text: string, optimum: number) => () => ({ model: build(text).model, optimum });

describe('LP lines are at most 255 characters (formerly BUG 1)', () => {
  // The wrap used to count only the terms: the ` name:` prefix of a constraint and the ` <= rhs`
  // suffix came on top (303 characters with a 60-character row name). Optimum: every x is 1.
  const name = `balance_${'of_the_feeder_'.repeat(4)}`.padEnd(60, 'x');
  const TEXT = `
    set I = 1..500
    var x[i in I] in [0, 1]
    constraint ${name}: sum(i in I) x[i] <= 123.456789012345
    maximize total = sum(i in I) x[i]
  `;
  it('no LP line is longer than 255 characters, whatever the length of the names', () => {
    const { model } = build(TEXT);
    const long = lpText(model).split('\n').filter((l) => l.length > 255);
    expect(long.map((l) => l.length)).toEqual([]);
  });
  describe('read back', () => readerTests(built(TEXT, 123.456789012345)));
});

describe('names longer than 100 characters are shortened', () => {
  // CBC renames every column of an LP file as soon as one name has more than 100 characters, so
  // longer names end in `~n` and their number. x_i <= 0.5 for 40 columns gives 20; y - x[1] <=
  // 1.25 then allows y = 1.75 (below its bound 2): 21.75.
  const X = 'x'.repeat(150), Y = 'y'.repeat(99), C = 'c'.repeat(120), R = 'r'.repeat(120);
  const TEXT = `
    set I = 1..40
    var ${X}[i in I] in [0, 1]
    var ${Y} in [0, 2]
    constraint ${C}[i in I]: ${X}[i] <= 0.5
    constraint ${R}: -1 <= ${Y} - ${X}[1] <= 1.25
    maximize total = sum(i in I) ${X}[i] + ${Y}
  `;
  it('to at most 100 characters (rows 97, leaving room for ~lo/~hi), names that fit are kept', () => {
    const { model } = build(TEXT);
    const cols = fileColNames(model), rows = fileRowNames(model);
    expect(cols.slice(0, 40).every((n, j) => n.length <= 100 && n.endsWith(`~n${j}`) && n.startsWith('xxxx'))).toBe(true);
    expect(cols[40]).toBe(Y);
    expect(rows.every((n, i) => n.length <= 97 && n.endsWith(`~n${i}`))).toBe(true);
    expect(lpText(model)).toMatch(new RegExp(`^ r+~n40~lo: `, 'm'));
  });
  it.skipIf(!hasCbc)('cbc keeps the names (the 99-character one included)', () => {
    const { model } = build(TEXT);
    const sol = cbcSolve(writeFiles(model, tempDir(), 'm').lp);
    expect(sol.log).not.toMatch(/too long/);
    expectClose(sol.values.get(Y), 1.75, 1e-9);
  });
  describe('read back', () => readerTests(built(TEXT, 21.75)));
});

describe('a constraint named obj (formerly BUG 2)', () => {
  // MPS files named the objective row `obj`: a constraint `obj` became a second row `obj`. HiGHS
  // added its coefficients to the objective (16 instead of 6), glpsol and cbc rejected the file.
  // The objective row is now `evg~obj`. Optimum: x = 3, y = 0: 6.
  const TEXT = `
    var x in [0, 4]
    var y in [0, 5]
    constraint obj: x + y <= 3
    maximize total = 2 * x + y
  `;
  describe('read back', () => readerTests(built(TEXT, 6)));
});

describe('CBC and free MPS files with short names (formerly BUG 3)', () => {
  // CBC guessed fixed format and read `    x obj -3` as one field; `NAME ... FREE` says free format.
  const SCALAR = `
    var x in [0, 4]
    var y in [-3, 5]
    constraint c1: x + 2 * y <= 7
    constraint r: -2 <= x - y <= 3
    maximize profit = 3 * x + 2 * y + 10
  `; // optimum 25 (x = 4, y = 1.5), see the maximisation case above
  const INDEXED = `
    set I = 1..20
    var x[i in I] in [0, 1]
    constraint budget: sum(i in I) x[i] <= 2.5
    maximize total = sum(i in I) x[i]
  `; // optimum 2.5
  describe('scalar names', () => readerTests(built(SCALAR, 25)));
  describe('indexed names', () => readerTests(built(INDEXED, 2.5)));
});

describe('file names are injective: e12 and _e12 (formerly BUG 4)', () => {
  // `e12` used to get a `_` prefix (a name starting like an exponent), colliding with `_e12`; now
  // its first character is escaped (`~6512`). e12 = 4, _e12 = 0.5: 4.5.
  const TEXT = `
    var e12 in [0, 4]
    var _e12 in [0, 1]
    constraint cap: e12 + 2 * _e12 <= 5
    maximize total = e12 + _e12
  `;
  it('distinct variables get distinct file names', () => {
    const names = fileColNames(build(TEXT).model);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(['~6512', '_e12']);
  });
  describe('read back', () => readerTests(built(TEXT, 4.5)));
});

describe('awkward names on models built as IR', () => {
  // Names the language may not even produce, so that the scheme is tested on its own terms:
  // keywords of some LP reader as whole names, prefixes strtod reads as numbers, exponent-like
  // starts, the writers' own reserved names, characters that end a name or start a comment in
  // some reader, non-ASCII, number-like strings next to numbers, very long names and elements.
  const AWKWARD: NamedFamily[] = [
    { col: 'free', row: 'st', sets: [] },
    { col: 'subject', row: 'such', sets: [] },
    { col: 'Bounds', row: 'END', sets: [] },
    { col: 'inf', row: 'Infinity', sets: [] },
    { col: 'information', row: 'nan', sets: [[1, 2]] },
    { col: 'e', row: 'E5', sets: [] },
    { col: 'e12', row: '_e12', sets: [] },
    { col: 'evg~constant', row: 'evg~obj', sets: [] },
    { col: 'obj', row: 'obj~lo', sets: [] },
    { col: 'MINIMIZE', row: 'generals', sets: [] },
    { col: 'bin', row: 'semi', sets: [] },
    { col: 'p', row: 'bal', sets: [['bus 7', 'a-b', 'x+y', '3.5', 3.5, -1, 'é', '😀', 'a/b', 'a;b', 'a\\b', '*', '^', '[', ']', ':', '<=', '', '~', '~s', 'nan', 'e1'], [-2, 0, 1.25]] },
    { col: 'bess[b 1].soc', row: 'bess[b 1].lim', sets: [[1, 2, 3]] },
    { col: 'q', row: 'r', sets: [['x'.repeat(300), 'y'.repeat(95), 'z']] },
    { col: 'w'.repeat(150), row: 'v'.repeat(99), sets: [[1, 2]] },
  ];
  describe('read back', () => readerTests(() => separableModel(AWKWARD)));

  // ---- property: random family names and elements ----
  const KEYWORDISH = ['free', 'st', 'subject', 'such', 'min', 'MAX', 'Minimize', 'bounds', 'bound', 'end', 'END', 'inf',
    'infinity', 'Inf', 'nan', 'NaN', 'information', 'nancy', 'e', 'E', 'e12', 'E5', '_e12', 'e_1', 'int', 'integer', 'gen',
    'general', 'generals', 'bin', 'binary', 'binaries', 'semi', 'semis', 'sos', 'lazy', 'user', 's1', 'obj', 'evg~obj',
    'evg~constant', 'x', '_', 'p]', 'q[1]'];
  const ident = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/);
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.constantFrom('3.5', '-1', '12', '1e+21', 'NaN', 'Infinity', '~', '~s', '~n1', '(', ')', ',', ' ', '', 'é', '😀', 'a/b', 'a;b', 'a-b', 'x+y', 'bus 7'),
    fc.string({ minLength: 90, maxLength: 130 }),
  );
  const elem: fc.Arbitrary<Elem> = fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.double(), text);
  const familyName = fc.oneof(
    ident,
    fc.constantFrom(...KEYWORDISH),
    fc.tuple(ident, fc.array(text, { minLength: 1, maxLength: 2 }), ident).map(([a, e, b]) => `${a}[${e.join(',')}].${b}`),
    ident.map((s) => s.padEnd(120, 'x')),
  );
  const families = fc.uniqueArray(
    fc.record({ col: familyName, row: familyName, sets: fc.array(fc.uniqueArray(elem, { minLength: 1, maxLength: 4, comparator: 'SameValueZero' }), { maxLength: 3 }) }),
    { minLength: 1, maxLength: 5, selector: (f) => f.col },
  ).filter((fs) => new Set(fs.map((f) => f.row)).size === fs.length);

  it('random families: names legal, unique, at most 100 characters, decoding to the source; LP lines at most 255', () => {
    fc.assert(fc.property(families, (fs) => {
      const { model } = separableModel(fs);
      checkNames(model);
      checkLpLines(lpText(model));
    }), { numRuns: 300 });
  });

  it('random families: HiGHS reads the LP and MPS texts to the separable optimum', async () => {
    await fc.assert(fc.asyncProperty(families, async (fs) => {
      const { model, optimum } = separableModel(fs);
      for (const format of ['lp', 'mps'] as const) {
        const sol = await highsSolveFile(format, format === 'lp' ? lpText(model) : mpsText(model));
        expect(sol.status).toBe('optimal');
        expectClose(userObjective(model, sol.objective!, format), optimum, 1e-9, format);
        expect(sol.values.size).toBe(model.numCols + 1); // and evg~constant
      }
    }), { numRuns: 60 });
  });
});

// ---- LP keywords (formerly BUG 10); last, because HiGHS's LP reader aborts its WebAssembly
// instance on an unescaped keyword, which would break the tests after it ----------------------

describe('names that are LP keywords are escaped (formerly BUG 10)', () => {
  // A variable named like an LP keyword used to be written verbatim: HiGHS's LP reader aborted on
  // `inf`, `infinity`, `free`, `st`, `end`, `bounds`, `bin`, `general(s)`, `max`, `min`, `sos`,
  // `semi`; cbc rejected `st` and `subject`; `information` and `nan...` are numbers to strtod.
  // Optimum of each model: the keyword variable at 3 (of 4) and y at 0: 6.
  const NAMES = ['inf', 'infinity', 'free', 'st', 'end', 'bounds', 'bin', 'general', 'generals', 'max', 'min', 'sos', 'semi',
    'subject', 'such', 'int', 'gen', 'Minimize', 'END', 'information', 'nan', 'nancy', 'e', 'E5', 'lazy'];
  const text = (n: string) => `
    var ${n} in [0, 4]
    var y in [0, 1]
    constraint c: ${n} + y <= 3
    maximize total = 2 * ${n} + y
  `;
  it.each(NAMES)('HiGHS reads an LP file with a variable named %s', async (n) => {
    const { model } = build(text(n));
    const sol = await highsSolveFile('lp', lpText(model));
    expect(sol.status).toBe('optimal');
    expectClose(userObjective(model, sol.objective!, 'lp'), 6, 1e-9);
  });
  it.skipIf(!hasCbc).each(NAMES)('cbc reads an LP file with a variable named %s', (n) => {
    const { model } = build(text(n));
    const sol = cbcSolve(writeFiles(model, tempDir(), 'm').lp);
    expect(sol.status, sol.log).toBe('optimal');
    expectClose(userObjective(model, sol.objective!, 'lp'), 6, 1e-9);
  });
  it.skipIf(!hasGlpsol).each(NAMES)('glpsol reads an LP file with a variable named %s', (n) => {
    const { model } = build(text(n));
    const sol = glpsolSolve(writeFiles(model, tempDir(), 'm').lp, 'lp');
    expect(sol.status, sol.log).toBe('optimal');
    expectClose(userObjective(model, sol.objective!, 'lp'), 6, 1e-9);
  });
});
