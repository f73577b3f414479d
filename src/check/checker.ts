// The checker: name resolution, index and type checking, units — and, for everything it accepts,
// the evaluator closures that model building runs (see program.ts).
//
// Declarations are compiled on demand (so they may be written in any order) with cycle detection.
// Every problem becomes a diagnostic; an erroneous expression compiles to `ERR` so that checking
// goes on and reports the rest of the file.
import { dirname, resolve as resolvePath } from 'node:path';
import type * as A from '../syntax/ast.js';
import { Diagnostics, EvgError, fail, type Span } from '../diagnostics/diagnostic.js';
import {
  Env, ScopeDef,
  type Binder, type C, type CBinding, type CDomain, type ComponentDef, type ConstraintMember, type CostMember,
  type ElemFn, type ExprMember, type InstanceMember, type Member, type NumFn, type ObjectiveMember, type ParamMember,
  type SetFn, type SetMember, type TableMember, type VarMember, type FrameFn, type LinFn, type ArgEval,
} from './program.js';
import { Ctx, SlotAlloc } from './context.js';
import { ONE, Unit, resolveUnit, sameDims, describeUnit, pow, editDistance, unitByName, kindConflict, displayUnit, closestUnit } from './units.js';
import { ERR, asBool, asElem, asLin, asNum, addSub, atom, atomOver, checkSameUnit, compare, describeKind, divide, logic, multiply, negate, type CmpOp } from './ops.js';
import { makeLoop, factorArities, bindFromTuple, domainFactors, type Loop } from './loops.js';
import { conjuncts, freeNames, type JoinSpec } from './join.js';
import { EvSet, ParamValue, normElem, formatTuple, MAX_SET_SIZE, type Elem, type VarFamily, type Indexed } from '../lower/values.js';
import type { Frame, InstanceValue } from '../lower/frame.js';
import { isUnitName } from './unit-names.js';
import { buildParamValue, tableSource, type ParamSource } from './param-data.js';
import type { DataLoader, DataTable } from '../data/table.js';
import type { AtomNode, PwlData } from '../lower/atoms.js';
import { checkUncertaintySources, compileRecourse, compileScenarios, compileTreatment, compileUncertain } from './uncertain.js';
import type { UncertaintyInfo } from './program.js';

/** A resolved but not yet indexed reference. */
type Ref =
  | { readonly r: 'member'; readonly member: Member; readonly frame: FrameFn; readonly span: Span; readonly path: string }
  | { readonly r: 'inst'; readonly comp: ComponentDef; readonly frame: FrameFn; readonly span: Span; readonly path: string }
  | { readonly r: 'column'; readonly table: TableMember; readonly frame: FrameFn; readonly column: string; readonly span: Span; readonly path: string };

const BUILTINS = new Set(['first', 'last', 'card', 'step', 'ord', 'prev', 'next', 'abs', 'sqrt', 'exp', 'log', 'floor', 'ceil', 'round', 'min', 'max', 'pos', 'norm', 'pwl', 'keys', 'in', 'csv', 'json']);

export class Checker {
  readonly root = new ScopeDef('root');
  readonly components = new Map<string, ComponentDef>();
  objective?: ObjectiveMember;
  private readonly horizons: SetMember[] = [];

  constructor(readonly diags: Diagnostics, readonly loader: DataLoader) {}

  // ================================================================ declarations

  /** Registers the declarations of one file in the model's (root) scope. */
  addDecls(decls: readonly A.Decl[]): void {
    for (const d of decls) this.declare(this.root, d);
  }

  private declare(scope: ScopeDef, d: A.Decl): void {
    if (d.kind === 'import') {
      if (scope.kind !== 'root') this.diags.report('E0206', 'imports belong at the top of a model file, not inside a component', d.span);
      return;
    }
    if (d.kind === 'recourse') { this.recourseDecls.push({ d, scope }); return; }
    if ((d.kind === 'scenarios' || d.kind === 'treatment' || d.kind === 'uncertain') && scope.kind !== 'root') {
      this.diags.report('E0206', `\`${d.kind}\` declarations belong to the model, not to a component`, d.span,
        d.kind === 'uncertain' ? 'declare the uncertain parameter in the model and pass it to the instance as an argument' : undefined);
      return;
    }
    if (d.kind === 'scenarios' || d.kind === 'treatment') { this.uncertaintyDecls.push(d); return; }
    const base = { name: d.kind === 'objective' ? d.name.name : d.name.name, span: d.name.span, doc: d.doc, slot: scope.list.length, scope, state: 0 as const };
    let m: Member;
    switch (d.kind) {
      case 'horizon':
        if (scope.kind !== 'root') {
          this.diags.report('E0206', 'a horizon is declared once for the model, not inside a component', d.span, 'components take the model\'s horizon through a set parameter such as `T : set = horizon`');
          return;
        }
        m = { ...base, kind: 'set', decl: d, isHorizon: true };
        this.horizons.push(m);
        break;
      case 'set': m = { ...base, kind: 'set', decl: d }; break;
      case 'param': m = { ...base, kind: 'param', decl: d }; break;
      case 'uncertain': m = { ...base, kind: 'param', uncertain: { decl: d } }; this.uncertainty.params.push(m as ParamMember); break;
      case 'table': m = { ...base, kind: 'table', decl: d }; break;
      case 'var': m = { ...base, kind: 'var', decl: d }; break;
      case 'expr': m = { ...base, kind: 'expr', decl: d }; break;
      case 'constraint': m = { ...base, kind: 'constraint', decl: d }; break;
      case 'cost': m = { ...base, kind: 'cost', decl: d }; break;
      case 'instance': m = { ...base, kind: 'instance', decl: d }; break;
      case 'network': m = { ...base, kind: 'instance', network: d }; break;
      case 'objective':
        if (scope.kind !== 'root') {
          this.diags.report('E0206', 'an objective belongs to the model, not to a component', d.span, 'declare a `cost` term in the component and add it to the model\'s objective');
          return;
        }
        if (this.objective) {
          this.diags.report('E0206', 'a model has one objective; this is a second one', d.span, 'declare the parts as `cost` terms and add them in one objective',
            [{ message: 'the first objective', span: this.objective.span }]);
          return;
        }
        m = { ...base, kind: 'objective', decl: d };
        this.objective = m;
        break;
      case 'component': {
        if (scope.kind !== 'root') {
          this.diags.report('E0206', 'components are declared at the top level of a file, not inside another component', d.span);
          return;
        }
        const cm: Member = { ...base, kind: 'component', decl: d };
        if (!this.register(scope, cm)) return;
        cm.def = this.buildComponent(d);
        this.components.set(d.name.name, cm.def);
        return;
      }
    }
    this.register(scope, m);
  }

  private register(scope: ScopeDef, m: Member): boolean {
    const prev = scope.members.get(m.name);
    if (prev) {
      this.diags.report('E0202', `\`${m.name}\` is already declared in this ${scope.kind === 'root' ? 'model' : `component ${scope.componentName}`}`, m.span,
        'rename one of the two declarations', [{ message: 'first declared here', span: prev.span }]);
      return false;
    }
    (m as { slot: number }).slot = scope.list.length;
    scope.members.set(m.name, m);
    scope.list.push(m);
    return true;
  }

  private buildComponent(d: A.ComponentDecl): ComponentDef {
    const scope = new ScopeDef('component', this.root, d.name.name);
    const params: (SetMember | ParamMember | InstanceMember)[] = [];
    for (const p of d.params) {
      const base = { name: p.name.name, span: p.name.span, doc: p.doc, slot: 0, scope, state: 0 as const };
      const m: SetMember | ParamMember | InstanceMember = p.setArity !== undefined ? { ...base, kind: 'set', param: p }
        : instanceTyped(p) ? { ...base, kind: 'instance', param: p }
        : { ...base, kind: 'param', param: p };
      if (this.register(scope, m)) params.push(m);
    }
    for (const b of d.body) this.declare(scope, b);
    return { name: d.name.name, decl: d, scope, params };
  }

  /** Uncertain parameters, scenarios, recourse and treatment (see uncertain.ts). */
  readonly uncertainty: UncertaintyInfo = { params: [], recourse: [] };
  private readonly uncertaintyDecls: (A.ScenariosDecl | A.TreatmentDecl)[] = [];
  private readonly recourseDecls: { d: A.RecourseDecl; scope: ScopeDef }[] = [];

  /** Compiles every declaration of the model and of every component. */
  checkAll(): void {
    for (const m of this.root.list) this.resolve(m);
    for (const c of this.components.values()) for (const m of c.scope.list) this.resolve(m);
    for (const d of this.uncertaintyDecls) {
      if (d.kind === 'scenarios') compileScenarios(this, d, this.uncertainty);
      else compileTreatment(this, d, this.uncertainty);
    }
    for (const { d, scope } of this.recourseDecls) compileRecourse(this, d, scope, this.uncertainty);
    checkUncertaintySources(this.diags, this.uncertainty);
    if (!this.objective && !this.diags.hasErrors) {
      // Not an error: a feasibility problem is legitimate. The driver reports it as a note.
    }
  }

  resolve(m: Member): void {
    if (m.state === 2) return;
    if (m.state === 1) {
      if (!m.failed) this.diags.report('E0205', `\`${m.name}\` is defined in terms of itself`, m.span, 'break the cycle between the declarations involved');
      m.failed = true;
      return;
    }
    m.state = 1;
    try {
      switch (m.kind) {
        case 'set': this.compileSet(m); break;
        case 'param': if (m.uncertain) compileUncertain(this, m); else this.compileParam(m); break;
        case 'table': this.compileTable(m); break;
        case 'var': this.compileVar(m); break;
        case 'expr': this.compileExprDecl(m); break;
        case 'constraint': this.compileConstraint(m); break;
        case 'cost': this.compileCost(m); break;
        case 'objective': this.compileObjective(m); break;
        case 'instance': this.compileInstance(m); break;
        case 'component': break;
      }
    } catch (e) {
      if (e instanceof EvgError) this.diags.add(e.diagnostic);
      else throw e;
      m.failed = true;
    }
    m.state = 2;
  }

  private unit(u: A.UnitExpr | undefined): Unit | undefined {
    return u ? resolveUnit(u, this.diags) : undefined;
  }

  // ---------------------------------------------------------------- sets

  private compileSet(m: SetMember): void {
    if (m.param) {
      // A component's set parameter: given by the instance, or its default.
      m.arity = m.param.setArity ?? 1;
      const dflt = m.param.default;
      if (dflt?.kind === 'name' && dflt.name === 'horizon' && !this.lookup('horizon', m.scope)) {
        // `T : set = horizon` in a library component: only an error if an instance of a model
        // without a horizon relies on it.
        this.resolveHorizons();
        if (this.horizons.length !== 1) {
          const several = this.horizons.length > 1;
          m.eval = () => fail(several ? 'E0203' : 'E0201', several ? '`horizon` is ambiguous: the model declares several horizons' : `\`${m.name}\` defaults to the model's horizon, but the model declares none`, dflt.span,
            several ? `give \`${m.name} = ...\` explicitly` : 'declare one (`horizon T = 24 steps of 1 h`), or give the argument explicitly');
          return;
        }
      }
      if (m.param.default) {
        const slots = new SlotAlloc();
        const c = this.setExpr(m.param.default, new Ctx(m.scope, slots).constant('a default value'));
        if (c && c.arity !== m.arity && !c.anyArity) this.diags.report('E0306', `the default of \`${m.name}\` has arity ${c.arity}, but the parameter is a set(${m.arity})`, m.param.default.span);
        if (c) {
          const f = c.f;
          m.eval = (frame) => f(new Env(frame, slots.n));
          const hz = this.setIsHorizon(m.param.default);
          if (hz) m.stepUnit = hz.stepUnit;
        }
      }
      return;
    }
    const d = m.decl!;
    if (d.kind === 'horizon') {
      m.arity = 1;
      m.numeric = true;
      const slots = new SlotAlloc();
      const ctx = new Ctx(m.scope, slots).constant('a horizon');
      const steps = asNum(this.expr(d.steps, ctx), d.steps.span, this.diags, 'the number of steps');
      const stepC = asNum(this.expr(d.step, ctx), d.step.span, this.diags, 'the step length');
      if (stepC && !sameDims(stepC.unit, unitByName('h')!)) {
        this.diags.report('E0606', `the step of a horizon must be a duration, not ${describeUnit(stepC.unit)}`, d.step.span, 'write for example `24 steps of 1 h` or `96 steps of 15 min`');
        return;
      }
      if (steps && !steps.unit.isDimensionless) {
        this.diags.report('E0606', `the number of steps must be a plain number, not ${describeUnit(steps.unit)}`, d.steps.span);
        return;
      }
      if (!steps || !stepC) return;
      m.stepUnit = stepC.unit;
      const fs = steps.f, fst = stepC.f;
      const name = m.name;
      m.eval = (frame) => {
        const env = new Env(frame, slots.n);
        const n = fs(env), dt = fst(env);
        if (!Number.isInteger(n) || n <= 0) fail('E0606', `a horizon needs a positive whole number of steps, not ${n}`, d.steps.span);
        if (n > MAX_SET_SIZE) fail('E0606', `a horizon of ${n} steps is too long: a set has at most ${MAX_SET_SIZE} elements`, d.steps.span);
        if (!(dt > 0)) fail('E0606', 'the step of a horizon must be positive', d.step.span);
        const S = EvSet.range(name, 1, n);
        S.step = dt;
        S.stepUnit = stepC.unit;
        return S;
      };
      return;
    }
    const slots = new SlotAlloc();
    const c = this.setExpr(d.value, new Ctx(m.scope, slots).constant('a set expression'));
    if (!c) return;
    m.arity = c.arity;
    const f = c.f;
    const literalEmpty = d.value.kind === 'setLit' && d.value.elems.length === 0;
    const name = m.name;
    m.eval = (frame) => {
      const S = f(new Env(frame, slots.n));
      // Inside a component a set derived from the arguments may be empty for some instances (the
      // three-phase buses of a single-phase feeder): only the model's own sets are E0305.
      if (S.size === 0 && !literalEmpty && frame.prefix === '') {
        fail('E0305', `set \`${frame.prefix}${name}\` is empty`, d.value.span, 'check the data or the filter; write `{}` if an empty set is intended');
      }
      return renamed(S, `${frame.prefix}${name}`);
    };
  }

  /** If a set expression is (a reference to) a horizon, that horizon's member. */
  private setIsHorizon(e: A.Expr): SetMember | undefined {
    if (e.kind === 'name') {
      if (e.name === 'horizon') return this.horizons.length === 1 ? this.horizons[0] : undefined;
      const m = this.root.members.get(e.name);
      if (m?.kind === 'set' && m.isHorizon) return m;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- parameters

  private paramDomainFromSets(sets: readonly A.Expr[], ctx: Ctx, span: Span): CDomain | undefined {
    const bindings: CBinding[] = [];
    let arity = 0;
    for (const s of sets) {
      const c = this.setExpr(s, ctx);
      if (!c) return undefined;
      bindings.push({ set: c.f, arity: c.arity, group: ctx.slots.next(), slots: [], whole: true, span: s.span, label: exprLabel(s) });
      arity += c.arity;
    }
    return { bindings, arity, span, names: bindings.map(() => undefined) };
  }

  private compileParam(m: ParamMember): void {
    const slots = new SlotAlloc();
    const ctx = new Ctx(m.scope, slots).constant('a parameter value');
    const d = m.decl;
    const p = m.param;
    // Domain.
    if (d?.domain) {
      m.domain = this.domain(d.domain, ctx);
      if (!m.domain) return;
    } else if (p?.indexSets) {
      m.domain = this.paramDomainFromSets(p.indexSets, ctx, p.span);
      if (!m.domain) return;
    }
    // Unit or element set.
    const unitAst = d?.unit ?? p?.unit;
    const elemAst = d?.elementOf ?? p?.elementOf;
    m.unit = unitAst ? this.unit(unitAst) : ONE;
    if (!m.unit) return;
    if (elemAst) {
      const s = this.setExpr(elemAst, ctx);
      if (!s) return;
      if (s.arity !== 1) this.diags.report('E0306', 'an element-valued parameter takes its values from a set of single elements', elemAst.span);
      m.elementOf = s.f;
      m.elementNumeric = this.setNumeric(elemAst);
    }
    const valueAst = d?.value;
    const defaultAst = d?.default ?? (p && !p.indexSets ? undefined : p?.default);
    const scalarDefault = p && !p.indexSets ? p.default : undefined;
    const name = m.name;
    const domain = m.domain;
    const loop = domain ? makeLoop(domain) : undefined;
    const isElem = !!m.elementOf;
    const unit = m.unit;

    // The sources of values, in order of precedence: the value, then the default.
    let source: ParamSource | undefined;
    if (valueAst) source = this.paramSource(valueAst, ctx, m);
    else if (scalarDefault) source = this.paramSource(scalarDefault, ctx, m);
    let dflt: ParamSource | undefined;
    if (defaultAst) dflt = this.paramSource(defaultAst, ctx, m);
    if (!valueAst && !scalarDefault && !defaultAst) {
      if (p) { m.required = true; return; }
      this.diags.report('E0504', `parameter \`${name}\` has no value`, d!.span, 'give it one with `= ...`, from a table (`= data.column`), or a `default`');
      return;
    }
    if ((valueAst && !source) || (defaultAst && !dflt)) return;
    const elementOf = m.elementOf;
    m.eval = (frame) => {
      const env = new Env(frame, slots.n);
      const factors = domain ? domainFactors(domain, env, loop!, `${frame.prefix}${name}`) : [];
      return buildParamValue({
        name: `${frame.prefix}${name}`, factors, domain, loop, env, unit, isElem, source, dflt,
        elementOf: elementOf ? elementOf(env) : undefined, span: m.span, declSpan: (d ?? p!).span, diags: this.diags,
      });
    };
  }

  private setNumeric(e: A.Expr): boolean {
    if (e.kind === 'range') return true;
    if (e.kind === 'name') {
      const m = this.root.members.get(e.name);
      if (m?.kind === 'set') { this.resolve(m); return !!m.numeric || !!m.isHorizon; }
    }
    return false;
  }

  /** What a parameter's value (or default) is: inline data, a table column, or an expression. */
  private paramSource(e: A.Expr, ctx: Ctx, m: ParamMember): ParamSource | undefined {
    const isElem = !!m.elementOf;
    switch (e.kind) {
      case 'mapLit': case 'listLit': case 'tableLit':
        return { kind: 'inline', ast: e, unit: m.unit! };
      case 'member': {
        const col = this.tryColumn(e, ctx);
        if (col) return col;
        break;
      }
    }
    const c = this.expr(e, ctx);
    if (c.t === 'error') return undefined;
    if (isElem) {
      const el = asElem(c, e.span, this.diags, 'an element-valued parameter');
      return el ? { kind: 'elem', f: el.f, span: e.span } : undefined;
    }
    const n = asNum(c, e.span, this.diags, 'a parameter value');
    if (!n) return undefined;
    if (n.bare) {
      // A plain number is in the parameter's declared unit: `param c : $/MWh = 5`.
      const factor = m.unit!.factor, f = n.f;
      return { kind: 'num', f: factor === 1 ? f : (env) => f(env) * factor, span: e.span };
    }
    if (!sameDims(n.unit, m.unit!)) {
      this.diags.report('E0403', `\`${m.name}\` is declared in ${describeUnit(m.unit!)} but its value is in ${describeUnit(n.unit)}`, e.span);
      return undefined;
    }
    if (kindConflict(n.unit, m.unit!)) {
      this.diags.report('E0404', `\`${m.name}\` is declared in ${describeUnit(m.unit!)} but its value is in ${describeUnit(n.unit)}`, e.span);
      return undefined;
    }
    return { kind: 'num', f: n.f, span: e.span };
  }

  /** `table.column` (or `csv("f.csv", key = k).column`) as a parameter or set source. */
  private tryColumn(e: A.Expr & { kind: 'member' }, ctx: Ctx): ParamSource | undefined {
    const target = e.target;
    if (target.kind === 'call' && (target.callee.name === 'csv' || target.callee.name === 'json')) {
      const src = this.tableCall(target, ctx);
      if (!src) return { kind: 'error' };
      return { kind: 'column', table: (frame) => src(frame), column: e.member.name, span: e.member.span };
    }
    if (target.kind !== 'name' || ctx.binder(target.name)) return undefined;
    const found = this.lookup(target.name, ctx.scope);
    if (!found || found.member.kind !== 'table') return undefined;
    const tm = found.member;
    this.resolve(tm);
    const depth = found.depth;
    return {
      kind: 'column',
      table: (frame) => (depth === 0 ? frame : frame.parent!).get<DataTable>(tm),
      column: e.member.name,
      span: e.member.span,
    };
  }

  // ---------------------------------------------------------------- tables

  private compileTable(m: TableMember): void {
    const src = m.decl.source;
    if (src.kind !== 'call' || (src.callee.name !== 'csv' && src.callee.name !== 'json')) {
      this.diags.report('E0508', 'a table is read from a file: `table t = csv("file.csv", key = column)`', src.span, 'json("file.json") is accepted too');
      return;
    }
    const f = this.tableCall(src, new Ctx(m.scope, new SlotAlloc()).constant('a table declaration'));
    if (f) m.eval = f;
  }

  private tableCall(call: A.Expr & { kind: 'call' }, _ctx: Ctx): ((frame: Frame) => DataTable) | undefined {
    const r = tableSource(call, this.diags);
    if (!r) return undefined;
    const loader = this.loader;
    return () => loader.load(r.path, r.format, { keys: r.keys, delimiter: r.delimiter, declSpan: call.span });
  }

  // ---------------------------------------------------------------- variables

  private compileVar(m: VarMember): void {
    const d = m.decl;
    const slots = new SlotAlloc();
    const ctx = new Ctx(m.scope, slots).constant('a variable bound');
    if (d.domain) {
      m.domain = this.domain(d.domain, ctx);
      if (!m.domain) return;
    }
    m.unit = d.unit ? this.unit(d.unit) : ONE;
    if (!m.unit) return;
    m.type = d.type === 'binary' ? 2 : d.type === 'integer' ? 1 : 0;
    if (m.type === 2 && d.unit && !m.unit.isDimensionless) this.diags.report('E0403', 'a binary variable has no unit', d.unit.span);
    m.lower = this.bound(d.lower, ctx, m, 'lower');
    m.upper = this.bound(d.upper, ctx, m, 'upper');
    m.slotCount = slots.n;
    Object.defineProperty(m, 'slotCount', { get: () => slots.n });
  }

  private bound(e: A.Expr | undefined, ctx: Ctx, m: VarMember, which: string): NumFn | undefined {
    if (!e) return undefined;
    const n = asNum(this.expr(e, ctx), e.span, this.diags, `a ${which} bound`);
    if (!n) return undefined;
    const unit = m.unit!;
    if (n.bare) {
      const f = n.f, factor = unit.factor;
      // Bounds are kept in the variable's declared unit (the unit of its column).
      return (env) => f(env);
      void factor;
    }
    if (!sameDims(n.unit, unit)) {
      this.diags.report('E0403', `the ${which} bound of \`${m.name}\` is in ${describeUnit(n.unit)} but the variable is in ${describeUnit(unit)}`, e.span);
      return undefined;
    }
    const f = n.f, factor = unit.factor;
    return (env) => f(env) / factor;
  }

  // ---------------------------------------------------------------- expressions, costs, objective, constraints

  private compileExprDecl(m: ExprMember): void {
    const d = m.decl;
    const slots = new SlotAlloc();
    const ctx = new Ctx(m.scope, slots);
    if (d.domain) {
      m.domain = this.domain(d.domain, ctx.constant('an index domain'));
      if (!m.domain) return;
    }
    const c = this.expr(d.value, ctx);
    if (c.t === 'error') return;
    if (c.t !== 'num' && c.t !== 'lin' && c.t !== 'elem') {
      this.diags.report('E0408', `an expression declaration needs a numeric value, not ${describeKind(c)}`, d.value.span);
      return;
    }
    const body = c.t === 'elem' ? asNum(c, d.value.span, this.diags) : c;
    if (!body) return;
    m.unit = this.declaredUnit(d.unit, body.unit, d.value.span, m.name) ?? displayUnit(body.unit);
    m.body = body;
    Object.defineProperty(m, 'slotCount', { get: () => slots.n });
  }

  /** Checks an optional declared unit against the unit of the value; returns the display unit. */
  private declaredUnit(u: A.UnitExpr | undefined, actual: Unit, span: Span, name: string): Unit | undefined {
    if (!u) return undefined;
    const declared = this.unit(u);
    if (!declared) return undefined;
    if (!sameDims(declared, actual) && !(actual.isDimensionless && actual.text === '1' && declared.isDimensionless)) {
      this.diags.report('E0403', `\`${name}\` is declared in ${describeUnit(declared)} but its value is in ${describeUnit(actual)}`, span);
      return undefined;
    }
    return declared;
  }

  private compileCost(m: CostMember): void {
    const slots = new SlotAlloc();
    const c = this.expr(m.decl.value, new Ctx(m.scope, slots));
    if (c.t === 'error') return;
    const body = asLin(c, m.decl.value.span, this.diags);
    if (!body) return;
    m.unit = this.declaredUnit(m.decl.unit, body.unit, m.decl.value.span, m.name) ?? displayUnit(body.unit);
    m.body = body;
    Object.defineProperty(m, 'slotCount', { get: () => slots.n });
  }

  private compileObjective(m: ObjectiveMember): void {
    const slots = new SlotAlloc();
    const c = this.expr(m.decl.value, new Ctx(m.scope, slots));
    if (c.t === 'error') return;
    const body = asLin(c, m.decl.value.span, this.diags);
    if (!body) return;
    m.unit = this.declaredUnit(m.decl.unit, body.unit, m.decl.value.span, m.name) ?? displayUnit(body.unit);
    m.body = body;
    Object.defineProperty(m, 'slotCount', { get: () => slots.n });
  }

  private compileConstraint(m: ConstraintMember): void {
    const d = m.decl;
    const slots = new SlotAlloc();
    const ctx = new Ctx(m.scope, slots);
    if (d.domain) {
      m.domain = this.domain(d.domain, ctx.constant('an index domain'));
      if (!m.domain) return;
    }
    if (d.when && !this.compileCondition(m, d.when, ctx)) return;
    const main = this.relationChain(m, d.parts, d.rels, d.span, ctx);
    if (!main) return;
    if (d.otherwise) {
      if (m.literals && m.literals.length !== 1) {
        this.diags.report('E0413', 'an implication with `else` needs a single binary variable (or its negation) as its condition', d.when!.span,
          'the negation of a conjunction is a disjunction; write two implications instead');
        return;
      }
      const other = this.relationChain(m, d.otherwise.parts, d.otherwise.rels, d.span, ctx);
      if (!other) return;
      if (!sameDims(other.unit, main.unit)) {
        this.diags.report('E0401', `the two branches of \`${m.name}\` compare quantities in ${describeUnit(main.unit)} and ${describeUnit(other.unit)}`, d.span);
        return;
      }
      m.otherwise = other;
    }
    if (m.literals && (main.nl || m.otherwise?.parts.some((p) => p.t === 'lin' && p.nl))) {
      this.diags.report('E0412', 'an implication `if b then ...` cannot contain nonlinear terms (abs, max, squares, ...)', d.span,
        'give the nonlinear term a variable of its own, defined by a constraint, and use it here');
      return;
    }
    m.parts = main.parts;
    m.rels = main.rels;
    m.unit = displayUnit(main.unit);
    if (d.probability || d.expectation) this.compileTreatedConstraint(m, ctx);
    Object.defineProperty(m, 'slotCount', { get: () => slots.n });
  }

  /** `with probability P` and `in expectation`: one inequality, no implication or condition. */
  private compileTreatedConstraint(m: ConstraintMember, ctx: Ctx): void {
    const d = m.decl;
    const what = d.probability ? 'a chance constraint (`with probability`)' : 'an expectation constraint (`in expectation`)';
    const why = d.when ? 'cannot be conditional (`if ... then`)' : m.rels!.length !== 1 ? 'is one inequality, not a range' : m.rels![0] === '==' ? 'is an inequality (`<=` or `>=`), not an equality' : undefined;
    if (why) {
      this.diags.report('E0806', `${what} ${why}`, d.span, d.probability ? 'write `lhs <= rhs` or `lhs >= rhs`; split a range into two chance constraints' : 'an expectation is bounded from one side: `lhs <= rhs` or `lhs >= rhs`');
      m.failed = true;
      return;
    }
    if (d.expectation) { m.expectation = true; return; }
    const e = d.probability!;
    const n = asNum(this.expr(e, ctx.deterministic('the probability of a chance constraint')), e.span, this.diags, 'a probability');
    if (!n) { m.failed = true; return; }
    if (!n.unit.isDimensionless) {
      this.diags.report('E0806', `a probability is a plain number or a percentage, not a quantity in ${n.unit.text}`, e.span);
      m.failed = true;
      return;
    }
    // The compiled value is canonical already: `95 %` is 0.95.
    const f = n.f, span = e.span;
    m.probability = (env) => {
      const p = f(env);
      if (!(p > 0 && p < 1)) fail('E0806', `the probability of a chance constraint must be between 0 and 1 (exclusive), not ${p}`, span, 'for example `with probability 0.95` or `with probability 95 %`');
      return p;
    };
  }

  /**
   * The condition of `if COND then ...`: a condition on parameters (evaluated for each index), or
   * a conjunction of binary variables and their negations (`on[t] and not on[t-1]`), which makes
   * the constraint an implication.
   */
  private compileCondition(m: ConstraintMember, cond: A.Expr, ctx: Ctx): boolean {
    const quiet = new Diagnostics();
    const saved = this.diags;
    (this as { diags: Diagnostics }).diags = quiet;
    const asParam = this.expr(cond, ctx.constant('an `if` condition'));
    (this as { diags: Diagnostics }).diags = saved;
    if (asParam.t === 'bool' && !quiet.hasErrors) {
      m.when = asParam.f;
      return true;
    }
    const literals: { f: LinFn; negated: boolean; span: Span }[] = [];
    for (const c of conjuncts(cond)) {
      let e = c, negated = false;
      if (e.kind === 'unary' && e.op === 'not') { e = e.operand; negated = true; }
      if (e.kind === 'binary' && e.op === '==' && e.right.kind === 'num' && !e.right.unit && (e.right.value === 0 || e.right.value === 1)) {
        if (e.right.value === 0) negated = !negated;
        e = e.left;
      }
      const shapeOk = e.kind === 'name' || e.kind === 'index' || e.kind === 'member';
      const x: C = shapeOk ? this.expr(e, ctx) : { t: 'bool', f: () => false };
      if (x.t === 'error') return false;
      if (x.t !== 'lin' || x.nl || !x.unit.isDimensionless) {
        this.diags.report('E0413', shapeOk && x.t !== 'lin' ? `this condition mixes decision variables with ${describeKind(x)}` : 'the condition of an implication is a binary variable, its negation, or a conjunction of those', c.span,
          'write `if on[t] then ...`, `if not on[t] then ...` or `if on[t] and not on[t-1] then ...`; conditions on parameters alone are evaluated when the model is built');
        return false;
      }
      literals.push({ f: x.f, negated, span: c.span });
    }
    m.literals = literals;
    return true;
  }

  /** `e0 rel e1` or a range `lo <= e <= hi`, each part linear (or with nonlinear terms), in one dimension. */
  private relationChain(m: ConstraintMember, astParts: readonly A.Expr[], rels: readonly A.Relation[], span: Span, ctx: Ctx): { parts: (C & { t: 'lin' })[]; rels: A.Relation[]; unit: Unit; nl: boolean } | undefined {
    const parts = astParts.map((p) => this.expr(p, ctx));
    if (parts.some((p) => p.t === 'error') || parts.length < 2) return undefined;
    // Relations: `a rel b`, or the range `lo <= e <= hi` / `hi >= e >= lo` with constant outer parts.
    if (rels.length === 2) {
      const [r0, r1] = rels;
      if (r0 !== r1 || r0 === '==') {
        this.diags.report('E0410', `a range constraint is written \`lo <= e <= hi\` or \`hi >= e >= lo\`, not with ${r0} and ${r1}`, span);
        return undefined;
      }
      for (const i of [0, 2]) {
        if (parts[i]!.t === 'lin') {
          this.diags.report('E0410', 'the outer parts of a range constraint must be constants (parameters and numbers)', astParts[i]!.span, 'write two constraints instead');
          return undefined;
        }
      }
    } else if (rels.length > 2) {
      this.diags.report('E0410', 'a constraint has at most two relations (a range)', span);
      return undefined;
    }
    const lins: (C & { t: 'lin' })[] = [];
    for (let i = 0; i < parts.length; i++) {
      const l = asLin(parts[i]!, astParts[i]!.span, this.diags);
      if (!l) return undefined;
      lins.push(l);
    }
    if (!parts.some((p) => p.t === 'lin')) {
      this.diags.report('E0410', `constraint \`${m.name}\` contains no decision variable`, span, 'a condition on parameters belongs in a `where` filter');
      return undefined;
    }
    // All parts must share a dimension. The unit of the first part that involves a variable is
    // the constraint's unit (its dual is reported per that unit).
    const firstLin = parts.findIndex((p) => p.t === 'lin');
    const unit = lins[firstLin]!.unit;
    for (let i = 0; i < lins.length; i++) {
      if (i === firstLin) continue;
      const a = lins[firstLin]!, b = lins[i]!;
      const bareZero = parts[i]!.t === 'num' && (parts[i] as { bare?: boolean }).bare;
      if (bareZero && (parts[i] as { value?: number }).value === 0) continue;
      if (bareZero && b.unit.isDimensionless && !a.unit.isDimensionless) {
        const v = (parts[i] as { value?: number }).value;
        this.diags.report('E0402', `the number ${v ?? ''} has no unit but is compared with a quantity in ${a.unit.text}`, astParts[i]!.span, `write \`${v ?? 'it'} ${a.unit.text}\``);
        return undefined;
      }
      if (!sameDims(a.unit, b.unit)) {
        this.diags.report('E0401', `the sides of constraint \`${m.name}\` have different units: ${describeUnit(lins[0]!.unit)} and ${describeUnit(lins[i]!.unit)}`, span,
          'both sides must have the same dimension; compatible units (kW and MW) are converted automatically');
        return undefined;
      }
      if (kindConflict(a.unit, b.unit)) {
        this.diags.report('E0404', `the sides of constraint \`${m.name}\` mix ${describeUnit(a.unit)} and ${describeUnit(b.unit)}`, span);
        return undefined;
      }
    }
    return { parts: lins, rels: [...rels], unit, nl: lins.some((l) => l.nl) };
  }

  // ---------------------------------------------------------------- instances

  /** The component a name denotes, or a diagnostic (E0201 / E0203, or E0004 for a misspelt unit). */
  private componentNamed(id: A.Ident, asUnit = false): ComponentDef | undefined {
    const compMember = this.root.members.get(id.name);
    if (compMember?.kind === 'component') return compMember.def;
    if (asUnit && !compMember && closestUnit(id.name)) {
      this.diags.report('E0004', `unknown unit \`${id.name}\``, id.span, `did you mean \`${closestUnit(id.name)}\`?`);
      return undefined;
    }
    const hint = this.suggest(id.name, [...this.components.keys()]);
    this.diags.report(compMember ? 'E0203' : 'E0201', compMember ? `\`${id.name}\` is a ${kindWord(compMember)}, not a component` : `unknown ${asUnit ? 'unit or component' : 'component'} \`${id.name}\``,
      id.span, hint ?? (this.components.size ? `components in scope: ${[...this.components.keys()].join(', ')}` : 'declare it with `component Name(...) { ... }` or import it'));
    return undefined;
  }

  private compileInstance(m: InstanceMember): void {
    if (m.param) {
      // `net : Network`: the argument supplies the instance.
      const u = m.param.unit as A.UnitExpr & { kind: 'unitName' };
      const comp = this.componentNamed({ name: u.name, span: u.span }, true);
      if (comp) m.component = comp;
      else m.failed = true;
      return;
    }
    if (m.network) {
      this.compileNetwork(m, m.network);
      return;
    }
    const d = m.decl!;
    const compMember = this.root.members.get(d.component.name);
    if (!compMember || compMember.kind !== 'component') {
      const hint = this.suggest(d.component.name, [...this.components.keys()]);
      this.diags.report(compMember ? 'E0203' : 'E0201', compMember ? `\`${d.component.name}\` is a ${kindWord(compMember)}, not a component` : `unknown component \`${d.component.name}\``,
        d.component.span, hint ?? (this.components.size ? `components in scope: ${[...this.components.keys()].join(', ')}` : 'declare it with `component Name(...) { ... }` or import it'));
      return;
    }
    const comp = compMember.def!;
    if (m.scope.kind === 'component' && m.scope.componentName === comp.name) {
      this.diags.report('E0605', `component \`${comp.name}\` cannot contain an instance of itself`, d.component.span);
      return;
    }
    m.component = comp;
    const slots = new SlotAlloc();
    const ctx = new Ctx(m.scope, slots).constant('a component argument');
    if (d.domain) {
      m.domain = this.domain(d.domain, ctx);
      if (!m.domain) return;
    }
    const args = new Map<string, ArgEval>();
    const given = new Set<string>();
    for (const a of d.args) {
      const pm = comp.params.find((p) => p.name === a.name.name);
      if (!pm) {
        const near = this.suggest(a.name.name, comp.params.map((p) => p.name));
        this.diags.report('E0605', `component \`${comp.name}\` has no parameter \`${a.name.name}\``, a.name.span,
          near ?? `its parameters are: ${comp.params.map((p) => p.name).join(', ') || '(none)'}`);
        continue;
      }
      if (given.has(pm.name)) {
        this.diags.report('E0605', `argument \`${pm.name}\` is given twice`, a.name.span);
        continue;
      }
      given.add(pm.name);
      this.resolve(pm);
      const ev = this.instanceArg(pm, a, ctx, comp);
      if (ev) args.set(pm.name, ev);
    }
    for (const pm of comp.params) {
      if (given.has(pm.name)) continue;
      this.resolve(pm);
      const required = pm.kind === 'set' ? !pm.param?.default : pm.kind === 'instance' ? true : !!pm.required;
      if (required) {
        this.diags.report('E0605', `instance \`${m.name}\` of \`${comp.name}\` misses the argument \`${pm.name}\``, d.span,
          `add \`${pm.name} = ...\`${pm.doc ? ` (${pm.doc.split('\n')[0]})` : ''}`);
      }
    }
    m.args = args;
    Object.defineProperty(m, 'slotCount', { get: () => slots.n });
  }

  /**
   * `network feeder = opendss("file.dss")`: an instance of the standard library's `Network`
   * component whose arguments the importer supplies when the model is built.
   */
  private compileNetwork(m: InstanceMember, d: A.NetworkDecl): void {
    const src = d.source;
    if (src.kind !== 'call' || (src.callee.name !== 'opendss' && src.callee.name !== 'matpower') || src.args.length !== 1 || src.args[0]!.kind !== 'str' || src.named.length) {
      this.diags.report('E0508', 'a network is imported from a file: `network feeder = opendss("feeder.dss")` or `matpower("case.m")`', src.span);
      return;
    }
    const compMember = this.root.members.get('Network');
    if (compMember?.kind !== 'component') {
      this.diags.report('E0201', 'networks need the standard library\'s `Network` component', d.span, 'add `import stdlib.network`');
      return;
    }
    m.component = compMember.def;
    m.source = { path: resolvePath(dirname(src.span.file), (src.args[0] as { value: string }).value), format: src.callee.name as 'opendss' | 'matpower', span: src.span };
    m.args = new Map();
    Object.defineProperty(m, 'slotCount', { get: () => 0 });
  }

  private instanceArg(pm: SetMember | ParamMember | InstanceMember, a: A.NamedArg, ctx: Ctx, comp: ComponentDef): ArgEval | undefined {
    if (pm.kind === 'instance') {
      // An instance of the parameter's component (or a network, for `: Network`).
      const ref = a.indexNames ? undefined : this.tryRef(a.value, ctx);
      if (!ref || ref.r !== 'inst' || ref.comp !== pm.component) {
        if (ref && ref.r === 'member' && ref.member.kind === 'instance' && ref.member.domain) {
          this.diags.report('E0303', `\`${ref.path}\` is an indexed instance; give its index: \`${ref.path}[...]\``, a.value.span);
          return undefined;
        }
        this.diags.report('E0605', `argument \`${pm.name}\` of \`${comp.name}\` needs an instance of \`${pm.component?.name ?? '?'}\``, a.value.span,
          ref?.r === 'inst' ? `\`${ref.path}\` is an instance of \`${ref.comp.name}\`` : `write \`${pm.name} = x\` with x declared as \`instance x = ${pm.component?.name ?? 'C'}(...)\`${pm.component?.name === 'Network' ? ' or `network x = opendss("...")`' : ''}`);
        return undefined;
      }
      const frameFn = ref.frame;
      return { kind: 'instance', f: (env) => ({ frames: [frameFn(env)] }) };
    }
    if (pm.kind === 'set') {
      if (a.indexNames) { this.diags.report('E0605', `\`${pm.name}\` is a set parameter and takes no indices`, a.span); return undefined; }
      const s = this.setExpr(a.value, ctx);
      if (!s) return undefined;
      if (s.arity !== (pm.arity ?? 1) && !s.anyArity) {
        this.diags.report('E0306', `\`${pm.name}\` of \`${comp.name}\` is a set of arity ${pm.arity ?? 1}, but the argument has arity ${s.arity}`, a.value.span);
        return undefined;
      }
      return { kind: 'set', f: s.f };
    }
    const indexed = !!pm.domain;
    const isElem = !!pm.elementOf;
    const unit = pm.unit ?? ONE;
    const checkNum = (c: C, span: Span): NumFn | undefined => {
      const n = asNum(c, span, this.diags, `argument \`${pm.name}\``);
      if (!n) return undefined;
      if (n.bare) {
        const f = n.f, factor = unit.factor;
        return factor === 1 ? f : (env) => f(env) * factor;
      }
      if (!sameDims(n.unit, unit) || kindConflict(n.unit, unit)) {
        this.diags.report('E0403', `argument \`${pm.name}\` of \`${comp.name}\` is in ${describeUnit(unit)}, but the value given is in ${describeUnit(n.unit)}`, span);
        return undefined;
      }
      return n.f;
    };
    if (indexed && a.indexNames) {
      // `profile[t] = expr`: the names are bound to the parameter's index values in the new instance.
      const arities = factorArities(pm.domain!);
      const total = arities.reduce((x, y) => x + y, 0);
      if (a.indexNames.length !== total) {
        this.diags.report('E0301', `\`${pm.name}\` has ${total} ${total === 1 ? 'index' : 'indices'}, but ${a.indexNames.length} ${a.indexNames.length === 1 ? 'name is' : 'names are'} given`, a.span);
        return undefined;
      }
      const inner = ctx.constant(`argument \`${pm.name}\``);
      const scope = inner.push();
      const slotList: number[] = [];
      for (const n of a.indexNames) {
        const slot = inner.slots.next();
        slotList.push(slot);
        scope.set(n.name, { name: n.name, span: n.span, slot, group: inner.slots.next(), component: -1, setArity: 1, numeric: false });
      }
      const c = this.expr(a.value, inner);
      inner.pop();
      if (isElem) {
        const el = asElem(c, a.value.span, this.diags, `argument \`${pm.name}\``);
        return el ? { kind: 'indexed', f: el.f, slots: slotList, elem: true, span: a.value.span } : undefined;
      }
      const f = checkNum(c, a.value.span);
      return f ? { kind: 'indexed', f, slots: slotList, elem: false, span: a.value.span } : undefined;
    }
    if (indexed) {
      // A whole parameter (`profile = load`), or a constant broadcast to every index.
      const ref = this.tryRef(a.value, ctx);
      if (ref && ref.r === 'member' && ref.member.kind === 'param' && ref.member.domain) {
        const pmm = ref.member;
        if (pmm.domain!.arity !== pm.domain!.arity) {
          this.diags.report('E0301', `\`${pm.name}\` is indexed by ${pm.domain!.arity} ${pm.domain!.arity === 1 ? 'index' : 'indices'}, but \`${ref.path}\` by ${pmm.domain!.arity}`, a.value.span);
          return undefined;
        }
        if (!isElem && !pmm.elementOf && (!sameDims(pmm.unit!, unit) || kindConflict(pmm.unit!, unit))) {
          this.diags.report('E0403', `argument \`${pm.name}\` is in ${describeUnit(unit)}, but \`${ref.path}\` is in ${describeUnit(pmm.unit!)}`, a.value.span);
          return undefined;
        }
        if (isElem !== !!pmm.elementOf) {
          this.diags.report('E0408', `argument \`${pm.name}\` needs ${isElem ? 'elements' : 'numbers'}, but \`${ref.path}\` holds ${pmm.elementOf ? 'elements' : 'numbers'}`, a.value.span);
          return undefined;
        }
        const frameFn = ref.frame;
        return { kind: 'param', f: (env) => frameFn(env).get<ParamValue>(pmm), span: a.value.span };
      }
    }
    const c = this.expr(a.value, ctx);
    if (c.t === 'error') return undefined;
    if (isElem) {
      const el = asElem(c, a.value.span, this.diags, `argument \`${pm.name}\``);
      return el ? { kind: 'elem', f: el.f } : undefined;
    }
    const f = checkNum(c, a.value.span);
    return f ? { kind: 'num', f } : undefined;
  }

  // ================================================================ domains

  domain(d: A.Domain, ctx: Ctx): CDomain | undefined {
    const scope = ctx.push();
    const bindings: CBinding[] = [];
    const names: (string | undefined)[] = [];
    const joins: (JoinSpec | undefined)[] = [];
    /** Names each binding introduces, for the join analysis of the `where` clause. */
    const bound: string[][] = [];
    const equalities: ((env: Env) => boolean)[] = [];
    let arity = 0;
    let ok = true;
    for (const b of d.bindings) {
      const s = this.setExpr(b.set, ctx);
      if (!s) { ok = false; continue; }
      const group = ctx.slots.next();
      const numeric = this.setNumeric(b.set);
      const slots: number[] = [];
      const introduced: string[] = [];
      let join: JoinSpec | undefined;
      let whole = true;
      if (b.names.length === 1) {
        const slot = ctx.slots.next();
        slots.push(slot);
        this.bindName(scope, b.names[0]!, { name: b.names[0]!.name, span: b.names[0]!.span, slot, group, component: -1, setArity: s.arity, numeric });
        names.push(b.names[0]!.name);
        introduced.push(b.names[0]!.name);
      } else if (b.names.length > 1) {
        whole = false;
        if (b.names.length !== s.arity && !s.anyArity) {
          this.diags.report('E0301', `${b.names.length} names are bound to elements of a set of ${s.arity === 1 ? 'single elements' : `${s.arity}-tuples`}`, b.span);
          ok = false;
          continue;
        }
        b.names.forEach((n, k) => {
          const slot = ctx.slots.next();
          slots.push(slot);
          names.push(n.name);
          // A name already bound (outside, or earlier in this domain) selects instead of binding:
          // `sum((i, n) in A)` inside `[n in N]` runs over the arcs that end at n.
          const outer = ctx.binder(n.name);
          if (outer && (outer.component >= 0 || outer.setArity === 1)) {
            const os = outer.slot;
            equalities.push((env) => env.v[slot] === env.v[os]);
            join ??= { key: (env) => env.v[slot] as Elem, probe: (env) => env.v[os] as Elem };
            return;
          }
          this.bindName(scope, n, { name: n.name, span: n.span, slot, group, component: k, setArity: s.arity, numeric: false });
          introduced.push(n.name);
        });
      } else {
        for (let k = 0; k < s.arity; k++) names.push(undefined);
      }
      bindings.push({ set: s.f, arity: s.arity, group, slots, whole, span: b.span, label: exprLabel(b.set) });
      joins.push(join);
      bound.push(introduced);
      arity += s.arity;
    }
    let where: ((env: Env) => boolean) | undefined;
    if (d.where) {
      const w = asBool(this.expr(d.where, ctx.constant('a `where` condition')), d.where.span, this.diags, 'a `where` condition');
      if (!w) ok = false;
      where = w;
      if (w) this.whereJoins(d.where, bound, joins, ctx);
    }
    if (equalities.length) {
      const user = where;
      where = (env) => {
        for (let i = 0; i < equalities.length; i++) if (!equalities[i]!(env)) return false;
        return user ? user(env) : true;
      };
    }
    // The names stay bound for the rest of the declaration; the caller pops them when needed.
    if (!ok) return undefined;
    return { bindings, where, arity, span: d.span, names, joins: joins.some((j) => j) ? joins : undefined };
  }

  /** Finds `where` conjuncts `key(x) == probe` that an index can answer (see join.ts). */
  private whereJoins(where: A.Expr, bound: readonly string[][], joins: (JoinSpec | undefined)[], ctx: Ctx): void {
    const binderNames = new Set(ctx.binderNames());
    for (const c of conjuncts(where)) {
      if (c.kind !== 'binary' || c.op !== '==') continue;
      for (const [keyAst, probeAst] of [[c.left, c.right], [c.right, c.left]] as const) {
        const kn = freeNames(keyAst), pn = freeNames(probeAst);
        if (!kn || !pn) continue;
        const keyBinders = [...kn].filter((n) => binderNames.has(n));
        for (let bi = bound.length - 1; bi >= 0; bi--) {
          if (joins[bi]) continue;
          const mine = new Set(bound[bi]);
          const laterOrMine = new Set(bound.slice(bi).flat());
          if (keyBinders.length === 0 || !keyBinders.every((n) => mine.has(n))) continue;
          if ([...pn].some((n) => laterOrMine.has(n))) continue;
          const quiet = new Diagnostics();
          const saved = this.diags;
          (this as { diags: Diagnostics }).diags = quiet;
          const key = this.expr(keyAst, ctx.constant('a `where` condition'));
          const probe = this.expr(probeAst, ctx.constant('a `where` condition'));
          (this as { diags: Diagnostics }).diags = saved;
          if (quiet.hasErrors || key.t !== 'elem' || probe.t !== 'elem') continue;
          joins[bi] = { key: key.f, probe: probe.f };
          break;
        }
      }
    }
  }

  private bindName(scope: Map<string, Binder>, id: A.Ident, b: Binder): void {
    if (scope.has(id.name)) this.diags.report('E0202', `index name \`${id.name}\` is bound twice in this domain`, id.span);
    scope.set(id.name, b);
  }

  // ================================================================ names and references

  /** Finds a declared name: the current scope, then the model scope. */
  lookup(name: string, scope: ScopeDef): { member: Member; depth: number } | undefined {
    let s: ScopeDef | undefined = scope, depth = 0;
    while (s) {
      const m = s.members.get(name);
      if (m) return { member: m, depth };
      s = s.parent;
      depth++;
    }
    return undefined;
  }

  private suggest(name: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined, bestD = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
    for (const c of candidates) {
      const d = editDistance(name.toLowerCase(), c.toLowerCase());
      if (d <= bestD && (best === undefined || d < editDistance(name.toLowerCase(), best.toLowerCase()))) { best = c; bestD = d; }
    }
    return best ? `did you mean \`${best}\`?` : undefined;
  }

  private visibleNames(ctx: Ctx): string[] {
    const out = ctx.binderNames();
    let s: ScopeDef | undefined = ctx.scope;
    while (s) { out.push(...s.members.keys()); s = s.parent; }
    return out;
  }

  /** Resolves a name / member / index chain to a reference, or undefined if `e` is not such a chain. */
  private tryRef(e: A.Expr, ctx: Ctx): Ref | undefined {
    if (e.kind === 'name') {
      if (ctx.binder(e.name) || e.name === 'horizon') return undefined;
      const found = this.lookup(e.name, ctx.scope);
      if (!found) return undefined;
      const frame: FrameFn = found.depth === 0 ? (env) => env.frame : (env) => env.frame.parent!;
      return this.memberRef(found.member, frame, e.span, e.name);
    }
    if (e.kind === 'member') {
      const t = this.tryRef(e.target, ctx);
      if (!t) return undefined;
      return this.memberAccess(t, e.member, e.span);
    }
    if (e.kind === 'index') {
      const t = this.tryRef(e.target, ctx);
      if (!t || t.r !== 'member' || t.member.kind !== 'instance') return undefined;
      return this.indexInstance(t, e, ctx);
    }
    return undefined;
  }

  private memberRef(m: Member, frame: FrameFn, span: Span, path: string): Ref {
    this.resolve(m);
    if (m.kind === 'instance' && !m.domain && m.component) {
      const inst = m;
      const comp = m.component;
      return { r: 'inst', comp, span, path, frame: (env) => frame(env).get<InstanceValue>(inst).frames[0]! };
    }
    return { r: 'member', member: m, frame, span, path };
  }

  private memberAccess(t: Ref, member: A.Ident, span: Span): Ref | undefined {
    if (t.r === 'inst') {
      const m = t.comp.scope.members.get(member.name);
      if (!m) {
        const near = this.suggest(member.name, [...t.comp.scope.members.keys()]);
        fail('E0204', `component \`${t.comp.name}\` has no member \`${member.name}\``, member.span,
          near ?? `its members are: ${[...t.comp.scope.members.keys()].join(', ')}`);
      }
      return this.memberRef(m, t.frame, span, `${t.path}.${member.name}`);
    }
    if (t.r === 'member' && t.member.kind === 'table') {
      return { r: 'column', table: t.member, frame: t.frame, column: member.name, span, path: `${t.path}.${member.name}` };
    }
    if (t.r === 'member' && t.member.kind === 'instance' && t.member.domain) {
      fail('E0303', `\`${t.path}\` is an indexed instance; give its index before \`.${member.name}\``, t.span, `write \`${t.path}[...].${member.name}\``);
    }
    fail('E0203', `\`${t.path}\` is a ${t.r === 'member' ? kindWord(t.member) : 'column'} and has no members`, member.span);
  }

  private indexInstance(t: Ref & { r: 'member' }, e: A.Expr & { kind: 'index' }, ctx: Ctx): Ref | undefined {
    const inst = t.member as InstanceMember;
    if (!inst.domain) fail('E0303', `instance \`${t.path}\` is not indexed`, e.span, `write \`${t.path}.member\``);
    const frameFn = t.frame;
    const getSet = (env: Env) => frameFn(env).get<InstanceValue>(inst).set!;
    const off = this.offsetFn(e.indices, [inst.domain.arity], ctx, e.span, t.path, (env) => ({ factors: [getSet(env)], strides: [1] }) as unknown as Indexed);
    if (!off) return { r: 'inst', comp: inst.component!, frame: () => fail('E0901', 'erroneous instance reference'), span: e.span, path: t.path };
    return {
      r: 'inst', comp: inst.component!, span: e.span, path: `${t.path}[...]`,
      frame: (env) => frameFn(env).get<InstanceValue>(inst).frames[off(env)]!,
    };
  }

  /**
   * Compiles index expressions against a declaration's factors. Returns a function giving the
   * linear offset, with a fast path when an index is the very element a loop is visiting.
   */
  private offsetFn(indices: readonly A.Expr[], arities: readonly number[], ctx: Ctx, span: Span, path: string, indexed: (env: Env) => Indexed): ((env: Env) => number) | undefined {
    const parts: { c: C & ({ t: 'elem' } | { t: 'tuple' }); span: Span }[] = [];
    for (const ie of indices) {
      const c = this.expr(ie, ctx.constant('an index'));
      if (c.t === 'error') return undefined;
      if (c.t === 'tuple') { parts.push({ c, span: ie.span }); continue; }
      const el = asElem(c, ie.span, this.diags);
      if (!el) return undefined;
      parts.push({ c: el, span: ie.span });
    }
    const total = arities.reduce((a, b) => a + b, 0);
    const given = parts.reduce((a, p) => a + (p.c.t === 'tuple' ? p.c.arity : 1), 0);
    if (given !== total) {
      this.diags.report('E0301', `\`${path}\` takes ${total} ${total === 1 ? 'index' : 'indices'} but ${given} ${given === 1 ? 'is' : 'are'} given`, span);
      return undefined;
    }
    // Assign parts to factors; build one position function per factor.
    type PosFn = (env: Env, set: import('../lower/values.js').EvSet, scratch: Elem[]) => number;
    const posFns: PosFn[] = [];
    let pi = 0, comp = 0;
    const flatFns: ((env: Env, out: Elem[], at: number) => void)[] = [];
    for (const p of parts) {
      if (p.c.t === 'elem') { const f = p.c.f; flatFns.push((env, out, at) => { out[at] = f(env); }); }
      else { const f = p.c.f, n = p.c.arity; flatFns.push((env, out, at) => { const t = f(env); for (let i = 0; i < n; i++) out[at + i] = t[i]!; }); }
    }
    /** The index part each factor starts at (for the E0304 check). */
    const factorPart: number[] = [];
    for (const ar of arities) {
      factorPart.push(pi);
      const p = parts[pi];
      // Fast path 1: a single element index that is a loop variable.
      if (ar === 1 && p && comp === 0 && p.c.t === 'elem' && p.c.binder && p.c.binder.setArity === 1) {
        const g = p.c.binder.group, f = p.c.f;
        posFns.push((env, set) => (env.s[g] === set ? env.p[g]! : set.pos(f(env))));
        pi++;
        continue;
      }
      // Fast path 2: a whole tuple bound by a loop, or its components in order.
      if (ar > 1 && p && comp === 0) {
        if (p.c.t === 'tuple' && p.c.binder && p.c.arity === ar) {
          const g = p.c.binder.group, f = p.c.f;
          posFns.push((env, set) => (env.s[g] === set ? env.p[g]! : set.posTuple(f(env), 0)));
          pi++;
          continue;
        }
        const run = parts.slice(pi, pi + ar);
        if (run.length === ar && run.every((q, k) => q.c.t === 'elem' && q.c.binder && q.c.binder.component === k && q.c.binder.setArity === ar && q.c.binder.group === (run[0]!.c as { binder: Binder }).binder.group)) {
          const g = (run[0]!.c as { binder: Binder }).binder.group;
          const fs = run.map((q) => (q.c as { f: ElemFn }).f);
          posFns.push((env, set, scratch) => {
            if (env.s[g] === set) return env.p[g]!;
            for (let k = 0; k < fs.length; k++) scratch[k] = fs[k]!(env);
            return set.posTuple(scratch, 0);
          });
          pi += ar;
          continue;
        }
      }
      // General path: evaluate the components this factor covers.
      const startPart = pi, startComp = comp;
      let need = ar;
      const pieces: { part: number; from: number; count: number }[] = [];
      while (need > 0 && pi < parts.length) {
        const q = parts[pi]!;
        const len = q.c.t === 'tuple' ? q.c.arity : 1;
        const take = Math.min(need, len - comp);
        pieces.push({ part: pi, from: comp, count: take });
        need -= take;
        comp += take;
        if (comp === len) { pi++; comp = 0; }
      }
      void startPart; void startComp;
      const evals = pieces.map((pc) => {
        const q = parts[pc.part]!;
        if (q.c.t === 'elem') { const f = q.c.f; return (env: Env, out: Elem[], at: number) => { out[at] = f(env); }; }
        const f = q.c.f;
        return (env: Env, out: Elem[], at: number) => { const t = f(env); for (let i = 0; i < pc.count; i++) out[at + i] = t[pc.from + i]!; };
      });
      if (ar === 1) {
        const ev = evals[0]!;
        posFns.push((env, set, scratch) => { ev(env, scratch, 0); return set.pos(scratch[0]!); });
      } else {
        posFns.push((env, set, scratch) => {
          let at = 0;
          for (let i = 0; i < evals.length; i++) { evals[i]!(env, scratch, at); at += pieces[i]!.count; }
          return set.posTuple(scratch, 0);
        });
      }
    }
    const nf = posFns.length;
    const spans = parts.map((p) => p.span);
    const describe = (env: Env): string => {
      const vals: Elem[] = [];
      let at = 0;
      for (let i = 0; i < flatFns.length; i++) { flatFns[i]!(env, vals, at); at = vals.length; }
      return vals.map((v) => String(v)).join(', ');
    };
    // The loop variable each index uses (`t` in `soc[t-1]`), named in the boundary hint.
    const indexBinders = indices.map((ie) => [...(freeNames(ie) ?? [])].find((n) => ctx.binder(n)));
    const outOfSet = (env: Env, ix: Indexed, factor: number): never => {
      const set = ix.factors[factor]!;
      const vals = describe(env);
      const part = parts[factorPart[factor]!];
      const binder = part?.c.t === 'elem' ? part.c.binder : undefined;
      const from = binder && binder.setArity === 1 ? env.s[binder.group] : undefined;
      if (from && from !== set && from.name !== set.name && (ix.factors.some((f) => f === from || f.name === from.name) || disjoint(from, set))) {
        // The index runs over another set: the indices are in the wrong order, or the wrong
        // index variable is used. (A subset, or an overlapping set, stays an E0302 for the
        // element that is missing.)
        const order = ix.factors.map((f) => f.name).join(', ');
        fail('E0304', `index \`${binder!.name}\` runs over ${from.name}, but index ${factor + 1} of \`${path}\` is in ${set.name}`, part!.span,
          ix.factors.some((f) => f === from || f.name === from.name) ? `\`${path}\` is indexed [${order}]: are the indices in the wrong order?` : `\`${path}\` is indexed [${order}]`);
      }
      const t = indexBinders[Math.min(factor, indexBinders.length - 1)] ?? 't', T = set.name;
      const hint = set.numeric && set.size > 0
        ? `the set runs from ${set.at(0)} to ${set.at(set.size - 1)}; handle the boundary explicitly, e.g. \`if ${t} == first(${T}) then ... else ...\` or \`where ${t} > first(${T})\``
        : 'check the data and the order of the indices';
      fail('E0302', `index [${vals}] of \`${path}\` is outside its domain: ${factor === 0 && nf === 1 ? '' : `index ${factor + 1} is not in `}${set.describe()}`, spans[Math.min(factor, spans.length - 1)] ?? span, hint);
    };
    if (nf === 1) {
      const f0 = posFns[0]!;
      const scratch: Elem[] = [];
      return (env) => {
        const ix = indexed(env);
        const p = f0(env, ix.factors[0]!, scratch);
        if (p < 0) outOfSet(env, ix, 0);
        return p;
      };
    }
    const scratch: Elem[] = [];
    return (env) => {
      const ix = indexed(env);
      let off = 0;
      for (let i = 0; i < nf; i++) {
        const set = ix.factors[i]!;
        const p = posFns[i]!(env, set, scratch);
        if (p < 0) outOfSet(env, ix, i);
        off += p * ix.strides[i]!;
      }
      return off;
    };
  }

  /** Applies indices to a reference (or none, for scalar use) and yields a value. */
  private refValue(ref: Ref, indices: readonly A.Expr[] | undefined, ctx: Ctx, span: Span): C {
    if (ref.r === 'inst') {
      this.diags.report('E0408', `\`${ref.path}\` is a component instance; use one of its members, such as \`${ref.path}.${ref.comp.scope.list[0]?.name ?? 'x'}\``, span);
      return ERR;
    }
    if (ref.r === 'column') {
      this.diags.report('E0203', `table columns such as \`${ref.path}\` can only give the values of a parameter or a set`, span, `declare \`param x[...] = ${ref.path}\` and use x`);
      return ERR;
    }
    const m = ref.member;
    const frameFn = ref.frame;
    if (m.failed) return ERR;
    switch (m.kind) {
      case 'set': {
        if (indices) { this.diags.report('E0303', `set \`${ref.path}\` cannot be indexed`, span); return ERR; }
        return { t: 'set', arity: m.arity ?? 1, f: (env) => frameFn(env).get<EvSet>(m) };
      }
      case 'table':
        this.diags.report('E0203', `\`${ref.path}\` is a table; use one of its columns as a parameter value: \`param p[...] = ${ref.path}.column\``, span);
        return ERR;
      case 'component':
        this.diags.report('E0203', `\`${ref.path}\` is a component; instantiate it with \`instance x = ${ref.path}(...)\``, span);
        return ERR;
      case 'constraint':
        this.diags.report('E0203', `\`${ref.path}\` is a constraint and has no value in an expression`, span);
        return ERR;
      case 'objective':
        this.diags.report('E0203', `\`${ref.path}\` is the objective and cannot be used in an expression`, span);
        return ERR;
      case 'instance':
        this.diags.report('E0303', `\`${ref.path}\` is an indexed instance; give its index: \`${ref.path}[...].member\``, span);
        return ERR;
      case 'param': return this.paramValueRef(m, frameFn, indices, ctx, span, ref.path);
      case 'var': return this.varRef(m, frameFn, indices, ctx, span, ref.path);
      case 'expr': return this.exprRef(m, frameFn, indices, ctx, span, ref.path);
      case 'cost': {
        if (indices) { this.diags.report('E0303', `cost \`${ref.path}\` cannot be indexed`, span); return ERR; }
        if (ctx.noVars) { this.diags.report('E0409', `a cost term contains decision variables and is not allowed in ${ctx.noVars}`, span); return ERR; }
        if (!m.body) return ERR;
        const body = m.body as C & { t: 'lin' };
        const bf = body.f;
        return { t: 'lin', unit: m.unit!, nl: body.nl, f: (env, k, acc) => { const inner = new Env(frameFn(env), m.slotCount!); bf(inner, k, acc); } };
      }
    }
  }

  private checkIndexCount(name: string, domain: CDomain | undefined, indices: readonly A.Expr[] | undefined, span: Span): boolean {
    if (!domain && indices) {
      this.diags.report('E0303', `\`${name}\` is not indexed`, span, `write \`${name}\` without [...]`);
      return false;
    }
    if (domain && !indices) {
      this.diags.report('E0303', `\`${name}\` is indexed and needs ${domain.arity} ${domain.arity === 1 ? 'index' : 'indices'}`, span,
        `write \`${name}[${domain.names.map((n, i) => n ?? `i${i + 1}`).join(', ')}]\``);
      return false;
    }
    return true;
  }

  private paramValueRef(m: ParamMember, frameFn: FrameFn, indices: readonly A.Expr[] | undefined, ctx: Ctx, span: Span, path: string): C {
    if (m.uncertain && ctx.noUncertain) {
      this.diags.report('E0801', `uncertain parameter \`${path}\` is not allowed in ${ctx.noUncertain}`, span, 'this is fixed before any scenario is drawn: use known data');
      return ERR;
    }
    if (!this.checkIndexCount(path, m.domain, indices, span)) return ERR;
    if (!m.unit) return ERR;
    const get = memberOfFrame<ParamValue>(frameFn, m);
    const missing = (env: Env, off: number): never => {
      const pv = get(env);
      fail('E0504', `\`${path}[${formatTuple(pv.tupleAt(off)).replace(/^\(|\)$/g, '')}]\` has no value`, span, 'give the parameter a value for this index, or a `default`');
    };
    if (m.elementOf) {
      if (!m.domain) return { t: 'elem', numeric: !!m.elementNumeric, f: (env) => get(env).elems![0]! };
      const off = this.offsetFn(indices!, factorArities(m.domain), ctx, span, path, get);
      if (!off) return ERR;
      return { t: 'elem', numeric: !!m.elementNumeric, f: (env) => { const o = off(env); const v = get(env).elems![o]; return v === undefined ? missing(env, o) : v; } };
    }
    const unit = m.unit;
    if (!m.domain) {
      return { t: 'num', unit, f: (env) => { const v = get(env).num![0]!; return Number.isNaN(v) ? missing(env, 0) : v; } };
    }
    const off = this.offsetFn(indices!, factorArities(m.domain), ctx, span, path, get);
    if (!off) return ERR;
    return { t: 'num', unit, f: (env) => { const o = off(env); const v = get(env).num![o]!; return Number.isNaN(v) ? missing(env, o) : v; } };
  }

  private varRef(m: VarMember, frameFn: FrameFn, indices: readonly A.Expr[] | undefined, ctx: Ctx, span: Span, path: string): C {
    if (ctx.noVars) {
      this.diags.report('E0409', `variable \`${path}\` is not allowed in ${ctx.noVars}`, span,
        ctx.noVars.includes('bound') ? 'bounds must be numbers or parameters; write a constraint to relate variables' : 'this part is evaluated when the model is built');
      return ERR;
    }
    if (!this.checkIndexCount(path, m.domain, indices, span)) return ERR;
    if (!m.unit) return ERR;
    const factor = m.unit.factor;
    const get = memberOfFrame<VarFamily>(frameFn, m);
    if (!m.domain) {
      return { t: 'lin', unit: m.unit, f: (env, k, acc) => acc.add(get(env).base, k * factor) };
    }
    const off = this.offsetFn(indices!, factorArities(m.domain), ctx, span, path, get);
    if (!off) return ERR;
    return { t: 'lin', unit: m.unit, f: (env, k, acc) => { const fam = get(env); acc.add(fam.base + off(env), k * factor); } };
  }

  private exprRef(m: ExprMember, frameFn: FrameFn, indices: readonly A.Expr[] | undefined, ctx: Ctx, span: Span, path: string): C {
    if (!this.checkIndexCount(path, m.domain, indices, span)) return ERR;
    if (!m.body || !m.unit) return ERR;
    const body = m.body as C & ({ t: 'lin' } | { t: 'num' });
    if (body.t === 'lin' && ctx.noVars) {
      this.diags.report('E0409', `\`${path}\` contains decision variables and is not allowed in ${ctx.noVars}`, span);
      return ERR;
    }
    const unit = m.unit;
    if (!m.domain) {
      if (body.t === 'num') { const f = body.f; return { t: 'num', unit, f: (env) => f(new Env(frameFn(env), m.slotCount!)) }; }
      const f = body.f;
      return { t: 'lin', unit, nl: body.nl, f: (env, k, acc) => f(new Env(frameFn(env), m.slotCount!), k, acc) };
    }
    // Bind the expression's own index names from the index values given here.
    const domain = m.domain;
    const parts: { f: (env: Env) => unknown; arity: number }[] = [];
    for (const ie of indices!) {
      const c = this.expr(ie, ctx.constant('an index'));
      if (c.t === 'error') return ERR;
      if (c.t === 'tuple') { parts.push({ f: c.f, arity: c.arity }); continue; }
      const el = asElem(c, ie.span, this.diags);
      if (!el) return ERR;
      parts.push({ f: el.f, arity: 1 });
    }
    const given = parts.reduce((a, p) => a + p.arity, 0);
    if (given !== domain.arity) {
      this.diags.report('E0301', `\`${path}\` takes ${domain.arity} ${domain.arity === 1 ? 'index' : 'indices'} but ${given} ${given === 1 ? 'is' : 'are'} given`, span);
      return ERR;
    }
    const bind = (env: Env): Env => {
      const frame = frameFn(env);
      const inner = new Env(frame, m.slotCount!);
      const vals: Elem[] = [];
      for (const p of parts) {
        const v = p.f(env);
        if (p.arity === 1) vals.push(v as Elem); else vals.push(...(v as Elem[]));
      }
      const sets = domain.bindings.map((b) => b.set(inner));
      if (!bindFromTuple(domain, inner, vals, sets)) {
        fail('E0302', `index [${vals.join(', ')}] of \`${path}\` is outside its domain`, span);
      }
      return inner;
    };
    if (body.t === 'num') { const f = body.f; return { t: 'num', unit, f: (env) => f(bind(env)) }; }
    const f = body.f;
    return { t: 'lin', unit, nl: body.nl, f: (env, k, acc) => f(bind(env), k, acc) };
  }

  // ================================================================ expressions

  expr(e: A.Expr, ctx: Ctx): C {
    try {
      return this.exprInner(e, ctx);
    } catch (err) {
      if (err instanceof EvgError) { this.diags.add(err.diagnostic); return ERR; }
      throw err;
    }
  }

  private exprInner(e: A.Expr, ctx: Ctx): C {
    switch (e.kind) {
      case 'num': return this.numLiteral(e, ctx);
      case 'str': return { t: 'str', value: e.value };
      case 'bool': { const v = e.value; return { t: 'bool', f: () => v }; }
      case 'symbol': { const v = normElem(e.name); return { t: 'elem', numeric: typeof v === 'number', f: () => v, value: v }; }
      case 'name': return this.nameExpr(e, ctx);
      case 'member': {
        const ref = this.tryRef(e, ctx);
        if (!ref) { this.expr(e.target, ctx); this.diags.report('E0203', 'only component instances and tables have members (`.name`)', e.member.span); return ERR; }
        return this.refValue(ref, undefined, ctx, e.span);
      }
      case 'index': {
        const ref = this.tryRef(e.target, ctx);
        if (ref) {
          if (ref.r === 'member' && ref.member.kind === 'instance') {
            this.diags.report('E0203', `\`${ref.path}[...]\` is an instance; use one of its members: \`${ref.path}[...].member\``, e.span);
            return ERR;
          }
          return this.refValue(ref, e.indices, ctx, e.span);
        }
        const t = this.expr(e.target, ctx);
        if (t.t !== 'error') this.diags.report('E0303', `${describeKind(t)} cannot be indexed`, e.span);
        return ERR;
      }
      case 'call': return this.call(e, ctx);
      case 'unary': {
        const c = this.expr(e.operand, ctx);
        if (e.op === '-') return negate(c, e.operand.span, this.diags);
        if (e.op === '+') return c;
        const b = asBool(c, e.operand.span, this.diags);
        if (!b) return ERR;
        return { t: 'bool', f: (env) => !b(env) };
      }
      case 'binary': return this.binary(e, ctx);
      case 'cond': return this.cond(e, ctx);
      case 'sum': return this.reduction(e, ctx);
      case 'range': case 'setLit': case 'compr': {
        const s = this.setExpr(e, ctx);
        return s ?? ERR;
      }
      case 'tuple': {
        const parts = e.elems.map((x) => asElem(this.expr(x, ctx), x.span, this.diags, 'a tuple element'));
        if (parts.some((p) => !p)) return ERR;
        const fs = parts.map((p) => p!.f);
        return { t: 'tuple', arity: fs.length, f: (env) => fs.map((f) => f(env)) };
      }
      case 'mapLit': case 'listLit': case 'tableLit':
        this.diags.report('E0408', 'inline data (`{key: value}`, `[...]` lists and tables) can only give the value of a parameter', e.span);
        return ERR;
      case 'error':
        return ERR;
    }
  }

  private numLiteral(e: A.Expr & { kind: 'num' }, ctx: Ctx): C {
    if (!e.unit) return { t: 'num', unit: ONE, bare: true, value: e.value, f: () => e.value };
    const u = resolveUnit(e.unit, this.diags);
    if (!u) return ERR;
    // `2 h` is two hours even where `h` is also declared; say so once, since it may surprise.
    const unitNames = collectUnitNames(e.unit);
    for (const n of unitNames) {
      if (ctx.binder(n) || this.lookup(n, ctx.scope)) {
        this.diags.report('W0201', `\`${e.text} ${n}\` is read as a quantity in the unit ${n}, although \`${n}\` is also a declared name`, e.unit.span, `write \`${e.text} * ${n}\` to multiply by the declaration`);
      }
    }
    const v = e.value * u.factor;
    return { t: 'num', unit: u, value: v, f: () => v };
  }

  private nameExpr(e: A.Expr & { kind: 'name' }, ctx: Ctx): C {
    const b = ctx.binder(e.name);
    if (b) {
      const slot = b.slot;
      if (b.component === -1 && b.setArity > 1) return { t: 'tuple', arity: b.setArity, binder: b, f: (env) => env.v[slot] as Elem[] };
      return { t: 'elem', numeric: b.numeric, binder: b, f: (env) => env.v[slot] as Elem };
    }
    if (e.name === 'horizon') {
      const s = this.setExpr(e, ctx);
      return s ?? ERR;
    }
    const ref = this.tryRef(e, ctx);
    if (!ref) {
      this.diags.report('E0201', `unknown name \`${e.name}\``, e.span, this.unknownNameHint(e.name, ctx));
      return ERR;
    }
    return this.refValue(ref, undefined, ctx, e.span);
  }

  /**
   * What to suggest for an unknown name: a declared name close to it; a unit, where the name
   * is a unit written without a number or a misspelt one (`5 $/MWhh` reads as `5 $ / MWhh`);
   * and, in an index, the way to write a set element.
   */
  private unknownNameHint(name: string, ctx: Ctx): string {
    const near = this.suggest(name, this.visibleNames(ctx));
    const elementHint = ctx.noVars === 'an index'
      ? `if \`${name}\` is an element of a set, write it as a string: \`"${name}"\``
      : undefined;
    if (near) return elementHint ? `${near} (or, ${elementHint})` : near;
    if (elementHint) return elementHint.replace(/^if/, 'If');
    if (isUnitName(name)) return `\`${name}\` is a unit; a quantity is written with a number, like \`1 ${name}\``;
    // Only a close match counts: a short unknown name is usually not a unit at all.
    const unit = closestUnit(name);
    if (unit && editDistance(unit.toLowerCase(), name.toLowerCase()) * 3 <= name.length) return `did you mean the unit \`${unit}\`? (a quantity is written like \`5 ${unit}\`)`;
    return 'declare it, or check the spelling';
  }

  private binary(e: A.Expr & { kind: 'binary' }, ctx: Ctx): C {
    const op = e.op;
    if (op === 'and' || op === 'or') {
      const a = asBool(this.expr(e.left, ctx), e.left.span, this.diags);
      const b = asBool(this.expr(e.right, ctx), e.right.span, this.diags);
      return a && b ? logic(op, a, b) : ERR;
    }
    if (op === 'union' || op === 'inter' || op === 'diff') {
      return this.setExpr(e, ctx) ?? ERR;
    }
    const a = this.expr(e.left, ctx);
    const b = this.expr(e.right, ctx);
    switch (op) {
      case '+': case '-': return addSub(op, a, b, e.span, e.left.span, e.right.span, this.diags);
      case '*':
        if (a.t === 'set' || b.t === 'set') return this.setExpr(e, ctx) ?? ERR;
        return multiply(a, b, e.span, e.left.span, e.right.span, this.diags);
      case '/': return divide(a, b, e.span, e.left.span, e.right.span, this.diags);
      case '^': return this.power(a, b, e);
      default: return compare(op as CmpOp, a, b, e.span, e.left.span, e.right.span, this.diags);
    }
  }

  private power(a: C, b: C, e: A.Expr & { kind: 'binary' }): C {
    if (a.t === 'error' || b.t === 'error') return ERR;
    const exp = asNum(b, e.right.span, this.diags, 'an exponent');
    if (!exp) return ERR;
    if (!exp.unit.isDimensionless) { this.diags.report('E0407', 'an exponent must be a plain number', e.right.span); return ERR; }
    if (a.t === 'lin') {
      if (exp.value === 1) return a;
      if (exp.value === 2) return atom('square', [a], pow(a.unit, 2), a.unit, e.span, this.diags);
      this.diags.report('E0405', `only the square of an expression with decision variables can be lowered, not the power ${exp.value ?? '(a parameter)'}`, e.span,
        'higher powers can be approximated with pwl(x, breakpoints, values)');
      return ERR;
    }
    const base = asNum(a, e.left.span, this.diags);
    if (!base) return ERR;
    if (base.unit.isDimensionless) {
      const fa = base.f, fb = exp.f;
      return { t: 'num', unit: ONE, bare: base.bare, f: (env) => fa(env) ** fb(env) };
    }
    if (exp.value === undefined || !Number.isInteger(exp.value)) {
      this.diags.report('E0407', `a quantity in ${base.unit.text} can only be raised to a constant whole power`, e.right.span);
      return ERR;
    }
    const n = exp.value;
    const fa = base.f;
    return { t: 'num', unit: pow(base.unit, n), f: (env) => fa(env) ** n };
  }

  private cond(e: A.Expr & { kind: 'cond' }, ctx: Ctx): C {
    const test = asBool(this.expr(e.test, ctx.constant('an `if` condition')), e.test.span, this.diags, 'an `if` condition');
    const a = this.expr(e.then, ctx);
    const b = this.expr(e.else, ctx);
    if (!test || a.t === 'error' || b.t === 'error') return ERR;
    if (a.t === 'elem' && b.t === 'elem') {
      const fa = a.f, fb = b.f;
      return { t: 'elem', numeric: a.numeric && b.numeric, f: (env) => (test(env) ? fa(env) : fb(env)) };
    }
    if (a.t === 'lin' || b.t === 'lin') {
      const x = asLin(a, e.then.span, this.diags), y = asLin(b, e.else.span, this.diags);
      if (!x || !y) return ERR;
      const unit = this.unifyUnits(x, y, a, b, e);
      if (!unit) return ERR;
      const fa = x.f, fb = y.f;
      return { t: 'lin', unit, nl: x.nl || y.nl, f: (env, k, acc) => (test(env) ? fa(env, k, acc) : fb(env, k, acc)) };
    }
    const x = asNum(a, e.then.span, this.diags), y = asNum(b, e.else.span, this.diags);
    if (!x || !y) return ERR;
    const unit = this.unifyUnits(x, y, a, b, e);
    if (!unit) return ERR;
    const fa = x.f, fb = y.f;
    return { t: 'num', unit, bare: x.bare && y.bare, f: (env) => (test(env) ? fa(env) : fb(env)) };
  }

  private unifyUnits(x: { unit: Unit }, y: { unit: Unit }, a: C, b: C, e: A.Expr & { kind: 'cond' }): Unit | undefined {
    const zero = (c: C) => c.t === 'num' && c.bare && c.value === 0;
    if (zero(a)) return y.unit;
    if (zero(b)) return x.unit;
    if (!sameDims(x.unit, y.unit) || kindConflict(x.unit, y.unit)) {
      this.diags.report('E0401', `the branches of \`if\` have different units: ${describeUnit(x.unit)} and ${describeUnit(y.unit)}`, e.span);
      return undefined;
    }
    return x.unit;
  }

  private reduction(e: A.Expr & { kind: 'sum' }, ctx: Ctx): C {
    const domain = this.domain(e.domain, ctx.constant('an index domain'));
    if (!domain) { ctx.pop(); return ERR; }
    const body = this.expr(e.body, ctx);
    ctx.pop();
    if (body.t === 'error') return ERR;
    const loop = makeLoop(domain);
    if (e.op !== 'sum' && body.t === 'lin') {
      const f = body.f;
      const each: AtomNode['args'] = (env, make) => {
        const out: ReturnType<typeof make>[] = [];
        loop(env, () => { const a = make(); f(env, 1, a); out.push(a); });
        if (out.length === 0) fail('E0305', `${e.op}(...) over an empty domain`, e.domain.span);
        return out;
      };
      return atomOver(e.op, [body], each, body.unit, body.unit, e.span, this.diags);
    }
    if (e.op !== 'sum') {
      const n = asNum(body, e.body.span, this.diags, `${e.op}(...) over a domain`);
      if (!n) return ERR;
      const f = n.f, isMin = e.op === 'min';
      return {
        t: 'num', unit: n.unit, bare: n.bare, f: (env) => {
          let best = isMin ? Infinity : -Infinity;
          loop(env, () => { const v = f(env); if (isMin ? v < best : v > best) best = v; });
          if (!Number.isFinite(best)) fail('E0305', `${e.op}(...) over an empty domain`, e.domain.span);
          return best;
        },
      };
    }
    if (body.t === 'lin') {
      const f = body.f;
      return { t: 'lin', unit: body.unit, nl: body.nl, f: (env, k, acc) => loop(env, () => f(env, k, acc)) };
    }
    const n = asNum(body, e.body.span, this.diags, 'the body of a sum');
    if (!n) return ERR;
    const f = n.f;
    return { t: 'num', unit: n.unit, bare: n.bare, f: (env) => { let s = 0; loop(env, () => { s += f(env); }); return s; } };
  }

  // ================================================================ calls

  private call(e: A.Expr & { kind: 'call' }, ctx: Ctx): C {
    const name = e.callee.name;
    const args = e.args;
    const need = (n: number, what: string) => {
      if (args.length !== n || e.named.length) {
        this.diags.report('E0408', `${name}(...) takes ${what}`, e.span);
        return false;
      }
      return true;
    };
    switch (name) {
      case 'first': case 'last': {
        if (!need(1, 'one set')) return ERR;
        const s = this.setExpr(args[0]!, ctx);
        if (!s) return ERR;
        if (s.arity !== 1) { this.diags.report('E0306', `${name}(...) needs a set of single elements`, args[0]!.span); return ERR; }
        const f = s.f, isFirst = name === 'first';
        const numeric = this.setNumeric(args[0]!);
        return { t: 'elem', numeric: numeric || true, f: (env) => {
          const S = f(env);
          if (S.size === 0) fail('E0305', `${name}(...) of an empty set`, args[0]!.span);
          return S.at(isFirst ? 0 : S.size - 1);
        } };
      }
      case 'card': {
        if (!need(1, 'one set')) return ERR;
        const s = this.setExpr(args[0]!, ctx);
        if (!s) return ERR;
        const f = s.f;
        return { t: 'num', unit: ONE, bare: true, f: (env) => f(env).size };
      }
      case 'step': {
        if (!need(1, 'one horizon set')) return ERR;
        const s = this.setExpr(args[0]!, ctx);
        if (!s) return ERR;
        const f = s.f;
        const hz = this.stepUnitOf(args[0]!, ctx);
        return { t: 'num', unit: hz ?? unitByName('h')!, f: (env) => {
          const S = f(env);
          if (S.step === undefined) fail('E0606', `\`${exprLabel(args[0]!)}\` is not a horizon, so it has no step`, args[0]!.span, 'declare it with `horizon T = N steps of D`');
          return S.step;
        } };
      }
      case 'ord': {
        if (!need(2, 'an element and a set: ord(t, T)')) return ERR;
        const el = asElem(this.expr(args[0]!, ctx), args[0]!.span, this.diags);
        const s = this.setExpr(args[1]!, ctx);
        if (!el || !s) return ERR;
        const fe = el.f, fs = s.f;
        return { t: 'num', unit: ONE, bare: true, f: (env) => {
          const p = fs(env).pos(fe(env));
          if (p < 0) fail('E0302', `ord(...): \`${fe(env)}\` is not in the set`, args[0]!.span);
          return p + 1;
        } };
      }
      case 'prev': case 'next': {
        if (!need(2, `an element and an ordered set: ${name}(t, T)`)) return ERR;
        const el = asElem(this.expr(args[0]!, ctx), args[0]!.span, this.diags);
        const s = this.setExpr(args[1]!, ctx);
        if (!el || !s) return ERR;
        const fe = el.f, fs = s.f, d = name === 'prev' ? -1 : 1;
        return { t: 'elem', numeric: this.setNumeric(args[1]!), f: (env) => {
          const S = fs(env), x = fe(env), p = S.pos(x);
          if (p < 0) fail('E0302', `${name}(...): \`${x}\` is not in the set`, args[0]!.span);
          const q = p + d;
          if (q < 0 || q >= S.size) fail('E0302', `\`${x}\` is the ${d < 0 ? 'first' : 'last'} element, so ${name}(${x}) does not exist`, e.span,
            `handle it explicitly: \`if ${exprLabel(args[0]!)} == ${d < 0 ? 'first' : 'last'}(${exprLabel(args[1]!)}) then ... else ...\``);
          return S.at(q);
        } };
      }
      case 'abs': case 'sqrt': case 'exp': case 'log': case 'floor': case 'ceil': case 'round': {
        if (!need(1, 'one number')) return ERR;
        const c = this.expr(args[0]!, ctx);
        if (c.t === 'lin' && name === 'abs') return atom('abs', [c], c.unit, c.unit, e.span, this.diags);
        if (c.t === 'lin') {
          this.diags.report('E0405', `${name}(...) of an expression with decision variables cannot be lowered`, e.span,
            'it can be approximated with pwl(x, breakpoints, values) over the range of x');
          return ERR;
        }
        const n = asNum(c, args[0]!.span, this.diags);
        if (!n) return ERR;
        const f = n.f;
        if (name === 'abs') return { t: 'num', unit: n.unit, bare: n.bare, f: (env) => Math.abs(f(env)) };
        if (name === 'sqrt') {
          if (n.unit.dims.some((x) => x % 2 !== 0)) { this.diags.report('E0407', `sqrt(...) of a quantity in ${n.unit.text}: the unit has no square root`, args[0]!.span); return ERR; }
          const half = n.unit.dims.map((x) => x / 2) as unknown as [number, number, number, number, number];
          const u = n.unit.isDimensionless ? ONE : new Unit(half, Math.sqrt(n.unit.factor), `sqrt(${n.unit.text})`);
          return { t: 'num', unit: u, bare: n.bare, f: (env) => { const v = f(env); if (v < 0) fail('E0601', 'sqrt(...) of a negative number', args[0]!.span); return Math.sqrt(v); } };
        }
        if (!n.unit.isDimensionless) { this.diags.report('E0407', `${name}(...) takes a plain number, not a quantity in ${n.unit.text}`, args[0]!.span); return ERR; }
        const scale = n.unit.factor;
        const fn = Math[name as 'exp' | 'log' | 'floor' | 'ceil' | 'round'];
        return { t: 'num', unit: ONE, bare: true, f: (env) => fn(f(env) * scale) };
      }
      case 'min': case 'max': {
        if (args.length < 2 || e.named.length) { this.diags.report('E0408', `${name}(...) takes two or more numbers, or a domain: ${name}(i in I) expr`, e.span); return ERR; }
        const cs = args.map((a) => this.expr(a, ctx));
        if (cs.some((c) => c.t === 'error')) return ERR;
        if (cs.some((c) => c.t === 'lin')) return this.atomOfList(name, cs, args, e.span);
        const ns = cs.map((c, i) => asNum(c, args[i]!.span, this.diags));
        if (ns.some((n) => !n)) return ERR;
        let acc = ns[0]!;
        for (let i = 1; i < ns.length; i++) {
          const u = addSub('+', acc, ns[i]!, e.span, args[0]!.span, args[i]!.span, this.diags);
          if (u.t === 'error') return ERR;
          acc = { ...acc, unit: (u as { unit: Unit }).unit };
        }
        const fs = ns.map((n) => n!.f);
        const isMin = name === 'min';
        return { t: 'num', unit: acc.unit, bare: ns.every((n) => n!.bare), f: (env) => {
          let best = fs[0]!(env);
          for (let i = 1; i < fs.length; i++) { const v = fs[i]!(env); if (isMin ? v < best : v > best) best = v; }
          return best;
        } };
      }
      case 'pos': {
        // The positive part max(e, 0).
        if (!need(1, 'one expression')) return ERR;
        const c = this.expr(args[0]!, ctx);
        if (c.t === 'error') return ERR;
        if (c.t !== 'lin') {
          const n = asNum(c, args[0]!.span, this.diags);
          if (!n) return ERR;
          const f = n.f;
          return { t: 'num', unit: n.unit, bare: n.bare, f: (env) => Math.max(0, f(env)) };
        }
        return atom('max', [c, asLin({ t: 'num', unit: ONE, bare: true, value: 0, f: () => 0 }, e.span, this.diags)!], c.unit, c.unit, e.span, this.diags);
      }
      case 'norm': {
        if (args.length < 1 || e.named.length) { this.diags.report('E0408', 'norm(...) takes one or more expressions: norm(x1, x2, ...)', e.span); return ERR; }
        const cs = args.map((a) => this.expr(a, ctx));
        if (cs.some((c) => c.t === 'error')) return ERR;
        return this.atomOfList('norm', cs, args, e.span);
      }
      case 'pwl': return this.pwl(e, ctx);
      case 'in': {
        const s = this.setExpr(args[1]!, ctx);
        const c = this.expr(args[0]!, ctx.constant('a condition'));
        if (!s || c.t === 'error') return ERR;
        const fs = s.f;
        if (c.t === 'tuple') {
          if (c.arity !== s.arity) { this.diags.report('E0306', `a ${c.arity}-tuple cannot be in a set of arity ${s.arity}`, e.span); return ERR; }
          const ft = c.f;
          return { t: 'bool', f: (env) => fs(env).posTuple(ft(env), 0) >= 0 };
        }
        const el = asElem(c, args[0]!.span, this.diags, 'the left side of `in`');
        if (!el) return ERR;
        if (s.arity !== 1) { this.diags.report('E0306', `a single element cannot be in a set of ${s.arity}-tuples`, e.span); return ERR; }
        const fe = el.f;
        return { t: 'bool', f: (env) => fs(env).pos(fe(env)) >= 0 };
      }
      case 'keys': {
        const s = this.setExpr(e, ctx);
        return s ?? ERR;
      }
      case 'csv': case 'json':
        this.diags.report('E0203', `${name}(...) reads a data table, which has no value of its own`, e.span,
          `declare it: \`table t = ${name}("...", key = column)\`, then use \`keys(t)\` as a set or \`t.column\` as a parameter's values`);
        return ERR;
      default: {
        const found = this.lookup(name, ctx.scope);
        if (found?.member.kind === 'component') {
          this.diags.report('E0203', `components are instantiated with \`instance x = ${name}(...)\`, not called in expressions`, e.span);
          return ERR;
        }
        const near = this.suggest(name, [...BUILTINS]);
        this.diags.report('E0201', `unknown function \`${name}\``, e.callee.span, near ?? `functions: ${[...BUILTINS].filter((b) => b !== 'in').join(', ')}`);
        return ERR;
      }
    }
  }

  /** max(...), min(...) or norm(...) of a list in which some element has variables: an atom. */
  private atomOfList(kind: 'max' | 'min' | 'norm', cs: readonly C[], args: readonly A.Expr[], span: Span): C {
    const lins: (C & { t: 'lin' })[] = [];
    for (let i = 0; i < cs.length; i++) {
      const l = asLin(cs[i]!, args[i]!.span, this.diags);
      if (!l) return ERR;
      lins.push(l);
    }
    // All elements in one dimension (a bare 0 fits any).
    let unit: Unit | undefined;
    for (let i = 0; i < lins.length; i++) {
      const c = cs[i]!;
      if (c.t === 'num' && c.bare && c.value === 0) continue;
      if (!unit) { unit = lins[i]!.unit; continue; }
      if (!checkSameUnit({ ...lins[0]!, unit }, lins[i]!, kind === 'norm' ? '+' : 'cmp', args[i]!.span, this.diags)) return ERR;
    }
    unit ??= ONE;
    return atom(kind, lins, unit, unit, span, this.diags);
  }

  /**
   * `pwl(x, X, Y)`: the piecewise-linear function through the points (X[i], Y[i]), X increasing.
   * X and Y are lists (`[0 MW, 1 MW, 2 MW]`) or whole parameters over one ordered set
   * (`pwl(dod[t], dod_bp, cost_bp)` with `param dod_bp[K]`); X is in x's dimension.
   */
  private pwl(e: A.Expr & { kind: 'call' }, ctx: Ctx): C {
    if (e.args.length !== 3 || e.named.length) {
      this.diags.report('E0408', 'pwl(...) takes an expression, the breakpoints and the values: pwl(x, [x0, x1, ...], [y0, y1, ...])', e.span);
      return ERR;
    }
    const [xAst, bpAst, valAst] = e.args as [A.Expr, A.Expr, A.Expr];
    const x = this.expr(xAst, ctx);
    if (x.t === 'error') return ERR;
    const xl = asLin(x, xAst.span, this.diags);
    const bp = this.numberSequence(bpAst, ctx, 'the breakpoints of pwl(...)');
    const val = this.numberSequence(valAst, ctx, 'the values of pwl(...)');
    if (!xl || !bp || !val) return ERR;
    if (!(x.t === 'num' && x.bare) && !(bp.bare && bp.unit.isDimensionless) && (!sameDims(bp.unit, xl.unit) || kindConflict(bp.unit, xl.unit))) {
      this.diags.report('E0401', `the breakpoints of pwl(...) are in ${describeUnit(bp.unit)} but its argument is in ${describeUnit(xl.unit)}`, bpAst.span);
      return ERR;
    }
    const bpFactor = bp.bare ? xl.unit.factor : 1;
    const span = e.span;
    const data = (env: Env): PwlData => {
      const xs = bp.f(env), ys = val.f(env);
      if (xs.length !== ys.length) fail('E0507', `pwl(...) has ${xs.length} breakpoints but ${ys.length} values`, span);
      if (xs.length < 2) fail('E0507', 'pwl(...) needs at least two breakpoints', span);
      for (let i = 1; i < xs.length; i++) {
        if (!(xs[i]! > xs[i - 1]!)) fail('E0507', `the breakpoints of pwl(...) must increase strictly, but breakpoint ${i + 1} (${xs[i]! / (bp.bare ? 1 : bp.unit.factor)}) is not above breakpoint ${i}`, bpAst.span);
      }
      if (bpFactor !== 1) for (let i = 0; i < xs.length; i++) xs[i]! *= bpFactor;
      return { xs, ys };
    };
    const unit = val.bare ? ONE : val.unit;
    return atom('pwl', [xl], unit, xl.unit, span, this.diags, data);
  }

  /** A list literal of numbers, or a whole one-dimensional numeric parameter, as a sequence. */
  private numberSequence(e: A.Expr, ctx: Ctx, what: string): { unit: Unit; bare: boolean; f: (env: Env) => Float64Array } | undefined {
    if (e.kind === 'listLit') {
      const items = e.items.map((it) => asNum(this.expr(it, ctx.constant(what)), it.span, this.diags, what));
      if (items.some((i) => !i)) return undefined;
      const ns = items as (C & { t: 'num' })[];
      let unit: Unit = ns[0]?.unit ?? ONE;
      const bare = ns.every((n) => n.bare);
      for (const n of ns) {
        if (n.bare && n.value === 0) continue;
        if (!n.bare && unit.isDimensionless) unit = n.unit;
        if (!n.bare && (!sameDims(n.unit, unit) || kindConflict(n.unit, unit))) {
          this.diags.report('E0401', `${what} mix ${describeUnit(unit)} and ${describeUnit(n.unit)}`, e.span);
          return undefined;
        }
      }
      if (!bare && ns.some((n) => n.bare && n.value !== 0)) {
        this.diags.report('E0402', `${what} mix numbers with and without a unit`, e.span, `write the unit on every value, like \`[0 ${unit.text}, 1 ${unit.text}]\``);
        return undefined;
      }
      const fs = ns.map((n) => n.f);
      return { unit, bare, f: (env) => Float64Array.from(fs, (f) => f(env)) };
    }
    const ref = this.tryRef(e, ctx);
    if (ref && ref.r === 'member' && ref.member.kind === 'param') {
      const pm = ref.member;
      this.resolve(pm);
      if (pm.failed || !pm.unit) return undefined;
      if (pm.elementOf || !pm.domain || pm.domain.arity !== 1) {
        this.diags.report('E0408', `${what} are a list \`[...]\` or a numeric parameter with one index, not \`${ref.path}\``, e.span);
        return undefined;
      }
      const frameFn = ref.frame;
      return { unit: pm.unit, bare: false, f: (env) => Float64Array.from(frameFn(env).get<ParamValue>(pm).num!) };
    }
    this.diags.report('E0408', `${what} are a list \`[...]\` or a numeric parameter with one index`, e.span);
    return undefined;
  }

  private stepUnitOf(e: A.Expr, ctx: Ctx): Unit | undefined {
    if (e.kind === 'name') {
      if (e.name === 'horizon') return this.horizons[0]?.stepUnit ?? (this.resolveHorizons(), this.horizons[0]?.stepUnit);
      const found = this.lookup(e.name, ctx.scope);
      if (found?.member.kind === 'set') {
        this.resolve(found.member);
        if (found.member.stepUnit) return found.member.stepUnit;
      }
    }
    this.resolveHorizons();
    return this.horizons[0]?.stepUnit;
  }

  private resolveHorizons(): void {
    for (const h of this.horizons) this.resolve(h);
  }

  // ================================================================ set expressions

  setExpr(e: A.Expr, ctx: Ctx): (C & { t: 'set' }) | undefined {
    try {
      return this.setExprInner(e, ctx);
    } catch (err) {
      if (err instanceof EvgError) { this.diags.add(err.diagnostic); return undefined; }
      throw err;
    }
  }

  private setExprInner(e: A.Expr, ctx: Ctx): (C & { t: 'set' }) | undefined {
    switch (e.kind) {
      case 'name': {
        if (e.name === 'horizon' && !ctx.binder('horizon') && !this.lookup('horizon', ctx.scope)) {
          this.resolveHorizons();
          if (this.horizons.length === 0) {
            this.diags.report('E0201', '`horizon` refers to the model\'s horizon, but the model declares none', e.span, 'declare one: `horizon T = 24 steps of 1 h`');
            return undefined;
          }
          if (this.horizons.length > 1) {
            this.diags.report('E0203', '`horizon` is ambiguous: the model declares several horizons', e.span, `name one of them: ${this.horizons.map((h) => h.name).join(', ')}`);
            return undefined;
          }
          const h = this.horizons[0]!;
          return { t: 'set', arity: 1, f: (env) => rootFrame(env.frame).get<EvSet>(h) };
        }
        break;
      }
      case 'range': {
        const c = ctx.constant('a range');
        const lo = asNum(this.expr(e.lo, c), e.lo.span, this.diags, 'a range bound');
        const hi = asNum(this.expr(e.hi, c), e.hi.span, this.diags, 'a range bound');
        if (!lo || !hi) return undefined;
        const flo = lo.f, fhi = hi.f;
        return { t: 'set', arity: 1, f: (env) => {
          const a = flo(env), b = fhi(env);
          if (!Number.isInteger(a) || !Number.isInteger(b)) fail('E0306', `a range needs whole numbers, not ${a}..${b}`, e.span);
          if (b - a + 1 > MAX_SET_SIZE) fail('E0306', `the range ${a}..${b} is too large: a set has at most ${MAX_SET_SIZE} elements`, e.span);
          return EvSet.range(`${a}..${b}`, a, b);
        } };
      }
      case 'setLit': {
        if (e.elems.length === 0) return { t: 'set', arity: 1, anyArity: true, f: () => EvSet.of('{}', 1, []) };
        const tuples = e.elems.map((x) => literalTuple(x));
        const arity = tuples[0]!.length;
        if (tuples.some((t) => t.length !== arity)) {
          this.diags.report('E0306', 'all elements of a set literal must have the same arity', e.span);
          return undefined;
        }
        const S = EvSet.of(exprLabel(e), arity, tuples.flat());
        return { t: 'set', arity, f: () => S };
      }
      case 'compr': {
        const inner = ctx.constant('a set comprehension');
        const d = this.domain(e.domain, inner);
        inner.pop();
        if (!d) return undefined;
        const loop = makeLoop(d);
        const label = exprLabel(e);
        return { t: 'set', arity: d.arity, f: (env) => domainFactors({ ...d, where: d.where ?? (() => true) }, env, loop, label)[0]! };
      }
      case 'binary': {
        if (e.op === 'union' || e.op === 'inter' || e.op === 'diff' || e.op === '*') {
          const a = this.setExpr(e.left, ctx), b = this.setExpr(e.right, ctx);
          if (!a || !b) return undefined;
          const fa = a.f, fb = b.f;
          const label = exprLabel(e);
          if (e.op === '*') {
            return { t: 'set', arity: a.arity + b.arity, f: (env) => {
              const A1 = fa(env), B1 = fb(env), flat: Elem[] = [];
              if (A1.size * B1.size > MAX_SET_SIZE) fail('E0306', `the product ${label} has ${A1.size * B1.size} elements: a set has at most ${MAX_SET_SIZE}`, e.span);
              for (let i = 0; i < A1.size; i++) for (let j = 0; j < B1.size; j++) flat.push(...A1.tuple(i), ...B1.tuple(j));
              return EvSet.of(label, A1.arity + B1.arity, flat);
            } };
          }
          if (a.arity !== b.arity) {
            this.diags.report('E0306', `\`${e.op}\` of sets of different arity (${a.arity} and ${b.arity})`, e.span);
            return undefined;
          }
          const op = e.op;
          return { t: 'set', arity: a.arity, f: (env) => {
            const A1 = fa(env), B1 = fb(env), flat: Elem[] = [];
            if (op === 'union') {
              for (let i = 0; i < A1.size; i++) flat.push(...A1.tuple(i));
              for (let j = 0; j < B1.size; j++) flat.push(...B1.tuple(j));
            } else {
              for (let i = 0; i < A1.size; i++) {
                const t = A1.tuple(i);
                const inB = B1.posTuple(t, 0) >= 0;
                if (inB === (op === 'inter')) flat.push(...t);
              }
            }
            return EvSet.of(label, A1.arity, flat);
          } };
        }
        break;
      }
      case 'call': {
        if (e.callee.name === 'csv' || e.callee.name === 'json') {
          this.diags.report('E0203', `${e.callee.name}(...) reads a data table, not a set`, e.span,
            `the set of its keys is \`keys(${e.callee.name}(...))\`, or declare \`table t = ${e.callee.name}(...)\` and write \`keys(t)\` or \`t.column\``);
          return undefined;
        }
        if (e.callee.name === 'keys') {
          if (e.args.length !== 1) { this.diags.report('E0408', 'keys(...) takes one table', e.span); return undefined; }
          const t = e.args[0]!;
          let tableFn: ((env: Env) => DataTable) | undefined;
          if (t.kind === 'call' && (t.callee.name === 'csv' || t.callee.name === 'json')) {
            const f = this.tableCall(t, ctx);
            if (!f) return undefined;
            tableFn = (env) => f(env.frame);
          } else {
            const ref = this.tryRef(t, ctx);
            if (!ref || ref.r !== 'member' || ref.member.kind !== 'table') {
              this.diags.report('E0203', 'keys(...) takes a table declared with `table t = csv(...)`', t.span);
              return undefined;
            }
            const tm = ref.member, fr = ref.frame;
            tableFn = (env) => fr(env).get<DataTable>(tm);
          }
          const arity = keyArity(t, this);
          const label = `keys(${exprLabel(t)})`;
          return { t: 'set', arity, f: (env) => {
            const tab = tableFn!(env);
            if (tab.keyCols.length !== arity) fail('E0306', `the table has ${tab.keyCols.length} key columns`, e.span);
            const flat: Elem[] = [];
            for (let r = 0; r < tab.rowCount; r++) flat.push(...tab.keyTuple(r));
            return EvSet.of(label, arity, flat);
          } };
        }
        break;
      }
      case 'member': {
        // `table.column` as a set: the distinct values of a column, in file order.
        const src = this.tryColumn(e, ctx);
        if (src && src.kind === 'column') {
          const tf = src.table;
          const col = src.column;
          const label = exprLabel(e);
          return { t: 'set', arity: 1, f: (env) => {
            const tab = tf(env.frame);
            const c = tab.column(col);
            if (c < 0) fail('E0502', `data file \`${tab.file}\` has no column \`${col}\``, e.member.span, `its columns are: ${tab.columns.join(', ')}`);
            const flat: Elem[] = [];
            for (let r = 0; r < tab.rowCount; r++) { const v = tab.cell(r, c); flat.push(normElem(typeof v === 'number' ? v : String(v ?? ''))); }
            return EvSet.of(label, 1, flat);
          } };
        }
        if (src?.kind === 'error') return undefined;
        break;
      }
    }
    const c = this.expr(e, ctx);
    if (c.t === 'set') return c;
    if (c.t !== 'error') this.diags.report('E0408', `expected a set but found ${describeKind(c)}`, e.span);
    return undefined;
  }
}

/**
 * `frameFn(env).get(m)`, remembering the last frame: a value, once built, never changes, and
 * model building asks for the same declaration's value many times in a row (every term of every
 * row), so the frame's lookup is done once per frame instead of once per term.
 */
function memberOfFrame<T>(frameFn: FrameFn, m: Member): (env: Env) => T {
  let last: Frame | undefined, value: T | undefined;
  return (env) => {
    const f = frameFn(env);
    if (f !== last) { value = f.get<T>(m); last = f; }
    return value as T;
  };
}

/** A component parameter `net : Network` (a single name that is not a unit) takes an instance. */
function instanceTyped(p: A.ComponentParam): boolean {
  return !!p.unit && p.unit.kind === 'unitName' && !isUnitName(p.unit.name) && !p.indexSets && p.default === undefined;
}

/** True when no element of `a` is in `b` (arity 1). */
function disjoint(a: EvSet, b: EvSet): boolean {
  for (let i = 0; i < a.size; i++) if (b.pos(a.at(i)) >= 0) return false;
  return true;
}

function rootFrame(f: Frame): Frame {
  let r = f;
  while (r.parent) r = r.parent;
  return r;
}

function renamed(S: EvSet, name: string): EvSet {
  if (S.name === name) return S;
  const copy = Object.create(Object.getPrototypeOf(S)) as EvSet;
  Object.assign(copy, S);
  (copy as { name: string }).name = name;
  return copy;
}

function literalTuple(e: A.Expr): Elem[] {
  switch (e.kind) {
    case 'num': return [e.value];
    case 'symbol': return [normElem(e.name)];
    case 'str': return [normElem(e.value)];
    case 'tuple': return e.elems.flatMap(literalTuple);
    default: fail('E0408', 'set literals hold numbers, names and tuples of those', e.span);
  }
}

function collectUnitNames(u: A.UnitExpr): string[] {
  switch (u.kind) {
    case 'unitName': return [u.name];
    case 'unitOne': return [];
    case 'unitPow': return collectUnitNames(u.base);
    default: return [...collectUnitNames(u.left), ...collectUnitNames(u.right)];
  }
}

function keyArity(t: A.Expr, chk: Checker): number {
  let call: A.Expr | undefined = t;
  if (t.kind === 'name') {
    const m = chk.root.members.get(t.name);
    if (m?.kind === 'table') call = m.decl.source;
  }
  if (call?.kind === 'call') {
    const key = call.named.find((n) => n.name.name === 'key');
    if (key && key.value.kind === 'tuple') return key.value.elems.length;
  }
  return 1;
}

export function kindWord(m: Member): string {
  switch (m.kind) {
    case 'set': return m.isHorizon ? 'horizon' : 'set';
    case 'param': return 'parameter';
    case 'var': return 'variable';
    case 'expr': return 'expression';
    case 'constraint': return 'constraint';
    case 'cost': return 'cost term';
    case 'objective': return 'objective';
    case 'instance': return 'component instance';
    case 'component': return 'component';
    case 'table': return 'table';
  }
}

/** A short source-like label for an expression, for set names and messages. */
export function exprLabel(e: A.Expr): string {
  switch (e.kind) {
    case 'name': return e.name;
    case 'num': return e.text;
    case 'str': return JSON.stringify(e.value);
    case 'symbol': return e.name;
    case 'member': return `${exprLabel(e.target)}.${e.member.name}`;
    case 'index': return `${exprLabel(e.target)}[${e.indices.map(exprLabel).join(', ')}]`;
    case 'range': return `${exprLabel(e.lo)}..${exprLabel(e.hi)}`;
    case 'binary': return `${exprLabel(e.left)} ${e.op} ${exprLabel(e.right)}`;
    case 'call': return `${e.callee.name}(${e.args.map(exprLabel).join(', ')})`;
    case 'setLit': return `{${e.elems.map(exprLabel).join(', ')}}`;
    case 'tuple': return `(${e.elems.map(exprLabel).join(', ')})`;
    case 'compr': return `{${e.domain.bindings.map((b) => `${b.names.map((n) => n.name).join(', ')} in ${exprLabel(b.set)}`).join(', ')}${e.domain.where ? ' where ...' : ''}}`;
    case 'unary': return `${e.op === 'not' ? 'not ' : e.op}${exprLabel(e.operand)}`;
    default: return '...';
  }
}

export type { Loop, SetFn, LinFn };
