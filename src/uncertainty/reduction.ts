// Scenario reduction: pick `keep` of the n scenarios of a discrete distribution P = sum_i p_i δ_{ξ_i}
// and move every removed scenario's probability onto its nearest kept one, so that the reduced
// distribution Q is close to P in the Kantorovich (Wasserstein-1) distance.
// Reference: Growe-Kuska, Heitsch and Römisch (2003), "Scenario reduction and scenario tree
// construction for power management problems" (IEEE Bologna PowerTech); math.md section 6.
//
// Cost. c(i, j) = |ξ_i - ξ_j|_2, the Euclidean distance between rows of `points` (the caller scales
// the dimensions).
//
// Distance of a kept set S (optimal redistribution, Dupačová, Gröwe-Kuska and Römisch 2003): the
// best Q supported on S is q_j = p_j + sum over removed i whose nearest kept scenario is j of p_i,
// and then
//     D(S) = sum_{i ∉ S} p_i min_{j ∈ S} c(i, j).
// Finding the S of a given size minimising D(S) is a k-median problem (NP-hard); the two methods
// below are the paper's greedy heuristics. Each step below is exact for its own move: FFS with
// keep = 1 returns the optimal single scenario, SBR with keep = n - 1 the optimal single removal.
//
// Fast forward selection (FFS) grows the selected set S = {u_1, ..., u_k}.
//   Step 1:  z_u = sum_{k ≠ u} p_k c(k, u),                u_1 = argmin_u z_u.
//   Step i:  c^[i](k, u) = min(c^[i-1](k, u), c^[i-1](k, u_{i-1})),   for k, u ∉ S,
//            z_u = sum_{k ∉ S ∪ {u}} p_k c^[i](k, u),     u_i = argmin_{u ∉ S} z_u.
// Here c^[i](k, u) = min(d_k, c(k, u)) with d_k = min_{j ∈ S} c(k, j) the distance of k to the
// selection so far (d_k = ∞ before step 1), so only the vector d is kept: O(n^2) per step after
// the O(n^2 dims) distance matrix. z_{u_i} is exactly D(S ∪ {u_i}).
//
// Simultaneous backward reduction (SBR) shrinks the kept set by removing J = {l_1, l_2, ...}.
//   Step 1:  c_{ll} = min_{j ≠ l} c(l, j),  z_l = p_l c_{ll},   l_1 = argmin_l z_l.
//   Step i:  c^[i]_{kl} = min_{j ∉ J ∪ {l}} c(k, j)   for l ∉ J, k ∈ J ∪ {l},
//            z_l = sum_{k ∈ J ∪ {l}} p_k c^[i]_{kl},   l_i = argmin_{l ∉ J} z_l,  J := J ∪ {l_i}.
// Bookkeeping (instead of the naive O(n^2) per candidate): for every scenario k keep its nearest
// kept scenario a_k (other than itself) at distance d1_k and, for removed k, its second nearest at
// d2_k. Removing l changes c^[i]_{kl} only for removed k with a_k = l (it becomes d2_k), so
//     z_l = D(current) + Δ_l,   Δ_l = p_l d1_l + sum_{k ∈ J, a_k = l} p_k (d2_k - d1_k),
// and argmin z_l = argmin Δ_l — O(n) per step. After removing l only the scenarios whose nearest
// or second nearest was l are rescanned over the kept list (O(m) each, m = kept count); on average
// that is O(n / m) scenarios, so a step costs O(n) and the whole reduction O(n^2) after the matrix.
//
// Ties go to the lowest scenario index, so results are deterministic: in the choice of u_i / l_i
// values within 1e-12 relative count as tied (rounding in a sum cannot decide), and in the
// nearest-kept assignment exactly equal distances go to the lowest kept index.
// Memory: the n × n distance matrix (8 n^2 bytes).

export type ReductionMethod = 'forward' | 'backward';

export interface Reduction {
  /** Indices of the kept scenarios, ascending. */
  readonly kept: readonly number[];
  /** Their new probabilities, in the order of `kept`; they sum to 1 up to rounding. */
  readonly prob: readonly number[];
  /** Kantorovich distance between the original and the reduced distribution. */
  readonly distance: number;
  /** For every original scenario, the index into `kept` it was merged into. */
  readonly assignment: Int32Array;
}

/** Relative tolerance under which two objective values count as tied (then the lowest index wins). */
const TIE = 1e-12;

const better = (z: number, best: number): boolean => z < best - TIE * Math.abs(best);

/** User-facing check of a reduction request; undefined when it is valid. */
export function reductionError(n: number, keep: number, prob: readonly number[]): string | undefined {
  if (!Number.isInteger(n) || n < 1) return 'there are no scenarios to reduce';
  if (!Number.isInteger(keep)) return `the number of scenarios to keep must be a whole number, not ${keep}`;
  if (keep < 1) return `the number of scenarios to keep must be at least 1, not ${keep}`;
  if (keep > n) return `cannot keep ${keep} scenarios out of ${n}`;
  if (prob.length !== n) return `there are ${n} scenarios but ${prob.length} probabilities`;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = prob[i]!;
    if (!Number.isFinite(p)) return `the probability of scenario ${i + 1} is not a number (${p})`;
    if (p < 0) return `the probability of scenario ${i + 1} is negative (${p})`;
    sum += p;
  }
  if (!(Math.abs(sum - 1) <= 1e-9)) return `the scenario probabilities sum to ${sum}, not 1`;
  return undefined;
}

function checkPoints(points: Float64Array, dims: number, n: number): void {
  if (!Number.isInteger(dims) || dims < 1) throw new RangeError(`dims must be a positive integer, not ${dims}`);
  if (points.length !== n * dims) throw new RangeError(`points has ${points.length} values, expected ${n} × ${dims}`);
  for (let i = 0; i < points.length; i++) {
    if (!Number.isFinite(points[i]!)) throw new RangeError(`scenario ${Math.floor(i / dims) + 1} has a non-finite coordinate`);
  }
}

function dist(points: Float64Array, dims: number, i: number, j: number): number {
  const a = i * dims;
  const b = j * dims;
  let s0 = 0;
  let s1 = 0;
  let d = 0;
  for (; d + 1 < dims; d += 2) {
    const t0 = points[a + d]! - points[b + d]!;
    const t1 = points[a + d + 1]! - points[b + d + 1]!;
    s0 += t0 * t0;
    s1 += t1 * t1;
  }
  if (d < dims) {
    const t = points[a + d]! - points[b + d]!;
    s0 += t * t;
  }
  return Math.sqrt(s0 + s1);
}

/** Symmetric n × n Euclidean distance matrix, row-major. */
function distanceMatrix(points: Float64Array, dims: number, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = dist(points, dims, i, j);
      c[i * n + j] = v;
      c[j * n + i] = v;
    }
  }
  return c;
}

/**
 * Kantorovich distance between P (all n scenarios) and its optimal redistribution onto `kept`:
 * sum over i ∉ kept of p_i min_{j ∈ kept} c(i, j). `kept` may be in any order.
 */
export function kantorovich(points: Float64Array, dims: number, prob: readonly number[], kept: readonly number[]): number {
  const n = prob.length;
  checkPoints(points, dims, n);
  if (kept.length === 0) throw new RangeError('kantorovich: the kept set is empty');
  const isKept = new Uint8Array(n);
  for (const j of kept) {
    if (!Number.isInteger(j) || j < 0 || j >= n) throw new RangeError(`kantorovich: kept index ${j} out of range 0..${n - 1}`);
    isKept[j] = 1;
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (isKept[i]) continue;
    let best = Infinity;
    for (const j of kept) {
      const v = dist(points, dims, i, j);
      if (v < best) best = v;
    }
    total += prob[i]! * best;
  }
  return total;
}

/** Reduces the n scenarios (rows of `points`) with probabilities `prob` to `keep` of them. */
export function reduceScenarios(points: Float64Array, dims: number, prob: readonly number[], keep: number, method: ReductionMethod): Reduction {
  const n = prob.length;
  const err = reductionError(n, Number.isInteger(keep) && keep > n ? n : keep, prob);
  if (err !== undefined) throw new RangeError(err);
  checkPoints(points, dims, n);
  if (method !== 'forward' && method !== 'backward') throw new RangeError(`unknown reduction method '${String(method)}'`);

  let total = 0;
  for (const p of prob) total += p;

  if (keep >= n) {
    const kept = Array.from({ length: n }, (_, i) => i);
    return { kept, prob: prob.map((p) => p / total), distance: 0, assignment: Int32Array.from(kept) };
  }

  const c = distanceMatrix(points, dims, n);
  const isKept = method === 'forward' ? forwardSelection(c, n, prob, keep) : backwardReduction(c, n, prob, keep);
  return finish(c, n, prob, total, isKept);
}

/** FFS: returns the 0/1 membership of the selected set. */
function forwardSelection(c: Float64Array, n: number, prob: readonly number[], keep: number): Uint8Array {
  const p = Float64Array.from(prob);
  const selected = new Uint8Array(n);
  // d[k] = distance of k to the selection so far (∞ before the first step).
  const d = new Float64Array(n).fill(Infinity);
  const free = Int32Array.from({ length: n }, (_, i) => i); // unselected, ascending, first `m` entries
  let m = n;
  for (let step = 0; step < keep; step++) {
    let bestU = -1;
    let bestZ = Infinity;
    for (let a = 0; a < m; a++) {
      const u = free[a]!;
      const row = u * n;
      let z = 0;
      for (let b = 0; b < m; b++) {
        const k = free[b]!;
        if (k === u) continue;
        const cku = c[row + k]!; // symmetric: c(k, u) = c(u, k)
        const dk = d[k]!;
        z += p[k]! * (cku < dk ? cku : dk);
      }
      if (bestU < 0 || better(z, bestZ)) {
        bestU = u;
        bestZ = z;
      }
    }
    selected[bestU] = 1;
    let w = 0;
    for (let a = 0; a < m; a++) if (free[a] !== bestU) free[w++] = free[a]!;
    m = w;
    const row = bestU * n;
    for (let a = 0; a < m; a++) {
      const k = free[a]!;
      const v = c[row + k]!;
      if (v < d[k]!) d[k] = v;
    }
  }
  return selected;
}

/** SBR: returns the 0/1 membership of the kept set. */
function backwardReduction(c: Float64Array, n: number, prob: readonly number[], keep: number): Uint8Array {
  const p = Float64Array.from(prob);
  const kept = new Uint8Array(n).fill(1);
  const list = Int32Array.from({ length: n }, (_, i) => i); // kept, ascending, first `m` entries
  let m = n;
  const a1 = new Int32Array(n); // nearest kept scenario other than k
  const a2 = new Int32Array(n).fill(-1); // second nearest (maintained for removed k only)
  const d1 = new Float64Array(n);
  const d2 = new Float64Array(n).fill(Infinity);

  // Nearest (and optionally second nearest) kept scenario of k, scanning the kept list in
  // ascending order with strict comparisons so the lowest index wins a tie.
  const scan = (k: number, second: boolean): void => {
    const row = k * n;
    let b1 = -1;
    let v1 = Infinity;
    let b2 = -1;
    let v2 = Infinity;
    for (let t = 0; t < m; t++) {
      const j = list[t]!;
      if (j === k) continue;
      const v = c[row + j]!;
      if (v < v1 || b1 < 0) {
        b2 = b1;
        v2 = v1;
        b1 = j;
        v1 = v;
      } else if (second && (v < v2 || b2 < 0)) {
        b2 = j;
        v2 = v;
      }
    }
    a1[k] = b1;
    d1[k] = v1;
    if (second) {
      a2[k] = b2;
      d2[k] = v2;
    }
  };

  for (let k = 0; k < n; k++) scan(k, false);
  const delta = new Float64Array(n);
  while (m > keep) {
    // Δ_l = p_l d1_l + sum over removed k with a1_k = l of p_k (d2_k - d1_k).
    for (let t = 0; t < m; t++) {
      const l = list[t]!;
      delta[l] = p[l]! * d1[l]!;
    }
    for (let k = 0; k < n; k++) {
      if (kept[k]) continue;
      delta[a1[k]!] += p[k]! * (d2[k]! - d1[k]!);
    }
    let l = -1;
    let bestZ = Infinity;
    for (let t = 0; t < m; t++) {
      const j = list[t]!;
      const z = delta[j]!;
      if (l < 0 || better(z, bestZ)) {
        l = j;
        bestZ = z;
      }
    }
    kept[l] = 0;
    let w = 0;
    for (let t = 0; t < m; t++) if (list[t] !== l) list[w++] = list[t]!;
    m = w;
    // l itself is now removed: its nearest kept stays a1[l] (l was never its own candidate) but it
    // needs a second nearest; every other scenario that pointed at l is rescanned.
    for (let k = 0; k < n; k++) {
      if (k === l) scan(k, true);
      else if (kept[k]) {
        if (a1[k] === l) scan(k, false);
      } else if (a1[k] === l || a2[k] === l) scan(k, true);
    }
  }
  return kept;
}

/** Assignment to the nearest kept scenario (lowest index on ties), new probabilities, distance. */
function finish(c: Float64Array, n: number, prob: readonly number[], total: number, isKept: Uint8Array): Reduction {
  const kept: number[] = [];
  const pos = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    if (isKept[i]) {
      pos[i] = kept.length;
      kept.push(i);
    }
  }
  const assignment = new Int32Array(n);
  const mass = new Array<number>(kept.length).fill(0);
  let distance = 0;
  for (let i = 0; i < n; i++) {
    let to = pos[i]!;
    if (to < 0) {
      const row = i * n;
      let best = Infinity;
      for (let t = 0; t < kept.length; t++) {
        const v = c[row + kept[t]!]!;
        if (v < best) {
          best = v;
          to = t;
        }
      }
      distance += prob[i]! * best;
    }
    assignment[i] = to;
    mass[to] = mass[to]! + prob[i]!;
  }
  return { kept, prob: mass.map((p) => p / total), distance, assignment };
}
