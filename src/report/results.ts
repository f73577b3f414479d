// Solver output in the model's own terms: objective and cost terms in their declared units,
// variables by source name in their declared units, duals of LPs in objective-unit per
// constraint-unit (a bus balance's dual is a nodal price in $/MWh, for example).
import { div } from '../check/units.js';
import type { Model } from '../ir/model.js';
import { recipeValue, verify, type Verification } from './verify.js';
import type { SourceModel } from '../ir/source.js';
import type { SolverOutput } from '../solve/types.js';

export interface CostValue {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

export interface Results {
  readonly status: SolverOutput['status'];
  readonly solver: string;
  readonly isMip: boolean;
  readonly hasSolution: boolean;
  readonly objective?: { readonly name: string; readonly value: number; readonly unit: string; readonly sense: string };
  /** Column values in declared units (the columns are in declared units already). */
  readonly x?: Float64Array;
  /** Row duals in display units, LPs only. */
  readonly duals?: Float64Array;
  /** Row activities in the row's display unit. */
  readonly activity?: Float64Array;
  readonly costs: readonly CostValue[];
  readonly mipGap?: number;
  readonly solveSeconds: number;
  readonly message?: string;
  /** The user's constraints and objective evaluated at the solution, as written. */
  readonly verification?: Verification;
}

/**
 * What the reports read of a compiled model: a Compilation (driver.ts), or what `evg run` rebuilds
 * from a compiled bundle or a plain LP/MPS file (src/bundle).
 */
export interface ModelView {
  readonly elaboration?: { readonly model: Model };
  readonly source?: () => SourceModel;
  readonly times: Readonly<Record<string, number>>;
  readonly main: string;
}

export function dualUnitText(model: Model, rowUnit: { text: string; dims: readonly number[]; factor: number }): string {
  const obj = model.objective.unit;
  if (!obj) return `1/${rowUnit.text}`;
  return div(obj, rowUnit as never).text;
}

export function interpret(comp: ModelView, out: SolverOutput): Results {
  const model = comp.elaboration!.model;
  const base = { status: out.status, solver: out.solver, isMip: out.isMip, hasSolution: out.hasSolution, mipGap: out.mipGap, solveSeconds: out.seconds, message: out.message };
  // An infeasible or unbounded model has no solution to report, whatever point a solver kept.
  const proven = out.status === 'infeasible' || out.status === 'unbounded' || out.status === 'infeasible-or-unbounded';
  if (!out.hasSolution || !out.colValue || proven) return { ...base, hasSolution: false, costs: [] };
  const x = out.colValue;
  // Integer columns come back within the solver's integrality tolerance; report them exactly.
  for (let j = 0; j < model.numCols; j++) if (model.colType[j] !== 0) x[j] = Math.round(x[j]!);
  const objValue = (out.objective ?? 0) / model.objScale;
  let duals: Float64Array | undefined;
  if (out.rowDual) {
    duals = new Float64Array(model.numRows);
    for (let i = 0; i < model.numRows; i++) duals[i] = clean((out.rowDual[i]! * model.rowScale[i]!) / model.objScale);
  }
  let activity: Float64Array | undefined;
  if (out.rowValue) {
    activity = new Float64Array(model.numRows);
    for (let i = 0; i < model.numRows; i++) activity[i] = clean(out.rowValue[i]! / model.rowScale[i]!);
  }
  return {
    ...base,
    objective: { name: model.objective.name, value: clean(objValue), unit: unitLabel(model.objective.unit?.text), sense: model.objective.sense },
    x,
    duals,
    activity,
    costs: costValues(comp.source!(), x),
    verification: verify(model, comp.source!(), x),
  };
}

/** Values of every `cost` term (model and instances) at a solution, as written (squares exactly). */
export function costValues(source: SourceModel, x: Float64Array): CostValue[] {
  return source.costs.map((c) => ({ name: c.name, value: clean(recipeValue(c.recipe, x) / c.unit.factor), unit: unitLabel(c.unit.text) }));
}

/** A unit as printed after a value: nothing for a plain number. */
export function unitLabel(text: string | undefined): string {
  return !text || text === '1' ? '' : text;
}

/** Removes solver noise that would print as -0 or 1e-17. */
export function clean(v: number): number {
  if (Math.abs(v) < 1e-11) return 0;
  return v;
}
