// The scenarios of a model: the values of its uncertain parameters in each scenario, with
// probabilities — read from a file, or sampled from marginal distributions joined by a copula
// (copula.ts, marginals.ts), then optionally reduced (reduction.ts).
//
// Layout. Each uncertain parameter is stored like a parameter value (ParamValue): a Float64Array
// over the product of its index sets, NaN outside its domain. Scenario s holds one such array per
// parameter. The copula joins the parameters with the same index domain at the same index: for
// every index tuple i, the vector (d_1[i], ..., d_m[i]) is one draw of the m-dimensional copula;
// draws at different indices, in different scenarios, and of parameters with different domains
// are independent. Temporal correlation is modelled with scalar factors (`uncertain cloud ~
// beta(...)`, `param pv[t] = pv_clear[t] * cloud`).
//
// Reduction measures distances in standard deviations (each dimension divided by its sample
// standard deviation over all scenarios) so that kW and p.u. dimensions weigh alike.
import { Env, type ParamMember, type ScenariosInfo, type UncertaintyInfo } from '../check/program.js';
import { domainFactors, makeLoop, pushTuple } from '../check/loops.js';
import { fail, type Span } from '../diagnostics/diagnostic.js';
import type { Frame } from '../lower/frame.js';
import { Indexed, formatTuple, type Elem, type EvSet, type ParamValue } from '../lower/values.js';
import { copulaError, sampleUniforms, type Copula } from './copula.js';
import { marginalError, quantileFunction, type Marginal } from './marginals.js';
import { reduceScenarios, reductionError, type ReductionMethod } from './reduction.js';

export interface UncertainParam {
  readonly member: ParamMember;
  readonly name: string;
  readonly factors: readonly EvSet[];
  /** Size of the product of the index sets (the length of each value array). */
  readonly size: number;
  /** Positions of the domain's tuples in that product, in domain order. */
  readonly offsets: Int32Array;
}

export interface Reduced {
  readonly method: ReductionMethod;
  readonly from: number;
  readonly to: number;
  /** Kantorovich distance to the full set, in standard deviations. */
  readonly distance: number;
}

export interface ScenarioData {
  readonly params: readonly UncertainParam[];
  readonly labels: readonly string[];
  readonly prob: Float64Array;
  /** values[s][p]: the values of parameter p in scenario s (canonical units). */
  readonly values: readonly (readonly Float64Array[])[];
  /** Expected value of each parameter over the full sample (before reduction). */
  readonly mean: readonly Float64Array[];
  /** Number of samples (or given scenarios) before reduction: the N of the DRO radius. */
  readonly sampleSize: number;
  readonly reduction?: Reduced;
  /** Fresh, independent samples from the same distributions (sampled scenarios only). */
  readonly draw?: (n: number, seed: number) => { values: Float64Array[][]; prob: Float64Array };
  readonly span: Span;
}

/** The uncertain parameters' index structure, evaluated in the model's frame. */
export function uncertainParams(u: UncertaintyInfo, root: Frame): UncertainParam[] {
  return u.params.map((m) => {
    const env = new Env(root, m.uncertain!.slotCount ?? 0);
    const d = m.domain;
    if (!d) return { member: m, name: m.name, factors: [], size: 1, offsets: Int32Array.of(0) };
    const loop = makeLoop(d);
    const factors = domainFactors(d, env, loop, m.name);
    const ix = new Indexed(factors);
    const offs: number[] = [];
    const t: Elem[] = [];
    loop(env, () => { t.length = 0; pushTuple(d, env, t); offs.push(ix.offsetOf(t)); });
    return { member: m, name: m.name, factors, size: ix.size, offsets: Int32Array.from(offs) };
  });
}

/** Evaluates `f(env)` for each index of p's domain, in domain order. */
export function perIndex<T>(p: UncertainParam, root: Frame, f: (env: Env, off: number, k: number) => T): T[] {
  const m = p.member;
  const env = new Env(root, m.uncertain!.slotCount ?? 0);
  const out: T[] = [];
  const d = m.domain;
  if (!d) { out.push(f(env, 0, 0)); return out; }
  const loop = makeLoop(d);
  domainFactors(d, env, loop, m.name);
  let k = 0;
  loop(env, () => { out.push(f(env, p.offsets[k]!, k)); k++; });
  return out;
}

export function buildScenarios(u: UncertaintyInfo, root: Frame): ScenarioData | undefined {
  const s = u.scenarios;
  if (!s) return undefined;
  const params = uncertainParams(u, root);
  const full = s.kind === 'sample' ? sampled(s, params, root) : fromTable(s, params, root);
  const mean = params.map((p, i) => {
    const m = new Float64Array(p.size).fill(NaN);
    for (const off of p.offsets) {
      let v = 0;
      for (let k = 0; k < full.prob.length; k++) v += full.prob[k]! * full.values[k]![i]![off]!;
      m[off] = v;
    }
    return m;
  });
  const base = { params, mean, sampleSize: full.prob.length, span: s.span, draw: full.draw };
  if (!s.reduce) return { ...base, labels: full.labels, prob: full.prob, values: full.values };
  const keep = s.reduce.count(new Env(root, 0));
  const err = reductionError(full.prob.length, keep, Array.from(full.prob));
  if (err) fail('E0802', `cannot reduce the scenarios: ${err}`, s.reduce.span);
  const { points, dims } = scaledPoints(params, full.values);
  const r = reduceScenarios(points, dims, Array.from(full.prob), keep, s.reduce.method);
  return {
    ...base,
    labels: s.kind === 'sample' ? r.kept.map((_, k) => `s${k + 1}`) : r.kept.map((k) => full.labels[k]!),
    prob: Float64Array.from(r.prob),
    values: r.kept.map((k) => full.values[k]!),
    reduction: { method: s.reduce.method, from: full.prob.length, to: r.kept.length, distance: r.distance },
  };
}

/** Every dimension of every scenario, divided by the dimension's standard deviation. */
function scaledPoints(params: readonly UncertainParam[], values: readonly (readonly Float64Array[])[]): { points: Float64Array; dims: number } {
  const dims = params.reduce((a, p) => a + p.offsets.length, 0);
  const n = values.length;
  const points = new Float64Array(n * dims);
  let d = 0;
  params.forEach((p, i) => {
    for (const off of p.offsets) {
      let mu = 0, sq = 0;
      for (let k = 0; k < n; k++) mu += values[k]![i]![off]!;
      mu /= n;
      for (let k = 0; k < n; k++) { const x = values[k]![i]![off]! - mu; sq += x * x; }
      const sd = Math.sqrt(sq / n) || 1;
      for (let k = 0; k < n; k++) points[k * dims + d] = (values[k]![i]![off]! - mu) / sd;
      d++;
    }
  });
  return { points, dims };
}

interface Full {
  labels: string[];
  prob: Float64Array;
  values: Float64Array[][];
  draw?: ScenarioData['draw'];
}

// ---------------------------------------------------------------- sampled scenarios

function marginalsOf(p: UncertainParam, root: Frame): Marginal[] {
  const info = p.member.uncertain!;
  const spec = info.marginal!;
  const unit = p.member.unit!;
  const label = (env: Env, k: number) => (p.factors.length ? `${p.name}[${formatTuple(tupleOf(p, k)).replace(/^\(|\)$/g, '')}]` : p.name);
  if (spec.name === 'empirical') {
    const e = spec.empirical!;
    const t = e.table(root);
    const col = t.column(e.column);
    if (col < 0) fail('E0502', `the table \`${t.file}\` has no column \`${e.column}\``, e.span, `its columns are: ${t.columns.join(', ')}`);
    const arity = p.member.domain?.arity ?? 0;
    if (t.keyCols.length !== arity + 1) {
      fail('E0801', `empirical(...) for \`${p.name}\` needs a table keyed by (observation${arity ? ', ' + p.member.domain!.names.map((n) => n ?? '_').join(', ') : ''}): ${arity + 1} key column${arity ? 's' : ''}, not ${t.keyCols.length}`, e.span);
    }
    const ix = new Indexed(p.factors);
    const obs = new Map<number, number[]>();
    const key: Elem[] = new Array(t.keyCols.length);
    for (let r = 0; r < t.rowCount; r++) {
      t.keyInto(r, key);
      const off = arity ? ix.offsetOf(key.slice(1)) : 0;
      if (off < 0) continue;
      let a = obs.get(off);
      if (!a) { a = []; obs.set(off, a); }
      a.push(t.number(r, col) * unit.factor);
    }
    return perIndex(p, root, (env, off, k) => {
      const values = obs.get(off);
      if (!values?.length) fail('E0801', `the table \`${t.file}\` has no observation of ${label(env, k)}`, e.span);
      return { kind: 'empirical', values } as Marginal;
    });
  }
  const f = unit.factor;
  return perIndex(p, root, (env, _off, k) => {
    const a = (name: string, dflt?: number): number => {
      const g = spec.args.get(name);
      return g ? g(env) : dflt!;
    };
    let m: Marginal;
    switch (spec.name) {
      case 'normal': m = { kind: 'normal', mean: a('mean'), sd: a('sd') }; break;
      case 'truncnormal': m = { kind: 'truncnormal', mean: a('mean'), sd: a('sd'), lo: a('lo', -Infinity), hi: a('hi', Infinity) }; break;
      case 'beta': m = { kind: 'beta', a: a('a'), b: a('b'), lo: a('lo', 0), hi: a('hi', f) }; break;
      case 'weibull': m = { kind: 'weibull', shape: a('shape'), scale: a('scale') }; break;
      default: m = { kind: 'uniform', lo: a('lo'), hi: a('hi') };
    }
    const err = marginalError(m);
    if (err) fail('E0803', `the distribution of ${label(env, k)}: ${err}${f !== 1 ? ` (canonical units; the parameter is in ${unit.text})` : ''}`, spec.span);
    return m;
  });
}

function tupleOf(p: UncertainParam, k: number): Elem[] {
  return new Indexed(p.factors).tupleAt(p.offsets[k]!);
}

/** The copula of a group of parameters (those with the same index domain). */
function copulaOf(s: ScenariosInfo, group: readonly UncertainParam[], root: Frame): Copula {
  const c = s.copula;
  if (!c || c.kind === 'independent' || group.length === 1) return { kind: 'independent' };
  const env = new Env(root, 0);
  if (c.kind === 'gumbel') return { kind: 'gumbel', theta: c.value!(env) };
  const m = group.length;
  const R = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j): number => (i === j ? 1 : 0)));
  if (c.value) {
    const r = c.value(env);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (i !== j) R[i]![j] = r;
  } else {
    const pv = root.get<ParamValue>(c.matrix!);
    const names = group.map((p) => p.name);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        if (i === j) continue;
        const o = pv.offsetOf([names[i]!, names[j]!]);
        const v = o < 0 ? NaN : pv.num![o]!;
        if (Number.isNaN(v)) {
          fail('E0802', `the correlation matrix \`${c.matrix!.name}\` has no entry for (${names[i]}, ${names[j]})`, c.span,
            `index it by a set of the uncertain parameters' names: set U = {${names.join(', ')}}`);
        }
        R[i]![j] = v;
      }
    }
  }
  return { kind: 'gaussian', correlation: R, measure: c.measure! };
}

/** Parameters with the same index domain (the same index tuples): the copula joins each group. */
function groups(params: readonly UncertainParam[]): number[][] {
  const out: number[][] = [];
  const same = (a: UncertainParam, b: UncertainParam) => a.size === b.size && a.offsets.length === b.offsets.length && a.factors.length === b.factors.length
    && a.factors.every((f, k) => f.size === b.factors[k]!.size && Array.from({ length: f.size }, (_, i) => f.tuple(i).join('\u0000')).join('\u0001') === Array.from({ length: f.size }, (_, i) => b.factors[k]!.tuple(i).join('\u0000')).join('\u0001'))
    && a.offsets.every((o, k) => o === b.offsets[k]);
  params.forEach((p, i) => {
    const g = out.find((grp) => same(params[grp[0]!]!, p));
    if (g) g.push(i); else out.push([i]);
  });
  return out;
}

function sampled(s: ScenariosInfo, params: readonly UncertainParam[], root: Frame): Full {
  const env = new Env(root, 0);
  const n = s.n!(env);
  if (!Number.isInteger(n) || n < 1) fail('E0802', `the number of samples is a positive whole number, not ${n}`, s.decl.source.span);
  const seed = s.seed ? s.seed(env) : 1;
  if (!Number.isInteger(seed) || seed < 0) fail('E0802', `the seed is a whole number >= 0, not ${seed}`, s.decl.source.span);
  const margs = params.map((p) => marginalsOf(p, root));
  const grps = groups(params);
  const copulas = grps.map((g) => {
    const c = copulaOf(s, g.map((i) => params[i]!), root);
    const err = copulaError(c, g.length);
    if (err) fail('E0803', `the copula of ${g.map((i) => `\`${params[i]!.name}\``).join(', ')}: ${err}`, s.copula?.span ?? s.span);
    return c;
  });
  const qs = margs.map((ms) => ms.map(quantileFunction));
  const draw = (count: number, sd: number): { values: Float64Array[][]; prob: Float64Array } => {
    const values: Float64Array[][] = Array.from({ length: count }, () => params.map((p) => new Float64Array(p.size).fill(NaN)));
    grps.forEach((g, gi) => {
      // One draw of the group's copula per sample and index; each group from its own stream.
      const m = g.length;
      const I = params[g[0]!]!.offsets.length;
      const u = sampleUniforms(copulas[gi]!, m, count * I, sd + 7919 * gi);
      for (let k = 0; k < count; k++) {
        for (let j = 0; j < I; j++) {
          const row = (k * I + j) * m;
          g.forEach((i, c) => { values[k]![i]![params[i]!.offsets[j]!] = qs[i]![j]!(u[row + c]!); });
        }
      }
    });
    return { values, prob: new Float64Array(count).fill(1 / count) };
  };
  const first = draw(n, seed);
  return { labels: Array.from({ length: n }, (_, k) => `s${k + 1}`), prob: first.prob, values: first.values, draw };
}

// ---------------------------------------------------------------- given scenarios

function fromTable(s: ScenariosInfo, params: readonly UncertainParam[], root: Frame): Full {
  const t = s.table!(root);
  const labels: string[] = [];
  const at = new Map<Elem, number>();
  const rowsOf: number[][] = [];
  for (let r = 0; r < t.rowCount; r++) {
    const e = t.elem(r, t.keyCols[0]!);
    let k = at.get(e);
    if (k === undefined) { k = labels.length; at.set(e, k); labels.push(String(e)); rowsOf.push([]); }
    rowsOf[k]!.push(r);
  }
  const S = labels.length;
  if (S === 0) fail('E0802', `the scenario file \`${t.file}\` has no rows`, s.span);
  // Probabilities: one per scenario, the same on each of its rows.
  const prob = new Float64Array(S).fill(1 / S);
  if (s.prob) {
    const c = t.column(s.prob);
    if (c < 0) fail('E0502', `the scenario file \`${t.file}\` has no column \`${s.prob}\``, s.decl.source.span, `its columns are: ${t.columns.join(', ')}`);
    let sum = 0;
    for (let k = 0; k < S; k++) {
      const rows = rowsOf[k]!;
      const p = t.number(rows[0]!, c);
      for (const r of rows) {
        if (t.number(r, c) !== p) fail('E0802', `scenario \`${labels[k]}\` has two different probabilities (${p} and ${t.number(r, c)})`, t.cellSpan(r, c));
      }
      if (!(p >= 0)) fail('E0802', `the probability of scenario \`${labels[k]}\` is negative (${p})`, t.cellSpan(rows[0]!, c));
      prob[k] = p;
      sum += p;
    }
    if (Math.abs(sum - 1) > 1e-6) fail('E0802', `the scenario probabilities sum to ${sum}, not 1`, s.decl.source.span, 'check the probability column, or leave it out for equally likely scenarios');
  }
  const values: Float64Array[][] = Array.from({ length: S }, () => params.map((p) => new Float64Array(p.size).fill(NaN)));
  const key: Elem[] = new Array(t.keyCols.length);
  params.forEach((p, i) => {
    const info = p.member.uncertain!;
    const colName = info.column!.name;
    const c = t.column(colName);
    if (c < 0) fail('E0502', `the scenario file \`${t.file}\` has no column \`${colName}\``, info.column!.span, `its columns are: ${t.columns.join(', ')}`);
    const arity = p.member.domain?.arity ?? 0;
    if (t.keyCols.length !== arity + 1) {
      fail('E0802', `\`${p.name}\` has ${arity} ${arity === 1 ? 'index' : 'indices'}, so the scenario file needs ${arity + 1} key columns (the scenario, then ${arity ? 'the indices' : 'nothing else'}), not ${t.keyCols.length}`, info.column!.span);
    }
    const unit = p.member.unit!;
    const ix = new Indexed(p.factors);
    for (let r = 0; r < t.rowCount; r++) {
      t.keyInto(r, key);
      const off = arity ? ix.offsetOf(key.slice(1)) : 0;
      if (off < 0) continue;
      values[at.get(key[0]!)!]![i]![off] = t.number(r, c) * unit.factor;
    }
    for (let k = 0; k < S; k++) {
      for (let j = 0; j < p.offsets.length; j++) {
        if (Number.isNaN(values[k]![i]![p.offsets[j]!]!)) {
          const where = p.factors.length ? `${p.name}[${formatTuple(tupleOf(p, j)).replace(/^\(|\)$/g, '')}]` : p.name;
          fail('E0802', `scenario \`${labels[k]}\` gives no value of \`${where}\` in \`${t.file}\``, info.column!.span, 'every scenario needs a row for every index of every uncertain parameter');
        }
      }
    }
  });
  return { labels, prob, values };
}
