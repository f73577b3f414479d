// max(a_1, ..., a_n) and min(a_1, ..., a_n) of affine expressions (also `pos(a)` = max(a, 0)
// and the reductions `max(i in I) a_i`).
//
// Epigraph of max (where it only needs to be bounded from above), no binaries:
//
//     t >= a_i  for every i                      and max(...) is replaced by t
//
// Exact (where it must also be bounded from below), one binary z_i per argument selecting the
// largest, with U = max_i hi_i and M_i = U - lo_i from the arguments' bounds:
//
//     t >= a_i,  t <= a_i + M_i (1 - z_i),  sum_i z_i = 1
//
// min(a) = -max(-a): its hypograph (t <= a_i) where it only needs a lower bound, the exact form
// otherwise.
import { combine, constant, emitRow, single, type Affine } from './aux.js';
import type { AtomContext } from './lower.js';

const neg = (a: Affine): Affine => combine(-1, a, 0, constant(0));

export function maxEpigraph(ctx: AtomContext, args: readonly Affine[]): Affine {
  const t = ctx.value(-Infinity, Infinity, 'max');
  args.forEach((a, i) => emitRow(ctx.sink, combine(1, t, -1, a), 0, Infinity, `${ctx.label}~max${i + 1}`));
  return t;
}

export function maxExact(ctx: AtomContext, args: readonly Affine[]): Affine {
  const bounds = args.map((a) => ctx.finiteBounds([a], 'max(...) or min(...) on the side that needs a binary per argument'));
  const U = Math.max(...bounds.map((b) => b[1]));
  const t = ctx.value(Math.max(...bounds.map((b) => b[0])), U, 'max');
  const zs: number[] = [];
  args.forEach((a, i) => {
    const M = U - bounds[i]![0];
    const z = ctx.binary(`max.z${i + 1}`);
    zs.push(z);
    emitRow(ctx.sink, combine(1, t, -1, a), 0, Infinity, `${ctx.label}~max${i + 1}`);
    // t - a_i + M z_i <= M
    emitRow(ctx.sink, combine(1, combine(1, t, -1, a), M, single(z)), -Infinity, M, `${ctx.label}~max${i + 1}.sel`);
    ctx.bigM(M, 'max');
  });
  ctx.sink.row(zs, zs.map(() => 1), 1, 1, `${ctx.label}~max.one`);
  return t;
}

export function minHypograph(ctx: AtomContext, args: readonly Affine[]): Affine {
  return neg(maxEpigraph(ctx, args.map(neg)));
}

export function minExact(ctx: AtomContext, args: readonly Affine[]): Affine {
  return neg(maxExact(ctx, args.map(neg)));
}
