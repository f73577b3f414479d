// pwl(x, X, Y): the piecewise-linear function through (X_0, Y_0), ..., (X_n, Y_n), X increasing,
// defined on [X_0, X_n], with x affine. Slopes s_i = (Y_{i+1} - Y_i) / (X_{i+1} - X_i).
//
// Convex (slopes never decrease) where it only needs to be bounded from above, or concave where
// it only needs to be bounded from below: the epigraph (hypograph) of its pieces, no binaries:
//
//     t >= Y_i + s_i (x - X_i)   (t <= ... for concave),  i = 0..n-1;   X_0 <= x <= X_n
//
// Otherwise the exact convex-combination (SOS2) form, since HiGHS has no SOS constraints: weights
// l_0..l_n in [0, 1] and one binary z_i per segment,
//
//     sum l = 1,  x = sum l_i X_i,  t = sum l_i Y_i,  sum z = 1,
//     l_0 <= z_0,  l_i <= z_{i-1} + z_i,  l_n <= z_{n-1}
//
// so that only the two weights of the chosen segment can be positive.
import { combine, emitRow, type Affine } from './aux.js';
import type { AtomContext } from './lower.js';
import type { PwlData } from './atoms.js';

function domainRows(ctx: AtomContext, x: Affine, d: PwlData): void {
  emitRow(ctx.sink, x, d.xs[0]!, d.xs[d.xs.length - 1]!, `${ctx.label}~pwl.dom`);
}

/** Epigraph (convex) or hypograph (concave) of the pieces. */
export function pwlPieces(ctx: AtomContext, x: Affine, d: PwlData, side: 'epigraph' | 'hypograph'): Affine {
  const t = ctx.value(-Infinity, Infinity, 'pwl');
  for (let i = 0; i + 1 < d.xs.length; i++) {
    const s = (d.ys[i + 1]! - d.ys[i]!) / (d.xs[i + 1]! - d.xs[i]!);
    // t - s x  >=  Y_i - s X_i   (<= for the hypograph)
    const rhs = d.ys[i]! - s * d.xs[i]!;
    emitRow(ctx.sink, combine(1, t, -s, x), side === 'epigraph' ? rhs : -Infinity, side === 'epigraph' ? Infinity : rhs, `${ctx.label}~pwl${i + 1}`);
  }
  domainRows(ctx, x, d);
  return t;
}

/** The exact SOS2-equivalent mixed-integer form. */
export function pwlExact(ctx: AtomContext, x: Affine, d: PwlData): Affine {
  const n = d.xs.length;
  const l: number[] = [], z: number[] = [];
  for (let i = 0; i < n; i++) l.push(ctx.plain(0, 1, `pwl.w${i}`));
  for (let i = 0; i + 1 < n; i++) z.push(ctx.binary(`pwl.z${i + 1}`));
  const ones = (k: number) => new Array<number>(k).fill(1);
  ctx.sink.row(l, ones(n), 1, 1, `${ctx.label}~pwl.w`);
  ctx.sink.row(z, ones(n - 1), 1, 1, `${ctx.label}~pwl.z`);
  // x - sum l_i X_i = 0
  emitRow(ctx.sink, combine(1, x, -1, { cols: l, vals: Array.from(d.xs), c: 0 }), 0, 0, `${ctx.label}~pwl.x`);
  for (let i = 0; i < n; i++) {
    const near = [i - 1, i].filter((k) => k >= 0 && k < n - 1).map((k) => z[k]!);
    ctx.sink.row([l[i]!, ...near], [1, ...near.map(() => -1)], -Infinity, 0, `${ctx.label}~pwl.adj${i}`);
  }
  return { cols: l, vals: Array.from(d.ys), c: 0 };
}
