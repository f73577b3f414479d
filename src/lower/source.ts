// Builds the SourceModel (ir/source.ts) of an elaborated model: the user's constraints, cost
// terms and objective as data, by running their closures once more. Linear constraint families
// are referred to their lowered rows; only families with nonlinear terms or implications, the
// cost terms and the objective are evaluated here (linear in their size).
import { Env, type C, type ConstraintMember, type CostMember, type LinFn } from '../check/program.js';
import { makeLoop, pushTuple } from '../check/loops.js';
import type { Checker } from '../check/checker.js';
import type { Recipe, ScenarioSummary, SourceFamily, SourceModel, SourceRow } from '../ir/source.js';
import { describeMethod } from '../uncertainty/method.js';
import { LinAcc, SparseAcc, type Elem } from './values.js';
import type { Elaboration } from './elaborate.js';
import type { Frame } from './frame.js';

export function buildSourceModel(el: Elaboration, checker: Checker): SourceModel {
  const model = el.model;
  const acc = new LinAcc(model.numCols);
  const recipe = (f: LinFn, env: Env): Recipe => {
    acc.reset();
    f(env, 1, acc);
    const cols: number[] = [], vals: number[] = [];
    for (let i = 0; i < acc.n; i++) {
      const j = acc.cols[i]!, v = acc.coef[j]!;
      if (v !== 0) { cols.push(j); vals.push(v); }
    }
    return { lin: { cols, vals, c: acc.c }, atoms: acc.atoms.map((u) => ({ kind: u.node.kind, k: u.k, args: u.args, data: u.data })) };
  };
  const rowFamilyIndex = new Map<string, number>();
  model.rowFamilies.forEach((f, i) => { if (!f.aux) rowFamilyIndex.set(f.name, i); });
  const cones = new Map<string, { kind: 'norm' | 'squares'; eps: number }>();
  for (const r of model.lowering) {
    if (!/cone/.test(r.form)) continue;
    const prev = cones.get(r.family);
    cones.set(r.family, { kind: /^norm/.test(r.form) ? 'norm' : 'squares', eps: Math.max(prev?.eps ?? 0, r.eps ?? 0) });
  }

  const families: SourceFamily[] = [];
  const costs: SourceModel['costs'][number][] = [];
  const plan = el.plan;
  const multi = plan.worlds.length > 1 && plan.kind !== 'robust-set';
  // With scenarios: each cost per scenario (`fuel@s2`), and its expected value under their probabilities.
  const expected = new Map<string, { unit: SourceModel['costs'][number]['unit']; lin: Map<number, number>; c: number; atoms: Recipe['atoms'][number][] }>();
  el.worldFrames.forEach((frames, w) => {
    if (w > 0 && !multi) return;
    const label = plan.worlds[w]!.label;
    const suffix = multi ? `@${label}` : '';
    for (const frame of frames) {
      for (const m of frame.scope.list) {
        if (m.kind === 'cost') {
          const cm = m as CostMember;
          if (!cm.body || cm.failed || cm.body.t !== 'lin') continue;
          const unit = { text: cm.unit!.text, factor: cm.unit!.factor };
          const r = recipe(cm.body.f, new Env(frame, cm.slotCount ?? 0));
          const name = `${frame.prefix}${cm.name}`;
          costs.push({ name: `${name}${suffix}`, unit, recipe: r });
          if (multi) {
            let e = expected.get(name);
            if (!e) { e = { unit, lin: new Map(), c: 0, atoms: [] }; expected.set(name, e); }
            const p = plan.worlds[w]!.prob;
            r.lin.cols.forEach((j, k) => e!.lin.set(j, (e!.lin.get(j) ?? 0) + p * r.lin.vals[k]!));
            e.c += p * r.lin.c;
            for (const a of r.atoms) e.atoms.push({ ...a, k: a.k * p });
          }
          continue;
        }
        if (m.kind !== 'constraint' || m.failed || !m.parts) continue;
        const cm = m as ConstraintMember;
        // Chance and expectation constraints hold over the scenarios, not in each: their rows are reformulations.
        if ((cm.probability || cm.expectation) && (plan.worlds.length > 1 || plan.evaluation)) continue;
        const base = `${frame.prefix}${cm.name}`;
        const name = rowFamilyIndex.has(`${base}${suffix}`) ? `${base}${suffix}` : w === 0 && rowFamilyIndex.has(base) ? base : undefined;
        // Rows the same as the first scenario's were not added again.
        if (!name || (plan.kind === 'robust-set' && !rowFamilyIndex.has(base))) continue;
        addFamily(frame, cm, name);
      }
    }
  });
  for (const [name, e] of expected) {
    costs.push({ name, unit: e.unit, recipe: { lin: { cols: [...e.lin.keys()], vals: [...e.lin.values()], c: e.c }, atoms: e.atoms } });
  }
  function addFamily(frame: Frame, cm: ConstraintMember, name: string): void {
    const unit = { text: cm.unit!.text, factor: cm.unit!.factor };
    const cone = cones.get(name);
    const nonlinear = cm.parts!.some((p) => p.t === 'lin' && p.nl) || !!cm.otherwise?.parts.some((p) => p.t === 'lin' && p.nl);
    if (!nonlinear && !cm.literals) {
      families.push({ name, span: cm.span, unit, rowFamily: rowFamilyIndex.get(name), ...(cone ? { cone } : {}) });
      return;
    }
    const env = new Env(frame, cm.slotCount ?? 0);
    const fs = (ps: readonly C[]) => ps.map((p) => (p as C & { t: 'lin' }).f);
    const main = fs(cm.parts!), other = cm.otherwise ? fs(cm.otherwise.parts) : undefined;
    const rows: SourceRow[] = [];
    const visit = () => {
      const t: Elem[] = [];
      if (cm.domain) pushTuple(cm.domain, env, t);
      const label = t.length ? `${name}[${t.join(',')}]` : name;
      let parts = main, rels: readonly string[] = cm.rels!;
      if (cm.when && !cm.when(env)) {
        if (!other) return;
        parts = other; rels = cm.otherwise!.rels;
      }
      const row: SourceRow = {
        label,
        parts: parts.map((f) => recipe(f, env)),
        rels,
        ...(cm.literals ? {
          literals: cm.literals.map((l) => {
            const a = new SparseAcc();
            l.f(env, 1, a);
            return { col: a.affine().cols[0] ?? -1, negated: l.negated };
          }),
          ...(other ? { otherwise: { parts: other.map((f) => recipe(f, env)), rels: cm.otherwise!.rels } } : {}),
        } : {}),
      };
      rows.push(row);
    };
    if (cm.domain) makeLoop(cm.domain)(env, visit);
    else visit();
    families.push({ name, span: cm.span, unit, rows, ...(cone ? { cone } : {}) });
  }
  const obj = checker.objective;
  // The objective as written: its expected value over the scenarios (the treatments' worst cases are in the model's own objective).
  let objective: SourceModel['objective'];
  const perWorld: Recipe[] = [];
  if (obj?.body && obj.body.t === 'lin' && !obj.failed) {
    const f = obj.body.f;
    if (!multi) objective = { recipe: recipe(f, new Env(el.root, obj.slotCount ?? 0)), factor: obj.unit!.factor };
    else {
      const lin = new Map<number, number>();
      let c = 0;
      const atoms: Recipe['atoms'][number][] = [];
      el.worldFrames.forEach((frames, w) => {
        const p = plan.worlds[w]!.prob;
        const r = recipe(f, new Env(frames[0]!, obj.slotCount ?? 0));
        perWorld.push(r);
        r.lin.cols.forEach((j, k) => lin.set(j, (lin.get(j) ?? 0) + p * r.lin.vals[k]!));
        c += p * r.lin.c;
        for (const a of r.atoms) atoms.push({ ...a, k: a.k * p });
      });
      objective = { recipe: { lin: { cols: [...lin.keys()], vals: [...lin.values()], c }, atoms }, factor: obj.unit!.factor };
    }
  }
  let scenarios: ScenarioSummary | undefined;
  if (plan.method) {
    const d = plan.data;
    const origin = d ? `${d.sampleSize} ${d.draw ? 'samples' : 'scenarios'}${d.reduction ? ` reduced to ${d.reduction.to} by ${d.reduction.method === 'forward' ? 'fast forward selection' : 'simultaneous backward reduction'} (Kantorovich distance ${Number(d.reduction.distance.toPrecision(3))} standard deviations)` : ''}` : undefined;
    scenarios = {
      method: describeMethod(plan.method, plan.radius, d?.sampleSize),
      labels: multi ? plan.worlds.map((w) => w.label) : [], prob: multi ? plan.worlds.map((w) => w.prob) : [], objective: perWorld,
      ...(origin ? { origin } : {}),
    };
  }
  return { families, costs, objective, ...(scenarios ? { scenarios } : {}) };
}
