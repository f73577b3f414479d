// The lowering pipeline: picks, for every nonlinear term of a row, the reformulation that
// represents it (in the manner of MathOptInterface's bridges or CVXPY's reductions), applies it,
// and keeps a record of what was added, per source constraint family.
//
// A row arrives as `lo <= L(x) + sum_i k_i f_i(a_i(x)) <= hi` (LinAcc: linear part and atoms, all
// in canonical units). Two-sided rows (equalities, ranges) with atoms are split into their two
// sides. On a side `... <= hi`, a term with sign sigma = k (sigma = -k on a side `>= lo`)
//
//   convex f, sigma > 0   only needs an upper bound: epigraph        (abs.ts, maxmin.ts, pwl.ts, cones.ts)
//   concave f, sigma < 0  the same, mirrored: hypograph               (maxmin.ts, pwl.ts)
//   otherwise             the exact mixed-integer form                (abs.ts, maxmin.ts, pwl.ts)
//                         — none exists for squares and norms: E0412
//
// Row patterns come first: sums of squares bounded by a constant, by an affine expression, or by
// a product `c u v` are single (rotated) second-order cones (cones.ts). In the objective, convex
// squares become a QP Hessian when the solver takes one and the model has no integers, tangent
// cuts otherwise (quadratic.ts). Each atom's value enters the row as an auxiliary column measured
// in the atom's own unit, so that the new rows keep coefficients near 1.
import { fail, type Span } from '../diagnostics/diagnostic.js';
import type { ModelBuilder } from '../ir/builder.js';
import { absEpigraph, absExact } from './abs.js';
import { curvature, type AtomUse } from './atoms.js';
import { boundsOf, combine, constant, type Affine, type AuxSink, type ColType } from './aux.js';
import { cone, normEpigraph, productCone, squaresEpigraph } from './cones.js';
import { maxEpigraph, maxExact, minExact, minHypograph } from './maxmin.js';
import { pwlExact, pwlPieces } from './pwl.js';
import { squareTangents, squareToHessian } from './quadratic.js';
import { implicationRows, type Literal } from './indicator.js';
import type { ConeMode } from './soc.js';
import type { LinAcc } from './values.js';
import type { Unit } from '../check/units.js';

export interface LoweringOptions {
  /** Relative accuracy of every polyhedral cone (||x|| <= (1 + eps) t). */
  readonly coneAccuracy: number;
  /** `outer`: a relaxation of each cone; `inner`: every feasible point satisfies the true cone. */
  readonly coneMode: ConeMode;
  /** Convex squares in the objective: a QP Hessian (`qp`, if the model has no integers), or tangents (`pwl`). */
  readonly quadraticObjective: 'qp' | 'pwl';
  /** Tangent segments per square when the objective is linearised. */
  readonly pwlSegments: number;
}

export const DEFAULT_LOWERING: LoweringOptions = { coneAccuracy: 1e-4, coneMode: 'outer', quadraticObjective: 'qp', pwlSegments: 20 };

/** What one reformulation added for one source family (evg compile --explain). */
export interface LoweringRecord {
  readonly family: string;
  readonly span?: Span;
  readonly form: string;
  /** Nonlinear terms lowered this way. */
  terms: number;
  rows: number;
  columns: number;
  binaries: number;
  /** Cones: the accuracy guaranteed (largest over the family). */
  eps?: number;
  /** Largest big-M used, in bigMUnit (the constraint's unit, or the nonlinear term's). */
  bigM?: number;
  bigMUnit?: string;
  /** Objective tangents: bound on the objective's error, canonical units. */
  error?: number;
  /** The family's own rows were rewritten in another unit (`sum of squares <= C` as `s <= sqrt(C)`). */
  ownRowsRewritten?: boolean;
}

/** Everything a reformulation may use for one term of one row. */
export interface AtomContext {
  readonly sink: AuxSink;
  /** Prefix of auxiliary names: the source row, e.g. `c[g1,3]`. */
  readonly label: string;
  readonly options: LoweringOptions;
  /** Canonical factor of the arguments' unit. */
  readonly argFactor: number;
  /** A column for a value of the atom (canonical bounds); its canonical expression is factor * x. */
  value(lo: number, hi: number, label: string): Affine;
  /** A plain continuous column. */
  plain(lo: number, hi: number, label: string): number;
  binary(label: string): number;
  bounds(a: Affine): [number, number];
  /** Finite bounds of every expression (their union), or E0412 naming the unbounded variables. */
  finiteBounds(as: readonly Affine[], why: string): [number, number];
  bigM(M: number, what: string): void;
  coneAccuracy(eps: number): void;
}

type Side = 'le' | 'ge';

interface AuxRow { cols: number[]; vals: number[]; lo: number; hi: number }

/** Lowering of one model: the current source family, its buffered rows and the records. */
export class Lowering {
  readonly records: LoweringRecord[] = [];
  private readonly byKey = new Map<string, LoweringRecord>();
  private family = '';
  private span?: Span;
  /** Rows are added after the family's own rows, so that every family stays a contiguous block. */
  private pending: AuxRow[] = [];
  private auxCols: { count: number } | undefined;
  /** Colliding names of auxiliary columns are avoided by numbering them per family. */
  readonly hessian: { i: number[]; j: number[]; q: number[] } = { i: [], j: [], q: [] };
  objectiveError = 0;

  constructor(private readonly b: ModelBuilder, readonly options: LoweringOptions, private readonly colFamilyFor: (family: string, span: Span | undefined, first: number) => { count: number }) {}

  /** Unit of the current family's rows (big-Ms of implications are reported in it). */
  private unit?: Unit;

  begin(family: string, span?: Span, unit?: Unit): void {
    this.family = family;
    this.span = span;
    this.unit = unit;
    this.pending = [];
    this.auxCols = undefined;
  }

  /** Auxiliary rows of the family, to be added by the caller after its own rows. */
  takeRows(): AuxRow[] {
    const r = this.pending;
    this.pending = [];
    return r;
  }

  /**
   * Lowers the atoms of a row `lo <= acc <= hi` (acc's constant is already in lo and hi and is
   * ignored). Leaves acc linear and returns the bounds of that row, which stays the family's row;
   * the other side of a two-sided row, and everything the reformulations add, are auxiliary rows.
   */
  lowerRow(acc: LinAcc, lo: number, hi: number, label: string, scratch: LinAcc): [number, number] {
    acc.c = 0;
    if (lo !== -Infinity && hi !== Infinity) {
      // Two sides: `<= hi` lowered in acc, `>= lo` in a copy that becomes an auxiliary row.
      copyInto(acc, scratch);
      this.lowerSide(scratch, 'ge', lo, `${label}~lo`);
      this.pushAux(scratch, lo, Infinity);
      this.lowerSide(acc, 'le', hi, label);
      const d = acc.c;
      acc.c = 0;
      return [-Infinity, hi - d];
    }
    const side: Side = hi !== Infinity ? 'le' : 'ge';
    this.lowerSide(acc, side, side === 'le' ? hi : lo, label);
    const d = acc.c;
    acc.c = 0;
    return [lo - d, hi - d];
  }

  /**
   * An implication `literals => lo <= acc <= hi` (acc linear, its constant already in lo and hi),
   * by big-M rows (indicator.ts). acc becomes the first row, whose bounds are returned; a second
   * row (the other side of an equality or range) is auxiliary.
   */
  lowerImplication(acc: LinAcc, lo: number, hi: number, literals: readonly Literal[], label: string, span: Span): [number, number] {
    const before = this.counts();
    const e: Affine = { cols: Array.from(acc.cols.subarray(0, acc.n)), vals: Array.from(acc.cols.subarray(0, acc.n), (j) => acc.coef[j]!), c: 0 };
    const [minE, maxE] = boundsOf(e, this.b.colLowers(), this.b.colUppers());
    if ((hi !== Infinity && maxE === Infinity) || (lo !== -Infinity && minE === -Infinity)) {
      const side = hi !== Infinity && maxE === Infinity ? 'upper' : 'lower';
      const free = e.cols.filter((j, k) => {
        const up = (e.vals[k]! > 0) === (side === 'upper');
        return up ? this.b.colUppers()[j] === Infinity : this.b.colLowers()[j] === -Infinity;
      });
      fail('E0412', `${label}: the implication needs a big-M, but ${free.slice(0, 3).map((j) => `\`${this.b.columnName(j)}\``).join(', ')}${free.length > 3 ? ', ...' : ''} ${free.length === 1 ? 'has' : 'have'} no finite ${side} bound`, span,
        'give these variables finite bounds (`in [lo, hi]`): evg derives the big-M from them');
    }
    const rows = implicationRows(e, lo, hi, literals, [minE, maxE]);
    acc.reset();
    const [first, ...rest] = rows;
    for (let k = 0; k < first!.row.cols.length; k++) acc.add(first!.row.cols[k]!, first!.row.vals[k]!);
    for (const r of rest) {
      this.pending.push({ cols: [...r.row.cols], vals: [...r.row.vals], lo: r.lo, hi: r.hi });
      this.added.rows++;
    }
    const M = Math.max(...rows.map((r) => r.M));
    this.checkBigM(M, e.vals, label, span);
    this.setBigM(M, this.unit);
    this.note('implication: big-M from the variables\' bounds', 1, this.diff(before));
    return [first!.lo, first!.hi];
  }

  /** Lowers the objective's atoms (minimise: `<=` side; maximise: `>=` side). */
  lowerObjective(acc: LinAcc, sense: 'minimize' | 'maximize', qp: boolean): void {
    const side: Side = sense === 'minimize' ? 'le' : 'ge';
    const rest: AtomUse[] = [];
    for (const u of acc.atoms) {
      const sigma = side === 'le' ? u.k : -u.k;
      const sq = asSquare(u);
      if (sq && sigma > 0) {
        if (qp) {
          const lin = squareToHessian(sq, u.k, (i, j, q) => { this.hessian.i.push(i); this.hessian.j.push(j); this.hessian.q.push(q); });
          addAffine(acc, 1, lin);
          this.note('square: QP Hessian', 1, { rows: 0, columns: 0, binaries: 0 });
        } else {
          const before = this.counts();
          const { s, error } = squareTangents(this.context(u, 'objective'), sq, sigma, this.options.pwlSegments);
          addAffine(acc, u.k, s);
          this.objectiveError += error;
          const rec = this.note(`square: ${this.options.pwlSegments} tangent cuts (outer approximation)`, 1, this.diff(before));
          rec.error = (rec.error ?? 0) + error;
        }
        continue;
      }
      rest.push(u);
    }
    acc.atoms.length = 0;
    acc.atoms.push(...rest);
    this.lowerSide(acc, side, 0, 'objective', true);
  }

  private lowerSide(acc: LinAcc, side: Side, rhs: number, label: string, objective = false): void {
    const atoms = acc.atoms.splice(0);
    if (!objective && this.conePattern(acc, atoms, side, rhs, label)) return;
    for (const u of atoms) {
      const sigma = side === 'le' ? u.k : -u.k;
      const v = this.lowerAtom(u, sigma, label);
      addAffine(acc, u.k, v);
    }
  }

  /** One term on the side where it needs an upper bound (sigma > 0) or a lower bound (sigma < 0). */
  private lowerAtom(u: AtomUse, sigma: number, label: string): Affine {
    const kind = u.node.kind;
    const curv = curvature(kind, u.data);
    const good = (curv === 'convex' || curv === 'affine') && sigma > 0 || (curv === 'concave' || curv === 'affine') && sigma < 0;
    const before = this.counts();
    const ctx = this.context(u, label);
    let v: Affine, form: string;
    switch (kind) {
      case 'abs':
        [v, form] = good ? [absEpigraph(ctx, u.args[0]!), 'abs: epigraph (LP)'] : [absExact(ctx, u.args[0]!), 'abs: exact, one binary (MILP)'];
        break;
      case 'max':
        [v, form] = good ? [maxEpigraph(ctx, u.args), 'max: epigraph (LP)'] : [maxExact(ctx, u.args), 'max: exact, a binary per argument (MILP)'];
        break;
      case 'min':
        [v, form] = good ? [minHypograph(ctx, u.args), 'min: hypograph (LP)'] : [minExact(ctx, u.args), 'min: exact, a binary per argument (MILP)'];
        break;
      case 'pwl':
        if (good) [v, form] = [pwlPieces(ctx, u.args[0]!, u.data!, sigma > 0 ? 'epigraph' : 'hypograph'), `pwl: ${curv === 'concave' ? 'concave, hypograph' : 'convex, epigraph'} (LP)`];
        else [v, form] = [pwlExact(ctx, u.args[0]!, u.data!), `pwl: ${curv === 'none' ? 'non-convex' : curv === 'convex' ? 'convex on its lower side' : 'concave on its upper side'}, SOS2 form with a binary per segment (MILP)`];
        break;
      case 'norm':
        if (!good) this.nonconvex(u, 'a norm can only be bounded from above (norm(...) <= t)');
        [v, form] = [normEpigraph(ctx, u.args), `norm: second-order cone, polyhedral (${this.options.coneMode})`];
        break;
      case 'square': {
        if (!good) this.nonconvex(u, 'a square can only be bounded from above (x^2 <= ...), or minimised');
        [v, form] = [squaresEpigraph(ctx, [{ c: 1, a: u.args[0]! }]), `square: rotated second-order cone, polyhedral (${this.options.coneMode})`];
        break;
      }
      case 'product': {
        const sq = asSquare(u);
        if (sq && good) {
          [v, form] = [squaresEpigraph(ctx, [{ c: 1, a: sq }]), `square: rotated second-order cone, polyhedral (${this.options.coneMode})`];
          break;
        }
        fail('E0412', `${label}: a product of two expressions with variables can only appear in a cone \`sum of squares <= u * v\` with nothing else in the row`, u.node.span,
          'write it as `x^2 + y^2 <= u * v` (u, v >= 0), or introduce a variable for the product');
      }
    }
    this.note(form, 1, this.diff(before));
    return v;
  }

  /**
   * Sums of squares bounded by a constant, an affine expression, or a product: one cone for the
   * whole row. Returns false when the row is not of that shape.
   */
  private conePattern(acc: LinAcc, atoms: AtomUse[], side: Side, rhs: number, label: string): boolean {
    const sgn = side === 'le' ? 1 : -1;
    const squares: { c: number; a: Affine; u: AtomUse }[] = [];
    const products: { c: number; u: AtomUse }[] = [];
    for (const u of atoms) {
      const sigma = sgn * u.k;
      const sq = asSquare(u);
      if (sq && sigma > 0) squares.push({ c: sigma, a: sq, u });
      else if (u.node.kind === 'product' && !sq && sigma < 0) products.push({ c: -sigma, u });
      else return false;
    }
    if (squares.length === 0 || products.length > 1) return false;
    const before = this.counts();
    const ctx = this.context(squares[0]!.u, label);
    const terms = squares.map(({ c, a }) => ({ c, a }));
    if (products.length === 1) {
      // sum c_i a_i^2 <= c u v: the linear part must be empty (L = 0, rhs 0).
      if (hasTerms(acc) || Math.abs(acc.c - rhs) > 1e-12 * Math.max(1, Math.abs(rhs))) {
        fail('E0412', `${label}: a cone \`sum of squares <= u * v\` cannot have other terms in the row`, products[0]!.u.node.span,
          'move the other terms into the definition of u or v, or give the product a variable of its own');
      }
      const p = products[0]!;
      const [uArg, vArg] = p.u.args as [Affine, Affine];
      const vFactor = p.u.node.argUnits?.[1]?.factor ?? 1;
      const row = productCone(ctx, terms, p.c, uArg, vArg, vFactor);
      // The family's row becomes u >= 0: acc = -sgn u + rhs, bounded by rhs on the same side.
      acc.reset();
      addAffine(acc, sgn, row);
      acc.c = rhs;
      this.note(`sum of squares <= product: rotated second-order cone, polyhedral (${this.options.coneMode})`, squares.length + 1, this.diff(before));
      return true;
    }
    if (!hasTerms(acc)) {
      // sum c_i a_i^2 <= C: the standard cone ||(sqrt(c_i) a_i)|| <= sqrt(C), as s <= sqrt(C) with s >= ||.||.
      const s = ctx.value(0, Infinity, 'norm');
      cone(ctx, terms.map(({ c, a }) => combine(Math.sqrt(c), a, 0, constant(0))), s, ctx.argFactor);
      const C = sgn * rhs - sgn * acc.c;
      if (C < 0) {
        fail('E0602', `${label}: a sum of squares cannot be at most ${C} (a negative number)`, squares[0]!.u.node.span);
      }
      // Replace the row by s <= sqrt(C): acc = sgn s + rhs - sgn sqrt(C), bounded by rhs on the same side.
      acc.reset();
      addAffine(acc, sgn, s);
      acc.c = rhs - sgn * Math.sqrt(C);
      this.note(`sum of squares <= constant: second-order cone, polyhedral (${this.options.coneMode})`, squares.length, this.diff(before)).ownRowsRewritten = true;
      return true;
    }
    // sum c_i a_i^2 + L <= rhs: s >= sum c_i a_i^2 by a rotated cone, then s + L <= rhs.
    const s = squaresEpigraph(ctx, terms);
    addAffine(acc, sgn, s);
    this.note(`sum of squares <= affine: rotated second-order cone, polyhedral (${this.options.coneMode})`, squares.length, this.diff(before));
    return true;
  }

  /** Big-Ms far larger than the row's other coefficients (after scaling), worst per family. */
  readonly bigMWarnings = new Map<string, { label: string; span?: Span; ratio: number; M: number; unit: string }>();

  private checkBigM(M: number, others: readonly number[], label: string, span: Span | undefined): void {
    let small = Infinity;
    for (const v of others) if (v !== 0 && Math.abs(v) < small) small = Math.abs(v);
    if (!(M > 0) || small === Infinity) return;
    const ratio = M / small;
    const w = this.bigMWarnings.get(this.family);
    if (ratio > 1e6 && (!w || ratio > w.ratio)) this.bigMWarnings.set(this.family, { label, span: span ?? this.span, ratio, M: M / (this.unit?.factor ?? 1), unit: this.unit?.text ?? '' });
  }

  private nonconvex(u: AtomUse, why: string): never {
    fail('E0412', `${this.family}: ${why}; here it would have to be bounded from the other side, which is not convex`, u.node.span,
      'check the direction of the constraint (and, in an equality, write the convex side with <= or >=)');
  }

  // ---------------------------------------------------------------- bookkeeping

  private added = { rows: 0, columns: 0, binaries: 0 };
  private counts(): { rows: number; columns: number; binaries: number } {
    return { ...this.added };
  }
  private diff(b: { rows: number; columns: number; binaries: number }): { rows: number; columns: number; binaries: number } {
    return { rows: this.added.rows - b.rows, columns: this.added.columns - b.columns, binaries: this.added.binaries - b.binaries };
  }

  private note(form: string, terms: number, d: { rows: number; columns: number; binaries: number }): LoweringRecord {
    const key = `${this.family}\u0000${form}`;
    let r = this.byKey.get(key);
    if (!r) {
      r = { family: this.family, span: this.span, form, terms: 0, rows: 0, columns: 0, binaries: 0 };
      this.byKey.set(key, r);
      this.records.push(r);
    }
    r.terms += terms;
    r.rows += d.rows;
    r.columns += d.columns;
    r.binaries += d.binaries;
    if (this.lastEps !== undefined) { r.eps = Math.max(r.eps ?? 0, this.lastEps); this.lastEps = undefined; }
    if (this.lastM !== undefined) {
      if (r.bigM === undefined || this.lastM.value > r.bigM) { r.bigM = this.lastM.value; r.bigMUnit = this.lastM.unit; }
      this.lastM = undefined;
    }
    return r;
  }
  private lastEps?: number;
  private lastM?: { value: number; unit: string };

  /** Records a big-M (canonical) for the next record, in the given unit. */
  private setBigM(M: number, unit: Unit | undefined): void {
    const v = M / (unit?.factor ?? 1);
    if (!this.lastM || v > this.lastM.value) this.lastM = { value: v, unit: unit && unit.text !== '1' ? unit.text : '' };
  }

  private column(lo: number, hi: number, type: ColType): number {
    const j = this.b.addColumns(1, type, `the auxiliary columns of \`${this.family}\``);
    if (type !== 2 || lo !== 0 || hi !== 1) {
      this.b.setColLower(j, lo);
      this.b.setColUpper(j, hi);
    }
    if (!this.auxCols) this.auxCols = this.colFamilyFor(this.family, this.span, j);
    this.auxCols.count++;
    this.added.columns++;
    if (type === 2) this.added.binaries++;
    return j;
  }

  /**
   * A sink for reformulations applied to whole rows rather than to terms (the treatments of
   * uncertainty: expectations, chance constraints, robust counterparts): its columns and rows
   * are auxiliary ones of the current family.
   */
  sink(): AuxSink {
    return {
      column: (lo, hi, type) => this.column(lo, hi, type),
      row: (cols, vals, lo, hi) => { this.pending.push({ cols: [...cols], vals: [...vals], lo, hi }); this.added.rows++; },
    };
  }

  /** Runs `f` (which adds through `sink()`) and records what it added as `form` (`evg compile --explain`). */
  track<T>(form: string, terms: number, f: () => T, extra?: (out: T) => { eps?: number; bigM?: number }): T {
    const before = this.counts();
    const out = f();
    const x = extra?.(out);
    if (x?.eps !== undefined) this.lastEps = Math.max(this.lastEps ?? 0, x.eps);
    if (x?.bigM !== undefined) this.setBigM(x.bigM, this.unit);
    this.note(form, terms, this.diff(before));
    return out;
  }

  /** Adds acc (linear, constant in the bounds) as an auxiliary row of the family. */
  pushAuxRow(acc: LinAcc, lo: number, hi: number): void {
    const cols: number[] = [], vals: number[] = [];
    for (let i = 0; i < acc.n; i++) { const j = acc.cols[i]!; cols.push(j); vals.push(acc.coef[j]!); }
    this.pending.push({ cols, vals, lo, hi });
    this.added.rows++;
  }

  private pushAux(acc: LinAcc, lo: number, hi: number): void {
    const cols: number[] = [], vals: number[] = [];
    for (let i = 0; i < acc.n; i++) { const j = acc.cols[i]!; cols.push(j); vals.push(acc.coef[j]!); }
    this.pending.push({ cols, vals, lo: lo - acc.c, hi: hi - acc.c });
    this.added.rows++;
  }

  private context(u: AtomUse, label: string): AtomContext {
    const factor = u.node.unit.factor;
    const sink: AuxSink = {
      column: (lo, hi, type) => this.column(lo, hi, type),
      row: (cols, vals, lo, hi) => { this.pending.push({ cols: [...cols], vals: [...vals], lo, hi }); this.added.rows++; },
    };
    const b = this.b;
    const bounds = (a: Affine) => boundsOf(a, b.colLowers(), b.colUppers());
    return {
      sink, label, options: this.options, argFactor: u.node.argUnit.factor,
      value: (lo, hi) => ({ cols: [this.column(lo / factor, hi / factor, 0)], vals: [factor], c: 0 }),
      plain: (lo, hi) => this.column(lo, hi, 0),
      binary: () => this.column(0, 1, 2),
      bounds,
      finiteBounds: (as, why) => {
        let lo = Infinity, hi = -Infinity;
        for (const a of as) {
          const [l, h] = bounds(a);
          if (!Number.isFinite(l) || !Number.isFinite(h)) {
            const free = a.cols.filter((j) => !Number.isFinite(b.colLowers()[j]!) || !Number.isFinite(b.colUppers()[j]!));
            fail('E0412', `${label}: ${why}, but ${free.length ? `${free.map((j) => `\`${b.columnName(j)}\``).slice(0, 3).join(', ')}${free.length > 3 ? ', ...' : ''} ${free.length === 1 ? 'has' : 'have'} no finite bounds` : 'its argument is unbounded'}`, u.node.span,
              'give these variables finite bounds (`in [lo, hi]`), from which evg derives the big-M');
          }
          lo = Math.min(lo, l);
          hi = Math.max(hi, h);
        }
        return [lo, hi];
      },
      bigM: (M) => {
        this.setBigM(M, u.node.argUnit);
        this.checkBigM(M, u.args.flatMap((a) => a.vals), label, u.node.span);
      },
      coneAccuracy: (eps) => { this.lastEps = Math.max(this.lastEps ?? 0, eps); },
    };
  }
}

/** The argument of a square, or of a product whose two factors are the same expression. */
function asSquare(u: AtomUse): Affine | undefined {
  if (u.node.kind === 'square') return u.args[0];
  if (u.node.kind !== 'product') return undefined;
  const [a, b] = u.args as [Affine, Affine];
  if (a.c !== b.c || a.cols.length !== b.cols.length) return undefined;
  const m = new Map<number, number>();
  a.cols.forEach((j, k) => m.set(j, a.vals[k]!));
  for (let k = 0; k < b.cols.length; k++) if (m.get(b.cols[k]!) !== b.vals[k]) return undefined;
  return a;
}

function hasTerms(acc: LinAcc): boolean {
  for (let i = 0; i < acc.n; i++) if (acc.coef[acc.cols[i]!] !== 0) return true;
  return false;
}

function addAffine(acc: LinAcc, k: number, a: Affine): void {
  for (let i = 0; i < a.cols.length; i++) acc.add(a.cols[i]!, k * a.vals[i]!);
  acc.c += k * a.c;
}

function copyInto(from: LinAcc, to: LinAcc): void {
  to.reset();
  for (let i = 0; i < from.n; i++) { const j = from.cols[i]!; to.add(j, from.coef[j]!); }
  to.c = from.c;
  to.atoms.push(...from.atoms);
}

