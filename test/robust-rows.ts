// Random robust rows and the LP harness shared by the box and budget counterpart tests
// (src/lower/robust-box.test.ts, src/lower/robust-budget.test.ts).
import { expect } from 'vitest';
import { affine, combine, constant, type Affine } from '../src/lower/aux.js';
import { TestLp } from './lp-sink.js';
import { int } from './random.js';

/** One robust row: a0 + sum_k xi_k a_k <= 0, xi_k in [xbar_k - d_k, xbar_k + d_k]. */
export interface RobustRow { a0: Affine; a: Affine[]; xbar: number[]; d: number[] }

export function randomRows(u: () => number, n: number, K: number, m: number): RobustRow[] {
  const aff = (lo: number, hi: number, clo: number, chi: number) => affine(Array.from({ length: n }, (_, j) => j), Array.from({ length: n }, () => int(u, lo, hi)), int(u, clo, chi));
  return Array.from({ length: m }, () => ({
    a0: aff(-3, 3, -8, -1),
    a: Array.from({ length: K }, () => (u() < 0.15 ? constant(int(u, -2, 2)) : aff(-3, 3, -2, 2))),
    xbar: Array.from({ length: K }, () => int(u, -2, 2)),
    d: Array.from({ length: K }, () => (u() < 0.15 ? 0 : int(u, 1, 6) / 2)),
  }));
}

export const nominalOf = (r: RobustRow): Affine => r.a.reduce((acc, ak, k) => combine(1, acc, r.xbar[k]!, ak), r.a0);
export const devOf = (r: RobustRow): Affine[] => r.a.map((ak, k) => combine(r.d[k]!, ak, 0, constant(0)));

/** The row at one xi = xbar + d zeta. */
export const rowAt = (r: RobustRow, zeta: readonly number[]): Affine => r.a.reduce((acc, ak, k) => combine(1, acc, r.xbar[k]! + r.d[k]! * zeta[k]!, ak), r.a0);

export function boxVertices(K: number): number[][] {
  return Array.from({ length: 1 << K }, (_, m) => Array.from({ length: K }, (_, k) => (m & (1 << k) ? 1 : -1)));
}

export async function lpOptimum(n: number, B: number, c: readonly number[], build: (lp: TestLp) => void): Promise<{ obj: number; cols: number }> {
  const lp = new TestLp();
  for (let j = 0; j < n; j++) lp.column(-B, B, 0, `x${j}`);
  build(lp);
  const sol = await lp.solve(Object.fromEntries(c.map((v, j) => [j, v])));
  if (sol.status === 'infeasible') return { obj: Infinity, cols: lp.lower.length - n };
  expect(sol.status).toBe('optimal');
  return { obj: sol.objective, cols: lp.lower.length - n };
}
