// Robust counterpart of a row over a budget uncertainty set (Bertsimas and Sim 2004).
//
// Source:  a0(x) + sum_k xi_k a_k(x) <= 0 for every xi_k = xbar_k + d_k zeta_k with
//          |zeta_k| <= 1 and sum_k |zeta_k| <= gamma: at most gamma coefficients deviate, the
//          last one fractionally.
// Input:   nominal = a0 + sum_k xbar_k a_k, dev_k = d_k a_k, gamma >= 0.
// Target:  U = nominal + gamma pi + sum_k mu_k                (the caller adds U <= 0)
//          pi + mu_k >= y_k,  y_k >= dev_k,  y_k >= -dev_k,  pi >= 0, mu_k >= 0
//
// Derivation. The row is nominal + sum_k zeta_k dev_k; choosing the sign of zeta_k to match dev_k,
// its maximum over the set is nominal + beta(|dev|) with
//
//     beta(y) = max { sum_k y_k w_k : sum_k w_k <= gamma, 0 <= w_k <= 1 }     (w_k = |zeta_k|)
//
// an LP that is feasible (w = 0) and bounded, so by strong duality (pi for the budget row, mu_k
// for w_k <= 1) it equals
//
//     beta(y) = min { gamma pi + sum_k mu_k : pi + mu_k >= y_k, pi >= 0, mu_k >= 0 }.
//
// Hence "nominal + beta(|dev|) <= 0" iff some pi, mu satisfy the rows with y = |dev|. Finally
// beta is nondecreasing in each y_k, so y_k may be any upper bound of |dev_k| (the two rows
// y_k >= +-dev_k): a feasible y only makes U larger, and y = |dev| is allowed.
//
// Special cases: gamma = 0 is the nominal row; gamma >= K (the number of dev_k that are not
// identically zero) makes the budget row redundant, which is the box (robust-box.ts, fewer columns).
// A constant dev_k still competes for the budget: its y_k is the number |dev_k| (no y column, still
// a mu_k). An identically zero dev_k is dropped.
//
// Composition: U has the form "nominal + something"; passing it as the nominal of another call
// adds the other group's worst case with its own budget (the sets are independent, so the worst
// case over their product is the sum of the two maxima, and the two minimisations share nothing).
import { combine, constant, emitRow, single, type Affine, type AuxSink } from './aux.js';
import { isConstant, robustBox } from './robust-box.js';

export function robustBudget(sink: AuxSink, nominal: Affine, dev: readonly Affine[], gamma: number, label: string): Affine {
  if (!(gamma >= 0)) throw new RangeError(`${label}: the budget must be at least 0, not ${gamma}`);
  const live = dev.map((d, k) => ({ d, k })).filter(({ d }) => !(isConstant(d) && d.c === 0));
  if (gamma === 0 || live.length === 0) return nominal;
  if (gamma >= live.length) return robustBox(sink, nominal, live.map(({ d }) => d), label);
  const pi = single(sink.column(0, Infinity, 0, `${label}~budget.pi`));
  let U = combine(1, nominal, gamma, pi);
  for (const { d, k } of live) {
    let y: Affine;
    if (isConstant(d)) y = constant(Math.abs(d.c));
    else {
      y = single(sink.column(0, Infinity, 0, `${label}~budget.y${k}`));
      emitRow(sink, combine(1, y, -1, d), 0, Infinity, `${label}~budget.y${k}+`);
      emitRow(sink, combine(1, y, 1, d), 0, Infinity, `${label}~budget.y${k}-`);
    }
    const mu = single(sink.column(0, Infinity, 0, `${label}~budget.mu${k}`));
    // pi + mu_k - y_k >= 0
    emitRow(sink, combine(1, combine(1, pi, 1, mu), -1, y), 0, Infinity, `${label}~budget.${k}`);
    U = combine(1, U, 1, mu);
  }
  return U;
}
