// Text -> AST, with every lexical and syntax error turned into a diagnostic (never an exception).
import { tokenMatcher, type IRecognitionException, type IToken } from 'chevrotain';
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
  parser.input = tokens;
  const decls = (parser.modelFile() ?? []).filter((d): d is A.Decl => !!d);
  // One syntax error per declaration: what follows the first error in a declaration is usually a
  // consequence of the parser's recovery, not a second mistake.
  const starts = tokens.filter((t) => STATEMENT_START.has(t.image)).map((t) => t.startOffset);
  let lastStatement = -2;
  for (const e of [...parser.errors].sort((a, b) => offsetOf(a) - offsetOf(b))) {
    const st = statementIndex(starts, offsetOf(e));
    if (st === lastStatement) continue;
    lastStatement = st;
    diags.add(syntaxDiagnostic(file, text, e));
  }
  attachDocs(decls, comments, text);
  return { file: { file, decls, comments }, tokens };
}

const STATEMENT_START = new Set(['import', 'horizon', 'set', 'param', 'table', 'var', 'constraint', 'expr', 'cost', 'minimize', 'maximize', 'component', 'instance']);

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
  Caret: '`^`', Dollar: '`$`', Percent: '`%`', PerUnit: '`p.u.`', EOF: 'the end of the file',
};

function describeToken(t: IToken): string {
  if (t.tokenType.name === 'EOF') return 'the end of the file';
  return `\`${t.image}\``;
}

function syntaxDiagnostic(file: string, text: string, e: IRecognitionException) {
  const t = e.token;
  const atEof = t.tokenType.name === 'EOF' || Number.isNaN(t.startOffset);
  const span = atEof ? spanAt(file, text, Math.max(0, text.length - 1), text.length) : tokSpan(file, t);
  const expected = expectedFrom(e);
  const rule = e.context?.ruleStack?.[e.context.ruleStack.length - 1] ?? '';
  let message = `unexpected ${describeToken(t)}`;
  if (expected) message += `; expected ${expected}`;
  let hint: string | undefined;
  if (t.image === '=' && /constraint/.test(e.context?.ruleStack?.join(' ') ?? '')) hint = 'constraints compare with `==`, `<=` or `>=`';
  else if (L.keywordSet.has(t.image) && (expected ?? '').includes('a name')) hint = `\`${t.image}\` is a reserved word and cannot be used as a name`;
  else if (rule === 'declaration' || rule === 'modelFile') hint = 'a declaration starts with import, horizon, set, param, table, var, constraint, expr, cost, minimize, maximize, component or instance';
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

/** `///` comments directly above a declaration (nothing but whitespace between) become its doc text. */
function attachDocs(decls: readonly A.Decl[], comments: readonly A.Comment[], text: string): void {
  const docs = comments.filter((c) => c.text.startsWith('///'));
  if (docs.length === 0) return;
  const visit = (d: A.Decl) => {
    const lines: string[] = [];
    let end = d.span.start;
    for (let i = docs.length - 1; i >= 0; i--) {
      const c = docs[i]!;
      if (c.span.end > end) continue;
      if (text.slice(c.span.end, end).trim() !== '') break;
      lines.unshift(c.text.replace(/^\/\/\/ ?/, ''));
      end = c.span.start;
    }
    if (lines.length) (d as { doc?: string }).doc = lines.join('\n');
    if (d.kind === 'component') {
      d.body.forEach(visit);
      for (const p of d.params) {
        const docLines: string[] = [];
        let pend = p.span.start;
        for (let i = docs.length - 1; i >= 0; i--) {
          const c = docs[i]!;
          if (c.span.end > pend) continue;
          if (text.slice(c.span.end, pend).trim() !== '') break;
          docLines.unshift(c.text.replace(/^\/\/\/ ?/, ''));
          pend = c.span.start;
        }
        // A trailing `/// doc` on the same line after the parameter's comma documents it too.
        const after = docs.find((c) => c.span.start > p.span.end && c.span.line === p.span.line);
        if (after) docLines.push(after.text.replace(/^\/\/\/ ?/, ''));
        if (docLines.length) (p as { doc?: string }).doc = docLines.join('\n');
      }
    }
  };
  decls.forEach(visit);
}
