// Moment-based (distributionally robust) chance constraint. Independent computations:
// - fixed values: the left side against mean + k * std computed directly (weighted, population);
// - one decision variable: g(x) = mean(x) + k std(x) is convex, so the true optimum of min c x
//   s.t. g(x) <= 0 over a box is found by a ternary search for min g and a bisection for the end of
//   {g <= 0}; the polyhedral cone must give outer >= opt(k / (1 + acc)), outer <= opt(k) <= inner,
//   inner <= opt(k (1 + acc));
// - 'inner': the optimum point satisfies the exact inequality;
// - the ordering of the three treatments on the same data, saa <= cvar <= moment, with the SAA
//   optimum by brute force over the allowed sets of violated samples (LPs only).
import { describe, expect, it } from 'vitest';
import { affine, constant, emitRow, valueAt, type Affine } from './aux.js';
import { chanceMoment } from './chance-moment.js';
import { chanceCvar } from './chance-cvar.js';
import { TestLp } from '../../test/lp-sink.js';
import { planCone, type ConeMode } from './soc.js';
import { rng, int } from '../../test/random.js';


function meanStd(v: readonly number[], p: readonly number[]): [number, number] {
  const m = v.reduce((s, x, i) => s + p[i]! * x, 0);
  return [m, Math.sqrt(v.reduce((s, x, i) => s + p[i]! * (x - m) ** 2, 0))];
}
const kOf = (eps: number) => Math.sqrt((1 - eps) / eps);

function cost(U: Affine): Record<number, number> {
  const c: Record<number, number> = {};
  U.cols.forEach((j, k) => { c[j] = (c[j] ?? 0) + U.vals[k]!; });
  return c;
}

describe('moment: fixed values against mean + k std', () => {
  it('constants: no column, U is mean + k std exactly', () => {
    const lp = new TestLp();
    const v = [3, -1, 4, -1, 5], p = [0.1, 0.2, 0.3, 0.25, 0.15];
    const res = chanceMoment(lp, v.map((x) => constant(x)), p, 0.1, { accuracy: 1e-4, mode: 'outer' }, 'cc');
    const [m, sd] = meanStd(v, p);
    expect(lp.lower.length).toBe(0);
    expect(res.U.cols.filter((_, k) => res.U.vals[k] !== 0)).toEqual([]);
    expect(res.U.c).toBeCloseTo(m + 3 * sd, 12); // k = sqrt(0.9 / 0.1) = 3
    expect(res.eps).toBe(0);
  });

  it('all samples equal: no cone, U is the sample itself', () => {
    const lp = new TestLp();
    const x = lp.column(0, 1, 0, 'x');
    const r = affine([x], [0.3], -0.7);
    const res = chanceMoment(lp, [r, r, r], [0.2, 0.5, 0.3], 0.05, { accuracy: 1e-4, mode: 'inner' }, 'cc');
    expect(res.U).toEqual({ cols: [x], vals: [0.3], c: -0.7 });
    expect([lp.lower.length - 1, lp.rows.length, res.eps]).toEqual([0, 0, 0]);
  });

  for (const mode of ['outer', 'inner'] as const) {
    it(`values through fixed columns (the cone is approximated), ${mode}`, async () => {
      for (let seed = 1; seed <= 30; seed++) {
        const u = rng(seed);
        const n = int(u, 1, 3), S = int(u, 2, 8);
        const xv = Array.from({ length: n }, () => int(u, -4, 4) / 2);
        const a = Array.from({ length: S }, () => Array.from({ length: n }, () => int(u, -5, 5)));
        const c = Array.from({ length: S }, () => int(u, -5, 5));
        const w = Array.from({ length: S }, () => int(u, 1, 4)), W = w.reduce((s, x) => s + x, 0);
        const p = w.map((x) => x / W), eps = [0.05, 0.1, 0.3][seed % 3]!, accuracy = [1e-2, 1e-4, 1e-6][seed % 3]!;
        const lp = new TestLp();
        xv.forEach((v, j) => lp.column(v, v, 0, `x${j}`));
        const r = a.map((row, s) => affine(row.map((_, j) => j), row, c[s]!));
        const res = chanceMoment(lp, r, p, eps, { accuracy, mode }, 'cc');
        expect(res.eps).toBeLessThanOrEqual(accuracy * (1 + 1e-12));
        const [m, sd] = meanStd(r.map((e) => valueAt(e, xv)), p);
        const sol = await lp.solve(cost(res.U));
        expect(sol.status).toBe('optimal');
        const got = sol.objective + res.U.c, k = kOf(eps), tol = 1e-7 * (1 + Math.abs(m) + k * sd);
        if (mode === 'outer') {
          expect(got, `seed ${seed}`).toBeLessThanOrEqual(m + k * sd + tol);
          expect(got, `seed ${seed}`).toBeGreaterThanOrEqual(m + (k * sd) / (1 + res.eps) - tol);
        } else {
          expect(got, `seed ${seed}`).toBeGreaterThanOrEqual(m + k * sd - tol);
          expect(got, `seed ${seed}`).toBeLessThanOrEqual(m + k * sd * (1 + res.eps) + tol);
        }
      }
    });
  }

  it('many samples over few columns: the cone has at most n + 1 components', () => {
    const lp = new TestLp();
    lp.column(-1, 1, 0, 'x'); lp.column(-1, 1, 0, 'y');
    const u = rng(7);
    const r = Array.from({ length: 200 }, () => affine([0, 1], [u() - 0.5, u()], u() - 1));
    const res = chanceMoment(lp, r, new Array<number>(200).fill(1 / 200), 0.1, { accuracy: 1e-4, mode: 'outer' }, 'cc');
    // 3 components (x, y, 1): tau, one joining column and two 3-d cones of 2 nu + 2 columns each.
    const plan = planCone(3, 1e-4);
    expect(lp.lower.length - 2).toBe(2 + 2 * (2 * plan.nu + 2));
    expect(res.eps).toBe(plan.eps);
  });
});

/** Random instance: x in a box, r_s = a_s x - b_s. */
interface Instance { n: number; B: number[]; c: number[]; a: number[][]; b: number[]; p: number[]; w: number[]; W: number; eps: number }
function instance(seed: number, n: number): Instance {
  const u = rng(seed);
  const S = int(u, 3, 7);
  const B = Array.from({ length: n }, () => int(u, 1, 5));
  const c = Array.from({ length: n }, () => int(u, -5, 5) || 1);
  const a = Array.from({ length: S }, () => Array.from({ length: n }, () => int(u, -5, 5)));
  const b = Array.from({ length: S }, () => int(u, -2, 8));
  const w = u() < 0.5 ? new Array<number>(S).fill(1) : Array.from({ length: S }, () => int(u, 1, 5));
  const W = w.reduce((x, y) => x + y, 0);
  const eps = [0.1, 0.2, 0.25, 0.4][int(u, 0, 3)]!;
  return { n, B, c, a, b, p: w.map((x) => x / W), w, W, eps };
}
const rOf = (I: Instance) => I.a.map((row, s) => affine(row.map((_, j) => j), row, -I.b[s]!));

function newLp(I: Instance): TestLp {
  const lp = new TestLp();
  for (let j = 0; j < I.n; j++) lp.column(-I.B[j]!, I.B[j]!, 0, `x${j}`);
  return lp;
}

async function optimum(lp: TestLp, I: Instance): Promise<{ obj: number; x: Float64Array }> {
  const sol = await lp.solve(Object.fromEntries(I.c.map((v, j) => [j, v])));
  if (sol.status === 'infeasible') return { obj: Infinity, x: sol.x };
  expect(sol.status).toBe('optimal');
  return { obj: sol.objective, x: sol.x };
}

async function momentOpt(I: Instance, mode: ConeMode, accuracy = 1e-5) {
  const lp = newLp(I);
  const res = chanceMoment(lp, rOf(I), I.p, I.eps, { accuracy, mode }, 'cc');
  emitRow(lp, res.U, -Infinity, 0, 'cc');
  return { ...(await optimum(lp, I)), acc: res.eps };
}

async function cvarOpt(I: Instance): Promise<number> {
  const lp = newLp(I);
  emitRow(lp, chanceCvar(lp, rOf(I), I.p, I.eps, 'cc'), -Infinity, 0, 'cc');
  return (await optimum(lp, I)).obj;
}

/** SAA optimum by brute force: the best LP over every set of violated samples with weight <= eps W. */
async function saaBrute(I: Instance): Promise<number> {
  let best = Infinity;
  const S = I.a.length;
  for (let mask = 0; mask < 1 << S; mask++) {
    let wv = 0;
    for (let s = 0; s < S; s++) if (mask & (1 << s)) wv += I.w[s]!;
    if (wv > I.eps * I.W + 1e-9) continue;
    const lp = newLp(I);
    for (let s = 0; s < S; s++) if (!(mask & (1 << s))) lp.row(I.a[s]!.map((_, j) => j), I.a[s]!, -Infinity, I.b[s]!, `s${s}`);
    best = Math.min(best, (await optimum(lp, I)).obj);
  }
  return best;
}

/** g(x) = mean + k std of r_s(x) (exact). */
function g(I: Instance, k: number, x: readonly number[]): number {
  const [m, sd] = meanStd(rOf(I).map((e) => valueAt(e, x)), I.p);
  return m + k * sd;
}

/** The true optimum of min c x s.t. g(x) <= 0 for one variable (convex g). */
function trueOpt1(I: Instance, k: number): number {
  let lo = -I.B[0]!, hi = I.B[0]!;
  const f = (x: number) => g(I, k, [x]);
  for (let it = 0; it < 200; it++) { const m1 = lo + (hi - lo) / 3, m2 = hi - (hi - lo) / 3; if (f(m1) <= f(m2)) hi = m2; else lo = m1; }
  const x0 = (lo + hi) / 2;
  if (f(x0) > 0) return Infinity;
  // c > 0: the smallest feasible x; c < 0: the largest.
  const c = I.c[0]!, end = c > 0 ? -I.B[0]! : I.B[0]!;
  if (f(end) <= 0) return c * end;
  let inside = x0, outside = end;
  for (let it = 0; it < 200; it++) { const mid = (inside + outside) / 2; if (f(mid) <= 0) inside = mid; else outside = mid; }
  return c * inside;
}

describe('moment: optima', () => {
  it('one variable: outer and inner bracket the true optimum within the accuracy reached', async () => {
    let feasible = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const I = instance(seed, 1);
      const k = kOf(I.eps);
      const outer = await momentOpt(I, 'outer', 1e-3), inner = await momentOpt(I, 'inner', 1e-3);
      const t = trueOpt1(I, k), tLo = trueOpt1(I, k / (1 + outer.acc)), tHi = trueOpt1(I, k * (1 + inner.acc));
      if (t < Infinity) feasible++;
      const le = (a: number, b: number, why: string) => { if (b < Infinity) expect(a, `seed ${seed}: ${why}`).toBeLessThanOrEqual(b + 1e-6 * (1 + Math.abs(b))); };
      le(tLo, outer.obj, 'opt(k / (1 + acc)) <= outer');
      le(outer.obj, t, 'outer <= opt(k)');
      le(t, inner.obj, 'opt(k) <= inner');
      le(inner.obj, tHi, 'inner <= opt(k (1 + acc))');
      if (inner.obj < Infinity) expect(g(I, k, [inner.x[0]!]), `seed ${seed}`).toBeLessThanOrEqual(1e-7);
    }
    expect(feasible).toBeGreaterThan(15);
  });

  it("'inner' optima satisfy the exact inequality; saa <= cvar <= moment on the same data", async () => {
    let feasible = 0;
    for (let seed = 101; seed <= 140; seed++) {
      const I = instance(seed, 1 + (seed % 2));
      const saa = await saaBrute(I), cvar = await cvarOpt(I);
      const outer = await momentOpt(I, 'outer'), inner = await momentOpt(I, 'inner');
      const tol = (b: number) => 1e-6 * (1 + Math.abs(b));
      if (inner.obj < Infinity) {
        feasible++;
        expect(g(I, kOf(I.eps), [...inner.x].slice(0, I.n)), `seed ${seed}`).toBeLessThanOrEqual(1e-7);
      }
      if (cvar < Infinity) expect(saa, `seed ${seed}: saa <= cvar`).toBeLessThanOrEqual(cvar + tol(cvar));
      if (inner.obj < Infinity) expect(cvar, `seed ${seed}: cvar <= moment (inner)`).toBeLessThanOrEqual(inner.obj + tol(inner.obj));
      if (inner.obj < Infinity) expect(outer.obj, `seed ${seed}: outer <= inner`).toBeLessThanOrEqual(inner.obj + tol(inner.obj));
    }
    expect(feasible).toBeGreaterThan(15);
  });
});
