// SAA chance constraints with binaries. Brute force: the optimum over "at most eps of the
// probability may be violated" is the best, over every set V of samples with p(V) <= eps, of the
// LP that satisfies all samples outside V. Probabilities are integer weights w_s / W and
// eps = e / (2W), so that the brute force decides p(V) <= eps in integers (2 w(V) <= e), exactly,
// including the boundary cases p(V) = eps that floating point rounds the wrong way.
import { describe, expect, it } from 'vitest';
import { affine, constant, emitRow, single, valueAt, type Affine } from './aux.js';
import { ChanceError, chanceSaa } from './chance-saa.js';
import { TestLp } from '../../test/lp-sink.js';
import { loadHighs } from '../solve/highs.js';
import { rng, int } from '../../test/random.js';

/**
 * TestLp.solve, falling back for the MIPs on which HiGHS 1.15 ends in "Solve error" (its
 * feasibility-jump heuristic returns a point whose big-M rows are off by the integrality tolerance
 * times M, and the final check rejects it: ERGO-Code/HiGHS#2782, #2808). The fallback solves the
 * same arrays with that heuristic off and tight MIP tolerances.
 */
let fallbacks = 0;
async function solveMip(lp: TestLp, cost: Record<number, number>, sense: 'minimize' | 'maximize' = 'minimize') {
  try {
    return await lp.solve(cost, sense);
  } catch (e) {
    if (!/HiGHS status -1/.test(String(e))) throw e;
    fallbacks++;
  }
  const h = await loadHighs();
  const c = (v: number) => (v === Infinity ? h.infinity : v === -Infinity ? -h.infinity : v);
  const n = lp.lower.length, starts = [0], indices: number[] = [], values: number[] = [];
  for (const r of lp.rows) { r.cols.forEach((j, k) => { indices.push(j); values.push(r.vals[k]!); }); starts.push(indices.length); }
  const m = h.createModel({
    numCols: n, numRows: lp.rows.length, offset: 0,
    sense: sense === 'maximize' ? h.constants.objectiveSense.maximize : h.constants.objectiveSense.minimize,
    colCost: Float64Array.from({ length: n }, (_, j) => cost[j] ?? 0),
    colLower: Float64Array.from(lp.lower, c), colUpper: Float64Array.from(lp.upper, c),
    rowLower: Float64Array.from(lp.rows, (r) => c(r.lo)), rowUpper: Float64Array.from(lp.rows, (r) => c(r.hi)),
    matrix: { format: 'csr', numRows: lp.rows.length, numCols: n, starts: Int32Array.from(starts), indices: Int32Array.from(indices), values: Float64Array.from(values) },
    integrality: Int32Array.from(lp.types, (t) => (t === 0 ? 0 : 1)),
  } as never);
  try {
    m.options.set({ output_flag: false, log_to_console: false, mip_heuristic_run_feasibility_jump: false, mip_feasibility_tolerance: 1e-9, primal_feasibility_tolerance: 1e-9 } as never);
    m.run();
    const st = m.getModelStatus();
    const status = st === h.constants.modelStatus.optimal ? 'optimal' : st === h.constants.modelStatus.infeasible ? 'infeasible' : `status ${st}`;
    return { status, objective: status === 'optimal' ? m.getObjectiveValue() : NaN, x: Float64Array.from(status === 'optimal' ? m.getSolution().colValue : new Float64Array(n)) };
  } finally {
    m.dispose();
  }
}


interface Instance {
  n: number; B: number[]; cost: number[];
  a: number[][]; b: number[]; w: number[]; W: number; e: number;
}

function instance(seed: number): Instance {
  const u = rng(seed);
  const n = int(u, 1, 2), S = int(u, 3, 7);
  const B = Array.from({ length: n }, () => int(u, 1, 5));
  const cost = Array.from({ length: n }, () => int(u, -5, 5) || 1);
  const a = Array.from({ length: S }, () => Array.from({ length: n }, () => int(u, -5, 5)));
  const b = Array.from({ length: S }, () => int(u, -6, 6));
  const w = u() < 0.5 ? new Array<number>(S).fill(1) : Array.from({ length: S }, () => int(u, 1, 5));
  const W = w.reduce((x, y) => x + y, 0);
  // Half the time eps is a multiple of a weight unit (the boundary), else halfway between.
  const e = u() < 0.5 ? 2 * int(u, 0, W - 1) : int(u, 0, W - 1) * 2 + 1;
  return { n, B, cost, a, b, w, W, e };
}

const rOf = (I: Instance, s: number): Affine => affine(I.a[s]!.map((_, j) => j), I.a[s]!, -I.b[s]!);

/** The SAA model solved as a MIP. */
async function saaOptimum(I: Instance) {
  const lp = new TestLp();
  for (let j = 0; j < I.n; j++) lp.column(-I.B[j]!, I.B[j]!, 0, `x${j}`);
  const r = I.a.map((_, s) => rOf(I, s));
  const res = chanceSaa(lp, r, I.w.map((v) => v / I.W), I.e / (2 * I.W), { lower: lp.lower, upper: lp.upper }, 'cc');
  emitRow(lp, res.U, -Infinity, 0, 'cc');
  const sol = await solveMip(lp, Object.fromEntries(I.cost.map((c, j) => [j, c])));
  return { ...sol, ...res, lp };
}

/** The best over every allowed set of violated samples of the LP "satisfy all the others". */
async function bruteOptimum(I: Instance): Promise<number> {
  const S = I.a.length;
  let best = Infinity;
  for (let mask = 0; mask < 1 << S; mask++) {
    let wv = 0;
    for (let s = 0; s < S; s++) if (mask & (1 << s)) wv += I.w[s]!;
    if (2 * wv > I.e) continue;
    const lp = new TestLp();
    for (let j = 0; j < I.n; j++) lp.column(-I.B[j]!, I.B[j]!, 0, `x${j}`);
    for (let s = 0; s < S; s++) if (!(mask & (1 << s))) lp.row(I.a[s]!.map((_, j) => j), I.a[s]!, -Infinity, I.b[s]!, `s${s}`);
    const sol = await lp.solve(Object.fromEntries(I.cost.map((c, j) => [j, c])));
    if (sol.status === 'optimal') best = Math.min(best, sol.objective);
    else expect(sol.status).toBe('infeasible');
  }
  return best;
}

describe('SAA chance constraint: optima against brute force over the violated sets', () => {
  it('random instances, equal and unequal probabilities', async () => {
    let feasible = 0, withBinaries = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const I = instance(seed);
      const expected = await bruteOptimum(I);
      const got = await saaOptimum(I);
      // The budget row itself, in floating point, against integers: for every pattern of the
      // binaries (plus the samples violated on the whole box, which are in U's constant),
      // U <= 0 exactly when 2 w(violated) <= e.
      const zs = got.lp.labels.flatMap((l, j) => (l.startsWith('cc~saa.z') ? [{ j, s: Number(l.slice(8)) }] : []));
      const always = I.a.map((_, s) => s).filter((s) => I.a[s]!.reduce((m, v, j) => m + Math.min(-v * I.B[j]!, v * I.B[j]!), -I.b[s]!) > 0);
      for (let mask = 0; mask < 1 << zs.length; mask++) {
        const x = new Float64Array(got.lp.lower.length);
        let wv = always.reduce((t, s) => t + I.w[s]!, 0);
        zs.forEach(({ j, s }, i) => { if (mask & (1 << i)) { x[j] = 1; wv += I.w[s]!; } });
        expect(valueAt(got.U, x) <= 0, `seed ${seed} mask ${mask}`).toBe(2 * wv <= I.e);
      }
      if (expected === Infinity) { expect(got.status, `seed ${seed}`).toBe('infeasible'); continue; }
      feasible++;
      if (got.binaries > 0) withBinaries++;
      expect(got.status, `seed ${seed}`).toBe('optimal');
      expect(got.objective, `seed ${seed}`).toBeCloseTo(expected, 6);
      // The solution violates at most the allowed share, up to the solver's tolerances: a binary
      // at its integrality tolerance (1e-7 seen) times the big-M (tens here) lets r_s reach ~2e-6.
      let wv = 0;
      I.a.forEach((_, s) => { if (valueAt(rOf(I, s), got.x) > 1e-4) wv += I.w[s]!; });
      expect(2 * wv, `seed ${seed}`).toBeLessThanOrEqual(I.e);
    }
    console.log(`SAA: ${feasible} feasible of 60, ${withBinaries} with binaries, ${fallbacks} HiGHS fallbacks`);
    expect(feasible).toBeGreaterThan(30);
    expect(withBinaries).toBeGreaterThan(20);
  });

  it('eps S integral is not lost to rounding: S = 10, eps = 0.3 allows three violations (0.1 + 0.1 + 0.1 > 0.3 in floating point)', async () => {
    expect(0.1 + 0.1 + 0.1).toBeGreaterThan(0.3);
    // x in [0, 20], r_s = x - s for s = 1..10; maximise x: violating the three smallest gives x = 4.
    for (const [eps, best] of [[0.3, 4], [0.29, 3], [0.7, 8], [0, 1]] as const) {
      const lp = new TestLp();
      const x = lp.column(0, 20, 0, 'x');
      const r = Array.from({ length: 10 }, (_, s) => affine([x], [1], -(s + 1)));
      const { U, binaries } = chanceSaa(lp, r, new Array<number>(10).fill(0.1), eps, lp, 'cc');
      // The row in floating point, not only through the solver's tolerance: k violations allowed iff k <= 10 eps.
      if (eps > 0) for (let k = 0; k <= 10; k++) expect(valueAt(U, [0, ...Array.from({ length: 10 }, (_, s) => (s < k ? 1 : 0))]) <= 0, `eps ${eps}, ${k} violations`).toBe(k <= Math.round(eps * 100) / 10);
      emitRow(lp, U, -Infinity, 0, 'cc');
      const sol = await solveMip(lp, { [x]: 1 }, 'maximize');
      expect(sol.objective, `eps ${eps}`).toBeCloseTo(best, 9);
      expect(binaries).toBe(eps === 0 ? 0 : 10);
    }
  });
});

describe('SAA: big-M and the shortcuts', () => {
  it('M_s is the maximum of r_s over the bounds', () => {
    const lp = new TestLp();
    const x = lp.column(-2, 3, 0, 'x'), y = lp.column(-1, 1, 0, 'y');
    // r = 2x - y - 1: max = 6 + 1 - 1 = 6.
    const res = chanceSaa(lp, [affine([x, y], [2, -1], -1), affine([x], [1], 0)], [0.5, 0.5], 0.5, lp, 'cc');
    expect(res.binaries).toBe(2);
    expect(res.bigM).toBe(6);
    expect(lp.rows.map((r) => [r.vals, r.hi])).toEqual([[[2, -1, -6], 1], [[1, -3], 0]]);
  });

  it('an unbounded column needed by the big-M is a ChanceError naming the sample and the column', () => {
    const lp = new TestLp();
    const x = lp.column(0, Infinity, 0, 'x'), y = lp.column(-Infinity, 5, 0, 'y'), v = lp.column(0, 1, 0, 'v');
    const r = [affine([v], [1], -2), affine([x, y, v], [1, -1, 1], 0)];
    let err: unknown;
    try { chanceSaa(lp, r, [0.5, 0.5], 0.5, lp, 'demand'); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ChanceError);
    const ce = err as ChanceError;
    expect([ce.sample, ce.columns, ce.label]).toEqual([1, [x, y], 'demand']);
    expect(ce.message).toMatch(/sample 1/);
  });

  it('samples always satisfied need no binary; always violated ones are fixed; a sample heavier than eps is a plain row', async () => {
    const lp = new TestLp();
    const x = lp.column(0, 4, 0, 'x'), free = lp.column(0, Infinity, 0, 'f');
    const r = [
      affine([x], [1], -5), // <= -1 on the box: always satisfied
      affine([x], [1], 1), // >= 1: always violated (z = 1), no big-M needed
      affine([x, free], [1, 1], -3), // p = 0.6 > eps: must hold; no big-M even though f is unbounded
      affine([x], [-1], 1), // needs a binary: 1 - x <= 0 unless violated
    ];
    const res = chanceSaa(lp, r, [0.1, 0.2, 0.6, 0.1], 0.3, lp, 'cc');
    expect(res.binaries).toBe(1);
    expect(res.U.c).toBeCloseTo(0.2 - 0.3, 6);
    emitRow(lp, res.U, -Infinity, 0, 'cc');
    // minimise x + f: x < 1 would violate sample 4 too (0.2 + 0.1 <= 0.3 allowed): x = 0.
    let sol = await solveMip(lp, { [x]: 1, [free]: 1 });
    expect(sol.objective).toBeCloseTo(0, 9);
    // with eps = 0.25 sample 4 must hold: x >= 1.
    const lp2 = new TestLp();
    lp2.column(0, 4, 0, 'x'); lp2.column(0, Infinity, 0, 'f');
    const res2 = chanceSaa(lp2, r, [0.1, 0.2, 0.6, 0.1], 0.25, lp2, 'cc');
    emitRow(lp2, res2.U, -Infinity, 0, 'cc');
    sol = await solveMip(lp2, { [x]: 1, [free]: 1 });
    expect(sol.objective).toBeCloseTo(1, 9);
    // Always violated with more probability than eps: infeasible.
    const lp3 = new TestLp();
    lp3.column(0, 4, 0, 'x');
    const res3 = chanceSaa(lp3, [affine([0], [1], 1), single(0)], [0.5, 0.5], 0.3, lp3, 'cc');
    emitRow(lp3, res3.U, -Infinity, 0, 'cc');
    expect((await solveMip(lp3, { 0: 1 })).status).toBe('infeasible');
    expect(() => chanceSaa(lp3, [constant(1)], [0.5], 0.1, lp3, 'cc')).toThrow(/sum to/);
  });
});
