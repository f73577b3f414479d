// The sparse model handed to writers and solvers: columns with bounds and types, rows in CSR form
// with lower/upper bounds, a linear objective — and, for every row and column, the way back to
// the source (family name, index tuple, span, unit).
//
// Units and scaling: a column's value is the variable in its declared unit. A row is the user's
// constraint in canonical units multiplied by a power of ten chosen so that its coefficients sit
// near 1; `rowScale[i]` converts: emitted row = rowScale[i] * (row in its display unit). Likewise
// emitted objective = objScale * (objective in its declared unit). Duals in user units are
// therefore y * rowScale[i] / objScale.
import type { Unit } from '../check/units.js';
import type { Span } from '../diagnostics/diagnostic.js';
import type { Elem, EvSet, Indexed } from '../lower/values.js';
import type { LoweringRecord } from '../lower/lower.js';

export const COL_CONTINUOUS = 0;
export const COL_INTEGER = 1;
export const COL_BINARY = 2;

export interface ColFamily {
  /** Display name with instance prefix: `bess[b1].soc`. */
  readonly name: string;
  readonly first: number;
  readonly count: number;
  readonly unit: Unit;
  readonly type: 0 | 1 | 2;
  readonly span: Span;
  /** Decodes a column's offset in the family to its index tuple. */
  readonly index: Indexed;
  /** Auxiliary columns added by a reformulation (not reported as the model's variables). */
  readonly aux?: boolean;
  /** A recourse variable (decided after the uncertainty is revealed), and the scenario of this copy. */
  readonly recourse?: boolean;
  readonly scenario?: string;
}

export interface RowFamily {
  readonly name: string;
  readonly first: number;
  count: number;
  /** Auxiliary rows added by a reformulation of the source family named `name` without `~aux`. */
  readonly aux?: boolean;
  readonly unit: Unit;
  readonly span: Span;
  /** The sets the constraint's bindings ran over, and per row the position in each. */
  readonly sets: readonly EvSet[];
  readonly arities: readonly number[];
  keys: Int32Array;
  /** Index values row by row, used instead of `keys` when a binding's set varied between rows. */
  values?: Elem[];
}

export interface ObjectiveInfo {
  readonly name: string;
  readonly sense: 'minimize' | 'maximize';
  readonly unit?: Unit;
  readonly span?: Span;
}

/** Lower triangle of the objective's Hessian Q (objective = c'x + (1/2) x'Qx), compressed by column. */
export interface Hessian {
  readonly start: Int32Array;
  readonly index: Int32Array;
  readonly value: Float64Array;
}

export interface Model {
  readonly name: string;
  readonly objective: ObjectiveInfo;
  /** Quadratic part of the emitted (scaled) objective, for QPs. */
  readonly hessian?: Hessian;
  /** What the reformulations added, per source family (evg compile --explain). */
  readonly lowering: readonly LoweringRecord[];
  /** Bound on the error of a linearised objective (tangent cuts), in the objective's unit. */
  readonly objectiveError: number;
  readonly numCols: number;
  readonly colLower: Float64Array;
  readonly colUpper: Float64Array;
  readonly colType: Uint8Array;
  /** Objective coefficients of the emitted (scaled) objective. */
  readonly colCost: Float64Array;
  readonly objOffset: number;
  readonly objScale: number;
  readonly numRows: number;
  readonly rowStart: Int32Array;
  readonly rowIndex: Int32Array;
  readonly rowValue: Float64Array;
  readonly rowLower: Float64Array;
  readonly rowUpper: Float64Array;
  readonly rowScale: Float64Array;
  readonly colFamilies: readonly ColFamily[];
  readonly rowFamilies: readonly RowFamily[];
  readonly stats: ModelStats;
}

export interface ModelStats {
  readonly nonzeros: number;
  readonly integers: number;
  readonly binaries: number;
  /** Smallest and largest absolute coefficient of the emitted matrix. */
  readonly matrixRange: readonly [number, number];
  /** Rows holding the smallest and the largest matrix coefficient (-1 when the matrix is empty). */
  readonly matrixRangeRows: readonly [number, number];
  readonly objectiveRange: readonly [number, number];
  readonly boundsRange: readonly [number, number];
  readonly rhsRange: readonly [number, number];
  /** Rows dropped because they had no variables left and held trivially. */
  readonly trivialRows: number;
}

/** Binary search for the family containing an index. */
export function familyOf<F extends { first: number; count: number }>(families: readonly F[], i: number): F | undefined {
  let lo = 0, hi = families.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const f = families[mid]!;
    if (i < f.first) hi = mid - 1;
    else if (i >= f.first + f.count) lo = mid + 1;
    else return f;
  }
  return undefined;
}

export function colTuple(f: ColFamily, col: number): Elem[] {
  return f.index.tupleAt(col - f.first);
}

export function rowTuple(f: RowFamily, row: number): Elem[] {
  const nb = f.sets.length;
  const out: Elem[] = [];
  const k = row - f.first;
  if (f.values) {
    const ar = f.arities.reduce((a, b) => a + b, 0);
    return f.values.slice(k * ar, (k + 1) * ar);
  }
  for (let b = 0; b < nb; b++) {
    const S = f.sets[b]!;
    const p = f.keys[k * nb + b]!;
    for (let c = 0; c < f.arities[b]!; c++) out.push(S.at(p, c));
  }
  return out;
}
