// Tokens of the evg language (Chevrotain lexer).
//
// Keywords are reserved; unit names (kW, h, $, ...) are ordinary identifiers that the parser
// recognises by name where a unit may stand, so that a model may still call a parameter `h`.
import { createToken, Lexer, type TokenType } from './chevrotain.js';

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

const keywordNames = [
  'import', 'horizon', 'steps', 'of', 'set', 'param', 'table', 'var', 'constraint', 'expr', 'cost',
  'minimize', 'maximize', 'component', 'instance', 'network', 'in', 'where', 'sum', 'if', 'then', 'else',
  'and', 'or', 'not', 'integer', 'binary', 'continuous', 'default', 'union', 'inter', 'diff',
  'true', 'false', 'uncertain', 'scenarios', 'recourse', 'treatment', 'with', 'probability', 'expectation',
] as const;
export type KeywordName = (typeof keywordNames)[number];

/**
 * Soft keywords start a declaration (or a part of one) but are also valid names elsewhere, since
 * engineers naturally call a parameter `cost` or a table `table`: their tokens are also
 * Identifiers (a token category).
 */
export const softKeywords: ReadonlySet<string> = new Set([
  'cost', 'steps', 'of', 'table', 'expr', 'network',
  'uncertain', 'scenarios', 'recourse', 'treatment', 'with', 'probability', 'expectation',
]);

export const Keywords: Record<KeywordName, TokenType> = Object.fromEntries(
  keywordNames.map((k) => [k, createToken({
    name: `Kw_${k}`, pattern: new RegExp(`${k}\\b`), longer_alt: Identifier,
    ...(softKeywords.has(k) ? { categories: [Identifier] } : {}),
  })]),
) as Record<KeywordName, TokenType>;

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED });
export const DocComment = createToken({ name: 'DocComment', pattern: /\/\/\/[^\n]*/, group: 'comments' });
export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\n]*/, group: 'comments' });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: 'comments', line_breaks: true });
export const UnterminatedComment = createToken({ name: 'UnterminatedComment', pattern: /\/\*[\s\S]*/, line_breaks: true });
export const PerUnit = createToken({ name: 'PerUnit', pattern: /p\.u\./ });
export const NumberLit = createToken({ name: 'NumberLit', pattern: /(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/ });
export const StringLit = createToken({ name: 'StringLit', pattern: /"(?:[^"\\\n]|\\.)*"/ });
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /"(?:[^"\\\n]|\\.)*/ });

export const Assign = createToken({ name: 'Assign', pattern: /:=/ });
export const EqEq = createToken({ name: 'EqEq', pattern: /==/ });
export const NotEq = createToken({ name: 'NotEq', pattern: /!=/ });
export const LessEq = createToken({ name: 'LessEq', pattern: /<=/ });
export const GreaterEq = createToken({ name: 'GreaterEq', pattern: />=/ });
export const Less = createToken({ name: 'Less', pattern: /</ });
export const Greater = createToken({ name: 'Greater', pattern: />/ });
export const Equals = createToken({ name: 'Equals', pattern: /=/ });
export const DotDot = createToken({ name: 'DotDot', pattern: /\.\./ });
export const Dot = createToken({ name: 'Dot', pattern: /\./ });
export const Comma = createToken({ name: 'Comma', pattern: /,/ });
export const Colon = createToken({ name: 'Colon', pattern: /:/ });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/ });
export const LParen = createToken({ name: 'LParen', pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', pattern: /\)/ });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/ });
export const RBracket = createToken({ name: 'RBracket', pattern: /]/ });
export const LBrace = createToken({ name: 'LBrace', pattern: /{/ });
export const RBrace = createToken({ name: 'RBrace', pattern: /}/ });
export const Plus = createToken({ name: 'Plus', pattern: /\+/ });
export const Minus = createToken({ name: 'Minus', pattern: /-/ });
export const Star = createToken({ name: 'Star', pattern: /\*/ });
export const Slash = createToken({ name: 'Slash', pattern: /\// });
export const Caret = createToken({ name: 'Caret', pattern: /\^/ });
export const Dollar = createToken({ name: 'Dollar', pattern: /\$/ });
/** `k$` (thousands of dollars): one token, since `k` alone would lex as a name. */
export const KiloDollar = createToken({ name: 'KiloDollar', pattern: /k\$/ });
export const Percent = createToken({ name: 'Percent', pattern: /%/ });
export const Ohm = createToken({ name: 'Ohm', pattern: /Ω/ });
/** `~` between an uncertain parameter and its distribution: `uncertain d : kW ~ normal(...)`. */
export const Tilde = createToken({ name: 'Tilde', pattern: /~/ });

export const allTokens: TokenType[] = [
  WhiteSpace, DocComment, LineComment, BlockComment, UnterminatedComment,
  PerUnit, NumberLit, StringLit, UnterminatedString, KiloDollar,
  ...Object.values(Keywords),
  Identifier,
  Assign, EqEq, NotEq, LessEq, GreaterEq, Less, Greater, Equals,
  DotDot, Dot, Comma, Colon, Semicolon, LParen, RParen, LBracket, RBracket, LBrace, RBrace,
  Plus, Minus, Star, Slash, Caret, Dollar, Percent, Ohm, Tilde,
];

export const evgLexer = new Lexer(allTokens, { positionTracking: 'full', ensureOptimizations: false });

export const keywordSet: ReadonlySet<string> = new Set(keywordNames.filter((k) => !softKeywords.has(k)));
