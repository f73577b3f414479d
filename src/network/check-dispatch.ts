// The AC check of a dispatch found with a linear (or relaxed) network formulation: for every
// instance of LinDistFlow, DistFlow, LinDist3Flow or SensitivityFlow (stdlib/network.evg) in a
// solved model and every period of it, the AC power flow (powerflow.ts) of the network with the
// model's injections, load scale and root voltage, and its difference from what the formulation
// predicted: voltages per bus (and phase), branch flows, losses and the substation's supply.
//
// What goes into the AC power flow, per period t:
//   - the network as imported (the file of the `network x = matpower(...)` / `opendss(...)`
//     declaration the formulation's `net` is), loads times the formulation's load_scale[t];
//   - injections: p_inj / q_inj of every bus (and phase) except the root, positive = generation,
//     in kW and kvar (three-phase totals for MATPOWER's positive-sequence data, per phase
//     otherwise; a single-phase formulation on three-phase data spreads a bus's injection evenly
//     over its phases). The root is the slack: its p_inj / q_inj is what the model says the
//     substation supplies, compared with the AC source;
//   - the root voltage: the network's v_root when the formulation fixes it (fixed_root = 1),
//     else the model's sqrt(v[root, t]) / v_base[root] (a TapChanger's choice), the mean over the
//     phases for LinDist3Flow;
//   - the network's shunt capacitors are left out: the formulations do not contain them (q_cap is
//     data the user ties to q_inj, or not), so the AC model is the network the formulation saw.
//     Transformer taps are the data's, as in the formulations' `ratio`.
// Voltages are compared in p.u. of the formulation's own bases (net.v_base): the model's
// sqrt(v) / v_base against the AC magnitude converted to the same base.
//
// Values of variables are read from the solution's columns (declared units), of expressions
// (SensitivityFlow's v, P, Q; DistFlow's losses) by evaluating them at the solution; everything is
// converted to canonical units (W, V^2) and then to kW, kvar and p.u. here.
import type { Compilation } from '../driver.js';
import type { ExprMember, InstanceMember, Member, ParamMember, SetMember, VarMember } from '../check/program.js';
import { Env } from '../check/program.js';
import { bindFromTuple } from '../check/loops.js';
import type { Frame, InstanceValue } from '../lower/frame.js';
import { EvalAcc, EvSet, ParamValue, VarFamily, elemText, type Elem } from '../lower/values.js';
import type { NetworkData, PhaseNo } from './model.js';
import { importNetwork } from './index.js';
import { powerFlow, type PowerFlowInjection, type PowerFlowResult } from './powerflow.js';

export const FORMULATIONS = ['LinDistFlow', 'DistFlow', 'LinDist3Flow', 'SensitivityFlow'] as const;
export type FormulationKind = (typeof FORMULATIONS)[number];

/** One instance of a formulation in the model, with its network. */
export interface FormulationInstance {
  /** The instance's name in reports: `pf`, `area[2].pf`. */
  readonly name: string;
  readonly kind: FormulationKind;
  readonly frame: Frame;
  /** The network instance's name (`feeder`). */
  readonly netName: string;
  readonly netFrame?: Frame;
  /** The file the network was imported from (absent for a network built in the model). */
  readonly source?: { readonly path: string; readonly format: 'opendss' | 'matpower' };
  readonly network?: NetworkData;
  /** Why the instance cannot be checked (a network not imported from a file, say). */
  readonly problem?: string;
  /** Elements of the formulation's period set T, in order. */
  readonly periods: readonly Elem[];
  /** LinDist3Flow: values per bus and phase. */
  readonly perPhase: boolean;
}

export interface BusCompare {
  readonly bus: string;
  readonly phase: PhaseNo;
  /** |V| in p.u. of the formulation's base: AC, and the model's sqrt(v) / v_base. */
  readonly ac: number;
  readonly model: number;
  /** ac - model. */
  readonly diff: number;
  /** AC angle, degrees. */
  readonly angle: number;
}

export interface BranchCompare {
  readonly from: string;
  readonly to: string;
  /** The phase for LinDist3Flow; 0 for the single-phase formulations (all phases summed). */
  readonly phase: number;
  /** Flow from `from` to `to` (the model's orientation, away from the root) at the `from` end, kW and kvar. */
  readonly pAc: number;
  readonly qAc: number;
  readonly pModel: number;
  readonly qModel: number;
  /** AC losses of the branch on this phase (all phases for a single-phase formulation), kW. */
  readonly lossAc: number;
}

export interface Extreme {
  readonly pu: number;
  readonly bus: string;
  readonly phase: PhaseNo;
}

export interface PeriodCheck {
  readonly period: Elem;
  readonly loadScale: number;
  /** Root voltage used in the AC power flow, p.u. */
  readonly vRootPu: number;
  readonly injections: readonly PowerFlowInjection[];
  /** Taps given to the AC power flow (data branch name -> per phase), for regulating branches (`regulate = 1`). */
  readonly taps: Readonly<Record<string, readonly number[]>>;
  /** The AC power flow's result (buses and branches as powerFlow reports them). */
  readonly ac: PowerFlowResult;
  readonly buses: readonly BusCompare[];
  readonly branches: readonly BranchCompare[];
  /** The model's predictions, kW and kvar (losses: 0 for the lossless formulations). */
  readonly model: {
    readonly losses: { readonly p: number; readonly q: number };
    readonly root: { readonly p: number; readonly q: number };
    readonly vMin?: Extreme;
    readonly vMax?: Extreme;
  };
  /** AC extremes on the formulation's bases. */
  readonly acVMin?: Extreme;
  readonly acVMax?: Extreme;
  /** The largest |AC - model| voltage difference, p.u., and where (signed diff). Absent, as the AC extremes, when the AC power flow did not converge. */
  readonly maxDiff?: { readonly abs: number; readonly diff: number; readonly bus: string; readonly phase: PhaseNo };
  /** The largest |AC - model| active flow difference, kW. */
  readonly maxFlowDiff?: { readonly abs: number; readonly diff: number; readonly from: string; readonly to: string; readonly phase: number };
  /** AC voltages outside the formulation's [v_min, v_max] (0 when the AC power flow did not converge), and the model's (should be none). */
  readonly violations: { readonly below: number; readonly above: number; readonly modelBelow: number; readonly modelAbove: number };
}

export interface InstanceCheck {
  readonly instance: FormulationInstance;
  readonly vMin: number;
  readonly vMax: number;
  readonly fixedRoot: boolean;
  readonly periods: readonly PeriodCheck[];
  /** Remarks about how the check was set up (capacitors left out, root voltages averaged, ...). */
  readonly notes: readonly string[];
}

export interface DispatchOptions {
  /** Only this period (an element of the formulations' T). */
  readonly period?: Elem;
  readonly tolerance?: number;
  readonly maxIterations?: number;
}

const KILO = 1e3;
const SQRT3 = Math.sqrt(3);

/** The member of a frame's scope by name. */
function member(frame: Frame, name: string): Member | undefined {
  return frame.scope.members.get(name);
}

function scalar(frame: Frame, name: string, dflt: number): number {
  const m = member(frame, name);
  if (!m || m.kind !== 'param') return dflt;
  const v = frame.get<ParamValue>(m as ParamMember);
  return v.num && v.num.length ? v.num[0]! : dflt;
}

function paramAt(frame: Frame, name: string, tuple: readonly Elem[]): number {
  const m = member(frame, name) as ParamMember | undefined;
  if (!m || m.kind !== 'param') throw new Error(`internal: \`${frame.prefix}${name}\` is not a parameter`);
  const v = frame.get<ParamValue>(m);
  const o = v.offsetOf(tuple);
  if (o < 0 || !v.num) throw new Error(`internal: no value of \`${frame.prefix}${name}\` at [${tuple.join(', ')}]`);
  return v.num[o]!;
}

function setOf(frame: Frame, name: string): EvSet {
  const m = member(frame, name) as SetMember | undefined;
  if (!m || m.kind !== 'set') throw new Error(`internal: \`${frame.prefix}${name}\` is not a set`);
  return frame.get<EvSet>(m);
}

/**
 * The value of a variable or expression of a frame at an index tuple, at the solution x (columns
 * in declared units), in canonical units.
 */
export function valueAt(frame: Frame, name: string, tuple: readonly Elem[], x: ArrayLike<number>): number {
  const m = member(frame, name);
  if (!m) throw new Error(`internal: \`${frame.prefix}${name}\` does not exist`);
  if (m.kind === 'var') {
    const fam = frame.get<VarFamily>(m as VarMember);
    const o = fam.offsetOf(tuple);
    if (o < 0) throw new Error(`internal: [${tuple.join(', ')}] is not an index of \`${fam.name}\``);
    return (x[fam.base + o] ?? 0) * fam.unit.factor;
  }
  if (m.kind === 'expr') {
    const e = m as ExprMember;
    if (!e.body || (e.body.t !== 'num' && e.body.t !== 'lin')) throw new Error(`internal: \`${frame.prefix}${name}\` has no value`);
    const env = new Env(frame, e.slotCount ?? 0);
    if (e.domain) {
      const sets = e.domain.bindings.map((b) => b.set(env));
      if (!bindFromTuple(e.domain, env, tuple, sets)) throw new Error(`internal: [${tuple.join(', ')}] is not an index of \`${frame.prefix}${name}\``);
    }
    if (e.body.t === 'num') return e.body.f(env);
    const acc = new EvalAcc(x);
    e.body.f(env, 1, acc);
    return acc.c;
  }
  if (m.kind === 'param') return paramAt(frame, name, tuple);
  throw new Error(`internal: \`${frame.prefix}${name}\` is a ${m.kind}, not a value`);
}

/** The same element naming as bind.ts: integer-looking bus names are numbers in the model. */
function elemOf(name: string): Elem {
  return /^-?\d+$/.test(name) && name.length < 16 ? Number(name) : name;
}

/** Every instance of a formulation in the model (world 0), with its network's file and data. */
export function findFormulations(comp: Compilation): FormulationInstance[] {
  const el = comp.elaboration;
  if (!el) return [];
  // Network frames by identity -> the file they were imported from.
  const sources = new Map<Frame, { path: string; format: 'opendss' | 'matpower' }>();
  for (const f of el.frames) {
    for (const m of f.scope.list) {
      if (m.kind !== 'instance' || !(m as InstanceMember).source) continue;
      try {
        const v = f.get<InstanceValue>(m);
        const src = (m as InstanceMember).source!;
        for (const nf of v.frames) sources.set(nf, { path: src.path, format: src.format });
      } catch {
        // a network that failed to build was reported by the compiler
      }
    }
  }
  const out: FormulationInstance[] = [];
  for (const f of el.frames) {
    const kind = f.scope.componentName as FormulationKind | undefined;
    if (!kind || !(FORMULATIONS as readonly string[]).includes(kind)) continue;
    // A user's component of the same name without the standard members is not a formulation.
    if (!['net', 'T', 'load_scale', 'p_inj', 'q_inj', 'v'].every((n) => member(f, n))) continue;
    const name = f.prefix.endsWith('.') ? f.prefix.slice(0, -1) : f.prefix;
    const netVal = f.get<InstanceValue>(member(f, 'net')!);
    const netFrame = netVal.frames[0];
    const netName = netFrame ? (netFrame.prefix.endsWith('.') ? netFrame.prefix.slice(0, -1) : netFrame.prefix) : '?';
    const T = setOf(f, 'T');
    const periods: Elem[] = [];
    for (let i = 0; i < T.size; i++) periods.push(T.at(i));
    const base = { name, kind, frame: f, netName, periods, perPhase: kind === 'LinDist3Flow', ...(netFrame ? { netFrame } : {}) };
    const source = netFrame ? sources.get(netFrame) : undefined;
    if (!source) {
      // A network built in the model (`instance n = Network(...)`): its data from the instance's arguments.
      const built = netFrame ? networkFromFrame(netFrame, netName) : { problem: 'it has no network' };
      if ('problem' in built) out.push({ ...base, problem: `its network \`${netName}\` cannot be read back for the AC power flow: ${built.problem}` });
      else out.push({ ...base, network: built.network });
      continue;
    }
    const imported = importNetwork(source.path, source.format);
    if (!imported.network) {
      out.push({ ...base, source, problem: `the network file \`${source.path}\` cannot be read${imported.missing ? `: ${imported.missing}` : ''}` });
      continue;
    }
    out.push({ ...base, source, network: imported.network });
  }
  return out;
}

/**
 * NetworkData from an instance of `Network` built in the model: buses with their phases and bases,
 * branches with their phase impedance matrices (r1, x1 when every bus has one phase), loads per
 * phase (wye, constant power), a branch with ratio != 1 as a transformer of that ratio. One phase
 * everywhere is read as a single-phase equivalent (`positiveSequence`: the bases are the voltages
 * the formulations square, powers are totals); several phases as per-phase data with
 * line-to-neutral bases, as bind.ts makes them from OpenDSS files.
 */
export function networkFromFrame(nf: Frame, name: string): { network: NetworkData } | { problem: string } {
  try {
    const busSet = setOf(nf, 'Bus'), busPhase = setOf(nf, 'BusPhase'), branchSet = setOf(nf, 'Branch'), branchPhase = setOf(nf, 'BranchPhase');
    const rootElem = (nf.get<ParamValue>(member(nf, 'root')! as ParamMember).elems ?? [])[0];
    if (rootElem === undefined) return { problem: 'it has no root' };
    const phases = new Map<Elem, PhaseNo[]>();
    for (let i = 0; i < busPhase.size; i++) {
      const b = busPhase.at(i, 0), p = busPhase.at(i, 1);
      if (p !== 1 && p !== 2 && p !== 3) return { problem: `phase \`${elemText(p)}\` of bus \`${elemText(b)}\` is not 1, 2 or 3` };
      if (!phases.has(b)) phases.set(b, []);
      phases.get(b)!.push(p);
    }
    const single = [...phases.values()].every((ps) => ps.length === 1);
    const kv = (b: Elem) => (paramAt(nf, 'v_base', [b]) / KILO) * (single ? 1 : SQRT3);
    const buses = [];
    for (let i = 0; i < busSet.size; i++) {
      const b = busSet.at(i);
      const ps = (phases.get(b) ?? []).sort((x, y) => x - y);
      if (!ps.length) return { problem: `bus \`${elemText(b)}\` has no phase in BusPhase` };
      buses.push({ name: elemText(b), phases: ps, kvBase: kv(b) });
    }
    const brPhases = new Map<string, PhaseNo[]>();
    for (let i = 0; i < branchPhase.size; i++) {
      const k = `${elemText(branchPhase.at(i, 0))}\u0000${elemText(branchPhase.at(i, 1))}`;
      if (!brPhases.has(k)) brPhases.set(k, []);
      brPhases.get(k)!.push(branchPhase.at(i, 2) as PhaseNo);
    }
    const coupling = setOf(nf, 'Coupling');
    const branches = [];
    for (let i = 0; i < branchSet.size; i++) {
      const f = branchSet.at(i, 0), t = branchSet.at(i, 1);
      const ps = (brPhases.get(`${elemText(f)}\u0000${elemText(t)}`) ?? []).sort((x, y) => x - y);
      if (!ps.length) return { problem: `branch (${elemText(f)}, ${elemText(t)}) has no phase in BranchPhase` };
      const mat = (which: 'r' | 'x') => {
        if (single) return [[paramAt(nf, `${which}1`, [f, t])]];
        return ps.map((p) => ps.map((q) => (coupling.posTuple([f, t, p, q], 0) >= 0 ? paramAt(nf, which, [f, t, p, q]) : 0)));
      };
      const ratio = paramAt(nf, 'ratio', [f, t]);
      const common = { name: `branch (${elemText(f)}, ${elemText(t)})`, from: elemText(f), to: elemText(t), phases: ps, r: mat('r'), x: mat('x') };
      if (Math.abs(ratio - 1) > 1e-12) branches.push({ ...common, kind: 'transformer' as const, kvFrom: kv(f), kvTo: ratio * kv(f), tap: 1 });
      else branches.push({ ...common, kind: 'line' as const });
    }
    const loads = [];
    for (let i = 0; i < busPhase.size; i++) {
      const b = busPhase.at(i, 0), p = busPhase.at(i, 1) as PhaseNo;
      const pl = paramAt(nf, 'p_load', [b, p]) / KILO, ql = paramAt(nf, 'q_load', [b, p]) / KILO;
      if (pl || ql) loads.push({ name: `load ${elemText(b)}.${p}`, bus: elemText(b), conn: 'wye' as const, phases: [p], p: [pl], q: [ql], model: 1 });
    }
    const network: NetworkData = {
      name, root: elemText(rootElem), vRootPu: scalar(nf, 'v_root', 1), kvaBase: scalar(nf, 's_base', 1e6) / KILO, frequency: 60,
      buses, branches, loads, capacitors: [], generators: [], unsupported: [], ...(single ? { positiveSequence: true } : {}),
    };
    return { network };
  } catch (e) {
    return { problem: (e as Error).message };
  }
}

/** The AC check of every formulation instance at the solution x, for every period (or `opts.period`). */
export function checkDispatch(instances: readonly FormulationInstance[], x: ArrayLike<number>, opts: DispatchOptions = {}): InstanceCheck[] {
  return instances.filter((i) => i.network && !i.problem).map((i) => checkInstance(i, x, opts));
}

function checkInstance(inst: FormulationInstance, x: ArrayLike<number>, opts: DispatchOptions): InstanceCheck {
  const f = inst.frame, nf = inst.netFrame!, net = inst.network!;
  const seq = net.positiveSequence === true;
  const notes: string[] = [];
  const vMinLim = scalar(f, 'v_min', 0.95), vMaxLim = scalar(f, 'v_max', 1.05);
  // SensitivityFlow has no fixed_root: its root voltage is always the network's.
  const fixedRoot = scalar(f, 'fixed_root', 1) === 1;
  const perPhase = inst.perPhase;

  const busSet = setOf(nf, 'Bus');
  const busPhase = setOf(nf, 'BusPhase');
  const branchSet = setOf(nf, 'Branch');
  const branchPhase = setOf(nf, 'BranchPhase');
  const rootElem = (nf.get<ParamValue>(member(nf, 'root')! as ParamMember).elems ?? [])[0]!;
  const nameOf = new Map<Elem, string>(net.buses.map((b) => [elemOf(b.name), b.name]));
  const busName = (e: Elem) => nameOf.get(e) ?? elemText(e);
  const vBase = new Map<Elem, number>();
  for (let i = 0; i < busSet.size; i++) vBase.set(busSet.at(i), paramAt(nf, 'v_base', [busSet.at(i)]));
  // The single-phase formulations' voltages are on net.v_base1 (line to line on three-phase data).
  const vBaseModel = perPhase ? vBase : new Map([...vBase.keys()].map((b) => [b, paramAt(nf, 'v_base1', [b])]));
  const phasesOf = new Map(net.buses.map((b) => [b.name, b.phases]));

  // Nominal totals of the loads the formulation balances (W, var).
  let loadP = 0, loadQ = 0;
  for (let i = 0; i < busPhase.size; i++) {
    loadP += paramAt(nf, 'p_load', busPhase.tuple(i));
    loadQ += paramAt(nf, 'q_load', busPhase.tuple(i));
  }

  if (net.capacitors.length) {
    const q = net.capacitors.reduce((s, c) => s + c.q.reduce((a, b) => a + b, 0), 0);
    notes.push(`the network's ${net.capacitors.length} shunt capacitor${net.capacitors.length === 1 ? '' : 's'} (${num(q)} kvar rated) ${net.capacitors.length === 1 ? 'is' : 'are'} not part of ${inst.kind} and left out of the AC power flow too: ${inst.kind} sees them only through q_inj`);
  }
  if (!seq && !perPhase) {
    notes.push(`${inst.kind} is a single-phase formulation on three-phase data: each bus's injection is spread evenly over its phases, and every phase's AC voltage is compared with the bus's one model voltage`);
  }
  const acNet: NetworkData = { ...net, capacitors: [] };

  // The model's voltages: (bus) or (bus, phase) keys with the value's tuple prefix.
  const vKeys: { bus: Elem; phase?: PhaseNo }[] = [];
  if (perPhase) for (let i = 0; i < busPhase.size; i++) vKeys.push({ bus: busPhase.at(i, 0), phase: busPhase.at(i, 1) as PhaseNo });
  else for (let i = 0; i < busSet.size; i++) vKeys.push({ bus: busSet.at(i) });
  const injKeys = vKeys;
  const flowKeys: { from: Elem; to: Elem; phase?: number }[] = [];
  if (perPhase) for (let i = 0; i < branchPhase.size; i++) flowKeys.push({ from: branchPhase.at(i, 0), to: branchPhase.at(i, 1), phase: branchPhase.at(i, 2) as number });
  else for (let i = 0; i < branchSet.size; i++) flowKeys.push({ from: branchSet.at(i, 0), to: branchSet.at(i, 1) });
  const hasLossExpr = !!member(f, 'losses');
  // Regulating branches (LinDist3Flow's `regulate = 1`): the model chose each phase's ratio a in its
  // range, v_j = a^2 v_i - drop. The AC power flow gets the data tap that gives that ratio: the
  // formulation's fixed ratio net.ratio corresponds to the data's tap (bind.ts), so the tap is
  // scaled by a / ratio (by ratio / a for a branch whose data orientation is reversed).
  const regulating: { i: Elem; j: Elem; ratio: number; data: NetworkData['branches'][number][]; phases: PhaseNo[] }[] = [];
  if (scalar(f, 'regulate', 0) === 1 && member(nf, 'Tap')) {
    const tapSet = setOf(nf, 'Tap');
    if (tapSet.size && !member(f, 'drop')) notes.push('the formulation regulates taps but has no `drop` expression to read the ratios back from: the AC power flow uses the data\'s taps');
    else {
      for (let k = 0; k < tapSet.size; k++) {
        const i = tapSet.at(k, 0), j = tapSet.at(k, 1), I = busName(i), J = busName(j);
        const data = net.branches.filter((b) => !b.open && (b.kind === 'transformer' || b.kind === 'regulator') && ((b.from === I && b.to === J) || (b.from === J && b.to === I)));
        const phases = perPhase ? [...new Set(data.flatMap((b) => b.phases))] : [0 as PhaseNo];
        if (data.length) regulating.push({ i, j, ratio: paramAt(nf, 'ratio', [i, j]), data, phases });
      }
      if (regulating.length) notes.push(`the taps of ${regulating.map((r) => `(${busName(r.i)}, ${busName(r.j)})`).join(', ')} regulate (regulate = 1): the AC power flow takes the model's ratios sqrt((v_j + drop) / v_i)`);
    }
  }

  const periods = opts.period !== undefined ? inst.periods.filter((p) => p === opts.period) : inst.periods;
  const rootSpread: number[] = [];
  // Model voltages without an AC counterpart (bind.ts puts split-phase secondaries on their primary's phase).
  const unmatched = new Set<string>();
  const out: PeriodCheck[] = periods.map((t) => {
    const key = (k: { bus: Elem; phase?: PhaseNo }) => (k.phase !== undefined ? [k.bus, k.phase, t] : [k.bus, t]);
    const loadScale = paramAt(f, 'load_scale', [t]);
    // Model voltages, p.u. of v_base.
    const vModel = vKeys.map((k) => Math.sqrt(Math.max(0, valueAt(f, 'v', key(k), x))) / vBaseModel.get(k.bus)!);
    // Root voltage.
    let vRootPu = net.vRootPu;
    if (!fixedRoot) {
      const r = vKeys.map((k, i) => (k.bus === rootElem ? vModel[i]! : NaN)).filter((v) => !Number.isNaN(v));
      vRootPu = r.reduce((a, b) => a + b, 0) / r.length;
      rootSpread.push(Math.max(...r) - Math.min(...r));
    }
    // Injections, kW and kvar; the root's is the model's supply.
    const injections: PowerFlowInjection[] = [];
    let rootP = 0, rootQ = 0, injP = 0, injQ = 0;
    for (const k of injKeys) {
      const p = valueAt(f, 'p_inj', key(k), x) / KILO, q = valueAt(f, 'q_inj', key(k), x) / KILO;
      injP += p;
      injQ += q;
      if (k.bus === rootElem) {
        rootP += p;
        rootQ += q;
        continue;
      }
      if (Math.abs(p) < 1e-9 && Math.abs(q) < 1e-9) continue;
      const bus = busName(k.bus);
      if (k.phase !== undefined || seq) {
        injections.push({ bus, phase: (k.phase ?? phasesOf.get(bus)?.[0] ?? 1) as PhaseNo, p, q });
      } else {
        const ph = phasesOf.get(bus) ?? [1 as PhaseNo];
        for (const phase of ph) injections.push({ bus, phase, p: p / ph.length, q: q / ph.length });
      }
    }
    const taps: Record<string, number[]> = {};
    for (const r of regulating) {
      const ratioOf = (p: PhaseNo) => {
        const kv = (b: Elem) => (perPhase ? [b, p, t] : [b, t]);
        const vi = valueAt(f, 'v', kv(r.i), x), vj = valueAt(f, 'v', kv(r.j), x);
        const drop = valueAt(f, 'drop', perPhase ? [r.i, r.j, p, t] : [r.i, r.j, t], x);
        return Math.sqrt(Math.max(0, (vj + drop) / vi));
      };
      const a = new Map(r.phases.map((p) => [p, ratioOf(p)]));
      for (const b of r.data) {
        const tap0 = b.tap ?? 1, flipped = b.from !== busName(r.i);
        taps[b.name] = b.phases.map((p) => {
          const ap = a.get(perPhase ? p : (0 as PhaseNo))!;
          return flipped ? (tap0 * r.ratio) / ap : (tap0 * ap) / r.ratio;
        });
      }
    }
    const ac = powerFlow({ ...acNet, vRootPu }, {
      injections, loadScale, ...(regulating.length ? { taps } : {}),
      ...(opts.tolerance !== undefined ? { tolerance: opts.tolerance } : {}),
      ...(opts.maxIterations !== undefined ? { maxIterations: opts.maxIterations } : {}),
    });
    // Model losses: what the injections supply beyond the loads (the `losses` expression where there is one).
    // Model losses: 0 for the lossless formulations; DistFlow's `losses`, and for reactive power
    // what the injections supply beyond the loads.
    const losses = inst.kind !== 'DistFlow' ? { p: 0, q: 0 } : {
      p: hasLossExpr ? valueAt(f, 'losses', [t], x) / KILO : injP - (loadP * loadScale) / KILO,
      q: injQ - (loadQ * loadScale) / KILO,
    };
    // Voltages, on the formulation's bases.
    const acBus = new Map(ac.buses.map((b) => [b.name, b]));
    const buses: BusCompare[] = [];
    vKeys.forEach((k, i) => {
      const name = busName(k.bus), b = acBus.get(name);
      if (!b || (k.phase !== undefined && !b.phases.includes(k.phase))) unmatched.add(`${name}${k.phase !== undefined ? `.${k.phase}` : ''}`);
      if (!b) return;
      const conv = (b.kvBase * KILO) / (seq ? 1 : SQRT3) / vBase.get(k.bus)!;
      b.phases.forEach((p, j) => {
        if (k.phase !== undefined && p !== k.phase) return;
        const a = b.vm[j]! * conv;
        buses.push({ bus: name, phase: p, ac: a, model: vModel[i]!, diff: a - vModel[i]!, angle: b.va[j]! });
      });
    });
    // Flows, in the model's orientation.
    const acBr = new Map<string, typeof ac.branches[number][]>();
    for (const b of ac.branches) {
      for (const k of [`${b.from}\u0000${b.to}`, `${b.to}\u0000${b.from}`]) {
        if (!acBr.has(k)) acBr.set(k, []);
        acBr.get(k)!.push(b);
      }
    }
    const branches: BranchCompare[] = flowKeys.map((k) => {
      const from = busName(k.from), to = busName(k.to);
      let pAc = 0, qAc = 0, lossAc = 0;
      for (const b of acBr.get(`${from}\u0000${to}`) ?? []) {
        const fwd = b.from === from;
        b.phases.forEach((p, j) => {
          if (k.phase !== undefined && p !== k.phase) return;
          pAc += fwd ? b.p[j]! : -b.pTo[j]!;
          qAc += fwd ? b.q[j]! : -b.qTo[j]!;
          lossAc += b.p[j]! - b.pTo[j]!;
        });
      }
      const tk = k.phase !== undefined ? [k.from, k.to, k.phase, t] : [k.from, k.to, t];
      return { from, to, phase: k.phase ?? 0, pAc, qAc, pModel: valueAt(f, 'P', tk, x) / KILO, qModel: valueAt(f, 'Q', tk, x) / KILO, lossAc };
    });
    const ext = (vals: { pu: number; bus: string; phase: PhaseNo }[], lo: boolean): Extreme | undefined =>
      vals.reduce<Extreme | undefined>((w, v) => (!w || (lo ? v.pu < w.pu : v.pu > w.pu) ? v : w), undefined);
    const modelVals = vKeys.map((k, i) => ({ pu: vModel[i]!, bus: busName(k.bus), phase: (k.phase ?? phasesOf.get(busName(k.bus))?.[0] ?? 1) as PhaseNo }));
    const acVals = buses.map((b) => ({ pu: b.ac, bus: b.bus, phase: b.phase }));
    let maxDiff: PeriodCheck['maxDiff'];
    for (const b of buses) if (!maxDiff || Math.abs(b.diff) > maxDiff.abs) maxDiff = { abs: Math.abs(b.diff), diff: b.diff, bus: b.bus, phase: b.phase };
    let maxFlowDiff: PeriodCheck['maxFlowDiff'];
    for (const b of branches) {
      const d = b.pAc - b.pModel;
      if (!maxFlowDiff || Math.abs(d) > maxFlowDiff.abs) maxFlowDiff = { abs: Math.abs(d), diff: d, from: b.from, to: b.to, phase: b.phase };
    }
    // The AC side of a period that did not converge is the last iterate, not a solution: no extremes or differences.
    const solved = ac.converged;
    const eps = 1e-9;
    const violations = {
      below: solved ? acVals.filter((v) => v.pu < vMinLim - eps).length : 0,
      above: solved ? acVals.filter((v) => v.pu > vMaxLim + eps).length : 0,
      modelBelow: modelVals.filter((v) => v.pu < vMinLim - 1e-6).length,
      modelAbove: modelVals.filter((v) => v.pu > vMaxLim + 1e-6).length,
    };
    return {
      period: t, loadScale, vRootPu, injections, taps, ac, buses, branches,
      model: { losses, root: { p: rootP, q: rootQ }, ...optional('vMin', ext(modelVals, true)), ...optional('vMax', ext(modelVals, false)) },
      ...(solved ? { ...optional('acVMin', ext(acVals, true)), ...optional('acVMax', ext(acVals, false)), ...optional('maxDiff', maxDiff), ...optional('maxFlowDiff', maxFlowDiff) } : {}),
      violations,
    };
  });
  if (unmatched.size) {
    const ex = [...unmatched].slice(0, 3).join(', ');
    notes.push(`${unmatched.size} of the model's voltages have no AC counterpart (for example ${ex}) and are not compared: the formulation's network is not the file's there (split-phase secondaries are modelled on their primary's phase)`);
  }
  const spread = Math.max(0, ...rootSpread);
  if (spread > 1e-6) notes.push(`the model's root voltages differ between the phases (by up to ${num(spread)} p.u.); the AC power flow takes their mean`);
  if (!fixedRoot) notes.push(`the root voltage is free (fixed_root = 0): the AC power flow takes the model's sqrt(v[root, t]) / v_base`);
  return { instance: inst, vMin: vMinLim, vMax: vMaxLim, fixedRoot, periods: out, notes };
}

function optional<K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [k]: v }) as { [P in K]?: V };
}

function num(v: number): string {
  return Math.abs(v) >= 1e-4 && Math.abs(v) < 1e9 ? String(Number(v.toPrecision(6))) : v.toExponential(3);
}
