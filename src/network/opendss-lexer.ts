// The token level of the OpenDSS script language: one physical line becomes a list of
// `name=value` / positional parameters with their line and column, following OpenDSS's own
// command-line parser (ParserDel.pas in the OpenDSS sources; dss-extensions/dss_capi keeps the
// same rules):
//
// - delimiters are `,` and `=`, white space is blank and tab; a token followed by `=` names the
//   property the next token is the value of (`kV = 4.16` is allowed);
// - a value may be quoted by one of the pairs `"…"`, `'…'`, `(…)`, `[…]`, `{…}`; quotes do not nest:
//   the value runs to the first matching closing character on the same line;
// - `!` and `//` outside quotes start a comment that runs to the end of the line; a line starting
//   with `/*` opens a block comment that ends on the line holding `*/`;
// - a quoted value read as a number is an RPN expression (`(12.47 3 sqrt /)`), evaluated by the
//   10-register stack calculator of RPN.pas: numbers push, `+ - * / ^ sqr sqrt inv ln log10 exp
//   sin cos tan asin acos atan atan2 (degrees) pi swap rollup rolldn` operate;
// - arrays are quoted lists separated by blanks or commas, matrices are rows separated by `|`.
//
// Nothing here throws on bad input: problems become diagnostics at the file's own line:col.

export type Severity = 'error' | 'warning';

export interface OpenDssDiagnostic {
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly severity: Severity;
}

/** A token: its text (inside the quotes, if quoted), where it starts and where that text starts. */
export interface Tok {
  readonly text: string;
  readonly quoted: boolean;
  readonly file: string;
  readonly line: number;
  /** 1-based column of the token's first character (the opening quote, if quoted). */
  readonly col: number;
  /** 1-based column of `text`'s first character. */
  readonly innerCol: number;
}

export interface Param {
  readonly name?: Tok;
  readonly value: Tok;
}

export class Diags {
  readonly list: OpenDssDiagnostic[] = [];
  error(at: { file: string; line: number; col: number }, message: string): void {
    this.list.push({ message, file: at.file, line: at.line, col: at.col, severity: 'error' });
  }
  warning(at: { file: string; line: number; col: number }, message: string): void {
    this.list.push({ message, file: at.file, line: at.line, col: at.col, severity: 'warning' });
  }
}

const BEGIN_QUOTES = '("\'[{';
const END_QUOTES = ')"\']}';

function isWhite(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v';
}

function isComment(s: string, i: number): boolean {
  const c = s[i];
  return c === '!' || (c === '/' && s[i + 1] === '/');
}

interface RawTok {
  tok: Tok;
  /** Position after the token and its terminating delimiter. */
  next: number;
  /** The delimiter that ended it: '=' or ',' or ' '. */
  delim: string;
  /** The rest of the line is a comment. */
  comment: boolean;
}

function skipWhite(s: string, i: number): number {
  while (i < s.length && isWhite(s[i]!)) i++;
  return i;
}

/**
 * One token starting at `pos` (0-based), OpenDSS GetToken: a quoted token runs to its closing
 * character; an unquoted one to the next delimiter, white space or comment.
 */
function getToken(s: string, pos: number, file: string, line: number, diags: Diags, delims: string): RawTok {
  const qi = BEGIN_QUOTES.indexOf(s[pos]!);
  let tok: Tok;
  let i: number;
  let comment = false;
  if (qi >= 0) {
    const close = END_QUOTES[qi]!;
    const j = s.indexOf(close, pos + 1);
    if (j < 0) {
      diags.error(
        { file, line, col: pos + 1 },
        `unterminated '${s[pos]}': no matching '${close}' on this line (OpenDSS values cannot span lines)`,
      );
      tok = { text: s.slice(pos + 1).replace(/\s+$/, ''), quoted: true, file, line, col: pos + 1, innerCol: pos + 2 };
      i = s.length;
    } else {
      tok = { text: s.slice(pos + 1, j), quoted: true, file, line, col: pos + 1, innerCol: pos + 2 };
      i = j + 1;
    }
  } else {
    i = pos;
    const n = s.length;
    const d0 = delims.charCodeAt(0);
    const d1 = delims.length > 1 ? delims.charCodeAt(1) : -1;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      // blank, tab, CR, FF, VT; the delimiters; '!' and '//'
      if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11 || c === d0 || c === d1 || c === 33) break;
      if (c === 47 && s.charCodeAt(i + 1) === 47) break;
    }
    tok = { text: s.slice(pos, i), quoted: false, file, line, col: pos + 1, innerCol: pos + 1 };
    if (i < n && isComment(s, i)) comment = true;
  }
  if (comment) return { tok, next: s.length, delim: ' ', comment: true };
  let delim = ' ';
  i = skipWhite(s, i);
  if (i < s.length && delims.indexOf(s[i]!) >= 0) {
    delim = s[i]!;
    i = skipWhite(s, i + 1);
  } else if (i < s.length && isComment(s, i)) {
    return { tok, next: s.length, delim, comment: true };
  }
  return { tok, next: Math.max(i, pos + 1), delim, comment: false };
}

/** The parameters of one line of script (comments removed). */
export function lexLine(s: string, file: string, line: number, diags: Diags): Param[] {
  const params: Param[] = [];
  let pos = skipWhite(s, 0);
  while (pos < s.length) {
    if (isComment(s, pos)) break;
    const t1 = getToken(s, pos, file, line, diags, ',=');
    if (t1.delim === '=') {
      if (t1.tok.text === '' && !t1.tok.quoted) diags.error(t1.tok, "'=' without a property name before it");
      if (t1.comment || t1.next >= s.length || isComment(s, t1.next)) {
        const at = t1.comment ? s.length : t1.next;
        params.push({ name: t1.tok, value: { text: '', quoted: false, file, line, col: at + 1, innerCol: at + 1 } });
        break;
      }
      const t2 = getToken(s, t1.next, file, line, diags, ',=');
      params.push({ name: t1.tok, value: t2.tok });
      if (t2.comment) break;
      pos = t2.next;
    } else {
      if (t1.tok.text !== '' || t1.tok.quoted) params.push({ value: t1.tok });
      if (t1.comment) break;
      pos = t1.next;
    }
  }
  return params;
}

/** Splits text into lines (LF, CRLF or CR), the line terminators removed. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

// ------------------------------------------------------------------------------------ values

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eEdD][+-]?\d+)?$/;

/** A plain decimal number as Pascal's Val reads it, or undefined. */
export function plainNumber(text: string): number | undefined {
  const t = text.trim();
  if (!NUMBER.test(t)) return undefined;
  const v = Number(t.replace(/[dD]/, 'e'));
  return Number.isFinite(v) ? v : undefined;
}

/** Sub-tokens of a quoted value (array elements), blank- or comma-separated, with positions. */
export function subTokens(v: Tok, diags: Diags, delims = ','): Tok[] {
  const out: Tok[] = [];
  const s = v.text;
  let pos = skipWhite(s, 0);
  while (pos < s.length) {
    const qi = BEGIN_QUOTES.indexOf(s[pos]!);
    let t: Tok;
    let i: number;
    if (qi >= 0) {
      const close = END_QUOTES[qi]!;
      const j = s.indexOf(close, pos + 1);
      if (j < 0) {
        diags.error({ file: v.file, line: v.line, col: v.innerCol + pos }, `unterminated '${s[pos]}' inside a quoted value`);
        t = { text: s.slice(pos + 1), quoted: true, file: v.file, line: v.line, col: v.innerCol + pos, innerCol: v.innerCol + pos + 1 };
        i = s.length;
      } else {
        t = { text: s.slice(pos + 1, j), quoted: true, file: v.file, line: v.line, col: v.innerCol + pos, innerCol: v.innerCol + pos + 1 };
        i = j + 1;
      }
    } else {
      i = pos;
      while (i < s.length && !isWhite(s[i]!) && delims.indexOf(s[i]!) < 0) i++;
      t = { text: s.slice(pos, i), quoted: false, file: v.file, line: v.line, col: v.innerCol + pos, innerCol: v.innerCol + pos };
    }
    if (t.text !== '' || t.quoted) out.push(t);
    i = skipWhite(s, i);
    if (i < s.length && delims.indexOf(s[i]!) >= 0) i = skipWhite(s, i + 1);
    pos = Math.max(i, pos + 1);
  }
  return out;
}

const DEG = Math.PI / 180;

/**
 * Evaluates an RPN expression (the text of a quoted value), as OpenDSS's RPN.pas: a stack of 10
 * registers, initially 0; the result is the X register. Undefined (with a diagnostic) on an
 * unknown word or a non-finite result.
 */
export function evalRpn(v: Tok, diags: Diags, what: string): number | undefined {
  const stack = new Array<number>(10).fill(0);
  let depth = 0; // values actually entered, to warn when an operator reads an empty register
  let underflow = false;
  const rollDn = () => {
    for (let i = 1; i < 10; i++) stack[i - 1] = stack[i]!;
  };
  const rollUp = () => {
    for (let i = 9; i > 0; i--) stack[i] = stack[i - 1]!;
  };
  const need = (n: number) => {
    if (depth < n) underflow = true;
  };
  const binary = (f: (y: number, x: number) => number) => {
    need(2);
    stack[1] = f(stack[1]!, stack[0]!);
    rollDn();
    depth = Math.max(depth - 1, 1);
  };
  const unary = (f: (x: number) => number) => {
    need(1);
    stack[0] = f(stack[0]!);
    depth = Math.max(depth, 1);
  };
  const words = subTokens(v, diags, ',=');
  if (words.length === 0) {
    diags.error(v, `empty value for ${what}`);
    return undefined;
  }
  for (const w of words) {
    const n = plainNumber(w.text);
    if (n !== undefined && !w.quoted) {
      rollUp();
      stack[0] = n;
      depth++;
      continue;
    }
    switch (w.text.toLowerCase()) {
      case '+': binary((y, x) => y + x); break;
      case '-': binary((y, x) => y - x); break;
      case '*': binary((y, x) => y * x); break;
      case '/': binary((y, x) => y / x); break;
      case '^': binary((y, x) => Math.pow(y, x)); break;
      case 'atan2': binary((y, x) => Math.atan2(y, x) / DEG); break;
      case 'sqrt': unary(Math.sqrt); break;
      case 'sqr': unary((x) => x * x); break;
      case 'inv': unary((x) => 1 / x); break;
      case 'ln': unary(Math.log); break;
      case 'log10': unary(Math.log10); break;
      case 'exp': unary(Math.exp); break;
      case 'sin': unary((x) => Math.sin(x * DEG)); break;
      case 'cos': unary((x) => Math.cos(x * DEG)); break;
      case 'tan': unary((x) => Math.tan(x * DEG)); break;
      case 'asin': unary((x) => Math.asin(x) / DEG); break;
      case 'acos': unary((x) => Math.acos(x) / DEG); break;
      case 'atan': unary((x) => Math.atan(x) / DEG); break;
      case 'pi': rollUp(); stack[0] = Math.PI; depth++; break;
      case 'swap': { need(2); const t = stack[0]!; stack[0] = stack[1]!; stack[1] = t; break; }
      case 'rollup': rollUp(); break;
      case 'rolldn': rollDn(); depth = Math.max(depth - 1, 0); break;
      default:
        diags.error(w, `invalid inline math entry '${w.text}' in the value of ${what} (an RPN expression: numbers and + - * / ^ sqr sqrt inv ln log10 exp sin cos tan asin acos atan atan2 pi swap rollup rolldn)`);
        return undefined;
    }
  }
  if (underflow) diags.warning(v, `the RPN expression for ${what} uses more operands than it enters; OpenDSS reads the missing ones as 0`);
  else if (depth > 1) diags.warning(v, `the RPN expression for ${what} leaves ${depth} values; OpenDSS uses the last one (${stack[0]})`);
  const x = stack[0]!;
  if (!Number.isFinite(x)) {
    diags.error(v, `the RPN expression for ${what} does not give a finite number (${x})`);
    return undefined;
  }
  return x;
}

/** A number: plain, or an RPN expression when quoted. */
export function numberValue(v: Tok, diags: Diags, what: string): number | undefined {
  if (v.quoted) return evalRpn(v, diags, what);
  if (v.text === '') {
    diags.error(v, `missing value for ${what}`);
    return undefined;
  }
  const n = plainNumber(v.text);
  if (n === undefined) diags.error(v, `expected a number for ${what}, found '${v.text}'`);
  return n;
}

/** A list of numbers: a quoted list (each element a number or a quoted RPN expression) or one number. */
export function numberArray(v: Tok, diags: Diags, what: string): number[] | undefined {
  if (!v.quoted) {
    const n = numberValue(v, diags, what);
    return n === undefined ? undefined : [n];
  }
  const out: number[] = [];
  let ok = true;
  for (const t of subTokens(v, diags)) {
    const n = numberValue(t, diags, what);
    if (n === undefined) ok = false;
    else out.push(n);
  }
  return ok ? out : undefined;
}

/** A list of words (bus names, connections): a quoted list or one word. */
export function wordArray(v: Tok, diags: Diags): Tok[] {
  if (!v.quoted) return v.text === '' ? [] : [v];
  return subTokens(v, diags);
}

/**
 * A symmetric matrix of order n: rows separated by `|`, row i giving at least the i values of the
 * lower triangle (OpenDSS ParseAsSymMatrix: value j of row i is put at (i,j) and (j,i), so full
 * rows are accepted too). Without `|`, n(n+1)/2 values are read as the lower triangle by rows,
 * or n*n values as the full matrix.
 */
export function symMatrix(v: Tok, n: number, diags: Diags, what: string): number[][] | undefined {
  const m: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const s = v.text;
  // Split into rows at '|' outside nested quotes.
  const rows: Tok[] = [];
  let start = 0;
  let depthQuote = '';
  for (let i = 0; i <= s.length; i++) {
    const c = s[i];
    if (depthQuote !== '') {
      if (c === depthQuote) depthQuote = '';
      continue;
    }
    const qi = c === undefined ? -1 : BEGIN_QUOTES.indexOf(c);
    if (qi >= 0) {
      depthQuote = END_QUOTES[qi]!;
      continue;
    }
    if (c === '|' || c === undefined) {
      rows.push({ text: s.slice(start, i), quoted: true, file: v.file, line: v.line, col: v.innerCol + start, innerCol: v.innerCol + start });
      start = i + 1;
    }
  }
  const values: number[][] = [];
  for (const r of rows) {
    const vals = numberArray(r, diags, what);
    if (vals === undefined) return undefined;
    values.push(vals);
  }
  if (values.length === 1 && n > 1) {
    const flat = values[0]!;
    if (flat.length === (n * (n + 1)) / 2) {
      let k = 0;
      for (let i = 0; i < n; i++)
        for (let j = 0; j <= i; j++) {
          m[i]![j] = flat[k]!;
          m[j]![i] = flat[k]!;
          k++;
        }
      return m;
    }
    if (flat.length === n * n) {
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[i]![j] = flat[i * n + j]!;
      return m;
    }
    diags.error(v, `${what} needs ${n} rows separated by '|' (or ${(n * (n + 1)) / 2} lower-triangle values) for ${n} phases; found ${flat.length} values`);
    return undefined;
  }
  if (values.length !== n) {
    diags.error(v, `${what} has ${values.length} row${values.length === 1 ? '' : 's'}; ${n} phases need ${n}`);
    return undefined;
  }
  for (let i = 0; i < n; i++) {
    const row = values[i]!;
    if (row.length < i + 1) {
      diags.error(rows[i]!, `row ${i + 1} of ${what} has ${row.length} value${row.length === 1 ? '' : 's'}; the lower triangle needs ${i + 1}`);
      return undefined;
    }
    if (row.length > n) {
      diags.error(rows[i]!, `row ${i + 1} of ${what} has ${row.length} values; a matrix of order ${n} has at most ${n}`);
      return undefined;
    }
    for (let j = 0; j < row.length; j++) {
      m[i]![j] = row[j]!;
      m[j]![i] = row[j]!;
    }
  }
  return m;
}
