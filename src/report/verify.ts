// Verification after a solve: every constraint the user wrote — before any reformulation — is
// evaluated at the solution, with its nonlinear terms computed exactly (abs, max, pwl, squares,
// norms), and the largest absolute and relative violation of each constraint family is reported.
// For families lowered to polyhedral cones the achieved ratio ||x|| / t is reported too; it
// should stay within 1 + eps of the requested accuracy. The objective is evaluated as written,
// which differs from the solver's value where the objective was linearised (tangent cuts).
//
// The relative violation of `a <= b` is (a - b) / max(|a|, |b|, 1 unit), so that a violation of
// 1e-9 MW in a balance of 2 MW reads as 5e-10, and a 1e-9 violation of a constraint whose sides
// are near 0 is measured against one unit of the constraint (one MW, one $, ...).
import { Env, type C, type ConstraintMember } from '../check/program.js';
import { makeLoop, pushTuple } from '../check/loops.js';
import type { Compilation } from '../driver.js';
import type { Span } from '../diagnostics/diagnostic.js';
import { EvalAcc, type Elem } from '../lower/values.js';

export interface FamilyCheck {
  readonly name: string;
  readonly span: Span;
  readonly unit: string;
  /** Rows evaluated (rows whose condition did not hold are skipped). */
  rows: number;
  /** Largest violation in the constraint's unit, and relative to the size of its sides. */
  maxAbs: number;
  maxRel: number;
  /** The row where the largest relative violation occurs. */
  at?: string;
  /** Cones: the largest ||x|| / t (1 is exact; the outer approximation allows up to 1 + eps). */
  ratio?: number;
  ratioAt?: string;
  /** Cones: the accuracy of their approximation; violations within it are expected. */
  coneAccuracy?: number;
}

export interface Verification {
  readonly tolerance: number;
  readonly families: readonly FamilyCheck[];
  /** Families whose relative violation exceeds the tolerance. */
  readonly violated: readonly FamilyCheck[];
  /** The objective as written (nonlinear terms exact), in its unit. */
  readonly objective?: number;
}

export const DEFAULT_TOLERANCE = 1e-6;

export function verify(comp: Compilation, x: ArrayLike<number>, tolerance = DEFAULT_TOLERANCE): Verification {
  const el = comp.elaboration!;
  const coneKind = new Map<string, 'norm' | 'squares'>();
  const coneEps = new Map<string, number>();
  for (const r of el.model.lowering) {
    if (!/cone/.test(r.form)) continue;
    coneKind.set(r.family, /^norm/.test(r.form) ? 'norm' : 'squares');
    coneEps.set(r.family, Math.max(coneEps.get(r.family) ?? 0, r.eps ?? 0));
  }
  const families: FamilyCheck[] = [];
  const acc = new EvalAcc(x);
  const value = (f: (env: Env, k: number, a: EvalAcc) => void, env: Env): number => {
    acc.reset();
    f(env, 1, acc);
    return acc.c;
  };
  for (const frame of el.frames) {
    for (const m of frame.scope.list) {
      if (m.kind !== 'constraint' || m.failed || !m.parts) continue;
      const cm = m as ConstraintMember;
      const name = `${frame.prefix}${cm.name}`;
      const unit = cm.unit!;
      const check: FamilyCheck = { name, span: cm.span, unit: unit.text, rows: 0, maxAbs: 0, maxRel: 0 };
      const cone = coneKind.get(name);
      if (cone) check.coneAccuracy = coneEps.get(name);
      const env = new Env(frame, cm.slotCount ?? 0);
      const main = lins(cm.parts!), other = cm.otherwise ? lins(cm.otherwise.parts) : undefined;
      const label = (): string => {
        if (!cm.domain) return name;
        const t: Elem[] = [];
        pushTuple(cm.domain, env, t);
        return `${name}[${t.join(',')}]`;
      };
      const row = () => {
        let parts = main, rels: readonly string[] = cm.rels!;
        if (cm.when && !cm.when(env)) {
          if (!other) return;
          parts = other; rels = cm.otherwise!.rels;
        } else if (cm.literals) {
          const holds = cm.literals.every((l) => (value(l.f, env) >= 0.5) !== l.negated);
          if (!holds) {
            if (!other) return;
            parts = other; rels = cm.otherwise!.rels;
          }
        }
        const v = parts.map((p) => value(p, env));
        check.rows++;
        let viol: number, scale: number;
        if (v.length === 3) {
          const [lo, e, hi] = rels[0] === '<=' ? [v[0]!, v[1]!, v[2]!] : [v[2]!, v[1]!, v[0]!];
          viol = Math.max(0, lo - e, e - hi);
          scale = Math.max(Math.abs(lo), Math.abs(hi), Math.abs(e), unit.factor);
        } else {
          const [a, b] = v as [number, number];
          viol = rels[0] === '<=' ? Math.max(0, a - b) : rels[0] === '>=' ? Math.max(0, b - a) : Math.abs(a - b);
          scale = Math.max(Math.abs(a), Math.abs(b), unit.factor);
          if (cone && rels[0] === '<=' && b > 0 && a >= 0) {
            const ratio = cone === 'norm' ? a / b : Math.sqrt(a / b);
            if (check.ratio === undefined || ratio > check.ratio) { check.ratio = ratio; check.ratioAt = label(); }
          }
        }
        const rel = viol / scale;
        if (viol / unit.factor > check.maxAbs) check.maxAbs = viol / unit.factor;
        if (check.at === undefined || rel > check.maxRel) {
          check.maxRel = Math.max(check.maxRel, rel);
          check.at = label();
        }
      };
      if (cm.domain) makeLoop(cm.domain)(env, row);
      else row();
      families.push(check);
    }
  }
  let objective: number | undefined;
  const obj = comp.checker?.objective;
  if (obj?.body && obj.body.t === 'lin' && !obj.failed) objective = value(obj.body.f, new Env(el.root, obj.slotCount ?? 0)) / obj.unit!.factor;
  return { tolerance, families, violated: families.filter((f) => f.maxRel > allowed(f, tolerance)), objective };
}

/**
 * The relative violation a family may show: the tolerance, and for a polyhedral cone of accuracy
 * eps (||x|| <= (1 + eps) t) what that allows: ((1 + eps)^2 - 1) for a constraint on squares.
 */
export function allowed(f: FamilyCheck, tolerance: number): number {
  return f.coneAccuracy ? tolerance + (1 + f.coneAccuracy) ** 2 - 1 : tolerance;
}

function lins(parts: readonly C[]): ((env: Env, k: number, a: EvalAcc) => void)[] {
  return parts.map((p) => (p as C & { t: 'lin' }).f);
}
