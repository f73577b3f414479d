// Chance constraint by its CVaR approximation (Rockafellar and Uryasev 2000; Nemirovski and
// Shapiro 2006): convex, no binaries, conservative.
//
// Source:  P[ r(x, xi) <= 0 ] >= 1 - eps over samples r_s(x) with probabilities p_s.
// Target:  CVaR_eps(r) <= 0, where
//
//     CVaR_eps(r) = min_t  t + (1/eps) E[(r - t)^+]
//
// is the mean of the worst eps tail of r (for a discrete distribution: the top eps of the
// probability mass, the last atom fractionally). As rows, with t free and u_s >= 0:
//
//     u_s >= r_s - t,   U = t + (1/eps) sum_s p_s u_s      (the caller adds U <= 0)
//
// U <= 0 with some t, u iff CVaR_eps(r) <= 0 (the minimum over t is attained, and each u_s is
// pushed down to (r_s - t)^+ without changing feasibility). Why it is conservative: VaR_eps(r)
// <= CVaR_eps(r), so CVaR <= 0 gives P[r > 0] <= eps under the samples' distribution; every point
// feasible here is feasible for chance-saa.ts, and the optimum here is never better. For equal
// probabilities 1/N this is math.md's t + (1/(eps N)) sum_s max(0, r_s - t) <= 0.
// Samples of probability 0 add nothing and are skipped.
import { combine, emitRow, single, type Affine, type AuxSink } from './aux.js';
import { checkChance } from './chance-saa.js';

export function chanceCvar(sink: AuxSink, r: readonly Affine[], p: readonly number[], eps: number, label: string): Affine {
  checkChance(r, p, eps, false, label);
  const t = single(sink.column(-Infinity, Infinity, 0, `${label}~cvar.t`));
  let U = t;
  r.forEach((rs, s) => {
    const ps = p[s]!;
    if (ps === 0) return;
    const u = single(sink.column(0, Infinity, 0, `${label}~cvar.u${s}`));
    // u_s - r_s + t >= 0
    emitRow(sink, combine(1, combine(1, u, -1, rs), 1, t), 0, Infinity, `${label}~cvar.${s}`);
    U = combine(1, U, ps / eps, u);
  });
  return U;
}
