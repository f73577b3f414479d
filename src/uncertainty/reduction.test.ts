// Scenario reduction (FFS and SBR with the Kantorovich distance). Expected values are independent
// of the code under test: hand-computed tiny examples, brute force over every kept set of small
// random instances (the optimal redistribution found by trying every map of removed scenarios to
// kept ones), and a transport LP solved by HiGHS for the Kantorovich distance between P and the
// reduced Q with the returned probabilities.
import loadHighsModule from 'highs';
import type { Highs } from 'highs';
import { beforeAll, describe, expect, it } from 'vitest';
import { kantorovich, reduceScenarios, reductionError, type ReductionMethod } from './reduction.js';
import { rng } from '../../test/random.js';

const methods: ReductionMethod[] = ['forward', 'backward'];

/** Deterministic PRNG (mulberry32). */

function randomInstance(rand: () => number, n: number, dims: number): { points: Float64Array; prob: number[] } {
  const points = Float64Array.from({ length: n * dims }, () => rand() * 10 - 5);
  const w = Array.from({ length: n }, () => 0.05 + rand());
  const s = w.reduce((a, b) => a + b, 0);
  return { points, prob: w.map((x) => x / s) };
}

/** Independent cost: Euclidean distance between rows i and j (memoised per point set). */
const costCache = new WeakMap<Float64Array, number[][]>();
function cost(points: Float64Array, dims: number, i: number, j: number): number {
  let m = costCache.get(points);
  if (!m) {
    const n = points.length / dims;
    const rows = Array.from({ length: n }, (_, r) => Array.from(points.subarray(r * dims, (r + 1) * dims)));
    m = rows.map((a) => rows.map((b) => Math.hypot(...a.map((x, d) => x - b[d]!))));
    costCache.set(points, m);
  }
  return m[i]![j]!;
}

function subsets(n: number, k: number): number[][] {
  const out: number[][] = [];
  const rec = (start: number, cur: number[]) => {
    if (cur.length === k) {
      out.push([...cur]);
      return;
    }
    for (let i = start; i < n; i++) rec(i + 1, [...cur, i]);
  };
  rec(0, []);
  return out;
}

/** Optimal redistribution onto S by brute force: every map of the removed scenarios to S. */
function bruteRedistribution(points: Float64Array, dims: number, prob: number[], S: number[]): number {
  const removed = prob.map((_, i) => i).filter((i) => !S.includes(i));
  let best = Infinity;
  const choice = new Array<number>(removed.length).fill(0);
  for (;;) {
    let total = 0;
    removed.forEach((i, r) => (total += prob[i]! * cost(points, dims, i, S[choice[r]!]!)));
    best = Math.min(best, total);
    let r = 0;
    while (r < removed.length && ++choice[r]! === S.length) choice[r++] = 0;
    if (r === removed.length) break;
  }
  return best;
}

let highs: Highs;
beforeAll(async () => {
  highs = await (loadHighsModule as unknown as () => Promise<Highs>)();
});

/** Kantorovich distance between P and Q = sum_t q_t δ_{kept_t} as a transport LP. */
function transportLp(points: Float64Array, dims: number, prob: number[], kept: readonly number[], q: readonly number[]): number {
  const n = prob.length;
  const x = (i: number, t: number) => `x_${i}_${t}`;
  const obj: string[] = [];
  for (let i = 0; i < n; i++) kept.forEach((j, t) => obj.push(`${cost(points, dims, i, j)} ${x(i, t)}`));
  const rows: string[] = [];
  for (let i = 0; i < n; i++) rows.push(` p${i}: ${kept.map((_, t) => x(i, t)).join(' + ')} = ${prob[i]}`);
  kept.forEach((_, t) => rows.push(` q${t}: ${prob.map((_, i) => x(i, t)).join(' + ')} = ${q[t]}`));
  const lp = `Minimize\n obj: ${obj.join(' + ')}\nSubject To\n${rows.join('\n')}\nEnd\n`;
  const sol = highs.solve(lp);
  expect(sol.Status).toBe('Optimal');
  return sol.ObjectiveValue;
}

describe('hand-computed examples', () => {
  // Points 0, 1, 10; p = .25, .25, .5. Kept sets of size 2: {0,1} costs .5·9 = 4.5, {0,2} and
  // {1,2} cost .25·1 = .25.
  // FFS: z_0 = .25 + 5 = 5.25, z_1 = .25 + 4.5 = 4.75, z_2 = 2.5 + 2.25 = 4.75 → tie, u_1 = 1; then
  // d = (1, 0, 9), z_0 = .5·min(9, 10) = 4.5, z_2 = .25·min(1, 10) = .25 → u_2 = 2.
  // SBR: z_l = p_l min_j c(l, j) = .25, .25, 4.5 → tie, remove 0.
  const points = Float64Array.from([0, 1, 10]);
  const prob = [0.25, 0.25, 0.5];
  for (const method of methods) {
    it(`${method}: 0, 1, 10 keep 2 → keeps 1 and 10 (ties to the lowest index), distance 0.25`, () => {
      const r = reduceScenarios(points, 1, prob, 2, method);
      expect(r.kept).toEqual([1, 2]);
      expect(r.prob).toEqual([0.5, 0.5]);
      expect(r.distance).toBe(0.25);
      expect(Array.from(r.assignment)).toEqual([0, 0, 1]);
    });
  }
  it('FFS keep 1 on 0, 1, 10: z = 5.25, 4.75, 4.75 → scenario 1, distance 4.75', () => {
    const r = reduceScenarios(points, 1, prob, 1, 'forward');
    expect(r.kept).toEqual([1]);
    expect(r.prob).toEqual([1]);
    expect(r.distance).toBe(4.75);
  });

  // Points 0, 1, 3, 10; p = .1, .2, .3, .4.
  // keep 2, all sets: {0,1} 4.2, {0,2} 3.0, {0,3} 1.1, {1,2} 2.9, {1,3} .7, {2,3} .7.
  // FFS step 1: z = 5.1, 4.3, 3.5, 4.9 → 2; step 2 (d = 3, 2, 0, 7): z_0 = .2 + 2.8 = 3.0,
  //   z_1 = .1 + 2.8 = 2.9, z_3 = .3 + .4 = .7 → 3. Kept {3, 10}: 0 and 1 go to 3, q = (.6, .4).
  //   Step 3 (d = 3, 2, 0, 0): z_0 = .2·min(2, 1) = .2, z_1 = .1·min(3, 1) = .1 → 1.
  // SBR step 1: p_l min_j c = .1, .2, .6, 2.8 → remove 0. Step 2: Δ_1 = .2·2 + .1·(3 - 1) = .6,
  //   Δ_2 = .3·2 = .6, Δ_3 = .4·7 = 2.8 → tie (rounding differs: .4 + .2 vs .3·2), remove 1.
  //   Step 3: Δ_2 = .3·7 + .1·(10 - 3) + .2·(9 - 2) = 4.2, Δ_3 = .4·7 = 2.8 → remove 3.
  const p4 = Float64Array.from([0, 1, 3, 10]);
  const q4 = [0.1, 0.2, 0.3, 0.4];
  const cases: [number, number[], number[], number][] = [
    [1, [2], [1], 3.5],
    [2, [2, 3], [0.6, 0.4], 0.7],
    [3, [1, 2, 3], [0.3, 0.3, 0.4], 0.1],
  ];
  for (const method of methods) {
    for (const [keep, kept, q, distance] of cases) {
      it(`${method}: 0, 1, 3, 10 keep ${keep} → ${kept.join(',')}, distance ${distance}`, () => {
        const r = reduceScenarios(p4, 1, q4, keep, method);
        expect(r.kept).toEqual(kept);
        r.prob.forEach((p, t) => expect(p).toBeCloseTo(q[t]!, 14));
        expect(r.distance).toBeCloseTo(distance, 14);
      });
    }
  }

  it('2-D: Euclidean cost (3-4-5 triangle)', () => {
    // (0,0), (3,4), (3,4.5); p = .2, .5, .3. keep 2 → remove one of the close pair: SBR z = .2·5,
    // .5·.5 = .25, .3·.5 = .15 → remove 2, distance .15, and it goes to scenario 1.
    const r = reduceScenarios(Float64Array.from([0, 0, 3, 4, 3, 4.5]), 2, [0.2, 0.5, 0.3], 2, 'backward');
    expect(r.kept).toEqual([0, 1]);
    expect(r.distance).toBeCloseTo(0.15, 15);
    expect(r.prob[1]).toBeCloseTo(0.8, 15);
    expect(kantorovich(Float64Array.from([0, 0, 3, 4, 3, 4.5]), 2, [0.2, 0.5, 0.3], [1])).toBeCloseTo(0.2 * 5 + 0.3 * 0.5, 15);
  });
});

describe('small random instances against brute force', () => {
  const rand = rng(20030601);
  const instances = Array.from({ length: 60 }, (_, t) => {
    const n = 2 + (t % 7); // 2..8
    const dims = 1 + (t % 3);
    return { n, dims, ...randomInstance(rand, n, dims) };
  });

  it('kantorovich equals the brute-force optimal redistribution for every kept set', () => {
    for (const { n, dims, points, prob } of instances.slice(0, 30)) {
      for (let k = 1; k <= n; k++) {
        for (const S of subsets(n, k)) {
          const expected = bruteRedistribution(points, dims, prob, S);
          expect(kantorovich(points, dims, prob, S)).toBeCloseTo(expected, 12);
          expect(kantorovich(points, dims, prob, [...S].reverse())).toBeCloseTo(expected, 12);
        }
      }
    }
  });

  it('both heuristics are no better than the optimum, and report the distance of their kept set', () => {
    let optimalHits = 0;
    let total = 0;
    for (const { n, dims, points, prob } of instances) {
      for (let keep = 1; keep < n; keep++) {
        let opt = Infinity;
        for (const S of subsets(n, keep)) opt = Math.min(opt, bruteRedistribution(points, dims, prob, S));
        for (const method of methods) {
          const r = reduceScenarios(points, dims, prob, keep, method);
          expect(r.kept.length).toBe(keep);
          const own = bruteRedistribution(points, dims, prob, [...r.kept]);
          expect(r.distance).toBeCloseTo(own, 12);
          expect(r.distance).toBeGreaterThanOrEqual(opt - 1e-12);
          total++;
          if (r.distance <= opt + 1e-12) optimalHits++;
        }
      }
    }
    // Not a property of the heuristics, only a sanity check that they are good on tiny cases.
    expect(optimalHits / total).toBeGreaterThan(0.7);
  });

  it('FFS with keep = 1 picks the scenario minimising sum_i p_i c(i, j)', () => {
    for (const { n, dims, points, prob } of instances) {
      const z = Array.from({ length: n }, (_, j) => prob.reduce((s, p, i) => s + p * cost(points, dims, i, j), 0));
      const j = z.indexOf(Math.min(...z));
      const r = reduceScenarios(points, dims, prob, 1, 'forward');
      expect(r.kept).toEqual([j]);
      expect(r.prob).toEqual([1]);
      expect(r.distance).toBeCloseTo(z[j]!, 12);
      expect(Array.from(r.assignment)).toEqual(new Array(n).fill(0));
    }
  });

  it('SBR with keep = n - 1 removes the scenario with the smallest p_i min_j c(i, j)', () => {
    for (const { n, dims, points, prob } of instances) {
      const z = Array.from({ length: n }, (_, i) => {
        let m = Infinity;
        for (let j = 0; j < n; j++) if (j !== i) m = Math.min(m, cost(points, dims, i, j));
        return prob[i]! * m;
      });
      const l = z.indexOf(Math.min(...z));
      const r = reduceScenarios(points, dims, prob, n - 1, 'backward');
      expect(r.kept).toEqual(prob.map((_, i) => i).filter((i) => i !== l));
      expect(r.distance).toBeCloseTo(z[l]!, 12);
    }
  });

  it('the Kantorovich distance between P and the returned Q (transport LP) is the reported distance', () => {
    for (const { n, dims, points, prob } of instances.filter((x) => x.n >= 5).slice(0, 12)) {
      for (const keep of [1, 2, Math.floor(n / 2)]) {
        for (const method of methods) {
          const r = reduceScenarios(points, dims, prob, keep, method);
          expect(transportLp(points, dims, prob, r.kept, r.prob)).toBeCloseTo(r.distance, 7);
        }
      }
    }
  });
});

describe('against the paper\'s formulas evaluated naively', () => {
  // FFS: u_i = argmin_{u ∉ S} sum_{k ∉ S ∪ {u}} p_k min_{j ∈ S ∪ {u}} c(k, j).
  // SBR: l_i = argmin_{l ∉ J} sum_{k ∈ J ∪ {l}} p_k min_{j ∉ J ∪ {l}} c(k, j).
  // O(n^3) per step here, but independent of the nearest/second-nearest bookkeeping.
  const D = (points: Float64Array, dims: number, prob: number[], S: number[]) =>
    prob.reduce((acc, p, k) => (S.includes(k) ? acc : acc + p * Math.min(...S.map((j) => cost(points, dims, k, j)))), 0);
  const naiveForward = (points: Float64Array, dims: number, prob: number[], keep: number) => {
    const S: number[] = [];
    while (S.length < keep) {
      const cand = prob.map((_, u) => u).filter((u) => !S.includes(u));
      const z = cand.map((u) => D(points, dims, prob, [...S, u]));
      S.push(cand[z.indexOf(Math.min(...z))]!);
    }
    return S.sort((a, b) => a - b);
  };
  const naiveBackward = (points: Float64Array, dims: number, prob: number[], keep: number) => {
    let K = prob.map((_, i) => i);
    while (K.length > keep) {
      const z = K.map((l) => D(points, dims, prob, K.filter((j) => j !== l)));
      const l = K[z.indexOf(Math.min(...z))]!;
      K = K.filter((j) => j !== l);
    }
    return K;
  };
  const rand = rng(2003);
  it('FFS and SBR pick the same scenarios as the naive evaluation (n = 25, keep = 1..12)', () => {
    for (let t = 0; t < 6; t++) {
      const dims = 1 + t;
      const { points, prob } = randomInstance(rand, 25, dims);
      for (let keep = 1; keep <= 12; keep++) {
        expect(reduceScenarios(points, dims, prob, keep, 'forward').kept).toEqual(naiveForward(points, dims, prob, keep));
        expect(reduceScenarios(points, dims, prob, keep, 'backward').kept).toEqual(naiveBackward(points, dims, prob, keep));
      }
    }
  });
});

describe('reduced probabilities and assignment', () => {
  const rand = rng(7);
  for (const method of methods) {
    it(`${method}: probabilities sum to 1 and are the mass merged into each kept scenario`, () => {
      for (let t = 0; t < 20; t++) {
        const n = 30 + t * 7;
        const dims = 1 + (t % 5);
        const { points, prob } = randomInstance(rand, n, dims);
        const keep = 1 + ((t * 5) % 25);
        const r = reduceScenarios(points, dims, prob, keep, method);
        expect(r.kept.length).toBe(keep);
        for (let t2 = 1; t2 < keep; t2++) expect(r.kept[t2]!).toBeGreaterThan(r.kept[t2 - 1]!);
        expect(r.prob.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
        expect(r.assignment.length).toBe(n);
        const mass = new Array<number>(keep).fill(0);
        let distance = 0;
        for (let i = 0; i < n; i++) {
          const to = r.assignment[i]!;
          mass[to] = mass[to]! + prob[i]!;
          // merged into a nearest kept scenario; kept ones into themselves
          const c = cost(points, dims, i, r.kept[to]!);
          const nearest = Math.min(...r.kept.map((j) => cost(points, dims, i, j)));
          expect(c).toBe(nearest);
          if (r.kept.includes(i)) expect(r.kept[to]).toBe(i);
          distance += prob[i]! * c;
        }
        r.prob.forEach((p, t2) => expect(p).toBeCloseTo(mass[t2]!, 14));
        expect(r.distance).toBeCloseTo(distance, 12);
      }
    });
  }

  it('ties in the assignment go to the lowest kept index', () => {
    // 1-D points -1, 0, 1 with p = .4, .2, .4: SBR Δ = .4, .2, .4 removes the middle one, which is
    // equidistant from the two kept scenarios and so goes to the first.
    const r = reduceScenarios(Float64Array.from([-1, 0, 1]), 1, [0.4, 0.2, 0.4], 2, 'backward');
    expect(r.kept).toEqual([0, 2]);
    expect(Array.from(r.assignment)).toEqual([0, 0, 1]);
    expect(r.prob[0]).toBeCloseTo(0.6, 15);
    expect(r.distance).toBeCloseTo(0.2, 15);
  });

  it('keep >= n returns every scenario with distance 0', () => {
    const points = Float64Array.from([0, 1, 2]);
    for (const method of methods) {
      for (const keep of [3, 4]) {
        const r = reduceScenarios(points, 1, [0.2, 0.3, 0.5], keep, method);
        expect(r.kept).toEqual([0, 1, 2]);
        expect(r.prob).toEqual([0.2, 0.3, 0.5]);
        expect(r.distance).toBe(0);
        expect(Array.from(r.assignment)).toEqual([0, 1, 2]);
      }
    }
  });

  it('duplicate scenarios merge at no cost', () => {
    // Two clusters of identical points, {0, 1, 3} at 1 and {2, 4} at 5.
    // FFS: z = 2.2, 2.2, 1.8, 2.2, 2.2 → 2, then z_0 = 0 → 0.
    // SBR: every Δ is 0 while each cluster has two members, so the lowest index goes: 0, 1, 2.
    const points = Float64Array.from([1, 1, 5, 1, 5]);
    const expected: Record<ReductionMethod, number[]> = { forward: [0, 2], backward: [3, 4] };
    for (const method of methods) {
      const r = reduceScenarios(points, 1, [0.1, 0.2, 0.3, 0.15, 0.25], 2, method);
      expect(r.kept).toEqual(expected[method]);
      expect(r.distance).toBe(0);
      expect(r.prob[0]).toBeCloseTo(0.45, 15);
      expect(r.prob[1]).toBeCloseTo(0.55, 15);
    }
  });
});

describe('monotonicity', () => {
  const rand = rng(42);
  const n = 200;
  const dims = 6;
  const { points, prob } = randomInstance(rand, n, dims);
  for (const method of methods) {
    it(`${method}: the distance does not grow with keep (n = 200, keep = 1..30) and kept sets are nested`, () => {
      let prev = Infinity;
      let prevKept: readonly number[] = [];
      for (let keep = 1; keep <= 30; keep++) {
        const r = reduceScenarios(points, dims, prob, keep, method);
        expect(r.distance).toBeLessThanOrEqual(prev);
        expect(r.distance).toBeCloseTo(kantorovich(points, dims, prob, r.kept), 12);
        // FFS adds one scenario per step; SBR's removal order does not depend on keep.
        for (const j of prevKept) expect(r.kept).toContain(j);
        prev = r.distance;
        prevKept = r.kept;
      }
      expect(prev).toBeGreaterThan(0);
    });
  }
});

describe('reductionError', () => {
  it('accepts a valid request', () => {
    expect(reductionError(3, 1, [0.2, 0.3, 0.5])).toBeUndefined();
    expect(reductionError(3, 3, [0.2, 0.3, 0.5])).toBeUndefined();
    expect(reductionError(3, 2, [0.1, 0.2, 0.7 + 5e-10])).toBeUndefined();
  });
  it('reports keep < 1, keep > n, non-integer keep, wrong counts, bad probabilities', () => {
    expect(reductionError(3, 0, [0.2, 0.3, 0.5])).toMatch(/at least 1/);
    expect(reductionError(3, 4, [0.2, 0.3, 0.5])).toBe('cannot keep 4 scenarios out of 3');
    expect(reductionError(3, 1.5, [0.2, 0.3, 0.5])).toMatch(/whole number/);
    expect(reductionError(0, 1, [])).toMatch(/no scenarios/);
    expect(reductionError(3, 1, [0.5, 0.5])).toBe('there are 3 scenarios but 2 probabilities');
    expect(reductionError(3, 1, [0.6, -0.1, 0.5])).toBe('the probability of scenario 2 is negative (-0.1)');
    expect(reductionError(2, 1, [NaN, 1])).toMatch(/scenario 1 is not a number/);
    expect(reductionError(3, 1, [0.2, 0.3, 0.4])).toMatch(/sum to 0.9/);
    expect(reductionError(3, 1, [0.1, 0.2, 0.7 + 2e-9])).toMatch(/not 1/);
  });
  it('reduceScenarios rejects what reductionError reports (except keep > n) and malformed points', () => {
    const points = Float64Array.from([0, 1, 2]);
    expect(() => reduceScenarios(points, 1, [0.2, 0.3, 0.5], 0, 'forward')).toThrow(RangeError);
    expect(() => reduceScenarios(points, 1, [0.2, 0.3, 0.4], 1, 'backward')).toThrow(/sum/);
    expect(() => reduceScenarios(points, 2, [0.2, 0.3, 0.5], 1, 'forward')).toThrow(/points/);
    expect(() => reduceScenarios(Float64Array.from([0, NaN, 2]), 1, [0.2, 0.3, 0.5], 1, 'forward')).toThrow(/non-finite/);
    expect(() => kantorovich(points, 1, [0.2, 0.3, 0.5], [])).toThrow(RangeError);
    expect(() => kantorovich(points, 1, [0.2, 0.3, 0.5], [3])).toThrow(RangeError);
  });
});

describe('speed', () => {
  const rand = rng(1000);
  const n = 1000;
  const dims = 48;
  const { points, prob } = randomInstance(rand, n, dims);
  for (const method of methods) {
    it(`${method}: n = 1000, dims = 48, keep = 10 in well under a second (bound 3 s)`, () => {
      const t0 = performance.now();
      const r = reduceScenarios(points, dims, prob, 10, method);
      const ms = performance.now() - t0;
      console.log(`reduceScenarios ${method} n=1000 dims=48 keep=10: ${ms.toFixed(1)} ms, distance ${r.distance.toFixed(4)}`);
      expect(r.kept.length).toBe(10);
      expect(ms).toBeLessThan(3000);
    });
  }
});
