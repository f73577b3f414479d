// Robust counterpart of a row whose uncertain coefficients range over a box.
//
// Source:  a0(x) + sum_k xi_k a_k(x) <= 0  for every xi_k in [xbar_k - d_k, xbar_k + d_k], k = 1..K.
// Input:   nominal = a0 + sum_k xbar_k a_k, dev_k = d_k a_k (both affine in the columns).
// Target:  U = nominal + sum_k y_k,  y_k >= dev_k,  y_k >= -dev_k   (the caller adds U <= 0)
//
// Why: with xi_k = xbar_k + d_k zeta_k, zeta_k in [-1, 1], the row is nominal + sum_k zeta_k dev_k,
// and the coordinates are independent, so its maximum over the box is nominal + sum_k |dev_k|
// (zeta_k = sign(dev_k): a vertex of the box). U is increasing in every y_k and y_k >= |dev_k| is
// the epigraph of |dev_k|, so U <= 0 for some y iff it holds with y_k = |dev_k|, i.e. iff the row
// holds for every xi in the box.
//
// A dev_k that is a constant adds |dev_k| to U's constant (no column); one that is identically
// zero adds nothing. The result can be passed as the nominal of another robust counterpart
// (robust-budget.ts, robustBox again): separate uncertainty sets add up.
import { combine, constant, emitRow, single, type Affine, type AuxSink } from './aux.js';

export const isConstant = (a: Affine): boolean => a.vals.every((v) => v === 0);

export function robustBox(sink: AuxSink, nominal: Affine, dev: readonly Affine[], label: string): Affine {
  let U = nominal;
  dev.forEach((d, k) => {
    if (isConstant(d)) { if (d.c !== 0) U = combine(1, U, 1, constant(Math.abs(d.c))); return; }
    const y = single(sink.column(0, Infinity, 0, `${label}~box.y${k}`));
    emitRow(sink, combine(1, y, -1, d), 0, Infinity, `${label}~box.${k}+`);
    emitRow(sink, combine(1, y, 1, d), 0, Infinity, `${label}~box.${k}-`);
    U = combine(1, U, 1, y);
  });
  return U;
}
