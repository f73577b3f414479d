// The Prettier printer for evg: the project's AST to Prettier's doc builders.
//
// Layout, in short (docs/language.md §2 and editors/README.md describe it for users):
// - one declaration per line; blank lines between declarations are kept (at most one);
// - `head = value` breaks after `=` when it does not fit, except that inline data (lists, maps,
//   sets, tables) opens on the line of the `=`;
// - constraints break after the `:`, then before each relation (`==`, `<=`, `>=`), then before the
//   `+` / `-` of long sums (continuation lines indented); `and` / `or` chains likewise;
// - component parameter lists and instance arguments: on one line when they fit, else one per
//   line with a trailing comma and the trailing comments (doc comments) aligned in one column;
// - component bodies are always blocks; inline two-dimensional tables are grids;
// - parentheses are exactly those the grammar needs (the AST does not keep the written ones).
//
// Every node kind of src/syntax/ast.ts is handled in an exhaustive switch (`assertNever`).
import { doc, util, type AstPath, type Doc, type ParserOptions, type Printer } from 'prettier';
import type * as A from '../syntax/ast.js';
import { isUnitName } from '../check/unit-names.js';
import { assertNever, childKeys, children, isInOperator, tagOf, type Branch, type PComment, type PNode, type Root } from './tree.js';
import { mulSeparator, unitNeedsParens, type UnitPos } from './units.js';

const { group, indent, line, softline, hardline, join, fill, lineSuffix, lineSuffixBoundary, breakParent, literalline, ifBreak } = doc.builders;

type Opts = ParserOptions<PNode>;
type Path = AstPath<PNode>;
type Print = (selector?: string | number | Array<string | number> | AstPath<PNode>, args?: unknown) => Doc;

// ------------------------------------------------------------------ precedence

/** Grammar levels, loosest first (docs/language.md §10.2). */
const L = { TOP: 0, OR: 1, AND: 2, NOT: 3, CMP: 4, SETOP: 5, RANGE: 6, ADD: 7, MUL: 8, UNARY: 9, POW: 10, POSTFIX: 11, PRIMARY: 12 } as const;

/**
 * The context an expression is printed in: the least level it may have without parentheses, the
 * level of the operator that follows it in the output (0: a closing token or nothing), and
 * whether what follows is `/` and a name (which a quantity literal `5 MW / h` would swallow).
 */
export interface ExprCtx {
  readonly prec: number;
  readonly follow: number;
  readonly slashName?: boolean;
  /** Printing an index `x[t-1]`: a lag `name ± number` is written without spaces. */
  readonly index?: boolean;
  /** An operand of an operator: an `if` there is parenthesised for the reader, even where the grammar does not need it. */
  readonly operand?: boolean;
}

const TOP: ExprCtx = { prec: L.TOP, follow: 0 };
const at = (prec: number, follow = 0): ExprCtx => ({ prec, follow });

function binaryLevel(op: A.BinaryOp): number {
  switch (op) {
    case 'or': return L.OR;
    case 'and': return L.AND;
    case '==': case '!=': case '<': case '<=': case '>': case '>=': return L.CMP;
    case 'union': case 'inter': case 'diff': return L.SETOP;
    case '+': case '-': return L.ADD;
    case '*': case '/': return L.MUL;
    case '^': return L.POW;
    default: return assertNever(op);
  }
}

function levelOf(e: A.Expr): number {
  switch (e.kind) {
    case 'binary': return binaryLevel(e.op);
    case 'unary': return e.op === 'not' ? L.NOT : L.UNARY;
    case 'range': return L.RANGE;
    case 'call': return isInOperator(e) ? L.CMP : L.PRIMARY;
    case 'index': case 'member': return L.POSTFIX;
    case 'num': case 'str': case 'bool': case 'name': case 'cond': case 'sum': case 'setLit': case 'compr':
    case 'tuple': case 'symbol': case 'mapLit': case 'listLit': case 'tableLit': case 'error':
      return L.PRIMARY;
    default: return assertNever(e);
  }
}

/** The leftmost leaf of an expression as printed without parentheses. */
function leftmost(e: A.Expr): A.Expr {
  switch (e.kind) {
    case 'binary': return leftmost(e.left);
    case 'index': case 'member': return leftmost(e.target);
    case 'range': return leftmost(e.lo);
    case 'call': return isInOperator(e) ? leftmost(e.args[0]!) : e;
    default: return e;
  }
}

function needsParens(e: A.Expr, ctx: ExprCtx): boolean {
  if (levelOf(e) < ctx.prec) return true;
  // Constructs open on the right swallow what follows them: the `else` branch of `if` is an
  // additive expression, the body of `sum(...)` a product, and a quantity's unit takes `^2`.
  if (e.kind === 'cond' && (ctx.follow >= L.ADD || ctx.operand)) return true;
  if (e.kind === 'sum' && ctx.follow >= L.MUL) return true;
  if (e.kind === 'num' && e.unit && (ctx.follow >= L.POW || ctx.slashName)) return true;
  return false;
}

// ------------------------------------------------------------------ comments

export function isBlockComment(c: PNode): boolean {
  return (c as PComment).kind === 'comment' && (c as PComment).text.startsWith('/*');
}

export function printCommentText(c: PComment): Doc {
  if (!c.text.startsWith('/*')) return c.text.replace(/\s+$/, '');
  // Block comments are kept verbatim, continuation lines included.
  return join(literalline, c.text.split('\n'));
}

function commentsOf(node: PNode): PComment[] {
  return ((node as { comments?: PComment[] }).comments ?? []);
}

/** Prints the dangling comments of a node (attached neither before nor after a child), marking them printed. */
function dangling(node: PNode, marker?: string): Doc[] {
  const out: Doc[] = [];
  for (const c of commentsOf(node)) {
    if (c.leading || c.trailing || c.printed) continue;
    if (marker !== undefined && c.marker !== marker) continue;
    c.printed = true;
    out.push(printCommentText(c));
  }
  return out;
}

/** Dangling comments inside brackets: `{ /* c *\/ }`, or a block of own-line comments. */
function danglingInside(node: PNode, open: string, close: string, marker?: string): Doc {
  const cs = commentsOf(node).filter((c) => !c.leading && !c.trailing && !c.printed && (marker === undefined || c.marker === marker));
  const printed = dangling(node, marker);
  if (printed.length === 0) return [open, close];
  if (cs.every((c) => c.text.startsWith('/*')) && printed.length === 1) return [open, printed[0]!, close];
  return [open, indent([hardline, join(hardline, printed)]), hardline, close];
}

// ------------------------------------------------------------------ entry point

export const printer: Printer<PNode> = {
  print(path, options, print, args) {
    const node = path.node;
    let d = printNode(path, options as Opts, print as Print, args);
    // Comments inside a leaf (`- /* c */ 3` in a set literal) are dangling: printed after it.
    const rest = commentsOf(node).filter((c) => !c.leading && !c.trailing && !c.printed);
    if (rest.length) {
      const parts: Doc[] = [d];
      for (const c of rest) {
        c.printed = true;
        parts.push(c.text.startsWith('/*') ? [' ', printCommentText(c)] : [lineSuffix([' ', printCommentText(c)]), breakParent]);
      }
      d = parts;
    }
    return d;
  },
  printComment(path) {
    const c = path.node as PComment;
    // A leading `//` comment printed after code (`x = // c`) first ends a line that still has a
    // trailing comment pending, so that the two do not run into one.
    return c.leading && !c.text.startsWith('/*') ? [lineSuffixBoundary, printCommentText(c)] : printCommentText(c);
  },
  isBlockComment,
  canAttachComment(node) {
    const tag = tagOf(node);
    return tag !== undefined && tag !== 'root' && tag !== 'mapEntry' && tag !== 'branch' && 'span' in node;
  },
  getCommentChildNodes(node) {
    return children(node);
  },
  getVisitorKeys(node) {
    return childKeys(node) as string[];
  },
  willPrintOwnComments(path) {
    const tag = tagOf(path.node);
    if (tag === 'cparam') return true;
    if (tag === 'namedArg') {
      const parent = path.parent as PNode | null;
      return !!parent && tagOf(parent) === 'decl' && (parent as A.Decl).kind === 'instance';
    }
    return false;
  },
};

function printNode(path: Path, options: Opts, print: Print, args: unknown): Doc {
  const node = path.node;
  const tag = tagOf(node);
  switch (tag) {
    case undefined:
      throw new Error('evg printer: untagged node');
    case 'root':
      return printRoot(path, options, print);
    case 'decl':
      return printDecl(path, options, print);
    case 'expr':
      return printExpr(path, options, print, (args as ExprCtx | undefined) ?? TOP);
    case 'unit':
      return printUnit(path, options, print, (args as UnitPos | undefined) ?? 'top');
    case 'ident':
      return (node as A.Ident).name;
    case 'domain':
      return printDomain(path, print);
    case 'binding': {
      const b = node as A.Binding;
      const set = print('set', at(L.SETOP));
      if (b.names.length === 0) return set;
      const names = path.map(() => print(), 'names');
      return [b.names.length === 1 ? names[0]! : bracketList('(', names, ')'), ' in ', set];
    }
    case 'namedArg': {
      const a = node as A.NamedArg;
      const idx = a.indexNames ? bracketList('[', path.map(() => print(), 'indexNames'), ']') : '';
      return [print('name'), idx, ' = ', print('value', TOP)];
    }
    case 'mapEntry': {
      const en = node as A.MapEntry;
      const keys = path.map(() => print(), 'key');
      return [en.key.length === 1 ? keys[0]! : bracketList('(', keys, ')'), ': ', print('value', at(L.ADD))];
    }
    case 'tableRow':
      return join(' ', [print('key'), ...path.map(() => print(), 'values')]);
    case 'cparam':
      return printComponentParam(path, print);
    case 'branch':
      return printRelations(path, print);
    default:
      return assertNever(tag);
  }
}

// ------------------------------------------------------------------ file and declarations

function printRoot(path: Path, options: Opts, print: Print): Doc {
  const root = path.node as Root;
  if (root.decls.length === 0) {
    const cs = dangling(root);
    return cs.length ? [join(hardline, cs), hardline] : '';
  }
  return [printDeclList(path, options, print, 'decls'), hardline];
}

/** Declarations one per line, keeping (at most) one blank line where the source has one. */
function printDeclList(path: Path, options: Opts, print: Print, key: 'decls' | 'body'): Doc {
  const parts: Doc[] = [];
  const list = (path.node as unknown as Record<string, readonly A.Decl[]>)[key]!;
  path.each((p, i) => {
    parts.push(print());
    if (i < list.length - 1) {
      parts.push(hardline);
      if (util.isNextLineEmpty(options.originalText, (p.node as A.Decl).span.end)) parts.push(hardline);
    }
  }, key);
  return parts;
}

function printDecl(path: Path, options: Opts, print: Print): Doc {
  const d = path.node as A.Decl;
  const domain = (): Doc => ('domain' in d && d.domain ? ['[', group([indent([softline, print('domain')]), softline]), ']'] : '');
  const unit = (): Doc => ('unit' in d && d.unit ? [' : ', print('unit', 'top')] : '');
  switch (d.kind) {
    case 'import': {
      const head: Doc[] = ['import '];
      for (const c of commentsOf(d)) {
        if (c.leading || c.trailing || c.printed) continue;
        c.printed = true;
        head.push(printCommentText(c), c.text.startsWith('/*') ? ' ' : hardline);
      }
      if (d.module) return [...head, join('.', path.map(() => print(), 'module'))];
      return [...head, importPathText(d, options)];
    }
    case 'horizon':
      return group(['horizon ', print('name'), ' =', indent([line, print('steps', at(L.ADD)), line, 'steps of ', print('step', at(L.ADD))])]);
    case 'set':
      return assignment(['set ', print('name')], d.value, print('value', TOP));
    case 'table':
      return assignment(['table ', print('name')], d.source, print('source', TOP));
    case 'param': {
      const head: Doc[] = ['param ', print('name'), domain(), unit()];
      if (d.elementOf) head.push(' in ', print('elementOf', at(L.SETOP)));
      const dflt: Doc = d.default ? [' default ', print('default', at(L.ADD))] : '';
      if (!d.value) return group([...head, dflt]);
      return assignment(head, d.value, print('value', TOP), dflt);
    }
    case 'var': {
      const head: Doc[] = ['var ', print('name'), domain(), unit()];
      const root = path.root as Root;
      if (d.type !== 'continuous' || root.info.explicitContinuous.has(d)) head.push(' ', d.type);
      const form = root.info.boundsForm.get(d);
      if (!form) return group(head);
      const lo = () => print('lower', at(L.ADD));
      const hi = () => print('upper', at(L.ADD));
      let bounds: Doc;
      switch (form) {
        case 'in': bounds = group(['in [', indent([softline, lo(), ',', line, hi()]), softline, ']']); break;
        case 'ge': bounds = ['>= ', lo()]; break;
        case 'le': bounds = ['<= ', hi()]; break;
        case 'gele': bounds = ['>= ', lo(), ' <= ', hi()]; break;
        case 'lege': bounds = ['<= ', hi(), ' >= ', lo()]; break;
        default: return assertNever(form);
      }
      return group([...head, indent([line, bounds])]);
    }
    case 'constraint': {
      // (`unit` is in the AST but the grammar has no place for it: the parser never sets it.)
      const head: Doc[] = ['constraint ', print('name'), domain()];
      if (d.expectation) head.push(' in expectation');
      if (d.probability) head.push(' with probability ', print('probability', at(L.ADD)));
      head.push(':');
      let body: Doc;
      if (d.when) {
        const otherwise: Doc = d.otherwise ? [line, 'else ', group(print('otherwise'))] : '';
        body = group(['if ', print('when', at(L.OR)), indent([line, 'then ', group(printRelations(path, print)), otherwise])]);
      } else {
        body = group(printRelations(path, print));
      }
      return group([...head, indent([line, body])]);
    }
    case 'expr':
      return assignment(['expr ', print('name'), domain(), unit()], d.value, print('value', TOP));
    case 'cost':
      return assignment(['cost ', print('name'), unit()], d.value, print('value', TOP));
    case 'objective':
      return assignment([d.sense, ' ', print('name'), unit()], d.value, print('value', TOP));
    case 'component': {
      const params = printArgList(path, options, print, 'params');
      const body: Doc = d.body.length
        ? ['{', indent([hardline, printDeclList(path, options, print, 'body')]), hardline, '}']
        : danglingInside(d, '{', '}', 'body');
      return ['component ', print('name'), params, ' ', body];
    }
    case 'network':
      return assignment(['network ', print('name')], d.source, print('source', TOP));
    case 'scenarios':
      return assignment(['scenarios ', print('name')], d.source, print('source', TOP));
    case 'uncertain': {
      const parts: Doc[] = ['uncertain ', print('name'), domain(), unit()];
      const tail: Doc[] = [];
      if (d.distribution) tail.push([line, '~ ', print('distribution', at(L.ADD))]);
      if (d.value) tail.push([line, '= ', print('value', at(L.ADD))]);
      if (d.set) tail.push([line, 'in ', print('set', at(L.ADD))]);
      return group([...parts, indent(tail)]);
    }
    case 'recourse':
      return group(['recourse ', indent(join([',', line], path.map(() => print(undefined, at(L.ADD)), 'targets')))]);
    case 'treatment':
      return ['treatment ', print('method', at(L.ADD))];
    case 'instance': {
      const args = printArgList(path, options, print, 'args');
      return group(['instance ', print('name'), domain(), ' = ', print('component'), args]);
    }
    default:
      return assertNever(d);
  }
}

function importPathText(d: A.ImportDecl, options: Opts): string {
  // The string token is the last token of the declaration: keep it as written.
  const text = options.originalText.slice(d.span.start, d.span.end);
  const m = /"(?:[^"\\\n]|\\.)*"$/.exec(text);
  return m ? m[0] : JSON.stringify(d.path ?? '');
}

/** Inline data opens on the line of the `=`: `param c[G] = {` ... `}`. */
function hugs(e: A.Expr): boolean {
  return e.kind === 'listLit' || e.kind === 'mapLit' || e.kind === 'setLit' || e.kind === 'tableLit' || e.kind === 'compr';
}

function assignment(head: Doc[], value: A.Expr, printed: Doc, tail: Doc = ''): Doc {
  if (hugs(value)) return group([...head, ' = ', printed, tail]);
  return group([...head, ' =', indent([line, printed, tail])]);
}

/** `e0 rel e1 [rel e2]` of a constraint or its `else` branch: a new line before each relation when broken. */
function printRelations(path: Path, print: Print): Doc {
  const node = path.node as A.ConstraintDecl | Branch;
  const parts: Doc[] = [];
  node.parts.forEach((_, i) => {
    const printed = print(['parts', i], { ...at(L.SETOP), operand: true });
    if (i === 0) parts.push(printed);
    else parts.push(line, node.rels[i - 1] ?? '==', ' ', printed);
  });
  return parts;
}

// ------------------------------------------------------------------ argument and parameter lists

/**
 * `(a, b, c)` for component parameters and instance arguments: flat when it fits, else one item
 * per line with a trailing comma; the trailing comments of the items start in one column. A list
 * written with a line break after `(` stays broken, as do lists with comments or blank lines.
 */
function printArgList(path: Path, options: Opts, print: Print, key: 'params' | 'args'): Doc {
  const node = path.node as A.ComponentDecl | A.InstanceDecl;
  const items = (key === 'params' ? (node as A.ComponentDecl).params : (node as A.InstanceDecl).args) as readonly (A.ComponentParam | A.NamedArg)[];
  const text = options.originalText;
  if (items.length === 0) return danglingInside(node, '(', ')', key === 'params' ? 'params' : undefined);
  const bodies = path.map(() => print(), key);
  const anyComments = items.some((it) => commentsOf(it).length > 0);
  const first = items[0]!;
  const openOffset = (path.root as Root).info.argsOpen.get(node) ?? text.lastIndexOf('(', first.span.start);
  const brokenInSource = openOffset >= 0 && util.hasNewlineInRange(text, openOffset, first.span.start);
  const blankLines = items.map((it, i) => i < items.length - 1 && util.isNextLineEmpty(text, it.span.end));
  if (!anyComments && !brokenInSource && !blankLines.some(Boolean)) {
    return group(['(', indent([softline, join([',', line], bodies)]), ifBreak(','), softline, ')']);
  }
  // Broken: one item per line.
  const widthOf = (d: Doc): number | undefined => {
    const s = doc.printer.printDocToString(d, { printWidth: 1e9, tabWidth: options.tabWidth, useTabs: false }).formatted;
    return s.includes('\n') ? undefined : util.getStringWidth(s);
  };
  interface Row { lead: Doc[]; body: Doc; inline: Doc[]; eol: Doc[]; after: Doc[]; width?: number; eolLine?: boolean }
  const rows: Row[] = items.map((it, i) => {
    const row: Row = { lead: [], body: bodies[i]!, inline: [], eol: [], after: [] };
    for (const c of commentsOf(it)) {
      if (c.printed) continue;
      c.printed = true;
      const t = printCommentText(c);
      const ownLineBefore = util.hasNewline(text, c.span.start, { backwards: true });
      const newlineAfter = util.hasNewline(text, c.span.end);
      if (c.leading) {
        if (newlineAfter) {
          row.lead.push(t, hardline);
          if (isNextLineEmptyAfter(text, c.span.end)) row.lead.push(hardline);
        } else row.lead.push(t, ' ');
      } else if ((c.trailing && ownLineBefore) || row.eolLine) {
        // On a line of its own, or after a `//` comment (which runs to the end of the line).
        row.after.push(hardline, t);
      } else if (!c.leading && !c.trailing) {
        row.inline.push(' ', t);
      } else {
        row.eol.push(t);
        if (!c.text.startsWith('/*')) row.eolLine = true;
      }
    }
    row.width = widthOf([row.body, row.inline, ',']);
    return row;
  });
  // A `///` comment after a parameter's comma documents the parameter (src/syntax/parse.ts): it
  // must come first after the comma; other comments of that line go on lines of their own.
  rows.forEach((r, i) => {
    const it = items[i]!;
    const doc = commentsOf(it).find((c) => c.trailing && c.text.startsWith('///')
      && /^[\s,;]*$/.test(text.slice(it.span.end, c.span.start)) && !text.slice(it.span.end, c.span.start).includes('\n'));
    if (!doc) return;
    const docText = printCommentText(doc);
    if (r.eol[0] === docText) return;
    const at = r.after.indexOf(docText);
    if (at > 0) r.after.splice(at - 1, 2);
    const others = r.eol.filter((d) => d !== docText);
    r.eol = [docText];
    r.after.unshift(...others.flatMap((d) => [hardline, d]));
  });
  const withEol = rows.filter((r) => r.eol.length && r.width !== undefined).map((r) => r.width!);
  const column = withEol.length ? Math.max(...withEol) + 2 : 0;
  const lines: Doc[] = rows.map((r, i) => {
    const tail: Doc[] = [];
    if (r.eol.length) {
      const pad = r.width !== undefined ? ' '.repeat(Math.max(2, column - r.width)) : '  ';
      tail.push(lineSuffix([pad, join(' ', r.eol)]), breakParent);
    }
    return [...r.lead, r.body, ...r.inline, ',', ...tail, ...r.after, blankLines[i] ? hardline : ''];
  });
  return ['(', indent([hardline, join(hardline, lines)]), hardline, ')'];
}

function isNextLineEmptyAfter(text: string, offset: number): boolean {
  const i = util.skipNewline(text, util.skipSpaces(text, offset));
  return i !== false && util.hasNewline(text, i);
}

function printComponentParam(path: Path, print: Print): Doc {
  const p = path.node as A.ComponentParam;
  const out: Doc[] = [print('name')];
  if (p.indexSets) out.push(bracketList('[', path.map(() => print(undefined, at(L.SETOP)), 'indexSets'), ']'));
  if (p.setArity !== undefined) out.push(' : set', p.setArity === 1 ? '' : `(${p.setArity})`);
  else if (p.unit) out.push(' : ', print('unit', 'top'));
  if (p.elementOf) out.push(' in ', print('elementOf', at(L.SETOP)));
  if (p.default) out.push(' = ', print('default', TOP));
  return out;
}

// ------------------------------------------------------------------ domains

function printDomain(path: Path, print: Print): Doc {
  const d = path.node as A.Domain;
  const bindings = join([',', line], path.map(() => print(), 'bindings'));
  return d.where ? [bindings, line, 'where ', print('where', TOP)] : bindings;
}

// ------------------------------------------------------------------ expressions

function printExpr(path: Path, options: Opts, print: Print, ctx: ExprCtx): Doc {
  const e = path.node as A.Expr;
  if (needsParens(e, ctx)) {
    return group(['(', indent([softline, printExprBare(path, options, print, TOP)]), softline, ')']);
  }
  return printExprBare(path, options, print, ctx);
}

function source(options: Opts, span: { start: number; end: number }): string {
  return options.originalText.slice(span.start, span.end);
}

function printExprBare(path: Path, options: Opts, print: Print, ctx: ExprCtx): Doc {
  const e = path.node as A.Expr;
  switch (e.kind) {
    case 'num':
      return e.unit ? [e.text, ' ', print('unit', 'top')] : e.text;
    case 'str':
      return source(options, e.span);
    case 'bool':
      return e.value ? 'true' : 'false';
    case 'name':
      return e.name;
    case 'symbol':
      return e.name;
    case 'error':
      // `.` (no value) in an inline table; anything else is kept as written.
      return source(options, e.span);
    case 'index': {
      const indices = e.indices.map((_, i) => print(['indices', i], { ...at(L.ADD), index: true }));
      return [print('target', { ...at(L.POSTFIX, L.POSTFIX), operand: true }), group(['[', indent([softline, join([',', line], indices)]), softline, ']'])];
    }
    case 'member':
      return [print('target', { ...at(L.POSTFIX, L.POSTFIX), operand: true }), '.', print('member')];
    case 'call': {
      if (isInOperator(e)) {
        return group([print(['args', 0], { ...at(L.SETOP, L.CMP), operand: true }), indent([line, 'in ', print(['args', 1], { prec: L.SETOP, follow: ctx.follow, operand: true })])]);
      }
      const args: Doc[] = [
        ...e.args.map((_, i) => print(['args', i], TOP)),
        ...e.named.map((_, i) => print(['named', i])),
      ];
      if (args.length === 0) return [print('callee'), danglingInside(e, '(', ')')];
      return [print('callee'), group(['(', indent([softline, join([',', line], args)]), softline, ')'])];
    }
    case 'unary': {
      if (e.op === 'not') return ['not ', print('operand', { prec: L.NOT, follow: ctx.follow, slashName: ctx.slashName, operand: true })];
      const inner = e.operand.kind === 'unary' && e.operand.op !== 'not'
        ? ['(', print('operand', TOP), ')']
        : print('operand', { prec: L.UNARY, follow: ctx.follow, slashName: ctx.slashName, operand: true });
      return [e.op, inner];
    }
    case 'binary':
      return printBinary(path, print, ctx);
    case 'cond':
      return group([
        'if ', print('test', TOP),
        indent([line, 'then ', print('then', at(L.ADD)), line, 'else ', print('else', { prec: L.ADD, follow: ctx.follow, slashName: ctx.slashName })]),
      ]);
    case 'sum':
      return [
        e.op, '(', group([indent([softline, print('domain')]), softline]), ') ',
        print('body', { prec: L.MUL, follow: ctx.follow, slashName: ctx.slashName }),
      ];
    case 'range': {
      const lo = print('lo', { ...at(L.ADD, L.RANGE), operand: true });
      const hi = print('hi', { prec: L.ADD, follow: ctx.follow, slashName: ctx.slashName, operand: true });
      // `1..n`; spaces only where `..` would touch a number written with a leading dot.
      const spaced = (leftmost(e.hi).kind === 'num' && (leftmost(e.hi) as { text: string }).text.startsWith('.'));
      return spaced ? [lo, ' .. ', hi] : [lo, '..', hi];
    }
    case 'setLit':
      if (e.elems.length === 0) return danglingInside(e, '{', '}');
      return group(['{', indent([softline, fillList(path.map(() => print(), 'elems'))]), softline, '}']);
    case 'compr':
      return group(['{', indent([softline, print('domain')]), softline, '}']);
    case 'tuple':
      return group(['(', indent([softline, join([',', line], path.map(() => print(undefined, TOP), 'elems'))]), softline, ')']);
    case 'mapLit': {
      const entries = path.map(() => print(), 'entries');
      const broken = util.hasNewlineInRange(options.originalText, e.span.start, e.entries[0]!.span.start);
      return group(['{', indent([softline, join([',', line], entries)]), softline, '}'], { shouldBreak: broken });
    }
    case 'listLit':
      if (e.items.length === 0) return danglingInside(e, '[', ']');
      return group(['[', indent([softline, fillList(path.map(() => print(undefined, at(L.ADD)), 'items'))]), softline, ']']);
    case 'tableLit':
      return printTable(path, options, print);
    default:
      return assertNever(e);
  }
}

/** Items filling lines; each comma goes with its item, so that a full line never overflows by one. */
/** `(a, b)`: on one line, or one item per line when it does not fit (or holds a line comment). */
function bracketList(open: string, items: Doc[], close: string): Doc {
  return group([open, indent([softline, join([',', line], items)]), softline, close]);
}

/** Whether the last thing a doc prints is a line suffix (a trailing `//` comment), breakParents aside. */
function endsWithLineSuffix(d: Doc): boolean {
  if (Array.isArray(d)) {
    for (let k = d.length - 1; k >= 0; k--) {
      const part = d[k] as Doc;
      if (part === '' || (typeof part === 'object' && !Array.isArray(part) && part.type === 'break-parent')) continue;
      return endsWithLineSuffix(part);
    }
    return false;
  }
  if (typeof d === 'string') return false;
  if (d.type === 'line-suffix') return true;
  if (d.type === 'label' || d.type === 'indent' || d.type === 'align' || d.type === 'group' || d.type === 'line-suffix-boundary') return 'contents' in d ? endsWithLineSuffix(d.contents as Doc) : false;
  return false;
}

function fillList(items: Doc[]): Doc {
  const parts: Doc[] = [];
  items.forEach((d, i) => {
    // After an item that ends with a line comment the line ends there: `fill` measures the next
    // item against the comment's zero width (a line suffix) and would put it before the comment.
    // (Only a trailing one: an item whose leading comment breaks still shares its last line.)
    if (i > 0) parts.push(endsWithLineSuffix(items[i - 1]!) ? hardline : line);
    parts.push(i < items.length - 1 ? [d, ','] : d);
  });
  return fill(parts);
}

/**
 * A chain of left-associative operators of one level (`a + b - c`, `x and y and z`) is printed
 * flat, or with a line break before every operator and the continuation lines indented.
 */
function printBinary(path: Path, print: Print, ctx: ExprCtx): Doc {
  const e = path.node as Extract<A.Expr, { kind: 'binary' }>;
  const level = binaryLevel(e.op);
  if (e.op === '^') {
    return [print('left', { ...at(L.POSTFIX, L.POW), operand: true }), '^', print('right', { prec: L.UNARY, follow: ctx.follow, slashName: ctx.slashName, operand: true })];
  }
  if (level === L.CMP) {
    return group([
      print('left', { ...at(L.SETOP, L.CMP), operand: true }),
      indent([line, e.op, ' ', print('right', { prec: L.SETOP, follow: ctx.follow, slashName: ctx.slashName, operand: true })]),
    ]);
  }
  // `soc[t-1]`: a lag in an index keeps its compact form.
  if (ctx.index && (e.op === '+' || e.op === '-') && e.left.kind === 'name' && e.right.kind === 'num' && !e.right.unit
      && commentsOf(e.left).length === 0 && commentsOf(e.right).length === 0) {
    return [e.left.name, e.op, e.right.text];
  }
  const parts = chain(path, print, level, ctx.follow, ctx.slashName ?? false);
  return group([parts[0]!, indent(parts.slice(1))]);
}

function chain(path: Path, print: Print, level: number, follow: number, slashName: boolean): Doc[] {
  const e = path.node as Extract<A.Expr, { kind: 'binary' }>;
  const rightSlash = e.op === '/' && leftmost(e.right).kind === 'name' && isUnitName((leftmost(e.right) as { name: string }).name);
  let parts: Doc[];
  const left = e.left;
  if (left.kind === 'binary' && binaryLevel(left.op) === level && left.op !== '^' && commentsOf(left).length === 0) {
    parts = path.call((p) => chain(p, print, level, level, rightSlash), 'left');
  } else {
    parts = [print('left', { prec: level, follow: level, slashName: rightSlash, operand: true })];
  }
  parts.push([line, e.op, ' ', print('right', { prec: level + 1, follow, slashName, operand: true })]);
  return parts;
}

// ------------------------------------------------------------------ inline tables

function elementText(e: A.Expr, options: Opts): string | undefined {
  switch (e.kind) {
    case 'num': return e.unit ? undefined : e.text;
    case 'symbol': return e.name;
    case 'str': case 'error': return source(options, e.span);
    case 'tuple': {
      const parts = e.elems.map((x) => elementText(x, options));
      return parts.every((p) => p !== undefined) ? `(${parts.join(', ')})` : undefined;
    }
    default: return undefined;
  }
}

/** `[: c1 c2 := r1 v v ...]` as a grid: the row keys in the first column, values right-aligned. */
function printTable(path: Path, options: Opts, print: Print): Doc {
  const t = path.node as Extract<A.Expr, { kind: 'tableLit' }>;
  const hasComments = options.originalText.slice(t.span.start, t.span.end).match(/\/\/|\/\*/) !== null
    && containsComment(t);
  const header = t.columns.map((c) => elementText(c, options));
  const cells = t.rows.map((r) => [elementText(r.key, options), ...r.values.map((v) => elementText(v, options))]);
  const allText = header.every((h) => h !== undefined) && cells.every((r) => r.every((c) => c !== undefined));
  if (hasComments || !allText || t.rows.length < 2) {
    const columns = path.map(() => print(), 'columns');
    const rows = path.map(() => print(), 'rows');
    if (t.rows.length < 2 && !hasComments) return group(['[: ', join(' ', columns), ' :=', indent(rows.map((r) => [line, r])), softline, ']']);
    return ['[: ', join(' ', columns), ' :=', indent(rows.map((r) => [hardline, r])), hardline, ']'];
  }
  const keyWidth = Math.max(1, ...cells.map((r) => r[0]!.length));
  const widths = header.map((h, j) => Math.max(h!.length, ...cells.map((r) => (r[j + 1] ?? '').length)));
  const headLine = [':'.padEnd(keyWidth), ...header.map((h, j) => h!.padStart(widths[j]!)), ':='].join(' ');
  const rowLines = cells.map((r) => [r[0]!.padEnd(keyWidth), ...r.slice(1).map((c, j) => c!.padStart(widths[j] ?? 0))].join(' ').replace(/\s+$/, ''));
  return ['[', indent([hardline, join(hardline, [headLine, ...rowLines])]), hardline, ']'];
}

function containsComment(node: PNode): boolean {
  if (commentsOf(node).length) return true;
  return children(node).some(containsComment);
}

// ------------------------------------------------------------------ units

/** Does the unit begin with a leading comment (its own or its leftmost part's)? */
function startsWithComment(u: A.UnitExpr): boolean {
  if (commentsOf(u).some((c) => c.leading)) return true;
  switch (u.kind) {
    case 'unitName': case 'unitOne': return false;
    case 'unitPow': return startsWithComment(u.base);
    case 'unitMul': case 'unitDiv': return startsWithComment(u.left);
    default: return assertNever(u);
  }
}

function printUnit(path: Path, options: Opts, print: Print, pos: UnitPos): Doc {
  const u = path.node as A.UnitExpr;
  let d: Doc;
  switch (u.kind) {
    case 'unitName': d = u.name; break;
    case 'unitOne': d = source(options, u.span) || '1'; break;
    case 'unitPow': d = [print('base', 'powBase'), '^', String(u.exp)]; break;
    case 'unitMul': d = [print('left', 'mulLeft'), mulSeparator(options.originalText, u), print('right', 'mulRight')]; break;
    // `$/ /* c */ MWh`: a comment right after `/` would otherwise make `//`.
    case 'unitDiv': d = [print('left', 'top'), '/', startsWithComment(u.right) ? ' ' : '', print('right', 'divRight')]; break;
    default: return assertNever(u);
  }
  return unitNeedsParens(u, pos, options.originalText) ? ['(', d, ')'] : d;
}
