// Checking the declarations of uncertainty: `uncertain` parameters (their marginal distribution,
// their column of given scenarios, their robust set), the `scenarios` declaration (sampled with a
// copula, or read from a file), `recourse` and `treatment`.
//
// Everything here is data known before any scenario is drawn: the arguments of distributions,
// copulas and sets are compiled in a deterministic context (E0409 for variables, E0801 for
// uncertain parameters). The values themselves are produced when the model is built
// (src/uncertainty/scenarios.ts); the treatments are src/uncertainty/method.ts.
import type * as A from '../syntax/ast.js';
import type { Diagnostics, Span } from '../diagnostics/diagnostic.js';
import type { DataLoader } from '../data/table.js';
import type { Frame, InstanceValue } from '../lower/frame.js';
import {
  Env, type C, type CallSpec, type CDomain, type InstanceMember, type Member, type NumFn, type ParamMember,
  type RecourseTarget, type ScenariosInfo, type ScopeDef, type TreatmentSpec, type UncertaintyInfo, type VarMember,
} from './program.js';
import { Ctx, SlotAlloc } from './context.js';
import { asNum } from './ops.js';
import { ONE, describeUnit, resolveUnit, sameDims, type Unit } from './units.js';
import { tableSource } from './param-data.js';

/** What this module needs of the checker. */
export interface CheckerApi {
  readonly diags: Diagnostics;
  readonly loader: DataLoader;
  readonly root: ScopeDef;
  expr(e: A.Expr, ctx: Ctx): C;
  domain(d: A.Domain, ctx: Ctx): CDomain | undefined;
  lookup(name: string, scope: ScopeDef): { member: Member; depth: number } | undefined;
  resolve(m: Member): void;
}

/** Marginal distributions: their arguments, in positional order, and which carry the parameter's unit. */
export const MARGINALS: Readonly<Record<string, readonly { name: string; unit: boolean; optional?: boolean }[]>> = {
  normal: [{ name: 'mean', unit: true }, { name: 'sd', unit: true }],
  truncnormal: [{ name: 'mean', unit: true }, { name: 'sd', unit: true }, { name: 'lo', unit: true, optional: true }, { name: 'hi', unit: true, optional: true }],
  beta: [{ name: 'a', unit: false }, { name: 'b', unit: false }, { name: 'lo', unit: true, optional: true }, { name: 'hi', unit: true, optional: true }],
  weibull: [{ name: 'shape', unit: false }, { name: 'scale', unit: true }],
  uniform: [{ name: 'lo', unit: true }, { name: 'hi', unit: true }],
  empirical: [],
};

const SETS: Readonly<Record<string, readonly { name: string; unit: boolean; optional?: boolean }[]>> = {
  box: [{ name: 'nominal', unit: true, optional: true }, { name: 'deviation', unit: true, optional: true }, { name: 'lo', unit: true, optional: true }, { name: 'hi', unit: true, optional: true }],
  budget: [{ name: 'nominal', unit: true, optional: true }, { name: 'deviation', unit: true, optional: true }, { name: 'lo', unit: true, optional: true }, { name: 'hi', unit: true, optional: true }, { name: 'gamma', unit: false }],
};

const list = (xs: Iterable<string>) => [...xs].join(', ');

/** A numeric argument in canonical units: a quantity of the parameter's dimension, or a plain number. */
function numArg(chk: CheckerApi, e: A.Expr, ctx: Ctx, unit: Unit | undefined, what: string): NumFn | undefined {
  const c = asNum(chk.expr(e, ctx), e.span, chk.diags, what);
  if (!c) return undefined;
  if (!unit) {
    if (!c.unit.isDimensionless) { chk.diags.report('E0801', `${what} is a plain number, not a quantity in ${c.unit.text}`, e.span); return undefined; }
    // Canonical already (`60 %` is 0.6).
    return c.f;
  }
  if (c.bare) {
    // A plain number is in the parameter's declared unit, as in `param c : $/MWh = 5`.
    const f = c.f, k = unit.factor;
    return k === 1 ? f : (env) => f(env) * k;
  }
  if (!sameDims(c.unit, unit)) {
    chk.diags.report('E0403', `${what} is in ${describeUnit(c.unit)} but the parameter is in ${describeUnit(unit)}`, e.span);
    return undefined;
  }
  return c.f;
}

/** `name(a, b, key = v)` against a signature: the numeric arguments by name. */
function callSpec(chk: CheckerApi, call: A.Expr & { kind: 'call' }, sig: readonly { name: string; unit: boolean; optional?: boolean }[], ctx: Ctx, unit: Unit, what: string): CallSpec | undefined {
  const args = new Map<string, NumFn>(), spans = new Map<string, Span>();
  let ok = true;
  if (call.args.length > sig.length) {
    chk.diags.report('E0801', `${call.callee.name}(...) takes ${sig.length} argument${sig.length === 1 ? '' : 's'}: ${sig.map((s) => s.name).join(', ')}`, call.span);
    return undefined;
  }
  const put = (name: string, e: A.Expr) => {
    const s = sig.find((x) => x.name === name);
    if (!s) { chk.diags.report('E0801', `${call.callee.name}(...) has no argument \`${name}\``, e.span, `its arguments are: ${sig.map((x) => x.name).join(', ')}`); ok = false; return; }
    if (args.has(name)) { chk.diags.report('E0801', `argument \`${name}\` is given twice`, e.span); ok = false; return; }
    const f = numArg(chk, e, ctx, s.unit ? unit : undefined, `\`${name}\` of ${what}`);
    if (!f) { ok = false; return; }
    args.set(name, f);
    spans.set(name, e.span);
  };
  call.args.forEach((e, i) => put(sig[i]!.name, e));
  for (const n of call.named) put(n.name.name, n.value);
  if (!ok) return undefined;
  const missing = sig.filter((s) => !s.optional && !args.has(s.name)).map((s) => s.name);
  if (missing.length) {
    chk.diags.report('E0801', `${call.callee.name}(...) needs ${missing.map((m) => `\`${m}\``).join(' and ')}`, call.span, `write ${call.callee.name}(${sig.map((s) => `${s.name} = ...`).join(', ')})`);
    return undefined;
  }
  return { name: call.callee.name, span: call.span, args, argSpans: spans };
}

/** `uncertain NAME[DOMAIN] : UNIT [~ DIST] [= W.column] [in SET]`. */
export function compileUncertain(chk: CheckerApi, m: ParamMember): void {
  const info = m.uncertain!;
  const d = info.decl;
  const slots = new SlotAlloc();
  const ctx = new Ctx(m.scope, slots).deterministic(`the distribution of \`${m.name}\``);
  if (d.domain) {
    m.domain = chk.domain(d.domain, ctx);
    if (!m.domain) return;
  }
  m.unit = d.unit ? resolveUnit(d.unit, chk.diags) : ONE;
  if (!m.unit) return;
  const unit = m.unit;
  if (d.distribution) {
    const e = d.distribution;
    if (e.kind !== 'call' || !(e.callee.name in MARGINALS)) {
      chk.diags.report('E0801', `\`~\` takes a distribution: ${list(Object.keys(MARGINALS).map((k) => `${k}(...)`))}`, e.span, 'for example `uncertain d[t in T] : kW ~ normal(mean = d0[t], sd = 0.1 * d0[t])`');
    } else if (e.callee.name === 'empirical') {
      const col = e.args[0];
      if (e.args.length !== 1 || e.named.length || col?.kind !== 'member' || col.target.kind !== 'name') {
        chk.diags.report('E0801', 'empirical(...) takes a table column: empirical(history.load_kW)', e.span, 'the table is keyed by (observation, the indices of the parameter)');
      } else {
        const found = chk.lookup(col.target.name, m.scope);
        if (!found || found.member.kind !== 'table') {
          chk.diags.report('E0801', `\`${col.target.name}\` is not a table`, col.target.span, 'declare it with `table history = csv("file.csv", key = (day, hour))`');
        } else {
          const tm = found.member;
          chk.resolve(tm);
          info.marginal = { name: 'empirical', span: e.span, args: new Map(), argSpans: new Map(), empirical: { table: (frame: Frame) => frame.get(tm), column: col.member.name, span: col.member.span } };
        }
      }
    } else {
      const spec = callSpec(chk, e, MARGINALS[e.callee.name]!, ctx, unit, `the distribution of \`${m.name}\``);
      if (spec) info.marginal = spec;
    }
  }
  if (d.value) {
    const e = d.value;
    if (e.kind !== 'member' || e.target.kind !== 'name') {
      chk.diags.report('E0801', `the values of \`${m.name}\` come from a column of the scenarios: \`= W.column\``, e.span, 'or from a distribution: `~ normal(...)`');
    } else info.column = { name: e.member.name, span: e.member.span, scenarios: e.target.name } as typeof info.column;
  }
  if (d.set) {
    const e = d.set;
    if (e.kind !== 'call' || !(e.callee.name in SETS)) {
      chk.diags.report('E0801', 'an uncertainty set is `box(...)` or `budget(...)`', e.span, 'box(nominal = d0[t], deviation = 0.2 * d0[t]), box(lo = ..., hi = ...), budget(nominal = ..., deviation = ..., gamma = 3), or box() for the range of the scenarios');
    } else {
      const spec = callSpec(chk, e, SETS[e.callee.name]!, ctx, unit, `the uncertainty set of \`${m.name}\``);
      if (spec) {
        const has = (k: string) => spec.args.has(k);
        const pairs = (has('nominal') || has('deviation') ? 1 : 0) + (has('lo') || has('hi') ? 1 : 0);
        if (pairs > 1 || has('nominal') !== has('deviation') || has('lo') !== has('hi')) {
          chk.diags.report('E0801', `${e.callee.name}(...) takes either \`nominal\` and \`deviation\`, or \`lo\` and \`hi\` (or neither: the range of the scenarios)`, e.span);
        } else info.set = spec;
      }
    }
  }
  if (!d.distribution && !d.value && !d.set) {
    chk.diags.report('E0801', `uncertain parameter \`${m.name}\` has no source of values`, d.span,
      'give a distribution (`~ normal(mean = ..., sd = ...)`), a column of the scenarios (`= W.column`), or an uncertainty set (`in box(...)`)');
  }
  Object.defineProperty(info, 'slotCount', { get: () => slots.n });
}

/** A plain number (or a percentage) written in a call, e.g. `n = 1000`, `confidence = 95 %`. */
function literalNumber(chk: CheckerApi, e: A.Expr, what: string): number | undefined {
  const c = chk.expr(e, new Ctx(chk.root, new SlotAlloc()).deterministic(what));
  const n = asNum(c, e.span, chk.diags, what);
  if (!n) return undefined;
  if (!n.unit.isDimensionless) { chk.diags.report('E0802', `${what} is a plain number, not a quantity in ${n.unit.text}`, e.span); return undefined; }
  try {
    return n.f(new Env(null as unknown as Frame, 0));
  } catch {
    chk.diags.report('E0802', `${what} must be a number written in the model (or a scalar parameter)`, e.span);
    return undefined;
  }
}

/** `scenarios W = sample(n = 1000, seed = 1, copula = gaussian(spearman = 0.5), reduce = backward(10))` or `= csv("f.csv", key = (s, t), prob = p)`. */
export function compileScenarios(chk: CheckerApi, d: A.ScenariosDecl, u: UncertaintyInfo): void {
  const e = d.source;
  if (u.scenarios) {
    chk.diags.report('E0802', 'a model has one scenario set; this is a second one', d.span, undefined, [{ message: 'the first', span: u.scenarios.span }]);
    return;
  }
  if (e.kind !== 'call' || !['sample', 'csv', 'json'].includes(e.callee.name)) {
    chk.diags.report('E0802', 'scenarios are sampled, `sample(n = 1000, seed = 1, ...)`, or read from a file, `csv("scenarios.csv", key = (scenario, t))`', e.span);
    return;
  }
  const ctx = new Ctx(chk.root, new SlotAlloc()).deterministic('the scenarios');
  const num = (x: A.Expr, what: string): NumFn | undefined => numArg(chk, x, ctx, undefined, what);
  let reduce: ScenariosInfo['reduce'];
  const named = e.named.filter((n) => {
    if (n.name.name !== 'reduce') return true;
    const r = n.value;
    if (r.kind !== 'call' || !['forward', 'backward'].includes(r.callee.name) || r.args.length !== 1 || r.named.length) {
      chk.diags.report('E0802', 'reduce = forward(S) or backward(S): fast forward selection or simultaneous backward reduction to S scenarios', r.span);
      return false;
    }
    const count = num(r.args[0]!, 'the number of scenarios kept');
    if (count) reduce = { method: r.callee.name as 'forward' | 'backward', count, span: r.span };
    return false;
  });
  if (e.callee.name === 'sample') {
    let n: NumFn | undefined, seed: NumFn | undefined, copula: ScenariosInfo['copula'];
    if (e.args.length) chk.diags.report('E0802', 'sample(...) takes named arguments: n, seed, copula, reduce', e.args[0]!.span);
    for (const a of named) {
      switch (a.name.name) {
        case 'n': n = num(a.value, 'the number of samples'); break;
        case 'seed': seed = num(a.value, 'the seed'); break;
        case 'copula': copula = compileCopula(chk, a.value, ctx); break;
        default: chk.diags.report('E0802', `sample(...) has no argument \`${a.name.name}\``, a.name.span, 'its arguments are: n, seed, copula, reduce');
      }
    }
    if (!n) { chk.diags.report('E0802', 'sample(...) needs the number of samples: n = 1000', e.span); return; }
    u.scenarios = { name: d.name.name, span: d.name.span, decl: d, kind: 'sample', n, seed, copula, reduce };
    return;
  }
  let prob: string | undefined;
  const rest = named.filter((a) => {
    if (a.name.name !== 'prob') return true;
    if (a.value.kind !== 'name') chk.diags.report('E0802', 'prob = COLUMN names the column of the scenario probabilities', a.value.span);
    else prob = a.value.name;
    return false;
  });
  const src = tableSource({ ...e, named: rest }, chk.diags);
  if (!src) return;
  if (src.keys.length === 0) {
    chk.diags.report('E0802', `the scenario file needs its key columns: ${e.callee.name}("...", key = (scenario, t)), the scenario first`, e.span);
    return;
  }
  const loader = chk.loader;
  u.scenarios = {
    name: d.name.name, span: d.name.span, decl: d, kind: 'table', prob, reduce,
    table: () => loader.load(src.path, src.format, { keys: src.keys, delimiter: src.delimiter, declSpan: e.span }),
  };
}

function compileCopula(chk: CheckerApi, e: A.Expr, ctx: Ctx): ScenariosInfo['copula'] {
  const bad = () => chk.diags.report('E0802', 'a copula is independent, gaussian(spearman = R) or gaussian(pearson = R), or gumbel(theta = X)', e.span,
    'R is one correlation for every pair, or a parameter R[U, U] over a set U of the uncertain parameters\' names');
  if (e.kind === 'name' && e.name === 'independent') return { kind: 'independent', span: e.span };
  if (e.kind !== 'call' || e.args.length || e.named.length !== 1) { bad(); return undefined; }
  const a = e.named[0]!;
  if (e.callee.name === 'gumbel' && a.name.name === 'theta') {
    const f = numArg(chk, a.value, ctx, undefined, 'theta');
    return f ? { kind: 'gumbel', value: f, span: e.span } : undefined;
  }
  if (e.callee.name !== 'gaussian' || (a.name.name !== 'spearman' && a.name.name !== 'pearson')) { bad(); return undefined; }
  const measure = a.name.name as 'spearman' | 'pearson';
  const v = a.value;
  if (v.kind === 'name') {
    const found = chk.lookup(v.name, chk.root);
    if (found?.member.kind === 'param' && found.member.decl?.domain) {
      const pm = found.member;
      chk.resolve(pm);
      if (pm.domain?.arity !== 2) { chk.diags.report('E0802', `the correlation matrix \`${v.name}\` needs two indices, both over the uncertain parameters' names`, v.span); return undefined; }
      return { kind: 'gaussian', measure, matrix: pm, span: e.span };
    }
  }
  const f = numArg(chk, v, ctx, undefined, 'the correlation');
  return f ? { kind: 'gaussian', measure, value: f, span: e.span } : undefined;
}

/** `treatment dro(divergence = hellinger, confidence = 0.95)`: the method and its options as written. */
export function compileTreatment(chk: CheckerApi, d: A.TreatmentDecl, u: UncertaintyInfo): void {
  if (u.treatment) {
    chk.diags.report('E0805', 'a model has one treatment of its uncertainty; this is a second one', d.span, undefined, [{ message: 'the first', span: u.treatment.span }]);
    return;
  }
  const e = d.method;
  const name = e.kind === 'name' ? e.name : e.kind === 'call' ? e.callee.name : undefined;
  if (!name || (e.kind === 'call' && e.args.length)) {
    chk.diags.report('E0805', 'a treatment is a method with named options: `treatment sp`, `treatment dro(divergence = hellinger, confidence = 0.95)`', e.span);
    return;
  }
  const options = new Map<string, { value: number | string; span: Span }>();
  for (const a of e.kind === 'call' ? e.named : []) {
    const v = a.value;
    if (v.kind === 'name') options.set(a.name.name, { value: v.name, span: v.span });
    else {
      const n = literalNumber(chk, v, `option \`${a.name.name}\``);
      if (n !== undefined) options.set(a.name.name, { value: n, span: v.span });
    }
  }
  const spec: TreatmentSpec = { span: e.span, method: name, options };
  u.treatment = spec;
}

/** `recourse x, bess.p_ch, rt`: variables, instance members or whole instances. */
export function compileRecourse(chk: CheckerApi, d: A.RecourseDecl, scope: ScopeDef, u: UncertaintyInfo): void {
  for (const t of d.targets) {
    const r = recourseTarget(chk, t, scope);
    if (r) u.recourse.push(r);
  }
}

function recourseTarget(chk: CheckerApi, e: A.Expr, scope: ScopeDef): RecourseTarget | undefined {
  const bad = (why: string) => {
    chk.diags.report('E0804', why, e.span, '`recourse` names variables (`p_rt`, `bess.p_ch`) or instances (`bess`: all of its variables)');
    return undefined;
  };
  // The chain of names: x, a.b, a.b.c.
  const names: A.Ident[] = [];
  let x: A.Expr = e;
  while (x.kind === 'member') { names.unshift(x.member); x = x.target; }
  if (x.kind !== 'name') return bad('`recourse` takes names of variables or instances');
  names.unshift({ name: x.name, span: x.span });
  if (scope.kind === 'component') {
    // In a component: its own variables, in every instance.
    const m = scope.members.get(x.name);
    if (names.length !== 1 || m?.kind !== 'var') return bad(`in a component, \`recourse\` names the component's own variables; \`${names.map((n) => n.name).join('.')}\` is not one`);
    return { span: e.span, frames: () => [], member: m as VarMember, everyInstance: true };
  }
  let frames = (env: Env): readonly Frame[] => [env.frame];
  let sc: ScopeDef = scope;
  for (let i = 0; i < names.length; i++) {
    const id = names[i]!;
    const m = i === 0 ? chk.lookup(id.name, sc)?.member : sc.members.get(id.name);
    if (!m) return bad(`\`${id.name}\` is not declared${i ? ` in component \`${sc.componentName}\`` : ''}`);
    chk.resolve(m);
    const last = i === names.length - 1;
    if (m.kind === 'var') {
      if (!last) return bad(`\`${id.name}\` is a variable and has no members`);
      const outer = frames;
      return { span: e.span, frames: (env) => outer(env), member: m as VarMember };
    }
    if (m.kind !== 'instance') return bad(`\`${id.name}\` is a ${m.kind}, not a variable or an instance`);
    const inst = m as InstanceMember;
    if (!inst.component) return undefined;
    if (inst.domain && !last) return bad(`\`${id.name}\` is an indexed instance: name it whole (\`recourse ${id.name}\`)`);
    const outer = frames;
    frames = (env) => outer(env).flatMap((f) => f.get<InstanceValue>(inst).frames);
    sc = inst.component.scope;
  }
  return { span: e.span, frames };
}

/** Every uncertain parameter needs a source of values that the model's scenarios can provide. */
export function checkUncertaintySources(diags: Diagnostics, u: UncertaintyInfo): void {
  const s = u.scenarios;
  for (const m of u.params) {
    const info = m.uncertain!;
    const d = info.decl;
    if (m.failed || (!info.marginal && !info.column && !info.set)) continue;
    if (info.column && s && info.column.scenarios !== s.name) {
      diags.report('E0801', `\`${info.column.scenarios}\` is not the model's scenarios (\`${s.name}\`)`, d.value!.span);
    } else if (info.column && s?.kind === 'sample') {
      diags.report('E0801', `the scenarios \`${s.name}\` are sampled: \`${m.name}\` needs a distribution (\`~ normal(...)\`), not a column`, d.value!.span, undefined, [{ message: 'the scenarios', span: s.span }]);
    } else if (info.marginal && s?.kind === 'table' && !info.column) {
      diags.report('E0801', `the scenarios \`${s.name}\` are read from a file: \`${m.name}\` takes its values from a column (\`= ${s.name}.column\`)`, d.distribution!.span, undefined, [{ message: 'the scenarios', span: s.span }]);
    } else if (!s && (info.marginal || info.column)) {
      diags.report('E0801', `\`${m.name}\` has ${info.marginal ? 'a distribution' : 'a column of scenarios'} but the model declares no scenarios`, d.span,
        info.marginal ? 'add `scenarios W = sample(n = 1000, seed = 1)`' : 'add `scenarios W = csv("scenarios.csv", key = (scenario, ...))`');
    } else if (s?.kind === 'sample' && !info.marginal) {
      diags.report('E0801', `\`${m.name}\` has no distribution to sample from`, d.span, 'add `~ normal(mean = ..., sd = ...)` (or another distribution)');
    } else if (s?.kind === 'table' && !info.column) {
      diags.report('E0801', `\`${m.name}\` takes no column of the scenarios \`${s.name}\``, d.span, `add \`= ${s.name}.column\``);
    }
  }
  if (s && u.params.length === 0) diags.report('E0802', `scenarios \`${s.name}\` are declared but the model has no uncertain parameter`, s.span, 'declare them with `uncertain NAME[...] : UNIT ~ distribution(...)` or `= W.column`');
}
