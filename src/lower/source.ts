// Builds the SourceModel (ir/source.ts) of an elaborated model: the user's constraints, cost
// terms and objective as data, by running their closures once more. Linear constraint families
// are referred to their lowered rows; only families with nonlinear terms or implications, the
// cost terms and the objective are evaluated here (linear in their size).
import { Env, type C, type ConstraintMember, type CostMember, type LinFn } from '../check/program.js';
import { makeLoop, pushTuple } from '../check/loops.js';
import type { Checker } from '../check/checker.js';
import type { Recipe, SourceFamily, SourceModel, SourceRow } from '../ir/source.js';
import { LinAcc, SparseAcc, type Elem } from './values.js';
import type { Elaboration } from './elaborate.js';

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
  for (const frame of el.frames) {
    for (const m of frame.scope.list) {
      if (m.kind === 'cost') {
        const cm = m as CostMember;
        if (!cm.body || cm.failed || cm.body.t !== 'lin') continue;
        costs.push({ name: `${frame.prefix}${cm.name}`, unit: { text: cm.unit!.text, factor: cm.unit!.factor }, recipe: recipe(cm.body.f, new Env(frame, cm.slotCount ?? 0)) });
        continue;
      }
      if (m.kind !== 'constraint' || m.failed || !m.parts) continue;
      const cm = m as ConstraintMember;
      const name = `${frame.prefix}${cm.name}`;
      const unit = { text: cm.unit!.text, factor: cm.unit!.factor };
      const cone = cones.get(name);
      const nonlinear = cm.parts!.some((p) => p.t === 'lin' && p.nl) || !!cm.otherwise?.parts.some((p) => p.t === 'lin' && p.nl);
      if (!nonlinear && !cm.literals) {
        families.push({ name, span: cm.span, unit, rowFamily: rowFamilyIndex.get(name), ...(cone ? { cone } : {}) });
        continue;
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
  }
  const obj = checker.objective;
  const objective = obj?.body && obj.body.t === 'lin' && !obj.failed
    ? { recipe: recipe(obj.body.f, new Env(el.root, obj.slotCount ?? 0)), factor: obj.unit!.factor }
    : undefined;
  return { families, costs, objective };
}
