// Independent references for the DRO reformulation tests (src/lower/dro-*.test.ts): the LP
// solved directly, and worst cases over the probability simplex found by 1-D searches and grids
// that share nothing with the reformulations.
import { expect } from 'vitest';
import type { Affine } from '../src/lower/aux.js';
import type { TestLp } from './lp-sink.js';

/** A divergence D(p, q) between probability vectors. */
export type Divergence = (p: readonly number[], q: readonly number[]) => number;

export const dot = (p: readonly number[], h: readonly number[]): number => p.reduce((a, ps, s) => a + ps * h[s]!, 0);

/** min U over the sink's rows; returns the value (with U's constant) and the point. */
export async function minimise(lp: TestLp, U: Affine): Promise<{ value: number; x: Float64Array }> {
  if (lp.lower.length === 0) return { value: U.c, x: new Float64Array(0) };
  const cost: Record<number, number> = {};
  U.cols.forEach((j, k) => { cost[j] = (cost[j] ?? 0) + U.vals[k]!; });
  const r = await lp.solve(cost);
  expect(r.status).toBe('optimal');
  return { value: r.objective + U.c, x: r.x };
}

/** argmin of a convex function on [lo, hi] by golden sections. */
export function argminConvex(f: (x: number) => number, lo: number, hi: number): number {
  const r = (Math.sqrt(5) - 1) / 2;
  let a = lo, b = hi;
  for (let k = 0; k < 120; k++) {
    const c = b - r * (b - a), d = a + r * (b - a);
    if (f(c) <= f(d)) b = d; else a = c;
  }
  return (a + b) / 2;
}

/** The end of {x in [from, to] : f(x) <= rho} on the side of `to`, f convex with f(from) <= rho. */
export function edge(f: (x: number) => number, rho: number, from: number, to: number): number {
  if (f(to) <= rho) return to;
  let a = from, b = to;
  for (let k = 0; k < 120; k++) { const m = (a + b) / 2; if (f(m) <= rho) a = m; else b = m; }
  return a;
}

/**
 * max p.h over 3 outcomes with D(p, q) <= rho, by nested 1-D searches: for fixed p3 the feasible
 * p1 form an interval (D is convex) and the linear objective takes an end; the best value is
 * concave in p3.
 */
export function searchWorst3(D: Divergence, q: readonly number[], h: readonly number[], rho: number): number {
  const at = (p3: number) => (p1: number) => D([p1, Math.max(0, 1 - p3 - p1), p3], q);
  const minD = (p3: number) => at(p3)(argminConvex(at(p3), 0, 1 - p3));
  const inner = (p3: number) => {
    const f = at(p3), m = argminConvex(f, 0, 1 - p3);
    const p1 = h[0]! > h[1]! ? edge(f, rho, m, 1 - p3) : edge(f, rho, m, 0);
    return dot([p1, 1 - p3 - p1, p3], h);
  };
  const lo = edge(minD, rho, q[2]!, 0), hi = edge(minD, rho, q[2]!, 1);
  const p3 = argminConvex((x) => -inner(x), lo, hi);
  return Math.max(inner(p3), inner(lo), inner(hi));
}

/** max p.h with D(p, q) <= rho over a grid of step 1/n on the simplex of 2 or 3 outcomes. */
export function gridWorst(D: Divergence, q: readonly number[], h: readonly number[], rho: number, n: number): number {
  let best = -Infinity;
  const consider = (p: number[]) => { if (D(p, q) <= rho) best = Math.max(best, dot(p, h)); };
  if (q.length === 2) for (let i = 0; i <= n; i++) consider([i / n, 1 - i / n]);
  else for (let i = 0; i <= n; i++) for (let j = 0; i + j <= n; j++) consider([i / n, j / n, Math.max(0, 1 - (i + j) / n)]);
  return best;
}

/** The minimum of a convex function on [lo, hi]: a grid, then golden sections around the best point. */
export function convexMin(f: (x: number) => number, lo: number, hi: number, n = 200): number {
  let best = lo, fb = f(lo);
  for (let i = 1; i <= n; i++) {
    const x = lo + ((hi - lo) * i) / n, fx = f(x);
    if (fx < fb) { best = x; fb = fx; }
  }
  let a = Math.max(lo, best - (hi - lo) / n), b = Math.min(hi, best + (hi - lo) / n);
  const r = (Math.sqrt(5) - 1) / 2;
  for (let k = 0; k < 80; k++) {
    const c = b - r * (b - a), d = a + r * (b - a);
    if (f(c) <= f(d)) b = d; else a = c;
  }
  return Math.min(fb, f((a + b) / 2));
}
