// The worst case over a finite set of scenarios: max_s h_s(x) by its epigraph.
//
// Source:  max_s h_s(x), s = 1..S, each h_s affine (a cost per scenario, or a row's left side
//          under each scenario of a finite uncertainty set).
// Target:  tau >= h_s for every s; the value is tau (returned as an Affine).
//
// Why: tau is an upper bound of every h_s, and any upper bound is allowed, so the returned value
// is max_s h_s only where it is pushed down: minimised (min-max: the robust counterpart over the
// scenarios), or on the small side of `<=`. There "tau <= b" with the rows holds iff
// max_s h_s <= b, i.e. iff h_s <= b in every scenario. Unlike the other reformulations here the
// caller uses the result as a value (the objective, or the left side of its own row), not as a
// U <= 0 row; maximising it is unbounded, which is the caller's to prevent.
//
// Scenarios whose h_s is a constant need no row: the largest of them is tau's lower bound.
// A single scenario is its own maximum (no column).
import { combine, constant, emitRow, single, type Affine, type AuxSink } from './aux.js';
import { isConstant } from './robust-box.js';

export function worstCase(sink: AuxSink, h: readonly Affine[], label: string): Affine {
  if (h.length === 0) throw new RangeError(`${label}: the worst case of no scenarios`);
  if (h.length === 1) return h[0]!;
  const varying = h.map((e, s) => ({ e, s })).filter(({ e }) => !isConstant(e));
  const floor = Math.max(-Infinity, ...h.filter(isConstant).map((e) => e.c));
  if (varying.length === 0) return constant(floor);
  const tau = single(sink.column(floor, Infinity, 0, `${label}~worst.tau`));
  // tau - h_s >= 0
  for (const { e, s } of varying) emitRow(sink, combine(1, tau, -1, e), 0, Infinity, `${label}~worst.${s}`);
  return tau;
}
