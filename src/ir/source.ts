// The model as the user wrote it, in data: what the post-solve check evaluates (every constraint
// family, with its nonlinear terms exact), the cost terms and the objective as written. It does
// not depend on the compiler's closures, so a compiled bundle (`.evgc`) can carry it and
// `evg run` reports exactly what `evg solve` does.
//
// A linear constraint family is its own lowered rows (row i of the family, divided by rowScale[i],
// is the user's row in the constraint's unit), so it costs nothing to keep. Families with
// nonlinear terms or implications keep, per row, each side as a `Recipe`: a linear part and the
// nonlinear terms with their affine arguments, all in canonical units.
import type { Span } from '../diagnostics/diagnostic.js';
import type { Affine } from '../lower/aux.js';
import type { AtomKind, PwlData } from '../lower/atoms.js';

export interface RecipeAtom {
  readonly kind: AtomKind;
  readonly k: number;
  readonly args: readonly Affine[];
  readonly data?: PwlData;
}

/** `lin + sum k_i f_i(args_i)`, canonical units. */
export interface Recipe {
  readonly lin: Affine;
  readonly atoms: readonly RecipeAtom[];
}

export interface SourceRow {
  readonly label: string;
  readonly parts: readonly Recipe[];
  readonly rels: readonly string[];
  /** An implication: the row applies when every literal holds; else `otherwise`, if any. */
  readonly literals?: readonly { readonly col: number; readonly negated: boolean }[];
  readonly otherwise?: { readonly parts: readonly Recipe[]; readonly rels: readonly string[] };
}

export interface SourceFamily {
  readonly name: string;
  readonly span: Span;
  /** Unit of the constraint: text and canonical factor. */
  readonly unit: { readonly text: string; readonly factor: number };
  /** A linear family: its rows are the model's rows [first, first + count) of family `rowFamily`. */
  readonly rowFamily?: number;
  /** A family with nonlinear terms or implications: its rows as written. */
  readonly rows?: readonly SourceRow[];
  /** Polyhedral cones: how `||x|| / t` is measured (`norm` rows or rows of squares) and their accuracy. */
  readonly cone?: { readonly kind: 'norm' | 'squares'; readonly eps: number };
}

export interface SourceCost {
  readonly name: string;
  readonly unit: { readonly text: string; readonly factor: number };
  readonly recipe: Recipe;
}

export interface SourceModel {
  readonly families: readonly SourceFamily[];
  readonly costs: readonly SourceCost[];
  /** The objective as written, and its unit (with scenarios: its expected value). */
  readonly objective?: { readonly recipe: Recipe; readonly factor: number };
  /** A model built over scenarios: the treatment, and each scenario's probability and objective. */
  readonly scenarios?: ScenarioSummary;
}

export interface ScenarioSummary {
  /** The treatment as one line (`sp (two-stage stochastic program, extensive form)`). */
  readonly method: string;
  readonly labels: readonly string[];
  readonly prob: readonly number[];
  /** Each scenario's objective as written (empty for a robust treatment over sets). */
  readonly objective: readonly Recipe[];
  /** How the scenarios were made: `1000 samples reduced to 10 by backward reduction (Kantorovich distance 0.41 sd)`. */
  readonly origin?: string;
}
