// Box robust counterpart against vertex enumeration: a row that is affine in xi holds on the whole
// box iff it holds at its 2^K vertices, so "the nominal row at every vertex" is an LP with the same
// feasible set; random small instances must give the same optimum.
import { describe, expect, it } from 'vitest';
import { affine, combine, constant, emitRow, type Affine } from './aux.js';
import { robustBox } from './robust-box.js';
import { TestLp } from '../../test/lp-sink.js';
import { rng, int } from '../../test/random.js';


/** One robust row: a0 + sum_k xi_k a_k <= 0, xi_k in [xbar_k - d_k, xbar_k + d_k]. */
interface RobustRow { a0: Affine; a: Affine[]; xbar: number[]; d: number[] }

function randomRows(u: () => number, n: number, K: number, m: number): RobustRow[] {
  const aff = (lo: number, hi: number, clo: number, chi: number) => affine(Array.from({ length: n }, (_, j) => j), Array.from({ length: n }, () => int(u, lo, hi)), int(u, clo, chi));
  return Array.from({ length: m }, () => ({
    a0: aff(-3, 3, -8, -1),
    a: Array.from({ length: K }, () => (u() < 0.15 ? constant(int(u, -2, 2)) : aff(-3, 3, -2, 2))),
    xbar: Array.from({ length: K }, () => int(u, -2, 2)),
    d: Array.from({ length: K }, () => (u() < 0.15 ? 0 : int(u, 1, 6) / 2)),
  }));
}

const nominalOf = (r: RobustRow): Affine => r.a.reduce((acc, ak, k) => combine(1, acc, r.xbar[k]!, ak), r.a0);
const devOf = (r: RobustRow): Affine[] => r.a.map((ak, k) => combine(r.d[k]!, ak, 0, constant(0)));

/** The row at one xi = xbar + d zeta. */
const rowAt = (r: RobustRow, zeta: readonly number[]): Affine => r.a.reduce((acc, ak, k) => combine(1, acc, r.xbar[k]! + r.d[k]! * zeta[k]!, ak), r.a0);

function boxVertices(K: number): number[][] {
  return Array.from({ length: 1 << K }, (_, m) => Array.from({ length: K }, (_, k) => (m & (1 << k) ? 1 : -1)));
}

async function lpOptimum(n: number, B: number, c: readonly number[], build: (lp: TestLp) => void): Promise<{ obj: number; cols: number }> {
  const lp = new TestLp();
  for (let j = 0; j < n; j++) lp.column(-B, B, 0, `x${j}`);
  build(lp);
  const sol = await lp.solve(Object.fromEntries(c.map((v, j) => [j, v])));
  if (sol.status === 'infeasible') return { obj: Infinity, cols: lp.lower.length - n };
  expect(sol.status).toBe('optimal');
  return { obj: sol.objective, cols: lp.lower.length - n };
}

describe('box robust counterpart', () => {
  it('random instances against the 2^K vertices of the box', async () => {
    let feasible = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const u = rng(seed);
      const n = int(u, 1, 3), K = int(u, 2, 4), m = int(u, 1, 3), B = int(u, 1, 4);
      const c = Array.from({ length: n }, () => int(u, -5, 5) || 1);
      const rows = randomRows(u, n, K, m);
      const robust = await lpOptimum(n, B, c, (lp) => rows.forEach((r, i) => emitRow(lp, robustBox(lp, nominalOf(r), devOf(r), `r${i}`), -Infinity, 0, `r${i}`)));
      const verts = await lpOptimum(n, B, c, (lp) => rows.forEach((r, i) => boxVertices(K).forEach((z, v) => emitRow(lp, rowAt(r, z), -Infinity, 0, `r${i}v${v}`))));
      if (verts.obj < Infinity) feasible++;
      if (verts.obj === Infinity) expect(robust.obj, `seed ${seed}`).toBe(Infinity);
      else expect(robust.obj, `seed ${seed}`).toBeCloseTo(verts.obj, 7);
    }
    expect(feasible).toBeGreaterThan(25);
  });

  it('a constant deviation needs no column; a zero one adds nothing', () => {
    const lp = new TestLp();
    const x = lp.column(0, 1, 0, 'x');
    const U = robustBox(lp, affine([x], [1], -2), [constant(-1.5), constant(0), affine([x], [2], 0)], 'r');
    expect(lp.lower.length).toBe(2); // x and one y
    expect(U.c).toBe(-0.5);
    expect(lp.rows.length).toBe(2);
  });
});
