// AC power flow on a radial NetworkData by backward/forward sweep (current summation), single- and
// multi-phase with the full phase impedance matrices, and the LinDistFlow / LinDist3Flow linear
// approximation on the same data for comparison.
//
// Per unit. Everything is solved per phase in per unit:
//   S_base = kvaBase / 3 per phase, V_base = kvBase / sqrt(3) (line to neutral) at each bus,
//   Z_base = kvBase^2 * 1000 / kvaBase ohm, I_base = kvaBase / (sqrt(3) * kvBase) A.
// Powers in NetworkData are per phase (OpenDSS) so p [p.u.] = p / (kvaBase / 3) — except for
// `positiveSequence` data (MATPOWER), whose phase 1 stands for a balanced three-phase network with
// three-phase totals: there p [p.u.] = p / kvaBase (the same per-phase value, since each phase
// carries a third). Results convert back the same way, so they are per phase for per-phase data
// and three-phase totals (MATPOWER's MW) for positive-sequence data; currents are line currents in
// A either way, and voltage magnitudes are in p.u. of the bus's line-to-neutral base, i.e. of
// kvBase for positive-sequence data.
//
// Bases down the tree: the root's kvBase (or, if it has none, the from-winding kV of a transformer
// leaving it); a line or switch keeps its parent's base (a different kvBase given at its far end
// is reported and overridden); a transformer or regulator leads to its far bus's kvBase if given,
// else to the parent's base times the winding ratio. A transformer is an ideal transformer at its
// `from` end followed by its series impedance (in ohm, referred to the `to` side, so per unit on
// the `to` bus's base):  V_to = a V_from - Z I,  I_from = conj(a) I,  with per phase
//   a = tap * (kvTo / base_to) / (kvFrom / base_from)
// (the off-nominal ratio of the windings to the bus bases; a winding kV within 3 % of base / sqrt(3)
// is read as a line-to-neutral rating of a single-phase winding), tap from `opts.taps`, else the
// branch's `tap`, else 1: V_to = tap * V_from at no load (raising the tap raises the far side). A
// delta-wye or wye-delta transformer adds the ANSI 30 degree shift (the low-voltage side lags); it
// is still modelled phase by phase, so zero-sequence currents are not blocked. A branch whose `to`
// end is upstream is swept in reverse (a' = 1/a, Z' = a^-1 Z a^-H).
//
// A centre-tapped service transformer (`phasesTo`, model.ts) feeds its secondary legs from its one
// primary phase: V_leg1 = a V_p - (Z I)_1, V_leg2 = -a V_p - (Z I)_2 (leg 2 in opposition), and
// the primary draws conj(a) (I_1 - I_2).
//
// Radial means a tree over the closed branches, except that branches joining the same two buses on
// disjoint phases (a bank of single-phase regulators, as in IEEE 13) are one tree branch, with a
// block-diagonal impedance; results are still reported per branch of the data.
//
// Elements: constant-power loads (wye: phase to neutral; delta: between phase p and p+1, labelled
// p), OpenDSS models 2 (constant impedance) and 5 (constant current magnitude) scaled by |V| / V_nom
// with V_nom the load's kv (line to line for delta and multi-phase loads, line to neutral for
// single-phase wye ones) or the bus's nominal; capacitors as constant impedances delivering their
// rated kvar at their rated kv; line charging (b) as half the shunt susceptance matrix at each
// end; `opts.injections` as constant-power injections (positive = generation). Generators of the
// data are data only: give their output as injections.
//
// Each iteration is one backward sweep (load currents, summed from the leaves up) and one forward
// sweep (voltages from the root down), linear in the number of buses; it stops when no phase voltage
// changes by more than the tolerance. Never throws: problems come back as messages with a status.

import type { NetBranch, NetworkData, PhaseNo } from './model.js';

export interface PowerFlowInjection {
  readonly bus: string;
  readonly phase: PhaseNo;
  /** kW and kvar, positive = generation (for positive-sequence data: three-phase totals). */
  readonly p: number;
  readonly q?: number;
}

export interface PowerFlowOptions {
  /** Largest change of any phase voltage between two iterations at which to stop, p.u. (default 1e-9). */
  readonly tolerance?: number;
  /** Default 100. */
  readonly maxIterations?: number;
  readonly injections?: readonly PowerFlowInjection[];
  /** Taps by branch name (V_to = tap * V_from at no load): one for all phases, or one per phase of the branch. */
  readonly taps?: Readonly<Record<string, number | readonly number[]>>;
  /** Multiplies every load (not capacitors or injections); default 1. */
  readonly loadScale?: number;
}

export interface PowerFlowMessage {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly element?: string;
  readonly file?: string;
  readonly line?: number;
}

export interface BusResult {
  readonly name: string;
  readonly phases: readonly PhaseNo[];
  /** Voltage magnitude, p.u. of the bus's line-to-neutral base, per phase. */
  readonly vm: readonly number[];
  /** Voltage angle, degrees, per phase. */
  readonly va: readonly number[];
  /** The bus's line-to-line base, kV, as used (see the header). */
  readonly kvBase: number;
}

export interface BranchResult {
  readonly name: string;
  readonly kind: NetBranch['kind'];
  readonly from: string;
  readonly to: string;
  /** The phases the values below are for: the branch's phases, or for a centre-tapped transformer its secondary legs (`phasesTo`). */
  readonly phases: readonly PhaseNo[];
  /** Complex power flowing into the branch at its `from` end, per phase, kW and kvar. */
  readonly p: readonly number[];
  readonly q: readonly number[];
  /** Complex power the branch delivers into its `to` bus, per phase. */
  readonly pTo: readonly number[];
  readonly qTo: readonly number[];
  /** Current through the series impedance from `from` to `to`, A (on the `to` side for a transformer), magnitude and angle. */
  readonly i: readonly number[];
  readonly iAngle: readonly number[];
  /** Losses of the branch (all phases), kW and kvar. */
  readonly lossP: number;
  readonly lossQ: number;
  /** Largest phase current over the ampacity, where the data gives one. */
  readonly loading?: number;
}

export type PowerFlowStatus = 'converged' | 'max-iterations' | 'diverged' | 'invalid';

export interface PowerFlowResult {
  readonly converged: boolean;
  readonly status: PowerFlowStatus;
  readonly iterations: number;
  /** Largest voltage change of the last iteration, p.u. */
  readonly maxChange: number;
  readonly positiveSequence: boolean;
  readonly buses: readonly BusResult[];
  readonly branches: readonly BranchResult[];
  /** Total losses, kW and kvar (for positive-sequence data, three-phase totals). */
  readonly losses: { readonly p: number; readonly q: number };
  /** Power into the network at the root (the substation's output). */
  readonly source: { readonly p: number; readonly q: number };
  /** Power consumed by the loads at the solution's voltages; reactive power delivered by the capacitors; the injections. */
  readonly load: { readonly p: number; readonly q: number };
  readonly capacitorQ: number;
  readonly injected: { readonly p: number; readonly q: number };
  readonly vMin: { readonly pu: number; readonly bus: string; readonly phase: PhaseNo } | undefined;
  readonly vMax: { readonly pu: number; readonly bus: string; readonly phase: PhaseNo } | undefined;
  /** Buses not connected to the root through closed branches (not solved). */
  readonly islanded: readonly string[];
  readonly messages: readonly PowerFlowMessage[];
  readonly timeMs: number;
}

const SQRT3 = Math.sqrt(3);
const DEG = Math.PI / 180;

// ---------------------------------------------------------------------------------------------
// The tree and its per-unit data, shared by the AC sweep and LinDistFlow

interface Prepared {
  readonly net: NetworkData;
  readonly nBus: number;
  /** Bus names by index, and the phase slots present (bit k = phase k+1). */
  readonly names: string[];
  readonly mask: Uint8Array;
  readonly kvLL: Float64Array;
  /** Buses in breadth-first order from the root (order[0] = root), and each bus's parent bus and tree branch (index into `tb`). */
  readonly order: Int32Array;
  readonly parent: Int32Array;
  readonly parentTb: Int32Array;
  /** Tree branches, oriented parent -> child. */
  readonly tb: Tree;
  /** Per-phase elements at buses: loads, capacitors and injections as one list of constant-P/Z/I terms. */
  readonly el: Elements;
  readonly sUnit: number;
  /** Nominal angle of each bus slot, radians: the root's phases at 0, -120, +120 degrees (plus its angle), carried through the ratios a. */
  readonly theta: Float64Array;
  readonly vRoot: { re: number; im: number }[];
  readonly messages: PowerFlowMessage[];
  readonly islanded: string[];
  readonly ok: boolean;
}

/**
 * The tree branches, oriented parent -> child, as flat arrays (one typed array per field, not per
 * branch: small typed arrays are expensive to allocate). Tree branch t is one data branch, or
 * several joining the same two buses on disjoint phases; it has np[t] phases whose slots (phase - 1)
 * are slots[3t..3t+np) at the child and pslots[3t..3t+np) at the parent (the same, except for the
 * legs of a centre-tapped transformer, both fed from its primary phase), and per phase the ratio a
 * (oriented; the second leg of a centre tap has -a), a of the data's orientation, whether
 * that data branch is reversed (its `to` end upstream) and its `to`-side current base (A) at
 * [3t + i]; the oriented series impedance Z' in p.u. and half the shunt susceptance (when hasB[t])
 * row-major np x np at [9t + i np + j]. Member m is data branch memberK[m], on phases
 * [memberOff[m], + its phases) of tree branch memberTb[m].
 */
interface Tree {
  m: number;
  child: Int32Array;
  parentBus: Int32Array;
  np: Uint8Array;
  slots: Int8Array;
  pslots: Int8Array;
  aRe: Float64Array;
  aIm: Float64Array;
  aDataRe: Float64Array;
  aDataIm: Float64Array;
  revPh: Uint8Array;
  iBaseTo: Float64Array;
  zRe: Float64Array;
  zIm: Float64Array;
  hasB: Uint8Array;
  b2: Float64Array;
  members: number;
  memberK: Int32Array;
  memberOff: Int32Array;
  memberTb: Int32Array;
}

function newTree(m: number, branches = m): Tree {
  return {
    m: 0, child: new Int32Array(m), parentBus: new Int32Array(m), np: new Uint8Array(m),
    slots: new Int8Array(3 * m), pslots: new Int8Array(3 * m), aRe: new Float64Array(3 * m), aIm: new Float64Array(3 * m), aDataRe: new Float64Array(3 * m), aDataIm: new Float64Array(3 * m),
    revPh: new Uint8Array(3 * m), iBaseTo: new Float64Array(3 * m),
    zRe: new Float64Array(9 * m), zIm: new Float64Array(9 * m), hasB: new Uint8Array(m), b2: new Float64Array(9 * m),
    members: 0, memberK: new Int32Array(branches), memberOff: new Int32Array(branches), memberTb: new Int32Array(branches),
  };
}

interface Elements {
  n: number;
  bus: Int32Array;
  /** Slot of the phase, and of the second phase for delta elements (-1 for wye). */
  s1: Int8Array;
  s2: Int8Array;
  p: Float64Array;
  q: Float64Array;
  /** Exponent of |V| / V_nom in S = S0 (|V| / V_nom)^k: 0 constant power, 1 constant current, 2 constant impedance. */
  k: Uint8Array;
  vn: Float64Array;
  /** 0 load, 1 capacitor, 2 injection. */
  kind: Uint8Array;
}

function phaseOffsetDeg(slot: number): number {
  return slot === 0 ? 0 : slot === 1 ? -120 : 120;
}

function prepare(net: NetworkData, opts: { injections?: readonly PowerFlowInjection[]; taps?: PowerFlowOptions['taps']; loadScale?: number }): Prepared {
  const messages: PowerFlowMessage[] = [];
  const msg = (severity: PowerFlowMessage['severity'], message: string, element?: string): void => {
    const o = element ? net.origin?.get(element) : undefined;
    messages.push({ severity, message, ...(element ? { element } : {}), ...(o ? { file: o.file, line: o.line } : {}) });
  };
  const nBus = net.buses.length;
  const names = net.buses.map((b) => b.name);
  const index = new Map<string, number>();
  net.buses.forEach((b, k) => {
    if (index.has(b.name)) msg('error', `bus \`${b.name}\` is defined twice`, b.name);
    else index.set(b.name, k);
  });
  const positiveSequence = net.positiveSequence === true;
  const sUnit = positiveSequence ? net.kvaBase : net.kvaBase / 3;
  const empty = (): Prepared => ({
    net, nBus, names, mask: new Uint8Array(nBus), kvLL: new Float64Array(nBus), order: new Int32Array(0), parent: new Int32Array(nBus).fill(-1), parentTb: new Int32Array(nBus).fill(-1),
    tb: newTree(0), el: emptyElements(), sUnit, theta: new Float64Array(nBus * 3), vRoot: [], messages, islanded: [], ok: false,
  });
  if (!(net.kvaBase > 0)) {
    msg('error', `the network's kvaBase must be positive, not ${net.kvaBase}`);
    return empty();
  }
  const root = index.get(net.root);
  if (root === undefined) {
    msg('error', `the root bus \`${net.root}\` is not among the network's buses`);
    return empty();
  }
  if (!(net.vRootPu > 0) || !Number.isFinite(net.vRootPu)) {
    msg('error', `the root voltage must be a positive number of p.u., not ${net.vRootPu}`);
    return empty();
  }

  // Adjacency over closed branches (CSR); each branch's end buses by index.
  const closed: number[] = [];
  const fromOf = new Int32Array(net.branches.length).fill(-1), toOf = new Int32Array(net.branches.length).fill(-1);
  net.branches.forEach((br, k) => {
    if (br.open) return;
    const f = index.get(br.from), t = index.get(br.to);
    if (f !== undefined) fromOf[k] = f;
    if (t !== undefined) toOf[k] = t;
    if (f === undefined || t === undefined) {
      msg('error', `${br.name} connects to the unknown bus \`${f === undefined ? br.from : br.to}\``, br.name);
      return;
    }
    if (f === t) {
      msg('error', `${br.name} connects bus \`${br.from}\` to itself`, br.name);
      return;
    }
    closed.push(k);
  });
  const deg = new Int32Array(nBus + 1);
  for (const k of closed) {
    deg[fromOf[k]! + 1]!++;
    deg[toOf[k]! + 1]!++;
  }
  for (let b = 0; b < nBus; b++) deg[b + 1]! += deg[b]!;
  const adjBr = new Int32Array(deg[nBus]!), adjBus = new Int32Array(deg[nBus]!);
  const fill = deg.slice(0, nBus);
  for (const k of closed) {
    const f = fromOf[k]!, t = toOf[k]!;
    adjBr[fill[f]!] = k; adjBus[fill[f]!++] = t;
    adjBr[fill[t]!] = k; adjBus[fill[t]!++] = f;
  }

  // Breadth-first from the root: the tree, and the branches closing loops. Branches joining the same
  // two buses on disjoint phases (a bank of single-phase regulators, say) are one tree branch.
  const order = new Int32Array(nBus);
  const parent = new Int32Array(nBus).fill(-1), parentBr = new Int32Array(nBus).fill(-1);
  const group: number[][] = new Array<number[]>(nBus);
  const groupMask = new Uint8Array(nBus);
  const seen = new Uint8Array(nBus);
  const loops: number[] = [];
  const brMask = (br: NetBranch) => br.phases.reduce((m, p) => m | (1 << (p - 1)), 0);
  // The phases a branch feeds at its child end: `phasesTo` for a centre tap fed from its `from` end.
  const childMask = (br: NetBranch) => (br.phasesTo ?? br.phases).reduce((m, p) => m | (1 << (p - 1)), 0);
  let n = 0;
  order[n++] = root;
  seen[root] = 1;
  for (let h = 0; h < n; h++) {
    const b = order[h]!;
    for (let e = deg[b]!; e < deg[b + 1]!; e++) {
      const k = adjBr[e]!, o = adjBus[e]!;
      if (parentBr[b] >= 0 && group[b]!.includes(k)) continue;
      if (seen[o]) {
        const m = childMask(net.branches[k]!);
        if (parent[o] === b && !(groupMask[o]! & m) && !group[o]!.includes(k) && !net.branches[k]!.phasesTo && !net.branches[group[o]![0]!]!.phasesTo) {
          group[o]!.push(k);
          groupMask[o]! |= m;
          continue;
        }
        if (parent[o] === b && group[o]!.includes(k)) continue;
        // Each loop-closing branch is met from both ends; keep it once.
        if (fromOf[k] === b) loops.push(k);
        continue;
      }
      seen[o] = 1;
      parent[o] = b;
      parentBr[o] = k;
      group[o] = [k];
      groupMask[o] = childMask(net.branches[k]!);
      order[n++] = o;
    }
  }
  if (loops.length) {
    // Each loop: the closing branch and the tree paths from its two ends up to their common ancestor.
    const depth = new Int32Array(nBus);
    for (let h = 1; h < n; h++) depth[order[h]!] = depth[parent[order[h]!]!]! + 1;
    const loopOf = (k: number): string[] => {
      let u = fromOf[k]!, v = toOf[k]!;
      const left: number[] = [], right: number[] = [];
      while (u !== v) {
        if (depth[u]! >= depth[v]!) { left.push(parentBr[u]!); u = parent[u]!; }
        else { right.push(parentBr[v]!); v = parent[v]!; }
      }
      return [...left, ...right.reverse(), k].map((x) => net.branches[x]!.name);
    };
    const described = loops.slice(0, 3).map((k) => {
      const l = loopOf(k);
      return `${net.branches[k]!.name} closes the loop ${l.slice(0, 12).join(', ')}${l.length > 12 ? `, ... (${l.length} branches)` : ''}`;
    });
    msg('error', `the closed branches are not radial: ${loops.length === 1 ? '1 branch closes a loop' : `${loops.length} branches close loops`}: ${described.join('; ')}${loops.length > 3 ? '; ...' : ''} — open one branch of each loop (a tie line or switch) to solve the feeder by a sweep`, net.branches[loops[0]!]!.name);
    return empty();
  }
  const islanded = names.filter((_, b) => !seen[b]);
  if (islanded.length) msg('warning', `${islanded.length} bus${islanded.length === 1 ? ' is' : 'es are'} not connected to the root through closed branches and not solved: ${islanded.slice(0, 8).map((s) => `\`${s}\``).join(', ')}${islanded.length > 8 ? ', ...' : ''}`);

  // Phases: the root's own, then each bus those of the branches feeding it.
  const mask = new Uint8Array(nBus);
  const declared = (b: number) => net.buses[b]!.phases.reduce((m, p) => m | (1 << (p - 1)), 0);
  mask[root] = declared(root);
  if (!mask[root]) for (let e = deg[root]!; e < deg[root + 1]!; e++) mask[root]! |= brMask(net.branches[adjBr[e]!]!);
  let ok = true;
  for (let h = 1; h < n; h++) {
    const b = order[h]!, pm = mask[parent[b]!]!;
    let m = 0, need = 0;
    const names_ = () => group[b]!.map((k) => net.branches[k]!.name).join(', ');
    for (const k of group[b]!) {
      const br = net.branches[k]!;
      const legs = br.phasesTo;
      const nz = (legs ?? br.phases).length;
      if (!br.phases.length || br.r.length !== nz || br.x.length !== nz || br.r.some((row) => row.length !== nz) || br.x.some((row) => row.length !== nz)) {
        msg('error', `${br.name} has ${nz} ${legs ? 'secondary leg' : 'phase'}${nz === 1 ? '' : 's'} but ${br.r.length}x${br.r[0]?.length ?? 0} r and ${br.x.length}x${br.x[0]?.length ?? 0} x matrices`, br.name);
        ok = false;
      }
      for (const ps of legs ? [br.phases, legs] : [br.phases]) {
        if (new Set(ps).size !== ps.length || ps.some((p) => p !== 1 && p !== 2 && p !== 3)) {
          msg('error', `${br.name} has the phases ${ps.join(', ')}: each of 1, 2, 3 at most once`, br.name);
          ok = false;
        }
      }
      if (legs && (br.phases.length !== 1 || legs.length > 2 || fromOf[k] !== parent[b])) {
        msg('error', `${br.name} is a centre-tapped transformer, which the power flow takes with one primary phase at its \`from\` end (upstream) and one or two secondary legs`, br.name);
        ok = false;
      }
      m |= childMask(br);
      need |= brMask(br);
    }
    if ((need & pm) !== need) {
      msg('error', `${names_()} ${group[b]!.length === 1 ? 'has' : 'have'} phase${maskPhases(need).length === 1 ? '' : 's'} ${maskPhases(need).join(', ')} but the bus feeding ${group[b]!.length === 1 ? 'it' : 'them'}, \`${names[parent[b]!]}\`, has only ${maskPhases(pm).join(', ') || 'none'}`, net.branches[group[b]![0]!]!.name);
      ok = false;
    }
    const dm = declared(b);
    if (dm && (m & dm) !== m) {
      msg('error', `${names_()} ${group[b]!.length === 1 ? 'has' : 'have'} phase${maskPhases(m).length === 1 ? '' : 's'} ${maskPhases(m).join(', ')} but bus \`${names[b]}\` has only ${maskPhases(dm).join(', ')}`, net.branches[group[b]![0]!]!.name);
      ok = false;
    }
    // A phase of the bus that no branch feeds (one reached only through an open switch, say) is not
    // solved; anything connected to it is reported when the elements are read.
    mask[b] = m;
  }
  if (!ok) return empty();

  // Bases, ratios and per-unit impedances, in breadth-first order.
  const kvLL = new Float64Array(nBus);
  const rootBus = net.buses[root]!;
  let kvRoot = rootBus.kvBase;
  if (!(kvRoot! > 0)) {
    for (let e = deg[root]!; e < deg[root + 1]!; e++) {
      const br = net.branches[adjBr[e]!]!;
      const kv = br.from === rootBus.name ? br.kvFrom : br.kvTo;
      if ((br.kind === 'transformer' || br.kind === 'regulator') && kv! > 0) {
        kvRoot = kv;
        break;
      }
    }
  }
  if (!(kvRoot! > 0)) {
    msg('error', `the root bus \`${rootBus.name}\` has no voltage base (kvBase), and no transformer leaving it gives one`, rootBus.name);
    return empty();
  }
  kvLL[root] = kvRoot!;
  const tb = newTree(Math.max(0, n - 1), closed.length);
  const parentTb = new Int32Array(nBus).fill(-1);
  for (let h = 1; h < n && ok; h++) {
    const b = order[h]!, pb = parent[b]!;
    const members = group[b]!;
    // The child's base: from its kvBase, else through the first transformer of the group, else the parent's.
    const given = net.buses[b]!.kvBase;
    const firstXfm = members.map((k) => net.branches[k]!).find((br) => br.kind === 'transformer' || br.kind === 'regulator');
    let kv = kvLL[pb]!;
    if (firstXfm) {
      const rev = toOf[members.find((k) => net.branches[k] === firstXfm)!] === pb;
      const kvNear = rev ? firstXfm.kvTo : firstXfm.kvFrom, kvFar = rev ? firstXfm.kvFrom : firstXfm.kvTo;
      if (given! > 0) kv = given!;
      else if (kvNear! > 0 && kvFar! > 0) {
        // The far winding's kV, in the same terms (line to line, or line to neutral for a single-phase winding) as the near one.
        kv = kvFar! * ((windingPu(kvNear!, kvLL[pb]!) * kvLL[pb]!) / kvNear!);
      }
    } else if (given! > 0 && Math.abs(given! - kv) > 1e-6 * kv) {
      const br = net.branches[members[0]!]!;
      msg('warning', `bus \`${names[b]}\` has kvBase ${given} kV but is fed by ${br.kind} ${br.name} from a ${fmt(kv)} kV bus: taken as ${fmt(kv)} kV`, names[b]);
    }
    kvLL[b] = kv;
    const t = tb.m++;
    const o3 = 3 * t, o9 = 9 * t;
    const np = members.reduce((s, k) => s + (net.branches[k]!.phasesTo ?? net.branches[k]!.phases).length, 0);
    tb.child[t] = b;
    tb.parentBus[t] = pb;
    tb.np[t] = np;
    parentTb[b] = t;
    let off = 0;
    for (const k of members) {
      const br = net.branches[k]!;
      const reversed = toOf[k] === pb;
      const xfm = br.kind === 'transformer' || br.kind === 'regulator';
      const iFrom = reversed ? b : pb, iTo = reversed ? pb : b;
      const legs = br.phasesTo;
      const childPhases = legs ?? br.phases;
      const nm = childPhases.length;
      tb.memberK[tb.members] = k;
      tb.memberOff[tb.members] = off;
      tb.memberTb[tb.members] = t;
      tb.members++;
      // The data's a (ideal transformer at `from`), per phase.
      const aDataRe: number[] = [1, 1, 1], aDataIm: number[] = [0, 0, 0];
      if (xfm) {
        const n0 = windingPu(br.kvTo, kvLL[iTo]!) / windingPu(br.kvFrom, kvLL[iFrom]!);
        const tapOpt = opts.taps?.[br.name];
        let taps: number[];
        if (tapOpt === undefined) taps = new Array<number>(nm).fill(br.tap ?? 1);
        else if (typeof tapOpt === 'number') taps = new Array<number>(nm).fill(tapOpt);
        else if (tapOpt.length === nm && !legs) taps = [...tapOpt];
        else {
          msg('warning', `the taps given for ${br.name} have ${tapOpt.length} values for its ${nm} phases: its own tap is used`, br.name);
          taps = new Array<number>(nm).fill(br.tap ?? 1);
        }
        for (let i = 0; i < nm; i++) {
          const tp = taps[i]!;
          if (!(tp > 0) || !Number.isFinite(tp)) {
            msg('error', `${br.name} has a tap of ${tp}; a tap is a positive ratio`, br.name);
            ok = false;
          } else if ((br.tapMin !== undefined && tp < br.tapMin - 1e-12) || (br.tapMax !== undefined && tp > br.tapMax + 1e-12)) {
            msg('warning', `the tap ${tp} of ${br.name} is outside its range [${br.tapMin ?? '-'}, ${br.tapMax ?? '-'}]`, br.name);
          }
        }
        let shift = 0;
        if (br.connFrom && br.connTo && br.connFrom !== br.connTo) {
          // ANSI: the low-voltage side lags the high-voltage side by 30 degrees.
          const stepDown = (br.kvFrom ?? kvLL[iFrom]!) >= (br.kvTo ?? kvLL[iTo]!);
          shift = stepDown ? -30 : 30;
        }
        for (let i = 0; i < nm; i++) {
          // The second leg of a centre tap is in opposition to the first.
          const m = taps[i]! * n0 * (legs && i > 0 ? -1 : 1);
          aDataRe[i] = m * Math.cos(shift * DEG);
          aDataIm[i] = m * Math.sin(shift * DEG);
        }
      }
      // Per unit on the data's `to` side; the members' blocks on the diagonal of the group's matrix.
      const zb = (kvLL[iTo]! * kvLL[iTo]! * 1000) / net.kvaBase;
      const Z = (i: number, j: number) => o9 + (off + i) * np + off + j;
      let finite = true;
      for (let i = 0; i < nm; i++) for (let j = 0; j < nm; j++) {
        const r = br.r[i]![j]!, x = br.x[i]![j]!;
        if (!Number.isFinite(r) || !Number.isFinite(x)) finite = false;
        tb.zRe[Z(i, j)] = r / zb;
        tb.zIm[Z(i, j)] = x / zb;
      }
      if (!finite) {
        msg('error', `${br.name} has an impedance that is not a finite number`, br.name);
        ok = false;
      }
      for (let i = 0; i < nm; i++) {
        const q = o3 + off + i;
        tb.slots[q] = childPhases[i]! - 1;
        tb.pslots[q] = (legs ? br.phases[0]! : childPhases[i]!) - 1;
        tb.aDataRe[q] = aDataRe[i]!;
        tb.aDataIm[q] = aDataIm[i]!;
        tb.revPh[q] = reversed ? 1 : 0;
        tb.iBaseTo[q] = net.kvaBase / (SQRT3 * kvLL[iTo]!);
        if (reversed) {
          // a' = 1/a
          const d = aDataRe[i]! * aDataRe[i]! + aDataIm[i]! * aDataIm[i]!;
          tb.aRe[q] = aDataRe[i]! / d;
          tb.aIm[q] = -aDataIm[i]! / d;
        } else {
          tb.aRe[q] = aDataRe[i]!;
          tb.aIm[q] = aDataIm[i]!;
        }
      }
      if (reversed) {
        // Z' = a^-1 Z a^-H: Z'_ij = Z_ij / (a_i conj(a_j)) = Z_ij a'_i conj(a'_j).
        for (let i = 0; i < nm; i++) for (let j = 0; j < nm; j++) {
          const qi = o3 + off + i, qj = o3 + off + j;
          const wr = tb.aRe[qi]! * tb.aRe[qj]! + tb.aIm[qi]! * tb.aIm[qj]!, wi = tb.aIm[qi]! * tb.aRe[qj]! - tb.aRe[qi]! * tb.aIm[qj]!;
          const zr = tb.zRe[Z(i, j)]!, zi = tb.zIm[Z(i, j)]!;
          tb.zRe[Z(i, j)] = zr * wr - zi * wi;
          tb.zIm[Z(i, j)] = zr * wi + zi * wr;
        }
      }
      if (br.b && !xfm && br.b.length === nm && br.b.some((row) => row.some((v) => v !== 0))) {
        tb.hasB[t] = 1;
        for (let i = 0; i < nm; i++) for (let j = 0; j < nm; j++) tb.b2[Z(i, j)] = ((br.b[i]?.[j] ?? 0) * 1e-6 * zb) / 2;
      }
      off += nm;
    }
  }
  if (!ok) return empty();

  // Nominal angles down the tree.
  const ang = net.angleDeg ?? 0;
  const theta = new Float64Array(nBus * 3);
  for (let sl = 0; sl < 3; sl++) theta[root * 3 + sl] = (ang + phaseOffsetDeg(sl)) * DEG;
  for (let h = 1; h < n; h++) {
    const b = order[h]!, t = parentTb[b]!, pb = parent[b]!;
    for (let i = 0; i < tb.np[t]!; i++) {
      const q = 3 * t + i;
      theta[b * 3 + tb.slots[q]!] = theta[pb * 3 + tb.pslots[q]!]! + Math.atan2(tb.aIm[q]!, tb.aRe[q]!);
    }
  }
  // |V_p - V_q| at nominal voltages, p.u. of the line-to-neutral base (sqrt(3) between phases 120 degrees apart, 2 between opposite legs).
  const pairNominal = (b: number, s1: number, s2: number) => Math.hypot(Math.cos(theta[b * 3 + s1]!) - Math.cos(theta[b * 3 + s2]!), Math.sin(theta[b * 3 + s1]!) - Math.sin(theta[b * 3 + s2]!));

  // Loads, capacitors and injections as per-phase terms.
  const el = emptyElements(net.loads.reduce((s_, l) => s_ + l.phases.length, 0) + net.capacitors.reduce((s_, c_) => s_ + c_.phases.length, 0) + (opts.injections?.length ?? 0));
  const scale = opts.loadScale ?? 1;
  const slotOf = (b: number, p: number) => ((mask[b]! >> (p - 1)) & 1 ? p - 1 : -1);
  const next = (p: number) => (p % 3) + 1;
  let warnedModel = false;
  const addElement = (kind: 0 | 1 | 2, name: string, busName: string, conn: 'wye' | 'delta', phases: readonly PhaseNo[], p: readonly number[], q: readonly number[], k: number, kv: number | undefined, pScale: number, qScale: number): void => {
    const b = index.get(busName);
    if (b === undefined) {
      msg('warning', `${name} is at the unknown bus \`${busName}\`: left out`, name);
      return;
    }
    if (!seen[b]) return;
    if (p.length !== phases.length || q.length !== phases.length) {
      msg('warning', `${name} has ${phases.length} phases but ${p.length} p and ${q.length} q values: left out`, name);
      return;
    }
    for (let i = 0; i < phases.length; i++) {
      const ph = phases[i]!;
      const s1 = slotOf(b, ph), s2 = conn === 'delta' ? slotOf(b, next(ph)) : -1;
      if (s1 < 0 || (conn === 'delta' && s2 < 0)) {
        msg('warning', `${name} is on phase${conn === 'delta' ? `s ${ph}-${next(ph)}` : ` ${ph}`}, which bus \`${busName}\` does not have (or is not fed): left out`, name);
        continue;
      }
      if (!Number.isFinite(p[i]!) || !Number.isFinite(q[i]!)) {
        msg('warning', `${name} has a power that is not a finite number: left out`, name);
        continue;
      }
      // Nominal voltage in p.u. of the line-to-neutral base, of the voltage the element sees.
      let vn = conn === 'delta' ? pairNominal(b, s1, s2) : 1;
      if (kv! > 0) {
        const ll = conn === 'delta' || phases.length > 1 || positiveSequence;
        vn = conn === 'delta' ? (kv! / kvLL[b]!) * SQRT3 : ll ? kv! / kvLL[b]! : (kv! * SQRT3) / kvLL[b]!;
      }
      pushElement(el, b, s1, s2, (p[i]! * pScale) / sUnit, (q[i]! * qScale) / sUnit, k, vn, kind);
    }
  };
  for (const l of net.loads) {
    const model = l.model ?? 1;
    let k = 0;
    if (model === 2) k = 2;
    else if (model === 5) k = 1;
    else if (model !== 1 && !warnedModel) {
      warnedModel = true;
      msg('warning', `${l.name} has load model ${model}, which the power flow reads as constant power (it knows 1 constant power, 2 constant impedance, 5 constant current)`, l.name);
    }
    addElement(0, l.name, l.bus, l.conn, l.phases, l.p, l.q, k, l.kv, scale, scale);
  }
  for (const c of net.capacitors) addElement(1, c.name, c.bus, c.conn, c.phases, c.q, c.q, 2, c.kv, 0, -1);
  for (const [i, inj] of (opts.injections ?? []).entries()) addElement(2, `injection ${i + 1} (bus ${inj.bus})`, inj.bus, 'wye', [inj.phase], [inj.p], [inj.q ?? 0], 0, undefined, -1, -1);

  const vRoot = [0, 1, 2].map((s) => ({ re: net.vRootPu * Math.cos((ang + phaseOffsetDeg(s)) * DEG), im: net.vRootPu * Math.sin((ang + phaseOffsetDeg(s)) * DEG) }));
  return { net, nBus, names, mask, kvLL, order: order.slice(0, n), parent, parentTb, tb, el, sUnit, theta, vRoot, messages, islanded, ok: true };
}

/** A winding's rated kV in p.u. of its bus's line-to-line base; a rating near base / sqrt(3) is a single-phase winding's line-to-neutral one. */
function windingPu(kv: number | undefined, base: number): number {
  if (!(kv! > 0) || !(base > 0)) return 1;
  const r = kv! / base;
  return Math.abs(r * SQRT3 - 1) < 0.03 ? r * SQRT3 : r;
}

function maskPhases(m: number): number[] {
  return [1, 2, 3].filter((p) => (m >> (p - 1)) & 1);
}

function emptyElements(size = 16): Elements {
  const n = Math.max(16, size);
  return { n: 0, bus: new Int32Array(n), s1: new Int8Array(n), s2: new Int8Array(n), p: new Float64Array(n), q: new Float64Array(n), k: new Uint8Array(n), vn: new Float64Array(n), kind: new Uint8Array(n) };
}

function pushElement(el: Elements, bus: number, s1: number, s2: number, p: number, q: number, k: number, vn: number, kind: number): void {
  if (el.n === el.bus.length) {
    const grow = <T extends Int32Array | Int8Array | Float64Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(a.length * 2);
      b.set(a);
      return b;
    };
    el.bus = grow(el.bus); el.s1 = grow(el.s1); el.s2 = grow(el.s2); el.p = grow(el.p); el.q = grow(el.q); el.k = grow(el.k); el.vn = grow(el.vn); el.kind = grow(el.kind);
  }
  const i = el.n++;
  el.bus[i] = bus; el.s1[i] = s1; el.s2[i] = s2; el.p[i] = p; el.q[i] = q; el.k[i] = k; el.vn[i] = vn; el.kind[i] = kind;
}

function fmt(x: number): string {
  return String(Number(x.toPrecision(6)));
}

// ---------------------------------------------------------------------------------------------
// The AC sweep

/** The state of the sweep, for the kernels below (top-level functions, so that they are compiled once). */
interface Sweep {
  readonly n: number;
  readonly order: Int32Array;
  readonly parentTb: Int32Array;
  readonly tb: Tree;
  readonly el: Elements;
  readonly vRe: Float64Array;
  readonly vIm: Float64Array;
  readonly iRe: Float64Array;
  readonly iIm: Float64Array;
  readonly dRe: Float64Array;
  readonly dIm: Float64Array;
}

/** The currents the loads, capacitors and injections draw at the present voltages, into iRe/iIm. */
function elementCurrents(st: Sweep): void {
  const { vRe, vIm, iRe, iIm } = st;
  const { n: ne, bus, s1: S1, s2: S2, p: P, q: Q, k: K, vn: VN } = st.el;
  iRe.fill(0);
  iIm.fill(0);
  for (let e = 0; e < ne; e++) {
    const b = bus[e]!, s1 = S1[e]!, s2 = S2[e]!;
    let xr = vRe[b * 3 + s1]!, xi = vIm[b * 3 + s1]!;
    if (s2 >= 0) {
      xr -= vRe[b * 3 + s2]!;
      xi -= vIm[b * 3 + s2]!;
    }
    const m2 = xr * xr + xi * xi;
    let p = P[e]!, q = Q[e]!;
    const k = K[e]!;
    if (k !== 0) {
      const f = k === 2 ? m2 / (VN[e]! * VN[e]!) : Math.sqrt(m2) / VN[e]!;
      p *= f;
      q *= f;
    }
    // I = conj(S / V) = (p - jq) / conj(V) = (p - jq) V / |V|^2
    const cr = (p * xr + q * xi) / m2, ci = (p * xi - q * xr) / m2;
    iRe[b * 3 + s1] += cr;
    iIm[b * 3 + s1] += ci;
    if (s2 >= 0) {
      iRe[b * 3 + s2] -= cr;
      iIm[b * 3 + s2] -= ci;
    }
  }
}

/** Backward sweep: branch currents D (child side), summed from the leaves up. */
function sweepBackward(st: Sweep): void {
  elementCurrents(st);
  const { n, order, parentTb, vRe, vIm, iRe, iIm, dRe, dIm } = st;
  const { slots, pslots, aRe, aIm, b2, hasB, np: npOf, parentBus } = st.tb;
  for (let h = n - 1; h >= 1; h--) {
    const b = order[h]!, t = parentTb[b]!, pb = parentBus[t]!, np = npOf[t]!, o3 = 3 * t, o9 = 9 * t, withB = hasB[t] === 1;
    for (let i = 0; i < np; i++) {
      const s = slots[o3 + i]!;
      let dr = iRe[b * 3 + s]!, di = iIm[b * 3 + s]!;
      if (withB) {
        // + j B/2 V at the child end
        for (let j = 0; j < np; j++) {
          const sj = slots[o3 + j]!, bb = b2[o9 + i * np + j]!;
          dr -= bb * vIm[b * 3 + sj]!;
          di += bb * vRe[b * 3 + sj]!;
        }
      }
      dRe[o3 + i] = dr;
      dIm[o3 + i] = di;
      // conj(a) D into the parent, plus the shunt at the parent end
      const ar = aRe[o3 + i]!, ai = aIm[o3 + i]!;
      let ur = ar * dr + ai * di, ui = ar * di - ai * dr;
      if (withB) {
        for (let j = 0; j < np; j++) {
          const sj = pslots[o3 + j]!, bb = b2[o9 + i * np + j]!;
          ur -= bb * vIm[pb * 3 + sj]!;
          ui += bb * vRe[pb * 3 + sj]!;
        }
      }
      const ps = pslots[o3 + i]!;
      iRe[pb * 3 + ps] += ur;
      iIm[pb * 3 + ps] += ui;
    }
  }
}

/** Forward sweep: V_child = a V_parent - Z D from the root down; returns the largest change, p.u. (NaN if undefined). */
function sweepForward(st: Sweep): number {
  const { n, order, parentTb, vRe, vIm, dRe, dIm } = st;
  const { slots, pslots, aRe, aIm, zRe, zIm, np: npOf, parentBus } = st.tb;
  let change = 0, undefinedVoltage = false;
  for (let h = 1; h < n; h++) {
    const b = order[h]!, t = parentTb[b]!, pb = parentBus[t]!, np = npOf[t]!, o3 = 3 * t, o9 = 9 * t;
    for (let i = 0; i < np; i++) {
      const s = slots[o3 + i]!, ps = pslots[o3 + i]!;
      const pr = vRe[pb * 3 + ps]!, pi = vIm[pb * 3 + ps]!;
      let xr = aRe[o3 + i]! * pr - aIm[o3 + i]! * pi, xi = aRe[o3 + i]! * pi + aIm[o3 + i]! * pr;
      for (let j = 0; j < np; j++) {
        const zr = zRe[o9 + i * np + j]!, zi = zIm[o9 + i * np + j]!, dr = dRe[o3 + j]!, di = dIm[o3 + j]!;
        xr -= zr * dr - zi * di;
        xi -= zr * di + zi * dr;
      }
      const er = xr - vRe[b * 3 + s]!, ei = xi - vIm[b * 3 + s]!;
      const dv = er * er + ei * ei;
      if (dv > change) change = dv;
      else if (dv !== dv) undefinedVoltage = true;
      vRe[b * 3 + s] = xr;
      vIm[b * 3 + s] = xi;
    }
  }
  return undefinedVoltage ? NaN : Math.sqrt(change);
}

export function powerFlow(net: NetworkData, opts: PowerFlowOptions = {}): PowerFlowResult {
  const t0 = performance.now();
  let pr: Prepared;
  try {
    pr = prepare(net, opts);
  } catch (e) {
    pr = { net, nBus: 0, names: [], mask: new Uint8Array(0), kvLL: new Float64Array(0), order: new Int32Array(0), parent: new Int32Array(0), parentTb: new Int32Array(0), tb: newTree(0), el: emptyElements(), sUnit: 1, theta: new Float64Array(0), vRoot: [], messages: [{ severity: 'error', message: `cannot prepare the network: ${(e as Error).message}` }], islanded: [], ok: false };
  }
  const positiveSequence = net.positiveSequence === true;
  const invalid = (status: PowerFlowStatus): PowerFlowResult => ({
    converged: false, status, iterations: 0, maxChange: NaN, positiveSequence, buses: [], branches: [], losses: { p: NaN, q: NaN }, source: { p: NaN, q: NaN },
    load: { p: NaN, q: NaN }, capacitorQ: NaN, injected: { p: NaN, q: NaN }, vMin: undefined, vMax: undefined, islanded: pr.islanded, messages: pr.messages, timeMs: performance.now() - t0,
  });
  if (!pr.ok) return invalid('invalid');
  const tol = opts.tolerance !== undefined && opts.tolerance > 0 ? opts.tolerance : 1e-9;
  const maxIter = opts.maxIterations !== undefined && opts.maxIterations >= 1 ? Math.floor(opts.maxIterations) : 100;
  const { order, tb, parentTb, el, nBus } = pr;
  const n = order.length;
  const root = order[0]!;

  // State: V and accumulated currents per bus and slot; the series current D of each tree branch (oriented, child side) per slot.
  const vRe = new Float64Array(nBus * 3), vIm = new Float64Array(nBus * 3);
  const iRe = new Float64Array(nBus * 3), iIm = new Float64Array(nBus * 3);
  const dRe = new Float64Array(tb.m * 3), dIm = new Float64Array(tb.m * 3);
  const { slots, pslots, aRe, aIm, b2, hasB, np: npOf, parentBus } = tb;
  for (let s = 0; s < 3; s++) {
    vRe[root * 3 + s] = pr.vRoot[s]!.re;
    vIm[root * 3 + s] = pr.vRoot[s]!.im;
  }
  // Flat start: the no-load voltages through the ratios.
  for (let h = 1; h < n; h++) {
    const b = order[h]!, t = parentTb[b]!, pb = parentBus[t]!, o3 = 3 * t;
    for (let i = 0; i < npOf[t]!; i++) {
      const s = slots[o3 + i]!, ps = pslots[o3 + i]!;
      const pr_ = vRe[pb * 3 + ps]!, pi_ = vIm[pb * 3 + ps]!;
      vRe[b * 3 + s] = aRe[o3 + i]! * pr_ - aIm[o3 + i]! * pi_;
      vIm[b * 3 + s] = aRe[o3 + i]! * pi_ + aIm[o3 + i]! * pr_;
    }
  }

  const st: Sweep = { n, order, parentTb, tb, el, vRe, vIm, iRe, iIm, dRe, dIm };
  const backward = (): void => sweepBackward(st);
  const forward = (): number => sweepForward(st);

  let iterations = 0, change = Infinity;
  let status: PowerFlowStatus = 'max-iterations';
  while (iterations < maxIter) {
    backward();
    change = forward();
    iterations++;
    if (Number.isNaN(change)) {
      status = 'diverged';
      break;
    }
    let collapsed = false;
    for (let h = 1; h < n && !collapsed; h++) {
      const b = order[h]!;
      for (let s = 0; s < 3; s++) {
        if ((pr.mask[b]! >> s) & 1) {
          const m2 = vRe[b * 3 + s]! * vRe[b * 3 + s]! + vIm[b * 3 + s]! * vIm[b * 3 + s]!;
          if (!(m2 > 0.0004 && m2 < 25)) {
            collapsed = true;
            break;
          }
        }
      }
    }
    if (collapsed) {
      status = 'diverged';
      break;
    }
    if (change < tol) {
      status = 'converged';
      break;
    }
  }
  // Currents consistent with the final voltages, for the flows.
  if (status !== 'diverged') backward();
  const messages = [...pr.messages];
  if (status === 'max-iterations') messages.push({ severity: 'error', message: `the sweep did not converge in ${maxIter} iterations (the last changed a voltage by ${change.toExponential(2)} p.u.; tolerance ${tol}): the feeder is probably loaded beyond its voltage-collapse point` });
  if (status === 'diverged') messages.push({ severity: 'error', message: `the sweep diverged after ${iterations} iteration${iterations === 1 ? '' : 's'} (a voltage collapsed or became undefined): the feeder is loaded beyond what it can carry` });

  // Results.
  const sUnit = pr.sUnit;
  const buses: BusResult[] = [];
  let vMin: PowerFlowResult['vMin'], vMax: PowerFlowResult['vMax'];
  for (let b = 0; b < nBus; b++) {
    const m = pr.mask[b]!;
    if (!m || (b !== root && parentTb[b]! < 0)) continue;
    const phases = maskPhases(m) as PhaseNo[];
    const vm = phases.map((p) => Math.sqrt(vRe[b * 3 + p - 1]! ** 2 + vIm[b * 3 + p - 1]! ** 2));
    const va = phases.map((p) => Math.atan2(vIm[b * 3 + p - 1]!, vRe[b * 3 + p - 1]!) / DEG);
    phases.forEach((p, i) => {
      if (!vMin || vm[i]! < vMin.pu) vMin = { pu: vm[i]!, bus: pr.names[b]!, phase: p };
      if (!vMax || vm[i]! > vMax.pu) vMax = { pu: vm[i]!, bus: pr.names[b]!, phase: p };
    });
    buses.push({ name: pr.names[b]!, phases, vm, va, kvBase: pr.kvLL[b]! });
  }
  const branches: BranchResult[] = [];
  let lossP = 0, lossQ = 0, rootBranchP = 0, rootBranchQ = 0;
  // Per data branch (in the data's order), from its slice of its tree branch.
  const byIndex = Array.from({ length: tb.members }, (_, m) => m).sort((x, y) => tb.memberK[x]! - tb.memberK[y]!);
  for (const mi of byIndex) {
    const ti = tb.memberTb[mi]!, off = tb.memberOff[mi]!, br = net.branches[tb.memberK[mi]!]!;
    const np = npOf[ti]!, nm = (br.phasesTo ?? br.phases).length, b = tb.child[ti]!, pb = parentBus[ti]!, o3 = 3 * ti, o9 = 9 * ti, withB = hasB[ti] === 1;
    const reversed = tb.revPh[o3 + off] === 1;
    const pF: number[] = new Array<number>(nm), qF: number[] = new Array<number>(nm), pT: number[] = new Array<number>(nm), qT: number[] = new Array<number>(nm);
    const iA: number[] = new Array<number>(nm), iAng: number[] = new Array<number>(nm);
    let lp = 0, lq = 0;
    for (let i = off; i < off + nm; i++) {
      const s = slots[o3 + i]!;
      const dr = dRe[o3 + i]!, di = dIm[o3 + i]!;
      // current into the branch at the parent end, and out of it into the child bus
      const ar = aRe[o3 + i]!, ai = aIm[o3 + i]!;
      let ur = ar * dr + ai * di, ui = ar * di - ai * dr;
      let wr = dr, wi = di;
      if (withB) {
        for (let j = 0; j < np; j++) {
          const sj = slots[o3 + j]!, pj = pslots[o3 + j]!, bb = b2[o9 + i * np + j]!;
          ur -= bb * vIm[pb * 3 + pj]!;
          ui += bb * vRe[pb * 3 + pj]!;
          wr += bb * vIm[b * 3 + sj]!;
          wi -= bb * vRe[b * 3 + sj]!;
        }
      }
      const ps = pslots[o3 + i]!;
      const vpr = vRe[pb * 3 + ps]!, vpi = vIm[pb * 3 + ps]!, vcr = vRe[b * 3 + s]!, vci = vIm[b * 3 + s]!;
      // S = V conj(I) at the parent end (into the branch) and at the child end (out of it)
      const spP = (vpr * ur + vpi * ui) * sUnit, spQ = (vpi * ur - vpr * ui) * sUnit;
      const scP = (vcr * wr + vci * wi) * sUnit, scQ = (vci * wr - vcr * wi) * sUnit;
      const k = i - off;
      if (!reversed) {
        pF[k] = spP; qF[k] = spQ; pT[k] = scP; qT[k] = scQ;
      } else {
        pF[k] = -scP; qF[k] = -scQ; pT[k] = -spP; qT[k] = -spQ;
      }
      lp += spP - scP;
      lq += spQ - scQ;
      if (pb === root) {
        rootBranchP += spP;
        rootBranchQ += spQ;
      }
      // Series current from `from` to `to` in the data's orientation: D, or -D / conj(a_data) when reversed.
      let cr = dr, ci = di;
      if (reversed) {
        const xr = tb.aDataRe[o3 + i]!, xi = -tb.aDataIm[o3 + i]!, dd = xr * xr + xi * xi;
        cr = -(dr * xr + di * xi) / dd;
        ci = -(di * xr - dr * xi) / dd;
      }
      iA[k] = Math.sqrt(cr * cr + ci * ci) * tb.iBaseTo[o3 + i]!;
      iAng[k] = Math.atan2(ci, cr) / DEG;
    }
    lossP += lp;
    lossQ += lq;
    const amp = br.ampacity;
    branches.push({
      name: br.name, kind: br.kind, from: br.from, to: br.to, phases: br.phasesTo ?? br.phases,
      p: pF, q: qF, pTo: pT, qTo: qT, i: iA, iAngle: iAng, lossP: lp, lossQ: lq,
      ...(amp! > 0 ? { loading: Math.max(...iA) / amp! } : {}),
    });
  }
  // Element powers at the solution, and the source.
  let loadP = 0, loadQ = 0, capQ = 0, injP = 0, injQ = 0, rootP = 0, rootQ = 0;
  for (let e = 0; e < el.n; e++) {
    const b = el.bus[e]!, s1 = el.s1[e]!, s2 = el.s2[e]!;
    let xr = vRe[b * 3 + s1]!, xi = vIm[b * 3 + s1]!;
    if (s2 >= 0) {
      xr -= vRe[b * 3 + s2]!;
      xi -= vIm[b * 3 + s2]!;
    }
    const m2 = xr * xr + xi * xi;
    const k = el.k[e]!;
    const f = k === 0 ? 1 : k === 2 ? m2 / (el.vn[e]! * el.vn[e]!) : Math.sqrt(m2) / el.vn[e]!;
    const p = el.p[e]! * f * sUnit, q = el.q[e]! * f * sUnit;
    if (el.kind[e] === 0) {
      loadP += p;
      loadQ += q;
    } else if (el.kind[e] === 1) capQ -= q;
    else {
      injP -= p;
      injQ -= q;
    }
    if (b === root) {
      rootP += p;
      rootQ += q;
    }
  }
  rootP += rootBranchP;
  rootQ += rootBranchQ;
  return {
    converged: status === 'converged', status, iterations, maxChange: change, positiveSequence, buses, branches,
    losses: { p: lossP, q: lossQ }, source: { p: rootP, q: rootQ }, load: { p: loadP, q: loadQ }, capacitorQ: capQ, injected: { p: injP, q: injQ },
    vMin, vMax, islanded: pr.islanded, messages, timeMs: performance.now() - t0,
  };
}

// ---------------------------------------------------------------------------------------------
// LinDistFlow (single phase) and LinDist3Flow (multi-phase): lossless, linear in v = |V|^2

export interface LinDistFlowResult {
  readonly ok: boolean;
  readonly buses: readonly { readonly name: string; readonly phases: readonly PhaseNo[]; readonly vm: readonly number[] }[];
  /** Flows per phase (the same at both ends: lossless), kW and kvar. */
  readonly branches: readonly { readonly name: string; readonly from: string; readonly to: string; readonly phases: readonly PhaseNo[]; readonly p: readonly number[]; readonly q: readonly number[] }[];
  /** = the total load minus injections and capacitors at nominal voltage. */
  readonly source: { readonly p: number; readonly q: number };
  readonly messages: readonly PowerFlowMessage[];
}

/**
 * The linear branch-flow model on the same data: flows are the sums of the demands downstream at
 * nominal voltage (lossless), and v_child = |a|^2 v_parent - M_P P - M_Q Q with, over the branch's
 * phases, M_P = 2 (Re G o r + Im G o x), M_Q = 2 (Re G o x - Im G o r), G_ij = alpha^(i-j),
 * alpha = exp(-j 2 pi / 3) (LinDist3Flow, Gan and Low 2014; Arnold et al. 2016) — for one phase,
 * M_P = 2r and M_Q = 2x: LinDistFlow (Baran and Wu 1989). Voltage-dependent loads and capacitors
 * take their value at 1 p.u.; a delta element's power S between phases p and q goes to p as
 * S V_p / (V_p - V_q) and to q as -S V_q / (V_p - V_q) at nominal voltages: S exp(-j30)/sqrt(3) and
 * S exp(+j30)/sqrt(3) for phases 120 degrees apart, S/2 each across the opposite legs of a centre
 * tap. G uses the nominal angles of the phases (alpha^(i-j) for a, b, c; -1 between opposite legs).
 */
export function linDistFlow(net: NetworkData, opts: Pick<PowerFlowOptions, 'injections' | 'taps' | 'loadScale'> = {}): LinDistFlowResult {
  let pr: Prepared;
  try {
    pr = prepare(net, opts);
  } catch (e) {
    return { ok: false, buses: [], branches: [], source: { p: NaN, q: NaN }, messages: [{ severity: 'error', message: `cannot prepare the network: ${(e as Error).message}` }] };
  }
  if (!pr.ok) return { ok: false, buses: [], branches: [], source: { p: NaN, q: NaN }, messages: pr.messages };
  const { order, tb, parentTb, el, nBus, sUnit } = pr;
  const n = order.length, root = order[0]!;
  const { theta } = pr;
  // Demands per bus and slot, at nominal voltage.
  const pd = new Float64Array(nBus * 3), qd = new Float64Array(nBus * 3);
  for (let e = 0; e < el.n; e++) {
    const b = el.bus[e]!, s1 = el.s1[e]!, s2 = el.s2[e]!, k = el.k[e]!;
    if (s2 < 0) {
      const f = k === 0 ? 1 : (1 / el.vn[e]!) ** k;
      pd[b * 3 + s1]! += el.p[e]! * f;
      qd[b * 3 + s1]! += el.q[e]! * f;
    } else {
      // Between two phases at nominal voltages V_p, V_q: S V_p / (V_p - V_q) to p and -S V_q / (V_p - V_q) to q
      // (S e^{-j30}/sqrt3 and S e^{+j30}/sqrt3 for phases 120 degrees apart; S/2 each for opposite legs).
      const t1 = theta[b * 3 + s1]!, t2 = theta[b * 3 + s2]!;
      const dr = Math.cos(t1) - Math.cos(t2), di = Math.sin(t1) - Math.sin(t2), dd = dr * dr + di * di;
      const f = k === 0 ? 1 : (Math.sqrt(dd) / el.vn[e]!) ** k;
      const p = el.p[e]! * f, q = el.q[e]! * f;
      // w = V_p / (V_p - V_q)
      const wr = (Math.cos(t1) * dr + Math.sin(t1) * di) / dd, wi = (Math.sin(t1) * dr - Math.cos(t1) * di) / dd;
      pd[b * 3 + s1]! += p * wr - q * wi;
      qd[b * 3 + s1]! += p * wi + q * wr;
      pd[b * 3 + s2]! += p * (1 - wr) + q * wi;
      qd[b * 3 + s2]! += q * (1 - wr) - p * wi;
    }
  }
  // Flows: backward accumulation.
  const fp = new Float64Array(tb.m * 3), fq = new Float64Array(tb.m * 3);
  const accP = Float64Array.from(pd), accQ = Float64Array.from(qd);
  for (let h = n - 1; h >= 1; h--) {
    const b = order[h]!, ti = parentTb[b]!, pb = tb.parentBus[ti]!;
    for (let i = 0; i < tb.np[ti]!; i++) {
      const s = tb.slots[3 * ti + i]!, ps = tb.pslots[3 * ti + i]!;
      fp[ti * 3 + i] = accP[b * 3 + s]!;
      fq[ti * 3 + i] = accQ[b * 3 + s]!;
      accP[pb * 3 + ps]! += accP[b * 3 + s]!;
      accQ[pb * 3 + ps]! += accQ[b * 3 + s]!;
    }
  }
  // Voltages: forward, with G_ij = exp(j (theta_i - theta_j)) at the child end.
  const v = new Float64Array(nBus * 3);
  for (let s = 0; s < 3; s++) v[root * 3 + s] = net.vRootPu * net.vRootPu;
  for (let h = 1; h < n; h++) {
    const b = order[h]!, ti = parentTb[b]!, np = tb.np[ti]!, o3 = 3 * ti, o9 = 9 * ti;
    for (let i = 0; i < np; i++) {
      const si = tb.slots[o3 + i]!;
      const a2 = tb.aRe[o3 + i]! ** 2 + tb.aIm[o3 + i]! ** 2;
      let x = a2 * v[tb.parentBus[ti]! * 3 + tb.pslots[o3 + i]!]!;
      for (let j = 0; j < np; j++) {
        const sj = tb.slots[o3 + j]!, d = theta[b * 3 + si]! - theta[b * 3 + sj]!;
        const gr = Math.cos(d), gi = Math.sin(d);
        const r = tb.zRe[o9 + i * np + j]!, xx = tb.zIm[o9 + i * np + j]!;
        const mp = 2 * (gr * r + gi * xx), mq = 2 * (gr * xx - gi * r);
        x -= mp * fp[ti * 3 + j]! + mq * fq[ti * 3 + j]!;
      }
      v[b * 3 + si] = x;
    }
  }
  const buses: LinDistFlowResult['buses'][number][] = [];
  for (let b = 0; b < nBus; b++) {
    const m = pr.mask[b]!;
    if (!m || (b !== root && parentTb[b]! < 0)) continue;
    const phases = maskPhases(m) as PhaseNo[];
    buses.push({ name: pr.names[b]!, phases, vm: phases.map((p) => Math.sqrt(Math.max(0, v[b * 3 + p - 1]!))) });
  }
  const branches = Array.from({ length: tb.members }, (_, m) => m).sort((x, y) => tb.memberK[x]! - tb.memberK[y]!).map((mi) => {
    const ti = tb.memberTb[mi]!, off = tb.memberOff[mi]!, br = net.branches[tb.memberK[mi]!]!, sign = tb.revPh[3 * ti + off] ? -1 : 1;
    const ph = br.phasesTo ?? br.phases;
    return { name: br.name, from: br.from, to: br.to, phases: ph, p: ph.map((_, i) => sign * fp[ti * 3 + off + i]! * sUnit), q: ph.map((_, i) => sign * fq[ti * 3 + off + i]! * sUnit) };
  });
  let sp = 0, sq = 0;
  for (let s = 0; s < 3; s++) {
    sp += accP[root * 3 + s]!;
    sq += accQ[root * 3 + s]!;
  }
  const messages = [...pr.messages];
  if (buses.some((b) => b.vm.some((x) => x === 0))) messages.push({ severity: 'warning', message: 'LinDistFlow gives a negative squared voltage somewhere (shown as 0): the feeder is far beyond the linear model\'s range' });
  return { ok: true, buses, branches, source: { p: sp * sUnit, q: sq * sUnit }, messages };
}
