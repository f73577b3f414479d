// The tree the Prettier printer walks: the project's own AST (src/syntax/ast.ts), unchanged, under a
// root node that carries the comments and a little source information the AST does not keep
// (how variable bounds and unit products were written, where the brackets of components are).
//
// AST objects carry no type tag of their own (an Ident, a Domain and a NamedArg are plain
// objects), so every object is tagged here, once, by its position in the tree; the printer and
// the comment attachment dispatch on the tag and then, exhaustively, on `kind`.
import type { IToken } from '../syntax/chevrotain.js';
import { parseText } from '../syntax/parse.js';
import type * as A from '../syntax/ast.js';
import { Diagnostics, type Diagnostic, type Span } from '../diagnostics/diagnostic.js';

export type Tag =
  | 'root' | 'decl' | 'expr' | 'unit' | 'ident' | 'domain' | 'binding' | 'namedArg' | 'mapEntry'
  | 'tableRow' | 'cparam' | 'branch';

/** A comment as Prettier sees it (`value` is what Prettier names in its own error messages). */
export interface PComment {
  readonly kind: 'comment';
  readonly text: string;
  readonly value: string;
  readonly span: Span;
  leading?: boolean;
  trailing?: boolean;
  printed?: boolean;
  placement?: 'ownLine' | 'endOfLine' | 'remaining';
  marker?: string;
}

/** How `var x ... BOUNDS` was written: `in [lo, hi]`, `>= lo`, `<= hi`, `>= lo <= hi`, `<= hi >= lo`. */
export type BoundsForm = 'in' | 'ge' | 'le' | 'gele' | 'lege';

export interface SideInfo {
  readonly boundsForm: Map<A.VarDecl, BoundsForm>;
  /** Variables declared `continuous` explicitly (the AST has the same type without the keyword). */
  readonly explicitContinuous: Set<A.VarDecl>;
  /** Offsets of `)` closing the parameter list and of `{` opening the body, per component. */
  readonly componentBrackets: Map<A.ComponentDecl, { readonly rparen: number; readonly lbrace: number }>;
  /** Offset of `(` opening the argument list of instances and calls. */
  readonly argsOpen: Map<object, number>;
}

export interface Root {
  readonly kind: 'root';
  readonly decls: readonly A.Decl[];
  comments?: PComment[];
  readonly span: Span;
  readonly text: string;
  readonly info: SideInfo;
  readonly file: A.ModelFile;
}

export type PNode = Root | A.Decl | A.Expr | A.UnitExpr | A.Ident | A.Domain | A.Binding | A.NamedArg
  | A.MapEntry | A.TableRow | A.ComponentParam | Branch | PComment;

/** The `else` relation of a conditional constraint. */
export interface Branch {
  readonly parts: readonly A.Expr[];
  readonly rels: readonly A.Relation[];
}

const tags = new WeakMap<object, Tag>();

export function tagOf(node: object): Tag | undefined {
  return tags.get(node);
}

/** Raised by the parser of the Prettier plugin: the text has syntax errors and is not formatted. */
export class EvgSyntaxError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[], readonly text: string) {
    const d = diagnostics[0]!;
    super(`${d.span ? `${d.span.line}:${d.span.col}: ` : ''}error[${d.code}]: ${d.message}`);
    this.name = 'EvgSyntaxError';
  }
}

export function buildRoot(text: string, file = 'input.evg'): Root {
  const diags = new Diagnostics();
  const { file: model, tokens } = parseText(file, text, diags);
  if (diags.hasErrors) throw new EvgSyntaxError(diags.sorted(), text);
  const info: SideInfo = {
    boundsForm: new Map(), explicitContinuous: new Set(), componentBrackets: new Map(), argsOpen: new Map(),
  };
  const comments: PComment[] = model.comments.map((c) => ({ kind: 'comment', text: c.text, value: c.text, span: c.span }));
  const root: Root = {
    kind: 'root', decls: model.decls, comments, text, info, file: model,
    span: { file, start: 0, end: text.length, line: 1, col: 1 },
  };
  tags.set(root, 'root');
  const toks = new TokenIndex(tokens);
  for (const d of model.decls) tagDecl(d, info, toks);
  return root;
}

/** Non-comment tokens by offset. */
class TokenIndex {
  constructor(readonly tokens: readonly IToken[]) {}
  /** Index of the first token starting at or after `offset`. */
  firstAt(offset: number): number {
    let lo = 0, hi = this.tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.tokens[mid]!.startOffset < offset) lo = mid + 1; else hi = mid;
    }
    return lo;
  }
  before(offset: number): IToken | undefined {
    const i = this.firstAt(offset);
    return i > 0 ? this.tokens[i - 1] : undefined;
  }
  at(i: number): IToken | undefined {
    return this.tokens[i];
  }
}

function tagDecl(d: A.Decl, info: SideInfo, toks: TokenIndex): void {
  tags.set(d, 'decl');
  switch (d.kind) {
    case 'import':
      d.module?.forEach(tagIdent);
      return;
    case 'horizon':
      tagIdent(d.name); tagExpr(d.steps, info, toks); tagExpr(d.step, info, toks);
      return;
    case 'set':
      tagIdent(d.name); tagExpr(d.value, info, toks);
      return;
    case 'param':
      tagIdent(d.name); tagDomain(d.domain, info, toks); tagUnit(d.unit);
      tagExpr(d.elementOf, info, toks); tagExpr(d.value, info, toks); tagExpr(d.default, info, toks);
      return;
    case 'table':
      tagIdent(d.name); tagExpr(d.source, info, toks);
      return;
    case 'var': {
      tagIdent(d.name); tagDomain(d.domain, info, toks); tagUnit(d.unit);
      tagExpr(d.lower, info, toks); tagExpr(d.upper, info, toks);
      for (let i = toks.firstAt(d.span.start); i < toks.tokens.length && toks.at(i)!.startOffset < d.span.end; i++) {
        if (toks.at(i)!.tokenType.name === 'Kw_continuous') info.explicitContinuous.add(d);
      }
      let form: BoundsForm | undefined;
      if (d.lower && d.upper) {
        form = toks.before(d.lower.span.start)?.image === '[' ? 'in' : d.lower.span.start < d.upper.span.start ? 'gele' : 'lege';
      } else if (d.lower) form = 'ge';
      else if (d.upper) form = 'le';
      if (form) info.boundsForm.set(d, form);
      return;
    }
    case 'constraint':
      tagIdent(d.name); tagDomain(d.domain, info, toks); tagUnit(d.unit); tagExpr(d.when, info, toks);
      tagExpr(d.probability, info, toks);
      d.parts.forEach((p) => tagExpr(p, info, toks));
      if (d.otherwise) {
        tags.set(d.otherwise, 'branch');
        d.otherwise.parts.forEach((p) => tagExpr(p, info, toks));
      }
      return;
    case 'expr':
      tagIdent(d.name); tagDomain(d.domain, info, toks); tagUnit(d.unit); tagExpr(d.value, info, toks);
      return;
    case 'cost':
    case 'objective':
      tagIdent(d.name); tagUnit(d.unit); tagExpr(d.value, info, toks);
      return;
    case 'component': {
      tagIdent(d.name);
      for (const p of d.params) {
        tags.set(p, 'cparam');
        tagIdent(p.name);
        p.indexSets?.forEach((s) => tagExpr(s, info, toks));
        tagUnit(p.unit); tagExpr(p.elementOf, info, toks); tagExpr(p.default, info, toks);
      }
      d.body.forEach((b) => tagDecl(b, info, toks));
      // `)` is the first `)` after the last parameter (parameters contain their own brackets);
      // `{` follows it.
      const after = d.params.length ? d.params[d.params.length - 1]!.span.end : d.name.span.end;
      let i = toks.firstAt(after);
      while (i < toks.tokens.length && toks.at(i)!.image !== ')') i++;
      const rparen = toks.at(i)?.startOffset ?? after;
      const lbrace = toks.at(i + 1)?.startOffset ?? rparen;
      info.componentBrackets.set(d, { rparen, lbrace });
      const open = toks.at(toks.firstAt(d.name.span.end));
      if (open) info.argsOpen.set(d, open.startOffset);
      return;
    }
    case 'network':
    case 'scenarios':
      tagIdent(d.name); tagExpr(d.source, info, toks);
      return;
    case 'uncertain':
      tagIdent(d.name); tagDomain(d.domain, info, toks); tagUnit(d.unit);
      tagExpr(d.distribution, info, toks); tagExpr(d.value, info, toks); tagExpr(d.set, info, toks);
      return;
    case 'recourse':
      d.targets.forEach((t) => tagExpr(t, info, toks));
      return;
    case 'treatment':
      tagExpr(d.method, info, toks);
      return;
    case 'instance': {
      tagIdent(d.name); tagDomain(d.domain, info, toks); tagIdent(d.component);
      d.args.forEach((a) => tagNamedArg(a, info, toks));
      const open = toks.at(toks.firstAt(d.component.span.end));
      if (open) info.argsOpen.set(d, open.startOffset);
      return;
    }
    default:
      return assertNever(d);
  }
}

function tagIdent(i: A.Ident | undefined): void {
  if (i) tags.set(i, 'ident');
}

function tagNamedArg(a: A.NamedArg, info: SideInfo, toks: TokenIndex): void {
  tags.set(a, 'namedArg');
  tagIdent(a.name);
  a.indexNames?.forEach(tagIdent);
  tagExpr(a.value, info, toks);
}

function tagDomain(d: A.Domain | undefined, info: SideInfo, toks: TokenIndex): void {
  if (!d) return;
  tags.set(d, 'domain');
  for (const b of d.bindings) {
    tags.set(b, 'binding');
    b.names.forEach(tagIdent);
    tagExpr(b.set, info, toks);
  }
  tagExpr(d.where, info, toks);
}

function tagUnit(u: A.UnitExpr | undefined): void {
  if (!u) return;
  tags.set(u, 'unit');
  switch (u.kind) {
    case 'unitName':
    case 'unitOne':
      return;
    case 'unitPow':
      tagUnit(u.base);
      return;
    case 'unitMul':
    case 'unitDiv':
      tagUnit(u.left); tagUnit(u.right);
      return;
    default:
      return assertNever(u);
  }
}

function tagExpr(e: A.Expr | undefined, info: SideInfo, toks: TokenIndex): void {
  if (!e) return;
  tags.set(e, 'expr');
  switch (e.kind) {
    case 'num':
      tagUnit(e.unit);
      return;
    case 'str': case 'bool': case 'name': case 'symbol': case 'error':
      return;
    case 'index':
      tagExpr(e.target, info, toks); e.indices.forEach((i) => tagExpr(i, info, toks));
      return;
    case 'member':
      tagExpr(e.target, info, toks); tagIdent(e.member);
      return;
    case 'call': {
      if (!isInOperator(e)) tagIdent(e.callee);
      e.args.forEach((a) => tagExpr(a, info, toks));
      e.named.forEach((a) => tagNamedArg(a, info, toks));
      const open = toks.at(toks.firstAt(e.callee.span.end));
      if (open && !isInOperator(e)) info.argsOpen.set(e, open.startOffset);
      return;
    }
    case 'unary':
      tagExpr(e.operand, info, toks);
      return;
    case 'binary':
      tagExpr(e.left, info, toks); tagExpr(e.right, info, toks);
      return;
    case 'cond':
      tagExpr(e.test, info, toks); tagExpr(e.then, info, toks); tagExpr(e.else, info, toks);
      return;
    case 'sum':
      tagDomain(e.domain, info, toks); tagExpr(e.body, info, toks);
      return;
    case 'range':
      tagExpr(e.lo, info, toks); tagExpr(e.hi, info, toks);
      return;
    case 'setLit':
    case 'tuple':
      e.elems.forEach((x) => tagExpr(x, info, toks));
      return;
    case 'compr':
      tagDomain(e.domain, info, toks);
      return;
    case 'mapLit':
      for (const en of e.entries) {
        tags.set(en, 'mapEntry');
        en.key.forEach((k) => tagExpr(k, info, toks));
        tagExpr(en.value, info, toks);
      }
      return;
    case 'listLit':
      e.items.forEach((x) => tagExpr(x, info, toks));
      return;
    case 'tableLit':
      e.columns.forEach((x) => tagExpr(x, info, toks));
      for (const r of e.rows) {
        tags.set(r, 'tableRow');
        tagExpr(r.key, info, toks);
        r.values.forEach((v) => tagExpr(v, info, toks));
      }
      return;
    default:
      return assertNever(e);
  }
}

/** `a in S` is parsed as a call of `in` whose callee carries the span of `a`. */
export function isInOperator(e: A.Expr): boolean {
  return e.kind === 'call' && e.callee.name === 'in' && e.args.length === 2 && e.named.length === 0
    && e.callee.span.start === e.args[0]!.span.start;
}

export function assertNever(x: never): never {
  throw new Error(`unexpected node ${JSON.stringify((x as { kind?: string }).kind ?? x)}`);
}

/** The children of a node in source order (what comments can attach to, and what Prettier visits). */
export function childKeys(node: PNode): readonly string[] {
  if ((node as PComment).kind === 'comment') return [];
  const tag = tags.get(node);
  switch (tag) {
    case undefined:
      return [];
    case 'root':
      return ['decls'];
    case 'ident':
      return [];
    case 'domain':
      return ['bindings', 'where'];
    case 'binding':
      return ['names', 'set'];
    case 'namedArg':
      return ['name', 'indexNames', 'value'];
    case 'mapEntry':
      return ['key', 'value'];
    case 'tableRow':
      return ['key', 'values'];
    case 'cparam':
      return ['name', 'indexSets', 'unit', 'elementOf', 'default'];
    case 'branch':
      return ['parts'];
    case 'unit': {
      const u = node as A.UnitExpr;
      switch (u.kind) {
        case 'unitName': case 'unitOne': return [];
        case 'unitPow': return ['base'];
        case 'unitMul': case 'unitDiv': return ['left', 'right'];
        default: return assertNever(u);
      }
    }
    case 'decl': {
      const d = node as A.Decl;
      switch (d.kind) {
        case 'import': return ['module'];
        case 'horizon': return ['name', 'steps', 'step'];
        case 'set': return ['name', 'value'];
        case 'param': return ['name', 'domain', 'unit', 'elementOf', 'value', 'default'];
        case 'table': return ['name', 'source'];
        case 'var': return ['name', 'domain', 'unit', 'lower', 'upper'];
        case 'constraint': return ['name', 'domain', 'probability', 'unit', 'when', 'parts', 'otherwise'];
        case 'expr': return ['name', 'domain', 'unit', 'value'];
        case 'cost': case 'objective': return ['name', 'unit', 'value'];
        case 'component': return ['name', 'params', 'body'];
        case 'instance': return ['name', 'domain', 'component', 'args'];
        case 'network': case 'scenarios': return ['name', 'source'];
        case 'uncertain': return ['name', 'domain', 'unit', 'distribution', 'value', 'set'];
        case 'recourse': return ['targets'];
        case 'treatment': return ['method'];
        default: return assertNever(d);
      }
    }
    case 'expr': {
      const e = node as A.Expr;
      switch (e.kind) {
        case 'num': return ['unit'];
        case 'str': case 'bool': case 'name': case 'symbol': case 'error': return [];
        case 'index': return ['target', 'indices'];
        case 'member': return ['target', 'member'];
        case 'call': return isInOperator(e) ? ['args'] : ['callee', 'args', 'named'];
        case 'unary': return ['operand'];
        case 'binary': return ['left', 'right'];
        case 'cond': return ['test', 'then', 'else'];
        case 'sum': return ['domain', 'body'];
        case 'range': return ['lo', 'hi'];
        case 'setLit': case 'tuple': return ['elems'];
        case 'compr': return ['domain'];
        case 'mapLit': return ['entries'];
        case 'listLit': return ['items'];
        case 'tableLit': return ['columns', 'rows'];
        default: return assertNever(e);
      }
    }
    default:
      return assertNever(tag);
  }
}

/** The child nodes of `node`, flattened from its child keys. */
export function children(node: PNode): PNode[] {
  const out: PNode[] = [];
  const rec = node as unknown as Record<string, unknown>;
  for (const k of childKeys(node)) {
    const v = rec[k];
    if (Array.isArray(v)) { for (const x of v) if (x && typeof x === 'object') out.push(x as PNode); }
    else if (v && typeof v === 'object') out.push(v as PNode);
  }
  return out;
}
