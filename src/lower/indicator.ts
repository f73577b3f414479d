// Implications on binary variables: `if l_1 and ... and l_m then lo <= e <= hi`, each literal l_i
// a binary variable z_i or its negation (1 - z_i), e affine. (Start-up logic, minimum output when
// on, mutually exclusive modes.)
//
// With s = sum_i (1 - l_i), which is 0 exactly when every literal holds, and M_hi = max(e) - hi,
// M_lo = lo - min(e) from the bounds of e's variables (big-M, never below 0):
//
//     e <= hi + M_hi s,      e >= lo - M_lo s
//
// When a literal fails, s >= 1 and both rows are implied by the bounds. Substituting s:
//     e + M_hi sum_{z plain} z_i - M_hi sum_{z negated} z_i <= hi + M_hi * #plain
// and the mirror image for the lower row. A needed M that is infinite (a variable of e without a
// finite bound on that side) is an error naming the variable: the big-M needs it.
import { combine, type Affine } from './aux.js';

export interface Literal {
  readonly col: number;
  readonly negated: boolean;
}

export interface ImplicationRow {
  readonly row: Affine;
  readonly lo: number;
  readonly hi: number;
  readonly M: number;
}

/** The big-M rows for `literals => lo <= e <= hi`; `bounds` are min(e) and max(e) over the variables' box. */
export function implicationRows(e: Affine, lo: number, hi: number, literals: readonly Literal[], bounds: readonly [number, number]): ImplicationRow[] {
  const out: ImplicationRow[] = [];
  const plain = literals.filter((l) => !l.negated).length;
  const zs = (M: number, sign: number): Affine => ({
    cols: literals.map((l) => l.col),
    vals: literals.map((l) => sign * (l.negated ? -M : M)),
    c: 0,
  });
  if (hi !== Infinity) {
    const M = Math.max(0, bounds[1] - hi);
    out.push({ row: combine(1, e, 1, zs(M, 1)), lo: -Infinity, hi: hi + M * plain, M });
  }
  if (lo !== -Infinity) {
    const M = Math.max(0, lo - bounds[0]);
    out.push({ row: combine(1, e, 1, zs(M, -1)), lo: lo - M * plain, hi: Infinity, M });
  }
  return out;
}
