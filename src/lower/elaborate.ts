// Model building: instantiate components, evaluate sets and parameters, allocate a column per
// variable index, and lower every constraint instance and the objective into sparse rows.
//
// Phase A walks the model and its instances in declaration order (columns are numbered in that
// order); phase B lowers constraints and the objective once every column exists. An error in one
// declaration is reported with the index values it happened at, and building goes on with the next
// declaration so that one run reports as much as possible.
import type { Checker } from '../check/checker.js';
import {
  Env, type CDomain, type C, type ConstraintMember, type InstanceMember, type Member, type ParamMember,
  type SetMember, type VarMember, type ArgEval,
} from '../check/program.js';
import { makeLoop, pushTuple, domainFactors, type Loop } from '../check/loops.js';
import { DependentFailure, Diagnostics, EvgError, SourceTexts, fail, type Diagnostic, type Span } from '../diagnostics/diagnostic.js';
import { readFileSync } from 'node:fs';
import { importNetwork } from '../network/index.js';
import { bindNetwork } from '../network/bind.js';
import { MAX_COLUMNS, ModelBuilder } from '../ir/builder.js';
import { familyOf, type Model, type RowFamily } from '../ir/model.js';
import { AUX_SUFFIX } from '../ir/names.js';
import { Frame, type InstanceValue, type MemberEvaluator } from './frame.js';
import { EvSet, Indexed, LinAcc, ParamValue, SparseAcc, VarFamily, formatTuple, type Elem } from './values.js';
import type { Literal } from './indicator.js';
import { DEFAULT_LOWERING, Lowering, type LoweringOptions } from './lower.js';
import { ONE, type Unit } from '../check/units.js';
import { resolveMethod, type MethodOptions } from '../uncertainty/method.js';
import { DETERMINISTIC, planWorlds, type Plan, type WorldOverride } from '../uncertainty/worlds.js';
import { uncertainParams, buildScenarios } from '../uncertainty/scenarios.js';
import { difference, magnitude, sameRow, sameTuple, sides, snapshot, type RowSnap } from '../uncertainty/rows.js';
import { chanceBound, expectationBound, robustBound, type TreatContext } from './treated.js';
import { combine, type Affine } from './aux.js';

export interface Elaboration {
  readonly model: Model;
  readonly root: Frame;
  /** Every frame of world 0 (the model, then instances depth-first), in building order. */
  readonly frames: readonly Frame[];
  /** The worlds the model was built in (one for a model without uncertainty) and their frames. */
  readonly plan: Plan;
  readonly worldFrames: readonly (readonly Frame[])[];
  /** Out-of-sample evaluation: each chance or expectation constraint's rows per world. */
  readonly treatedRows: readonly TreatedRowsOf[];
}

export interface TreatedRowsOf {
  readonly family: string;
  readonly chance: boolean;
  /** rows[w][i]: row i in world w. */
  readonly rows: readonly (readonly RowSnap[])[];
}

/** What a row hook decides: lower and add the row, drop it (it is already in the model), or keep it for the caller. */
export type RowVerdict = 'keep' | 'skip' | 'take';
export type RowHook = (acc: LinAcc, lo: number, hi: number, literals: readonly Literal[] | undefined, tuple: () => Elem[], label: () => string, env: Env) => RowVerdict;

const loops = new WeakMap<CDomain, Loop>();
function loopOf(d: CDomain): Loop {
  let l = loops.get(d);
  if (!l) { l = makeLoop(d); loops.set(d, l); }
  return l;
}

class Elaborator implements MemberEvaluator {
  readonly builder = new ModelBuilder();
  readonly frames: Frame[] = [];
  root!: Frame;
  private readonly lowering: Lowering;
  /** Scratch row for the second side of a two-sided row with nonlinear terms. */
  private scratch = new LinAcc(0);

  constructor(private readonly chk: Checker, private readonly diags: Diagnostics, options: LoweringOptions, private readonly sourceTexts: SourceTexts,
    private readonly unc: { method?: MethodOptions; worlds?: WorldOverride } = {}) {
    this.lowering = new Lowering(this.builder, options, (family, span, first) => this.auxColumns(family, span, first));
  }

  // ---------------------------------------------------------------- worlds

  plan: Plan = DETERMINISTIC;
  /** The world being built (Frame.world of its frames). */
  private world = 0;
  private readonly worldRoots: Frame[] = [];
  private readonly worldFrames: Frame[][] = [];
  /** Per world, each frame by its prefix (the same instance in another world). */
  private readonly byPrefix: Map<string, Frame>[] = [];
  /** Recourse variables (`prefix + name`) and instances (frame prefixes). */
  private readonly recourseVars = new Set<string>();
  private readonly recourseFrames: string[] = [];
  /** Variables declared `recourse` in their component: in every instance. */
  private readonly recourseMembers = new Set<VarMember>();
  /** Evaluation: the rows of chance and expectation constraints in each world, to measure violations. */
  private readonly treatedRows: TreatedRowsOf[] = [];

  /** The frame of world w for the frame `f` of another world. */
  frameIn(w: number, f: Frame): Frame | undefined {
    return this.byPrefix[w]?.get(f.prefix);
  }

  private isRecourse(frame: Frame, m: VarMember): boolean {
    if (this.plan.allRecourse || this.recourseMembers.has(m)) return true;
    if (this.recourseVars.has(`${frame.prefix}${m.name}`)) return true;
    for (const p of this.recourseFrames) if (frame.prefix.startsWith(p)) return true;
    return false;
  }

  /** The treatment, the worlds and the recourse variables, before world 0 is built. */
  private planUncertainty(root: Frame): void {
    const u = this.chk.uncertainty;
    if (u.params.length === 0) {
      if (this.unc.method?.method || u.treatment) {
        this.diags.report('W0803', `${this.unc.method?.method ? `--method ${this.unc.method.method}` : 'the treatment'} has no effect: the model has no uncertain parameters`, u.treatment?.span,
          'declare what is uncertain with `uncertain NAME ...`');
      }
      return;
    }
    const method = resolveMethod(u.treatment, this.unc.method ?? {}, !!u.scenarios);
    if (this.unc.worlds) {
      const data = u.scenarios ? buildScenarios(u, root) : undefined;
      const params = data?.params ?? uncertainParams(u, root);
      this.plan = { kind: 'scenarios', method, worlds: this.unc.worlds.worlds(params, data), copies: true, params, data, evaluation: true, allRecourse: !!this.unc.worlds.allRecourse };
    } else {
      this.plan = planWorlds(u, root, method);
    }
    const env = new Env(root, 0);
    for (const t of u.recourse) {
      if (t.everyInstance) { this.recourseMembers.add(t.member!); continue; }
      for (const f of t.frames(env)) {
        if (t.member) this.recourseVars.add(`${f.prefix}${t.member.name}`);
        else this.recourseFrames.push(f.prefix);
      }
    }
    if (this.plan.kind === 'robust-set' && u.recourse.length) {
      this.diags.report('W0801', 'the robust counterpart over uncertainty sets treats every variable as here-and-now: the `recourse` declaration is ignored', u.recourse[0]!.span,
        'write an affine policy (a variable plus participation factors times the deviations) if a decision may adapt; or be robust over the scenarios (no `in box(...)` sets)');
    }
  }

  /** The family of auxiliary columns of a source family (created at its first auxiliary column). */
  private auxColumns(family: string, span: Span | undefined, first: number): { count: number } {
    const f = { name: `${family}${AUX_SUFFIX}`, first, count: 0, unit: ONE, type: 0 as const, span: span ?? this.root.scope.list[0]?.span ?? { file: '', start: 0, end: 0, line: 1, col: 1 }, index: new Indexed([]), aux: true };
    this.builder.colFamilies.push(f);
    this.openAux.push(f);
    return f;
  }
  /** Auxiliary column families whose size is not final yet. */
  private openAux: { name: string; count: number; index: Indexed }[] = [];

  /** Adds the auxiliary rows of the current source family as a family of their own. */
  private flushAux(family: string, span: Span): void {
    const rows = this.lowering.takeRows();
    // Auxiliary column families get their index set once their size is known.
    for (const f of this.openAux) (f as { index: Indexed }).index = new Indexed([EvSet.range(f.name, 1, f.count)]);
    this.openAux = [];
    if (rows.length === 0) return;
    const b = this.builder;
    // Rows of several dimensions, in canonical units (display factor 1).
    const fam = b.beginRowFamily({ name: `${family}${AUX_SUFFIX}`, unit: ONE, span, sets: [], arities: [1], aux: true });
    const acc = this.scratch;
    for (const r of rows) {
      acc.reset();
      for (let k = 0; k < r.cols.length; k++) acc.add(r.cols[k]!, r.vals[k]!);
      if (b.addRow(acc, r.lo, r.hi, 1)) fam.count++;
      else if (r.lo > 1e-9 || r.hi < -1e-9) fail('E0602', `a row added to lower \`${family}\` can never hold (0 in [${r.lo}, ${r.hi}])`, span);
    }
    (fam as { sets: readonly EvSet[] }).sets = [EvSet.range(fam.name, 1, fam.count)];
    fam.keys = Int32Array.from({ length: fam.count }, (_, i) => i);
  }

  evaluate(m: Member, frame: Frame): unknown {
    if (m.kind === 'param' && m.uncertain) return this.uncertainValue(m, frame);
    // Data files are the same in every world.
    if (m.kind === 'table' && frame.world > 0) {
      const f0 = this.frameIn(0, frame);
      if (f0) return f0.get(m);
    }
    if (m.kind === 'instance') return this.instantiate(m, frame);
    if (m.kind === 'var') fail('E0901', `variable \`${m.name}\` used before its columns were allocated`, m.span);
    const ev = (m as SetMember | ParamMember).eval;
    if (!ev) {
      // The declaration did not compile (already reported) or a required argument is missing.
      throw new EvgError({ code: 'E0605', severity: 'error', message: `\`${frame.prefix}${m.name}\` has no value`, span: m.span });
    }
    return ev(frame);
  }

  private uncertainValue(m: ParamMember, frame: Frame): ParamValue {
    const w = this.plan.worlds[frame.world];
    const p = this.plan.params.find((x) => x.member === m);
    const v = w?.values.get(m);
    if (!v || !p) {
      fail('E0801', `\`${m.name}\` is uncertain and cannot be used before the scenarios exist (in the arguments of a distribution, a copula or an uncertainty set)`, m.span,
        'the data of distributions and sets must be known: use parameters that do not depend on uncertain ones');
    }
    return new ParamValue(p.factors, m.name, v, null);
  }

  run(): Elaboration {
    const root0 = new Frame(this, this.chk.root, null, '');
    this.root = root0;
    this.byPrefix.push(new Map([['', root0]]));
    this.planUncertainty(root0);
    const worlds = this.plan.worlds;
    for (let w = 0; w < worlds.length; w++) {
      this.world = w;
      const root = w === 0 ? root0 : new Frame(this, this.chk.root, null, '');
      root.world = w;
      this.root = root;
      if (w > 0) this.byPrefix.push(new Map([['', root]]));
      this.worldRoots.push(root);
      const before = this.frames.length;
      this.visit(root);
      this.worldFrames.push(this.frames.slice(before));
    }
    this.root = root0;
    this.world = 0;
    this.lowerAll();
    // Families of later scenarios all of whose rows were the first scenario's.
    const fams = this.builder.rowFamilies;
    for (let i = fams.length - 1; i >= 0; i--) if (fams[i]!.count === 0 && fams[i]!.name.includes('@')) fams.splice(i, 1);
    const model = this.builder.finish('evg');
    // With errors, rows are missing and these warnings would mislead.
    if (!this.diags.hasErrors) {
      this.warnUnused(model);
      this.warnCoefficientRange(model);
      for (const [family, w] of this.lowering.bigMWarnings) {
        this.diags.report('W0603', `the big-M of \`${w.label}\` (${w.M.toPrecision(3)}${w.unit && w.unit !== '1' ? ` ${w.unit}` : ''}) is ${w.ratio.toExponential(0)} times the smallest other coefficient of its row`, w.span,
          `tighter bounds on the variables of \`${family}\` give a smaller big-M; a very large one makes the MILP weak and its solution inaccurate`);
      }
    }
    return { model, root: root0, frames: this.worldFrames[0]!, plan: this.plan, worldFrames: this.worldFrames, treatedRows: this.treatedRows };
  }

  /** W0202: variable declarations none of whose columns appears in a row or in the objective. */
  private warnUnused(model: Model): void {
    const used = new Uint8Array(model.numCols);
    for (let k = 0; k < model.rowIndex.length; k++) used[model.rowIndex[k]!] = 1;
    for (let j = 0; j < model.numCols; j++) if (model.colCost[j] !== 0) used[j] = 1;
    const h = model.hessian;
    if (h) for (let j = 0; j < model.numCols; j++) if (h.start[j + 1]! > h.start[j]!) { used[j] = 1; for (let k = h.start[j]!; k < h.start[j + 1]!; k++) used[h.index[k]!] = 1; }
    // One warning per declaration, however many instances of a component it has.
    const unused = new Map<Span, { first: string; count: number }>();
    for (const f of model.colFamilies) {
      if (f.aux) continue;
      let any = false;
      // A variable fixed by its bounds (a device's reactive power with a rating of 0) is harmless.
      let fixed = true;
      for (let j = f.first; j < f.first + f.count && !any; j++) { any = used[j] === 1; fixed &&= model.colLower[j] === model.colUpper[j]; }
      if (any || fixed || f.count === 0) continue;
      const u = unused.get(f.span);
      if (u) u.count++; else unused.set(f.span, { first: f.name, count: 1 });
    }
    for (const [span, u] of unused) {
      this.diags.report('W0202', `variable \`${u.first}\`${u.count > 1 ? ` (and the same variable of ${u.count - 1} other instance${u.count > 2 ? 's' : ''})` : ''} appears in no constraint and not in the objective`, span,
        'use it, or delete the declaration; its value in the results is whatever the solver picks within its bounds');
    }
  }

  /** W0602: a matrix whose coefficients still span more than six orders of magnitude after row scaling. */
  private warnCoefficientRange(model: Model): void {
    const [lo, hi] = model.stats.matrixRange;
    if (!(lo > 0) || hi / lo <= 1e6) return;
    const [rLo, rHi] = model.stats.matrixRangeRows;
    const fLo = familyOf(model.rowFamilies, rLo), fHi = familyOf(model.rowFamilies, rHi);
    const e = (v: number) => v.toExponential(0);
    const where = fLo === fHi ? `both in \`${fHi?.name}\`` : `the smallest in \`${fLo?.name}\`, the largest in \`${fHi?.name}\``;
    this.diags.report('W0602', `after scaling, the matrix coefficients range from ${e(lo)} to ${e(hi)} (${Math.round(Math.log10(hi / lo))} orders of magnitude): ${where}`, fHi?.span,
      'solvers may become slow or inaccurate; units closer to the typical values of the variables (MW rather than W, k$ rather than $) narrow the range');
  }

  private report(e: unknown, where?: string): void {
    // Something this depends on failed and was reported already.
    if (e instanceof DependentFailure) return;
    if (!(e instanceof EvgError)) throw e;
    const d = e.diagnostic;
    this.diags.add(where ? { ...d, notes: [...(d.notes ?? []), { message: `while building ${where}` }] } : d);
  }

  // ---------------------------------------------------------------- phase A

  private visit(frame: Frame): void {
    // A network instance is shared by every world: it is built (and visited) once.
    if (frame.world !== this.world) return;
    this.frames.push(frame);
    this.byPrefix[this.world]!.set(frame.prefix, frame);
    for (const m of frame.scope.list) {
      if (m.failed) continue;
      try {
        switch (m.kind) {
          case 'set': case 'param': case 'table':
            if (m.kind === 'param' && m.required && !frame.has(m.slot)) break;
            if (m.kind === 'set' && m.param && !m.eval && !frame.has(m.slot)) break;
            frame.get(m);
            break;
          case 'var':
            try {
              this.allocate(m, frame);
            } catch (e) {
              frame.markFailed(m.slot);
              throw e;
            }
            break;
          case 'instance': {
            // An instance-valued parameter's instance belongs to (and is built by) its owner.
            if (m.param) break;
            const inst = frame.get<InstanceValue>(m);
            for (const f of inst.frames) this.visit(f);
            break;
          }
        }
      } catch (e) {
        this.report(e);
      }
    }
  }

  private allocate(m: VarMember, frame: Frame): void {
    const recourse = this.plan.copies && this.isRecourse(frame, m);
    if (frame.world > 0 && !recourse) { this.share(m, frame); return; }
    const world = this.plan.worlds[frame.world]!;
    const name = `${frame.prefix}${m.name}${recourse && this.plan.worlds.length > 1 ? `@${world.label}` : ''}`;
    const env = new Env(frame, m.slotCount ?? 0);
    const d = m.domain;
    const loop = d ? loopOf(d) : undefined;
    const factors = d ? domainFactors(d, env, loop!, name) : [];
    const size = factors.reduce((s, f) => s * f.size, 1);
    const b = this.builder;
    if (b.numCols + size > MAX_COLUMNS) {
      fail('E0608', `variable \`${name}\` has ${size} columns (${factors.map((f) => f.size).join(' x ')}), more than evg can hold (${MAX_COLUMNS} columns in all)`, m.span,
        'check its index sets: one of them is probably far larger than intended');
    }
    const base = b.addColumns(size, m.type ?? 0, `variable \`${name}\``);
    const fam = new VarFamily(factors, name, base, m.unit!, m.type ?? 0, m.span);
    frame.put(m.slot, fam);
    const rec = this.isRecourse(frame, m);
    b.colFamilies.push({ name, first: base, count: size, unit: m.unit!, type: m.type ?? 0, span: m.span, index: fam, ...(rec ? { recourse: true, ...(recourse && this.plan.worlds.length > 1 ? { scenario: world.label } : {}) } : {}) });
    const lower = m.lower, upper = m.upper;
    if (!lower && !upper) return;
    const setBounds = (j: number) => {
      if (lower) b.setColLower(j, finite(lower(env), 'lower bound', name, m));
      if (upper) b.setColUpper(j, finite(upper(env), 'upper bound', name, m));
      if (b.colLowerOf(j) > b.colUpperOf(j) + 1e-12 * Math.max(1, Math.abs(b.colUpperOf(j)))) {
        const tuple = d ? fam.tupleAt(j - base) : [];
        fail('E0603', `\`${name}${tuple.length ? `[${tuple.join(', ')}]` : ''}\` has lower bound ${fmt(b.colLowerOf(j))} above its upper bound ${fmt(b.colUpperOf(j))} (${m.unit!.text})`, m.decl.span);
      }
    };
    if (!d) { setBounds(base); return; }
    let j = base;
    loop!(env, () => setBounds(j++));
  }

  /**
   * A here-and-now variable in a world after the first: the first world's columns. Its bounds must
   * not depend on the scenario (E0807).
   */
  private share(m: VarMember, frame: Frame): void {
    const f0 = this.frameIn(0, frame);
    const fam = f0?.values[m.slot] as VarFamily | undefined;
    if (!fam) fail('E0807', `\`${frame.prefix}${m.name}\` exists in scenario \`${this.plan.worlds[frame.world]!.label}\` but not in the first one: the uncertain data change which variables exist`, m.span);
    frame.put(m.slot, fam);
    const lower = m.lower, upper = m.upper;
    if (!lower && !upper) return;
    const env = new Env(frame, m.slotCount ?? 0);
    const b = this.builder;
    const check = (j: number) => {
      const lo = lower ? lower(env) : undefined, hi = upper ? upper(env) : undefined;
      const lo0 = b.colLowerOf(j), hi0 = b.colUpperOf(j);
      const same = (a: number | undefined, a0: number) => a === undefined || a === a0 || (fam.type === 2 && ((a0 === 0 && a <= 0) || (a0 === 1 && a >= 1)));
      if (!same(lo, lo0) || !same(hi, hi0)) {
        const t = m.domain ? fam.tupleAt(j - fam.base) : [];
        const world = this.plan.worlds[frame.world]!;
        // One report per variable, not one per scenario.
        if (this.boundErrors.has(fam)) throw new DependentFailure(fam.name);
        this.boundErrors.add(fam);
        fail('E0807', `the bounds of \`${fam.name}${t.length ? `[${t.join(', ')}]` : ''}\` depend on the uncertain data (scenario \`${world.label}\` gives [${fmt(lo ?? lo0)}, ${fmt(hi ?? hi0)}], the first [${fmt(lo0)}, ${fmt(hi0)}])`, m.decl.span,
          this.plan.kind === 'robust-set' ? 'under an uncertainty set every variable is here-and-now: write the bound as a constraint' : 'declare the variable `recourse` (decided after the uncertainty is revealed), or write the bound as a constraint');
      }
    };
    if (!m.domain) { check(fam.base); return; }
    let j = fam.base;
    loopOf(m.domain)(env, () => check(j++));
  }

  private instantiate(m: InstanceMember, caller: Frame): InstanceValue {
    const comp = m.component;
    if (m.param) fail('E0605', `\`${caller.prefix}${m.name}\` has no instance`, m.span);
    if (!comp || !m.args) fail('E0605', `instance \`${m.name}\` could not be built`, m.span);
    if (m.source) {
      // The same imported network in every world.
      const shared = caller.world > 0 ? this.frameIn(0, caller)?.values[m.slot] as InstanceValue | undefined : undefined;
      return shared ?? { frames: [this.networkFrame(m, caller, m.source)] };
    }
    const env = new Env(caller, m.slotCount ?? 0);
    const make = (prefix: string): Frame => {
      const f = new Frame(this, comp.scope, this.root, prefix);
      f.world = this.world;
      // Sets and instances first: indexed parameters of the new frame are indexed over the sets.
      for (const pm of comp.params) {
        const a = m.args!.get(pm.name);
        if (a && (a.kind === 'set' || a.kind === 'instance')) f.put(pm.slot, a.f(env));
      }
      for (const pm of comp.params) {
        const a = m.args!.get(pm.name);
        if (!a || a.kind === 'set' || a.kind === 'instance') continue;
        f.put(pm.slot, this.argValue(pm as ParamMember, a, env, f));
      }
      return f;
    };
    const label = `${caller.prefix}${m.name}`;
    if (!m.domain) return { frames: [make(`${label}.`)] };
    const d = m.domain;
    const loop = loopOf(d);
    const flat: Elem[] = [];
    const frames: Frame[] = [];
    loop(env, () => {
      const start = flat.length;
      pushTuple(d, env, flat);
      frames.push(make(`${label}[${flat.slice(start).join(',')}].`));
    });
    return { set: EvSet.of(label, d.arity, flat), frames };
  }

  /**
   * `network x = opendss("...")`: the frame of a `Network` instance whose arguments come from the
   * imported file (src/network/bind.ts); parameters the file does not give keep their defaults.
   */
  private networkFrame(m: InstanceMember, caller: Frame, source: NonNullable<InstanceMember['source']>): Frame {
    const comp = m.component!;
    const imported = importNetwork(source.path, source.format);
    if (imported.missing) fail('E0509', `cannot read network file \`${source.path}\`: ${imported.missing}`, source.span, 'paths are relative to the model file that names them');
    /** A span at line:col of a network file (offsets from its text, which diagnostics print). */
    const at = (file: string, line: number, col: number): Span => {
      this.readSource(file);
      const text = this.sourceTexts.get(file) ?? '';
      let off = 0;
      for (let l = 1; l < line && off >= 0; l++) off = text.indexOf('\n', off) + 1 || -1;
      const start = Math.max(0, off) + col - 1;
      return { file, start, end: start + 1, line, col };
    };
    for (const d of imported.diagnostics) {
      this.diags.report(d.severity === 'error' ? 'E0509' : 'W0502', d.message, at(d.file, d.line, d.col), undefined, [{ message: `imported by \`network ${m.name}\``, span: source.span }]);
    }
    // The importer's own errors are reported above, at their place in the network file.
    if (!imported.network || imported.diagnostics.some((d) => d.severity === 'error')) throw new DependentFailure(m.name);
    const net = imported.network;
    const { args, problems } = bindNetwork(net, source.format === 'matpower');
    for (const p of problems) {
      const o = p.at ?? (p.element ? net.origin?.get(p.element) : undefined);
      this.diags.report(p.severity === 'error' ? 'E0510' : 'W0502', p.message, o ? at(o.file, o.line, 1) : source.span, p.hint, o ? [{ message: `in network \`${m.name}\``, span: source.span }] : undefined);
    }
    if (!args) fail('E0510', `network \`${m.name}\` is not a radial network the formulations can use`, source.span);
    const f = new Frame(this, comp.scope, this.root, `${caller.prefix}${m.name}.`);
    const byName = new Map(comp.params.map((pm) => [pm.name, pm]));
    for (const [name, v] of args.sets) {
      const pm = byName.get(name);
      if (pm) f.put(pm.slot, EvSet.of(`${m.name}.${name}`, v.arity, [...v.flat]));
    }
    for (const [name, v] of args.elements) { const pm = byName.get(name); if (pm) f.put(pm.slot, new ParamValue([], `${m.name}.${name}`, null, [v])); }
    for (const [name, v] of args.scalars) { const pm = byName.get(name); if (pm) f.put(pm.slot, new ParamValue([], `${m.name}.${name}`, Float64Array.of(v), null)); }
    for (const [name, v] of args.params) {
      const pm = byName.get(name) as ParamMember | undefined;
      if (!pm?.domain) continue;
      const env = new Env(f, 64);
      const pv = new ParamValue(pm.domain.bindings.map((b) => b.set(env)), `${m.name}.${name}`, null, null);
      const num = new Float64Array(pv.size).fill(NaN);
      const flat: Elem[] = [];
      v.keys.forEach((k, i) => {
        flat.length = 0;
        flat.push(...k);
        const o = pv.offsetOf(flat);
        if (o >= 0) num[o] = v.values[i]!;
      });
      // Entries the file does not give (a branch without a rating) take the parameter's default.
      if (num.some(Number.isNaN)) {
        if (!pm.eval) fail('E0510', `network \`${m.name}\` gives no value of \`${name}\` for some of its indices`, source.span);
        const dflt = pm.eval(f);
        for (let i = 0; i < num.length; i++) if (Number.isNaN(num[i]!)) num[i] = dflt.num![i]!;
      }
      f.put(pm.slot, new ParamValue(pv.factors, pv.name, num, null));
    }
    return f;
  }

  private readSource(file: string): void {
    if (this.sourceTexts.get(file) !== undefined) return;
    try { this.sourceTexts.set(file, readFileSync(file, 'utf8')); } catch { /* printed without an excerpt */ }
  }

  /** The value of a component parameter in a new instance frame, from the instance's argument. */
  private argValue(pm: ParamMember, a: ArgEval, callerEnv: Env, callee: Frame): ParamValue {
    const name = `${callee.prefix}${pm.name}`;
    const calleeEnv = new Env(callee, 64);
    const factors = pm.domain ? pm.domain.bindings.map((b) => b.set(calleeEnv)) : [];
    const isElem = !!pm.elementOf;
    const pv = new ParamValue(factors, name, isElem ? null : new Float64Array(factors.reduce((s, f) => s * f.size, 1)).fill(NaN), isElem ? [] : null);
    const elementOf = pm.elementOf ? pm.elementOf(calleeEnv) : undefined;
    const put = (i: number, v: number | Elem) => {
      if (pv.num) pv.num[i] = v as number;
      else {
        if (elementOf && elementOf.pos(v) < 0) fail('E0302', `argument \`${pm.name}\` = \`${v}\` is not an element of ${elementOf.describe()}`, pm.span);
        pv.elems![i] = v;
      }
    };
    switch (a.kind) {
      case 'num': case 'elem': {
        const v = a.f(callerEnv);
        for (let i = 0; i < pv.size; i++) put(i, v);
        break;
      }
      case 'param': {
        const src = a.f(callerEnv);
        for (let i = 0; i < pv.size; i++) {
          const t = pv.tupleAt(i);
          const o = src.offsetOf(t);
          const v = o < 0 ? undefined : src.num ? src.num[o] : src.elems![o];
          if (v === undefined || (typeof v === 'number' && Number.isNaN(v))) {
            fail('E0504', `argument \`${pm.name}\` has no value for index ${formatTuple(t)} in \`${src.name}\``, a.span);
          }
          put(i, v);
        }
        break;
      }
      case 'indexed': {
        for (let i = 0; i < pv.size; i++) {
          const t = pv.tupleAt(i);
          a.slots.forEach((s, k) => { callerEnv.v[s] = t[k]; });
          put(i, (a.f as (env: Env) => number | Elem)(callerEnv));
        }
        break;
      }
      case 'set':
        break;
    }
    return pv;
  }

  // ---------------------------------------------------------------- phase B

  private lowerAll(): void {
    const acc = new LinAcc(this.builder.numCols);
    const plan = this.plan;
    for (const frame of this.worldFrames[0]!) {
      for (const m of frame.scope.list) {
        if (m.kind !== 'constraint' || m.failed || !m.parts) continue;
        const treated = !!(m.probability || m.expectation);
        if (plan.evaluation && treated) {
          // Out-of-sample evaluation: not a constraint, but measured (how often it is violated).
          const frames = plan.worlds.map((_, w) => this.frameIn(w, frame) ?? frame);
          try { this.treatedRows.push({ family: `${frame.prefix}${m.name}`, chance: !!m.probability, rows: this.collect(m, frames, acc).rows }); } catch (e) { this.report(e); }
          continue;
        }
        const checkP: RowHook | undefined = m.probability ? (_a, _lo, _hi, _l, _t, _label, env) => { m.probability!(env); return 'keep'; } : undefined;
        if (plan.worlds.length === 1) { this.lowerConstraint(m, frame, acc, { hook: checkP }); continue; }
        // Errors while building the worlds leave rows missing: comparing worlds would only mislead.
        if (this.diags.hasErrors) { this.lowerConstraint(m, frame, acc, { hook: checkP }); continue; }
        const frames = plan.worlds.map((_, w) => this.frameIn(w, frame) ?? frame);
        if (plan.kind === 'robust-set') this.lowerRobust(m, frames, acc);
        else if (treated && plan.method!.kind !== 'ro') this.lowerTreated(m, frames, acc);
        else this.lowerPerWorld(m, frames, acc);
      }
    }
    const obj = this.chk.objective;
    acc.reset();
    if (obj && obj.body && !obj.failed) {
      this.lowering.begin('objective', obj.span, obj.unit);
      try {
        if (plan.worlds.length === 1 || (plan.kind === 'scenarios' && plan.method!.kind === 'sp')) {
          // The expected objective: each world's objective weighted by its probability.
          const f = (obj.body as C & { t: 'lin' }).f;
          plan.worlds.forEach((w, i) => f(new Env(this.worldRoots[i]!, obj.slotCount ?? 0), plan.worlds.length === 1 ? 1 : w.prob, acc));
          const l = this.lowering;
          if (acc.atoms.length) l.lowerObjective(acc, obj.decl.sense, l.options.quadraticObjective === 'qp' && !this.builder.hasIntegers());
          this.builder.setObjective(acc, { name: obj.name, sense: obj.decl.sense, unit: obj.unit, span: obj.span }, obj.unit!.factor, l.hessian);
        } else {
          this.treatedObjective(obj, acc);
        }
        this.flushAux('objective', obj.span);
      } catch (e) {
        this.report(e, `objective \`${obj.name}\``);
      }
    } else {
      this.builder.setObjective(acc, { name: 'feasibility', sense: 'minimize' }, 1);
    }
    this.builder.setLowering(this.lowering.records, this.lowering.objectiveError / (obj?.unit?.factor ?? 1));
  }

  // ---------------------------------------------------------------- families built in several worlds

  private treatContext(): TreatContext {
    const b = this.builder;
    const l = this.lowering;
    return {
      sink: l.sink(), options: l.options, plan: this.plan,
      track: (form, terms, f, extra) => l.track(form, terms, f, extra),
      bounds: { get lower() { return b.colLowers(); }, get upper() { return b.colUppers(); } },
      columnName: (j) => b.columnName(j),
      warn: (code, message, span, hint) => { if (!this.warned.has(span)) { this.warned.add(span); this.diags.report(code, message, span, hint); } },
    };
  }

  private readonly warned = new Set<Span>();
  private readonly boundErrors = new Set<VarFamily>();

  private scenarioName(name: string, w: number): string {
    return `${name}@${this.plan.worlds[w]!.label}`;
  }

  /**
   * Ordinary rows in every world (the extensive form; ro over the scenarios): a row the same as
   * in the first world is dropped, so a family without uncertain data or recourse appears once.
   */
  private lowerPerWorld(m: ConstraintMember, frames: readonly Frame[], acc: LinAcc): void {
    const first: RowSnap[] = [];
    const name = `${frames[0]!.prefix}${m.name}`;
    const fam0 = this.lowerConstraint(m, frames[0]!, acc, {
      hook: (a, lo, hi, lits, _tuple, _label, env) => { if (m.probability) m.probability(env); first.push(snapshot(a, lo, hi, lits, [], '')); return 'keep'; },
    });
    let varies = false;
    for (let w = 1; w < frames.length; w++) {
      let i = 0;
      const fam = this.lowerConstraint(m, frames[w]!, acc, {
        name: this.scenarioName(name, w), quiet: true,
        hook: (a, lo, hi, lits) => { const s0 = first[i++]; return s0 && sameRow(s0, snapshot(a, lo, hi, lits, [], '')) ? 'skip' : 'keep'; },
      });
      if (fam && fam.count > 0) varies = true;
    }
    if (varies && fam0) (fam0 as { name: string }).name = this.scenarioName(name, 0);
  }

  /** The rows of a family in each world, without lowering them (aligned by position; E0807 otherwise). */
  private collect(m: ConstraintMember, frames: readonly Frame[], acc: LinAcc, extra?: (env: Env) => number): { rows: RowSnap[][]; extra: number[] } {
    const rows: RowSnap[][] = [];
    const values: number[] = [];
    let extraFailed = false;
    frames.forEach((f, w) => {
      if (extraFailed) return;
      const out: RowSnap[] = [];
      this.lowerConstraint(m, f, acc, {
        collect: true, quiet: true,
        hook: (a, lo, hi, lits, tuple, label, env) => {
          if (w === 0 && extra) {
            try { values.push(extra(env)); } catch (e) { extraFailed = true; throw e; }
          }
          out.push(snapshot(a, lo, hi, lits, tuple(), label()));
          return 'take';
        },
      });
      rows.push(out);
    });
    if (extraFailed) throw new DependentFailure(`${frames[0]!.prefix}${m.name}`);
    const n = rows[0]!.length;
    rows.forEach((out, w) => {
      const bad = out.length !== n ? 0 : out.findIndex((r, i) => !sameTuple(r, rows[0]![i]!));
      if (out.length !== n || bad >= 0) {
        fail('E0807', `the rows of \`${frames[0]!.prefix}${m.name}\` differ between scenarios \`${this.plan.worlds[0]!.label}\` and \`${this.plan.worlds[w]!.label}\` (${out.length !== n ? `${n} rows and ${out.length}` : `row ${rows[0]![bad]!.label} and ${out[bad]!.label}`}): a \`where\` or \`if\` depends on uncertain data`, m.decl.span,
          'this treatment combines the same row across scenarios; make the condition depend on known data only');
      }
    });
    return { rows, extra: values };
  }

  /** A family of rows, one per index tuple, for rows the treatments produce (`U <= 0`). */
  private treatedFamily(m: ConstraintMember, name: string, first: readonly RowSnap[]): { fam: RowFamily; add: (U: Affine, i: number) => void } {
    const b = this.builder;
    const d = m.domain;
    const fam = b.beginRowFamily({ name, unit: m.unit!, span: m.span, sets: [], arities: d ? [d.arity] : [] });
    const tuples: Elem[] = [];
    const add = (U: Affine, i: number) => {
      const acc = this.scratch;
      acc.reset();
      for (let k = 0; k < U.cols.length; k++) acc.add(U.cols[k]!, U.vals[k]!);
      if (b.addRow(acc, -Infinity, -U.c, m.unit!.factor)) {
        fam.count++;
        if (d) tuples.push(...first[i]!.tuple);
      } else if (U.c > 1e-9 * Math.max(1, Math.abs(U.c))) {
        fail('E0602', `${first[i]!.label} has no variables left and can never hold`, m.decl.span);
      }
    };
    const done = () => {
      if (!d) return;
      (fam as { sets: readonly EvSet[] }).sets = [EvSet.of(`${name}~index`, d.arity, tuples)];
      fam.keys = Int32Array.from({ length: fam.count }, (_, i) => i);
    };
    return { fam, add: (U, i) => { add(U, i); done(); } };
  }

  /** Lowers the nonlinear terms of a one-sided row snapshot: the linear `r <= 0` that remains (its aux rows pending). */
  private linearSide(s: RowSnap): Affine {
    const acc = this.scratch2;
    acc.reset();
    for (let k = 0; k < s.cols.length; k++) acc.add(s.cols[k]!, s.vals[k]!);
    acc.atoms.push(...s.atoms);
    let [lo, hi] = [s.lo, s.hi];
    if (acc.atoms.length) [lo, hi] = this.lowering.lowerRow(acc, lo, hi, s.label, this.scratch);
    const cols: number[] = [], vals: number[] = [];
    for (let i = 0; i < acc.n; i++) { const j = acc.cols[i]!; if (acc.coef[j] !== 0) { cols.push(j); vals.push(acc.coef[j]!); } }
    return hi !== Infinity ? { cols, vals, c: -hi } : { cols, vals: vals.map((v) => -v), c: lo };
  }
  private scratch2 = new LinAcc(0);

  /** Chance (`with probability`) and expectation (`in expectation`) constraints under sp and dro. */
  private lowerTreated(m: ConstraintMember, frames: readonly Frame[], acc: LinAcc): void {
    const name = `${frames[0]!.prefix}${m.name}`;
    try {
      const { rows, extra } = this.collect(m, frames, acc, m.probability ? (env) => m.probability!(env) : undefined);
      const first = rows[0]!;
      // A probability that failed its check was reported while collecting.
      if (m.probability && extra.length !== first.length) throw new DependentFailure(name);
      const { add } = this.treatedFamily(m, name, first);
      this.lowering.begin(name, m.span, m.unit);
      const t = this.treatContext();
      // The reformulations work in the constraint's unit, so that their columns have values near the model's.
      const f = m.unit!.factor;
      for (let i = 0; i < first.length; i++) {
        const label = first[i]!.label;
        if (m.probability) {
          if (rows.some((r) => r[i]!.atoms.length) && this.plan.method!.chance === 'moment') {
            fail('E0807', `${label}: a moment-based chance constraint needs a linear row; this one has nonlinear terms`, m.decl.span, 'use --chance saa or cvar, or give the nonlinear term a variable of its own');
          }
          const r = rows.map((rw) => scaled(this.linearSide(rw[i]!), 1 / f));
          if (this.plan.method!.chance === 'moment') this.noRecourse(r, label, m);
          add(scaled(chanceBound(t, r, 1 - extra[i]!, label, m.decl.span), f), i);
        } else {
          const h = rows.map((rw) => scaled(this.linearSide(rw[i]!), 1 / f));
          add(scaled(expectationBound(t, h, label), f), i);
        }
      }
      this.flushAux(name, m.span);
    } catch (e) {
      this.report(e, `\`${name}\``);
    }
  }

  private noRecourse(r: readonly Affine[], label: string, m: ConstraintMember): void {
    const shared = new Set(r[0]!.cols);
    for (const a of r) {
      for (const j of a.cols) {
        if (!shared.has(j)) {
          fail('E0807', `${label}: a moment-based chance constraint is on here-and-now decisions, but \`${this.builder.columnName(j)}\` differs per scenario`, m.decl.span,
            'use --chance saa or cvar for rows with recourse variables');
        }
      }
    }
  }

  /** Robust counterparts over uncertainty sets: a row that varies with the data gets the dual terms of its deviations. */
  private lowerRobust(m: ConstraintMember, frames: readonly Frame[], acc: LinAcc): void {
    const name = `${frames[0]!.prefix}${m.name}`;
    try {
      const { rows } = this.collect(m, frames, acc);
      const first = rows[0]!;
      const K = this.plan.robust!.dims.length;
      const constantRows = first.map((r0, i) => rows.every((rw) => sameRow(rw[i]!, r0)));
      if (constantRows.every(Boolean)) {
        // Nothing uncertain: the ordinary lowering.
        this.lowerConstraint(m, frames[0]!, acc);
        return;
      }
      const { add } = this.treatedFamily(m, name, first);
      this.lowering.begin(name, m.span, m.unit);
      const t = this.treatContext();
      const f = m.unit!.factor;
      for (let i = 0; i < first.length; i++) {
        const r0 = first[i]!;
        if (constantRows[i]) {
          for (const side of sides(r0)) add(this.linearSide({ ...r0, ...(side.upper ? { lo: -Infinity } : { hi: Infinity }) }), i);
          continue;
        }
        if (rows.some((rw) => rw[i]!.atoms.length || rw[i]!.literals)) {
          fail('E0807', `${r0.label}: a row with uncertain data under an uncertainty set must be linear (no nonlinear terms or implications)`, m.decl.span, 'give the nonlinear term a variable of its own, defined by a constraint without uncertain data');
        }
        if (r0.lo === r0.hi) {
          fail('E0808', `${r0.label}: an equality with uncertain data cannot hold for every value of the uncertainty set`, m.decl.span,
            'balance the uncertainty with a variable that may adapt (an affine policy), or make it an inequality');
        }
        const sd = rows.map((rw) => sides(rw[i]!));
        sd[0]!.forEach((side, k) => {
          const nominal = scaled(side.r, 1 / f);
          const devs = Array.from({ length: K }, (_, d) => {
            const diff = difference(scaled(sd[d + 1]![k]!.r, 1 / f), nominal);
            return magnitude(diff) === 0 ? undefined : diff;
          });
          this.checkAffine(scaled(sd[K + 1]![k]!.r, 1 / f), nominal, devs, r0.label, m);
          add(scaled(robustBound(t, nominal, devs, r0.label), f), i);
        });
      }
      this.flushAux(name, m.span);
    } catch (e) {
      this.report(e, `\`${name}\``);
    }
  }

  /** The last world moved every dimension by check[k] deviations: an affine row moved by the same combination. */
  private checkAffine(r: Affine, nominal: Affine, devs: readonly (Affine | undefined)[], label: string, m: { decl: { span: Span } }): void {
    const check = this.plan.robust!.check;
    let pred: Affine = nominal;
    devs.forEach((d, k) => { if (d) pred = combine(1, pred, check[k]!, d); });
    const diff = difference(r, pred);
    const scale = Math.max(1, magnitude(nominal), ...devs.map((d) => (d ? magnitude(d) : 0)));
    if (magnitude(diff) > 1e-7 * scale) {
      fail('E0807', `${label} is not affine in the uncertain data (a product or a nonlinear function of uncertain parameters), which the robust counterpart needs`, m.decl.span,
        'uncertain parameters may multiply variables and parameters, but not each other, and may not appear inside nonlinear functions');
    }
  }

  /** dro, and ro over scenarios or sets: the objective through an epigraph of each world's objective. */
  private treatedObjective(obj: NonNullable<Checker['objective']>, acc: LinAcc): void {
    const plan = this.plan;
    const f = (obj.body as C & { t: 'lin' }).f;
    const sense = obj.decl.sense;
    const sign = sense === 'minimize' ? 1 : -1;
    const t = this.treatContext();
    const b = this.builder;
    // Each world's objective, as a cost h to bound from above (maximisation: minus the objective),
    // in the objective's unit.
    const hs: Affine[] = [];
    const snaps: RowSnap[] = [];
    const unitF = obj.unit!.factor;
    plan.worlds.forEach((_, w) => {
      acc.reset();
      f(new Env(this.worldRoots[w]!, obj.slotCount ?? 0), sign / unitF, acc);
      snaps.push(snapshot(acc, -Infinity, -acc.c, undefined, [], `objective@${plan.worlds[w]!.label}`));
    });
    if (snaps.every((x) => sameRow(x, snaps[0]!))) {
      // The same objective in every world (first-stage costs only): nothing to treat.
      acc.reset();
      f(new Env(this.worldRoots[0]!, obj.slotCount ?? 0), 1, acc);
      const l = this.lowering;
      if (acc.atoms.length) l.lowerObjective(acc, sense, l.options.quadraticObjective === 'qp' && !this.builder.hasIntegers());
      b.setObjective(acc, { name: obj.name, sense, unit: obj.unit, span: obj.span }, obj.unit!.factor, l.hessian);
      return;
    }
    let U: Affine;
    if (plan.kind === 'robust-set') {
      const s0 = snaps[0]!;
      {
        if (snaps.some((x) => x.atoms.length)) fail('E0807', 'an objective with uncertain data under an uncertainty set must be linear', obj.span, 'give the nonlinear terms variables of their own');
        const K = plan.robust!.dims.length;
        const nominal = this.linearSide(s0);
        const devs = Array.from({ length: K }, (_, d) => { const diff = difference(this.linearSide(snaps[d + 1]!), nominal); return magnitude(diff) === 0 ? undefined : diff; });
        this.checkAffine(this.linearSide(snaps[K + 1]!), nominal, devs, 'the objective', { decl: { span: obj.span } });
        // tau >= h(xi) for every xi in the set: robust counterpart of h - tau <= 0.
        const tau = t.sink.column(-Infinity, Infinity, 0, 'objective~worst');
        const R = robustBound(t, combine(1, nominal, -1, { cols: [tau], vals: [1], c: 0 }), devs, 'objective');
        t.sink.row(R.cols, R.vals, -Infinity, -R.c, 'objective~robust');
        U = { cols: [tau], vals: [1], c: 0 };
      }
    } else {
      for (const s of snaps) hs.push(this.linearSide(s));
      U = expectationBound(t, hs, 'objective');
    }
    acc.reset();
    for (let k = 0; k < U.cols.length; k++) acc.add(U.cols[k]!, sign * unitF * U.vals[k]!);
    acc.c = sign * unitF * U.c;
    b.setObjective(acc, { name: obj.name, sense, unit: obj.unit, span: obj.span }, obj.unit!.factor);
  }

  /**
   * Lowers the rows of a constraint family into a row family of the model. A hook sees each row
   * before it is lowered (multi-world building: compare with the first world, or keep the row for
   * a treatment); `collect` builds no family (every row is taken by the hook).
   */
  private lowerConstraint(m: ConstraintMember, frame: Frame, acc: LinAcc, opts: { hook?: RowHook; name?: string; quiet?: boolean; collect?: boolean } = {}): RowFamily | undefined {
    const b = this.builder;
    const name = opts.name ?? `${frame.prefix}${m.name}`;
    const hook = opts.hook;
    const env = new Env(frame, m.slotCount ?? 0);
    const d = m.domain;
    const parts = m.parts!.map((p) => (p as C & { t: 'lin' }).f);
    const rels = m.rels!;
    const display = m.unit!.factor;
    const nb = d ? d.bindings.length : 0;
    let trivial = 0;
    let firstTrivial = '';
    const fam: RowFamily = opts.collect ? { name, unit: m.unit!, span: m.span, sets: [], arities: [], first: 0, count: 0, keys: new Int32Array(0) }
      : b.beginRowFamily({ name, unit: m.unit!, span: m.span, sets: [], arities: d ? d.bindings.map((x) => x.arity) : [] });
    this.lowering.begin(name, m.span, m.unit);
    const label = (): string => {
      if (!d) return name;
      const t: Elem[] = [];
      pushTuple(d, env, t);
      return `${name}[${t.join(',')}]`;
    };
    const keys: number[] = [];
    const sets: (EvSet | undefined)[] = new Array(nb);
    let values: Elem[] | undefined;
    const where = (): string => {
      if (!d) return `\`${name}\``;
      const t: Elem[] = [];
      try { pushTuple(d, env, t); } catch { /* partial binding */ }
      return `\`${name}[${t.join(', ')}]\``;
    };
    const otherwise = m.otherwise ? { parts: m.otherwise.parts.map((p) => (p as C & { t: 'lin' }).f), rels: m.otherwise.rels } : undefined;
    const literals = m.literals;
    /** The binary column of each literal of an implication, for the current indices. */
    const literalCols = (negate: boolean): Literal[] => literals!.map((l) => {
      const a = new SparseAcc();
      l.f(env, 1, a);
      const aff = a.affine();
      const j = aff.cols[0];
      if (aff.cols.length !== 1 || aff.c !== 0 || aff.vals[0] !== 1 || j === undefined || b.colTypeOf(j) !== 2) {
        fail('E0413', `the condition of ${where()} is not a binary variable`, l.span, 'an implication `if b then ...` is conditioned on binary variables (declared `binary`)');
      }
      return { col: j, negated: l.negated !== negate };
    });
    /** Evaluates `parts rels` into acc; returns the row's bounds. */
    const rowOf = (ps: typeof parts, rs: readonly string[]): [number, number] => {
      let lo: number, hi: number;
      if (ps.length === 3) {
        acc.reset(); ps[0]!(env, 1, acc); const v0 = acc.c;
        acc.reset(); ps[2]!(env, 1, acc); const v2 = acc.c;
        acc.reset(); ps[1]!(env, 1, acc);
        const c = acc.c;
        [lo, hi] = rs[0] === '<=' ? [v0 - c, v2 - c] : [v2 - c, v0 - c];
        if (lo > hi + 1e-9 * Math.max(1, Math.abs(hi))) {
          fail('E0602', `the range of ${where()} is empty: lower side ${fmt((lo + c) / display)} exceeds upper side ${fmt((hi + c) / display)} (${m.unit!.text})`, m.decl.span);
        }
      } else {
        acc.reset();
        ps[0]!(env, 1, acc);
        ps[1]!(env, -1, acc);
        const c = acc.c;
        const r = rs[0];
        lo = r === '<=' ? -Infinity : -c;
        hi = r === '>=' ? Infinity : -c;
      }
      checkFinite(lo, hi, where, m);
      return [lo, hi];
    };
    const one = () => {
      let ps = parts, rs: readonly string[] = rels;
      if (m.when && !m.when(env)) {
        // A conditional constraint: the `else` branch, or no row, where the condition fails.
        if (!otherwise) return;
        ps = otherwise.parts; rs = otherwise.rels;
      } else if (literals && otherwise && otherwise.parts.length) {
        // `if b then R1 else R2`: R1 when b holds (this row), R2 when it does not (an auxiliary row).
        const [lo2, hi2] = rowOf(otherwise.parts, otherwise.rels);
        this.lowering.lowerImplication(acc, lo2, hi2, literalCols(true), `${label()}~else`, m.decl.span);
        this.lowering.pushAuxRow(acc, lo2, hi2);
      }
      let [lo, hi] = rowOf(ps, rs);
      if (hook && !(literals && otherwise && otherwise.parts.length)) {
        const verdict = hook(acc, lo, hi, literals ? literalCols(false) : undefined, () => { const t: Elem[] = []; if (d) pushTuple(d, env, t); return t; }, label, env);
        if (verdict !== 'keep') return;
      }
      if (literals) [lo, hi] = this.lowering.lowerImplication(acc, lo, hi, literalCols(false), label(), m.decl.span);
      else if (acc.atoms.length) [lo, hi] = this.lowering.lowerRow(acc, lo, hi, label(), this.scratch);
      if (!b.addRow(acc, lo, hi, display)) {
        const tol = 1e-9 * Math.max(1, Math.abs(lo === -Infinity ? 0 : lo), Math.abs(hi === Infinity ? 0 : hi));
        if (0 < lo - tol || 0 > hi + tol) {
          const r = ps.length === 3 ? 'in' : rs[0]!;
          const rhs = r === 'in' ? `[${fmt(lo / display)}, ${fmt(hi / display)}]` : fmt((r === '>=' ? lo : hi) / display);
          fail('E0602', `${where()} has no variables left and can never hold: it reduces to 0 ${r} ${rhs} ${m.unit!.text}`,
            m.decl.span, 'this usually means missing data or an empty sum; check the index values shown');
        }
        b.trivialRows++;
        if (trivial++ === 0) firstTrivial = where();
        return;
      }
      fam.count++;
      if (!d) return;
      if (values) { pushTuple(d, env, values); return; }
      for (let i = 0; i < nb; i++) {
        const S = env.s[d.bindings[i]!.group]!;
        if (sets[i] === undefined) sets[i] = S;
        else if (sets[i] !== S) {
          // A binding whose set changes between rows (it depends on an earlier index): from here on
          // rows are named by their index values rather than by positions.
          values = [];
          const rows = keys.length / nb;
          for (let r = 0; r < rows; r++) {
            for (let j = 0; j < nb; j++) for (let c = 0; c < d.bindings[j]!.arity; c++) values.push(sets[j]!.at(keys[r * nb + j]!, c));
          }
          pushTuple(d, env, values);
          return;
        }
      }
      for (let i = 0; i < nb; i++) keys.push(env.p[d.bindings[i]!.group]!);
    };
    try {
      if (d) loopOf(d)(env, one);
      else one();
    } catch (e) {
      this.report(e, where());
    }
    if (opts.collect) return undefined;
    if (trivial && !opts.quiet) {
      this.diags.report('W0601', trivial === 1
        ? `${firstTrivial} has no variables left and always holds; it is dropped`
        : `${trivial} rows of \`${name}\` have no variables left and always hold (the first is ${firstTrivial}); they are dropped`, m.decl.span,
        'a zero coefficient or an empty sum removed every variable; check the data and the `where` filters if that is not intended');
    }
    (fam as { sets: readonly EvSet[] }).sets = sets.map((s) => s ?? EvSet.of('{}', 1, []));
    fam.keys = Int32Array.from(keys);
    if (values) fam.values = values;
    try {
      this.flushAux(name, m.span);
    } catch (e) {
      this.report(e);
    }
    return fam;
  }
}

/** k * a. */
function scaled(a: Affine, k: number): Affine {
  return k === 1 ? a : { cols: a.cols, vals: a.vals.map((v) => v * k), c: a.c * k };
}

function fmt(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(10))) : String(v);
}

function finite(v: number, what: string, name: string, m: VarMember): number {
  if (Number.isNaN(v)) fail('E0604', `the ${what} of \`${name}\` is not a number`, m.decl.span);
  return v;
}

function checkFinite(lo: number, hi: number, where: () => string, m: ConstraintMember): void {
  if (Number.isNaN(lo) || Number.isNaN(hi) || lo === Infinity || hi === -Infinity) {
    fail('E0604', `${where()} has a right-hand side that is not a finite number`, m.decl.span);
  }
}

export function elaborate(chk: Checker, diags: Diagnostics, options: LoweringOptions = DEFAULT_LOWERING, sources: SourceTexts = new SourceTexts(),
  uncertainty: { method?: MethodOptions; worlds?: WorldOverride } = {}): Elaboration {
  return new Elaborator(chk, diags, options, sources, uncertainty).run();
}

export type { Diagnostic };
