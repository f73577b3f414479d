// The checked program: every expression resolved, typed (with its unit) and turned into an
// evaluator closure. Model building (lower/elaborate.ts) runs these closures per index tuple.
//
// Closures take an `Env`: the frame of the component instance (or the model) being built, and
// the values of the index variables bound so far (slots numbered per declaration).
import type { Unit } from './units.js';
import type { Span } from '../diagnostics/diagnostic.js';
import type { Acc, Elem, EvSet } from '../lower/values.js';
import type * as A from '../syntax/ast.js';
import type { Frame } from '../lower/frame.js';

export class Env {
  /** Values of index variables: an element, or a tuple (array) for a name bound to a whole tuple. */
  readonly v: unknown[];
  /** Positions of bound elements in the set they range over (for fast indexing). */
  readonly p: Int32Array;
  /** The set each binding currently ranges over (compared by identity for fast indexing). */
  readonly s: (EvSet | undefined)[];
  constructor(public frame: Frame, slots: number) {
    this.v = new Array(slots);
    this.p = new Int32Array(Math.max(1, slots));
    this.s = new Array(slots);
  }
}

export type NumFn = (env: Env) => number;
export type LinFn = (env: Env, k: number, acc: Acc) => void;
export type ElemFn = (env: Env) => Elem;
export type TupleFn = (env: Env) => readonly Elem[];
export type BoolFn = (env: Env) => boolean;
export type SetFn = (env: Env) => EvSet;
export type FrameFn = (env: Env) => Frame;

/** A compiled expression. */
export type C =
  | { readonly t: 'num'; readonly unit: Unit; readonly f: NumFn; readonly bare?: boolean; readonly value?: number }
  /** Linear in the variables, or (nl) containing nonlinear terms such as abs(x) or x^2 (src/lower/atoms.ts). */
  | { readonly t: 'lin'; readonly unit: Unit; readonly f: LinFn; readonly nl?: boolean }
  | { readonly t: 'elem'; readonly numeric: boolean; readonly f: ElemFn; readonly binder?: Binder; readonly value?: Elem }
  | { readonly t: 'tuple'; readonly arity: number; readonly f: TupleFn; readonly binder?: Binder; readonly parts?: readonly C[] }
  | { readonly t: 'bool'; readonly f: BoolFn }
  /** A set; `anyArity` for the empty literal `{}`, which fits wherever a set of any arity is expected. */
  | { readonly t: 'set'; readonly arity: number; readonly f: SetFn; readonly anyArity?: boolean }
  | { readonly t: 'str'; readonly value: string }
  | { readonly t: 'error' };

/** A name bound by a domain: `t` in `t in T`, or `i` / `j` in `(i, j) in L`. */
export interface Binder {
  readonly name: string;
  readonly span: Span;
  /** Slot in Env.v holding the value. */
  readonly slot: number;
  /** Slot in Env.p / Env.s holding the position of the binding's element and its set. */
  readonly group: number;
  /** Which component of the binding's tuple this name is (-1: the name holds the whole element). */
  readonly component: number;
  /** Arity of the set the binding ranges over. */
  readonly setArity: number;
  readonly numeric: boolean;
}

/** A compiled domain `i in I, (a, b) in L where cond`. */
export interface CDomain {
  readonly bindings: readonly CBinding[];
  readonly where?: BoolFn;
  /** Arity of the index tuple the domain produces. */
  readonly arity: number;
  readonly span: Span;
  readonly names: readonly (string | undefined)[];
  /** Per binding, an indexed lookup that replaces scanning the whole set (see join.ts). */
  readonly joins?: readonly (import('./join.js').JoinSpec | undefined)[];
}

export interface CBinding {
  readonly set: SetFn;
  readonly arity: number;
  readonly group: number;
  /** Value slots written for each component (or one slot holding the whole tuple). */
  readonly slots: readonly number[];
  readonly whole: boolean;
  readonly span: Span;
  readonly label: string;
}

export type DeclKind = 'set' | 'param' | 'table' | 'var' | 'expr' | 'constraint' | 'cost' | 'objective' | 'instance' | 'component' | 'horizon';

export type Member =
  | SetMember | ParamMember | TableMember | VarMember | ExprMember | ConstraintMember
  | CostMember | ObjectiveMember | InstanceMember | ComponentMember;

interface MemberBase {
  readonly name: string;
  readonly span: Span;
  readonly doc?: string;
  readonly slot: number;
  readonly scope: ScopeDef;
  /** Compilation state: 0 not started, 1 in progress (cycle detection), 2 done. */
  state: 0 | 1 | 2;
  failed?: boolean;
}

export interface SetMember extends MemberBase {
  readonly kind: 'set';
  readonly decl?: A.SetDecl | A.HorizonDecl;
  readonly param?: A.ComponentParam;
  arity?: number;
  numeric?: boolean;
  isHorizon?: boolean;
  stepUnit?: Unit;
  eval?: (frame: Frame) => EvSet;
}

export interface ParamMember extends MemberBase {
  readonly kind: 'param';
  readonly decl?: A.ParamDecl;
  readonly param?: A.ComponentParam;
  /** Index factors (set evaluators) and the arity of each. */
  domain?: CDomain;
  unit?: Unit;
  /** Element-valued parameter: the set its values belong to. */
  elementOf?: SetFn;
  elementNumeric?: boolean;
  eval?: (frame: Frame) => import('../lower/values.js').ParamValue;
  /** Set when the parameter needs a value from an instance argument (component parameter without default). */
  required?: boolean;
  defaultC?: C;
  /** `uncertain NAME ...`: the value comes from the scenario (world) being built. */
  uncertain?: UncertainInfo;
}

/** Named arguments of a call such as `normal(mean = 5 kW, sd = 1 kW)`, compiled per index of the parameter. */
export interface CallSpec {
  readonly name: string;
  readonly span: Span;
  /** Numeric arguments in canonical units (plain numbers where the argument has no unit). */
  readonly args: ReadonlyMap<string, NumFn>;
  readonly argSpans: ReadonlyMap<string, Span>;
}

export interface UncertainInfo {
  readonly decl: A.UncertainDecl;
  /** `~ normal(...)`: each index's marginal distribution (arguments evaluated per index). */
  marginal?: CallSpec & {
    /** `empirical(t.column)`: the observations, from a table keyed by (observation, the parameter's indices...). */
    readonly empirical?: { readonly table: (frame: Frame) => import('../data/table.js').DataTable; readonly column: string; readonly span: Span };
  };
  /** `= W.column`: the values of each scenario, from the scenarios table. */
  column?: { readonly name: string; readonly span: Span; readonly scenarios: string };
  /** `in box(...)` or `in budget(...)`: the robust uncertainty set. */
  set?: CallSpec;
  /** Slots of the domain's index names, for the per-index evaluation of the specs. */
  slotCount?: number;
}

/** `scenarios W = sample(...)` or `= csv(...)`: where the scenarios come from. */
export interface ScenariosInfo {
  readonly name: string;
  readonly span: Span;
  readonly decl: A.ScenariosDecl;
  readonly kind: 'sample' | 'table';
  /** sample: the number of samples and the seed. */
  readonly n?: NumFn;
  readonly seed?: NumFn;
  readonly copula?: {
    readonly kind: 'independent' | 'gaussian' | 'gumbel';
    readonly measure?: 'pearson' | 'spearman';
    /** A single correlation for every pair, Gumbel's theta, or a matrix parameter over the uncertain parameters' names. */
    readonly value?: NumFn;
    readonly matrix?: ParamMember;
    readonly span: Span;
  };
  /** table: the data, its scenario key column and the optional probability column. */
  readonly table?: (frame: Frame) => import('../data/table.js').DataTable;
  readonly prob?: string;
  readonly reduce?: { readonly method: 'forward' | 'backward'; readonly count: NumFn; readonly span: Span };
}

/** What `recourse` names: a variable (of the model or of an instance), or every variable of an instance. */
export interface RecourseTarget {
  readonly span: Span;
  /** The frame holding the target and, for a variable, the member; for an instance, every frame of its value. */
  readonly frames: (env: Env) => readonly Frame[];
  readonly member?: VarMember;
  /** Declared in a component: the variable in every instance of it. */
  readonly everyInstance?: boolean;
}

export interface TreatmentSpec {
  readonly span: Span;
  readonly method: string;
  readonly options: ReadonlyMap<string, { readonly value: number | string; readonly span: Span }>;
}

/** Everything about uncertainty the checker found in the model. */
export interface UncertaintyInfo {
  readonly params: ParamMember[];
  scenarios?: ScenariosInfo;
  readonly recourse: RecourseTarget[];
  treatment?: TreatmentSpec;
}

export interface TableMember extends MemberBase {
  readonly kind: 'table';
  readonly decl: A.TableDecl;
  eval?: (frame: Frame) => import('../data/table.js').DataTable;
}

export interface VarMember extends MemberBase {
  readonly kind: 'var';
  readonly decl: A.VarDecl;
  domain?: CDomain;
  unit?: Unit;
  type?: 0 | 1 | 2;
  lower?: NumFn;
  upper?: NumFn;
  slotCount?: number;
}

export interface ExprMember extends MemberBase {
  readonly kind: 'expr';
  readonly decl: A.ExprDecl;
  domain?: CDomain;
  unit?: Unit;
  body?: C;
  slotCount?: number;
}

export interface ConstraintMember extends MemberBase {
  readonly kind: 'constraint';
  readonly decl: A.ConstraintDecl;
  domain?: CDomain;
  parts?: C[];
  rels?: A.Relation[];
  /** `if COND then ...` with COND on parameters: the rows exist where it holds (else `otherwise`). */
  when?: BoolFn;
  /** `if b and not c then ...`: an implication on binary variables, lowered by big-M. */
  literals?: { readonly f: LinFn; readonly negated: boolean; readonly span: Span }[];
  /** The `else` branch. */
  otherwise?: { readonly parts: C[]; readonly rels: A.Relation[] };
  /** `with probability P`: the probability (a plain number in (0, 1)). */
  probability?: NumFn;
  /** `in expectation`. */
  expectation?: boolean;
  unit?: Unit;
  slotCount?: number;
}

export interface CostMember extends MemberBase {
  readonly kind: 'cost';
  readonly decl: A.CostDecl;
  unit?: Unit;
  body?: C;
  slotCount?: number;
}

export interface ObjectiveMember extends MemberBase {
  readonly kind: 'objective';
  readonly decl: A.ObjectiveDecl;
  unit?: Unit;
  body?: C;
  slotCount?: number;
}

export interface InstanceMember extends MemberBase {
  readonly kind: 'instance';
  /** `instance x = C(...)`; absent for a network and for an instance-valued component parameter. */
  readonly decl?: A.InstanceDecl;
  /** `network x = opendss("...")`: an instance of the standard library's `Network`, filled from the file. */
  readonly network?: A.NetworkDecl;
  /** A component parameter `net : Network`: the instance is the argument's. */
  readonly param?: A.ComponentParam;
  /** Networks: the file to import and its format. */
  source?: { readonly path: string; readonly format: 'opendss' | 'matpower'; readonly span: Span };
  component?: ComponentDef;
  domain?: CDomain;
  /** Per component parameter: how to produce its value in the new frame from the caller's env. */
  args?: Map<string, ArgEval>;
  slotCount?: number;
}

export type ArgEval =
  | { readonly kind: 'set'; readonly f: SetFn }
  /** An instance given to an instance-valued parameter (`net = feeder`). */
  | { readonly kind: 'instance'; readonly f: (env: Env) => import('../lower/frame.js').InstanceValue }
  | { readonly kind: 'num'; readonly f: NumFn }
  | { readonly kind: 'elem'; readonly f: ElemFn }
  /** An indexed parameter given whole (`profile = load`): the caller's parameter value. */
  | { readonly kind: 'param'; readonly f: (env: Env) => import('../lower/values.js').ParamValue; readonly span: Span }
  /** An indexed parameter given per index (`profile[t] = 0.5 * load[t]`): evaluated in the callee's domain. */
  | { readonly kind: 'indexed'; readonly f: NumFn | ElemFn; readonly slots: readonly number[]; readonly elem: boolean; readonly span: Span };

export interface ComponentMember extends MemberBase {
  readonly kind: 'component';
  readonly decl: A.ComponentDecl;
  def?: ComponentDef;
}

export interface ComponentDef {
  readonly name: string;
  readonly decl: A.ComponentDecl;
  readonly scope: ScopeDef;
  /** Component parameters in declaration order (members of `scope`). */
  readonly params: readonly (SetMember | ParamMember | InstanceMember)[];
}

export class ScopeDef {
  readonly members = new Map<string, Member>();
  readonly list: Member[] = [];
  constructor(
    readonly kind: 'root' | 'component',
    readonly parent?: ScopeDef,
    readonly componentName?: string,
  ) {}
}
