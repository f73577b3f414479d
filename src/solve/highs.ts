// HiGHS back-end (WebAssembly, in-process). The sparse model is passed as CSR arrays — no LP text —
// which is faster and keeps memory to one copy inside the solver.
import loadHighsModule from 'highs';
import type { Highs } from 'highs';
import type { Model } from '../ir/model.js';
import type { SolveOptions, SolverOutput, SolveStatus } from './types.js';

// The package is CommonJS; under NodeNext its default import is the loader function, which the
// declarations describe as a module. A typed cast gives it its real signature.
type HighsRuntime = Highs;
type HighsModel = ReturnType<HighsRuntime['createModel']>;
const loadHighsRuntime = loadHighsModule as unknown as () => Promise<Highs>;

let runtime: Promise<HighsRuntime> | undefined;

export function loadHighs(): Promise<HighsRuntime> {
  runtime ??= loadHighsRuntime();
  return runtime;
}

/** Builds a HiGHS model from the IR; the caller disposes it. */
export async function highsModel(model: Model): Promise<{ h: HighsRuntime; m: HighsModel }> {
  const h = await loadHighs();
  const inf = h.infinity;
  const clamp = (a: Float64Array) => {
    const out = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = a[i] === Infinity ? inf : a[i] === -Infinity ? -inf : a[i]!;
    return out;
  };
  const isMip = model.stats.integers + model.stats.binaries > 0;
  const integrality = isMip ? Int32Array.from(model.colType, (t) => (t === 0 ? 0 : 1)) : undefined;
  const m = h.createModel({
    numCols: model.numCols,
    numRows: model.numRows,
    sense: model.objective.sense === 'maximize' ? h.constants.objectiveSense.maximize : h.constants.objectiveSense.minimize,
    offset: model.objOffset,
    colCost: model.colCost,
    colLower: clamp(model.colLower),
    colUpper: clamp(model.colUpper),
    rowLower: clamp(model.rowLower),
    rowUpper: clamp(model.rowUpper),
    matrix: { format: 'csr', numRows: model.numRows, numCols: model.numCols, starts: model.rowStart.slice(0, model.numRows + 1), indices: model.rowIndex, values: model.rowValue },
    ...(integrality ? { integrality } : {}),
    ...(model.hessian ? { hessian: { format: 'triangular', dimension: model.numCols, starts: model.hessian.start, indices: model.hessian.index, values: model.hessian.value } } : {}),
  });
  return { h, m };
}

export async function solveHighs(model: Model, opts: SolveOptions): Promise<SolverOutput> {
  const out = await solveOnce(model, opts, {});
  // HiGHS 1.15's feasibility-jump heuristic can return a point that its own final check rejects
  // ("MIP solver claims optimality, but with ... primal infeasibilities", ERGO-Code/HiGHS#2782):
  // the same MIP without that heuristic is solved correctly.
  if (out.status === 'error' && out.isMip) return solveOnce(model, opts, { mip_heuristic_run_feasibility_jump: false });
  return out;
}

async function solveOnce(model: Model, opts: SolveOptions, extra: Record<string, number | boolean | string>): Promise<SolverOutput> {
  const t0 = performance.now();
  const isMip = model.stats.integers + model.stats.binaries > 0;
  if (model.numCols === 0) {
    return { solver: 'highs', status: 'optimal', hasSolution: true, isMip, objective: model.objOffset, colValue: new Float64Array(0), rowValue: new Float64Array(model.numRows), rowDual: new Float64Array(model.numRows), seconds: 0 };
  }
  const { h, m } = await highsModel(model);
  try {
    const options: Record<string, number | boolean | string> = { output_flag: !!opts.verbose, log_to_console: false, ...extra };
    if (opts.timeLimit !== undefined) options['time_limit'] = opts.timeLimit;
    if (opts.gap !== undefined) options['mip_rel_gap'] = opts.gap;
    m.options.set(options as never);
    const log = opts.log ?? ((s: string) => process.stderr.write(s));
    const callbacks = opts.verbose ? { [h.constants.callbackType.logging]: (ev: { message?: string }) => { if (ev.message) log(ev.message); } } : undefined;
    m.run(callbacks as never);
    const st = m.getModelStatus();
    const S = h.constants.modelStatus;
    const primalStatus = Number(m.info.get('primal_solution_status'));
    const status: SolveStatus =
      st === S.optimal ? 'optimal'
      : st === S.infeasible ? 'infeasible'
      : st === S.unbounded ? 'unbounded'
      : st === S.unboundedOrInfeasible ? 'infeasible-or-unbounded'
      : st === S.timeLimit ? 'time-limit'
      : st === S.iterationLimit ? 'iteration-limit'
      : st === S.empty ? 'optimal'
      : 'error';
    // HiGHS keeps a primal feasible point when it proves unboundedness: that is no solution to
    // report. Only an optimum, or an incumbent at a limit, is one.
    const hasSolution = status === 'optimal' || ((status === 'time-limit' || status === 'iteration-limit') && primalStatus === 2);
    if (!hasSolution) return { solver: 'highs', status, hasSolution: false, isMip, seconds: (performance.now() - t0) / 1000, message: status === 'error' ? `HiGHS model status ${st}` : undefined };
    const sol = m.getSolution();
    const dualOk = !isMip && Number(m.info.get('dual_solution_status')) === 2;
    let mipGap: number | undefined;
    if (isMip) {
      try { mipGap = Number(m.info.get('mip_gap')); } catch { mipGap = undefined; }
    }
    return {
      solver: 'highs', status, hasSolution, isMip,
      objective: m.getObjectiveValue(),
      colValue: sol.colValue,
      rowValue: sol.rowValue,
      rowDual: dualOk ? sol.rowDual : undefined,
      colDual: dualOk ? sol.colDual : undefined,
      mipGap,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    m.dispose();
  }
}
