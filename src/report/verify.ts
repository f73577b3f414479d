// Verification after a solve: every constraint the user wrote — before any reformulation — is
// evaluated at the solution, with its nonlinear terms computed exactly (abs, max, pwl, squares,
// norms), and the largest absolute and relative violation of each constraint family is reported.
// For families lowered to polyhedral cones the achieved ratio ||x|| / t is reported too; it
// should stay within 1 + eps of the requested accuracy. The objective is evaluated as written,
// which differs from the solver's value where the objective was linearised (tangent cuts).
//
// It works on the SourceModel (ir/source.ts), not on the compiler's closures, so that a compiled
// bundle gives the same report. A linear family is checked on its own rows of the emitted model
// (unscaled: row / rowScale is the user's row in its unit).
//
// The relative violation of `a <= b` is (a - b) / max(|a|, |b|, 1 unit), so that a violation of
// 1e-9 MW in a balance of 2 MW reads as 5e-10, and a 1e-9 violation of a constraint whose sides
// are near 0 is measured against one unit of the constraint (one MW, one $, ...).
import type { Span } from '../diagnostics/diagnostic.js';
import { rowTuple, type Model } from '../ir/model.js';
import { sourceName } from '../ir/names.js';
import type { Recipe, SourceModel } from '../ir/source.js';
import { valueAt } from '../lower/aux.js';
import { atomValue } from '../lower/atoms.js';

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

/** Value of a recipe at x (canonical units). */
export function recipeValue(r: Recipe, x: ArrayLike<number>): number {
  let v = valueAt(r.lin, x);
  for (const a of r.atoms) v += a.k * atomValue(a, a.args.map((g) => valueAt(g, x)), a.data);
  return v;
}

export function verify(model: Model, source: SourceModel, x: ArrayLike<number>, tolerance = DEFAULT_TOLERANCE): Verification {
  const families: FamilyCheck[] = [];
  for (const sf of source.families) {
    const check: FamilyCheck = { name: sf.name, span: sf.span, unit: sf.unit.text, rows: 0, maxAbs: 0, maxRel: 0 };
    if (sf.cone) check.coneAccuracy = sf.cone.eps;
    /** Records one row's violation (in the constraint's unit) against the size of its sides. */
    const note = (viol: number, size: number, label: () => string) => {
      check.rows++;
      const rel = viol / Math.max(size, 1);
      if (viol > check.maxAbs) check.maxAbs = viol;
      if (check.at === undefined || rel > check.maxRel) { check.maxRel = Math.max(check.maxRel, rel); check.at = label(); }
    };
    if (sf.rowFamily !== undefined) {
      const f = model.rowFamilies[sf.rowFamily]!;
      for (let i = f.first; i < f.first + f.count; i++) {
        let a = 0;
        for (let k = model.rowStart[i]!; k < model.rowStart[i + 1]!; k++) a += model.rowValue[k]! * x[model.rowIndex[k]!]!;
        const s = model.rowScale[i]!, lo = model.rowLower[i]!, hi = model.rowUpper[i]!;
        const viol = Math.max(0, lo - a, a - hi) / s;
        const size = Math.max(Math.abs(a), lo === -Infinity ? 0 : Math.abs(lo), hi === Infinity ? 0 : Math.abs(hi)) / s;
        note(viol, size, () => sourceName(f.name, rowTuple(f, i)));
      }
    } else {
      for (const row of sf.rows ?? []) {
        let parts = row.parts, rels = row.rels;
        if (row.literals && !row.literals.every((l) => ((x[l.col] ?? 0) >= 0.5) !== l.negated)) {
          if (!row.otherwise) continue;
          parts = row.otherwise.parts; rels = row.otherwise.rels;
        }
        const v = parts.map((p) => recipeValue(p, x) / sf.unit.factor);
        let viol: number, size: number;
        if (v.length === 3) {
          const [lo, e, hi] = rels[0] === '<=' ? [v[0]!, v[1]!, v[2]!] : [v[2]!, v[1]!, v[0]!];
          viol = Math.max(0, lo - e, e - hi);
          size = Math.max(Math.abs(lo), Math.abs(hi), Math.abs(e));
        } else {
          const [a, b] = v as [number, number];
          viol = rels[0] === '<=' ? Math.max(0, a - b) : rels[0] === '>=' ? Math.max(0, b - a) : Math.abs(a - b);
          size = Math.max(Math.abs(a), Math.abs(b));
          if (sf.cone && rels[0] === '<=' && b > 0 && a >= 0) {
            const ratio = sf.cone.kind === 'norm' ? a / b : Math.sqrt(a / b);
            if (check.ratio === undefined || ratio > check.ratio) { check.ratio = ratio; check.ratioAt = row.label; }
          }
        }
        note(viol, size, () => row.label);
      }
    }
    families.push(check);
  }
  const objective = source.objective ? recipeValue(source.objective.recipe, x) / source.objective.factor : undefined;
  return { tolerance, families, violated: families.filter((f) => f.maxRel > allowed(f, tolerance)), objective };
}

/**
 * The relative violation a family may show: the tolerance, and for a polyhedral cone of accuracy
 * eps (||x|| <= (1 + eps) t) what that allows: ((1 + eps)^2 - 1) for a constraint on squares.
 */
export function allowed(f: FamilyCheck, tolerance: number): number {
  return f.coneAccuracy ? tolerance + (1 + f.coneAccuracy) ** 2 - 1 : tolerance;
}
