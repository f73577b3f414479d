// Solving one model under several treatments and evaluating each treatment's here-and-now
// decisions on the same scenarios (`evg compare`), and the value of information and of the
// stochastic solution (`evg solve --evpi`).
//
// Evaluation. A treatment's first-stage (non-recourse) decisions are fixed, and the recourse
// problem is solved in every evaluation scenario: the model is built again over those scenarios
// (an extensive form whose scenarios are independent once the first stage is fixed), so the cost
// in each scenario is the best operation given the decisions. Chance and expectation constraints
// are not imposed there: their rows are measured instead, and a scenario in which a row is
// violated counts toward the violation rate. A scenario whose recourse problem is infeasible
// counts as a violation and has no cost.
//
//   in-sample      the model's own scenarios (after reduction): expected and worst-case cost
//   out-of-sample  fresh samples from the same distributions (sampled scenarios only)
//   EVPI = RP - WS, VSS = EEV - RP (minimisation; signs flip for maximisation): RP the stochastic
//   program's optimum, WS the expected optimum when each scenario is known in advance, EEV the
//   expected cost of the expected-value problem's first stage.
import { compile, type Compilation, type CompileOptions } from '../driver.js';
import { EvgError, type Diagnostic, type SourceTexts } from '../diagnostics/diagnostic.js';
import type { Model } from '../ir/model.js';
import { recipeValue } from '../report/verify.js';
import { solveHighs } from '../solve/highs.js';
import { solveGlpk } from '../solve/glpk.js';
import type { SolveOptions, SolverOutput } from '../solve/types.js';
import { atomValue } from '../lower/atoms.js';
import type { MethodOptions } from './method.js';
import type { World } from './worlds.js';
import type { ScenarioData, UncertainParam } from './scenarios.js';

export interface CommonOptions {
  readonly compile?: Omit<CompileOptions, 'uncertainty' | 'worlds'>;
  readonly solver?: 'highs' | 'glpk';
  readonly solve?: SolveOptions;
}

/** A compilation failed or a solve did not reach optimality: what the caller reports. */
export class CompareError extends Error {
  constructor(message: string, readonly diagnostics: readonly Diagnostic[] = [], readonly sources?: SourceTexts) {
    super(message);
  }
}

export interface Solved {
  readonly comp: Compilation;
  readonly out: SolverOutput;
  /** The objective, in its unit. */
  readonly objective: number;
  /** Values of the here-and-now columns, by family name. */
  readonly firstStage: Map<string, Float64Array>;
  /** The objective's terms in here-and-now variables (its linear part), in its unit. */
  readonly firstStageCost: number;
  readonly seconds: number;
}

async function run(model: Model, o: CommonOptions): Promise<SolverOutput> {
  return o.solver === 'glpk' ? solveGlpk(model, o.solve ?? {}) : solveHighs(model, o.solve ?? {});
}

function compiled(file: string, opts: CompileOptions): Compilation {
  const comp = compile(file, opts);
  if (comp.diags.hasErrors || !comp.elaboration) throw new CompareError('the model has errors', comp.diags.sorted(), comp.sources);
  return comp;
}

/** Solves the model under one treatment. */
export async function solveUnder(file: string, method: MethodOptions, o: CommonOptions): Promise<Solved> {
  const t0 = performance.now();
  const comp = compiled(file, { ...o.compile, uncertainty: method, ...(o.solver === 'glpk' ? { lowering: { ...o.compile?.lowering, quadraticObjective: 'pwl' } } : {}) });
  const model = comp.elaboration!.model;
  const out = await run(model, o);
  if (!out.hasSolution || (out.status !== 'optimal' && out.status !== 'time-limit')) throw new CompareError(`${method.method ?? 'the model'}: the solver reports ${out.status}${out.message ? ` (${out.message})` : ''}`);
  const x = out.colValue!;
  const firstStage = new Map<string, Float64Array>();
  let fsCost = 0;
  const src = comp.source!();
  const objCols = new Map<number, number>();
  if (src.objective) src.objective.recipe.lin.cols.forEach((j, k) => objCols.set(j, src.objective!.recipe.lin.vals[k]!));
  for (const f of model.colFamilies) {
    if (f.aux || f.recourse) continue;
    firstStage.set(f.name, x.slice(f.first, f.first + f.count));
    for (let j = f.first; j < f.first + f.count; j++) fsCost += (objCols.get(j) ?? 0) * x[j]!;
  }
  return {
    comp, out, objective: (out.objective ?? 0) / model.objScale, firstStage,
    firstStageCost: fsCost / (src.objective?.factor ?? 1), seconds: (performance.now() - t0) / 1000,
  };
}

export interface Evaluation {
  /** Cost in each evaluation scenario (NaN where the recourse problem is infeasible). */
  readonly costs: readonly number[];
  readonly prob: readonly number[];
  readonly labels: readonly string[];
  readonly infeasible: number;
  /** Scenarios in which a chance row is violated (or the recourse is infeasible). */
  readonly violated: number;
  /** Share of the chance rows violated, over rows and scenarios (an infeasible scenario violates all): each row's own risk. */
  readonly rowViolation: number;
  /** Probability-weighted mean cost over the feasible scenarios, and the worst. */
  readonly mean: number;
  readonly worst: number;
}

type WorldsFn = (params: readonly UncertainParam[], data: ScenarioData | undefined) => World[];

/** The model's own scenarios (after reduction). */
export const inSample: WorldsFn = (params, data) => {
  if (!data) throw new CompareError('the model declares no scenarios to evaluate on');
  return data.labels.map((label, s) => ({ label, prob: data.prob[s]!, values: new Map(params.map((p, i) => [p.member, data.values[s]![i]!])) }));
};

/** n fresh samples from the model's distributions, with another seed. */
export function outOfSample(n: number, seed: number): WorldsFn {
  return (params, data) => {
    if (!data?.draw) throw new CompareError('out-of-sample evaluation needs sampled scenarios (`scenarios W = sample(...)`)');
    const d = data.draw(n, seed);
    return d.values.map((v, s) => ({ label: `t${s + 1}`, prob: d.prob[s]!, values: new Map(params.map((p, i) => [p.member, v[i]!])) }));
  };
}

/** Fixes here-and-now decisions and solves the recourse problem in each scenario of `worlds`. */
export async function evaluate(file: string, firstStage: Map<string, Float64Array> | undefined, worlds: WorldsFn, o: CommonOptions, sense: string): Promise<Evaluation> {
  const comp = compiled(file, { ...o.compile, uncertainty: { method: 'sp' }, worlds: { worlds, allRecourse: !firstStage }, ...(o.solver === 'glpk' ? { lowering: { ...o.compile?.lowering, quadraticObjective: 'pwl' } } : {}) });
  const model = comp.elaboration!.model;
  if (firstStage) fix(model, firstStage);
  const out = await run(model, o);
  const el = comp.elaboration!;
  const src = comp.source!();
  const sc = src.scenarios!;
  const factor = src.objective?.factor ?? 1;
  const labels = sc.labels, prob = sc.prob;
  if (out.hasSolution && out.status === 'optimal') {
    const x = out.colValue!;
    const costs = sc.objective.map((r) => recipeValue(r, x) / factor);
    const violatedIn = new Set<number>();
    let bad = 0, all = 0;
    for (const t of el.treatedRows) {
      if (!t.chance) continue;
      t.rows.forEach((rows, w) => {
        const n = rows.filter((r) => !holds(r, x)).length;
        if (n) violatedIn.add(w);
        bad += prob[w]! * n;
        all += prob[w]! * rows.length;
      });
    }
    return summarize(costs, prob, labels, 0, violatedIn.size, sense, all ? bad / all : 0);
  }
  if (out.status !== 'infeasible' && out.status !== 'infeasible-or-unbounded') throw new CompareError(`evaluation: the solver reports ${out.status}`);
  // Some scenario's recourse problem is infeasible: evaluate the scenarios one by one.
  const costs: number[] = [];
  let infeasible = 0, violated = 0, bad = 0, all = 0;
  for (let s = 0; s < labels.length; s++) {
    const one: WorldsFn = (params, data) => [worlds(params, data)[s]!].map((w) => ({ ...w, prob: 1 }));
    const c1 = compiled(file, { ...o.compile, uncertainty: { method: 'sp' }, worlds: { worlds: one, allRecourse: !firstStage } });
    const m1 = c1.elaboration!.model;
    if (firstStage) fix(m1, firstStage);
    const o1 = await run(m1, o);
    const chanceRows = c1.elaboration!.treatedRows.filter((t) => t.chance).flatMap((t) => t.rows[0]!);
    all += prob[s]! * chanceRows.length;
    if (!o1.hasSolution || o1.status !== 'optimal') { costs.push(NaN); infeasible++; violated++; bad += prob[s]! * chanceRows.length; continue; }
    const src1 = c1.source!();
    costs.push(recipeValue(src1.scenarios!.objective[0]!, o1.colValue!) / factor);
    const n = chanceRows.filter((r) => !holds(r, o1.colValue!)).length;
    if (n) violated++;
    bad += prob[s]! * n;
  }
  return summarize(costs, prob, labels, infeasible, violated, sense, all ? bad / all : 0);
}

function summarize(costs: number[], prob: readonly number[], labels: readonly string[], infeasible: number, violated: number, sense: string, rowViolation: number): Evaluation {
  let m = 0, p = 0, worst = sense === 'maximize' ? Infinity : -Infinity;
  costs.forEach((c, s) => {
    if (Number.isNaN(c)) return;
    m += prob[s]! * c;
    p += prob[s]!;
    worst = sense === 'maximize' ? Math.min(worst, c) : Math.max(worst, c);
  });
  return { costs, prob, labels, infeasible, violated, rowViolation, mean: p > 0 ? m / p : NaN, worst: p > 0 ? worst : NaN };
}

/** Fixes the here-and-now columns of an evaluation model at the values found. */
function fix(model: Model, firstStage: Map<string, Float64Array>): void {
  for (const f of model.colFamilies) {
    if (f.aux || f.recourse) continue;
    const v = firstStage.get(f.name);
    if (!v || v.length !== f.count) throw new CompareError(`internal: no first-stage values for \`${f.name}\``);
    for (let k = 0; k < f.count; k++) {
      model.colLower[f.first + k] = v[k]!;
      model.colUpper[f.first + k] = v[k]!;
    }
  }
}

/** Whether a row (as built in one world) holds at x, within a relative tolerance. */
function holds(r: import('./rows.js').RowSnap, x: ArrayLike<number>): boolean {
  let v = 0, scale = 1;
  for (let k = 0; k < r.cols.length; k++) { const t = r.vals[k]! * x[r.cols[k]!]!; v += t; scale = Math.max(scale, Math.abs(t)); }
  for (const a of r.atoms) {
    const args = a.args.map((g) => { let s = g.c; g.cols.forEach((j, k) => { s += g.vals[k]! * x[j]!; }); return s; });
    const t = a.k * atomValue(a.node, args, a.data);
    v += t;
    scale = Math.max(scale, Math.abs(t));
  }
  const tol = 1e-6 * Math.max(scale, Math.abs(r.lo === -Infinity ? 0 : r.lo), Math.abs(r.hi === Infinity ? 0 : r.hi));
  return v >= r.lo - tol && v <= r.hi + tol;
}

export interface CompareRow {
  readonly method: string;
  readonly objective: number;
  readonly firstStageCost: number;
  readonly inSample: Evaluation;
  readonly outOfSample?: Evaluation;
  readonly seconds: number;
}

export interface CompareOptions extends CommonOptions {
  readonly methods: readonly MethodOptions[];
  /** Number of fresh samples for the out-of-sample evaluation (0: none). */
  readonly holdout: number;
  readonly holdoutSeed: number;
}

export async function compareMethods(file: string, o: CompareOptions): Promise<{ rows: CompareRow[]; sense: string; unit: string }> {
  const rows: CompareRow[] = [];
  let sense = 'minimize', unit = '';
  for (const m of o.methods) {
    const s = await solveUnder(file, m, o);
    sense = s.comp.elaboration!.model.objective.sense;
    unit = s.comp.elaboration!.model.objective.unit?.text ?? '';
    const ins = await evaluate(file, s.firstStage, inSample, o, sense);
    const outs = o.holdout > 0 && s.comp.elaboration!.plan.data?.draw ? await evaluate(file, s.firstStage, outOfSample(o.holdout, o.holdoutSeed), o, sense) : undefined;
    rows.push({ method: label(m), objective: s.objective, firstStageCost: s.firstStageCost, inSample: ins, outOfSample: outs, seconds: s.seconds });
  }
  return { rows, sense, unit };
}

function label(m: MethodOptions): string {
  const extra = [m.divergence, m.radius !== undefined ? `radius ${m.radius}` : '', m.confidence !== undefined ? `confidence ${m.confidence}` : '', m.chance].filter(Boolean);
  return `${m.method}${extra.length ? `(${extra.join(', ')})` : ''}`;
}

export interface ValueOfInformation {
  /** The stochastic program's optimum (recourse problem). */
  readonly rp: number;
  /** Wait-and-see: the expected optimum with perfect information. */
  readonly ws: number;
  /** The expected cost of the expected-value solution. */
  readonly eev: number;
  readonly evpi: number;
  readonly vss: number;
  /** Scenarios in which the expected-value solution has no feasible recourse. */
  readonly eevInfeasible: number;
}

export async function valueOfInformation(file: string, o: CommonOptions): Promise<ValueOfInformation> {
  const sp = await solveUnder(file, { method: 'sp' }, o);
  const sense = sp.comp.elaboration!.model.objective.sense;
  const ev = await solveUnder(file, { method: 'ev' }, o);
  const eev = await evaluate(file, ev.firstStage, inSample, o, sense);
  const ws = await evaluate(file, undefined, inSample, o, sense);
  const sign = sense === 'maximize' ? -1 : 1;
  return {
    rp: sp.objective, ws: ws.mean, eev: eev.infeasible ? (sign > 0 ? Infinity : -Infinity) : eev.mean,
    evpi: sign * (sp.objective - ws.mean), vss: eev.infeasible ? Infinity : sign * (eev.mean - sp.objective), eevInfeasible: eev.infeasible,
  };
}

export { EvgError };
