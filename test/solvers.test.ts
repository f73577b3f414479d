// The two in-process back-ends (HiGHS and GLPK, both WebAssembly): they agree with each other and
// with optima derived independently (by hand in the comments, or by brute-force enumeration in
// plain TypeScript), duals match hand derivations, options are accepted, infeasible and unbounded
// models get the right status, and results come back in the units the model declares.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { solveGlpk } from '../src/solve/glpk.js';
import { solveHighs } from '../src/solve/highs.js';
import type { SolveOptions, SolverOutput } from '../src/solve/types.js';
import { interpret, type Results } from '../src/report/results.js';
import { toJson, writeCsvDir } from '../src/report/output.js';
import { tempDir } from './helpers.js';
import { build, buildFile, expectClose, type Built } from './lpfiles.js';

type SolverName = 'highs' | 'glpk';
const SOLVERS: SolverName[] = ['highs', 'glpk'];

interface Json {
  status: string;
  objective: number | null;
  objectiveUnit: string | null;
  variables: Record<string, number>;
  units: Record<string, string>;
  costs: Record<string, number>;
  costUnits: Record<string, string>;
  constraints: Record<string, { activity?: number; dual?: number }>;
  constraintUnits: Record<string, { unit: string; dual?: string }>;
}

interface Run {
  out: SolverOutput;
  results: Results;
  json: Json;
}

async function run(b: Built, solver: SolverName, opts: SolveOptions = {}): Promise<Run> {
  const out = solver === 'highs' ? await solveHighs(b.model, opts) : await solveGlpk(b.model, opts);
  const results = interpret(b.comp, out);
  return { out, results, json: toJson(b.comp, results, {}) as Json };
}

async function both(b: Built, opts: SolveOptions = {}): Promise<Record<SolverName, Run>> {
  return { highs: await run(b, 'highs', opts), glpk: await run(b, 'glpk', opts) };
}

// ---- models shared by several tests ------------------------------------------------------------

/**
 * Transport: supplies s1 40 MW, s2 20 MW; demands d1 25 MW, d2 25 MW; costs $/MWh
 *   s1->d1 4, s1->d2 6, s2->d1 5, s2->d2 3; one hour.
 * d2 takes s2's 20 MW (3) and 5 MW from s1 (6); d1 takes 25 MW from s1 (4):
 * 25*4 + 20*3 + 5*6 = 190 $. The only non-basic cell s2->d1 has reduced cost 5 - (4 - 3) = 4 > 0,
 * and every basic value is positive: primal and dual are unique.
 * Duals ($/MW = $/MWh for one hour): demand d1 4, demand d2 6 (s1 is d2's marginal supplier);
 * supply s1 0 (slack 10 MW), supply s2 3 - 6 = -3 (one more MW of s2 saves 3 $).
 */
const TRANSPORT = `
  horizon T = 1 steps of 1 h
  set S = {s1, s2}
  set D = {d1, d2}
  param supply[S] : MW = {s1: 40, s2: 20}
  param demand[D] : MW = {d1: 25, d2: 25}
  param c[S, D] : $/MWh = [: d1 d2 := s1 4 6  s2 5 3]
  var f[s in S, d in D, t in T] : MW >= 0
  constraint sup[s in S, t in T]: sum(d in D) f[s, d, t] <= supply[s]
  constraint dem[d in D, t in T]: sum(s in S) f[s, d, t] == demand[d]
  minimize cost = sum(s in S, d in D, t in T) c[s, d] * f[s, d, t] * step(T)
`;

/**
 * Storage arbitrage over two hours, prices 20 then 50 $/MWh, store of 1 MWh starting empty,
 * charging efficiency 0.9, power up to 2 MW. Charging 1/0.9 MW in hour 1 fills it; discharging
 * 1 MW in hour 2 empties it: revenue 50 * 1 - 20 / 0.9 = 250/9 $ (unique: charging less loses
 * 50 * 0.9 - 20 = 25 $ per MW, and the store cannot hold more).
 */
const ARBITRAGE = `
  horizon T = 2 steps of 1 h
  param price[T] : $/MWh = [20, 50]
  param eta = 0.9
  var ch[t in T] : MW in [0, 2]
  var dis[t in T] : MW in [0, 2]
  var soc[t in T] : MWh in [0, 1]
  constraint dyn[t in T]: soc[t] == (if t == first(T) then 0 MWh else soc[t-1]) + (eta * ch[t] - dis[t]) * step(T)
  maximize revenue = sum(t in T) price[t] * (dis[t] - ch[t]) * step(T)
`;

/**
 * Three generators (10, 20, 30 $/MWh, 1 MW each), loads 1.5 and 2.5 MW. Merit order: hour 1 g1 1
 * + g2 0.5 (cost 20), hour 2 g1 1 + g2 1 + g3 0.5 (cost 45); total 65 $. The balance dual is the
 * marginal generator's cost: 20 and 30 $/MW. Capacity rows (written as constraints, not bounds):
 * dual = own cost - marginal cost for a generator at its limit (g1 hour 1: 10 - 20 = -10; hour 2:
 * g1 -20, g2 -10), 0 for the others.
 */
function meritOrder(opts: { sense?: 'minimize' | 'maximize'; step?: string; loadUnit?: string; loads?: string } = {}): string {
  const sense = opts.sense ?? 'minimize';
  const objective = sense === 'minimize'
    ? 'minimize cost = sum(g in G, t in T) c[g] * p[g, t] * step(T)'
    : 'maximize welfare = -sum(g in G, t in T) c[g] * p[g, t] * step(T)';
  return `
    horizon T = 2 steps of ${opts.step ?? '1 h'}
    set G = {g1, g2, g3}
    param c[G] : $/MWh = {g1: 10, g2: 20, g3: 30}
    param pmax[G] : MW = {g1: 1, g2: 1, g3: 1}
    param load[T] : ${opts.loadUnit ?? 'MW'} = ${opts.loads ?? '[1.5, 2.5]'}
    var p[g in G, t in T] : MW >= 0
    constraint cap[g in G, t in T]: p[g, t] <= pmax[g]
    constraint bal[t in T]: sum(g in G) p[g, t] == load[t]
    ${objective}
  `;
}

/** The UC model of the brute-force test: 3 units, 3 hours, one commitment binary per unit. */
const UC = {
  pmin: [1, 0.5, 0.2],
  pmax: [4, 3, 2],
  marginal: [20, 30, 50],
  fixed: [100, 40, 10],
  load: [2, 4.5, 6],
};

function ucModel(): string {
  const G = ['u1', 'u2', 'u3'];
  const map = (xs: number[]) => `{${G.map((g, i) => `${g}: ${xs[i]}`).join(', ')}}`;
  return `
    horizon T = ${UC.load.length} steps of 1 h
    set G = {${G.join(', ')}}
    param pmin[G] : MW = ${map(UC.pmin)}
    param pmax[G] : MW = ${map(UC.pmax)}
    param mc[G] : $/MWh = ${map(UC.marginal)}
    param fixed[G] : $ = ${map(UC.fixed)}
    param load[T] : MW = [${UC.load.join(', ')}]
    var on[G] binary
    var p[g in G, t in T] : MW in [0, pmax[g]]
    constraint lo[g in G, t in T]: p[g, t] >= pmin[g] * on[g]
    constraint hi[g in G, t in T]: p[g, t] <= pmax[g] * on[g]
    constraint bal[t in T]: sum(g in G) p[g, t] == load[t]
    minimize cost = sum(g in G) fixed[g] * on[g] + sum(g in G, t in T) mc[g] * p[g, t] * step(T)
  `;
}

/**
 * Brute force over the 8 commitments: each committed unit runs at least at pmin; the rest of the
 * load goes to the committed units in merit order (optimal for linear costs). Infeasible when the
 * load is outside [sum pmin, sum pmax] of the committed units.
 */
function ucBruteForce(): { best: number; second: number; on: number[] } {
  const n = UC.pmin.length;
  const order = [...Array(n).keys()].sort((a, b) => UC.marginal[a]! - UC.marginal[b]!);
  const costs: { cost: number; on: number[] }[] = [];
  for (let mask = 0; mask < 1 << n; mask++) {
    const on = [...Array(n).keys()].map((g) => (mask >> g) & 1);
    let cost = on.reduce((s, o, g) => s + o * UC.fixed[g]!, 0);
    let feasible = true;
    for (const load of UC.load) {
      const lo = on.reduce((s, o, g) => s + o * UC.pmin[g]!, 0);
      const hi = on.reduce((s, o, g) => s + o * UC.pmax[g]!, 0);
      if (load < lo - 1e-12 || load > hi + 1e-12) { feasible = false; break; }
      let rest = load - lo;
      for (const g of order) {
        if (!on[g]) continue;
        const extra = Math.min(rest, UC.pmax[g]! - UC.pmin[g]!);
        cost += UC.marginal[g]! * (UC.pmin[g]! + extra);
        rest -= extra;
      }
    }
    if (feasible) costs.push({ cost, on });
  }
  costs.sort((a, b) => a.cost - b.cost);
  return { best: costs[0]!.cost, second: costs[1]!.cost, on: costs[0]!.on };
}

/** Integer knapsack: values 5, 4, 3; weights 2, 3, 1.5; at most 3 of each; capacity 7.5. */
const KNAP = { value: [5, 4, 3], weight: [2, 3, 1.5], max: 3, cap: 7.5 };

function knapsackBruteForce(): { best: number; second: number; n: number[] } {
  const all: { v: number; n: number[] }[] = [];
  for (let a = 0; a <= KNAP.max; a++) for (let b = 0; b <= KNAP.max; b++) for (let c = 0; c <= KNAP.max; c++) {
    const n = [a, b, c];
    const w = n.reduce((s, k, i) => s + k * KNAP.weight[i]!, 0);
    if (w <= KNAP.cap + 1e-12) all.push({ v: n.reduce((s, k, i) => s + k * KNAP.value[i]!, 0), n });
  }
  all.sort((x, y) => y.v - x.v);
  return { best: all[0]!.v, second: all[1]!.v, n: all[0]!.n };
}

const KNAPSACK = `
  set I = {i1, i2, i3}
  param value[I] = {i1: ${KNAP.value[0]}, i2: ${KNAP.value[1]}, i3: ${KNAP.value[2]}}
  param weight[I] = {i1: ${KNAP.weight[0]}, i2: ${KNAP.weight[1]}, i3: ${KNAP.weight[2]}}
  var n[I] integer in [0, ${KNAP.max}]
  constraint load: sum(i in I) weight[i] * n[i] <= ${KNAP.cap}
  maximize total = sum(i in I) value[i] * n[i]
`;

// ---- agreement -------------------------------------------------------------------------------

interface AgreeCase {
  readonly name: string;
  readonly make: () => Built;
  readonly objective: number;
  /** Variables with a unique optimal value (declared units). */
  readonly values: Record<string, number>;
  /** Constraints with a unique dual (objective unit per constraint unit). */
  readonly duals?: Record<string, number>;
  /** The dispatch example: total = energy + generation + degradation, built from instance costs. */
  readonly dispatchCostChecks?: boolean;
}

const DISPATCH = fileURLToPath(new URL('../examples/dispatch/model.evg', import.meta.url));

const AGREE: AgreeCase[] = [
  // The dispatch example with its quadratic costs as tangent cuts (an LP for both solvers); no
  // value derived by hand (NaN): the two solvers must agree, and the QP test below bounds it.
  { name: 'dispatch example (LP)', make: () => buildFile(DISPATCH, { quadraticObjective: 'pwl' }), objective: NaN, values: {}, dispatchCostChecks: true },
  {
    name: 'transport (LP)', make: () => build(TRANSPORT), objective: 190,
    values: { 'f[s1,d1,1]': 25, 'f[s1,d2,1]': 5, 'f[s2,d1,1]': 0, 'f[s2,d2,1]': 20 },
    duals: { 'dem[d1,1]': 4, 'dem[d2,1]': 6, 'sup[s1,1]': 0, 'sup[s2,1]': -3 },
  },
  {
    name: 'storage arbitrage (LP, maximisation)', make: () => build(ARBITRAGE), objective: 250 / 9,
    values: { 'ch[1]': 1 / 0.9, 'ch[2]': 0, 'dis[1]': 0, 'dis[2]': 1, 'soc[1]': 1, 'soc[2]': 0 },
  },
  {
    name: 'merit order (LP)', make: () => build(meritOrder()), objective: 65,
    values: { 'p[g1,1]': 1, 'p[g2,1]': 0.5, 'p[g3,1]': 0, 'p[g1,2]': 1, 'p[g2,2]': 1, 'p[g3,2]': 0.5 },
    duals: { 'bal[1]': 20, 'bal[2]': 30, 'cap[g1,1]': -10, 'cap[g2,1]': 0, 'cap[g1,2]': -20, 'cap[g2,2]': -10, 'cap[g3,2]': 0 },
  },
  {
    // Same model, maximising minus the cost: the objective and the duals change sign.
    name: 'merit order (LP, maximisation of -cost)', make: () => build(meritOrder({ sense: 'maximize' })), objective: -65,
    values: { 'p[g2,1]': 0.5, 'p[g3,2]': 0.5 },
    duals: { 'bal[1]': -20, 'bal[2]': -30, 'cap[g1,2]': 20 },
  },
  {
    name: 'unit commitment (MILP, 3 binaries)', make: () => build(ucModel()), objective: ucBruteForce().best,
    values: { 'on[u1]': 1, 'on[u2]': 1, 'on[u3]': 0, 'p[u1,3]': 4, 'p[u2,3]': 2, 'p[u1,1]': 1.5, 'p[u2,1]': 0.5 },
  },
  {
    name: 'knapsack (MILP, general integers)', make: () => build(KNAPSACK), objective: knapsackBruteForce().best,
    values: { 'n[i1]': 3, 'n[i2]': 0, 'n[i3]': 1 },
  },
  {
    // Integers with a negative lower bound, no lower bound, and no bounds at all.
    // min 2k - m + f, k >= -3, m <= 5, f free, k + m >= 0.5, f - 2.5 m >= -20.2, m >= -2.5.
    // For fixed m the best is k = max(-3, ceil(0.5 - m)), f = ceil(2.5 m - 20.2):
    // m = 5: -6-5-7 = -18; m = 4: -6-4-10 = -20; m = 3: -4-3-12 = -19; m = 2: -2-2-15 = -19; lower m
    // is worse still (m = 1: -18, m = 0: -18, m = -1: -17, m = -2: -17). Unique optimum -20.
    name: 'integers with negative and infinite bounds (MILP)',
    make: () => build(`
      var k_low integer >= -3
      var m_high integer <= 5
      var f_free integer
      constraint c1: k_low + m_high >= 0.5
      constraint c2: f_free - 2.5 * m_high >= -20.2
      constraint c3: m_high >= -2.5
      minimize total = 2 * k_low - m_high + f_free
    `),
    objective: -20,
    values: { k_low: -3, m_high: 4, f_free: -10 },
  },
];

describe.each(AGREE)('HiGHS and GLPK agree: $name', (c) => {
  it('same status, objective (and the independently derived one), unique values and duals', async () => {
    const b = c.make();
    const r = await both(b);
    for (const s of SOLVERS) {
      expect(r[s].json.status, s).toBe('optimal');
      if (!Number.isNaN(c.objective)) expectClose(r[s].json.objective!, c.objective, 1e-6, `${s} objective`);
      for (const [name, v] of Object.entries(c.values)) expectClose(r[s].json.variables[name], v, 1e-6, `${s} ${name}`);
      for (const [name, v] of Object.entries(c.duals ?? {})) expectClose(r[s].json.constraints[name]?.dual, v, 1e-6, `${s} dual of ${name}`);
    }
    expectClose(r.highs.json.objective!, r.glpk.json.objective!, 1e-6, 'HiGHS vs GLPK objective');
    // Cost terms are evaluated at each solver's solution (which may differ where the optimum is
    // not unique); where the objective is the sum of the model's own cost terms, they add up to it,
    // and each instance's terms add up to the model-level term built from them.
    if (c.dispatchCostChecks) {
      for (const s of SOLVERS) {
        const costs = r[s].json.costs;
        const own = Object.entries(costs).filter(([k]) => !/[.[]/.test(k));
        expect(own.length).toBeGreaterThan(0);
        // Cost terms are evaluated as written (the squares exactly), as is objectiveAsWritten.
        const asWritten = (r[s].json as unknown as { verification: { objectiveAsWritten: number } }).verification.objectiveAsWritten;
        expectClose(own.reduce((a, [, v]) => a + v, 0), asWritten, 1e-6, `${s}: sum of cost terms`);
        const instances = (suffix: string) => Object.entries(costs).filter(([k]) => k.endsWith(suffix)).reduce((a, [, v]) => a + v, 0);
        expectClose(instances('.fuel'), costs['generation']!, 1e-6, `${s}: generation = sum of dg[g].fuel`);
        expectClose(instances('].degradation'), costs['degradation']!, 1e-6, `${s}: degradation = sum of bess[b].degradation`);
      }
    }
  });
});

describe('the dispatch example as a QP (HiGHS) and with tangent cuts (GLPK)', () => {
  it('the tangent-cut optimum lies below the QP optimum by at most the reported error bound', async () => {
    const qp = buildFile(DISPATCH);
    const lp = buildFile(DISPATCH, { quadraticObjective: 'pwl', pwlSegments: 10 });
    expect(qp.model.hessian).toBeDefined();
    expect(lp.model.hessian).toBeUndefined();
    const q = interpret(qp.comp, await solveHighs(qp.model, {})).objective!.value;
    const g = interpret(lp.comp, await solveGlpk(lp.model, {})).objective!.value;
    const bound = lp.model.objectiveError;
    // Tangents lie below each parabola: the linearised optimum is a lower bound within `bound`.
    expect(bound).toBeGreaterThan(0);
    expect(g).toBeLessThanOrEqual(q + 1e-6);
    expect(g).toBeGreaterThanOrEqual(q - bound - 1e-6);
  });
});

// ---- brute force -----------------------------------------------------------------------------

describe('MILP optima checked by enumeration', () => {
  it('unit commitment with 3 binaries: all 8 commitments enumerated', async () => {
    const bf = ucBruteForce();
    // The enumeration's optimum is unique (so the commitment can be compared too).
    expect(bf.second - bf.best).toBeGreaterThan(1e-3);
    // By hand: {u1,u2} costs 140 + 45 + 95 + 140 = 420; the next best {u1,u3} costs 441.
    expectClose(bf.best, 420, 1e-12);
    expectClose(bf.second, 441, 1e-12);
    const b = build(ucModel());
    for (const s of SOLVERS) {
      const r = await run(b, s);
      expect(r.json.status).toBe('optimal');
      expectClose(r.json.objective!, bf.best, 1e-6, s);
      expect(['u1', 'u2', 'u3'].map((g) => r.json.variables[`on[${g}]`])).toEqual(bf.on);
      expect(r.results.isMip).toBe(true);
    }
  });

  it('integer knapsack: all 64 choices enumerated', async () => {
    const bf = knapsackBruteForce();
    expect(bf.best - bf.second).toBeGreaterThan(1e-3);
    expect(bf.best).toBe(18); // 3 x i1 (weight 6) + 1 x i3 (1.5)
    const b = build(KNAPSACK);
    for (const s of SOLVERS) {
      const r = await run(b, s);
      expectClose(r.json.objective!, bf.best, 1e-6, s);
      expect(['i1', 'i2', 'i3'].map((i) => r.json.variables[`n[${i}]`])).toEqual(bf.n);
    }
  });
});

// ---- duals -----------------------------------------------------------------------------------

describe('duals', () => {
  it('the balance dual is the marginal generator cost times the period length (15-minute steps)', async () => {
    // Same merit order with periods of 15 min: one more MW for a quarter hour costs c * 0.25 h.
    const b = build(meritOrder({ step: '15 min' }));
    const r = await both(b);
    for (const s of SOLVERS) {
      expectClose(r[s].json.objective!, 65 * 0.25, 1e-9, s);
      expect(r[s].json.constraintUnits['bal']!.dual).toBe('$/MW');
      expectClose(r[s].json.constraints['bal[1]']!.dual, 20 * 0.25, 1e-9, `${s} bal[1]`);
      expectClose(r[s].json.constraints['bal[2]']!.dual, 30 * 0.25, 1e-9, `${s} bal[2]`);
    }
  });

  it('a balance whose load is declared in kW has its dual per kW', async () => {
    // Loads 1500 and 2500 kW: the same optimum; one more kW costs a thousandth of one more MW.
    const b = build(meritOrder({ loadUnit: 'kW', loads: '[1500, 2500]' }));
    for (const s of SOLVERS) {
      const r = await run(b, s);
      expectClose(r.json.objective!, 65, 1e-9, s);
      const perMw = { '$/MW': 1, '$/kW': 1e-3 }[r.json.constraintUnits['bal']!.dual!];
      expect(perMw, `dual unit ${r.json.constraintUnits['bal']!.dual}`).toBeDefined();
      expectClose(r.json.constraints['bal[1]']!.dual, 20 * perMw!, 1e-9, `${s} bal[1]`);
      expectClose(r.json.constraints['bal[2]']!.dual, 30 * perMw!, 1e-9, `${s} bal[2]`);
    }
  });

  it('MILPs report no duals', async () => {
    const b = build(ucModel());
    for (const s of SOLVERS) {
      const r = await run(b, s);
      expect(r.results.duals).toBeUndefined();
      expect(r.json.constraints['bal[1]']!.dual).toBeUndefined();
      expect(r.json.constraints['bal[1]']!.activity).toBeCloseTo(2, 9);
    }
  });
});

// ---- options ---------------------------------------------------------------------------------

describe('solver options', () => {
  it('a time limit (and a MIP gap) are accepted; a generous limit changes nothing', async () => {
    const lp = build(TRANSPORT);
    const mip = build(ucModel());
    for (const s of SOLVERS) {
      const a = await run(lp, s, { timeLimit: 60 });
      expect(a.json.status).toBe('optimal');
      expectClose(a.json.objective!, 190, 1e-9, s);
      const m = await run(mip, s, { timeLimit: 60, gap: 1e-6 });
      expect(m.json.status).toBe('optimal');
      expectClose(m.json.objective!, 420, 1e-6, s);
    }
  });

  it('a zero time limit stops both solvers before a solution: status time-limit', async () => {
    const b = buildFile(DISPATCH, { quadraticObjective: 'pwl' });
    for (const s of SOLVERS) {
      const r = await run(b, s, { timeLimit: 0 });
      expect(r.out.status, s).toBe('time-limit');
      expect(r.out.hasSolution, s).toBe(false);
      expect(r.json.objective, s).toBeNull();
    }
  });

  it('verbose output goes to the log callback', async () => {
    const b = build(TRANSPORT);
    const lines: string[] = [];
    const out = await solveHighs(b.model, { verbose: true, log: (l) => lines.push(l) });
    expect(out.status).toBe('optimal');
    expect(lines.join('')).toMatch(/HiGHS|Model status|Objective/i);
  });
});

// ---- infeasible and unbounded ----------------------------------------------------------------

describe('infeasible and unbounded models', () => {
  const INFEASIBLE_LP = `
    var x in [0, 1]
    var y in [0, 1]
    constraint need: x + y >= 3
    minimize total = x + y
  `;
  const INFEASIBLE_MILP = `
    var k integer in [0, 5]
    var b binary
    constraint odd: 2 * k + 2 * b == 7
    minimize total = k + b
  `;
  const UNBOUNDED_LP = `
    var x >= 0
    var y in [0, 1]
    constraint c: x - y >= 1
    maximize total = x + y
  `;
  const UNBOUNDED_MIN_LP = `
    var x
    constraint c: x <= 4
    minimize total = x
  `;
  const UNBOUNDED_MILP = `
    var k integer >= 0
    var y in [0, 1]
    constraint c: k - y >= 1
    maximize total = k + y
  `;

  it.each(SOLVERS)('an infeasible LP is infeasible (%s)', async (s) => {
    const r = await run(build(INFEASIBLE_LP), s);
    expect(r.json.status).toBe('infeasible');
    expect(r.json.objective).toBeNull();
    expect(r.json.variables).toEqual({});
  });

  it.each(SOLVERS)('an infeasible MILP (feasible relaxation) is infeasible (%s)', async (s) => {
    // 2k + 2b = 7 has the LP solution k = 3.5 but no integer one.
    const r = await run(build(INFEASIBLE_MILP), s);
    expect(r.json.status).toBe('infeasible');
    expect(r.json.objective).toBeNull();
  });

  it.each(SOLVERS)('an unbounded LP is unbounded (%s)', async (s) => {
    for (const text of [UNBOUNDED_LP, UNBOUNDED_MIN_LP]) {
      const r = await run(build(text), s);
      expect(['unbounded', 'infeasible-or-unbounded']).toContain(r.json.status);
    }
  });

  it.each(SOLVERS)('an unbounded MILP is unbounded or infeasible-or-unbounded (%s)', async (s) => {
    // GLPK used to report this as an error (formerly BUG 5): its branch and bound gives up on an
    // unbounded relaxation.
    const r = await run(build(UNBOUNDED_MILP), s);
    expect(['unbounded', 'infeasible-or-unbounded']).toContain(r.json.status);
    expect(r.json.objective).toBeNull();
  });

  it('GLPK: an unbounded MILP is unbounded', async () => {
    // k = 1, y = 0 is an integer solution and k can grow without end: unbounded, not just
    // "infeasible or unbounded".
    const r = await run(build(UNBOUNDED_MILP), 'glpk');
    expect(r.json.status).toBe('unbounded');
  });

  // 2k + 2m is even, never 7, so there is no integer solution; the relaxation (k + m = 3.5) lets x
  // grow without end. GLPK's branch and bound gives up on this one too.
  const NO_INTEGER_POINT = `
    var k integer in [0, 10]
    var m integer in [0, 10]
    var x >= 0
    constraint odd: 2 * k + 2 * m == 7
    constraint link: x >= k
    maximize total = x
  `;

  it.each(SOLVERS)('a MILP with an unbounded relaxation but no integer solution is not called unbounded (%s)', async (s) => {
    const r = await run(build(NO_INTEGER_POINT), s);
    expect(['infeasible', 'infeasible-or-unbounded']).toContain(r.json.status);
    expect(r.json.objective).toBeNull();
  });

  it('GLPK: a MILP with an unbounded relaxation but no integer solution is infeasible', async () => {
    const r = await run(build(NO_INTEGER_POINT), 'glpk');
    expect(r.json.status).toBe('infeasible');
  });

  it('GLPK: when the search for an integer solution does not end, the status says infeasible-or-unbounded', async () => {
    // With free integers, 2k - 2m = 1 makes branch and bound run forever; the search gets the
    // time that is left of the limit (and 5 s without one).
    const t0 = performance.now();
    const r = await run(build(`
      var k integer
      var m integer
      var x >= 0
      constraint odd: 2 * k - 2 * m == 1
      maximize total = x + k
    `), 'glpk', { timeLimit: 1 });
    expect(['infeasible', 'infeasible-or-unbounded']).toContain(r.json.status);
    expect(performance.now() - t0).toBeLessThan(4000);
  });

  it.each(SOLVERS)('an unbounded model reports no objective and no values (%s)', async (s) => {
    // HiGHS keeps a primal feasible point when it proves unboundedness; it used to be reported
    // with an objective of 3 and variable values (formerly BUG 6).
    for (const text of [UNBOUNDED_LP, UNBOUNDED_MIN_LP]) {
      const b = build(text);
      const r = await run(b, s);
      expect(r.out.status, s).toBe('unbounded');
      expect(r.out.hasSolution).toBe(false);
      expect(r.out.objective).toBeUndefined();
      expect(r.json.objective, s).toBeNull();
      expect(r.json.variables).toEqual({});
      expect(r.json.costs).toEqual({});
    }
  });

  it('a solver result claiming a point for an unbounded model is still reported without one', async () => {
    // Whatever a back-end returns with the status unbounded, the results carry no solution.
    const b = build(UNBOUNDED_LP);
    const out = { solver: 'test', status: 'unbounded' as const, hasSolution: true, isMip: false, objective: 3, colValue: new Float64Array([2, 1]), rowValue: new Float64Array([1]), seconds: 0 };
    const r = interpret(b.comp, out);
    expect(r.objective).toBeUndefined();
    expect((toJson(b.comp, r, {}) as Json).objective).toBeNull();
  });
});

// ---- units -----------------------------------------------------------------------------------

describe('results in declared units', () => {
  /**
   * The grid connection is declared in kW (at most 1000 kW), the generator and the load in MW.
   * Hour 1 (1.2 MW): grid 1000 kW + generator 0.2 MW; hour 2 (0.8 MW): grid 800 kW.
   * Cost 40 * 1 + 60 * 0.2 + 40 * 0.8 = 84 $. Balance duals: 60 $/MW (generator marginal) and
   * 40 $/MW (grid marginal).
   */
  const MIXED = `
    horizon T = 2 steps of 1 h
    param load[T] : MW = [1.2, 0.8]
    var grid[t in T] : kW in [0, 1000]
    var gen[t in T] : MW in [0, 2]
    var stored[t in T] : kWh in [0, 500]
    constraint balance[t in T]: grid[t] + gen[t] == load[t]
    constraint keep[t in T]: stored[t] >= 250 kWh
    cost energy = sum(t in T) (40 $/MWh * grid[t] + 60 $/MWh * gen[t]) * step(T)
    cost storage = sum(t in T) 2 $/MWh * stored[t]
    minimize total = energy + storage
  `;

  it.each(SOLVERS)('variables in kW, kWh and MW come back in kW, kWh and MW (%s)', async (s) => {
    const b = build(MIXED);
    const r = await run(b, s);
    expect(r.json.status).toBe('optimal');
    // storage: 2 $/MWh * 0.25 MWh * 2 hours = 1 $.
    expectClose(r.json.objective!, 85, 1e-9, 'objective');
    expect(r.json.objectiveUnit).toBe('$');
    expect(r.json.units).toMatchObject({ grid: 'kW', gen: 'MW', stored: 'kWh' });
    expectClose(r.json.variables['grid[1]'], 1000, 1e-9, 'grid[1] in kW');
    expectClose(r.json.variables['grid[2]'], 800, 1e-9, 'grid[2] in kW');
    expectClose(r.json.variables['gen[1]'], 0.2, 1e-9, 'gen[1] in MW');
    expectClose(r.json.variables['gen[2]'], 0, 1e-9, 'gen[2] in MW');
    expectClose(r.json.variables['stored[1]'], 250, 1e-9, 'stored[1] in kWh');
    expectClose(r.json.costs['energy'], 84, 1e-9, 'cost energy');
    expectClose(r.json.costs['storage'], 1, 1e-9, 'cost storage');
    expect(r.json.costUnits).toMatchObject({ energy: '$', storage: '$' });
    // Activities and duals are in the constraint's reported unit.
    const unit = r.json.constraintUnits['balance']!;
    const perMw = { MW: 1, kW: 1e3 }[unit.unit];
    expect(perMw, `balance unit ${unit.unit}`).toBeDefined();
    expect(unit.dual).toBe(`$/${unit.unit}`);
    expectClose(r.json.constraints['balance[1]']!.activity, 1.2 * perMw!, 1e-9, 'balance[1] activity');
    expectClose(r.json.constraints['balance[1]']!.dual, 60 / perMw!, 1e-9, 'balance[1] dual');
    expectClose(r.json.constraints['balance[2]']!.dual, 40 / perMw!, 1e-9, 'balance[2] dual');
    // The in-process vectors are in declared units too.
    expect(r.results.objective).toMatchObject({ name: 'total', unit: '$', sense: 'minimize' });
  });

  it('CSV output carries the declared unit in its header', async () => {
    const b = build(MIXED);
    const r = await run(b, 'highs');
    const dir = join(tempDir(), 'csv');
    const files = writeCsvDir(dir, b.comp, r.results);
    const grid = files.find((f) => /var-grid\.csv$/.test(f))!;
    expect(grid).toBeDefined();
    const lines = readFileSync(grid, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('T,value_kW');
    expect(lines[1]).toBe('1,1000');
    expect(lines[2]).toBe('2,800');
  });
});
