// Worlds: the model is built once per world, each world binding the uncertain parameters to one
// set of values. What the worlds are depends on the treatment (method.ts):
//
//   deterministic   no uncertain parameters: one world, the model as written
//   mean (ev)       one world, every uncertain parameter at its expected value
//   scenarios       one world per scenario (sp, dro, ro without sets), with its probability;
//                   recourse variables get one copy per world, the others are shared
//   robust-set      ro with uncertainty sets: world 0 at the nominal values, world k at the
//                   nominal values plus the deviation of dimension k, and a last world at a
//                   random combination of the deviations. Rows are affine in the uncertain data,
//                   so world k minus world 0 is the row's coefficient of dimension k times its
//                   deviation, which is what the robust counterparts (robust-box.ts,
//                   robust-budget.ts) need; the last world checks that affinity. All variables
//                   are shared (static robustness).
//
// Building a world evaluates everything again (parameters, sets, rows); rows identical to world
// 0's are dropped (src/lower/elaborate.ts), so a first-stage constraint appears once. The cost is
// the size of the extensive form, which is what a stochastic program is.
import { Env, type ParamMember, type UncertaintyInfo } from '../check/program.js';
import { fail } from '../diagnostics/diagnostic.js';
import type { Frame } from '../lower/frame.js';
import { formatTuple, Indexed } from '../lower/values.js';
import type { Method } from './method.js';
import { radiusFor } from './radius.js';
import { buildScenarios, perIndex, uncertainParams, type ScenarioData, type UncertainParam } from './scenarios.js';

export interface World {
  readonly label: string;
  readonly prob: number;
  readonly values: ReadonlyMap<ParamMember, Float64Array>;
}

export interface RobustDim {
  readonly param: number;
  readonly off: number;
  readonly dev: number;
}

export interface RobustPlan {
  /** World k (1..K) perturbs dims[k - 1] by its deviation. */
  readonly dims: readonly RobustDim[];
  /** Per uncertain parameter: its set (dims of one parameter form one budget group). */
  readonly sets: readonly { readonly kind: 'box' | 'budget'; readonly gamma: number }[];
  /** Multipliers of the deviations in the last (affinity check) world. */
  readonly check: Float64Array;
}

export interface Plan {
  readonly kind: 'deterministic' | 'mean' | 'scenarios' | 'robust-set';
  readonly method?: Method;
  readonly worlds: readonly World[];
  /** Recourse variables are copied per world. */
  readonly copies: boolean;
  readonly params: readonly UncertainParam[];
  readonly data?: ScenarioData;
  /** dro: the radius of the ambiguity set. */
  readonly radius?: number;
  readonly robust?: RobustPlan;
  /** Out-of-sample evaluation: chance and expectation constraints are not built (their violation is measured). */
  readonly evaluation?: boolean;
  /** Every variable is a recourse variable (wait-and-see). */
  readonly allRecourse?: boolean;
}

/**
 * Worlds given by the caller instead of the model's scenarios: the values of the uncertain
 * parameters (by name, each a function of the scenario data) — the out-of-sample evaluation of
 * `evg compare` builds one world per held-out sample, with the first-stage decisions fixed.
 */
export interface WorldOverride {
  readonly worlds: (params: readonly UncertainParam[], data: ScenarioData | undefined) => World[];
  /** Every variable is copied per world (wait-and-see: each scenario known in advance). */
  readonly allRecourse?: boolean;
}

export const DETERMINISTIC: Plan = { kind: 'deterministic', worlds: [{ label: '', prob: 1, values: new Map() }], copies: false, params: [] };

function worldOf(label: string, prob: number, params: readonly UncertainParam[], values: readonly Float64Array[]): World {
  return { label, prob, values: new Map(params.map((p, i) => [p.member, values[i]!])) };
}

/** The worlds for a method; `root` is world 0's model frame (for the data the scenarios are built from). */
export function planWorlds(u: UncertaintyInfo, root: Frame, method: Method): Plan {
  if (method.kind === 'ro' && u.params.some((m) => m.uncertain!.set)) return robustPlan(u, root, method);
  const data = buildScenarios(u, root)!;
  const params = data.params;
  if (method.kind === 'ev') return { kind: 'mean', method, worlds: [worldOf('mean', 1, params, data.mean)], copies: false, params, data };
  const worlds = data.labels.map((l, s) => worldOf(l, data.prob[s]!, params, data.values[s]!));
  const radius = method.kind === 'dro' ? (method.radius ?? radiusFor(method.divergence, method.confidence, data.sampleSize, worlds.length)) : undefined;
  return { kind: 'scenarios', method, worlds, copies: true, params, data, radius };
}

function robustPlan(u: UncertaintyInfo, root: Frame, method: Method): Plan {
  const params = uncertainParams(u, root);
  const missing = params.filter((p) => !p.member.uncertain!.set);
  if (missing.length) {
    fail('E0801', `the robust treatment over uncertainty sets needs a set for every uncertain parameter; \`${missing[0]!.name}\` has none`, missing[0]!.member.span,
      'add `in box(...)` or `in budget(...)`; or remove the sets to be robust over the scenarios');
  }
  const needsData = params.some((p) => p.member.uncertain!.set!.args.size === 0 || (p.member.uncertain!.set!.name === 'budget' && !p.member.uncertain!.set!.args.has('nominal') && !p.member.uncertain!.set!.args.has('lo')));
  const data = needsData || u.scenarios ? buildScenarios(u, root) : undefined;
  const nominal: Float64Array[] = [];
  const dims: RobustDim[] = [];
  const sets: { kind: 'box' | 'budget'; gamma: number }[] = [];
  params.forEach((p, i) => {
    const spec = p.member.uncertain!.set!;
    const nom = new Float64Array(p.size).fill(NaN);
    const ix = new Indexed(p.factors);
    const label = (k: number) => (p.factors.length ? `${p.name}[${formatTuple(ix.tupleAt(p.offsets[k]!)).replace(/^\(|\)$/g, '')}]` : p.name);
    perIndex(p, root, (env, off, k) => {
      const a = (n: string) => spec.args.get(n)?.(env);
      let c: number, d: number;
      if (spec.args.has('nominal')) { c = a('nominal')!; d = a('deviation')!; }
      else if (spec.args.has('lo')) { const lo = a('lo')!, hi = a('hi')!; c = (lo + hi) / 2; d = (hi - lo) / 2; }
      else {
        if (!data) fail('E0801', `${spec.name}() without bounds takes the range of the scenarios, but the model declares none`, spec.span, 'give nominal and deviation, or lo and hi');
        let lo = Infinity, hi = -Infinity;
        for (const v of data.values) { lo = Math.min(lo, v[i]![off]!); hi = Math.max(hi, v[i]![off]!); }
        c = (lo + hi) / 2; d = (hi - lo) / 2;
      }
      if (!Number.isFinite(c) || !(d >= 0) || !Number.isFinite(d)) {
        fail('E0803', `the uncertainty set of ${label(k)} needs a finite nominal value and a deviation >= 0 (got ${c} and ${d})`, spec.span);
      }
      nom[off] = c;
      if (d > 0) dims.push({ param: i, off, dev: d });
    });
    nominal.push(nom);
    const gamma = spec.args.get('gamma')?.(new Env(root, 0)) ?? Infinity;
    if (spec.name === 'budget' && !(gamma >= 0)) fail('E0803', `the budget gamma of \`${p.name}\` must be >= 0, not ${gamma}`, spec.argSpans.get('gamma') ?? spec.span);
    sets.push({ kind: spec.name as 'box' | 'budget', gamma });
  });
  // A fixed pseudo-random combination for the affinity check (reproducible; any generic point works).
  const check = new Float64Array(dims.length);
  let x = 0x2545f491;
  for (let k = 0; k < check.length; k++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; check[k] = ((x >>> 8) / 2 ** 24) * 2 - 1 || 0.5; }
  const worlds: World[] = [worldOf('nominal', 1, params, nominal)];
  dims.forEach((dm, k) => {
    const v = nominal.map((a) => Float64Array.from(a));
    v[dm.param]![dm.off]! += dm.dev;
    worlds.push(worldOf(`d${k + 1}`, 0, params, v));
  });
  if (dims.length) {
    const v = nominal.map((a) => Float64Array.from(a));
    dims.forEach((dm, k) => { v[dm.param]![dm.off]! += check[k]! * dm.dev; });
    worlds.push(worldOf('check', 0, params, v));
  }
  return { kind: 'robust-set', method, worlds, copies: false, params, data, robust: { dims, sets, check } };
}
