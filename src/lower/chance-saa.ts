// Chance constraint by the sample average approximation with one binary per sample.
//
// Source:  P[ r(x, xi) <= 0 ] >= 1 - eps, xi given by samples s = 1..S with probabilities p_s
//          (sum 1, not necessarily equal), r_s(x) = r(x, xi_s) affine in the columns.
// Target:  z_s binary, "z_s = 0 forces the sample to be satisfied":
//
//     r_s <= M_s z_s                  M_s = max of r_s over the columns' bounds (boundsOf)
//     U = sum_s p_s z_s - eps - TOL   (the caller adds U <= 0)
//
// Why: with z_s = 1 exactly on the violated samples, sum_s p_s z_s is the probability of violation
// under the empirical distribution; z_s = 0 makes r_s <= 0 binding, z_s = 1 makes the row implied
// by the bounds (it is where M_s comes from, so M_s must be finite: otherwise ChanceError, naming
// the sample and the columns without the needed bound).
//
// Tolerance. The allowed violation patterns are the sets V with p(V) = sum_{s in V} p_s <= eps,
// and the boundary case p(V) = eps is the usual one: equal probabilities 1/S with eps S integral
// ("at most eps S of the S samples may fail"). In floating point that boundary is lost to rounding:
// with S = 10, eps = 0.3, 0.1 + 0.1 + 0.1 = 0.30000000000000004 > 0.3, and an exact comparison
// would quietly solve the eps = 0.2 problem. A sum of at most S rounded probabilities, each <= 1,
// is off by less than S * 2^-52 ~ 2.2e-16 S, so TOL = 1e-9 covers every boundary case for S up
// to millions, while a set whose probability exceeds eps by less than 1e-9 (which is the only thing
// the tolerance lets through) is a change of the risk level far below any sampling error
// (~1 / sqrt(S)). The solver's own feasibility tolerance applies on top of this; TOL makes the
// intended answer independent of it. The same TOL is used for the shortcuts below.
//
// Shortcuts (each keeps the model equivalent):
// - p_s = 0: the sample cannot change the probability; nothing is emitted.
// - r_s <= 0 on the whole box (max <= 0): always satisfied, no binary.
// - r_s > 0 on the whole box (min > 0): always violated, z_s = 1 fixed (p_s moves into U's constant,
//   no column, no big-M needed even when M_s would be infinite).
// - p_s > eps + TOL: the sample can never be among the violated ones, so r_s <= 0 is emitted as a
//   plain row (no binary, no big-M).
import { boundsOf, combine, constant, emitRow, single, type Affine, type AuxSink } from './aux.js';

/** Tolerance on probabilities (see the header). */
export const PROB_TOL = 1e-9;

/** A sample whose big-M is infinite: `columns` lack the bound that M_s needs. */
export class ChanceError extends Error {
  constructor(
    message: string,
    /** The sample (0-based) whose r_s has no finite maximum over the bounds. */
    readonly sample: number,
    /** Columns of r_s without a finite upper (positive coefficient) or lower (negative coefficient) bound. */
    readonly columns: readonly number[],
    readonly label: string,
  ) {
    super(message);
    this.name = 'ChanceError';
  }
}

/** Checks the samples of a chance constraint (shared by chance-cvar.ts and chance-moment.ts). */
export function checkChance(r: readonly Affine[], p: readonly number[], eps: number, epsZero: boolean, label: string): void {
  if (r.length !== p.length) throw new RangeError(`${label}: ${r.length} sample values but ${p.length} probabilities`);
  if (r.length === 0) throw new RangeError(`${label}: a chance constraint needs at least one sample`);
  let sum = 0;
  for (const [s, q] of p.entries()) {
    if (!(q >= 0) || !Number.isFinite(q)) throw new RangeError(`${label}: the probability of sample ${s} is ${q}`);
    sum += q;
  }
  if (Math.abs(sum - 1) > 1e-6) throw new RangeError(`${label}: the probabilities sum to ${sum}, not 1`);
  if (!((epsZero ? eps >= 0 : eps > 0) && eps < 1)) throw new RangeError(`${label}: the risk level must be in ${epsZero ? '[0, 1)' : '(0, 1)'}, not ${eps}`);
}

export function chanceSaa(
  sink: AuxSink, r: readonly Affine[], p: readonly number[], eps: number,
  bounds: { lower: ArrayLike<number>; upper: ArrayLike<number> }, label: string,
): { U: Affine; binaries: number; bigM: number } {
  checkChance(r, p, eps, true, label);
  let U = constant(-eps - PROB_TOL);
  let binaries = 0, bigM = 0;
  r.forEach((rs, s) => {
    const ps = p[s]!;
    if (ps === 0) return;
    const [lo, hi] = boundsOf(rs, bounds.lower, bounds.upper);
    if (lo > 0) { U = combine(1, U, 1, constant(ps)); return; }
    if (hi <= 0) return;
    if (ps > eps + PROB_TOL) { emitRow(sink, rs, -Infinity, 0, `${label}~saa.must${s}`); return; }
    if (hi === Infinity) {
      const columns = rs.cols.filter((j, k) => {
        const v = rs.vals[k]!;
        return (v > 0 && !Number.isFinite(bounds.upper[j]!)) || (v < 0 && !Number.isFinite(bounds.lower[j]!));
      });
      throw new ChanceError(
        `${label}: sample ${s} of the chance constraint has no finite maximum over the variables' bounds, which its big-M needs (columns ${columns.join(', ')} lack a bound)`,
        s, columns, label);
    }
    const z = sink.column(0, 1, 2, `${label}~saa.z${s}`);
    binaries++;
    bigM = Math.max(bigM, hi);
    // r_s - M_s z_s <= 0
    emitRow(sink, combine(1, rs, -hi, single(z)), -Infinity, 0, `${label}~saa.${s}`);
    U = combine(1, U, ps, single(z));
  });
  return { U, binaries, bigM };
}
