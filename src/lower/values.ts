// Run-time values of model building: sets, parameters, variable families, frames and the linear
// accumulator. Everything numeric is stored in canonical units (see check/units.ts).
import type { Unit } from '../check/units.js';
import type { Span } from '../diagnostics/diagnostic.js';
import type { Env } from '../check/program.js';
import type { Affine } from './aux.js';
import { atomValue, type AtomNode, type AtomUse } from './atoms.js';

/** A set element: a whole number or a symbol. Integer-looking strings are normalised to numbers. */
export type Elem = number | string;

const INT_RE = /^-?\d+$/;

export function normElem(x: string | number): Elem {
  if (typeof x === 'number') return x;
  return INT_RE.test(x) && x.length < 16 ? Number(x) : x;
}

export function elemText(e: Elem): string {
  return typeof e === 'number' ? String(e) : e;
}

type Index = Map<Elem, number | Index>;

/** Largest number of elements of a set: positions are 32-bit integers. */
export const MAX_SET_SIZE = 2 ** 31 - 1;

/** An ordered finite set of elements or tuples (arity > 1), with O(1) position lookup. */
export class EvSet {
  /** Flat storage: element i occupies [i * arity, (i + 1) * arity). Empty for ranges. */
  private readonly flat: Elem[];
  private readonly index?: Index;
  readonly size: number;
  readonly numeric: boolean;
  /** Duration of one step in seconds, when this set is a horizon. */
  step?: number;
  stepUnit?: Unit;

  private constructor(
    readonly name: string,
    readonly arity: number,
    flat: Elem[],
    readonly rangeLo?: number,
    rangeSize?: number,
  ) {
    this.flat = flat;
    if (rangeLo !== undefined) {
      this.size = rangeSize!;
      this.numeric = true;
      return;
    }
    this.size = arity === 0 ? 0 : flat.length / arity;
    let numeric = arity === 1;
    const index: Index = new Map();
    for (let i = 0; i < this.size; i++) {
      let m = index;
      for (let k = 0; k < arity; k++) {
        const e = flat[i * arity + k]!;
        if (k === 0 && typeof e !== 'number') numeric = false;
        if (k === arity - 1) {
          if (!m.has(e)) m.set(e, i);
        } else {
          let next = m.get(e) as Index | undefined;
          if (!next) { next = new Map(); m.set(e, next); }
          m = next;
        }
      }
    }
    this.index = index;
    this.numeric = numeric;
  }

  static range(name: string, lo: number, hi: number): EvSet {
    return new EvSet(name, 1, [], lo, Math.max(0, hi - lo + 1));
  }

  /** Builds a set from elements (arity 1) or flat tuples, dropping duplicates and keeping first-seen order. */
  static of(name: string, arity: number, flat: Elem[]): EvSet {
    if (arity <= 1) {
      const seen = new Set<Elem>();
      const out: Elem[] = [];
      for (const e of flat) if (!seen.has(e)) { seen.add(e); out.push(e); }
      return new EvSet(name, 1, out);
    }
    const probe = new EvSet(name, arity, flat);
    if (probe.size * arity === flat.length && probe.countDistinct() === probe.size) return probe;
    const out: Elem[] = [];
    for (let i = 0; i < probe.size; i++) {
      const t = flat.slice(i * arity, (i + 1) * arity);
      if (probe.posTuple(t, 0) === i) out.push(...t);
    }
    return new EvSet(name, arity, out);
  }

  private countDistinct(): number {
    let n = 0;
    for (let i = 0; i < this.size; i++) if (this.posTuple(this.flat, i * this.arity) === i) n++;
    return n;
  }

  /** Position of an element (arity 1), or -1. */
  pos(e: Elem): number {
    if (this.rangeLo !== undefined) {
      return typeof e === 'number' && Number.isInteger(e) && e >= this.rangeLo && e < this.rangeLo + this.size ? e - this.rangeLo : -1;
    }
    const p = this.index!.get(e);
    return typeof p === 'number' ? p : -1;
  }

  /** Position of the tuple stored at es[off .. off + arity), or -1. */
  posTuple(es: readonly Elem[], off: number): number {
    if (this.arity === 1) return this.pos(es[off]!);
    let m: Index | number | undefined = this.index;
    for (let k = 0; k < this.arity; k++) {
      if (!(m instanceof Map)) return -1;
      m = m.get(es[off + k]!);
    }
    return typeof m === 'number' ? m : -1;
  }

  /** Component k of element i. */
  at(i: number, k = 0): Elem {
    if (this.rangeLo !== undefined) return this.rangeLo + i;
    return this.flat[i * this.arity + k]!;
  }

  tuple(i: number): Elem[] {
    if (this.arity === 1) return [this.at(i)];
    return this.flat.slice(i * this.arity, (i + 1) * this.arity);
  }

  has(e: Elem): boolean {
    return this.pos(e) >= 0;
  }

  describe(max = 6): string {
    if (this.rangeLo !== undefined) return `${this.name} = ${this.rangeLo}..${this.rangeLo + this.size - 1}`;
    const shown: string[] = [];
    for (let i = 0; i < Math.min(this.size, max); i++) shown.push(formatTuple(this.tuple(i)));
    return `${this.name} = {${shown.join(', ')}${this.size > max ? `, ... (${this.size} elements)` : ''}}`;
  }
}

export function formatTuple(t: readonly Elem[]): string {
  return t.length === 1 ? elemText(t[0]!) : `(${t.map(elemText).join(', ')})`;
}

/** Something indexed over a product of sets (each possibly of arity > 1): parameters and variable families. */
export class Indexed {
  readonly strides: number[];
  readonly size: number;
  readonly arity: number;

  constructor(readonly factors: readonly EvSet[]) {
    const strides = new Array<number>(factors.length);
    let size = 1;
    for (let i = factors.length - 1; i >= 0; i--) {
      strides[i] = size;
      size *= factors[i]!.size;
    }
    this.strides = strides;
    this.size = size;
    this.arity = factors.reduce((a, f) => a + f.arity, 0);
  }

  /** Linear position of a flat tuple of index values, or -1 (then `badFactor` says which factor). */
  offsetOf(values: readonly Elem[]): number {
    let off = 0, k = 0;
    for (let i = 0; i < this.factors.length; i++) {
      const f = this.factors[i]!;
      const p = f.posTuple(values, k);
      if (p < 0) { this.badFactor = i; return -1; }
      off += p * this.strides[i]!;
      k += f.arity;
    }
    return off;
  }
  badFactor = -1;

  /** The flat index tuple at a linear position. */
  tupleAt(off: number): Elem[] {
    const out: Elem[] = [];
    for (let i = 0; i < this.factors.length; i++) {
      const f = this.factors[i]!;
      const p = Math.floor(off / this.strides[i]!) % f.size;
      if (f.arity === 1) out.push(f.at(p));
      else for (let k = 0; k < f.arity; k++) out.push(f.at(p, k));
    }
    return out;
  }
}

export class ParamValue extends Indexed {
  constructor(
    factors: readonly EvSet[],
    readonly name: string,
    /** Canonical numbers (NaN = no value) for numeric parameters. */
    readonly num: Float64Array | null,
    /** Elements for element-valued parameters. */
    readonly elems: (Elem | undefined)[] | null,
  ) {
    super(factors);
  }
}

export type VarType = 0 | 1 | 2; // continuous, integer, binary

export class VarFamily extends Indexed {
  constructor(
    factors: readonly EvSet[],
    /** Display name with instance prefix: `bess[b1].soc`. */
    readonly name: string,
    readonly base: number,
    readonly unit: Unit,
    readonly type: VarType,
    readonly span: Span,
  ) {
    super(factors);
  }
}

/**
 * What the closures of linear expressions (LinFn) write into: `add` a coefficient of a column,
 * `c` the constant part (canonical units), and `atom` a nonlinear term (abs, max, a square, ...)
 * with its multiplier. Model building collects coefficients and atoms (LinAcc); evaluation at a
 * point adds up values (EvalAcc); atom arguments, which are affine, go to a SparseAcc.
 */
export interface Acc {
  c: number;
  add(col: number, v: number): void;
  atom(node: AtomNode, k: number, env: Env): void;
}

/** Dense scratch accumulator for one linear expression (one row being built). */
export class LinAcc implements Acc {
  coef: Float64Array;
  private stamp: Int32Array;
  cols: Int32Array;
  n = 0;
  /** Constant part, canonical units. */
  c = 0;
  /** Nonlinear terms of the row, to be lowered by the reformulations (src/lower/*.ts). */
  readonly atoms: AtomUse[] = [];
  private gen = 1;

  constructor(numCols: number) {
    this.coef = new Float64Array(Math.max(16, numCols));
    this.stamp = new Int32Array(Math.max(16, numCols));
    this.cols = new Int32Array(16);
  }

  reset(): void {
    this.n = 0;
    this.c = 0;
    if (this.atoms.length) this.atoms.length = 0;
    this.gen++;
    if (this.gen === 0x7fffffff) { this.stamp.fill(0); this.gen = 1; }
  }

  add(col: number, v: number): void {
    if (col >= this.coef.length) this.grow(col + 1);
    if (this.stamp[col] !== this.gen) {
      this.stamp[col] = this.gen;
      this.coef[col] = v;
      if (this.n === this.cols.length) {
        const grown = new Int32Array(this.cols.length * 2);
        grown.set(this.cols);
        this.cols = grown;
      }
      this.cols[this.n++] = col;
    } else {
      this.coef[col]! += v;
    }
  }

  /** Records a nonlinear term; its affine arguments are evaluated now, in this row's environment. */
  atom(node: AtomNode, k: number, env: Env): void {
    const args = node.args(env, () => new SparseAcc()).map((a) => a.affine());
    this.atoms.push({ node, k, args, data: node.data?.(env) });
  }

  /** Auxiliary columns are added while rows are lowered: the dense arrays follow. */
  private grow(min: number): void {
    let cap = this.coef.length * 2;
    while (cap < min) cap *= 2;
    const coef = new Float64Array(cap), stamp = new Int32Array(cap);
    coef.set(this.coef);
    stamp.set(this.stamp);
    this.coef = coef;
    this.stamp = stamp;
  }

  /** Value of the linear part at x (columns in declared units); canonical units. */
  dot(x: Float64Array): number {
    let s = this.c;
    for (let i = 0; i < this.n; i++) {
      const j = this.cols[i]!;
      s += this.coef[j]! * x[j]!;
    }
    return s;
  }
}

/** Small accumulator for the affine arguments of atoms (no dense arrays). */
export class SparseAcc implements Acc {
  c = 0;
  private readonly cols: number[] = [];
  private readonly vals: number[] = [];
  private readonly at = new Map<number, number>();

  add(col: number, v: number): void {
    const i = this.at.get(col);
    if (i === undefined) { this.at.set(col, this.cols.length); this.cols.push(col); this.vals.push(v); }
    else this.vals[i]! += v;
  }

  atom(node: AtomNode): void {
    // The checker only accepts affine arguments (E0411 otherwise).
    throw new Error(`internal: nested nonlinear term ${node.kind} in an affine argument`);
  }

  affine(): Affine {
    return { cols: this.cols, vals: this.vals, c: this.c };
  }
}

/** Evaluates an expression at a point x (columns in their declared units): value in canonical units. */
export class EvalAcc implements Acc {
  c = 0;
  constructor(private readonly x: ArrayLike<number>) {}

  reset(): void {
    this.c = 0;
  }

  add(col: number, v: number): void {
    this.c += v * (this.x[col] ?? 0);
  }

  atom(node: AtomNode, k: number, env: Env): void {
    const vals = node.args(env, () => new EvalAcc(this.x)).map((a) => a.c);
    this.c += k * atomValue(node, vals, node.data?.(env));
  }
}
