// The abstract syntax tree. Every node carries the span of its source text; nothing here is
// resolved yet (names are strings, units are unparsed unit expressions).
import type { Span } from '../diagnostics/diagnostic.js';

export interface Ident {
  readonly name: string;
  readonly span: Span;
}

// ---------------------------------------------------------------- units

/** A unit expression as written: `$/MWh`, `MW^2 h`, `kV`, `%`, `p.u.`, `1`. */
export type UnitExpr =
  | { readonly kind: 'unitName'; readonly name: string; readonly span: Span }
  | { readonly kind: 'unitOne'; readonly span: Span }
  | { readonly kind: 'unitPow'; readonly base: UnitExpr; readonly exp: number; readonly span: Span }
  | { readonly kind: 'unitMul'; readonly left: UnitExpr; readonly right: UnitExpr; readonly span: Span }
  | { readonly kind: 'unitDiv'; readonly left: UnitExpr; readonly right: UnitExpr; readonly span: Span };

// ---------------------------------------------------------------- expressions

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '^'
  | '==' | '!=' | '<' | '<=' | '>' | '>='
  | 'and' | 'or' | 'union' | 'inter' | 'diff';

export type Expr =
  | { readonly kind: 'num'; readonly value: number; readonly text: string; readonly unit?: UnitExpr; readonly span: Span }
  | { readonly kind: 'str'; readonly value: string; readonly span: Span }
  | { readonly kind: 'bool'; readonly value: boolean; readonly span: Span }
  | { readonly kind: 'name'; readonly name: string; readonly span: Span }
  | { readonly kind: 'index'; readonly target: Expr; readonly indices: readonly Expr[]; readonly span: Span }
  | { readonly kind: 'member'; readonly target: Expr; readonly member: Ident; readonly span: Span }
  | { readonly kind: 'call'; readonly callee: Ident; readonly args: readonly Expr[]; readonly named: readonly NamedArg[]; readonly span: Span }
  | { readonly kind: 'unary'; readonly op: '-' | '+' | 'not'; readonly operand: Expr; readonly span: Span }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly span: Span }
  | { readonly kind: 'cond'; readonly test: Expr; readonly then: Expr; readonly else: Expr; readonly span: Span }
  | { readonly kind: 'sum'; readonly op: 'sum' | 'min' | 'max'; readonly domain: Domain; readonly body: Expr; readonly span: Span }
  | { readonly kind: 'range'; readonly lo: Expr; readonly hi: Expr; readonly span: Span }
  | { readonly kind: 'setLit'; readonly elems: readonly Expr[]; readonly span: Span }
  | { readonly kind: 'compr'; readonly domain: Domain; readonly span: Span }
  | { readonly kind: 'tuple'; readonly elems: readonly Expr[]; readonly span: Span }
  | { readonly kind: 'symbol'; readonly name: string; readonly span: Span }
  | { readonly kind: 'mapLit'; readonly entries: readonly MapEntry[]; readonly span: Span }
  | { readonly kind: 'listLit'; readonly items: readonly Expr[]; readonly span: Span }
  | { readonly kind: 'tableLit'; readonly columns: readonly Expr[]; readonly rows: readonly TableRow[]; readonly span: Span }
  | { readonly kind: 'error'; readonly span: Span };

export interface NamedArg {
  readonly name: Ident;
  /** `name[i, j] = expr` binds index names for an indexed argument. */
  readonly indexNames?: readonly Ident[];
  readonly value: Expr;
  readonly span: Span;
}

export interface MapEntry {
  readonly key: readonly Expr[];
  readonly value: Expr;
  readonly span: Span;
}

export interface TableRow {
  readonly key: Expr;
  readonly values: readonly Expr[];
  readonly span: Span;
}

/** `i in I, (a, b) in L, J where cond` */
export interface Domain {
  readonly bindings: readonly Binding[];
  readonly where?: Expr;
  readonly span: Span;
}

export interface Binding {
  /** Names bound to the components of each element; empty for an anonymous `I`. */
  readonly names: readonly Ident[];
  readonly set: Expr;
  readonly span: Span;
}

// ---------------------------------------------------------------- declarations

export type Relation = '==' | '<=' | '>=';

export type VarType = 'continuous' | 'integer' | 'binary';

export type Decl =
  | ImportDecl | HorizonDecl | SetDecl | ParamDecl | TableDecl | VarDecl | ConstraintDecl
  | ExprDecl | CostDecl | ObjectiveDecl | ComponentDecl | InstanceDecl | NetworkDecl
  | UncertainDecl | ScenariosDecl | RecourseDecl | TreatmentDecl;

interface DeclBase {
  readonly span: Span;
  /** Text of `///` doc comments directly above the declaration. */
  readonly doc?: string;
}

export interface ImportDecl extends DeclBase {
  readonly kind: 'import';
  /** A relative path (`import "x.evg"`) or a standard-library module (`import stdlib.devices`). */
  readonly path?: string;
  readonly module?: readonly Ident[];
}

export interface HorizonDecl extends DeclBase {
  readonly kind: 'horizon';
  readonly name: Ident;
  readonly steps: Expr;
  readonly step: Expr;
}

export interface SetDecl extends DeclBase {
  readonly kind: 'set';
  readonly name: Ident;
  readonly value: Expr;
}

export interface ParamDecl extends DeclBase {
  readonly kind: 'param';
  readonly name: Ident;
  readonly domain?: Domain;
  readonly unit?: UnitExpr;
  /** `param bus[G] in N`: an element-valued parameter. */
  readonly elementOf?: Expr;
  readonly value?: Expr;
  readonly default?: Expr;
}

export interface TableDecl extends DeclBase {
  readonly kind: 'table';
  readonly name: Ident;
  readonly source: Expr;
}

export interface VarDecl extends DeclBase {
  readonly kind: 'var';
  readonly name: Ident;
  readonly domain?: Domain;
  readonly unit?: UnitExpr;
  readonly type: VarType;
  readonly lower?: Expr;
  readonly upper?: Expr;
}

export interface ConstraintDecl extends DeclBase {
  readonly kind: 'constraint';
  readonly name: Ident;
  readonly domain?: Domain;
  /** Unit in which the constraint's dual and slack are reported. */
  readonly unit?: UnitExpr;
  /** `e0 rel0 e1` or the range `e0 rel0 e1 rel1 e2`. */
  readonly parts: readonly Expr[];
  readonly rels: readonly Relation[];
  /** `if when then parts/rels [else otherwise]`: an implication (binary variables) or a condition on parameters. */
  readonly when?: Expr;
  readonly otherwise?: { readonly parts: readonly Expr[]; readonly rels: readonly Relation[] };
  /** `with probability P`: a chance constraint (holds with probability at least P). */
  readonly probability?: Expr;
  /** `in expectation`: the row holds for the expected value over the scenarios. */
  readonly expectation?: Span;
}

export interface ExprDecl extends DeclBase {
  readonly kind: 'expr';
  readonly name: Ident;
  readonly domain?: Domain;
  readonly unit?: UnitExpr;
  readonly value: Expr;
}

export interface CostDecl extends DeclBase {
  readonly kind: 'cost';
  readonly name: Ident;
  readonly unit?: UnitExpr;
  readonly value: Expr;
}

export interface ObjectiveDecl extends DeclBase {
  readonly kind: 'objective';
  readonly sense: 'minimize' | 'maximize';
  readonly name: Ident;
  readonly unit?: UnitExpr;
  readonly value: Expr;
}

export interface ComponentParam {
  readonly name: Ident;
  /** Index sets of an indexed parameter: `profile[T] : MW`. */
  readonly indexSets?: readonly Expr[];
  /** `T : set` or `L : set(2)`. */
  readonly setArity?: number;
  readonly unit?: UnitExpr;
  readonly elementOf?: Expr;
  readonly default?: Expr;
  readonly doc?: string;
  readonly span: Span;
}

export interface ComponentDecl extends DeclBase {
  readonly kind: 'component';
  readonly name: Ident;
  readonly params: readonly ComponentParam[];
  readonly body: readonly Decl[];
}

export interface InstanceDecl extends DeclBase {
  readonly kind: 'instance';
  readonly name: Ident;
  readonly domain?: Domain;
  readonly component: Ident;
  readonly args: readonly NamedArg[];
}

/**
 * `network feeder = opendss("ieee34.dss")` or `matpower("case33bw.m")`: an instance of the
 * standard library's `Network` component whose arguments come from the imported file.
 */
export interface NetworkDecl extends DeclBase {
  readonly kind: 'network';
  readonly name: Ident;
  readonly source: Expr;
}

/**
 * `uncertain NAME[DOMAIN] : UNIT [~ DISTRIBUTION] [= SOURCE] [in SET]`: a parameter whose value is
 * not known when the decisions are made. Its values come from the model's scenarios (given in a
 * file, `= W.column`, or sampled from a marginal distribution, `~ normal(...)`), and it may have a
 * robust uncertainty set (`in box(...)`, `in budget(...)`).
 */
export interface UncertainDecl extends DeclBase {
  readonly kind: 'uncertain';
  readonly name: Ident;
  readonly domain?: Domain;
  readonly unit?: UnitExpr;
  readonly distribution?: Expr;
  readonly value?: Expr;
  readonly set?: Expr;
}

/** `scenarios W = sample(n = 1000, ...)` or `scenarios W = csv("file.csv", key = (s, t))`. */
export interface ScenariosDecl extends DeclBase {
  readonly kind: 'scenarios';
  readonly name: Ident;
  readonly source: Expr;
}

/** `recourse x, bess.p_ch, rt`: variables (or all variables of instances) decided after the uncertainty is revealed. */
export interface RecourseDecl extends DeclBase {
  readonly kind: 'recourse';
  readonly targets: readonly Expr[];
}

/** `treatment dro(divergence = hellinger, confidence = 0.95)`: how the uncertainty is treated (the CLI's --method overrides it). */
export interface TreatmentDecl extends DeclBase {
  readonly kind: 'treatment';
  readonly method: Expr;
}

export interface Comment {
  readonly text: string;
  readonly span: Span;
}

export interface ModelFile {
  readonly file: string;
  readonly decls: readonly Decl[];
  readonly comments: readonly Comment[];
}
