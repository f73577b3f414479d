// MATPOWER case files (.m, "MATPOWER Case Format : Version 2", and the older version-1 functions
// returning [baseMVA, bus, gen, branch, ...]) read into NetworkData.
//
// A case file is a MATLAB function. Most of it assigns matrix literals (`mpc.bus = [ ... ];`), but
// several distribution cases (case33bw, case69, case85, case141, ...) state r and x in ohms and
// loads in kW in their matrices and convert them *in code* at the end of the file:
//
//     Vbase = mpc.bus(1, BASE_KV) * 1e3;      %% in Volts
//     Sbase = mpc.baseMVA * 1e6;              %% in VA
//     mpc.branch(:, [BR_R BR_X]) = mpc.branch(:, [BR_R BR_X]) / (Vbase^2 / Sbase);
//     mpc.bus(:, [PD, QD]) = mpc.bus(:, [PD, QD]) / 1e3;
//
// So this reader is a small interpreter for the subset of MATLAB such files use: assignments of
// numbers, strings, matrix and cell literals, variables, `mpc.field`, indexing `m(rows, cols)` with
// `:`, `end`, ranges and vectors, indexed assignment, the arithmetic operators, a few functions
// (sqrt, abs, ones, zeros, size, numel, length) and MATPOWER's column-name functions `idx_bus`,
// `idx_brch`, `idx_gen`, `idx_cost` (their outputs by position, as in MATPOWER). The file's own
// conversion is therefore *applied as written* (and reported as a note naming the line), and the
// matrices are then read in MATPOWER's units (p.u. impedances on baseMVA and the bus's baseKV, MW,
// MVAr) and converted to NetworkData's physical units (ohm, kW, kvar). A statement outside that
// subset (control flow, an unknown function) is not applied and is reported as a warning, so the
// values are then read as the matrices state them.
//
// MATPOWER data is single-phase (positive sequence): every bus and branch becomes phase 1 with 1x1
// matrices, loads are wye on phase 1, and the network is marked `positiveSequence` (see
// model.ts): loads, shunts and generators stay three-phase totals, as the file gives them, kvBase
// is line-to-line, impedances are per phase. Conversions:
//   r, x [ohm] = r, x [p.u.] * baseKV(to)^2 / baseMVA;  b [uS] = b [p.u.] / (baseKV^2 / baseMVA) * 1e6
//   Pd, Qd [MW, MVAr] * 1000 -> a constant-power load `load N`;  Gs [MW at 1 p.u.] -> a
//   constant-impedance load `shunt N (Gs)`;  Bs [MVAr at 1 p.u.] -> a capacitor `shunt N`
//   rateA [MVA] -> ampacity = rateA * 1000 / (sqrt(3) * baseKV) A (0 = unlimited: none)
//   status 0 -> `open`;  ratio != 0 (or different baseKV at the two ends) -> a transformer with
//   tap = 1 / ratio: MATPOWER's ideal transformer sits at the from end, V_internal = V_from / ratio,
//   and NetworkData's tap convention is V_to = tap * V_from (p.u., at no load).
//   The root is the reference bus (type 3); vRootPu is the setpoint Vg of its generator, else its Vm.
// Generators become NetGenerator data with kw = Pmax and kvar = Qmax (their ratings); their dispatch
// and voltage setpoints are not part of NetworkData (PV buses are listed as `unsupported`).
// `gencost` is not read and not reported: costs are written in the evg model. Other fields of the
// case (areas, dcline, ...) are listed as `unsupported`.
//
// Never throws: every problem becomes a diagnostic with the file, line and column.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { NetBranch, NetBus, NetCapacitor, NetGenerator, NetLoad, NetworkData } from './model.js';
import { registerImporter } from './importers.js';

export interface NetDiagnostic {
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly severity: 'error' | 'warning';
}

export interface MatpowerResult {
  readonly network: NetworkData;
  readonly diagnostics: NetDiagnostic[];
  /** Statements of the file that changed its matrices (its own unit conversions), as applied. */
  readonly conversions: { readonly line: number; readonly col: number; readonly text: string }[];
}

export function readMatpower(path: string): MatpowerResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
    return { network: emptyNetwork(basename(path).replace(/\.m$/i, '')), diagnostics: [{ message: `cannot read MATPOWER case \`${path}\`: ${why}`, file: path, line: 1, col: 1, severity: 'error' }], conversions: [] };
  }
  return parseMatpower(text, path);
}

/** Reads the text of a case file; `file` names it in diagnostics. */
export function parseMatpower(text: string, file: string): MatpowerResult {
  const diags: NetDiagnostic[] = [];
  const conversions: MatpowerResult['conversions'] = [];
  const d: Report = (severity, line, col, message) => {
    if (severity === 'note') conversions.push({ line, col, text: message });
    else diags.push({ message, file, line, col, severity });
  };
  let toks: Tok[];
  try {
    toks = tokenize(text, d);
  } catch (e) {
    // The tokenizer reports through `d`; anything thrown is a bug, but the contract is never to throw.
    d('error', 1, 1, `cannot read the file: ${(e as Error).message}`);
    return { network: emptyNetwork(caseName(file)), diagnostics: diags, conversions };
  }
  const interp = new Interpreter(text, toks, d);
  try {
    interp.run();
  } catch (e) {
    d('error', 1, 1, `cannot interpret the file: ${(e as Error).message}`);
  }
  let network: NetworkData;
  try {
    network = build(interp, file, d);
  } catch (e) {
    d('error', 1, 1, `cannot build the network: ${(e as Error).message}`);
    network = emptyNetwork(interp.functionName ?? caseName(file));
  }
  return { network, diagnostics: diags, conversions };
}

function caseName(file: string): string {
  return basename(file).replace(/\.m$/i, '');
}

function emptyNetwork(name: string): NetworkData {
  return { name, root: '', vRootPu: 1, kvaBase: 1000, frequency: 60, buses: [], branches: [], loads: [], capacitors: [], generators: [], unsupported: [], positiveSequence: true };
}

/** Diagnostics, and ('note') the statements applied that changed the matrices. */
type Report = (severity: NetDiagnostic['severity'] | 'note', line: number, col: number, message: string) => void;

// ---------------------------------------------------------------------------------------------
// Tokens

type TokKind = 'num' | 'id' | 'str' | 'op' | 'nl' | 'eof';

interface Tok {
  readonly kind: TokKind;
  readonly text: string;
  readonly value: number;
  readonly line: number;
  readonly col: number;
  readonly offset: number;
  readonly end: number;
  /** Whitespace (or a comment) right before the token. */
  readonly sp: boolean;
}

const OPS3 = ['...'];
const OPS2 = ['.^', '.*', './', ".'", '==', '~=', '!=', '<=', '>=', '&&', '||', '.\\'];
const OPS1 = "+-*/\\^'()[]{},;:=<>&|~!.@";

function tokenize(src: string, report: Report): Tok[] {
  const toks: Tok[] = [];
  let i = 0, line = 1, lineStart = 0, sp = false;
  // Brackets open, to tell a transpose from a string and significant whitespace ("[1 -2]").
  const stack: string[] = [];
  const push = (kind: TokKind, start: number, end: number, value = 0): void => {
    toks.push({ kind, text: src.slice(start, end), value, line, col: start - lineStart + 1, offset: start, end, sp });
    sp = false;
  };
  const atLineStart = (pos: number): boolean => {
    for (let k = pos - 1; k >= lineStart; k--) if (src[k] !== ' ' && src[k] !== '\t') return false;
    return true;
  };
  const restOfLineBlank = (pos: number): boolean => {
    for (let k = pos; k < src.length && src[k] !== '\n' && src[k] !== '\r'; k++) if (src[k] !== ' ' && src[k] !== '\t') return false;
    return true;
  };
  const newline = (): void => {
    // i at '\n' or '\r'
    if (src[i] === '\r' && src[i + 1] === '\n') i++;
    i++;
    line++;
    lineStart = i;
  };
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\f' || ch === '\v' || ch === '\u00a0' || ch === '\ufeff') {
      i++;
      sp = true;
      continue;
    }
    if (ch === '\n' || ch === '\r') {
      push('nl', i, i + 1);
      newline();
      continue;
    }
    if (ch === '%' || ch === '#') {
      // Block comment: `%{` alone on a line, up to `%}` alone on a line.
      if ((src[i + 1] === '{') && atLineStart(i) && restOfLineBlank(i + 2)) {
        const startLine = line, startCol = i - lineStart + 1;
        let depth = 0;
        for (;;) {
          // at the start of a comment line
          while (i < src.length && src[i] !== '\n' && src[i] !== '\r') i++;
          const lineText = src.slice(lineStart, i).trim();
          if (lineText === '%{' || lineText === '#{') depth++;
          else if (lineText === '%}' || lineText === '#}') depth--;
          if (depth === 0 || i >= src.length) break;
          newline();
        }
        if (depth !== 0) report('error', startLine, startCol, 'unterminated block comment `%{`');
        sp = true;
        continue;
      }
      while (i < src.length && src[i] !== '\n' && src[i] !== '\r') i++;
      sp = true;
      continue;
    }
    if (src.startsWith('...', i)) {
      // Continuation: the rest of the line is a comment, and the line break does not end the statement.
      i += 3;
      while (i < src.length && src[i] !== '\n' && src[i] !== '\r') i++;
      if (i < src.length) newline();
      sp = true;
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const start = i;
      while (/[0-9]/.test(src[i] ?? '')) i++;
      if (src[i] === '.' && !/[*/^\\']/.test(src[i + 1] ?? '')) {
        i++;
        while (/[0-9]/.test(src[i] ?? '')) i++;
      }
      if ((src[i] === 'e' || src[i] === 'E' || src[i] === 'd' || src[i] === 'D') && /[0-9]/.test(src[i + 1] === '+' || src[i + 1] === '-' ? (src[i + 2] ?? '') : (src[i + 1] ?? ''))) {
        i += src[i + 1] === '+' || src[i + 1] === '-' ? 2 : 1;
        while (/[0-9]/.test(src[i] ?? '')) i++;
      }
      const t = src.slice(start, i).replace(/[dD]/, 'e');
      push('num', start, i, Number(t));
      if (/[A-Za-z_]/.test(src[i] ?? '')) {
        const s2 = i;
        while (/[A-Za-z0-9_]/.test(src[i] ?? '')) i++;
        report('error', line, s2 - lineStart + 1, `unexpected \`${src.slice(s2, i)}\` right after the number \`${t}\``);
      }
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const start = i;
      while (/[A-Za-z0-9_]/.test(src[i] ?? '')) i++;
      push('id', start, i);
      continue;
    }
    const prev = toks[toks.length - 1];
    const inMatrix = stack.length > 0 && stack[stack.length - 1] !== '(';
    if (ch === '"' || (ch === "'" && !(prev && !(sp && inMatrix) && (prev.kind === 'id' || prev.kind === 'num' || prev.text === ')' || prev.text === ']' || prev.text === '}' || prev.text === "'" || prev.text === ".'") && prev.kind !== 'nl'))) {
      const q = ch, start = i;
      i++;
      let s = '', closed = false;
      while (i < src.length && src[i] !== '\n' && src[i] !== '\r') {
        if (src[i] === q) {
          if (src[i + 1] === q) {
            s += q;
            i += 2;
            continue;
          }
          i++;
          closed = true;
          break;
        }
        s += src[i];
        i++;
      }
      if (!closed) report('error', line, start - lineStart + 1, 'unterminated string');
      toks.push({ kind: 'str', text: s, value: 0, line, col: start - lineStart + 1, offset: start, end: i, sp });
      sp = false;
      continue;
    }
    const op = OPS3.find((o) => src.startsWith(o, i)) ?? OPS2.find((o) => src.startsWith(o, i)) ?? (OPS1.includes(ch) ? ch : undefined);
    if (op === undefined) {
      report('error', line, i - lineStart + 1, `unexpected character \`${ch}\``);
      i++;
      continue;
    }
    if (op === '(' || op === '[' || op === '{') stack.push(op);
    else if (op === ')' || op === ']' || op === '}') stack.pop();
    push('op', i, i + op.length);
    i += op.length;
  }
  toks.push({ kind: 'eof', text: '', value: 0, line, col: i - lineStart + 1, offset: i, end: i, sp });
  return toks;
}

// ---------------------------------------------------------------------------------------------
// Syntax

type Expr =
  | { k: 'num'; v: number; t: Tok }
  | { k: 'str'; v: string; t: Tok }
  | { k: 'id'; name: string; t: Tok }
  | { k: 'end'; t: Tok }
  | { k: 'colon'; t: Tok }
  | { k: 'field'; obj: Expr; name: string; t: Tok }
  | { k: 'call'; fn: Expr; args: Expr[]; t: Tok }
  | { k: 'bin'; op: string; l: Expr; r: Expr; t: Tok }
  | { k: 'un'; op: string; e: Expr; t: Tok }
  | { k: 'post'; op: string; e: Expr; t: Tok }
  | { k: 'range'; a: Expr; s: Expr | undefined; b: Expr; t: Tok }
  | { k: 'matrix'; rows: Expr[][]; cell: boolean; t: Tok };

type Stmt =
  | { k: 'assign'; lhs: Expr; rhs: Expr; t: Tok; text: string }
  | { k: 'multi'; names: string[]; rhs: Expr; t: Tok; text: string }
  | { k: 'function'; outputs: string[]; name: string; t: Tok }
  | { k: 'expr'; e: Expr; t: Tok; text: string }
  | { k: 'skip'; what: string; t: Tok };

class SyntaxError_ extends Error {
  constructor(readonly tok: Tok, message: string) {
    super(message);
  }
}

class EvalError extends Error {
  constructor(readonly tok: Tok, message: string) {
    super(message);
  }
}

const BLOCK_START = new Set(['if', 'for', 'while', 'switch', 'try', 'parfor', 'function']);

class Parser {
  private i = 0;
  /** Contexts: '[' or '{' make whitespace significant; '(' does not. */
  private ctx: string[] = [];
  constructor(private readonly src: string, private readonly toks: Tok[], private readonly report: Report) {}

  private get t(): Tok {
    return this.toks[this.i]!;
  }
  /** The current token's kind (a method, so that TypeScript does not narrow it across calls). */
  private kind(): TokKind {
    return this.toks[this.i]!.kind;
  }
  private peek(k = 1): Tok {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }
  private isOp(text: string, t = this.t): boolean {
    return t.kind === 'op' && t.text === text;
  }
  private next(): Tok {
    const t = this.t;
    if (t.kind !== 'eof') this.i++;
    return t;
  }
  private expectOp(text: string): Tok {
    if (!this.isOp(text)) throw new SyntaxError_(this.t, `expected \`${text}\`, found ${describe(this.t)}`);
    return this.next();
  }
  private get inMatrix(): boolean {
    const c = this.ctx[this.ctx.length - 1];
    return c === '[' || c === '{';
  }

  statements(): Stmt[] {
    const out: Stmt[] = [];
    for (;;) {
      while (this.kind() === 'nl' || this.isOp(';') || this.isOp(',')) this.next();
      if (this.kind() === 'eof') return out;
      const start = this.i;
      try {
        const s = this.statement();
        if (s) out.push(s);
        if (!(this.kind() === 'nl' || this.kind() === 'eof' || this.isOp(';') || this.isOp(','))) {
          throw new SyntaxError_(this.t, `expected the end of the statement, found ${describe(this.t)}`);
        }
      } catch (e) {
        if (!(e instanceof SyntaxError_)) throw e;
        this.report('error', e.tok.line, e.tok.col, e.message);
        this.recover(start);
      }
    }
  }

  /** Skips from the statement's first token to its end (a line break or `;` outside brackets). */
  private recover(start: number): void {
    this.i = start;
    this.ctx = [];
    let depth = 0;
    while (this.kind() !== 'eof') {
      const t = this.t;
      if (depth === 0 && (t.kind === 'nl' || this.isOp(';'))) return;
      if (this.isOp('(') || this.isOp('[') || this.isOp('{')) depth++;
      else if ((this.isOp(')') || this.isOp(']') || this.isOp('}')) && depth > 0) depth--;
      this.next();
    }
  }

  private textFrom(t0: Tok): string {
    const last = this.toks[Math.max(this.i - 1, 0)]!;
    return this.src.slice(t0.offset, last.end).replace(/\s*\.\.\.[^\n]*\n\s*/g, ' ').replace(/\s+/g, ' ').trim();
  }

  private statement(): Stmt | undefined {
    const t0 = this.t;
    if (t0.kind === 'id' && t0.text === 'function') {
      this.next();
      // function mpc = name  |  function [a, b] = name  |  function name
      let outputs: string[] = [];
      if (this.isOp('[')) {
        this.next();
        while (!this.isOp(']')) {
          if (this.kind() === 'id') outputs.push(this.next().text);
          else if (this.isOp(',')) this.next();
          else throw new SyntaxError_(this.t, `expected an output name, found ${describe(this.t)}`);
        }
        this.next();
        this.expectOp('=');
      } else if (this.kind() === 'id' && this.isOp('=', this.peek())) {
        outputs = [this.next().text];
        this.next();
      }
      const name = this.kind() === 'id' ? this.next().text : '';
      // Input arguments, if any.
      if (this.isOp('(')) while (this.kind() !== 'nl' && this.kind() !== 'eof') this.next();
      return { k: 'function', outputs, name, t: t0 };
    }
    if (t0.kind === 'id' && (BLOCK_START.has(t0.text) || t0.text === 'end' || t0.text === 'return' || t0.text === 'global' || t0.text === 'persistent' || t0.text === 'break' || t0.text === 'continue')) {
      if (t0.text === 'end' || t0.text === 'return' || t0.text === 'break' || t0.text === 'continue') {
        this.next();
        return t0.text === 'end' ? undefined : { k: 'skip', what: `\`${t0.text}\``, t: t0 };
      }
      this.skipBlock();
      return { k: 'skip', what: `the \`${t0.text}\` block`, t: t0 };
    }
    // [a, b, c] = f
    if (this.isOp('[')) {
      const save = this.i;
      const names: string[] = [];
      this.next();
      let ok = true;
      while (!this.isOp(']')) {
        if (this.kind() === 'id') names.push(this.next().text);
        else if (this.isOp(',')) this.next();
        else if (this.isOp('~')) {
          this.next();
          names.push('~');
        } else {
          ok = false;
          break;
        }
      }
      if (ok && this.isOp(']') && this.isOp('=', this.peek())) {
        this.next();
        this.next();
        const rhs = this.expr();
        return { k: 'multi', names, rhs, t: t0, text: this.textFrom(t0) };
      }
      this.i = save;
    }
    const e = this.expr();
    if (this.isOp('=')) {
      this.next();
      if (!isLvalue(e)) throw new SyntaxError_(t0, 'the left side of `=` must be a name, a field or an indexed name');
      const rhs = this.expr();
      return { k: 'assign', lhs: e, rhs, t: t0, text: this.textFrom(t0) };
    }
    return { k: 'expr', e, t: t0, text: this.textFrom(t0) };
  }

  /** Skips a control-flow block up to its matching `end`. */
  private skipBlock(): void {
    let depth = 0, paren = 0;
    while (this.kind() !== 'eof') {
      const t = this.next();
      if (t.kind === 'op' && (t.text === '(' || t.text === '[' || t.text === '{')) paren++;
      else if (t.kind === 'op' && (t.text === ')' || t.text === ']' || t.text === '}')) paren = Math.max(0, paren - 1);
      else if (t.kind === 'id' && paren === 0) {
        if (BLOCK_START.has(t.text) && t.text !== 'function') depth++;
        else if (t.text === 'end') {
          depth--;
          if (depth <= 0) return;
        }
      }
    }
  }

  expr(): Expr {
    return this.range();
  }

  private range(): Expr {
    const a = this.or();
    if (this.isOp(':') && !this.endsElement()) {
      const t = this.next();
      const b = this.or();
      if (this.isOp(':') && !this.endsElement()) {
        this.next();
        const c = this.or();
        return { k: 'range', a, s: b, b: c, t };
      }
      return { k: 'range', a, s: undefined, b, t };
    }
    return a;
  }

  private or(): Expr {
    let l = this.and();
    while ((this.isOp('||') || this.isOp('|')) && !this.endsElement()) {
      const t = this.next();
      l = { k: 'bin', op: t.text, l, r: this.and(), t };
    }
    return l;
  }

  private and(): Expr {
    let l = this.cmp();
    while ((this.isOp('&&') || this.isOp('&')) && !this.endsElement()) {
      const t = this.next();
      l = { k: 'bin', op: t.text, l, r: this.cmp(), t };
    }
    return l;
  }

  private cmp(): Expr {
    let l = this.add();
    while (['==', '~=', '!=', '<', '>', '<=', '>='].some((o) => this.isOp(o)) && !this.endsElement()) {
      const t = this.next();
      l = { k: 'bin', op: t.text, l, r: this.add(), t };
    }
    return l;
  }

  /** In a matrix, whitespace before an operator and none after it starts a new element: `[1 -2]`. */
  private endsElement(): boolean {
    if (!this.inMatrix) return false;
    const t = this.t;
    return t.sp && !this.peek().sp && (t.text === '+' || t.text === '-' || t.text === "'");
  }

  private add(): Expr {
    let l = this.mul();
    while ((this.isOp('+') || this.isOp('-')) && !this.endsElement()) {
      const t = this.next();
      l = { k: 'bin', op: t.text, l, r: this.mul(), t };
    }
    return l;
  }

  private mul(): Expr {
    let l = this.unary();
    while (['*', '/', '.*', './', '\\', '.\\'].some((o) => this.isOp(o))) {
      const t = this.next();
      l = { k: 'bin', op: t.text, l, r: this.unary(), t };
    }
    return l;
  }

  private unary(): Expr {
    if (this.isOp('-') || this.isOp('+') || this.isOp('~') || this.isOp('!')) {
      const t = this.next();
      return { k: 'un', op: t.text, e: this.unary(), t };
    }
    return this.power();
  }

  private power(): Expr {
    let l = this.postfix();
    while (this.isOp('^') || this.isOp('.^')) {
      const t = this.next();
      // The exponent may carry its own sign: 2^-1.
      const r = this.isOp('-') || this.isOp('+') ? (() => { const u = this.next(); return { k: 'un', op: u.text, e: this.postfix(), t: u } as Expr; })() : this.postfix();
      l = { k: 'bin', op: t.text, l, r, t };
    }
    return l;
  }

  private postfix(): Expr {
    let e = this.primary();
    for (;;) {
      if (this.isOp('(') && !(this.inMatrix && this.t.sp)) {
        const t = this.next();
        this.ctx.push('(');
        const args: Expr[] = [];
        while (this.kind() === 'nl') this.next();
        if (!this.isOp(')')) {
          for (;;) {
            while (this.kind() === 'nl') this.next();
            if (this.isOp(':') && (this.isOp(',', this.peek()) || this.isOp(')', this.peek()))) args.push({ k: 'colon', t: this.next() });
            else args.push(this.expr());
            while (this.kind() === 'nl') this.next();
            if (this.isOp(',')) {
              this.next();
              continue;
            }
            break;
          }
        }
        this.ctx.pop();
        this.expectOp(')');
        e = { k: 'call', fn: e, args, t };
      } else if (this.isOp('.') && this.peek().kind === 'id' && !this.t.sp) {
        const t = this.next();
        e = { k: 'field', obj: e, name: this.next().text, t };
      } else if ((this.isOp("'") || this.isOp(".'")) && !this.t.sp) {
        const t = this.next();
        e = { k: 'post', op: t.text, e, t };
      } else return e;
    }
  }

  private primary(): Expr {
    const t = this.t;
    if (t.kind === 'num') {
      this.next();
      return { k: 'num', v: t.value, t };
    }
    if (t.kind === 'str') {
      this.next();
      return { k: 'str', v: t.text, t };
    }
    if (t.kind === 'id') {
      this.next();
      if (t.text === 'end') return { k: 'end', t };
      return { k: 'id', name: t.text, t };
    }
    if (this.isOp('(')) {
      this.next();
      this.ctx.push('(');
      const e = this.expr();
      this.ctx.pop();
      this.expectOp(')');
      return e;
    }
    if (this.isOp('[') || this.isOp('{')) {
      const open = this.next();
      const close = open.text === '[' ? ']' : '}';
      this.ctx.push(open.text);
      const rows: Expr[][] = [];
      let row: Expr[] = [];
      for (;;) {
        const u = this.t;
        if (u.kind === 'eof') {
          this.ctx.pop();
          throw new SyntaxError_(open, `\`${open.text}\` is never closed`);
        }
        if (this.isOp(close)) {
          this.next();
          break;
        }
        if (u.kind === 'nl' || this.isOp(';')) {
          this.next();
          if (row.length) rows.push(row);
          row = [];
          continue;
        }
        if (this.isOp(',')) {
          this.next();
          continue;
        }
        const before = this.i;
        row.push(this.expr());
        if (this.i === before) {
          this.ctx.pop();
          throw new SyntaxError_(u, `unexpected ${describe(u)} in a ${open.text === '[' ? 'matrix' : 'cell array'}`);
        }
      }
      if (row.length) rows.push(row);
      this.ctx.pop();
      return { k: 'matrix', rows, cell: open.text === '{', t: open };
    }
    throw new SyntaxError_(t, `expected a value, found ${describe(t)}`);
  }
}

function isLvalue(e: Expr): boolean {
  if (e.k === 'id') return true;
  if (e.k === 'field') return isLvalue(e.obj);
  if (e.k === 'call') return e.fn.k === 'id' || e.fn.k === 'field';
  return false;
}

function describe(t: Tok): string {
  if (t.kind === 'eof') return 'the end of the file';
  if (t.kind === 'nl') return 'the end of the line';
  if (t.kind === 'str') return `the string '${t.text}'`;
  return `\`${t.text}\``;
}

// ---------------------------------------------------------------------------------------------
// Values and evaluation

interface Num {
  readonly kind: 'num';
  readonly rows: number;
  readonly cols: number;
  /** Row-major. */
  readonly data: Float64Array;
  /** Source position of each element (line, col), where it came from a literal. */
  readonly line?: Int32Array;
  readonly col?: Int32Array;
}
interface Str {
  readonly kind: 'str';
  readonly s: string;
}
interface Cell {
  readonly kind: 'cell';
  readonly rows: number;
  readonly cols: number;
  readonly items: Value[];
}
interface Struct {
  readonly kind: 'struct';
  readonly fields: Map<string, Value>;
  /** Where each field was (last) assigned a whole value. */
  readonly at: Map<string, Tok>;
}
interface Func {
  readonly kind: 'func';
  readonly name: string;
}
type Value = Num | Str | Cell | Struct | Func;

function num(rows: number, cols: number, data?: Float64Array): Num {
  return { kind: 'num', rows, cols, data: data ?? new Float64Array(rows * cols) };
}
function scalar(v: number, t?: Tok): Num {
  return t ? { kind: 'num', rows: 1, cols: 1, data: Float64Array.of(v), line: Int32Array.of(t.line), col: Int32Array.of(t.col) } : num(1, 1, Float64Array.of(v));
}

// MATPOWER's column-name functions, outputs in order (idx_bus.m, idx_brch.m, idx_gen.m, idx_cost.m).
const IDX: Record<string, readonly number[]> = {
  // PQ PV REF NONE BUS_I BUS_TYPE PD QD GS BS BUS_AREA VM VA BASE_KV ZONE VMAX VMIN LAM_P LAM_Q MU_VMAX MU_VMIN
  idx_bus: [1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17],
  // F_BUS T_BUS BR_R BR_X BR_B RATE_A RATE_B RATE_C TAP SHIFT BR_STATUS PF QF PT QT MU_SF MU_ST ANGMIN ANGMAX MU_ANGMIN MU_ANGMAX
  idx_brch: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21],
  // GEN_BUS PG QG QMAX QMIN VG MBASE GEN_STATUS PMAX PMIN PC1 PC2 QC1MIN QC1MAX QC2MIN QC2MAX RAMP_AGC RAMP_10 RAMP_30 RAMP_Q APF MU_PMAX MU_PMIN MU_QMAX MU_QMIN
  idx_gen: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25],
  // PW_LINEAR POLYNOMIAL MODEL STARTUP SHUTDOWN NCOST COST
  idx_cost: [1, 2, 1, 2, 3, 4, 5],
};
const FUNCS = new Set([...Object.keys(IDX), 'sqrt', 'abs', 'ones', 'zeros', 'size', 'numel', 'length', 'pi', 'Inf', 'inf', 'NaN', 'nan', 'eps', 'true', 'false']);

/** Which parts of the case a statement touches, for the severity of a failure. */
const MAIN_FIELDS = new Set(['baseMVA', 'bus', 'gen', 'branch']);

class Interpreter {
  readonly vars = new Map<string, Value>();
  /** First values of matrix rows left out (reported), so that references to those buses are not reported again. */
  readonly droppedFirst = new Set<number>();
  functionName: string | undefined;
  outputs: string[] = [];
  constructor(private readonly src: string, private readonly toks: Tok[], private readonly report: Report) {}

  run(): void {
    const stmts = new Parser(this.src, this.toks, this.report).statements();
    let sawFunction = false;
    for (const s of stmts) {
      if (s.k === 'function') {
        if (sawFunction) {
          this.report('warning', s.t.line, s.t.col, `a second function (\`${s.name}\`) in the file: only the first one is read`);
          break;
        }
        sawFunction = true;
        this.functionName = s.name || undefined;
        this.outputs = s.outputs;
        continue;
      }
      if (s.k === 'skip' && s.what === '`return`') break;
      if (s.k === 'skip') {
        this.report('warning', s.t.line, s.t.col, `${s.what} is not interpreted (the importer reads assignments only); the values are read as the matrices state them`);
        continue;
      }
      try {
        this.exec(s);
      } catch (e) {
        if (!(e instanceof EvalError)) throw e;
        const main = s.k === 'assign' && MAIN_FIELDS.has(targetField(s.lhs) ?? '');
        const what = s.k === 'expr' ? 'statement' : 'assignment';
        this.report(main ? 'error' : 'warning', e.tok.line, e.tok.col, `${e.message}; the ${what} \`${short(s.text)}\` is not applied${main ? '' : ', and the values are read as the matrices state them'}`);
      }
    }
  }

  private exec(s: Stmt): void {
    if (s.k === 'expr') {
      // A bare call or name: nothing a case file needs (disp, a variable echo). Evaluate for errors.
      if (s.e.k === 'id' && !this.vars.has(s.e.name) && !FUNCS.has(s.e.name)) throw new EvalError(s.t, `\`${s.e.name}\` is not something the importer knows`);
      this.eval(s.e);
      return;
    }
    if (s.k === 'multi') {
      if (s.rhs.k !== 'id' || !IDX[s.rhs.name]) throw new EvalError(s.rhs.t, 'only MATPOWER\'s idx_bus, idx_brch, idx_gen and idx_cost can be assigned to several names');
      const vals = IDX[s.rhs.name]!;
      if (s.names.length > vals.length) throw new EvalError(s.t, `\`${s.rhs.name}\` has ${vals.length} outputs, not ${s.names.length}`);
      s.names.forEach((n, k) => {
        if (n !== '~') this.vars.set(n, scalar(vals[k]!));
      });
      return;
    }
    if (s.k !== 'assign') return;
    const rhs = this.eval(s.rhs);
    this.assign(s.lhs, rhs, s);
  }

  private assign(lhs: Expr, v: Value, s: Stmt & { k: 'assign' }): void {
    if (lhs.k === 'id') {
      this.vars.set(lhs.name, v);
      return;
    }
    if (lhs.k === 'field') {
      const st = this.structFor(lhs.obj);
      st.fields.set(lhs.name, v);
      st.at.set(lhs.name, lhs.t);
      return;
    }
    if (lhs.k === 'call') {
      // m(rows, cols) = v: a part of an existing matrix.
      const cur = this.eval(lhs.fn);
      if (cur.kind !== 'num') throw new EvalError(lhs.t, `indexed assignment needs a numeric matrix on the left, not a ${cur.kind === 'func' ? 'function' : cur.kind}`);
      if (v.kind !== 'num') throw new EvalError(s.rhs.t, 'the value assigned to a part of a matrix must be numeric');
      const [ri, ci] = this.indices(cur, lhs.args, lhs.t);
      const n = ri.length * ci.length;
      if (!(v.rows * v.cols === 1 || v.rows * v.cols === n)) throw new EvalError(s.rhs.t, `${v.rows}x${v.cols} values cannot fill a ${ri.length}x${ci.length} part of the matrix`);
      const data = Float64Array.from(cur.data);
      let k = 0;
      for (let a = 0; a < ri.length; a++) {
        for (let b = 0; b < ci.length; b++) {
          data[ri[a]! * cur.cols + ci[b]!] = v.rows * v.cols === 1 ? v.data[0]! : v.data[k]!;
          k++;
        }
      }
      const updated: Num = { kind: 'num', rows: cur.rows, cols: cur.cols, data, ...(cur.line ? { line: cur.line, col: cur.col } : {}) };
      const field = targetField(lhs);
      if (lhs.fn.k === 'id') this.vars.set(lhs.fn.name, updated);
      else if (lhs.fn.k === 'field') this.structFor(lhs.fn.obj).fields.set(lhs.fn.name, updated);
      if (field && (lhs.fn.k === 'field' || MAIN_FIELDS.has(field))) this.report('note', s.t.line, s.t.col, short(s.text));
      return;
    }
    throw new EvalError(lhs.t, 'cannot assign to this');
  }

  private structFor(e: Expr): Struct {
    if (e.k === 'id') {
      const cur = this.vars.get(e.name);
      if (cur && cur.kind === 'struct') return cur;
      if (cur) throw new EvalError(e.t, `\`${e.name}\` is not a struct`);
      const st: Struct = { kind: 'struct', fields: new Map(), at: new Map() };
      this.vars.set(e.name, st);
      return st;
    }
    if (e.k === 'field') {
      const parent = this.structFor(e.obj);
      const cur = parent.fields.get(e.name);
      if (cur && cur.kind === 'struct') return cur;
      if (cur) throw new EvalError(e.t, `\`${e.name}\` is not a struct`);
      const st: Struct = { kind: 'struct', fields: new Map(), at: new Map() };
      parent.fields.set(e.name, st);
      return st;
    }
    throw new EvalError(e.t, 'expected a name or a field');
  }

  private eval(e: Expr, endValue?: number): Value {
    switch (e.k) {
      case 'num':
        return scalar(e.v, e.t);
      case 'str':
        return { kind: 'str', s: e.v };
      case 'end':
        if (endValue === undefined) throw new EvalError(e.t, '`end` outside an index');
        return scalar(endValue);
      case 'colon':
        throw new EvalError(e.t, '`:` outside an index');
      case 'id': {
        const v = this.vars.get(e.name);
        if (v) return v;
        switch (e.name) {
          case 'pi': return scalar(Math.PI);
          case 'Inf': case 'inf': return scalar(Infinity);
          case 'NaN': case 'nan': return scalar(NaN);
          case 'eps': return scalar(Number.EPSILON);
          case 'true': return scalar(1);
          case 'false': return scalar(0);
        }
        if (FUNCS.has(e.name)) return { kind: 'func', name: e.name };
        throw new EvalError(e.t, `unknown name \`${e.name}\``);
      }
      case 'field': {
        const o = this.eval(e.obj);
        if (o.kind !== 'struct') throw new EvalError(e.t, `\`.${e.name}\` of something that is not a struct`);
        const v = o.fields.get(e.name);
        if (!v) throw new EvalError(e.t, `the case has no field \`${e.name}\` (yet)`);
        return v;
      }
      case 'call': {
        const f = this.eval(e.fn);
        if (f.kind === 'func') return this.callFunc(f.name, e);
        if (f.kind === 'num') {
          const [ri, ci] = this.indices(f, e.args, e.t);
          const out = num(ri.length, ci.length);
          const line = f.line ? new Int32Array(ri.length * ci.length) : undefined;
          const col = f.col ? new Int32Array(ri.length * ci.length) : undefined;
          let k = 0;
          for (const r of ri) {
            for (const cc of ci) {
              const src = r * f.cols + cc;
              out.data[k] = f.data[src]!;
              if (line && col) {
                line[k] = f.line![src]!;
                col[k] = f.col![src]!;
              }
              k++;
            }
          }
          return line && col ? { ...out, line, col } : out;
        }
        if (f.kind === 'cell' && e.args.length === 1) {
          const [ri] = this.indices({ kind: 'num', rows: f.items.length, cols: 1, data: new Float64Array(f.items.length) }, e.args, e.t);
          if (ri.length === 1) return f.items[ri[0]!]!;
        }
        throw new EvalError(e.t, 'cannot index this value');
      }
      case 'un': {
        const v = this.numeric(this.eval(e.e, endValue), e.e.t);
        if (e.op === '+') return v;
        if (e.op === '-') return map(v, (x) => -x);
        return map(v, (x) => (x === 0 ? 1 : 0));
      }
      case 'post': {
        const v = this.eval(e.e, endValue);
        if (v.kind !== 'num') throw new EvalError(e.t, 'transpose of a non-numeric value');
        const out = num(v.cols, v.rows);
        for (let r = 0; r < v.rows; r++) for (let cc = 0; cc < v.cols; cc++) out.data[cc * v.rows + r] = v.data[r * v.cols + cc]!;
        return out;
      }
      case 'bin': {
        const l = this.numeric(this.eval(e.l, endValue), e.l.t), r = this.numeric(this.eval(e.r, endValue), e.r.t);
        return binary(e.op, l, r, e.t);
      }
      case 'range': {
        const a = this.scalarOf(this.eval(e.a, endValue), e.a.t);
        const step = e.s ? this.scalarOf(this.eval(e.s, endValue), e.s.t) : 1;
        const b = this.scalarOf(this.eval(e.b, endValue), e.b.t);
        if (step === 0 || !Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(step)) return num(1, 0);
        const n = Math.max(0, Math.floor((b - a) / step + 1e-10) + 1);
        if (n > 10_000_000) throw new EvalError(e.t, 'range too long');
        const out = num(1, n);
        for (let k = 0; k < n; k++) out.data[k] = a + k * step;
        return out;
      }
      case 'matrix':
        return this.matrix(e, endValue);
    }
  }

  private matrix(e: Expr & { k: 'matrix' }, endValue?: number): Value {
    if (e.cell) {
      const items: Value[] = [];
      let cols = 0;
      for (const row of e.rows) {
        cols = Math.max(cols, row.length);
        for (const x of row) items.push(this.eval(x, endValue));
      }
      return { kind: 'cell', rows: e.rows.length, cols, items };
    }
    // Fast path: rows of plain numbers (the bulk of a case file).
    const rowsOut: Num[] = [];
    for (const row of e.rows) {
      const parts: Num[] = [];
      for (const x of row) {
        if (x.k === 'num') parts.push(scalar(x.v, x.t));
        else if (x.k === 'un' && x.op === '-' && x.e.k === 'num') parts.push(scalar(-x.e.v, x.t));
        else {
          const v = this.eval(x, endValue);
          if (v.kind === 'str') throw new EvalError(x.t, 'a string inside a numeric matrix (use a cell array `{...}` for text)');
          const n = this.numeric(v, x.t);
          // Elements computed from other values take the position of their expression.
          const line = new Int32Array(n.data.length).fill(x.t.line), col = new Int32Array(n.data.length).fill(x.t.col);
          parts.push(n.line ? n : { ...n, line, col });
        }
      }
      const nonEmpty = parts.filter((p) => p.rows * p.cols > 0);
      if (!nonEmpty.length) continue;
      const rows = nonEmpty[0]!.rows;
      for (const p of nonEmpty) {
        if (p.rows !== rows) throw new EvalError(row[0]!.t, 'the parts of a matrix row have different numbers of rows');
      }
      const cols = nonEmpty.reduce((s, p) => s + p.cols, 0);
      const out = num(rows, cols);
      const line = new Int32Array(rows * cols), col = new Int32Array(rows * cols);
      let c0 = 0;
      for (const p of nonEmpty) {
        for (let r = 0; r < rows; r++) {
          for (let cc = 0; cc < p.cols; cc++) {
            out.data[r * cols + c0 + cc] = p.data[r * p.cols + cc]!;
            line[r * cols + c0 + cc] = p.line?.[r * p.cols + cc] ?? 0;
            col[r * cols + c0 + cc] = p.col?.[r * p.cols + cc] ?? 0;
          }
        }
        c0 += p.cols;
      }
      rowsOut.push({ ...out, line, col });
    }
    if (!rowsOut.length) return num(0, 0);
    const cols = rowsOut[0]!.cols;
    // A row of another length is reported and left out (with the rest of the matrix kept).
    for (let k = rowsOut.length - 1; k >= 1; k--) {
      const r = rowsOut[k]!;
      if (r.cols !== cols) {
        const l = r.line?.[0] || e.t.line, cl = r.col?.[0] || e.t.col;
        this.report('error', l, cl, `this row has ${r.cols} value${r.cols === 1 ? '' : 's'}, the first row ${cols}: the row is left out`);
        if (r.data.length) this.droppedFirst.add(r.data[0]!);
        rowsOut.splice(k, 1);
      }
    }
    const rows = rowsOut.reduce((s, r) => s + r.rows, 0);
    const data = new Float64Array(rows * cols), line = new Int32Array(rows * cols), col = new Int32Array(rows * cols);
    let off = 0;
    for (const r of rowsOut) {
      data.set(r.data, off);
      line.set(r.line!, off);
      col.set(r.col!, off);
      off += r.data.length;
    }
    return { kind: 'num', rows, cols, data, line, col };
  }

  private callFunc(name: string, e: Expr & { k: 'call' }): Value {
    const args = e.args.map((a) => this.eval(a));
    const nums = () => args.map((a, k) => this.numeric(a, e.args[k]!.t));
    switch (name) {
      case 'sqrt': return map(nums()[0] ?? fail(e.t, 'sqrt needs an argument'), Math.sqrt);
      case 'abs': return map(nums()[0] ?? fail(e.t, 'abs needs an argument'), Math.abs);
      case 'ones': case 'zeros': {
        const n = nums().map((a, k) => this.scalarOf(a, e.args[k]!.t));
        const r = n[0] ?? 1, cc = n[1] ?? r;
        if (!(Number.isInteger(r) && Number.isInteger(cc) && r >= 0 && cc >= 0 && r * cc <= 10_000_000)) throw new EvalError(e.t, `bad size for ${name}`);
        return map(num(r, cc), () => (name === 'ones' ? 1 : 0));
      }
      case 'size': {
        const v = args[0];
        if (!v || (v.kind !== 'num' && v.kind !== 'cell')) throw new EvalError(e.t, 'size of a non-matrix');
        const dims = [v.rows, v.cols];
        if (args.length > 1) return scalar(dims[this.scalarOf(this.numeric(args[1]!, e.args[1]!.t), e.args[1]!.t) - 1] ?? 1);
        return num(1, 2, Float64Array.from(dims));
      }
      case 'numel': case 'length': {
        const v = args[0];
        if (!v || (v.kind !== 'num' && v.kind !== 'cell')) throw new EvalError(e.t, `${name} of a non-matrix`);
        return scalar(name === 'numel' ? v.rows * v.cols : v.rows * v.cols === 0 ? 0 : Math.max(v.rows, v.cols));
      }
      default:
        if (IDX[name] && args.length === 0) return scalar(IDX[name]![0]!);
        throw new EvalError(e.t, `the function \`${name}\` is not supported here`);
    }
  }

  /** 0-based row and column indices of `m(args)` (one argument: linear, column-major, as MATLAB). */
  private indices(m: Num, args: Expr[], t: Tok): [number[], number[]] {
    const list = (a: Expr, size: number): number[] => {
      if (a.k === 'colon') return Array.from({ length: size }, (_, k) => k);
      const v = this.numeric(this.eval(a, size), a.t);
      const out: number[] = [];
      for (const x of v.data) {
        if (!Number.isInteger(x) || x < 1) throw new EvalError(a.t, `index ${x} is not a positive whole number`);
        if (x > size) throw new EvalError(a.t, `index ${x} is beyond the matrix's ${size}`);
        out.push(x - 1);
      }
      return out;
    };
    if (args.length === 2) return [list(args[0]!, m.rows), list(args[1]!, m.cols)];
    if (args.length === 1) {
      const lin = list(args[0]!, m.rows * m.cols);
      if (m.rows === 1) return [[0], lin];
      if (m.cols === 1) return [lin, [0]];
      throw new EvalError(t, 'linear indexing of a matrix with several rows and columns is not supported here');
    }
    throw new EvalError(t, `${args.length} indices: only m(i) and m(i, j) are supported`);
  }

  private numeric(v: Value, t: Tok): Num {
    if (v.kind === 'num') return v;
    if (v.kind === 'func') return this.numeric(this.callFunc(v.name, { k: 'call', fn: { k: 'id', name: v.name, t }, args: [], t }), t);
    throw new EvalError(t, `expected a number, found a ${v.kind === 'str' ? 'string' : v.kind}`);
  }

  private scalarOf(v: Value, t: Tok): number {
    const n = this.numeric(v, t);
    if (n.rows * n.cols !== 1) throw new EvalError(t, `expected a single number, found a ${n.rows}x${n.cols} matrix`);
    return n.data[0]!;
  }
}

function fail(t: Tok, message: string): never {
  throw new EvalError(t, message);
}

function map(v: Num, f: (x: number) => number): Num {
  const data = new Float64Array(v.data.length);
  for (let k = 0; k < data.length; k++) data[k] = f(v.data[k]!);
  return { kind: 'num', rows: v.rows, cols: v.cols, data };
}

function binary(op: string, l: Num, r: Num, t: Tok): Num {
  const ls = l.rows * l.cols === 1, rs = r.rows * r.cols === 1;
  const ew = (f: (a: number, b: number) => number): Num => {
    if (ls || rs || (l.rows === r.rows && l.cols === r.cols)) {
      const shape = ls ? r : l;
      const out = num(shape.rows, shape.cols);
      for (let k = 0; k < out.data.length; k++) out.data[k] = f(ls ? l.data[0]! : l.data[k]!, rs ? r.data[0]! : r.data[k]!);
      return out;
    }
    throw new EvalError(t, `\`${op}\` of a ${l.rows}x${l.cols} and a ${r.rows}x${r.cols} matrix`);
  };
  switch (op) {
    case '+': return ew((a, b) => a + b);
    case '-': return ew((a, b) => a - b);
    case '.*': return ew((a, b) => a * b);
    case './': return ew((a, b) => a / b);
    case '.\\': return ew((a, b) => b / a);
    case '.^': return ew((a, b) => a ** b);
    case '*': {
      if (ls || rs) return ew((a, b) => a * b);
      if (l.cols !== r.rows) throw new EvalError(t, `matrix product of a ${l.rows}x${l.cols} and a ${r.rows}x${r.cols} matrix`);
      const out = num(l.rows, r.cols);
      for (let i = 0; i < l.rows; i++) for (let j = 0; j < r.cols; j++) {
        let s = 0;
        for (let k = 0; k < l.cols; k++) s += l.data[i * l.cols + k]! * r.data[k * r.cols + j]!;
        out.data[i * r.cols + j] = s;
      }
      return out;
    }
    case '/':
      if (rs) return ew((a, b) => a / b);
      throw new EvalError(t, 'division by a matrix is not supported here');
    case '\\':
      if (ls) return ew((a, b) => b / a);
      throw new EvalError(t, 'left division by a matrix is not supported here');
    case '^':
      if (ls && rs) return ew((a, b) => a ** b);
      throw new EvalError(t, 'matrix power is not supported here (use .^)');
    case '==': return ew((a, b) => +(a === b));
    case '~=': case '!=': return ew((a, b) => +(a !== b));
    case '<': return ew((a, b) => +(a < b));
    case '>': return ew((a, b) => +(a > b));
    case '<=': return ew((a, b) => +(a <= b));
    case '>=': return ew((a, b) => +(a >= b));
    case '&': case '&&': return ew((a, b) => +(a !== 0 && b !== 0));
    case '|': case '||': return ew((a, b) => +(a !== 0 || b !== 0));
  }
  throw new EvalError(t, `operator \`${op}\` is not supported`);
}

/** `mpc.bus(...)` -> 'bus'; `mpc.bus` -> 'bus'; `bus(...)` (version 1) -> 'bus'. */
function targetField(e: Expr): string | undefined {
  if (e.k === 'call') return targetField(e.fn);
  if (e.k === 'field') return e.name;
  if (e.k === 'id') return e.name;
  return undefined;
}

function short(s: string): string {
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

// ---------------------------------------------------------------------------------------------
// From the case's matrices to NetworkData

const BUS = { I: 0, TYPE: 1, PD: 2, QD: 3, GS: 4, BS: 5, VM: 7, VA: 8, BASE_KV: 9 } as const;
const GEN = { BUS: 0, PG: 1, QG: 2, QMAX: 3, QMIN: 4, VG: 5, STATUS: 7, PMAX: 8 } as const;
const BR = { F: 0, T: 1, R: 2, X: 3, B: 4, RATE_A: 5, TAP: 8, SHIFT: 9, STATUS: 10 } as const;
const KNOWN_FIELDS = new Set(['version', 'baseMVA', 'bus', 'gen', 'branch', 'bus_name', 'gencost']);

function build(interp: Interpreter, file: string, d: Report): NetworkData {
  const name = interp.functionName ?? caseName(file);
  // Version 2: one struct output (usually `mpc`); version 1: [baseMVA, bus, gen, branch, ...].
  let fields = new Map<string, Value>();
  let at = new Map<string, Tok>();
  const outName = interp.outputs.length === 1 ? interp.outputs[0]! : 'mpc';
  const st = interp.vars.get(outName);
  if (st && st.kind === 'struct') {
    fields = st.fields;
    at = st.at;
  } else {
    for (const k of ['baseMVA', 'bus', 'gen', 'branch', 'gencost']) {
      const v = interp.vars.get(k);
      if (v) fields.set(k, v);
    }
  }
  const first = { line: 1, col: 1 };
  const posOf = (f: string) => at.get(f) ?? first;
  const version = fields.get('version');
  if (version && version.kind === 'str' && version.s !== '2' && version.s !== '1') {
    d('warning', posOf('version').line, posOf('version').col, `MATPOWER case format version '${version.s}': read as version 2`);
  }

  const origin = new Map<string, { file: string; line: number }>();
  const unsupported: NetworkData['unsupported'][number][] = [];

  let baseMVA = NaN;
  const bm = fields.get('baseMVA');
  if (!bm) d('error', 1, 1, `the case defines no \`${st ? `${outName}.` : ''}baseMVA\`; taking 1 MVA`);
  else if (bm.kind !== 'num' || bm.rows * bm.cols !== 1 || !(bm.data[0]! > 0) || !Number.isFinite(bm.data[0]!)) {
    d('error', posOf('baseMVA').line, posOf('baseMVA').col, 'baseMVA must be a positive number; taking 1 MVA');
  } else baseMVA = bm.data[0]!;
  if (!(baseMVA > 0)) baseMVA = 1;

  const matrix = (f: string, minCols: number, required: boolean): Num | undefined => {
    const v = fields.get(f);
    if (!v) {
      if (required) d('error', 1, 1, `the case defines no \`${st ? `${outName}.` : ''}${f}\` matrix`);
      return undefined;
    }
    const p = posOf(f);
    if (v.kind !== 'num') {
      d('error', p.line, p.col, `\`${f}\` must be a numeric matrix`);
      return undefined;
    }
    if (v.rows > 0 && v.cols < minCols) {
      d('error', p.line, p.col, `\`${f}\` has ${v.cols} columns; MATPOWER's ${f} data has at least ${minCols}`);
      return undefined;
    }
    return v;
  };
  const bus = matrix('bus', 13, true);
  const gen = matrix('gen', 10, false);
  const branch = matrix('branch', 11, true);

  for (const [f, v] of fields) {
    if (KNOWN_FIELDS.has(f)) continue;
    const count = v.kind === 'num' || v.kind === 'cell' ? v.rows : 1;
    if (count > 0) unsupported.push({ element: f, count, example: `${outName}.${f}` });
  }

  const cellPos = (m: Num, r: number, cc: number): { line: number; col: number } => {
    const k = r * m.cols + cc;
    const line = m.line?.[k] ?? 0, col = m.col?.[k] ?? 0;
    return line > 0 ? { line, col } : first;
  };
  const get = (m: Num, r: number, cc: number): number => (cc < m.cols ? m.data[r * m.cols + cc]! : NaN);

  const buses: NetBus[] = [];
  const loads: NetLoad[] = [];
  const capacitors: NetCapacitor[] = [];
  const generators: NetGenerator[] = [];
  const branches: NetBranch[] = [];
  const busKv = new Map<number, number>();
  const busRow = new Map<number, number>();
  const isolated = new Set<number>();
  let root: number | undefined;
  let rootRow = -1;
  let pvCount = 0, pvExample = '', pvAt: { file: string; line: number } | undefined;

  if (bus) {
    for (let r = 0; r < bus.rows; r++) {
      const p = cellPos(bus, r, 0);
      const id = get(bus, r, BUS.I);
      if (!Number.isInteger(id) || id <= 0) {
        d('error', p.line, p.col, `bus number \`${id}\` must be a positive whole number; the row is skipped`);
        continue;
      }
      if (busRow.has(id)) {
        d('error', p.line, p.col, `bus ${id} is defined twice (first at line ${cellPos(bus, busRow.get(id)!, 0).line}); this row is skipped`);
        continue;
      }
      const bad = [BUS.TYPE, BUS.PD, BUS.QD, BUS.GS, BUS.BS, BUS.VM, BUS.BASE_KV].find((cc) => !Number.isFinite(get(bus, r, cc)));
      if (bad !== undefined) {
        const q = cellPos(bus, r, bad);
        d('error', q.line, q.col, `bus ${id}: column ${bad + 1} is not a finite number; the row is skipped`);
        continue;
      }
      const type = get(bus, r, BUS.TYPE);
      if (type === 4) {
        const q = cellPos(bus, r, BUS.TYPE);
        d('warning', q.line, q.col, `bus ${id} is isolated (type 4): left out, with its branches`);
        isolated.add(id);
        continue;
      }
      if (![1, 2, 3].includes(type)) {
        const q = cellPos(bus, r, BUS.TYPE);
        d('warning', q.line, q.col, `bus ${id}: unknown bus type ${type} (1 PQ, 2 PV, 3 reference, 4 isolated); read as a PQ bus`);
      }
      if (type === 3) {
        if (root === undefined) {
          root = id;
          rootRow = r;
        } else {
          const q = cellPos(bus, r, BUS.TYPE);
          d('warning', q.line, q.col, `bus ${id} is a second reference bus; the network's root is bus ${root}, and bus ${id} is read as a PQ bus`);
        }
      }
      if (type === 2) {
        pvCount++;
        if (!pvExample) { pvExample = `bus ${id}`; pvAt = { file, line: cellPos(bus, r, BUS.TYPE).line }; }
      }
      busRow.set(id, r);
      let kv = get(bus, r, BUS.BASE_KV);
      if (!(kv > 0)) {
        const q = cellPos(bus, r, BUS.BASE_KV);
        d('warning', q.line, q.col, `bus ${id} has baseKV ${kv}: its impedances stay in per unit (taken on a 1 kV base)`);
        kv = 1;
      }
      busKv.set(id, kv);
      const nm = String(id);
      buses.push({ name: nm, phases: [1], kvBase: kv });
      origin.set(nm, { file, line: p.line });
      const pd = get(bus, r, BUS.PD), qd = get(bus, r, BUS.QD), gs = get(bus, r, BUS.GS), bs = get(bus, r, BUS.BS);
      if (pd !== 0 || qd !== 0) {
        loads.push({ name: `load ${id}`, bus: nm, conn: 'wye', phases: [1], p: [pd * 1000], q: [qd * 1000], model: 1 });
        origin.set(`load ${id}`, { file, line: cellPos(bus, r, BUS.PD).line });
      }
      if (gs !== 0) {
        loads.push({ name: `shunt ${id} (Gs)`, bus: nm, conn: 'wye', phases: [1], p: [gs * 1000], q: [0], model: 2 });
        origin.set(`shunt ${id} (Gs)`, { file, line: cellPos(bus, r, BUS.GS).line });
      }
      if (bs !== 0) {
        capacitors.push({ name: `shunt ${id}`, bus: nm, conn: 'wye', phases: [1], q: [bs * 1000] });
        origin.set(`shunt ${id}`, { file, line: cellPos(bus, r, BUS.BS).line });
      }
    }
  }
  if (pvCount) unsupported.push({ element: 'voltage setpoint of PV buses', count: pvCount, example: `${pvExample} (read as a PQ bus; its generator is kept as data)`, ...(pvAt ? { at: pvAt } : {}) });

  let vRootPu = 1;
  let angleDeg = 0;
  if (bus && root === undefined && buses.length) {
    const r0 = busRow.get(Number(buses[0]!.name))!;
    const p = cellPos(bus, r0, BUS.TYPE);
    d('error', p.line, p.col, `the case has no reference bus (type 3); taking bus ${buses[0]!.name} as the root`);
    root = Number(buses[0]!.name);
    rootRow = r0;
  }
  if (bus && root !== undefined) {
    vRootPu = get(bus, rootRow, BUS.VM);
    angleDeg = get(bus, rootRow, BUS.VA);
  }

  if (gen) {
    let rootGenSeen = false;
    for (let r = 0; r < gen.rows; r++) {
      const p = cellPos(gen, r, 0);
      const b = get(gen, r, GEN.BUS);
      const nm = `gen ${r + 1}`;
      if (!busRow.has(b)) {
        if (isolated.has(b) || interp.droppedFirst.has(b)) continue;
        d('error', p.line, p.col, `generator ${r + 1} is at bus ${b}, which the bus data does not define; it is skipped`);
        continue;
      }
      const status = get(gen, r, GEN.STATUS);
      if (status === 0) {
        d('warning', cellPos(gen, r, GEN.STATUS).line, cellPos(gen, r, GEN.STATUS).col, `generator ${r + 1} (bus ${b}) is out of service (status 0): left out`);
        continue;
      }
      const pmax = get(gen, r, GEN.PMAX), qmax = get(gen, r, GEN.QMAX), vg = get(gen, r, GEN.VG);
      if (b === root && !rootGenSeen && Number.isFinite(vg) && vg > 0) {
        vRootPu = vg;
        rootGenSeen = true;
      }
      generators.push({ name: nm, kind: 'generator', bus: String(b), phases: [1], kw: Number.isFinite(pmax) ? pmax * 1000 : 0, ...(Number.isFinite(qmax) ? { kvar: qmax * 1000 } : {}) });
      origin.set(nm, { file, line: p.line });
    }
  }
  if (!(vRootPu > 0) || !Number.isFinite(vRootPu)) {
    d('warning', 1, 1, `the root voltage ${vRootPu} p.u. is not a positive number; taking 1 p.u.`);
    vRootPu = 1;
  }
  if (!Number.isFinite(angleDeg)) angleDeg = 0;

  if (branch) {
    for (let r = 0; r < branch.rows; r++) {
      const p = cellPos(branch, r, 0);
      const nm = `branch ${r + 1}`;
      const f = get(branch, r, BR.F), t = get(branch, r, BR.T);
      if (isolated.has(f) || isolated.has(t)) continue;
      const missing = [f, t].find((b) => !busRow.has(b));
      if (missing !== undefined && interp.droppedFirst.has(missing)) continue;
      if (missing !== undefined) {
        const q = cellPos(branch, r, missing === f ? BR.F : BR.T);
        d('error', q.line, q.col, `branch ${r + 1} joins bus ${f} and bus ${t}, but bus ${missing} is not in the bus data; the branch is skipped`);
        continue;
      }
      if (f === t) {
        d('error', p.line, p.col, `branch ${r + 1} joins bus ${f} to itself; the branch is skipped`);
        continue;
      }
      const bad = [BR.R, BR.X, BR.B, BR.STATUS].find((cc) => !Number.isFinite(get(branch, r, cc)));
      if (bad !== undefined) {
        const q = cellPos(branch, r, bad);
        d('error', q.line, q.col, `branch ${r + 1}: column ${bad + 1} is not a finite number; the branch is skipped`);
        continue;
      }
      const R = get(branch, r, BR.R), X = get(branch, r, BR.X), B = get(branch, r, BR.B);
      const ratio = Number.isFinite(get(branch, r, BR.TAP)) ? get(branch, r, BR.TAP) : 0;
      const shift = Number.isFinite(get(branch, r, BR.SHIFT)) ? get(branch, r, BR.SHIFT) : 0;
      const status = get(branch, r, BR.STATUS);
      const rateA = get(branch, r, BR.RATE_A);
      const kvF = busKv.get(f)!, kvT = busKv.get(t)!;
      if (R < 0) {
        const q = cellPos(branch, r, BR.R);
        d('warning', q.line, q.col, `branch ${r + 1} has a negative resistance ${R}`);
      }
      if (status !== 0 && status !== 1) {
        const q = cellPos(branch, r, BR.STATUS);
        d('warning', q.line, q.col, `branch ${r + 1} has status ${status}: read as in service (MATPOWER's status is 1 or 0)`);
      }
      if (shift !== 0) {
        const q = cellPos(branch, r, BR.SHIFT);
        d('warning', q.line, q.col, `branch ${r + 1} has a phase shift of ${shift} degrees, which NetworkData does not model: left out`);
      }
      if (ratio < 0) {
        const q = cellPos(branch, r, BR.TAP);
        d('error', q.line, q.col, `branch ${r + 1} has a negative tap ratio ${ratio}; read as 1`);
      }
      const isXfm = ratio > 0 || kvF !== kvT;
      const zb = (kvT * kvT) / baseMVA; // ohm
      const br: NetBranch = {
        name: nm,
        kind: isXfm ? 'transformer' : 'line',
        from: String(f),
        to: String(t),
        phases: [1],
        r: [[R * zb]],
        x: [[X * zb]],
        ...(B !== 0 && !isXfm ? { b: [[(B / zb) * 1e6]] } : {}),
        ...(rateA > 0 && Number.isFinite(rateA) ? { ampacity: (rateA * 1000) / (Math.sqrt(3) * kvT) } : {}),
        ...(isXfm ? { kvFrom: kvF, kvTo: kvT, tap: ratio > 0 ? 1 / ratio : 1 } : {}),
        ...(status === 0 ? { open: true } : {}),
      };
      if (B !== 0 && isXfm) {
        const q = cellPos(branch, r, BR.B);
        d('warning', q.line, q.col, `branch ${r + 1} is a transformer with a shunt susceptance ${B} p.u., which NetworkData keeps for lines only: left out`);
      }
      branches.push(br);
      origin.set(nm, { file, line: p.line });
    }
  }

  return {
    name,
    root: root !== undefined ? String(root) : '',
    vRootPu,
    angleDeg,
    kvaBase: baseMVA * 1000,
    frequency: 60,
    buses,
    branches,
    loads,
    capacitors,
    generators,
    unsupported,
    origin,
    positiveSequence: true,
  };
}

registerImporter('matpower', readMatpower);
