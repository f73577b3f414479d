// Text -> AST, with every lexical and syntax error turned into a diagnostic (never an exception).
import { tokenMatcher, type IRecognitionException, type IToken } from './chevrotain.js';
import { getParser } from './parser.js';
import * as L from './lexer.js';
import type * as A from './ast.js';
import { Diagnostics, spanAt, type Span } from '../diagnostics/diagnostic.js';

export interface ParseResult {
  readonly file: A.ModelFile;
  readonly tokens: readonly IToken[];
}

export function parseText(file: string, text: string, diags: Diagnostics): ParseResult {
  const lexed = L.evgLexer.tokenize(text);
  for (const e of lexed.errors) {
    const bad = text.slice(e.offset, e.offset + (e.length || 1));
    diags.report('E0001', `unexpected character ${JSON.stringify(bad[0] ?? bad)}`, spanAt(file, text, e.offset, e.offset + 1),
      bad.startsWith('!') ? 'use `!=` for "not equal", `not` for negation' : undefined);
  }
  const tokens: IToken[] = [];
  for (const t of lexed.tokens) {
    if (tokenMatcher(t, L.UnterminatedString)) {
      diags.report('E0003', 'unterminated string: a string must end with `"` on the same line', tokSpan(file, t));
      continue;
    }
    if (tokenMatcher(t, L.UnterminatedComment)) {
      diags.report('E0003', 'unterminated block comment: `/*` has no matching `*/`', tokSpan(file, t));
      continue;
    }
    tokens.push(t);
  }
  const comments = (lexed.groups['comments'] ?? []).map((t) => ({ text: t.image, span: tokSpan(file, t) }));
  const parser = getParser();
  parser.file = file;
  // The parser stops where a token can neither continue the current declaration nor start a new
  // one (Chevrotain's "not all input parsed"). The rest of the file is parsed again from the next
  // declaration keyword, so that one stray token does not hide everything after it.
  const decls: A.Decl[] = [];
  const errors: IRecognitionException[] = [];
  let from = 0;
  while (from < tokens.length) {
    parser.input = from === 0 ? tokens : tokens.slice(from);
    for (const d of parser.modelFile() ?? []) if (d) decls.push(d);
    const stray = parser.errors.find((e) => e.name === 'NotAllInputParsedException');
    errors.push(...parser.errors);
    if (!stray) break;
    const at = tokens.indexOf(stray.token, from);
    let next = at + 1;
    while (next < tokens.length && !startsDeclaration(tokens, next)) next++;
    if (at < 0) break;
    from = next;
  }
  // One syntax error per declaration: what follows the first error in a declaration is usually a
  // consequence of the parser's recovery, not a second mistake. An error found at the keyword
  // that starts the next declaration (or at the end of the file) belongs to the declaration
  // before it, which is incomplete.
  const starts = tokens.filter((t, i) => startsDeclaration(tokens, i)).map((t) => t.startOffset);
  let lastStatement = -2;
  for (const e of [...errors].sort((a, b) => offsetOf(a) - offsetOf(b))) {
    const off = offsetOf(e);
    const atStart = off === Number.MAX_SAFE_INTEGER || starts.includes(off);
    const st = statementIndex(starts, atStart ? off - 1 : off);
    if (st === lastStatement) continue;
    lastStatement = st;
    diags.add(syntaxDiagnostic(file, text, e));
  }
  attachDocs(decls, comments, text);
  return { file: { file, decls, comments }, tokens };
}

const STATEMENT_START = new Set(['import', 'horizon', 'set', 'param', 'table', 'var', 'constraint', 'expr', 'cost', 'minimize', 'maximize', 'component', 'instance', 'network', 'uncertain', 'scenarios', 'recourse', 'treatment']);

/**
 * Does token i start a declaration? Reserved keywords always do; the soft keywords `cost`,
 * `table` and `expr` (also usable as names) only when a name follows them, as in `cost fuel = ...`.
 */
function startsDeclaration(tokens: readonly IToken[], i: number): boolean {
  const t = tokens[i]!;
  if (!STATEMENT_START.has(t.image) || !t.tokenType.name.startsWith('Kw_')) return false;
  if (!L.softKeywords.has(t.image)) return true;
  const next = tokens[i + 1];
  return !!next && tokenMatcher(next, L.Identifier);
}

function offsetOf(e: IRecognitionException): number {
  const o = e.token.startOffset;
  return Number.isNaN(o) || o === undefined ? Number.MAX_SAFE_INTEGER : o;
}

/** Index of the last declaration keyword at or before `offset` (-1 if none). */
function statementIndex(starts: readonly number[], offset: number): number {
  let lo = 0, hi = starts.length - 1, ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! <= offset) { ans = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return ans;
}

function tokSpan(file: string, t: IToken): Span {
  return { file, start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1, line: t.startLine ?? 1, col: t.startColumn ?? 1 };
}

const friendly: Record<string, string> = {
  Identifier: 'a name', NumberLit: 'a number', StringLit: 'a string', EqEq: '`==`', NotEq: '`!=`',
  LessEq: '`<=`', GreaterEq: '`>=`', Less: '`<`', Greater: '`>`', Equals: '`=`', Assign: '`:=`', DotDot: '`..`',
  Dot: '`.`', Comma: '`,`', Colon: '`:`', Semicolon: '`;`', LParen: '`(`', RParen: '`)`', LBracket: '`[`',
  RBracket: '`]`', LBrace: '`{`', RBrace: '`}`', Plus: '`+`', Minus: '`-`', Star: '`*`', Slash: '`/`',
  Caret: '`^`', Dollar: '`$`', KiloDollar: '`k$`', Percent: '`%`', PerUnit: '`p.u.`', EOF: 'the end of the file',
};

function describeToken(t: IToken): string {
  if (t.tokenType.name === 'EOF' || Number.isNaN(t.startOffset)) return 'end of file';
  return `\`${t.image}\``;
}

const DECLARATION_HINT = 'a declaration starts with import, horizon, set, param, table, var, constraint, expr, cost, minimize, maximize, component, instance or network';

function syntaxDiagnostic(file: string, text: string, e: IRecognitionException) {
  const t = e.token;
  const atEof = t.tokenType.name === 'EOF' || Number.isNaN(t.startOffset);
  const span = atEof ? spanAt(file, text, Math.max(0, text.length - 1), text.length) : tokSpan(file, t);
  const expected = expectedFrom(e);
  const rule = e.context?.ruleStack?.[e.context.ruleStack.length - 1] ?? '';
  let message = `unexpected ${describeToken(t)}`;
  let hint: string | undefined;
  const strayToken = e.name === 'NotAllInputParsedException' || (!atEof && /--> EOF <--/.test(e.message));
  if (strayToken) {
    // The declaration before the token is complete; the token neither continues it nor starts a new one.
    message += ': it does not continue the declaration before it and does not start a new one';
    hint = DECLARATION_HINT;
  } else if (expected) message += `; expected ${expected}`;
  if (hint) { /* already set */ }
  else if (t.image === '=' && /constraint/.test(e.context?.ruleStack?.join(' ') ?? '')) hint = 'constraints compare with `==`, `<=` or `>=`';
  else if (L.keywordSet.has(t.image) && (expected ?? '').includes('a name')) hint = `\`${t.image}\` is a reserved word and cannot be used as a name`;
  else if (STATEMENT_START.has(t.image) && t.tokenType.name.startsWith('Kw_')) hint = `the declaration before \`${t.image}\` is incomplete`;
  else if (L.keywordSet.has(t.image) && (expected ?? '').includes('an expression')) hint = `\`${t.image}\` is a reserved word and cannot stand in an expression`;
  else if (/^(declUnit|unitProduct|unitPower|unitAtom)$/.test(rule)) { message = `unexpected ${describeToken(t)}; expected a unit`; hint = 'a unit is written like `MW`, `$/MWh`, `MW^2*h` or `kV`'; }
  else if (rule === 'declaration' || rule === 'modelFile') hint = DECLARATION_HINT;
  return { code: 'E0002' as const, severity: 'error' as const, message, span, hint };
}

/** Turns Chevrotain's "Expecting ... but found" text into a short list of expected tokens. */
function expectedFrom(e: IRecognitionException): string | undefined {
  const m = /Expecting (?:token of type --> )?(.*?)(?: <--)? but found/s.exec(e.message);
  const names = new Set<string>();
  const source = m ? m[1]! : e.message;
  for (const match of source.matchAll(/\b(Kw_\w+|[A-Z][A-Za-z]+)\b/g)) {
    const n = match[1]!;
    if (n.startsWith('Kw_')) names.add(`\`${n.slice(3)}\``);
    else if (friendly[n]) names.add(friendly[n]!);
  }
  if (names.size === 0) return undefined;
  if (names.has('a number') && names.has('a name') && names.has('`(`')) return 'an expression';
  const list = [...names];
  return list.length <= 6 ? list.join(', ') : `${list.slice(0, 6).join(', ')}, ...`;
}

/**
 * Doc comments. A `///` comment on a line of its own documents what follows it (consecutive ones
 * make a paragraph); one after code on the same line documents that code: a component parameter
 * `p_max : MW,   /// maximum output`. So a trailing comment never leaks into the next item.
 */
function attachDocs(decls: readonly A.Decl[], comments: readonly A.Comment[], text: string): void {
  const docs = comments.filter((c) => c.text.startsWith('///'));
  if (docs.length === 0) return;
  const body = (c: A.Comment) => c.text.replace(/^\/\/\/ ?/, '');
  const ownLine = (c: A.Comment) => text.slice(text.lastIndexOf('\n', c.span.start - 1) + 1, c.span.start).trim() === '';
  /** The own-line doc comments directly above `start` (nothing but whitespace in between). */
  const leading = (start: number): string[] => {
    const lines: string[] = [];
    let end = start;
    for (let i = docs.length - 1; i >= 0; i--) {
      const c = docs[i]!;
      if (c.span.end > end) continue;
      if (text.slice(c.span.end, end).trim() !== '' || !ownLine(c)) break;
      lines.unshift(body(c));
      end = c.span.start;
    }
    return lines;
  };
  /** A doc comment after `end` on the same line, with only a separator (`,` `;`) in between. */
  const trailing = (end: number): string | undefined => {
    const c = docs.find((x) => x.span.start >= end);
    if (!c || ownLine(c)) return undefined;
    return /^[\s,;]*$/.test(text.slice(end, c.span.start)) && !text.slice(end, c.span.start).includes('\n') ? body(c) : undefined;
  };
  const visit = (d: A.Decl) => {
    const lines = leading(d.span.start);
    if (lines.length) (d as { doc?: string }).doc = lines.join('\n');
    if (d.kind !== 'component') return;
    d.body.forEach(visit);
    for (const p of d.params) {
      const docLines = leading(p.span.start);
      const after = trailing(p.span.end);
      if (after !== undefined) docLines.push(after);
      if (docLines.length) (p as { doc?: string }).doc = docLines.join('\n');
    }
  };
  decls.forEach(visit);
}
