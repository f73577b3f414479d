// What the language server knows about a model: its files (the open one and, transitively, what
// it imports), the declarations in each scope, and what is at a position.
//
// Scopes (docs/language.md §18): one model scope for all files; one per component (its
// parameters and body) above it; index names bound by domains (`[t in T]`, `sum(g in G)`,
// `{g in G where ...}`, `instance x[b in B]`, `name[t] = ...` arguments) within their construct.
// The parse recovers from syntax errors, so all of this works on a half-typed file too.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { parseText } from '../syntax/parse.js';
import type * as A from '../syntax/ast.js';
import { Diagnostics, type Span } from '../diagnostics/diagnostic.js';
import { STDLIB_DIR } from '../driver.js';
import { unitText } from '../format/units.js';

export type SymKind =
  | 'horizon' | 'set' | 'param' | 'table' | 'var' | 'constraint' | 'expr' | 'cost' | 'objective'
  | 'component' | 'instance' | 'network' | 'uncertain' | 'scenarios' | 'cparam' | 'index';

export interface Sym {
  readonly name: string;
  readonly kind: SymKind;
  readonly file: string;
  readonly nameSpan: Span;
  /** The whole declaration (for an index: its binding). */
  readonly span: Span;
  readonly signature: string;
  readonly unit?: string;
  readonly doc?: string;
  /** The component whose parameter or member this is. */
  readonly owner?: A.ComponentDecl;
  readonly decl?: A.Decl;
  readonly param?: A.ComponentParam;
}

export const KIND_LABEL: Record<SymKind, string> = {
  horizon: 'horizon', set: 'set', param: 'parameter', table: 'table', var: 'variable', constraint: 'constraint',
  expr: 'expression', cost: 'cost term', objective: 'objective', component: 'component', instance: 'instance',
  network: 'network', uncertain: 'uncertain parameter', scenarios: 'scenarios', cparam: 'component parameter', index: 'index',
};

export class Scope {
  readonly names = new Map<string, Sym>();
  constructor(readonly parent?: Scope) {}
  lookup(name: string): Sym | undefined {
    return this.names.get(name) ?? this.parent?.lookup(name);
  }
  /** Every name visible here, innermost first (shadowed names once). */
  all(): Sym[] {
    const seen = new Map<string, Sym>();
    for (let s: Scope | undefined = this; s; s = s.parent) for (const [k, v] of s.names) if (!seen.has(k)) seen.set(k, v);
    return [...seen.values()];
  }
  add(sym: Sym): void {
    if (!this.names.has(sym.name)) this.names.set(sym.name, sym);
  }
}

export interface SourceFile {
  readonly path: string;
  readonly text: string;
  readonly model: A.ModelFile;
}

/** Reads a file's text: the editor's copy if it is open, else the disk's. */
export type ReadFile = (path: string) => string | undefined;

export const diskReader: ReadFile = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** The file an import names (`import "x.evg"` relative to the importing file, `import stdlib.NAME`). */
export function importTarget(d: A.ImportDecl, from: string): string | undefined {
  if (d.path !== undefined) return resolvePath(dirname(from), d.path);
  const mod = (d.module ?? []).map((m) => m.name);
  if (mod[0] !== 'stdlib' || mod.length < 2) return undefined;
  const file = resolvePath(STDLIB_DIR, `${mod.slice(1).join('/')}.evg`);
  return existsSync(file) ? file : undefined;
}

export class Project {
  readonly files = new Map<string, SourceFile>();
  readonly model = new Scope();
  readonly components = new Map<A.ComponentDecl, Scope>();
  private readonly componentByName = new Map<string, A.ComponentDecl>();
  readonly main: SourceFile;

  constructor(mainPath: string, mainText: string, read: ReadFile = diskReader) {
    this.main = this.load(mainPath, mainText, read)!;
    for (const f of this.files.values()) this.declare(f);
  }

  private load(path: string, text: string | undefined, read: ReadFile): SourceFile | undefined {
    const existing = this.files.get(path);
    if (existing) return existing;
    const src = text ?? read(path);
    if (src === undefined) return undefined;
    const { file } = parseText(path, src, new Diagnostics());
    const sf: SourceFile = { path, text: src, model: file };
    this.files.set(path, sf);
    for (const d of file.decls) {
      if (d.kind !== 'import') continue;
      const target = importTarget(d, path);
      if (target) this.load(target, undefined, read);
    }
    return sf;
  }

  private declare(f: SourceFile): void {
    for (const d of f.model.decls) {
      const s = declSym(d, f);
      if (s) this.model.add(s);
      if (d.kind === 'component') {
        this.componentByName.set(d.name.name, d);
        const scope = new Scope(this.model);
        for (const p of d.params) scope.add(paramSym(p, d, f));
        for (const b of d.body) {
          const bs = declSym(b, f, d);
          if (bs) scope.add(bs);
        }
        this.components.set(d, scope);
      }
    }
  }

  component(name: string): A.ComponentDecl | undefined {
    return this.componentByName.get(name);
  }

  fileOf(node: { span: Span }): SourceFile | undefined {
    return this.files.get(node.span.file);
  }

  /** The members of an instance's component (parameters and body declarations). */
  membersOf(sym: Sym | undefined): Sym[] {
    const comp = this.componentOf(sym);
    if (!comp) return [];
    return [...(this.components.get(comp)?.names.values() ?? [])];
  }

  componentOf(sym: Sym | undefined): A.ComponentDecl | undefined {
    if (!sym) return undefined;
    if (sym.kind === 'component') return sym.decl as A.ComponentDecl;
    if (sym.kind === 'instance') return this.component((sym.decl as A.InstanceDecl).component.name);
    // A network is an instance of the standard library's `Network` component.
    if (sym.kind === 'network') return this.component('Network');
    return undefined;
  }

  /** The declaration an expression refers to: `x`, `x[i]`, `inst.member`, `inst[b].sub.member`. */
  resolveExpr(e: A.Expr, scope: Scope): Sym | undefined {
    switch (e.kind) {
      case 'name':
        if (e.name === 'horizon') return this.model.all().find((s) => s.kind === 'horizon');
        return scope.lookup(e.name);
      case 'index':
        return this.resolveExpr(e.target, scope);
      case 'member': {
        const target = this.resolveExpr(e.target, scope);
        return this.membersOf(target).find((m) => m.name === e.member.name);
      }
      default:
        return undefined;
    }
  }
}

function src(f: SourceFile, span: Span | undefined): string {
  return span ? f.text.slice(span.start, span.end).replace(/\s+/g, ' ').trim() : '';
}

function domainText(f: SourceFile, d: A.Domain | undefined): string {
  return d && d.bindings.length ? `[${src(f, d.span)}]` : '';
}

function declSym(d: A.Decl, f: SourceFile, owner?: A.ComponentDecl): Sym | undefined {
  if (d.kind === 'import' || d.kind === 'recourse' || d.kind === 'treatment') return undefined;
  const unit = 'unit' in d && d.unit ? unitText(d.unit, f.text) : undefined;
  const u = unit ? ` : ${unit}` : '';
  let signature: string;
  switch (d.kind) {
    case 'horizon': signature = `horizon ${d.name.name} = ${src(f, d.steps.span)} steps of ${src(f, d.step.span)}`; break;
    case 'set': signature = `set ${d.name.name} = ${truncate(src(f, d.value.span))}`; break;
    case 'param':
      signature = `param ${d.name.name}${domainText(f, d.domain)}${u}${d.elementOf ? ` in ${src(f, d.elementOf.span)}` : ''}`;
      break;
    case 'table': signature = `table ${d.name.name} = ${truncate(src(f, d.source.span))}`; break;
    case 'var': {
      const bounds = d.lower && d.upper ? ` in [${src(f, d.lower.span)}, ${src(f, d.upper.span)}]`
        : d.lower ? ` >= ${src(f, d.lower.span)}` : d.upper ? ` <= ${src(f, d.upper.span)}` : '';
      signature = `var ${d.name.name}${domainText(f, d.domain)}${u}${d.type === 'continuous' ? '' : ` ${d.type}`}${bounds}`;
      break;
    }
    case 'constraint': signature = `constraint ${d.name.name}${domainText(f, d.domain)}`; break;
    case 'expr': signature = `expr ${d.name.name}${domainText(f, d.domain)}${u}`; break;
    case 'cost': signature = `cost ${d.name.name}${u}`; break;
    case 'objective': signature = `${d.sense} ${d.name.name}${u}`; break;
    case 'component': signature = `component ${d.name.name}(${d.params.map((p) => paramText(p, f)).join(', ')})`; break;
    case 'instance': signature = `instance ${d.name.name}${domainText(f, d.domain)} = ${d.component.name}(...)`; break;
    case 'network': signature = `network ${d.name.name} = ${truncate(src(f, d.source.span))}`; break;
    case 'scenarios': signature = `scenarios ${d.name.name} = ${truncate(src(f, d.source.span))}`; break;
    case 'uncertain': signature = `uncertain ${d.name.name}${domainText(f, d.domain)}${u}${d.distribution ? ` ~ ${truncate(src(f, d.distribution.span))}` : ''}`; break;
    default: return assertNever(d);
  }
  return {
    name: d.name.name, kind: d.kind, file: f.path, nameSpan: d.name.span, span: d.span, signature,
    ...(unit ? { unit } : {}), ...(d.doc ? { doc: d.doc } : {}), ...(owner ? { owner } : {}), decl: d,
  };
}

function paramText(p: A.ComponentParam, f: SourceFile): string {
  let s = p.name.name;
  if (p.indexSets) s += `[${p.indexSets.map((x) => src(f, x.span)).join(', ')}]`;
  if (p.setArity !== undefined) s += p.setArity === 1 ? ' : set' : ` : set(${p.setArity})`;
  else if (p.unit) s += ` : ${unitText(p.unit, f.text)}`;
  if (p.elementOf) s += ` in ${src(f, p.elementOf.span)}`;
  if (p.default) s += ` = ${src(f, p.default.span)}`;
  return s;
}

function paramSym(p: A.ComponentParam, owner: A.ComponentDecl, f: SourceFile): Sym {
  const unit = p.unit ? unitText(p.unit, f.text) : undefined;
  return {
    name: p.name.name, kind: 'cparam', file: f.path, nameSpan: p.name.span, span: p.span, signature: paramText(p, f),
    ...(unit ? { unit } : {}), ...(p.doc ? { doc: p.doc } : {}), owner, param: p,
  };
}

function truncate(s: string, n = 80): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}

// ------------------------------------------------------------------ what is at a position

export type Hit =
  /** A declaration's (or index's) own name. */
  | { readonly type: 'definition'; readonly sym: Sym; readonly span: Span }
  /** A name in an expression. */
  | { readonly type: 'reference'; readonly name: string; readonly span: Span; readonly sym?: Sym }
  /** `target.member`. */
  | { readonly type: 'member'; readonly span: Span; readonly sym?: Sym; readonly target?: Sym }
  /** A built-in function's name in a call. */
  | { readonly type: 'function'; readonly name: string; readonly span: Span }
  /** The component of an instance, or an instance argument's name. */
  | { readonly type: 'component'; readonly span: Span; readonly sym?: Sym }
  | { readonly type: 'argument'; readonly span: Span; readonly sym?: Sym }
  | { readonly type: 'unit'; readonly name: string; readonly span: Span }
  | { readonly type: 'import'; readonly span: Span; readonly target?: string };

const inside = (span: Span, offset: number) => span.start <= offset && offset <= span.end && span.end > span.start;

/** What is at `offset` of `file`, and the scope there. */
export function locate(project: Project, file: SourceFile, offset: number): { hit?: Hit; scope: Scope } {
  const state: { hit?: Hit; scope: Scope } = { scope: project.model };
  for (const d of file.model.decls) {
    if (!inside(d.span, offset)) continue;
    visitDecl(project, file, d, project.model, offset, state);
  }
  return state;
}

interface State { hit?: Hit; scope: Scope }

function indexScope(parent: Scope, d: A.Domain | undefined, f: SourceFile): Scope {
  if (!d) return parent;
  const s = new Scope(parent);
  for (const b of d.bindings) {
    for (const n of b.names) {
      s.add({
        name: n.name, kind: 'index', file: f.path, nameSpan: n.span, span: b.span,
        signature: `${n.name} in ${src(f, b.set.span)}`,
      });
    }
  }
  return s;
}

function visitDecl(p: Project, f: SourceFile, d: A.Decl, scope: Scope, off: number, st: State): void {
  const def = (sym: Sym | undefined, ident: A.Ident) => {
    if (sym && inside(ident.span, off)) st.hit = { type: 'definition', sym, span: ident.span };
  };
  if (d.kind === 'import') {
    st.scope = scope;
    st.hit = { type: 'import', span: d.span, target: importTarget(d, f.path) };
    return;
  }
  if (d.kind === 'recourse' || d.kind === 'treatment') {
    st.scope = scope;
    for (const e of d.kind === 'recourse' ? d.targets : [d.method]) visitExpr(p, f, e, scope, off, st);
    return;
  }
  def(scope.lookup(d.name.name) ?? declSym(d, f), d.name);
  if (d.kind === 'component') {
    const cs = p.components.get(d) ?? scope;
    st.scope = cs;
    for (const prm of d.params) {
      if (!inside(prm.span, off)) continue;
      def(cs.names.get(prm.name.name), prm.name);
      for (const e of [...(prm.indexSets ?? []), prm.elementOf, prm.default]) if (e) visitExpr(p, f, e, cs, off, st);
      if (prm.unit) visitUnit(prm.unit, off, st);
    }
    for (const b of d.body) if (inside(b.span, off)) visitDecl(p, f, b, cs, off, st);
    return;
  }
  const domain = 'domain' in d ? d.domain : undefined;
  const inner = indexScope(scope, domain, f);
  st.scope = inner;
  if (domain) visitDomain(p, f, domain, inner, off, st);
  if ('unit' in d && d.unit) visitUnit(d.unit, off, st);
  switch (d.kind) {
    case 'horizon': visitExpr(p, f, d.steps, inner, off, st); visitExpr(p, f, d.step, inner, off, st); return;
    case 'set': visitExpr(p, f, d.value, inner, off, st); return;
    case 'param': for (const e of [d.elementOf, d.value, d.default]) if (e) visitExpr(p, f, e, inner, off, st); return;
    case 'table': case 'network': case 'scenarios': visitExpr(p, f, d.source, inner, off, st); return;
    case 'uncertain': for (const e of [d.distribution, d.value, d.set]) if (e) visitExpr(p, f, e, inner, off, st); return;
    case 'var': for (const e of [d.lower, d.upper]) if (e) visitExpr(p, f, e, inner, off, st); return;
    case 'constraint':
      for (const e of [d.probability, d.when, ...d.parts, ...(d.otherwise?.parts ?? [])]) if (e) visitExpr(p, f, e, inner, off, st);
      return;
    case 'expr': case 'cost': case 'objective': visitExpr(p, f, d.value, inner, off, st); return;
    case 'instance': {
      const compSym = p.model.lookup(d.component.name);
      if (inside(d.component.span, off)) st.hit = { type: 'component', span: d.component.span, sym: compSym };
      const compScope = compSym?.kind === 'component' ? p.components.get(compSym.decl as A.ComponentDecl) : undefined;
      for (const a of d.args) {
        if (!inside(a.span, off)) continue;
        if (inside(a.name.span, off)) st.hit = { type: 'argument', span: a.name.span, sym: compScope?.names.get(a.name.name) };
        const argScope = new Scope(inner);
        for (const n of a.indexNames ?? []) {
          const sym: Sym = { name: n.name, kind: 'index', file: f.path, nameSpan: n.span, span: a.span, signature: `${n.name} (an index of \`${a.name.name}\`)` };
          argScope.add(sym);
          def(sym, n);
        }
        st.scope = argScope;
        visitExpr(p, f, a.value, argScope, off, st);
      }
      return;
    }
    default:
      return assertNever(d);
  }
}

function visitDomain(p: Project, f: SourceFile, d: A.Domain, scope: Scope, off: number, st: State): void {
  for (const b of d.bindings) {
    for (const n of b.names) {
      if (inside(n.span, off)) {
        const sym = scope.names.get(n.name);
        if (sym) st.hit = { type: 'definition', sym, span: n.span };
      }
    }
    visitExpr(p, f, b.set, scope, off, st);
  }
  if (d.where) visitExpr(p, f, d.where, scope, off, st);
}

function visitUnit(u: A.UnitExpr, off: number, st: State): void {
  if (!inside(u.span, off)) return;
  switch (u.kind) {
    case 'unitName': st.hit = { type: 'unit', name: u.name, span: u.span }; return;
    case 'unitOne': return;
    case 'unitPow': visitUnit(u.base, off, st); return;
    case 'unitMul': case 'unitDiv': visitUnit(u.left, off, st); visitUnit(u.right, off, st); return;
    default: return assertNever(u);
  }
}

function visitExpr(p: Project, f: SourceFile, e: A.Expr, scope: Scope, off: number, st: State): void {
  if (!inside(e.span, off)) return;
  st.scope = scope;
  switch (e.kind) {
    case 'num': if (e.unit) visitUnit(e.unit, off, st); return;
    case 'str': case 'bool': case 'symbol': case 'error': return;
    case 'name': st.hit = { type: 'reference', name: e.name, span: e.span, sym: p.resolveExpr(e, scope) }; return;
    case 'index': visitExpr(p, f, e.target, scope, off, st); e.indices.forEach((i) => visitExpr(p, f, i, scope, off, st)); return;
    case 'member':
      visitExpr(p, f, e.target, scope, off, st);
      if (inside(e.member.span, off)) st.hit = { type: 'member', span: e.member.span, sym: p.resolveExpr(e, scope), target: p.resolveExpr(e.target, scope) };
      return;
    case 'call':
      if (e.callee.name !== 'in' && inside(e.callee.span, off)) st.hit = { type: 'function', name: e.callee.name, span: e.callee.span };
      e.args.forEach((a) => visitExpr(p, f, a, scope, off, st));
      e.named.forEach((a) => visitExpr(p, f, a.value, scope, off, st));
      return;
    case 'unary': visitExpr(p, f, e.operand, scope, off, st); return;
    case 'binary': visitExpr(p, f, e.left, scope, off, st); visitExpr(p, f, e.right, scope, off, st); return;
    case 'cond': for (const x of [e.test, e.then, e.else]) visitExpr(p, f, x, scope, off, st); return;
    case 'sum': {
      const inner = indexScope(scope, e.domain, f);
      st.scope = inner;
      visitDomain(p, f, e.domain, inner, off, st);
      visitExpr(p, f, e.body, inner, off, st);
      return;
    }
    case 'range': visitExpr(p, f, e.lo, scope, off, st); visitExpr(p, f, e.hi, scope, off, st); return;
    case 'setLit': case 'tuple': e.elems.forEach((x) => visitExpr(p, f, x, scope, off, st)); return;
    case 'compr': {
      const inner = indexScope(scope, e.domain, f);
      st.scope = inner;
      visitDomain(p, f, e.domain, inner, off, st);
      return;
    }
    case 'mapLit': e.entries.forEach((en) => { en.key.forEach((k) => visitExpr(p, f, k, scope, off, st)); visitExpr(p, f, en.value, scope, off, st); }); return;
    case 'listLit': e.items.forEach((x) => visitExpr(p, f, x, scope, off, st)); return;
    case 'tableLit': return;
    default: return assertNever(e);
  }
}
