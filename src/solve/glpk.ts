// GLPK back-end (glpk.js, WebAssembly, in-process). glpk.js takes a JSON model with named
// variables; compact internal names (x0, r0) keep that small. GLPK has no objective constant, so
// it is added back here. A MILP whose relaxation is unbounded makes GLPK give up; solveGlpk then
// classifies it itself (see below).
import GLPKFactory from 'glpk.js/node';
import type { Model } from '../ir/model.js';
import type { SolveOptions, SolverOutput, SolveStatus } from './types.js';

type Glpk = Awaited<ReturnType<typeof GLPKFactory>>;
/** Time given to the search for an integer solution of a MILP whose relaxation is unbounded. */
const FEASIBILITY_SECONDS = 5;
let glpk: Promise<Glpk> | undefined;

function load(): Promise<Glpk> {
  glpk ??= GLPKFactory();
  return glpk;
}

export async function solveGlpk(model: Model, opts: SolveOptions): Promise<SolverOutput> {
  const t0 = performance.now();
  if (model.hessian) {
    // The driver linearises quadratic objectives for GLPK (compile option quadraticObjective: 'pwl').
    return { solver: 'glpk', status: 'error', hasSolution: false, isMip: false, seconds: 0, message: 'GLPK cannot solve a quadratic objective; build the model with the objective linearised (evg does so for --solver glpk)' };
  }
  const g = await load();
  const isMip = model.stats.integers + model.stats.binaries > 0;
  const objVars = [];
  for (let j = 0; j < model.numCols; j++) if (model.colCost[j] !== 0) objVars.push({ name: `x${j}`, coef: model.colCost[j]! });
  const bnd = (lo: number, hi: number) => {
    if (lo === -Infinity && hi === Infinity) return { type: g.GLP_FR, lb: 0, ub: 0 };
    if (lo === hi) return { type: g.GLP_FX, lb: lo, ub: hi };
    if (hi === Infinity) return { type: g.GLP_LO, lb: lo, ub: 0 };
    if (lo === -Infinity) return { type: g.GLP_UP, lb: 0, ub: hi };
    return { type: g.GLP_DB, lb: lo, ub: hi };
  };
  const subjectTo = [];
  for (let i = 0; i < model.numRows; i++) {
    const vars = [];
    for (let k = model.rowStart[i]!; k < model.rowStart[i + 1]!; k++) vars.push({ name: `x${model.rowIndex[k]}`, coef: model.rowValue[k]! });
    subjectTo.push({ name: `r${i}`, vars, bnds: bnd(model.rowLower[i]!, model.rowUpper[i]!) });
  }
  const bounds = [];
  const generals: string[] = [];
  const binaries: string[] = [];
  for (let j = 0; j < model.numCols; j++) {
    bounds.push({ name: `x${j}`, ...bnd(model.colLower[j]!, model.colUpper[j]!) });
    if (model.colType[j] === 1) generals.push(`x${j}`);
    else if (model.colType[j] === 2) { if (model.colLower[j] === 0 && model.colUpper[j] === 1) binaries.push(`x${j}`); else generals.push(`x${j}`); }
  }
  // A column in no row and not in the objective must still exist for GLPK.
  if (objVars.length === 0 && model.numCols > 0) objVars.push({ name: 'x0', coef: 0 });
  const lp = {
    name: 'evg',
    objective: { direction: model.objective.sense === 'maximize' ? g.GLP_MAX : g.GLP_MIN, name: 'obj', vars: objVars },
    subjectTo,
    bounds,
    ...(generals.length ? { generals } : {}),
    ...(binaries.length ? { binaries } : {}),
  };
  const run = (problem: typeof lp, presol: boolean, seconds = opts.timeLimit) => g.solve(problem, {
    msglev: opts.verbose ? g.GLP_MSG_ALL : g.GLP_MSG_OFF,
    presol,
    rows: true,
    ...(seconds !== undefined ? { tmlim: seconds } : {}),
    ...(opts.gap !== undefined ? { mipgap: opts.gap } : {}),
  });
  let res = run(lp, true);
  // With the presolver on, GLPK reports an infeasible or unbounded LP as "undefined"; solving
  // again without it gives the precise status. (A MILP cannot be solved without the presolver:
  // glpk.js runs no simplex first, so that is handled below.)
  if (!isMip && (res.result.status === g.GLP_UNDEF || res.result.status === g.GLP_NOFEAS)) res = run(lp, false);
  const st = res.result.status;
  const timedOut = () => opts.timeLimit !== undefined && (performance.now() - t0) / 1000 >= opts.timeLimit * 0.98;
  let status: SolveStatus;
  if (st === g.GLP_OPT) status = 'optimal';
  else if (st === g.GLP_FEAS) status = timedOut() ? 'time-limit' : isMip ? 'time-limit' : 'optimal';
  else if (st === g.GLP_NOFEAS || st === g.GLP_INFEAS) status = timedOut() ? 'time-limit' : 'infeasible';
  else if (st === g.GLP_UNBND) status = 'unbounded';
  else if (timedOut()) status = 'time-limit';
  else if (isMip) {
    // GLPK's branch and bound gives up ("undefined") when the LP relaxation is unbounded. Solve
    // the relaxation: infeasible means the MILP is; unbounded means the MILP is unbounded if it
    // has any integer solution (for rational data the integer hull has the relaxation's recession
    // cone), so look for one with a zero objective.
    const { generals: _g, binaries: _b, ...relaxation } = lp;
    const rel = run(relaxation, false).result.status;
    if (rel === g.GLP_NOFEAS) status = 'infeasible';
    else if (rel !== g.GLP_UNBND) status = 'error';
    else {
      // The search can be endless (free integers with no solution), so it gets a few seconds.
      const left = opts.timeLimit === undefined ? FEASIBILITY_SECONDS : Math.min(FEASIBILITY_SECONDS, opts.timeLimit - (performance.now() - t0) / 1000);
      const feas = left <= 0 ? g.GLP_UNDEF : run({ ...lp, objective: { ...lp.objective, vars: [{ name: 'x0', coef: 0 }] } }, true, left).result.status;
      status = feas === g.GLP_OPT || feas === g.GLP_FEAS ? 'unbounded' : feas === g.GLP_NOFEAS ? 'infeasible' : 'infeasible-or-unbounded';
    }
  } else status = 'error';
  const seconds = (performance.now() - t0) / 1000;
  const hasSolution = st === g.GLP_OPT || st === g.GLP_FEAS;
  if (!hasSolution) return { solver: 'glpk', status, hasSolution, isMip, seconds, message: status === 'error' ? `GLPK status ${st}` : undefined };
  const colValue = new Float64Array(model.numCols);
  for (let j = 0; j < model.numCols; j++) colValue[j] = res.result.vars[`x${j}`] ?? 0;
  const rowValue = new Float64Array(model.numRows);
  const rows = res.result.rows ?? {};
  for (let i = 0; i < model.numRows; i++) rowValue[i] = rows[`r${i}`] ?? 0;
  let rowDual: Float64Array | undefined;
  if (!isMip && res.result.dual) {
    rowDual = new Float64Array(model.numRows);
    for (let i = 0; i < model.numRows; i++) rowDual[i] = res.result.dual[`r${i}`] ?? 0;
  }
  return { solver: 'glpk', status, hasSolution, isMip, objective: res.result.z + model.objOffset, colValue, rowValue, rowDual, seconds };
}
