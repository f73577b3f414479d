// Typed operations on compiled expressions: conversions between kinds, arithmetic with unit
// checking, comparisons. Each returns a compiled expression or reports a diagnostic.
import type { C, LinFn, NumFn, ElemFn, BoolFn } from './program.js';
import { ONE, Unit, sameDims, kindConflict, mul, div, describeUnit } from './units.js';
import type { Diagnostics, Span } from '../diagnostics/diagnostic.js';
import { fail } from '../diagnostics/diagnostic.js';
import type { Elem } from '../lower/values.js';
import { fixedArgs, type AtomKind, type AtomNode } from '../lower/atoms.js';

export const ERR: C = { t: 'error' };

export function describeKind(c: C): string {
  switch (c.t) {
    case 'num': return `a number (${describeUnit(c.unit)})`;
    case 'lin': return `an expression in variables (${describeUnit(c.unit)})`;
    case 'elem': return 'a set element';
    case 'tuple': return `a tuple of ${c.arity} elements`;
    case 'bool': return 'a condition';
    case 'set': return c.arity === 1 ? 'a set' : `a set of ${c.arity}-tuples`;
    case 'str': return 'a string';
    case 'error': return 'an erroneous expression';
  }
}

/** A numeric element (from a range or a horizon) can be used as a dimensionless number. */
export function asNum(c: C, span: Span, diags: Diagnostics, what = 'a number'): (C & { t: 'num' }) | undefined {
  if (c.t === 'num') return c;
  if (c.t === 'elem') {
    const f = c.f;
    if (c.value !== undefined && typeof c.value === 'number') {
      const v = c.value;
      return { t: 'num', unit: ONE, f: () => v, bare: true, value: v };
    }
    return { t: 'num', unit: ONE, bare: true, f: (env) => {
      const e = f(env);
      if (typeof e !== 'number') fail('E0408', `the element \`${e}\` is a symbol, not a number`, span, 'only elements of numeric sets (ranges, horizons) can be used in arithmetic');
      return e;
    } };
  }
  if (c.t === 'lin') {
    diags.report('E0409', `decision variables are not allowed in ${what}`, span);
    return undefined;
  }
  if (c.t !== 'error') diags.report('E0408', `expected ${what} but found ${describeKind(c)}`, span);
  return undefined;
}

export function asLin(c: C, span: Span, diags: Diagnostics): (C & { t: 'lin' }) | undefined {
  if (c.t === 'lin') return c;
  const n = asNum(c, span, diags, 'an expression');
  if (!n) return undefined;
  const f = n.f;
  return { t: 'lin', unit: n.unit, f: (env, k, acc) => { acc.c += k * f(env); } };
}

export function asElem(c: C, span: Span, diags: Diagnostics, what = 'an index'): (C & { t: 'elem' }) | undefined {
  if (c.t === 'elem') return c;
  if (c.t === 'num') {
    if (!c.unit.isDimensionless) {
      diags.report('E0408', `${what} must be a set element or a plain number, not a quantity in ${c.unit.text}`, span);
      return undefined;
    }
    const f = c.f;
    const factor = c.unit.factor;
    return { t: 'elem', numeric: true, f: factor === 1 ? f : (env) => f(env) / factor, value: c.value };
  }
  if (c.t === 'str') {
    const v = c.value;
    return { t: 'elem', numeric: false, f: () => v, value: v };
  }
  if (c.t === 'lin') {
    diags.report('E0409', `decision variables are not allowed in ${what}`, span);
    return undefined;
  }
  if (c.t !== 'error') diags.report('E0408', `expected ${what} (a set element) but found ${describeKind(c)}`, span);
  return undefined;
}

export function asBool(c: C, span: Span, diags: Diagnostics, what = 'a condition'): BoolFn | undefined {
  if (c.t === 'bool') return c.f;
  if (c.t === 'lin') {
    diags.report('E0409', `decision variables are not allowed in ${what}`, span, 'conditions are evaluated when the model is built');
    return undefined;
  }
  if (c.t !== 'error') diags.report('E0408', `expected ${what} (true or false) but found ${describeKind(c)}`, span, 'compare with ==, !=, <, <=, >, >=');
  return undefined;
}

/** Unit compatibility for +, -, comparisons and constraints; a bare 0 fits any unit. */
export function checkSameUnit(a: C & { unit: Unit }, b: C & { unit: Unit }, op: string, span: Span, diags: Diagnostics): Unit | undefined {
  const aBare = a.t === 'num' && a.bare;
  const bBare = b.t === 'num' && b.bare;
  if (aBare && a.t === 'num' && a.value === 0) return b.unit;
  if (bBare && b.t === 'num' && b.value === 0) return a.unit;
  if (!sameDims(a.unit, b.unit)) {
    if ((aBare && a.unit.isDimensionless) || (bBare && b.unit.isDimensionless)) {
      const q = aBare ? b.unit : a.unit;
      const n = aBare ? a : b;
      const val = n.t === 'num' && n.value !== undefined ? String(n.value) : 'the number';
      diags.report('E0402', `the number ${val} has no unit but is ${opVerb(op)} a quantity in ${q.text}`, span, `write \`${val} ${q.text}\``);
      return undefined;
    }
    diags.report('E0401', `cannot ${opName(op)} ${describeUnit(a.unit)} and ${describeUnit(b.unit)}`, span,
      'both sides must have the same dimension; compatible units (kW and MW) are converted automatically');
    return undefined;
  }
  if (kindConflict(a.unit, b.unit)) {
    diags.report('E0404', `cannot ${opName(op)} ${describeUnit(a.unit)} and ${describeUnit(b.unit)}`, span,
      'active (W), reactive (var) and apparent (VA) power are different quantities');
    return undefined;
  }
  // The result keeps the left side's unit for display; values are canonical either way.
  return aBare ? b.unit : a.unit;
}

function opName(op: string): string {
  return op === '+' ? 'add' : op === '-' ? 'subtract' : 'compare';
}
function opVerb(op: string): string {
  return op === '+' ? 'added to' : op === '-' ? 'subtracted from' : 'compared with';
}

export function addSub(op: '+' | '-', a: C, b: C, span: Span, spanA: Span, spanB: Span, diags: Diagnostics): C {
  if (a.t === 'error' || b.t === 'error') return ERR;
  const sign = op === '+' ? 1 : -1;
  if ((a.t === 'num' || a.t === 'elem') && (b.t === 'num' || b.t === 'elem')) {
    const x = asNum(a, spanA, diags), y = asNum(b, spanB, diags);
    if (!x || !y) return ERR;
    const unit = checkSameUnit(x, y, op, span, diags);
    if (!unit) return ERR;
    const fa = x.f, fb = y.f;
    const bare = !!x.bare && !!y.bare;
    if (x.value !== undefined && y.value !== undefined) {
      const v = x.value + sign * y.value;
      return { t: 'num', unit, f: () => v, bare, value: v };
    }
    return { t: 'num', unit, bare, f: sign === 1 ? (env) => fa(env) + fb(env) : (env) => fa(env) - fb(env) };
  }
  const x = asLin(a, spanA, diags), y = asLin(b, spanB, diags);
  if (!x || !y) return ERR;
  const unit = checkSameUnit(x, y, op, span, diags);
  if (!unit) return ERR;
  // A chain `a + b - c + ...` becomes one closure over the list of its terms and signs, rather
  // than a tree of closures one call deep per term.
  const terms = [...termsOf(x), ...termsOf(y).map((t) => ({ f: t.f, s: t.s * sign }))];
  const fs = terms.map((t) => t.f), ss = terms.map((t) => t.s);
  const n = fs.length;
  const f: LinFn = (env, k, acc) => { for (let i = 0; i < n; i++) fs[i]!(env, ss[i]! * k, acc); };
  SUM_TERMS.set(f, terms);
  return { t: 'lin', unit, f, nl: x.nl || y.nl };
}

/** The terms of a sum built by addSub, to flatten nested sums. */
const SUM_TERMS = new WeakMap<LinFn, { f: LinFn; s: number }[]>();

function termsOf(c: C & { t: 'lin' }): { f: LinFn; s: number }[] {
  return SUM_TERMS.get(c.f) ?? [{ f: c.f, s: 1 }];
}

export function negate(a: C, span: Span, diags: Diagnostics): C {
  if (a.t === 'error') return ERR;
  if (a.t === 'lin') {
    const f = a.f;
    return { t: 'lin', unit: a.unit, nl: a.nl, f: (env, k, acc) => f(env, -k, acc) };
  }
  const x = asNum(a, span, diags);
  if (!x) return ERR;
  const f = x.f;
  if (x.value !== undefined) {
    const v = -x.value;
    return { t: 'num', unit: x.unit, bare: x.bare, value: v, f: () => v };
  }
  return { t: 'num', unit: x.unit, bare: x.bare, f: (env) => -f(env) };
}

/**
 * A nonlinear term over affine arguments: the closure hands the node to the accumulator, which
 * records it for the row's lowering (LinAcc) or evaluates it (EvalAcc).
 */
export function atom(kind: AtomKind, args: readonly (C & { t: 'lin' })[], unit: Unit, argUnit: Unit, span: Span, diags: Diagnostics, data?: AtomNode['data']): C {
  return atomOver(kind, args, fixedArgs(args.map((x) => x.f)), unit, argUnit, span, diags, data);
}

/** An atom whose arguments are produced by `each` (a reduction over a domain, for example). */
export function atomOver(kind: AtomKind, args: readonly (C & { t: 'lin' })[], each: AtomNode['args'], unit: Unit, argUnit: Unit, span: Span, diags: Diagnostics, data?: AtomNode['data']): C {
  const nested = args.findIndex((x) => x.nl);
  if (nested >= 0) {
    diags.report('E0411', `the argument of ${kind === 'square' ? 'a square' : kind === 'product' ? 'a product' : `${kind}(...)`} is itself nonlinear`, span,
      'arguments of abs, max, min, pwl, norm, squares and products must be affine: give the inner term a variable of its own and a constraint');
    return ERR;
  }
  const node: AtomNode = { kind, args: each, unit, argUnit, argUnits: args.map((x) => x.unit), span, data };
  return { t: 'lin', unit, nl: true, f: (env, k, acc) => { if (k !== 0) acc.atom(node, k, env); } };
}

export function multiply(a: C, b: C, span: Span, spanA: Span, spanB: Span, diags: Diagnostics): C {
  if (a.t === 'error' || b.t === 'error') return ERR;
  if (a.t === 'lin' && b.t === 'lin') {
    // A quadratic term: convex in an objective, or part of a (rotated) cone in a constraint such
    // as P^2 + Q^2 <= v * l; the row's lowering decides and rejects what it cannot represent.
    return atom('product', [a, b], mul(a.unit, b.unit), a.unit, span, diags);
  }
  if (a.t === 'lin' || b.t === 'lin') {
    const l = (a.t === 'lin' ? a : b) as C & { t: 'lin' };
    const n = a.t === 'lin' ? b : a;
    const nSpan = a.t === 'lin' ? spanB : spanA;
    const x = asNum(n, nSpan, diags);
    if (!x) return ERR;
    const fl = l.f, fn = x.f;
    const unit = mul(x.unit, l.unit);
    if (x.value !== undefined) {
      const v = x.value;
      return { t: 'lin', unit, nl: l.nl, f: (env, k, acc) => fl(env, k * v, acc) };
    }
    return { t: 'lin', unit, nl: l.nl, f: (env, k, acc) => { const m = fn(env); if (m !== 0) fl(env, k * m, acc); } };
  }
  const x = asNum(a, spanA, diags), y = asNum(b, spanB, diags);
  if (!x || !y) return ERR;
  const unit = mul(x.unit, y.unit);
  const fa = x.f, fb = y.f;
  if (x.value !== undefined && y.value !== undefined) {
    const v = x.value * y.value;
    return { t: 'num', unit, bare: x.bare && y.bare, value: v, f: () => v };
  }
  return { t: 'num', unit, bare: x.bare && y.bare, f: (env) => fa(env) * fb(env) };
}

export function divide(a: C, b: C, span: Span, spanA: Span, spanB: Span, diags: Diagnostics): C {
  if (a.t === 'error' || b.t === 'error') return ERR;
  if (b.t === 'lin') {
    diags.report('E0406', 'division by an expression that contains decision variables', spanB, 'the divisor must be a parameter or a number');
    return ERR;
  }
  const y = asNum(b, spanB, diags);
  if (!y) return ERR;
  const fb = y.f;
  const zero = (): never => fail('E0601', 'division by zero', spanB, 'the divisor evaluated to 0 for the index values shown');
  if (a.t === 'lin') {
    const fl = a.f;
    const unit = div(a.unit, y.unit);
    if (y.value !== undefined) {
      if (y.value === 0) { diags.report('E0601', 'division by zero', spanB); return ERR; }
      const inv = 1 / y.value;
      return { t: 'lin', unit, nl: a.nl, f: (env, k, acc) => fl(env, k * inv, acc) };
    }
    return { t: 'lin', unit, nl: a.nl, f: (env, k, acc) => { const d = fb(env); if (d === 0) zero(); fl(env, k / d, acc); } };
  }
  const x = asNum(a, spanA, diags);
  if (!x) return ERR;
  const unit = div(x.unit, y.unit);
  const fa = x.f;
  if (x.value !== undefined && y.value !== undefined && y.value !== 0) {
    const v = x.value / y.value;
    return { t: 'num', unit, bare: x.bare && y.bare, value: v, f: () => v };
  }
  return { t: 'num', unit, bare: x.bare && y.bare, f: (env) => { const d = fb(env); if (d === 0) zero(); return fa(env) / d; } };
}

export type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export function compare(op: CmpOp, a: C, b: C, span: Span, spanA: Span, spanB: Span, diags: Diagnostics): C {
  if (a.t === 'error' || b.t === 'error') return ERR;
  // Elements (and strings) compare by identity; numeric elements also compare with numbers.
  const isElemLike = (c: C) => c.t === 'elem' || c.t === 'str';
  if ((isElemLike(a) || isElemLike(b)) && !(a.t === 'elem' && a.numeric && b.t === 'num') && !(b.t === 'elem' && b.numeric && a.t === 'num')) {
    const x = asElem(a, spanA, diags, 'a comparison'), y = asElem(b, spanB, diags, 'a comparison');
    if (!x || !y) return ERR;
    const fa: ElemFn = x.f, fb: ElemFn = y.f;
    switch (op) {
      case '==': return { t: 'bool', f: (env) => fa(env) === fb(env) };
      case '!=': return { t: 'bool', f: (env) => fa(env) !== fb(env) };
      default: {
        const num = (e: Elem) => {
          if (typeof e !== 'number') fail('E0408', `cannot order the symbol \`${e}\` with ${op}`, span, 'only numeric elements can be compared with <, <=, >, >=');
          return e;
        };
        return { t: 'bool', f: cmpFn(op, (env) => num(fa(env)), (env) => num(fb(env))) };
      }
    }
  }
  if (a.t === 'lin' || b.t === 'lin') {
    diags.report('E0409', 'decision variables are not allowed in a condition', span, 'write a constraint to relate variables; conditions are evaluated when the model is built');
    return ERR;
  }
  const x = asNum(a, spanA, diags), y = asNum(b, spanB, diags);
  if (!x || !y) return ERR;
  if (!checkSameUnit(x, y, op, span, diags)) return ERR;
  return { t: 'bool', f: cmpFn(op, x.f, y.f) };
}

function cmpFn(op: CmpOp, fa: NumFn, fb: NumFn): BoolFn {
  // Canonical values of the same quantity in different units (1 MW vs 1000 kW) may differ in the
  // last bit after conversion; equality allows for that.
  const eq = (x: number, y: number) => x === y || Math.abs(x - y) <= 1e-12 * Math.max(Math.abs(x), Math.abs(y));
  switch (op) {
    case '==': return (env) => eq(fa(env), fb(env));
    case '!=': return (env) => !eq(fa(env), fb(env));
    case '<': return (env) => { const x = fa(env), y = fb(env); return x < y && !eq(x, y); };
    case '<=': return (env) => { const x = fa(env), y = fb(env); return x <= y || eq(x, y); };
    case '>': return (env) => { const x = fa(env), y = fb(env); return x > y && !eq(x, y); };
    case '>=': return (env) => { const x = fa(env), y = fb(env); return x >= y || eq(x, y); };
  }
}

export function logic(op: 'and' | 'or', a: BoolFn, b: BoolFn): C {
  return op === 'and' ? { t: 'bool', f: (env) => a(env) && b(env) } : { t: 'bool', f: (env) => a(env) || b(env) };
}
