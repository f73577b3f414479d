// Why a model is infeasible, in the model's own terms.
//
// findConflict: an irreducible infeasible subset (IIS) of the model's rows, column bounds and (for
// MILPs) integrality restrictions — a set of them that has no solution, while dropping any one of
// them leaves a set that has. The members are the *sides* of rows and bounds: an equality row has
// a `>=` side and a `<=` side, and often only one of them takes part in the conflict.
//
//  * LP, or a MILP whose LP relaxation is already infeasible: HiGHS's own IIS (`getIis()` with
//    `iis_strategy` = FromLp | Irreducible: an elastic LP, then an irreducibility pass, several LP
//    solves inside HiGHS). Its answer is checked here: the subset is re-solved on its own (it must
//    be infeasible) and every member is dropped in turn (the rest must become feasible) — k + 1
//    warm-started LP solves for k members, after the one that found the model infeasible. A
//    member that turns out not to be needed is dropped, so the answer is irreducible in any case.
//    For a MILP whose relaxation is infeasible the result is an IIS of the relaxation: it
//    conflicts even without integrality (`ofRelaxation`).
//  * When HiGHS finds none (or its subset is not infeasible), with GLPK, for MILPs whose LP
//    relaxation is feasible, and on request (`method: 'filter'`): a solver-independent deletion
//    filter by halving. Starting from all n members (infeasible), it drops a whole group of
//    members if the rest stays infeasible, and otherwise splits the group in two; a single member
//    whose removal makes the rest feasible is kept. The kept set is irreducible: a member was kept
//    because the set *then* became feasible without it, and the final set is a subset of that one.
//    When the first half of a group was dropped entirely, the second half is known to be needed
//    (the set without the whole group was feasible) and is split without a solve. Cost: between
//    about 2k log2(n/k) and 2n - 1 feasibility solves (k members in the result); for a MILP these
//    are MILP solves, integrality restrictions being members too. Each solve is a pure feasibility
//    problem (objective 0); with HiGHS one persistent, warm-started model has its bounds changed
//    between solves, with GLPK the subsystem is solved afresh. Measured: 297 rows, 360 columns,
//    one infeasible hour, 6 members in the IIS: 76 solves, 0.1-0.7 s with either solver (HiGHS's
//    own IIS and its check: 0.25 s).
//
// refineConflict: the same one-at-a-time reduction applied to a subset the caller supplies.
//
// relaxation: the smallest total violation that makes the model feasible, each violation measured
// in its own constraint's or variable's unit (1 MW of a balance counts 1, whatever the row's
// scaling). Built here as an elastic model, for both solvers: every row of the model's own
// constraints gets a slack column per finite side, with objective weight 1 / rowScale[i] (the
// slack is in emitted, scaled units); every finite bound of a declared variable becomes a row
// `x + d_lo - d_up` with weight 1 per unit. Integrality is kept (a MILP's relaxation is a MILP).
// Rows and columns added by reformulations (`X~aux`) and the [0, 1] domain of binaries stay hard:
// they are not the user's statements and carry no unit of the user's; a tighter declared bound of
// a binary is elastic within [0, 1]. One LP (or MILP) solve of n + (slacks) columns.
import type { Highs } from 'highs';
import type { Span } from '../diagnostics/diagnostic.js';
import { colTuple, familyOf, rowTuple, type ColFamily, type Model, type RowFamily } from '../ir/model.js';
import { AUX_SUFFIX, sourceName } from '../ir/names.js';
import type { Elem } from '../lower/values.js';
import { solveGlpk } from './glpk.js';
import { highsModel, solveHighs } from './highs.js';
import type { SolverOutput } from './types.js';

export type ConflictSolver = 'highs' | 'glpk';

export interface ConflictOptions {
  /** Which solver decides feasibility (and, for HiGHS, proposes an IIS). Default `highs`. */
  readonly solver?: ConflictSolver;
  /** `auto`: HiGHS's IIS first where it applies, the deletion filter otherwise; `filter`: the deletion filter only. */
  readonly method?: 'auto' | 'filter';
  /** Seconds for the whole search; when it runs out the infeasible subset found so far is returned, marked not irreducible. */
  readonly timeLimit?: number;
}

/** Which side of a row or bound takes part: `both` for the two sides of an equality or range. */
export type Side = 'lower' | 'upper' | 'both';

export interface ConflictRow {
  readonly kind: 'row';
  /** Row of the emitted model. */
  readonly row: number;
  /** The source constraint (`~aux` stripped for rows added by a reformulation). */
  readonly family: string;
  /** Index tuple; empty for auxiliary rows. */
  readonly tuple: readonly Elem[];
  /** `balance[3]`; for an auxiliary row, the source constraint's name. */
  readonly name: string;
  /** A row added by the reformulation of `family` (abs, max, pwl, cones, implications). */
  readonly aux: boolean;
  /** For auxiliary rows: its number (1-based) among the rows the reformulation of `family` added. */
  readonly auxRow?: number;
  /** Where the constraint is declared. */
  readonly span: Span;
  /** How the row is written: `==`, `<=`, `>=` or a range `in`. */
  readonly sense: '==' | '<=' | '>=' | 'in';
  /** The side(s) in the conflict. */
  readonly active: Side;
  /** Bounds in the constraint's unit (rowLower / rowScale); absent when infinite. */
  readonly lower?: number;
  readonly upper?: number;
  /** Display unit of the constraint ('' for plain numbers and auxiliary rows, whose rows are in internal units). */
  readonly unit: string;
}

export interface ConflictBound {
  readonly kind: 'bound';
  readonly col: number;
  /** The variable family (`p`, `bess[b1].soc`), or for an auxiliary column the source constraint. */
  readonly family: string;
  readonly tuple: readonly Elem[];
  /** `p[g1,3]`; for an auxiliary column, the source constraint's name. */
  readonly name: string;
  readonly aux: boolean;
  readonly binary: boolean;
  /** Which bound(s) take part. */
  readonly which: Side;
  /** The bound that takes part (the lower one for `both`), in the variable's declared unit. */
  readonly value: number;
  readonly lower?: number;
  readonly upper?: number;
  readonly unit: string;
  readonly span: Span;
}

export interface ConflictIntegrality {
  readonly kind: 'integrality';
  readonly col: number;
  readonly family: string;
  readonly tuple: readonly Elem[];
  readonly name: string;
  readonly aux: boolean;
  readonly type: 'integer' | 'binary';
  readonly span: Span;
}

export interface Conflict {
  /** `conflict`: rows/bounds below; `feasible`: the model has a solution; `unknown`: the solver could not decide. */
  readonly status: 'conflict' | 'feasible' | 'unknown';
  readonly rows: readonly ConflictRow[];
  readonly bounds: readonly ConflictBound[];
  /** Integrality restrictions that take part (MILPs whose LP relaxation is feasible). */
  readonly integrality: readonly ConflictIntegrality[];
  /** Every member was shown to be needed (false only when the search stopped early). */
  readonly irreducible: boolean;
  /** A MILP whose LP relaxation is infeasible: the subset conflicts even without integrality. */
  readonly ofRelaxation: boolean;
  /** `highs-iis`: HiGHS's subset, checked (and reduced if needed) here; `deletion-filter`: found by the filter. */
  readonly method: 'highs-iis' | 'deletion-filter' | 'none';
  readonly solver: ConflictSolver;
  /** Feasibility solves made here (HiGHS's own solves inside getIis not counted). */
  readonly solves: number;
  readonly seconds: number;
  readonly message?: string;
}

// ---------------------------------------------------------------------------------------------
// Subsystems: which sides of which rows and bounds, and which integrality restrictions, are on.

const ROW_LO = 0, ROW_UP = 1, COL_LO = 2, COL_UP = 3, INTEGER = 4;

/** A subsystem of the model: bounds (infinite where off) and integrality flags. */
interface System {
  readonly rowLower: Float64Array;
  readonly rowUpper: Float64Array;
  readonly colLower: Float64Array;
  readonly colUpper: Float64Array;
  /** 1 where the column's integrality is enforced. */
  readonly integer: Uint8Array;
}

/** The members: one per finite row side, finite column bound and integer column. */
class Members {
  readonly kind: number[] = [];
  readonly index: number[] = [];
  /** Member number of each row's lower/upper side and column bound, -1 where infinite. */
  readonly rowLo: Int32Array;
  readonly rowUp: Int32Array;
  readonly colLo: Int32Array;
  readonly colUp: Int32Array;
  readonly colInt: Int32Array;
  active: Uint8Array = new Uint8Array(0);

  constructor(readonly model: Model) {
    const m = model;
    this.rowLo = new Int32Array(m.numRows).fill(-1);
    this.rowUp = new Int32Array(m.numRows).fill(-1);
    this.colLo = new Int32Array(m.numCols).fill(-1);
    this.colUp = new Int32Array(m.numCols).fill(-1);
    this.colInt = new Int32Array(m.numCols).fill(-1);
    // Order matters only for which IIS the filter finds when there are several: members early in
    // the list are tried first and dropped where possible. Rows go first, so that a conflict
    // between a few rows and the simple bounds of their variables (a balance against capacities)
    // is preferred to one through chains of rows; integrality goes last.
    for (let i = 0; i < m.numRows; i++) {
      if (m.rowLower[i]! > -Infinity) this.rowLo[i] = this.add(ROW_LO, i);
      if (m.rowUpper[i]! < Infinity) this.rowUp[i] = this.add(ROW_UP, i);
    }
    for (let j = 0; j < m.numCols; j++) {
      if (m.colLower[j]! > -Infinity) this.colLo[j] = this.add(COL_LO, j);
      if (m.colUpper[j]! < Infinity) this.colUp[j] = this.add(COL_UP, j);
    }
    for (let j = 0; j < m.numCols; j++) if (m.colType[j] !== 0) this.colInt[j] = this.add(INTEGER, j);
    this.active = new Uint8Array(this.kind.length);
  }

  private add(kind: number, index: number): number {
    this.kind.push(kind);
    this.index.push(index);
    return this.kind.length - 1;
  }

  get size(): number {
    return this.kind.length;
  }

  /** All members except, unless `withIntegrality`, the integrality restrictions. */
  all(withIntegrality: boolean): number[] {
    const out: number[] = [];
    for (let k = 0; k < this.size; k++) if (withIntegrality || this.kind[k] !== INTEGER) out.push(k);
    return out;
  }

  setActive(list: readonly number[]): void {
    this.active.fill(0);
    for (const k of list) this.active[k] = 1;
  }

  activeList(): number[] {
    const out: number[] = [];
    for (let k = 0; k < this.size; k++) if (this.active[k]) out.push(k);
    return out;
  }

  system(): System {
    const m = this.model;
    const s: System = {
      rowLower: new Float64Array(m.numRows).fill(-Infinity),
      rowUpper: new Float64Array(m.numRows).fill(Infinity),
      colLower: new Float64Array(m.numCols).fill(-Infinity),
      colUpper: new Float64Array(m.numCols).fill(Infinity),
      integer: new Uint8Array(m.numCols),
    };
    for (let k = 0; k < this.size; k++) {
      if (!this.active[k]) continue;
      const i = this.index[k]!;
      switch (this.kind[k]) {
        case ROW_LO: s.rowLower[i] = m.rowLower[i]!; break;
        case ROW_UP: s.rowUpper[i] = m.rowUpper[i]!; break;
        case COL_LO: s.colLower[i] = m.colLower[i]!; break;
        case COL_UP: s.colUpper[i] = m.colUpper[i]!; break;
        default: s.integer[i] = 1;
      }
    }
    return s;
  }
}

/** The whole model as a subsystem (integrality where the model has it). */
function fullSystem(model: Model): System {
  return {
    rowLower: model.rowLower, rowUpper: model.rowUpper, colLower: model.colLower, colUpper: model.colUpper,
    integer: Uint8Array.from(model.colType, (t) => (t === 0 ? 0 : 1)),
  };
}

/** The model restricted to a subsystem, with objective 0 (a pure feasibility problem). */
function systemModel(model: Model, s: System): Model {
  let integers = 0, binaries = 0;
  const colType = new Uint8Array(model.numCols);
  for (let j = 0; j < model.numCols; j++) {
    if (!s.integer[j]) continue;
    colType[j] = model.colType[j]!;
    if (colType[j] === 2) binaries++; else integers++;
  }
  return {
    ...model,
    hessian: undefined,
    colCost: new Float64Array(model.numCols),
    objOffset: 0,
    objScale: 1,
    colLower: s.colLower,
    colUpper: s.colUpper,
    colType,
    rowLower: s.rowLower,
    rowUpper: s.rowUpper,
    stats: { ...model.stats, integers, binaries },
  };
}

// ---------------------------------------------------------------------------------------------
// Feasibility oracles.

type Verdict = 'feasible' | 'infeasible' | 'unknown';

interface Oracle {
  check(s: System, seconds: number | undefined): Promise<Verdict>;
  dispose(): void;
}

type HighsRuntime = Highs;
type HighsModel = ReturnType<HighsRuntime['createModel']>;

/** One HiGHS model, kept between solves: only the bounds and integrality that changed are passed. */
class HighsOracle implements Oracle {
  private constructor(private readonly h: HighsRuntime, private readonly m: HighsModel, private cur: System) {}

  static async create(model: Model): Promise<HighsOracle> {
    const start = fullSystem(model);
    const { h, m } = await highsModel(systemModel(model, start));
    m.options.set({ output_flag: false, log_to_console: false, mip_rel_gap: 1 } as never);
    return new HighsOracle(h, m, start);
  }

  async check(s: System, seconds: number | undefined): Promise<Verdict> {
    const { h, m, cur } = this;
    const inf = h.infinity;
    const c = (v: number) => (v === Infinity ? inf : v === -Infinity ? -inf : v);
    for (let i = 0; i < s.rowLower.length; i++) {
      if (s.rowLower[i] !== cur.rowLower[i] || s.rowUpper[i] !== cur.rowUpper[i]) m.changeRowBounds(i, c(s.rowLower[i]!), c(s.rowUpper[i]!));
    }
    for (let j = 0; j < s.colLower.length; j++) {
      if (s.colLower[j] !== cur.colLower[j] || s.colUpper[j] !== cur.colUpper[j]) m.changeColBounds(j, c(s.colLower[j]!), c(s.colUpper[j]!));
      if (s.integer[j] !== cur.integer[j]) m.changeColIntegrality(j, s.integer[j] ? 1 : 0);
    }
    this.cur = s;
    try {
      // HiGHS's time limit counts the time of every run since its clocks were last reset.
      if (seconds !== undefined) { m.zeroAllClocks(); m.options.set('time_limit', Math.max(seconds, 0.001)); }
      m.run();
    } catch {
      return 'unknown';
    }
    const st = m.getModelStatus();
    const S = h.constants.modelStatus;
    // The objective is 0, so `unbounded or infeasible` can only be infeasible.
    if (st === S.infeasible || st === S.unboundedOrInfeasible) return 'infeasible';
    if (st === S.optimal || st === S.empty) return 'feasible';
    // A MILP stopped at a limit with an incumbent is feasible too.
    try { if (Number(m.info.get('primal_solution_status')) === 2) return 'feasible'; } catch { /* no such info */ }
    return 'unknown';
  }

  dispose(): void {
    this.m.dispose();
  }
}

/** GLPK: each subsystem is solved afresh through the GLPK back-end. */
class GlpkOracle implements Oracle {
  constructor(private readonly model: Model) {}
  async check(s: System, seconds: number | undefined): Promise<Verdict> {
    const out = await solveGlpk(systemModel(this.model, s), seconds === undefined ? {} : { timeLimit: Math.max(seconds, 0.001) });
    if (out.status === 'infeasible' || out.status === 'infeasible-or-unbounded') return 'infeasible';
    return out.hasSolution ? 'feasible' : 'unknown';
  }
  dispose(): void {}
}

class Abort extends Error {}

/** Counts solves and enforces the deadline. */
class Search {
  solves = 0;
  constructor(readonly members: Members, readonly oracle: Oracle, private readonly deadline: number) {}

  remaining(): number | undefined {
    return this.deadline === Infinity ? undefined : (this.deadline - performance.now()) / 1000;
  }

  /** Feasibility of the active members; throws Abort when the solver cannot tell or time is up. */
  async verdict(): Promise<Verdict> {
    const left = this.remaining();
    if (left !== undefined && left <= 0) throw new Abort('the time limit was reached');
    this.solves++;
    return this.oracle.check(this.members.system(), left);
  }

  async infeasible(): Promise<boolean> {
    const v = await this.verdict();
    if (v === 'unknown') throw new Abort(this.remaining() !== undefined && this.remaining()! <= 0 ? 'the time limit was reached' : 'the solver could not decide the feasibility of a subsystem');
    return v === 'infeasible';
  }

  /** Plain deletion filter: each member in turn (|list| solves). The active set must be infeasible. */
  async plain(list: readonly number[]): Promise<void> {
    const a = this.members.active;
    for (const k of list) {
      a[k] = 0;
      if (!(await this.infeasible())) a[k] = 1;
    }
  }

  /**
   * Deletion filter by halving over `list` (all active, the active set infeasible). `needed`: the
   * set without the whole group is known to be feasible, so that test is skipped.
   */
  async halving(list: readonly number[], needed = false): Promise<void> {
    if (list.length === 0) return;
    const a = this.members.active;
    if (!needed) {
      for (const k of list) a[k] = 0;
      if (await this.infeasible()) return;
      for (const k of list) a[k] = 1;
    }
    if (list.length === 1) return;
    const mid = list.length >> 1;
    const first = list.slice(0, mid), second = list.slice(mid);
    await this.halving(first);
    // Without all of `list` the set was feasible; if `first` went entirely, `second` is needed.
    const firstGone = first.every((k) => a[k] === 0);
    await this.halving(second, firstGone);
  }
}

/** HiGHS's IIS of the LP relaxation, as members; undefined when it finds none. */
async function highsIis(model: Model, members: Members, seconds: number | undefined): Promise<{ list: number[]; proven: boolean } | undefined> {
  const relaxed: System = { ...fullSystem(model), integer: new Uint8Array(model.numCols) };
  const { h, m } = await highsModel(systemModel(model, relaxed));
  try {
    const options: Record<string, number | boolean> = { output_flag: false, log_to_console: false, iis_strategy: h.constants.iis.strategyRowPriority };
    if (seconds !== undefined) options['time_limit'] = Math.max(seconds, 0.001);
    m.options.set(options as never);
    m.run();
    if (m.getModelStatus() !== h.constants.modelStatus.infeasible) return undefined;
    const iis = m.getIis();
    const I = h.constants.iis;
    const list: number[] = [];
    let proven = true;
    // `boxed` (both bounds) is also what HiGHS reports, without the irreducibility pass, for a
    // row with one finite side: the finite sides are taken.
    const take = (lo: number, up: number, code: number): boolean => {
      if (code === I.boundFree) return true;
      if (code === I.boundLower) { if (lo < 0) return false; list.push(lo); return true; }
      if (code === I.boundUpper) { if (up < 0) return false; list.push(up); return true; }
      if (code !== I.boundBoxed || (lo < 0 && up < 0)) return false;
      if (lo >= 0) list.push(lo);
      if (up >= 0) list.push(up);
      return true;
    };
    for (let k = 0; k < iis.colIndex.length; k++) {
      const j = iis.colIndex[k]!;
      if (!take(members.colLo[j]!, members.colUp[j]!, iis.colBound[k]!)) return undefined;
      if (iis.colStatus[j] !== I.inConflict) proven = false;
    }
    for (let k = 0; k < iis.rowIndex.length; k++) {
      const i = iis.rowIndex[k]!;
      if (iis.rowBound[k] === I.boundFree || !take(members.rowLo[i]!, members.rowUp[i]!, iis.rowBound[k]!)) return undefined;
      if (iis.rowStatus[i] !== I.inConflict) proven = false;
    }
    return list.length ? { list, proven } : undefined;
  } catch {
    return undefined;
  } finally {
    m.dispose();
  }
}

/** A subset of a model's rows, bounds and integrality restrictions, by row and column number. */
export interface Subset {
  readonly rows?: readonly { readonly row: number; readonly side: Side }[];
  readonly bounds?: readonly { readonly col: number; readonly side: Side }[];
  /** Columns whose integrality is part of the subset. */
  readonly integrality?: readonly number[];
}

/** The members of a reported conflict, as a Subset (to refine it again, or to re-check it). */
export function subsetOf(c: Conflict): Subset {
  return {
    rows: c.rows.map((r) => ({ row: r.row, side: r.active })),
    bounds: c.bounds.map((b) => ({ col: b.col, side: b.which })),
    integrality: c.integrality.map((v) => v.col),
  };
}

/** Member numbers of a subset; sides that are infinite in the model are ignored. */
function subsetMembers(members: Members, s: Subset): number[] {
  const out: number[] = [];
  const put = (k: number) => { if (k >= 0) out.push(k); };
  for (const r of s.rows ?? []) {
    if (r.side !== 'upper') put(members.rowLo[r.row] ?? -1);
    if (r.side !== 'lower') put(members.rowUp[r.row] ?? -1);
  }
  for (const b of s.bounds ?? []) {
    if (b.side !== 'upper') put(members.colLo[b.col] ?? -1);
    if (b.side !== 'lower') put(members.colUp[b.col] ?? -1);
  }
  for (const j of s.integrality ?? []) put(members.colInt[j] ?? -1);
  return [...new Set(out)];
}

interface Run {
  readonly members: Members;
  readonly search: Search;
  readonly isMip: boolean;
  method: Conflict['method'];
  ofRelaxation: boolean;
}

/** Runs a search and turns its outcome (or its abandonment) into a Conflict. */
async function conflictSearch(model: Model, opts: ConflictOptions, body: (run: Run) => Promise<Pick<Conflict, 'status' | 'message'> | undefined>): Promise<Conflict> {
  const t0 = performance.now();
  const solver = opts.solver ?? 'highs';
  const deadline = opts.timeLimit === undefined ? Infinity : t0 + opts.timeLimit * 1000;
  const none = { rows: [], bounds: [], integrality: [], irreducible: false, ofRelaxation: false };
  const done = (c: Omit<Conflict, 'seconds' | 'solver'>): Conflict => ({ ...c, solver, seconds: (performance.now() - t0) / 1000 });
  if (model.numCols === 0) return done({ ...none, status: 'feasible', method: 'none', solves: 0 });
  const members = new Members(model);
  const oracle: Oracle = solver === 'highs' ? await HighsOracle.create(model) : new GlpkOracle(model);
  const run: Run = { members, search: new Search(members, oracle, deadline), isMip: model.colType.some((t) => t !== 0), method: 'none', ofRelaxation: false };
  try {
    const early = await body(run);
    if (early) return done({ ...none, ...early, method: run.method, solves: run.search.solves });
    return done({ status: 'conflict', ...describe(model, members), irreducible: true, ofRelaxation: run.ofRelaxation, method: run.method, solves: run.search.solves });
  } catch (e) {
    if (!(e instanceof Abort)) throw e;
    if (run.method === 'none') return done({ ...none, status: 'unknown', method: 'none', solves: run.search.solves, message: e.message });
    // The active set is still infeasible: report it, not proven irreducible.
    return done({
      status: 'conflict', ...describe(model, members), irreducible: false, ofRelaxation: run.ofRelaxation, method: run.method, solves: run.search.solves,
      message: `${e.message}; the subset is infeasible but may not be irreducible`,
    });
  } finally {
    oracle.dispose();
  }
}

/**
 * An irreducible infeasible subset of an infeasible LP or MILP, in the model's terms. A feasible
 * model gives status `feasible` and no members.
 */
export async function findConflict(model: Model, opts: ConflictOptions = {}): Promise<Conflict> {
  const solver = opts.solver ?? 'highs';
  return conflictSearch(model, opts, async (run) => {
    const { members, search } = run;
    // The LP relaxation first: if it is infeasible, integrality plays no part.
    const lp = members.all(false);
    members.setActive(lp);
    const relaxed = await search.verdict();
    if (relaxed === 'unknown') return { status: 'unknown', message: 'the solver could not decide whether the LP relaxation is feasible' };
    if (relaxed === 'infeasible') {
      run.ofRelaxation = run.isMip;
      if (solver === 'highs' && opts.method !== 'filter') {
        const cand = await highsIis(model, members, search.remaining());
        if (cand) {
          members.setActive(cand.list);
          if (await search.infeasible()) {
            // Each member dropped in turn: proves irreducibility, and repairs a subset that is not.
            run.method = 'highs-iis';
            await search.plain(cand.list);
            return undefined;
          }
          members.setActive(lp);
        }
      }
      run.method = 'deletion-filter';
      await search.halving(lp);
      return undefined;
    }
    if (!run.isMip) return { status: 'feasible' };
    const all = members.all(true);
    members.setActive(all);
    if (!(await search.infeasible())) return { status: 'feasible' };
    run.method = 'deletion-filter';
    await search.halving(all);
    return undefined;
  });
}

/**
 * Reduces a given infeasible subset (from another tool, an earlier run, or a user's guess) to an
 * irreducible one by dropping its members one at a time: |subset| + 1 solves. A subset that has
 * a solution gives status `feasible`.
 */
export async function refineConflict(model: Model, subset: Subset, opts: Omit<ConflictOptions, 'method'> = {}): Promise<Conflict> {
  return conflictSearch(model, opts, async (run) => {
    const { members, search } = run;
    const list = subsetMembers(members, subset);
    members.setActive(list);
    if (!(await search.infeasible())) return { status: 'feasible', message: 'the given subset has a solution' };
    run.method = 'deletion-filter';
    // Without integrality first, if the subset stays infeasible so: the smaller question.
    let start = list;
    const continuous = list.filter((k) => members.kind[k] !== INTEGER);
    if (continuous.length < list.length) {
      members.setActive(continuous);
      if (await search.infeasible()) start = continuous;
      else members.setActive(list);
    }
    await search.plain(start);
    run.ofRelaxation = run.isMip && members.activeList().every((k) => members.kind[k] !== INTEGER);
    return undefined;
  });
}

// ---------------------------------------------------------------------------------------------
// Back to the model's terms.

/** 12 significant digits: drops floating-point noise of the unscaling (3.4999999999999996 -> 3.5). */
function tidy(v: number): number {
  if (Math.abs(v) < 1e-11) return 0;
  return Number(v.toPrecision(12));
}

function unitText(text: string | undefined): string {
  return !text || text === '1' ? '' : text;
}

function sourceFamily(name: string): string {
  return name.endsWith(AUX_SUFFIX) ? name.slice(0, -AUX_SUFFIX.length) : name;
}

interface RowWho { family: string; tuple: readonly Elem[]; name: string; aux: boolean; auxRow?: number; span: Span; unit: string; f: RowFamily }
interface ColWho { family: string; tuple: readonly Elem[]; name: string; aux: boolean; span: Span; unit: string; f: ColFamily }

/**
 * Families whose own rows a reformulation rewrote in other units: `sum of squares <= C` becomes
 * `s <= sqrt(C)` (src/lower/lower.ts), so its row is no longer in the constraint's unit (MW^2)
 * and is reported with the reformulation's rows.
 */
const reformulatedCache = new WeakMap<Model, Set<string>>();
function reformulated(model: Model): Set<string> {
  let s = reformulatedCache.get(model);
  if (!s) {
    s = new Set(model.lowering.filter((r) => r.ownRowsRewritten).map((r) => r.family));
    reformulatedCache.set(model, s);
  }
  return s;
}

function rowWho(model: Model, i: number): RowWho {
  const f = familyOf(model.rowFamilies, i)!;
  if (f.aux || reformulated(model).has(f.name)) {
    const family = sourceFamily(f.name);
    return { family, tuple: [], name: family, aux: true, auxRow: i - f.first + 1, span: f.span, unit: '', f };
  }
  const tuple = rowTuple(f, i);
  return { family: f.name, tuple, name: sourceName(f.name, tuple), aux: false, span: f.span, unit: unitText(f.unit.text), f };
}

function colWho(model: Model, j: number): ColWho {
  const f = familyOf(model.colFamilies, j)!;
  if (f.aux) {
    const family = sourceFamily(f.name);
    return { family, tuple: [], name: family, aux: true, span: f.span, unit: '', f };
  }
  const tuple = colTuple(f, j);
  return { family: f.name, tuple, name: sourceName(f.name, tuple), aux: false, span: f.span, unit: unitText(f.unit.text), f };
}

function senseOf(lo: number, hi: number): ConflictRow['sense'] {
  if (lo === hi) return '==';
  if (lo === -Infinity) return '<=';
  if (hi === Infinity) return '>=';
  return 'in';
}

function sideOf(lo: boolean, up: boolean): Side {
  return lo && up ? 'both' : lo ? 'lower' : 'upper';
}

function describe(model: Model, members: Members): Pick<Conflict, 'rows' | 'bounds' | 'integrality'> {
  const rowSides = new Map<number, [boolean, boolean]>();
  const colSides = new Map<number, [boolean, boolean]>();
  const ints: number[] = [];
  for (const k of members.activeList()) {
    const kind = members.kind[k]!, i = members.index[k]!;
    if (kind === INTEGER) { ints.push(i); continue; }
    const map = kind === ROW_LO || kind === ROW_UP ? rowSides : colSides;
    const s = map.get(i) ?? [false, false];
    if (kind === ROW_LO || kind === COL_LO) s[0] = true; else s[1] = true;
    map.set(i, s);
  }
  const rows: ConflictRow[] = [...rowSides.keys()].sort((a, b) => a - b).map((i) => {
    const [lo, up] = rowSides.get(i)!;
    const w = rowWho(model, i);
    const l = model.rowLower[i]!, u = model.rowUpper[i]!, sc = model.rowScale[i]!;
    return {
      kind: 'row', row: i, family: w.family, tuple: w.tuple, name: w.name, aux: w.aux, ...(w.auxRow !== undefined ? { auxRow: w.auxRow } : {}),
      span: w.span, sense: senseOf(l, u), active: sideOf(lo, up),
      ...(l > -Infinity ? { lower: tidy(l / sc) } : {}), ...(u < Infinity ? { upper: tidy(u / sc) } : {}), unit: w.unit,
    };
  });
  const bounds: ConflictBound[] = [...colSides.keys()].sort((a, b) => a - b).map((j) => {
    const [lo, up] = colSides.get(j)!;
    const w = colWho(model, j);
    const l = model.colLower[j]!, u = model.colUpper[j]!;
    return {
      kind: 'bound', col: j, family: w.family, tuple: w.tuple, name: w.name, aux: w.aux, binary: model.colType[j] === 2,
      which: sideOf(lo, up), value: tidy(lo ? l : u),
      ...(l > -Infinity ? { lower: tidy(l) } : {}), ...(u < Infinity ? { upper: tidy(u) } : {}), unit: w.unit, span: w.span,
    };
  });
  const integrality: ConflictIntegrality[] = ints.sort((a, b) => a - b).map((j) => {
    const w = colWho(model, j);
    return { kind: 'integrality', col: j, family: w.family, tuple: w.tuple, name: w.name, aux: w.aux, type: model.colType[j] === 2 ? 'binary' : 'integer', span: w.span };
  });
  return { rows, bounds, integrality };
}

// ---------------------------------------------------------------------------------------------
// Feasibility relaxation.

export interface RelaxOptions {
  readonly solver?: ConflictSolver;
  readonly timeLimit?: number;
  /** Relative MIP gap of the elastic MILP; default 0 (the smallest violation, proven). */
  readonly gap?: number;
}

export interface Violation {
  readonly kind: 'row' | 'bound';
  /** Row or column of the emitted model. */
  readonly index: number;
  readonly family: string;
  readonly tuple: readonly Elem[];
  /** `balance[3]` or `p[g1,3]`. */
  readonly name: string;
  readonly span: Span;
  /** The side that is violated. */
  readonly side: 'lower' | 'upper';
  /** How the row is written (rows only). */
  readonly sense?: '==' | '<=' | '>=' | 'in';
  /** The violated bound and the value reached at the relaxed point, in `unit`. */
  readonly bound: number;
  readonly value: number;
  /** By how much, in `unit` (> 0). */
  readonly amount: number;
  readonly unit: string;
}

export interface Relaxation {
  /** `relaxed`: violations below; `feasible`: none needed; `impossible`: no relaxation of the model's own rows and bounds helps; `unknown`: the solver stopped. */
  readonly status: 'relaxed' | 'feasible' | 'impossible' | 'unknown';
  /** Sum of the amounts (each in its own unit). */
  readonly total: number;
  /** Largest first. */
  readonly violations: readonly Violation[];
  /** The total is proven smallest (false when the solver stopped at a limit with an incumbent). */
  readonly optimal: boolean;
  readonly solver: ConflictSolver;
  readonly seconds: number;
  /** Column values of the relaxed point, in declared units. */
  readonly x?: Float64Array;
  readonly message?: string;
}

/** What the elastic model is made of: which rows and bounds may be violated, at what weight. */
interface Elastic {
  readonly model: Model;
  /** Number of original columns (the first columns of the elastic model). */
  readonly n: number;
}

/** Whether row i is one of the model's own constraints (elastic) rather than a reformulation's. */
function elasticRow(model: Model, i: number): boolean {
  return !familyOf(model.rowFamilies, i)?.aux;
}

/** The hard domain of column j (what remains when its declared bounds are relaxed), or undefined if its bounds are hard. */
function hardDomain(model: Model, j: number): [number, number] | undefined {
  if (familyOf(model.colFamilies, j)?.aux) return undefined;
  return model.colType[j] === 2 ? [0, 1] : [-Infinity, Infinity];
}

/** Builds the elastic model (see the header). */
function elasticModel(model: Model): Elastic {
  const n = model.numCols, m = model.numRows;
  const colLower: number[] = Array.from(model.colLower), colUpper: number[] = Array.from(model.colUpper);
  const colType: number[] = Array.from(model.colType);
  const cost: number[] = new Array(n).fill(0);
  const start: number[] = [0], index: number[] = [], value: number[] = [];
  const rowLower: number[] = [], rowUpper: number[] = [];
  const slack = (w: number): number => {
    colLower.push(0); colUpper.push(Infinity); colType.push(0); cost.push(w);
    return colLower.length - 1;
  };
  const endRow = (lo: number, hi: number) => { rowLower.push(lo); rowUpper.push(hi); start.push(index.length); };
  for (let i = 0; i < m; i++) {
    for (let k = model.rowStart[i]!; k < model.rowStart[i + 1]!; k++) { index.push(model.rowIndex[k]!); value.push(model.rowValue[k]!); }
    const lo = model.rowLower[i]!, hi = model.rowUpper[i]!;
    if (elasticRow(model, i)) {
      const w = 1 / model.rowScale[i]!;
      if (lo > -Infinity) { index.push(slack(w)); value.push(1); }
      if (hi < Infinity) { index.push(slack(w)); value.push(-1); }
    }
    endRow(lo, hi);
  }
  for (let j = 0; j < n; j++) {
    const hard = hardDomain(model, j);
    if (!hard) continue;
    const lo = model.colLower[j]!, hi = model.colUpper[j]!;
    const eLo = lo > hard[0], eHi = hi < hard[1];
    if (!eLo && !eHi) continue;
    colLower[j] = eLo ? hard[0] : lo;
    colUpper[j] = eHi ? hard[1] : hi;
    index.push(j); value.push(1);
    if (eLo) { index.push(slack(1)); value.push(1); }
    if (eHi) { index.push(slack(1)); value.push(-1); }
    endRow(eLo ? lo : -Infinity, eHi ? hi : Infinity);
  }
  let integers = 0, binaries = 0;
  for (const t of colType) { if (t === 1) integers++; else if (t === 2) binaries++; }
  const numCols = colLower.length;
  const e: Model = {
    name: `${model.name}~elastic`,
    objective: { name: 'violation', sense: 'minimize' },
    lowering: [],
    objectiveError: 0,
    numCols,
    colLower: Float64Array.from(colLower),
    colUpper: Float64Array.from(colUpper),
    colType: Uint8Array.from(colType),
    colCost: Float64Array.from(cost),
    objOffset: 0,
    objScale: 1,
    numRows: rowLower.length,
    rowStart: Int32Array.from(start),
    rowIndex: Int32Array.from(index),
    rowValue: Float64Array.from(value),
    rowLower: Float64Array.from(rowLower),
    rowUpper: Float64Array.from(rowUpper),
    rowScale: new Float64Array(rowLower.length).fill(1),
    colFamilies: [],
    rowFamilies: [],
    stats: {
      nonzeros: index.length, integers, binaries, matrixRange: [0, 0], matrixRangeRows: [-1, -1],
      objectiveRange: [0, 0], boundsRange: [0, 0], rhsRange: [0, 0], trivialRows: 0,
    },
  };
  return { model: e, n };
}

/** Violations of the model's own rows and bounds at x (in their units), largest first. */
export function violationsAt(model: Model, x: ArrayLike<number>): Violation[] {
  const out: Violation[] = [];
  const tol = (b: number) => 1e-6 * Math.max(1, Math.abs(b));
  for (let i = 0; i < model.numRows; i++) {
    if (!elasticRow(model, i)) continue;
    let act = 0;
    for (let k = model.rowStart[i]!; k < model.rowStart[i + 1]!; k++) act += model.rowValue[k]! * x[model.rowIndex[k]!]!;
    const lo = model.rowLower[i]!, hi = model.rowUpper[i]!, sc = model.rowScale[i]!;
    const side = lo - act > tol(lo) ? 'lower' : act - hi > tol(hi) ? 'upper' : undefined;
    if (!side) continue;
    const b = side === 'lower' ? lo : hi;
    const w = rowWho(model, i);
    out.push({
      kind: 'row', index: i, family: w.family, tuple: w.tuple, name: w.name, span: w.span, side, sense: senseOf(lo, hi),
      bound: tidy(b / sc), value: tidy(act / sc), amount: tidy(Math.abs(b - act) / sc), unit: w.unit,
    });
  }
  for (let j = 0; j < model.numCols; j++) {
    if (!hardDomain(model, j)) continue;
    const lo = model.colLower[j]!, hi = model.colUpper[j]!, v = x[j]!;
    const side = lo - v > tol(lo) ? 'lower' : v - hi > tol(hi) ? 'upper' : undefined;
    if (!side) continue;
    const b = side === 'lower' ? lo : hi;
    const w = colWho(model, j);
    out.push({ kind: 'bound', index: j, family: w.family, tuple: w.tuple, name: w.name, span: w.span, side, bound: tidy(b), value: tidy(v), amount: tidy(Math.abs(b - v)), unit: w.unit });
  }
  return out.sort((a, b) => b.amount - a.amount || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The smallest total violation of the model's own constraints and variable bounds, each in its
 * unit, that makes the model feasible, and where it falls.
 */
export async function relaxation(model: Model, opts: RelaxOptions = {}): Promise<Relaxation> {
  const t0 = performance.now();
  const solver = opts.solver ?? 'highs';
  const seconds = () => (performance.now() - t0) / 1000;
  const { model: e, n } = elasticModel(model);
  const so = { ...(opts.timeLimit !== undefined ? { timeLimit: opts.timeLimit } : {}), gap: opts.gap ?? 0 };
  const out: SolverOutput = solver === 'highs' ? await solveHighs(e, so) : await solveGlpk(e, so);
  const base = { solver, optimal: false, total: 0, violations: [] };
  if (out.status === 'infeasible' || out.status === 'infeasible-or-unbounded') {
    return { ...base, status: 'impossible', seconds: seconds(), message: 'no relaxation of the model\'s own constraints and bounds makes it feasible: the conflict lies in integrality, binary domains or the rows and columns added by reformulations' };
  }
  if (!out.hasSolution || !out.colValue) {
    return { ...base, status: 'unknown', seconds: seconds(), message: out.message ?? `the solver stopped: ${out.status}` };
  }
  const x = out.colValue.slice(0, n);
  // Integer columns come back within the integrality tolerance; use them exactly.
  for (let j = 0; j < n; j++) if (model.colType[j] !== 0) x[j] = Math.round(x[j]!);
  const violations = violationsAt(model, x);
  const total = tidy(violations.reduce((s, v) => s + v.amount, 0));
  return { status: violations.length ? 'relaxed' : 'feasible', total, violations, optimal: out.status === 'optimal', solver, seconds: seconds(), x };
}
