// Why a model is infeasible: irreducible infeasible subsets (findConflict) and feasibility
// relaxations (relaxation), and their rendering. Every expected conflict and amount is derived by
// hand in the comments; every subset the code reports is also re-solved here, independently of
// the code under test, with glpk.js directly (the subset on its own must be infeasible, and with
// any one member dropped it must be feasible).
import { describe, expect, it } from 'vitest';
import GLPKFactory from 'glpk.js/node';
import { basename } from 'node:path';
import { compileText, rendered } from './helpers.js';
import { m } from './dedent.js';
import { colTuple, rowTuple, type Model } from '../src/ir/model.js';
import { sourceName } from '../src/ir/names.js';
import { highsModel } from '../src/solve/highs.js';
import { findConflict, refineConflict, relaxation, subsetOf, type Conflict } from '../src/solve/conflict.js';
import { conflictJson, relaxationJson, renderConflict, renderRelaxation } from '../src/report/conflict.js';

const SOLVERS = ['highs', 'glpk'] as const;
const METHODS = ['auto', 'filter'] as const;
const CASES = SOLVERS.flatMap((solver) => METHODS.map((method) => ({ solver, method })));

function build(text: string): Model {
  const comp = compileText(text);
  if (comp.diags.hasErrors || !comp.elaboration) throw new Error(`model has errors:\n${rendered(comp)}`);
  return comp.elaboration.model;
}

// ---- The independent check: the reported subset, solved on its own with glpk.js. -------------

type Member = { kind: 'rowLo' | 'rowUp' | 'colLo' | 'colUp' | 'int'; i: number };

function membersOf(c: Conflict): Member[] {
  const out: Member[] = [];
  for (const r of c.rows) {
    if (r.active !== 'upper') out.push({ kind: 'rowLo', i: r.row });
    if (r.active !== 'lower') out.push({ kind: 'rowUp', i: r.row });
  }
  for (const b of c.bounds) {
    if (b.which !== 'upper') out.push({ kind: 'colLo', i: b.col });
    if (b.which !== 'lower') out.push({ kind: 'colUp', i: b.col });
  }
  for (const v of c.integrality) out.push({ kind: 'int', i: v.col });
  return out;
}

let glpkRuntime: ReturnType<typeof GLPKFactory> | undefined;

/** Whether the rows, bounds and integrality in `ms` (and nothing else) have a solution: glpk.js on the raw model arrays. */
async function subsetFeasible(model: Model, ms: readonly Member[]): Promise<boolean> {
  glpkRuntime ??= GLPKFactory();
  const g = await glpkRuntime;
  const rowLo = new Map<number, number>(), rowUp = new Map<number, number>();
  const colLo = new Map<number, number>(), colUp = new Map<number, number>();
  const ints = new Set<number>();
  for (const x of ms) {
    if (x.kind === 'rowLo') rowLo.set(x.i, model.rowLower[x.i]!);
    else if (x.kind === 'rowUp') rowUp.set(x.i, model.rowUpper[x.i]!);
    else if (x.kind === 'colLo') colLo.set(x.i, model.colLower[x.i]!);
    else if (x.kind === 'colUp') colUp.set(x.i, model.colUpper[x.i]!);
    else ints.add(x.i);
  }
  const bnds = (lo: number | undefined, hi: number | undefined) => {
    if (lo === undefined && hi === undefined) return { type: g.GLP_FR, lb: 0, ub: 0 };
    if (lo !== undefined && hi !== undefined) return lo === hi ? { type: g.GLP_FX, lb: lo, ub: hi } : { type: g.GLP_DB, lb: lo, ub: hi };
    return lo !== undefined ? { type: g.GLP_LO, lb: lo, ub: 0 } : { type: g.GLP_UP, lb: 0, ub: hi! };
  };
  const rows = [...new Set([...rowLo.keys(), ...rowUp.keys()])];
  const subjectTo = rows.map((i) => {
    const vars = [];
    for (let k = model.rowStart[i]!; k < model.rowStart[i + 1]!; k++) vars.push({ name: `x${model.rowIndex[k]}`, coef: model.rowValue[k]! });
    return { name: `r${i}`, vars, bnds: bnds(rowLo.get(i), rowUp.get(i)) };
  });
  const cols = Array.from({ length: model.numCols }, (_, j) => j);
  const lp = {
    name: 'subset',
    objective: { direction: g.GLP_MIN, name: 'zero', vars: cols.map((j) => ({ name: `x${j}`, coef: 0 })) },
    subjectTo,
    bounds: cols.map((j) => ({ name: `x${j}`, ...bnds(colLo.get(j), colUp.get(j)) })),
    ...(ints.size ? { generals: [...ints].map((j) => `x${j}`) } : {}),
  };
  let st = g.solve(lp, { msglev: g.GLP_MSG_OFF, presol: ints.size > 0 }).result.status;
  if (st === g.GLP_UNDEF && ints.size) {
    // GLPK's integer presolver gives up when the relaxation is infeasible.
    const { generals: _drop, ...relaxed } = lp;
    st = g.solve(relaxed, { msglev: g.GLP_MSG_OFF, presol: false }).result.status;
  }
  if (st === g.GLP_OPT || st === g.GLP_FEAS) return true;
  if (st === g.GLP_NOFEAS || st === g.GLP_INFEAS) return false;
  throw new Error(`glpk status ${st}`);
}

/** The subset is infeasible, and dropping any one member makes it feasible. */
async function expectIrreducible(model: Model, c: Conflict): Promise<void> {
  const ms = membersOf(c);
  expect(ms.length).toBeGreaterThan(0);
  expect(await subsetFeasible(model, ms), 'the subset must be infeasible').toBe(false);
  for (let k = 0; k < ms.length; k++) {
    const rest = ms.filter((_, q) => q !== k);
    expect(await subsetFeasible(model, rest), `without ${ms[k]!.kind} ${ms[k]!.i} the subset must be feasible`).toBe(true);
  }
}

/** The native HiGHS feasibility relaxation, with row penalties 1 / rowScale (user units) and bound penalties 1. */
async function highsNativeRelaxation(model: Model): Promise<number> {
  const { m: hm } = await highsModel(model);
  try {
    hm.options.set({ output_flag: false, log_to_console: false, mip_rel_gap: 0 } as never);
    hm.feasibilityRelaxation({
      globalLowerPenalty: 1, globalUpperPenalty: 1, globalRowPenalty: 1,
      localRowPenalty: Float64Array.from(model.rowScale, (s) => 1 / s),
    });
    return hm.getObjectiveValue();
  } finally {
    hm.dispose();
  }
}

/** Row and column numbers by source name, from the model's families. */
function rowNamed(model: Model, name: string): number {
  for (const f of model.rowFamilies) for (let i = f.first; i < f.first + f.count; i++) if (sourceName(f.name, rowTuple(f, i)) === name) return i;
  throw new Error(`no row ${name}`);
}
function colNamed(model: Model, name: string): number {
  for (const f of model.colFamilies) for (let j = f.first; j < f.first + f.count; j++) if (sourceName(f.name, colTuple(f, j)) === name) return j;
  throw new Error(`no column ${name}`);
}

const pick = <T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> =>
  Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
const ROW_KEYS = ['name', 'family', 'tuple', 'aux', 'sense', 'active', 'lower', 'upper', 'unit'] as const;
const BOUND_KEYS = ['name', 'family', 'tuple', 'aux', 'binary', 'which', 'value', 'unit'] as const;
const lineCol = (s: { span: { line: number; col: number } }) => `${s.span.line}:${s.span.col}`;

// ---- Models -------------------------------------------------------------------------------------

// Hour 3 needs 3.5 MW from generators of 1 + 2 = 3 MW. Hours 1 and 2 are feasible and the hours
// are not coupled, so every conflict lies in hour 3: p[g1,3] + p[g2,3] >= 3.5 (the >= half of
// balance[3]) against p[g1,3] <= 1 and p[g2,3] <= 2. The lower bounds (0) play no part (without
// them the sum is still at most 3), and each of the three is needed: without the balance p = 0
// works, without p[g1,3] <= 1 (or p[g2,3] <= 2) p[g1,3] = 1.5 (or p[g2,3] = 2.5) does. So this
// is the only IIS.
const DISPATCH = m`
  horizon T = 3 steps of 1 h
  set G = {g1, g2}
  param p_max[G] : MW = {g1: 1, g2: 2}
  param load[T] : MW = [1, 2, 3.5]
  var p[g in G, t in T] : MW in [0, p_max[g]]
  constraint balance[t in T]: sum(g in G) p[g, t] == load[t]
  minimize cost = sum(g in G, t in T) 10 $/MWh * p[g, t] * step(T)
`;

// 20 variables under 39 harmless rows, and two rows that contradict each other: hi wants
// x[7] + x[8] >= 9, lo wants it <= 4. {hi, lo} is infeasible by itself (no bound needed), and
// every IIS contains both: without hi, x = 0 satisfies everything; without lo, x[7] = x[8] = 4.5
// (x[n] = x[7] - (7 - n) for n = 4..6, 0 elsewhere) satisfies cap, chain and hi. So {hi, lo}
// is the only IIS.
const TWO_ROWS = m`
  set N = 1..20
  var x[n in N] : MW in [0, 10]
  constraint cap[n in N]: x[n] <= 5 MW
  constraint chain[n in N where n > 1]: x[n] - x[n-1] <= 1 MW
  constraint hi: x[7] + x[8] >= 9 MW
  constraint lo: x[7] + x[8] <= 4 MW
  minimize cost = sum(n in N) 1 $/MW * x[n]
`;

// x + y == 1 and x == y force x = y = 1/2: the LP relaxation is feasible, the MILP is not.
// Integrality of x alone suffices (y = x then is an integer too) and so does that of y. Every
// side of both rows is needed: without a >= x + y - 1 half: x = y = 0; without a's <= half:
// x = y = 1; without b's >= half (x - y >= 0): x = 0, y = 1; without b's <= half: x = 1, y = 0 —
// all with x, y in [0, 1]. The bounds play no part (x = 1/2 is not an integer, bounded or not).
// So the IISs are {a ==, b ==, x integral} and {a ==, b ==, y integral}.
const MILP = m`
  var x binary
  var y binary
  constraint a: x + y == 1
  constraint b: x == y
  minimize cost = x + y
`;

// 2u >= 4 with u binary: already the LP relaxation is infeasible (u <= 1), so the conflict is
// {need >=, u <= 1} and holds without integrality; v plays no part.
const MILP_RELAXATION = m`
  var u binary
  var v : MW in [0, 5]
  constraint need: 2 * u >= 4
  constraint other: v <= 4 MW
  minimize cost = 1 $/MW * v
`;

// Only bus n2 conflicts: 2 p >= 8 MW needs p >= 4000 kW, but p <= 3000 kW (n1 needs 500 kW of
// 2000, n3 1000 of 2000). The row is in MW (its first side, `0 MW + 2 * p[b]`, is in MW) and its
// variable in kW, so the emitted row is scaled (by 1000): the reported bound must be 8 MW, not
// 8000.
const INDEXED = m`
  set B = {n1, n2, n3}
  param dem[B] : MW = {n1: 1, n2: 8, n3: 2}
  param cap[B] : kW = {n1: 2000, n2: 3000, n3: 2000}
  var p[b in B] : kW in [0, cap[b]]
  constraint serve[b in B]: 0 MW + 2 * p[b] >= dem[b]
  minimize cost = sum(b in B) 1 $/MWh * p[b] * 1 h
`;

// |x - 3 MW| <= 1 MW needs x >= 2 MW, but x <= 1 MW. abs is lowered to an epigraph (an auxiliary
// column and rows `c~aux`), which must be reported as belonging to `c`.
const ABS = m`
  var x : MW in [0, 1]
  constraint c: abs(x - 3 MW) <= 1 MW
  minimize cost = 1 $/MW * x
`;

// ---- findConflict ------------------------------------------------------------------------------

describe('findConflict', () => {
  it.each(CASES)('names the balance and the two capacities of the hour that cannot be served ($solver, $method)', async ({ solver, method }) => {
    const model = build(DISPATCH);
    const c = await findConflict(model, { solver, method });
    expect(c.status).toBe('conflict');
    expect(c.irreducible).toBe(true);
    expect(c.ofRelaxation).toBe(false);
    expect(c.method).toBe(solver === 'highs' && method === 'auto' ? 'highs-iis' : 'deletion-filter');
    expect(c.rows.map((r) => pick(r, ROW_KEYS))).toEqual([
      { name: 'balance[3]', family: 'balance', tuple: [3], aux: false, sense: '==', active: 'lower', lower: 3.5, upper: 3.5, unit: 'MW' },
    ]);
    expect(c.rows.map(lineCol)).toEqual(['6:12']);
    expect(c.bounds.map((b) => pick(b, BOUND_KEYS))).toEqual([
      { name: 'p[g1,3]', family: 'p', tuple: ['g1', 3], aux: false, binary: false, which: 'upper', value: 1, unit: 'MW' },
      { name: 'p[g2,3]', family: 'p', tuple: ['g2', 3], aux: false, binary: false, which: 'upper', value: 2, unit: 'MW' },
    ]);
    expect(c.bounds.map(lineCol)).toEqual(['5:5', '5:5']);
    expect(c.integrality).toEqual([]);
    await expectIrreducible(model, c);
  });

  it.each(CASES)('finds two contradictory rows among many harmless ones ($solver, $method)', async ({ solver, method }) => {
    const model = build(TWO_ROWS);
    const c = await findConflict(model, { solver, method });
    expect(c.status).toBe('conflict');
    expect(c.rows.map((r) => pick(r, ['name', 'sense', 'active', 'lower', 'upper', 'unit'] as const))).toEqual([
      { name: 'hi', sense: '>=', active: 'lower', lower: 9, upper: undefined, unit: 'MW' },
      { name: 'lo', sense: '<=', active: 'upper', lower: undefined, upper: 4, unit: 'MW' },
    ]);
    expect(c.rows.map(lineCol)).toEqual(['5:12', '6:12']);
    expect(c.bounds).toEqual([]);
    await expectIrreducible(model, c);
    if (method === 'filter') {
      // The halving filter: far fewer solves than the 80 members (one per member would be 80).
      expect(c.solves).toBeLessThan(40);
    }
  });

  it.each(CASES)('finds the integrality conflict of a MILP whose LP relaxation is feasible ($solver, $method)', async ({ solver, method }) => {
    const model = build(MILP);
    const c = await findConflict(model, { solver, method });
    expect(c.status).toBe('conflict');
    expect(c.irreducible).toBe(true);
    expect(c.ofRelaxation).toBe(false);
    expect(c.method).toBe('deletion-filter');
    expect(c.rows.map((r) => pick(r, ['name', 'sense', 'active', 'lower', 'upper'] as const))).toEqual([
      { name: 'a', sense: '==', active: 'both', lower: 1, upper: 1 },
      { name: 'b', sense: '==', active: 'both', lower: 0, upper: 0 },
    ]);
    expect(c.bounds).toEqual([]);
    expect(c.integrality).toHaveLength(1);
    expect(['x', 'y']).toContain(c.integrality[0]!.name);
    expect(c.integrality[0]!.type).toBe('binary');
    expect(lineCol(c.integrality[0]!)).toBe(c.integrality[0]!.name === 'x' ? '1:5' : '2:5');
    await expectIrreducible(model, c);
  });

  it.each(CASES)('reports the conflict of an infeasible LP relaxation as holding without integrality ($solver, $method)', async ({ solver, method }) => {
    const model = build(MILP_RELAXATION);
    const c = await findConflict(model, { solver, method });
    expect(c.status).toBe('conflict');
    expect(c.ofRelaxation).toBe(true);
    expect(c.rows.map((r) => pick(r, ['name', 'sense', 'active', 'lower'] as const))).toEqual([{ name: 'need', sense: '>=', active: 'lower', lower: 4 }]);
    expect(c.bounds.map((b) => pick(b, ['name', 'which', 'value', 'binary', 'unit'] as const))).toEqual([{ name: 'u', which: 'upper', value: 1, binary: true, unit: '' }]);
    expect(c.integrality).toEqual([]);
    await expectIrreducible(model, c);
  });

  it.each(CASES)('names the one index of a family that conflicts, in the row\'s unit ($solver, $method)', async ({ solver, method }) => {
    const model = build(INDEXED);
    const c = await findConflict(model, { solver, method });
    expect(c.rows.map((r) => pick(r, ['name', 'tuple', 'sense', 'active', 'lower', 'unit'] as const))).toEqual([
      { name: 'serve[n2]', tuple: ['n2'], sense: '>=', active: 'lower', lower: 8, unit: 'MW' },
    ]);
    expect(c.rows.map(lineCol)).toEqual(['5:12']);
    expect(c.bounds.map((b) => pick(b, ['name', 'which', 'value', 'unit'] as const))).toEqual([{ name: 'p[n2]', which: 'upper', value: 3000, unit: 'kW' }]);
    await expectIrreducible(model, c);
  });

  it.each(CASES)('reports the rows of a reformulation under their source constraint ($solver, $method)', async ({ solver, method }) => {
    const model = build(ABS);
    const c = await findConflict(model, { solver, method });
    expect(c.status).toBe('conflict');
    // c's own row (t <= 1 MW) and one epigraph row (t >= 3 MW - x), both named `c`, and x <= 1 MW.
    expect(c.rows.every((r) => r.name === 'c' && r.family === 'c' && lineCol(r) === '2:12')).toBe(true);
    expect(c.rows.map((r) => r.aux).sort()).toEqual([false, true]);
    expect(c.rows.find((r) => !r.aux)).toMatchObject({ sense: '<=', upper: 1, unit: 'MW' });
    expect(c.bounds.map((b) => pick(b, ['name', 'which', 'value'] as const))).toEqual([{ name: 'x', which: 'upper', value: 1 }]);
    expect(JSON.stringify(conflictJson(c))).not.toContain('~aux');
    expect(renderConflict(c)).not.toContain('~aux');
    await expectIrreducible(model, c);
  });

  it('a cone `p^2 + q^2 <= s^2` (its row rewritten as a norm, in MW, not MW^2) is one line with its reformulation, no value in a wrong unit', async () => {
    const model = build(m`
      param s_max : kVA = 1666.7 kVA
      var p : MW >= 2 MW
      var q : Mvar >= 0 Mvar
      constraint thermal: p^2 + q^2 <= s_max^2
      minimize cost = 1 $/MW * p
    `);
    const c = await findConflict(model, { solver: 'highs', method: 'auto' });
    expect(c.status).toBe('conflict');
    expect(c.rows.every((r) => r.name === 'thermal' && r.aux && r.unit === '')).toBe(true);
    const text = renderConflict(c);
    expect(text).not.toContain('MW^2');
    expect(text).toMatch(/thermal {2}\(as reformulated for its nonlinear terms: \d+ rows? and \d+ added variables?; evg compile --explain\)/);
    expect(text).toContain('p >= 2 MW (lower bound)');
    expect(text.split('\n').filter((l) => l.includes('thermal'))).toHaveLength(1);
  });

  it('finds an irreducible subset in a model of several hundred rows', async () => {
    // 60 hours, three generators (1 + 2 + 1.5 MW), a battery that can discharge 1 MW: 5.5 MW at
    // most, but hour 40 needs 9 MW. Every other hour needs at most 3 MW, so any IIS contains the
    // >= half of balance[40]. 60 + 60 + 177 rows, 360 columns.
    const load = Array.from({ length: 60 }, (_, i) => (i === 39 ? 9 : 1 + (i % 5) * 0.5));
    const model = build(m`
      horizon T = 60 steps of 1 h
      set G = {g1, g2, g3}
      param p_max[G] : MW = {g1: 1, g2: 2, g3: 1.5}
      param load[T] : MW = [${load.join(', ')}]
      var p[g in G, t in T] : MW in [0, p_max[g]]
      var soc[t in T] : MWh in [0, 4]
      var ch[t in T] : MW in [0, 1]
      var dis[t in T] : MW in [0, 1]
      constraint balance[t in T]: sum(g in G) p[g, t] + dis[t] - ch[t] == load[t]
      constraint store[t in T]: soc[t] == (if t == first(T) then 2 MWh else soc[t-1]) + (ch[t] - dis[t]) * step(T)
      constraint ramp[g in G, t in T where t > first(T)]: p[g, t] - p[g, t-1] <= 1 MW
      minimize cost = sum(g in G, t in T) 1 $/MWh * p[g, t] * step(T)
    `);
    expect(model.numRows).toBe(297);
    for (const { solver, method } of CASES) {
      const c = await findConflict(model, { solver, method });
      expect(c.status).toBe('conflict');
      expect(c.irreducible).toBe(true);
      expect(c.rows.some((r) => r.name === 'balance[40]' && r.active === 'lower')).toBe(true);
      await expectIrreducible(model, c);
    }
  });

  it('says so when the model is feasible', async () => {
    const model = build(DISPATCH.replace('3.5]', '3]'));
    for (const { solver, method } of CASES) {
      const c = await findConflict(model, { solver, method });
      expect(c.status).toBe('feasible');
      expect(c.rows).toEqual([]);
      expect(renderConflict(c)).toBe('the model is feasible: there is no conflict to report\n');
    }
    const milp = build(MILP.replace('x == y', 'x >= y'));
    expect((await findConflict(milp)).status).toBe('feasible');
  });

  it('stops at the time limit without claiming a result', async () => {
    const c = await findConflict(build(DISPATCH), { timeLimit: 0 });
    expect(c.status).toBe('unknown');
    expect(c.irreducible).toBe(false);
  });
});

describe('refineConflict', () => {
  it.each(SOLVERS)('reduces a given infeasible subset to the irreducible one (%s)', async (solver) => {
    // Everything of hours 1 and 3: only the >= half of balance[3] and the two upper bounds of
    // hour 3 are needed (see DISPATCH).
    const model = build(DISPATCH);
    const c = await refineConflict(model, {
      rows: [{ row: rowNamed(model, 'balance[1]'), side: 'both' }, { row: rowNamed(model, 'balance[3]'), side: 'both' }],
      bounds: ['p[g1,1]', 'p[g2,1]', 'p[g1,3]', 'p[g2,3]'].map((n) => ({ col: colNamed(model, n), side: 'both' as const })),
    }, { solver });
    expect(c.status).toBe('conflict');
    expect(c.irreducible).toBe(true);
    expect(c.rows.map((r) => `${r.name} ${r.active}`)).toEqual(['balance[3] lower']);
    expect(c.bounds.map((b) => `${b.name} ${b.which}`)).toEqual(['p[g1,3] upper', 'p[g2,3] upper']);
    await expectIrreducible(model, c);
    // A conflict found before is its own refinement.
    const again = await refineConflict(model, subsetOf(c), { solver });
    expect(again.rows).toEqual(c.rows);
    expect(again.bounds).toEqual(c.bounds);
  });

  it.each(SOLVERS)('keeps integrality where it is needed and says when it is not (%s)', async (solver) => {
    const milp = build(MILP);
    const c = await refineConflict(milp, {
      rows: [{ row: rowNamed(milp, 'a'), side: 'both' }, { row: rowNamed(milp, 'b'), side: 'both' }],
      bounds: [{ col: colNamed(milp, 'x'), side: 'both' }],
      integrality: [colNamed(milp, 'x'), colNamed(milp, 'y')],
    }, { solver });
    expect(c.rows.map((r) => `${r.name} ${r.active}`)).toEqual(['a both', 'b both']);
    expect(c.bounds).toEqual([]);
    expect(c.integrality).toHaveLength(1);
    expect(c.ofRelaxation).toBe(false);
    await expectIrreducible(milp, c);
    // 2u >= 4 with u <= 1 conflicts without u's integrality: it is dropped.
    const rel = build(MILP_RELAXATION);
    const r = await refineConflict(rel, {
      rows: [{ row: rowNamed(rel, 'need'), side: 'both' }, { row: rowNamed(rel, 'other'), side: 'both' }],
      bounds: [{ col: colNamed(rel, 'u'), side: 'both' }, { col: colNamed(rel, 'v'), side: 'both' }],
      integrality: [colNamed(rel, 'u')],
    }, { solver });
    expect(r.rows.map((x) => `${x.name} ${x.active}`)).toEqual(['need lower']);
    expect(r.bounds.map((x) => `${x.name} ${x.which}`)).toEqual(['u upper']);
    expect(r.integrality).toEqual([]);
    expect(r.ofRelaxation).toBe(true);
  });

  it('says when the given subset has a solution', async () => {
    const model = build(DISPATCH);
    const c = await refineConflict(model, { rows: [{ row: rowNamed(model, 'balance[3]'), side: 'both' }] });
    expect(c.status).toBe('feasible');
  });
});

// ---- relaxation --------------------------------------------------------------------------------

describe('relaxation', () => {
  it.each(SOLVERS)('needs 0.5 MW in hour 3 of the dispatch (%s)', async (solver) => {
    // Short by 0.5 MW: either balance[3] by 0.5 MW or the capacities by 0.5 MW in all, all in MW
    // (weight 1 each), so the smallest total is 0.5 — wherever the solver puts it.
    const model = build(DISPATCH);
    const r = await relaxation(model, { solver });
    expect(r.status).toBe('relaxed');
    expect(r.optimal).toBe(true);
    expect(r.total).toBeCloseTo(0.5, 9);
    expect(r.violations.reduce((s, v) => s + v.amount, 0)).toBeCloseTo(0.5, 9);
    for (const v of r.violations) expect(['balance[3]', 'p[g1,3]', 'p[g2,3]']).toContain(v.name);
    expect(await highsNativeRelaxation(model)).toBeCloseTo(0.5, 7);
  });

  it.each(SOLVERS)('measures a row violation in the row\'s unit, not in the scaled row (%s)', async (solver) => {
    // serve[n2] is 2 MW short (2 * 3000 kW = 6 MW of 8). Violating it costs 2 (MW); raising
    // p[n2]'s bound by 1000 kW costs 1000 (kW). In the emitted row (2 p >= 8000, scaled by 1000)
    // the row's violation would be 2000 and the bound would win.
    const model = build(INDEXED);
    const r = await relaxation(model, { solver });
    expect(r.total).toBeCloseTo(2, 9);
    expect(r.violations.map((v) => pick(v, ['name', 'kind', 'side', 'bound', 'value', 'amount', 'unit'] as const))).toEqual([
      { name: 'serve[n2]', kind: 'row', side: 'lower', bound: 8, value: 6, amount: 2, unit: 'MW' },
    ]);
    expect(lineCol(r.violations[0]!)).toBe('5:12');
    expect(await highsNativeRelaxation(model)).toBeCloseTo(2, 7);
  });

  it.each(SOLVERS)('measures a bound violation in the variable\'s unit (%s)', async (solver) => {
    // 2500 kW needed, two imports of 1 MW: violating supply costs 500 (kW), raising the import
    // bounds 0.5 (MW) in all. So the relaxation is on the bounds, 0.5 MW in total.
    const model = build(m`
      param need : kW = 2500
      set S = {a, b}
      var imp[s in S] : MW in [0, 1]
      constraint supply: 0 kW + sum(s in S) imp[s] >= need
      minimize cost = sum(s in S) 1 $/MW * imp[s]
    `);
    const r = await relaxation(model, { solver });
    expect(r.total).toBeCloseTo(0.5, 9);
    expect(r.violations.length).toBeGreaterThan(0);
    for (const v of r.violations) expect(pick(v, ['family', 'kind', 'side', 'bound', 'unit'] as const)).toEqual({ family: 'imp', kind: 'bound', side: 'upper', bound: 1, unit: 'MW' });
    expect(r.violations.reduce((s, v) => s + v.amount, 0)).toBeCloseTo(0.5, 9);
    expect(await highsNativeRelaxation(model)).toBeCloseTo(0.5, 7);
  });

  it.each(SOLVERS)('closes the gap between two contradictory rows (%s)', async (solver) => {
    // s = x[7] + x[8] must be >= 9 and <= 4: the violation (9 - s)+ + (s - 4)+ is at least 5.
    const r = await relaxation(build(TWO_ROWS), { solver });
    expect(r.total).toBeCloseTo(5, 9);
    for (const v of r.violations) expect(['hi', 'lo']).toContain(v.name);
  });

  it.each(SOLVERS)('keeps integrality: the MILP needs a violation of 1 (%s)', async (solver) => {
    // Binary x, y: x = y gives x + y in {0, 2}, 1 away from 1; x != y is 1 away from x == y.
    // (The relaxation x = y = 1/2 would need 0.)
    const model = build(MILP);
    const r = await relaxation(model, { solver });
    expect(r.total).toBeCloseTo(1, 9);
    expect(r.violations).toHaveLength(1);
    expect(['a', 'b']).toContain(r.violations[0]!.name);
    expect(r.violations[0]!.amount).toBeCloseTo(1, 9);
  });

  it.each(SOLVERS)('keeps the domain of binaries (%s)', async (solver) => {
    // u in {0, 1}: 2u >= 4 is violated by at least 2 (u = 1). Were the binary domain relaxed,
    // u = 2 would cost only 1 (its upper bound); it is not.
    const r = await relaxation(build(MILP_RELAXATION), { solver });
    expect(r.violations.map((v) => pick(v, ['name', 'side', 'bound', 'value', 'amount'] as const))).toEqual([
      { name: 'need', side: 'lower', bound: 4, value: 2, amount: 2 },
    ]);
  });

  it.each(SOLVERS)('relaxes the source constraint of a reformulation, not its auxiliary rows (%s)', async (solver) => {
    // |x - 3| <= 1 with x <= 1: either c by 1 MW (x = 1, |x - 3| = 2) or x's bound by 1 MW (x = 2).
    const r = await relaxation(build(ABS), { solver });
    expect(r.total).toBeCloseTo(1, 9);
    for (const v of r.violations) expect(['c', 'x']).toContain(v.name);
  });

  it('needs nothing for a feasible model', async () => {
    for (const solver of SOLVERS) {
      const r = await relaxation(build(DISPATCH.replace('3.5]', '3]')), { solver });
      expect(r.status).toBe('feasible');
      expect(r.total).toBe(0);
      expect(r.violations).toEqual([]);
    }
  });
});

// ---- Rendering ---------------------------------------------------------------------------------

describe('rendering', () => {
  it('prints the conflict at the declarations, in declared units', async () => {
    const c = await findConflict(build(DISPATCH));
    const text = renderConflict(c, (f) => basename(f));
    const lines = text.split('\n');
    expect(lines[0]).toBe('the model is infeasible; these constraints and bounds conflict (an irreducible subset):');
    expect(lines.slice(1, 4)).toEqual([
      '  model.evg:6:12  balance[3]  (== 3.5 MW, its >= half)',
      '  model.evg:5:5   p[g1,3] <= 1 MW (upper bound)',
      '  model.evg:5:5   p[g2,3] <= 2 MW (upper bound)',
    ]);
    expect(lines[4]).toMatch(/^ {2}\(found by HiGHS's IIS, checked by \d+ solves in \d+ ms\)$/);
  });

  it('prints integrality restrictions and says when the relaxation alone conflicts', async () => {
    const c = await findConflict(build(MILP), { solver: 'glpk' });
    const text = renderConflict(c, (f) => basename(f));
    expect(text).toContain('these constraints, bounds and integrality restrictions conflict (an irreducible subset; the LP relaxation alone is feasible):');
    expect(text).toContain('  model.evg:3:12  a  (== 1)\n');
    expect(text).toMatch(/ {2}model\.evg:[12]:5 {3}[xy] is binary \(integrality\)\n/);
    const r = await findConflict(build(MILP_RELAXATION));
    const rt = renderConflict(r, (f) => basename(f));
    expect(rt).toContain('conflict even with integrality ignored');
    expect(rt).toContain('  model.evg:1:5   u <= 1 (upper bound of a binary)\n');
  });

  it('prints the relaxation largest first, with the bound and the value reached', async () => {
    const r = await relaxation(build(INDEXED));
    expect(renderRelaxation(r, (f) => basename(f))).toBe(
      'the model becomes feasible with these violations (smallest total 2, each in its own unit):\n' +
      '  model.evg:5:12  serve[n2]  by 2 MW  (>= 8 MW, at 6 MW)\n',
    );
  });

  it('gives JSON-able objects', async () => {
    const c = conflictJson(await findConflict(build(INDEXED)), (f) => basename(f));
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
    expect(c.constraints).toEqual([{
      name: 'serve[n2]', family: 'serve', index: ['n2'], aux: false, auxRow: null, sense: '>=', active: 'lower',
      lower: 8, upper: null, unit: 'MW', file: 'model.evg', line: 5, col: 12,
    }]);
    expect(c.bounds).toEqual([{
      name: 'p[n2]', family: 'p', index: ['n2'], aux: false, binary: false, bound: 'upper', value: 3000,
      lower: 0, upper: 3000, unit: 'kW', file: 'model.evg', line: 4, col: 5,
    }]);
    const r = relaxationJson(await relaxation(build(INDEXED)), (f) => basename(f));
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    expect(r).toMatchObject({ status: 'relaxed', total: 2, optimal: true });
    expect(r.violations).toEqual([{ name: 'serve[n2]', family: 'serve', index: ['n2'], kind: 'row', side: 'lower', bound: 8, value: 6, amount: 2, unit: 'MW', file: 'model.evg', line: 5, col: 12 }]);
  });
});
