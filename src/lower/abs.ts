// abs(a) of an affine expression a.
//
// Epigraph (where |a| only needs to be bounded from above: `abs(x - y) <= d`, or `+ c * abs(...)`
// with c > 0 in a minimisation), no binaries:
//
//     t >= a,  t >= -a                          and |a| is replaced by t
//
// Exact (where |a| must also be bounded from below: `abs(a) >= 1`, an equality), one binary z
// choosing the sign, with M = max(|lo|, |hi|) from the bounds of a:
//
//     a = p - n,  0 <= p <= M z,  0 <= n <= M (1 - z),  t = p + n
import { combine, emitRow, single, type Affine } from './aux.js';
import type { AtomContext } from './lower.js';

export function absEpigraph(ctx: AtomContext, a: Affine): Affine {
  const t = ctx.value(0, Infinity, 'abs');
  emitRow(ctx.sink, combine(1, t, -1, a), 0, Infinity, `${ctx.label}~abs+`);
  emitRow(ctx.sink, combine(1, t, 1, a), 0, Infinity, `${ctx.label}~abs-`);
  return t;
}

export function absExact(ctx: AtomContext, a: Affine): Affine {
  const [lo, hi] = ctx.finiteBounds([a], 'abs(...) that must be bounded from below needs a binary and a big-M');
  const M = Math.max(Math.abs(lo), Math.abs(hi));
  const p = ctx.value(0, M, 'abs.p');
  const n = ctx.value(0, M, 'abs.n');
  const z = single(ctx.binary('abs.z'));
  // a - p + n = 0
  emitRow(ctx.sink, combine(1, a, -1, combine(1, p, -1, n)), 0, 0, `${ctx.label}~abs.split`);
  // p <= M z, n <= M (1 - z)
  emitRow(ctx.sink, combine(1, p, -M, z), -Infinity, 0, `${ctx.label}~abs.p`);
  emitRow(ctx.sink, combine(1, n, M, z), -Infinity, M, `${ctx.label}~abs.n`);
  ctx.bigM(M, 'abs');
  return combine(1, p, 1, n);
}
