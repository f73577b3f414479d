// From the objects of an OpenDSS session to NetworkData. The conventions:
//
// Buses and phases. A bus's name is lower-cased (OpenDSS is case-insensitive and lower-cases
// names); its phases are the union of the node numbers 1..3 of every terminal connected to it,
// whether the element is in service or not (node 0 is ground; higher nodes, e.g. a floating
// neutral `.4`, are not phases). A terminal's nodes default as in OpenDSS's ProcessBusDefs:
// conductor i of the first `phases` is node i, the remaining conductors (a wye neutral) node 0,
// and the nodes written after the bus name override them in order. The root is the circuit's
// source bus (Vsource.source bus1, `sourcebus` unless given).
//
// Lines. r, x in ohm over the line's phases, ascending, with the length applied: the per-length
// matrices (from the line's own sequence values or matrices, or from its linecode) times
// length / ConvertLineUnits(linecode units, line units), as Line.pas CalcYPrim does. Sequence
// values give Zs = (2 Z1 + Z0)/3 on the diagonal and Zm = (Z0 - Z1)/3 off it, except for a
// one-phase line, where OpenDSS takes Z0 = Z1 (Line.pas RecalcElementData). b is the line's total
// shunt susceptance in microsiemens, 2 pi f C (C from cmatrix or c1/c0 in nF per unit length, f the
// network frequency); a pi model puts half at each end. A linecode without cmatrix/c1/c0 keeps
// OpenDSS's default 3.4/1.6 nF per unit length (LineCode.pas), as OpenDSS does. Conductor i
// joins node a_i at bus1 to node b_i at bus2; the importer requires a_i = b_i (NetworkData has the
// same phases at both ends), so rolled or crossed phases are an error, and reorders the matrices
// when the nodes are not written in ascending order (`632.3.2`). `switch=y` makes kind 'switch'
// (OpenDSS then sets r1 = x1 = r0 = x0 = 1 ohm/unit, length 0.001 unless reset). A branch is open
// when `enabled=no` or after `Open Class.name`.
//
// Transformers (two windings). from = winding 1's bus, to = winding 2's. The series impedance is
// referred to winding 2: Zbase = kV2^2 / (kVA1/1000) ohm with kV2 winding 2's rated kV as written
// (line-to-line for 2- and 3-phase units, the winding voltage for 1-phase ones) and kVA1 winding 1's
// kVA (OpenDSS's VABase); r = (%R1 + %R2)/100 Zbase (%loadloss sets both to half of it), x = XHL/100
// Zbase, on the diagonal over the phases. kvFrom/kvTo are line-to-line: a 1-phase winding between a
// phase and ground is kV * sqrt(3). Magnetising branch (%noloadloss, %imag) and winding neutral
// impedances are not modelled. A 1-phase winding between two phases is not supported.
//
// Regulators. A transformer named by an enabled RegControl is kind 'regulator'; its tap changer is
// that of the RegControl's winding (TapWinding, else winding): tap = the winding's present tap,
// tapMin/tapMax/tapSteps its mintap/maxtap/numtaps (OpenDSS defaults 0.9, 1.1, 32, TWinding.Init),
// and vreg/band/ptratio the RegControl's set point (defaults 120 V, 3 V, 60; RegControl.pas).
// A bank of single-phase units (three 1-phase regulators) stays three branches between the same
// two buses on different phases: each has its own tap. A plain transformer carries `tap` (winding
// 2's tap over winding 1's) only when that ratio is not 1.
//
// Centre-tapped service transformers (the 8500-node feeder's 1177 XfmrCode CT* units: phases=1,
// windings=3, buses=[primary.p secondary.1.0 secondary.0.2]) are one branch from the primary, on
// phase p, to the secondary, whose two 120 V legs are `phasesTo` = [1, 2] (leg 2 in opposition).
// r, x are then 2x2 over the legs: from the star equivalent of the three windings (ZH = RH +
// j (XHL + XHT - XLT)/2, ZL = RL + j (XHL + XLT - XHT)/2, ZT = RT + j (XHT + XLT - XHL)/2, per unit
// on winding 1's kVA), V_leg = [V, -V] - Z i with Z = [[ZH + ZL, -ZH], [-ZH, ZH + ZT]] in ohm on the
// leg base kV2^2 / (kVA1/1000). kvTo follows OpenDSS's convention for such buses: 0.12 kV legs
// give 0.208 "line-to-line" (the 8500 feeder's voltage base). Other 3-winding transformers are
// listed as unsupported.
//
// Reactors with a bus2 are series branches of kind 'line' named `Reactor.x` (the 8500 feeder puts
// its source impedance in one); shunt reactors are unsupported.
//
// Loads. Nominal kW and kvar (kW and pf -> kvar = kW tan(acos pf), kVA and pf, kW and kvar, or
// xfkVA * allocationfactor and pf: whichever was set last, as Load.pas), split evenly over the
// load's phases (OpenDSS: "the load is assumed balanced over the no. of phases defined"). Wye: per
// phase to neutral, on the terminal's phase nodes. Delta: per phase-to-phase branch, conductor i to
// i+1 (and 3 back to 1 for three phases), labelled ab -> 1, bc -> 2, ca -> 3. A 1-phase wye load
// whose neutral is a phase node (`bus.1.2`) is a delta load on that pair; a delta pair to node 0 is
// a wye load. Capacitors likewise (kvar summed over the steps); generators, PV systems and storage
// keep their rating (Generator kW, PVSystem Pmpp, Storage kWrated) and the phases they touch.
// Elements disabled with `enabled=no` are left out (with a warning).
//
// Voltage bases. Each bus's nominal line-to-line kV is propagated from the source's basekv
// through the branches (transformers by kvTo/kvFrom), then replaced by the nearest value of
// `Set voltagebases` (NearestBasekV in Circuit.pas: the closest, whatever the distance; a warning
// when it is more than 15 % away). kvaBase is 1000 kVA: OpenDSS works in physical units and has no
// system power base (Vsource's baseMVA only scales its own per-unit impedance).
import type { BranchKind, NetBranch, NetBus, NetCapacitor, NetGenerator, NetLoad, NetworkData, PhaseNo } from './model.js';
import type { Diags, Tok } from './opendss-lexer.js';
import type { DssObject, SessionSnapshot } from './opendss.js';
import {
  seqMatrix,
  type BusRef,
  type CapacitorState,
  type Conn,
  type GenState,
  type LineState,
  type LoadState,
  type Matrix,
  type ReactorState,
  type TransformerState,
  type VsourceState,
} from './opendss-elements.js';
import { convertLength } from './opendss-props.js';

const SQRT3 = Math.sqrt(3);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Terminal {
  readonly bus: string;
  readonly nodes: number[];
  readonly tok: Tok;
}

/** An enabled RegControl, by the transformer it controls. */
interface Reg {
  readonly winding: number;
  readonly at: Tok;
  readonly name: string;
  readonly vreg: number;
  readonly band: number;
  readonly ptratio: number;
}

interface BranchOut {
  readonly branch: NetBranch;
  /** V(to)/V(from) in nominal line-to-line terms. */
  readonly ratio: number;
}

export function buildNetwork(s: SessionSnapshot, diags: Diags): NetworkData {
  return new Builder(s, diags).build();
}

function isPhase(n: number): boolean {
  return n >= 1 && n <= 3;
}

/** The label of the phase pair x-y: ab -> 1, bc -> 2, ca -> 3. */
function label(x: number, y: number): number | undefined {
  const lo = Math.min(x, y);
  const hi = Math.max(x, y);
  if (lo === 1 && hi === 2) return 1;
  if (lo === 2 && hi === 3) return 2;
  if (lo === 1 && hi === 3) return 3;
  return undefined;
}

/** m reordered by `order` (new index k is old index order[k]) and scaled. */
function permuted(m: Matrix, order: readonly number[], k: number): number[][] {
  const out: number[][] = [];
  for (const i of order) {
    const row: number[] = [];
    const mi = m[i]!;
    for (const j of order) row.push(mi[j]! * k);
    out.push(row);
  }
  return out;
}

class Builder {
  private readonly buses = new Map<string, Set<number>>();
  private readonly branches: BranchOut[] = [];
  private readonly loads: NetLoad[] = [];
  private readonly capacitors: NetCapacitor[] = [];
  private readonly generators: NetGenerator[] = [];
  private readonly origin = new Map<string, { file: string; line: number }>();
  private readonly extraUnsupported = new Map<string, { count: number; example: string }>();
  private frequency = 60;

  constructor(private readonly s: SessionSnapshot, private readonly diags: Diags) {}

  build(): NetworkData {
    const s = this.s;
    const src = s.source?.state as VsourceState | undefined;
    this.frequency = src?.frequency ?? s.defaultBaseFrequency;
    let root = '';
    if (s.source === undefined || src === undefined) {
      this.diags.error({ file: s.rootFile, line: 1, col: 1 }, 'the script defines no circuit (New Circuit.name): there is no source bus to root the network at');
    } else {
      const ref: BusRef = src.bus1 ?? { text: 'sourcebus', tok: s.source.at };
      const t = this.terminal(ref, src.phases, src.phases, 'Vsource.source.bus1');
      if (t) {
        root = t.bus;
        this.touch(t.bus, t.nodes);
      }
    }

    const regs = this.regulators();
    const all: DssObject[] = [];
    for (const m of s.objects.values()) for (const o of m.values()) if (o.state !== undefined) all.push(o);
    all.sort((a, b) => a.seq - b.seq);
    for (const o of all) {
      const st = o.state!;
      switch (st.kind) {
        case 'line': this.line(o, st); break;
        case 'transformer': this.transformer(o, st, regs.get(o.key)); break;
        case 'reactor': this.reactor(o, st); break;
        case 'load': this.load(o, st); break;
        case 'capacitor': this.capacitor(o, st); break;
        case 'generator': case 'pvsystem': case 'storage': this.gen(o, st); break;
        default: break;
      }
    }

    const kv = this.voltageBases(root, src?.basekv);
    const buses: NetBus[] = [];
    for (const [name, set] of this.buses) {
      const phases = [...set].filter((n): n is PhaseNo => n >= 1 && n <= 3).sort((a, b) => a - b);
      const c = s.coords.get(name);
      const bus: Mutable<NetBus> = { name, phases };
      const k = kv.get(name);
      if (k !== undefined) bus.kvBase = k;
      if (c) {
        bus.x = c.x;
        bus.y = c.y;
      }
      buses.push(bus);
    }
    let unknownCoords = 0;
    let firstUnknown: Tok | undefined;
    for (const [name, c] of s.coords)
      if (!this.buses.has(name)) {
        unknownCoords++;
        firstUnknown ??= c.at;
      }
    if (firstUnknown)
      this.diags.warning(firstUnknown, `${unknownCoords} bus coordinate${unknownCoords === 1 ? ' names a bus' : 's name buses'} not in the network (e.g. '${firstUnknown.text}'); ignored`);

    const unsupported: NetworkData['unsupported'][number][] = [];
    for (const [element, u] of s.unsupported) unsupported.push({ element, count: u.count, example: u.example, ...(u.at ? { at: u.at } : {}) });
    for (const [element, u] of this.extraUnsupported) unsupported.push({ element, count: u.count, example: u.example });

    return {
      name: s.circuitName ?? '',
      root,
      vRootPu: src?.pu ?? 1,
      angleDeg: src?.angle ?? 0,
      kvaBase: 1000,
      frequency: this.frequency,
      buses,
      branches: this.branches.map((b) => b.branch),
      loads: this.loads,
      capacitors: this.capacitors,
      generators: this.generators,
      unsupported,
      origin: this.origin,
    };
  }

  // ---------------------------------------------------------------------------------- helpers

  private note(element: string, example: string): void {
    const u = this.extraUnsupported.get(element);
    if (u) u.count++;
    else this.extraUnsupported.set(element, { count: 1, example });
  }

  private touch(bus: string, nodes: readonly number[]): void {
    let set = this.buses.get(bus);
    if (set === undefined) {
      set = new Set();
      this.buses.set(bus, set);
    }
    for (const n of nodes) if (n >= 1 && n <= 3) set.add(n);
  }

  /** Parses `name.n1.n2...` for an element with `nconds` conductors of which `nphases` are phases. */
  private terminal(ref: BusRef, nconds: number, nphases: number, what: string): Terminal | undefined {
    const text = ref.text;
    const dot = text.indexOf('.');
    const name = (dot < 0 ? text : text.slice(0, dot)).trim().toLowerCase();
    const col0 = ref.tok.innerCol + Math.max(0, ref.tok.text.indexOf(text));
    if (name === '') {
      this.diags.error({ ...ref.tok, col: col0 }, `missing bus name in '${text}' (${what})`);
      return undefined;
    }
    const nodes: number[] = [];
    for (let i = 0; i < nconds; i++) nodes.push(i < nphases ? i + 1 : 0);
    if (dot >= 0) {
      let k = 0;
      let off = dot + 1;
      while (off <= text.length) {
        let end = text.indexOf('.', off);
        if (end < 0) end = text.length;
        const part = text.slice(off, end);
        let ok = part.length > 0;
        let value = 0;
        for (let i = 0; i < part.length && ok; i++) {
          const c = part.charCodeAt(i) - 48;
          if (c < 0 || c > 9) ok = false;
          else value = value * 10 + c;
        }
        if (!ok) {
          this.diags.error({ ...ref.tok, col: col0 + off }, `node numbers are non-negative integers; found '${part}' in '${text}' (${what})`);
          return undefined;
        }
        if (k < nconds) nodes[k] = value;
        else if (value !== 0)
          this.diags.warning({ ...ref.tok, col: col0 + off }, `'${text}' gives more nodes than the ${nconds} conductor${nconds === 1 ? '' : 's'} of ${what}; node ${part} is not used`);
        k++;
        off = end + 1;
      }
    }
    return { bus: name, nodes, tok: ref.tok };
  }

  private where(o: DssObject, full: string): void {
    this.origin.set(full, { file: o.at.file, line: o.at.line });
  }

  /** Branch conductors: node a_i at both ends, 1..3, distinct. The order that sorts them, or undefined. */
  private sameNodes(full: string, t1: Terminal, t2: Terminal, n: number): number[] | undefined {
    const a = t1.nodes;
    const b = t2.nodes;
    const order: number[] = [];
    for (let i = 0; i < n; i++) {
      const ai = a[i]!;
      if (ai !== b[i]) {
        this.diags.error(t2.tok, `${full} joins node ${ai} of ${t1.bus} to node ${b[i]} of ${t2.bus}: NetworkData needs each conductor on the same phase at both ends`);
        return undefined;
      }
      if (ai < 1 || ai > 3) {
        this.diags.error(t1.tok, `${full}: conductor ${i + 1} is on node ${ai}${ai === 0 ? ' (ground)' : ' (not a phase)'}; only phases 1..3 can be branch conductors`);
        return undefined;
      }
      // insertion by node number
      let k = order.length;
      while (k > 0 && a[order[k - 1]!]! > ai) k--;
      if (k > 0 && a[order[k - 1]!] === ai) {
        this.diags.error(t1.tok, `${full} uses phase ${ai} twice (${a.slice(0, n).join('.')})`);
        return undefined;
      }
      order.splice(k, 0, i);
    }
    return order;
  }

  private open(o: DssObject, enabled: boolean): boolean {
    return !enabled || o.open;
  }

  // ---------------------------------------------------------------------------------- branches

  private line(o: DssObject, st: LineState): void {
    const full = `Line.${o.name}`;
    if (st.bus1 === undefined || st.bus2 === undefined) {
      this.diags.error(o.at, `${full} has no ${st.bus1 === undefined ? 'bus1' : 'bus2'}; it is left out`);
      return;
    }
    if (st.geometry !== undefined) {
      this.diags.warning(st.geometry, `${full}: impedances from a LineGeometry, LineSpacing or wire data are not supported; the line is left out`);
      this.note('Line (impedance from geometry, spacing or wires)', o.name);
      return;
    }
    const n = st.phases;
    const t1 = this.terminal(st.bus1, n, n, `${full}.bus1`);
    const t2 = this.terminal(st.bus2, n, n, `${full}.bus2`);
    if (!t1 || !t2) return;
    this.touch(t1.bus, t1.nodes);
    this.touch(t2.bus, t2.nodes);
    const order = this.sameNodes(full, t1, t2, n);
    if (order === undefined) return;
    let rm: Matrix, xm: Matrix, cm: Matrix;
    if (st.sym) {
      let c1 = st.c1;
      let c0 = st.c0;
      if (!st.capSpecified) {
        // Line.pas CalcYPrim: default capacitances are per kft; convert to the line's units.
        const f = convertLength('kft', st.units);
        c1 /= f;
        c0 /= f;
      }
      const one = n === 1;
      rm = seqMatrix(n, st.r1, one ? st.r1 : st.r0);
      xm = seqMatrix(n, st.x1, one ? st.x1 : st.x0);
      cm = seqMatrix(n, c1, one ? c1 : c0);
    } else {
      rm = st.rm!;
      xm = st.xm!;
      cm = st.cm!;
    }
    const lm = st.len / st.unitsConvert;
    const w = 2 * Math.PI * this.frequency * 1e-3; // nF -> microsiemens
    const phases = order.map((i) => t1.nodes[i]! as PhaseNo);
    const branch: Mutable<NetBranch> = {
      name: full,
      kind: st.isSwitch ? 'switch' : 'line',
      from: t1.bus,
      to: t2.bus,
      phases,
      r: permuted(rm, order, lm),
      x: permuted(xm, order, lm),
      b: permuted(cm, order, lm * w),
    };
    if (st.normamps !== undefined) branch.ampacity = st.normamps;
    if (this.open(o, st.enabled)) branch.open = true;
    this.branches.push({ branch, ratio: 1 });
    this.where(o, full);
  }

  private regulators(): Map<string, Reg> {
    const out = new Map<string, Reg>();
    const xfs = this.s.objects.get('transformer');
    for (const o of this.s.objects.get('regcontrol')?.values() ?? []) {
      const st = o.state;
      if (st?.kind !== 'regcontrol') continue;
      if (!st.enabled) continue;
      if (st.transformer === undefined) {
        this.diags.error(o.at, `RegControl.${o.name} names no transformer (transformer=...)`);
        continue;
      }
      const x = xfs?.get(st.transformer);
      if (x === undefined) {
        this.diags.error(st.transformerTok ?? o.at, `RegControl.${o.name}: Transformer.${st.transformer} is not defined`);
        continue;
      }
      out.set(st.transformer, { winding: st.tapwinding ?? st.winding, at: st.transformerTok ?? o.at, name: o.name, vreg: st.vreg, band: st.band, ptratio: st.ptratio });
    }
    return out;
  }

  /** The phases a winding connects: its phase conductors (1-phase: between the node and ground). */
  private windingPhases(full: string, t: Terminal, np: number, wdg: number): number[] | undefined {
    if (np === 1) {
      const [a, b] = [t.nodes[0]!, t.nodes[1]!];
      if (b === 0 && a >= 1 && a <= 3) return [a];
      if (a === 0 && b >= 1 && b <= 3) return [b];
      this.diags.error(t.tok, `${full}: winding ${wdg} is connected between nodes ${a} and ${b} of ${t.bus}; only single-phase windings from a phase to ground are supported`);
      return undefined;
    }
    const ph = t.nodes.slice(0, np);
    if (ph.some((n) => n < 1 || n > 3) || new Set(ph).size !== np) {
      this.diags.error(t.tok, `${full}: winding ${wdg} is on nodes ${ph.join('.')} of ${t.bus}; the phase conductors must be distinct phases 1..3`);
      return undefined;
    }
    return ph;
  }

  private transformer(o: DssObject, st: TransformerState, reg: Reg | undefined): void {
    const full = `Transformer.${o.name}`;
    const np = st.phases;
    const nw = st.windings.length;
    const missing = st.windings.findIndex((w) => w.bus === undefined);
    if (missing >= 0) {
      this.diags.error(o.at, `${full}: winding ${missing + 1} has no bus; the transformer is left out`);
      return;
    }
    const terms = st.windings.map((w, i) => this.terminal(w.bus!, np + 1, np, `${full} winding ${i + 1}`));
    if (terms.some((t) => t === undefined)) return;
    const ts = terms as Terminal[];
    for (const t of ts) this.touch(t.bus, t.nodes.slice(0, np === 1 ? 2 : np));
    if (nw === 3 && np === 1) return this.centreTap(o, st, ts, full);
    if (nw !== 2) {
      this.diags.warning(o.at, `${full} has ${nw} windings; only 2-winding transformers and single-phase centre-tapped 3-winding ones are supported, so it is left out`);
      this.note(`Transformer (${nw} windings)`, o.name);
      return;
    }
    const [w1, w2] = [st.windings[0]!, st.windings[1]!];
    const p1 = this.windingPhases(full, ts[0]!, np, 1);
    const p2 = this.windingPhases(full, ts[1]!, np, 2);
    if (!p1 || !p2) return;
    if (p1.length !== p2.length || p1.some((p, i) => p !== p2[i])) {
      this.diags.error(ts[1]!.tok, `${full} connects phases ${p1.join('.')} of ${ts[0]!.bus} to ${p2.join('.')} of ${ts[1]!.bus}: NetworkData needs the same phases at both ends`);
      return;
    }
    const phases = [...p1].sort((a, b) => a - b) as PhaseNo[];
    const zb = (w2.kv * w2.kv) / (w1.kva / 1000);
    const diag = (v: number) => phases.map((_, i) => phases.map((__, j) => (i === j ? v : 0)));
    const ll = (kv: number) => (np === 1 ? kv * SQRT3 : kv);
    const kvFrom = ll(w1.kv);
    const kvTo = ll(w2.kv);
    let kind: BranchKind = 'transformer';
    let taps: Partial<Pick<NetBranch, 'tap' | 'tapMin' | 'tapMax' | 'tapSteps' | 'vreg' | 'band' | 'ptratio'>> = {};
    if (reg !== undefined) {
      if (reg.winding < 1 || reg.winding > 2) {
        this.diags.error(reg.at, `RegControl.${reg.name}: ${full} has no winding ${reg.winding}`);
      } else {
        if (reg.winding === 1)
          this.diags.warning(reg.at, `RegControl.${reg.name} moves the tap of winding 1 (the from side of ${full}); tap, tapMin and tapMax are that winding's`);
        const w = st.windings[reg.winding - 1]!;
        kind = 'regulator';
        taps = { tap: w.tap, tapMin: w.mintap, tapMax: w.maxtap, tapSteps: w.numtaps, vreg: reg.vreg, band: reg.band, ptratio: reg.ptratio };
      }
    } else if (w2.tap / w1.tap !== 1) {
      taps = { tap: w2.tap / w1.tap };
    }
    const branch: Mutable<NetBranch> = {
      name: full,
      kind,
      from: ts[0]!.bus,
      to: ts[1]!.bus,
      phases,
      r: diag((w1.r + w2.r) * zb),
      x: diag(st.xhl * zb),
      kva: w1.kva,
      kvFrom,
      kvTo,
      connFrom: w1.conn,
      connTo: w2.conn,
    };
    if (taps.tap !== undefined) branch.tap = taps.tap;
    if (taps.tapMin !== undefined) branch.tapMin = taps.tapMin;
    if (taps.tapMax !== undefined) branch.tapMax = taps.tapMax;
    if (taps.tapSteps !== undefined) branch.tapSteps = taps.tapSteps;
    if (taps.vreg !== undefined) branch.vreg = taps.vreg;
    if (taps.band !== undefined) branch.band = taps.band;
    if (taps.ptratio !== undefined) branch.ptratio = taps.ptratio;
    if (st.normamps !== undefined) branch.ampacity = st.normamps;
    if (this.open(o, st.enabled)) branch.open = true;
    this.branches.push({ branch, ratio: kvTo / kvFrom });
    this.where(o, full);
  }

  private centreTap(o: DssObject, st: TransformerState, ts: Terminal[], full: string): void {
    const [t1, t2, t3] = [ts[0]!, ts[1]!, ts[2]!];
    const [w1, w2, w3] = [st.windings[0]!, st.windings[1]!, st.windings[2]!];
    const p = t1.nodes[1] === 0 ? t1.nodes[0]! : -1;
    const a = t2.nodes[0]!;
    const b = t3.nodes[1]!;
    const ok =
      p >= 1 && p <= 3 && t2.bus === t3.bus && t2.nodes[1] === 0 && t3.nodes[0] === 0 &&
      a >= 1 && a <= 3 && b >= 1 && b <= 3 && a !== b && w2.kv === w3.kv;
    if (!ok) {
      this.diags.warning(o.at, `${full} is a 3-winding transformer that is not a single-phase centre-tapped one (buses=[primary.p secondary.1.0 secondary.0.2]); it is left out`);
      this.note('Transformer (3 windings, not centre-tapped)', o.name);
      return;
    }
    const xh = (st.xhl + st.xht - st.xlt) / 2;
    const xl = (st.xhl + st.xlt - st.xht) / 2;
    const xt = (st.xht + st.xlt - st.xhl) / 2;
    const zb = (w2.kv * w2.kv) / (w1.kva / 1000);
    // Legs in the order of the windings (a on winding 2, b on winding 3), then sorted.
    const legs = [a, b];
    const R = [[w1.r + w2.r, -w1.r], [-w1.r, w1.r + w3.r]];
    const X = [[xh + xl, -xh], [-xh, xh + xt]];
    const order = a < b ? [0, 1] : [1, 0];
    const branch: Mutable<NetBranch> = {
      name: full,
      kind: 'transformer',
      from: t1.bus,
      to: t2.bus,
      phases: [p as PhaseNo],
      phasesTo: order.map((i) => legs[i]! as PhaseNo),
      r: permuted(R, order, zb),
      x: permuted(X, order, zb),
      kva: w1.kva,
      kvFrom: w1.kv * SQRT3,
      kvTo: w2.kv * SQRT3,
      connFrom: 'wye',
      connTo: 'wye',
    };
    if (st.normamps !== undefined) branch.ampacity = st.normamps;
    if (this.open(o, st.enabled)) branch.open = true;
    this.branches.push({ branch, ratio: w2.kv / w1.kv });
    this.where(o, full);
  }

  private reactor(o: DssObject, st: ReactorState): void {
    const full = `Reactor.${o.name}`;
    if (st.bus1 === undefined) {
      this.diags.error(o.at, `${full} has no bus1; it is left out`);
      return;
    }
    const n = st.phases;
    if (st.bus2 === undefined) {
      const t = this.terminal(st.bus1, n, n, `${full}.bus1`);
      if (t) this.touch(t.bus, t.nodes);
      this.diags.warning(o.at, `${full} is a shunt reactor (no bus2); shunt reactors are not modelled`);
      this.note('Reactor (shunt)', o.name);
      return;
    }
    const t1 = this.terminal(st.bus1, n, n, `${full}.bus1`);
    const t2 = this.terminal(st.bus2, n, n, `${full}.bus2`);
    if (!t1 || !t2) return;
    this.touch(t1.bus, t1.nodes);
    this.touch(t2.bus, t2.nodes);
    const order = this.sameNodes(full, t1, t2, n);
    if (order === undefined) return;
    if (st.parallel) this.diags.warning(o.at, `${full}: parallel=yes (R in parallel with X) is not modelled; R and X are taken in series`);
    let rm: Matrix, xm: Matrix;
    const diag = (v: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (__, j) => (i === j ? v : 0)));
    switch (st.spec) {
      case 'rx': rm = diag(st.r); xm = diag(st.x); break;
      case 'kvar': {
        // Reactor.pas: kvar is the total over the phases; the phase voltage is kV/sqrt(3) for a
        // 2- or 3-phase wye, kV otherwise; X = kVphase^2 * 1000 / (kvar per phase).
        const kvPh = st.conn === 'delta' ? st.kv : n === 2 || n === 3 ? st.kv / SQRT3 : st.kv;
        rm = diag(st.r);
        xm = diag((kvPh * kvPh * 1000) / (st.kvar / n));
        break;
      }
      case 'matrix': rm = st.rm ?? diag(0); xm = st.xm ?? diag(0); break;
      case 'z': {
        const z1 = st.z1 ?? [st.r, st.x];
        const z0 = n === 1 ? z1 : st.z0 ?? z1;
        rm = seqMatrix(n, z1[0], z0[0]);
        xm = seqMatrix(n, z1[1], z0[1]);
        break;
      }
    }
    const branch: Mutable<NetBranch> = {
      name: full,
      kind: 'line',
      from: t1.bus,
      to: t2.bus,
      phases: order.map((i) => t1.nodes[i]! as PhaseNo),
      r: permuted(rm, order, 1),
      x: permuted(xm, order, 1),
      b: permuted(diag(0), order, 1),
    };
    if (st.normamps !== undefined) branch.ampacity = st.normamps;
    if (this.open(o, st.enabled)) branch.open = true;
    this.branches.push({ branch, ratio: 1 });
    this.where(o, full);
  }

  // ---------------------------------------------------------------------------------- shunt elements

  /**
   * The phases (wye) or phase pairs (delta, labelled by their first phase) an element with `np`
   * phases connects on terminal t with nconds conductors.
   */
  private connection(full: string, t: Terminal, np: number, conn: Conn): { conn: Conn; phases: number[] } | undefined {
    const bad = (msg: string) => {
      this.diags.error(t.tok, `${full}: ${msg}`);
      return undefined;
    };
    if (conn === 'wye') {
      const ph = t.nodes.slice(0, np);
      const neutral = t.nodes[np] ?? 0;
      if (np === 1 && isPhase(neutral) && isPhase(ph[0]!)) {
        const l = label(ph[0]!, neutral);
        return l === undefined ? bad(`connected from node ${ph[0]} to node ${neutral}`) : { conn: 'delta', phases: [l] };
      }
      if (ph.some((n) => !isPhase(n))) return bad(`phase conductors on nodes ${ph.join('.')}; each must be a phase 1..3`);
      return { conn: 'wye', phases: ph };
    }
    const pairs: [number, number][] = [];
    if (np >= 3) for (let i = 0; i < np; i++) pairs.push([t.nodes[i]!, t.nodes[(i + 1) % np]!]);
    else for (let i = 0; i < np; i++) pairs.push([t.nodes[i]!, t.nodes[i + 1]!]);
    const grounded = pairs.filter(([x, y]) => x === 0 || y === 0);
    if (grounded.length === pairs.length) {
      const ph = pairs.map(([x, y]) => (x === 0 ? y : x));
      if (ph.some((n) => !isPhase(n))) return bad(`delta connection on nodes ${t.nodes.join('.')}`);
      this.diags.warning(
        t.tok,
        `${full}: conn=delta on '${t.tok.text}' connects ${ph.length === 1 ? `node ${ph[0]}` : `nodes ${ph.join(', ')}`} to ground (node 0, OpenDSS's default for an unwritten node); it is imported as a phase-to-ground load`,
      );
      return { conn: 'wye', phases: ph };
    }
    if (grounded.length > 0) return bad(`delta connection on nodes ${t.nodes.join('.')} mixes phase-to-phase and phase-to-ground branches`);
    const out: number[] = [];
    for (const [x, y] of pairs) {
      const l = label(x, y);
      if (l === undefined) return bad(`delta branch between nodes ${x} and ${y}`);
      out.push(l);
    }
    return { conn: 'delta', phases: out };
  }

  /** Per-phase values sorted by phase, values of a repeated phase summed. */
  private perPhase(phases: number[], values: number[][]): { phases: PhaseNo[]; values: number[][] } {
    let ascending = true;
    for (let i = 1; i < phases.length; i++) if (phases[i]! <= phases[i - 1]!) ascending = false;
    if (ascending) return { phases: phases as PhaseNo[], values };
    const idx = new Map<number, number>();
    const ph: number[] = [];
    const vals: number[][] = values.map(() => []);
    phases.forEach((p, i) => {
      let k = idx.get(p);
      if (k === undefined) {
        k = ph.length;
        idx.set(p, k);
        ph.push(p);
        vals.forEach((v) => v.push(0));
      }
      values.forEach((v, j) => (vals[j]![k!]! += v[i]!));
    });
    const order = ph.map((_, i) => i).sort((i, j) => ph[i]! - ph[j]!);
    return { phases: order.map((i) => ph[i]! as PhaseNo), values: vals.map((v) => order.map((i) => v[i]!)) };
  }

  /**
   * The connection of a one-terminal element (a load, a generator): its bus1 resolved (the bus
   * counts as used even when the element is disabled), then its phases and wye/delta connection;
   * undefined, with the diagnostic, when it is left out.
   */
  private oneTerminal(o: DssObject, full: string, st: { bus1?: LoadState['bus1']; phases: number; conn: LoadState['conn']; enabled: boolean }) {
    if (st.bus1 === undefined) {
      this.diags.error(o.at, `${full} has no bus1; it is left out`);
      return undefined;
    }
    const np = st.phases;
    const nconds = st.conn === 'wye' || np < 3 ? np + 1 : np;
    const t = this.terminal(st.bus1, nconds, np, `${full}.bus1`);
    if (!t) return undefined;
    this.touch(t.bus, t.nodes);
    if (!st.enabled) {
      this.diags.warning(o.at, `${full} is disabled (enabled=no) and is left out`);
      return undefined;
    }
    const c = this.connection(full, t, np, st.conn);
    return c && { t, c };
  }

  private load(o: DssObject, st: LoadState): void {
    const full = `Load.${o.name}`;
    const at = this.oneTerminal(o, full, st);
    if (!at) return;
    const { t, c } = at;
    let kw = st.kw;
    let kvar = st.kvar;
    const fromPf = (p: number) => p * Math.sqrt(1 / (st.pf * st.pf) - 1) * Math.sign(st.pf);
    switch (st.spec) {
      case 'kw_pf': kvar = fromPf(kw); break;
      case 'kw_kvar': break;
      case 'kva_pf': kw = st.kva * Math.abs(st.pf); kvar = fromPf(kw); break;
      case 'xfkva': kw = st.xfkva * st.allocationfactor * Math.abs(st.pf); kvar = fromPf(kw); break;
      case 'kwh':
        this.diags.warning(st.specTok ?? o.at, `${full}: a load given by kWh billing is not supported; its kW (${st.kw}) and pf are used`);
        kvar = fromPf(kw);
        break;
    }
    const n = c.phases.length;
    const pp = this.perPhase(c.phases, [c.phases.map(() => kw / n), c.phases.map(() => kvar / n)]);
    this.loads.push({ name: full, bus: t.bus, conn: c.conn, phases: pp.phases, p: pp.values[0]!, q: pp.values[1]!, model: st.model, kv: st.kv });
    this.where(o, full);
  }

  private capacitor(o: DssObject, st: CapacitorState): void {
    const full = `Capacitor.${o.name}`;
    if (st.bus1 === undefined) {
      this.diags.error(o.at, `${full} has no bus1; it is left out`);
      return;
    }
    const np = st.phases;
    const t = this.terminal(st.bus1, np, np, `${full}.bus1`);
    if (!t) return;
    this.touch(t.bus, t.nodes);
    if (st.bus2 !== undefined) {
      const t2 = this.terminal(st.bus2, np, np, `${full}.bus2`);
      if (t2 && t2.nodes.some((n) => n !== 0)) {
        this.touch(t2.bus, t2.nodes);
        this.diags.warning(st.bus2.tok, `${full} is connected between two sets of nodes (bus2=${st.bus2.text}); only shunt capacitors to ground are modelled, so it is left out`);
        this.note('Capacitor (series, bus2 not grounded)', o.name);
        return;
      }
    }
    if (!st.enabled) {
      this.diags.warning(o.at, `${full} is disabled (enabled=no) and is left out`);
      return;
    }
    if (st.other !== undefined) this.diags.warning(st.other, `${full}: capacitance given as cuf/cmatrix is not read; the kvar rating (${st.kvar.join(' + ')}) is used`);
    let c: { conn: Conn; phases: number[] } | undefined;
    if (st.conn === 'delta' && np !== 3) {
      this.diags.error(t.tok, `${full}: a ${np}-phase delta capacitor is not supported (use bus1 with both nodes and conn=wye, or 3 phases)`);
      return;
    }
    if (st.conn === 'delta') c = this.connection(full, t, np, 'delta');
    else c = this.connection(full, { ...t, nodes: [...t.nodes, 0] }, np, 'wye');
    if (!c) return;
    const total = st.kvar.reduce((a, b) => a + b, 0);
    const n = c.phases.length;
    const pp = this.perPhase(c.phases, [c.phases.map(() => total / n)]);
    this.capacitors.push({ name: full, bus: t.bus, conn: c.conn, phases: pp.phases, q: pp.values[0]!, kv: st.kv });
    this.where(o, full);
  }

  private gen(o: DssObject, st: GenState): void {
    const cls = st.kind === 'generator' ? 'Generator' : st.kind === 'pvsystem' ? 'PVSystem' : 'Storage';
    const full = `${cls}.${o.name}`;
    const at = this.oneTerminal(o, full, st);
    if (!at) return;
    const { t, c } = at;
    const used = new Set<number>();
    if (c.conn === 'wye') c.phases.forEach((p) => used.add(p));
    else for (const l of c.phases) { used.add(l); used.add(l === 3 ? 1 : l + 1); }
    const kind = st.kind === 'generator' ? 'generator' : st.kind === 'pvsystem' ? 'pv' : 'storage';
    this.generators.push({
      name: full,
      kind,
      bus: t.bus,
      phases: [...used].sort((a, b) => a - b) as PhaseNo[],
      kw: st.kw,
      ...(st.kvar !== undefined ? { kvar: st.kvar } : {}),
      ...(st.kva !== undefined ? { kva: st.kva } : st.kind === 'storage' ? { kva: st.kw } : {}), // Storage.pas: kVA defaults to kWrated
    });
    this.where(o, full);
  }

  // ---------------------------------------------------------------------------------- voltage bases

  private voltageBases(root: string, rootKv: number | undefined): Map<string, number> {
    const kv = new Map<string, number>();
    if (root === '' || rootKv === undefined) return kv;
    const adj = new Map<string, { to: string; ratio: number }[]>();
    const add = (a: string, b: string, ratio: number) => {
      let l = adj.get(a);
      if (l === undefined) adj.set(a, (l = []));
      l.push({ to: b, ratio });
    };
    for (const { branch, ratio } of this.branches) {
      add(branch.from, branch.to, ratio);
      add(branch.to, branch.from, 1 / ratio);
    }
    kv.set(root, rootKv);
    const queue = [root];
    for (let qi = 0; qi < queue.length; qi++) {
      const bus = queue[qi]!;
      const v = kv.get(bus)!;
      for (const e of adj.get(bus) ?? []) {
        if (kv.has(e.to)) continue;
        kv.set(e.to, v * e.ratio);
        queue.push(e.to);
      }
    }
    const unreached = [...this.buses.keys()].filter((b) => !kv.has(b));
    if (unreached.length > 0)
      this.diags.warning(
        { file: this.s.rootFile, line: 1, col: 1 },
        `${unreached.length} bus${unreached.length === 1 ? ' is' : 'es are'} not connected to the source bus ${root} by any branch (e.g. ${unreached.slice(0, 3).join(', ')}); they get no kvBase`,
      );
    const bases = this.s.voltageBases;
    if (bases.length > 0) {
      let far = 0;
      let example = '';
      for (const [bus, v] of kv) {
        let best = bases[0]!;
        for (const b of bases) if (Math.abs(1 - v / b) < Math.abs(1 - v / best)) best = b;
        if (Math.abs(1 - v / best) > 0.15) {
          far++;
          example ||= `${bus} (${+v.toPrecision(4)} kV)`;
        }
        kv.set(bus, best);
      }
      if (far > 0)
        this.diags.warning(
          { file: this.s.rootFile, line: 1, col: 1 },
          `${far} bus${far === 1 ? '' : 'es'} (e.g. ${example}) have no voltage base within 15 % among Set voltagebases=[${bases.join(', ')}]; the nearest is used, as OpenDSS does`,
        );
    }
    return kv;
  }
}
