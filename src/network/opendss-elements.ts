// The state of each OpenDSS object the importer models, and what setting each property does to
// it. Properties are applied one at a time in the order written, as OpenDSS does, because some
// have side effects on others (`switch=y` resets the impedances and the length, `r1=` discards a
// linecode, `%loadloss` splits into the two winding resistances, `kva` of winding 1 is copied to
// the others, ...). Defaults are OpenDSS's, from the constructors in the dss-extensions/dss_capi
// sources (file named at each default below).
import {
  type Diags,
  type Tok,
  numberArray,
  numberValue,
  symMatrix,
  wordArray,
} from './opendss-lexer.js';
import { convertLength, lengthUnit, type LengthUnit } from './opendss-props.js';

/** A terminal's bus as written (`800.1.2.3`), parsed later into a name and nodes. */
export interface BusRef {
  readonly text: string;
  readonly tok: Tok;
}

export type Conn = 'wye' | 'delta';
export type Matrix = number[][];

export interface VsourceState {
  kind: 'vsource';
  /** Default `sourcebus` (VSource.pas: `New Circuit` creates Vsource.source on bus1=sourcebus). */
  bus1?: BusRef;
  basekv: number;
  pu: number;
  angle: number;
  phases: number;
  frequency?: number;
  enabled: boolean;
}

export interface LineCodeState {
  kind: 'linecode';
  nphases: number;
  r1: number; x1: number; r0: number; x0: number;
  /** nF per unit length. */
  c1: number; c0: number;
  units: LengthUnit;
  /** Impedances given as sequence values (true) or as matrices. */
  sym: boolean;
  rm: Matrix; xm: Matrix; cm: Matrix;
  normamps?: number;
  basefreq: number;
}

export interface LineState {
  kind: 'line';
  phases: number;
  bus1?: BusRef;
  bus2?: BusRef;
  linecode?: string;
  len: number;
  units: LengthUnit;
  /** ConvertLineUnits(linecode units, line units): the line's length divided by this is in the impedances' unit. */
  unitsConvert: number;
  codeUnits: LengthUnit;
  sym: boolean;
  r1: number; x1: number; r0: number; x0: number;
  c1: number; c0: number;
  rm?: Matrix; xm?: Matrix; cm?: Matrix;
  isSwitch: boolean;
  capSpecified: boolean;
  normamps?: number;
  enabled: boolean;
  geometry?: Tok;
  basefreq: number;
}

export type LoadSpec = 'kw_pf' | 'kw_kvar' | 'kva_pf' | 'xfkva' | 'kwh';

export interface LoadState {
  kind: 'load';
  phases: number;
  bus1?: BusRef;
  kv: number;
  kw: number;
  pf: number;
  kvar: number;
  kva: number;
  xfkva: number;
  allocationfactor: number;
  spec: LoadSpec;
  specTok?: Tok;
  model: number;
  conn: Conn;
  enabled: boolean;
}

export interface Winding {
  bus?: BusRef;
  conn: Conn;
  kv: number;
  kva: number;
  tap: number;
  /** Resistance, per unit on winding 1's kVA. */
  r: number;
  maxtap: number;
  mintap: number;
  numtaps: number;
}

export interface TransformerState {
  kind: 'transformer' | 'xfmrcode';
  phases: number;
  windings: Winding[];
  /** The winding `wdg=` selected, 1-based. */
  active: number;
  /** Leakage reactances, per unit on winding 1's kVA. */
  xhl: number; xht: number; xlt: number;
  bank?: string;
  normamps?: number;
  enabled: boolean;
}

export interface RegControlState {
  kind: 'regcontrol';
  transformer?: string;
  transformerTok?: Tok;
  winding: number;
  tapwinding?: number;
  vreg: number;
  band: number;
  ptratio: number;
  enabled: boolean;
}

export interface CapacitorState {
  kind: 'capacitor';
  bus1?: BusRef;
  bus2?: BusRef;
  phases: number;
  /** kvar of each step, total over the phases. */
  kvar: number[];
  kv: number;
  conn: Conn;
  other?: Tok;
  enabled: boolean;
}

export interface ReactorState {
  kind: 'reactor';
  bus1?: BusRef;
  bus2?: BusRef;
  phases: number;
  kvar: number;
  kv: number;
  conn: Conn;
  spec: 'kvar' | 'rx' | 'matrix' | 'z';
  r: number;
  x: number;
  rm?: Matrix;
  xm?: Matrix;
  z1?: [number, number];
  z0?: [number, number];
  parallel: boolean;
  normamps?: number;
  enabled: boolean;
  basefreq: number;
}

export interface GenState {
  kind: 'generator' | 'pvsystem' | 'storage';
  phases: number;
  bus1?: BusRef;
  kv: number;
  kw: number;
  kvar?: number;
  kva?: number;
  conn: Conn;
  enabled: boolean;
}

export type ElementState =
  | VsourceState | LineCodeState | LineState | LoadState | TransformerState | RegControlState
  | CapacitorState | ReactorState | GenState;

/** What property application needs from the interpreter. */
export interface ApplyContext {
  readonly diags: Diags;
  readonly baseFrequency: number;
  lineCode(name: string): LineCodeState | undefined;
  xfmrCode(name: string): TransformerState | undefined;
}

// ------------------------------------------------------------------------------------ defaults

/** Zs on the diagonal, Zm off it: the phase matrix of sequence values (Zs = (2 Z1 + Z0)/3, Zm = (Z0 - Z1)/3). */
export function seqMatrix(n: number, v1: number, v0: number): Matrix {
  const s = (2 * v1 + v0) / 3;
  const m = (v0 - v1) / 3;
  const out: Matrix = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) row.push(i === j ? s : m);
    out.push(row);
  }
  return out;
}

export function newVsource(): VsourceState {
  // VSource.pas, TVsourceObj.Create: kVBase 115, PerUnit 1, Angle 0, 3 phases; the frequency is
  // the default base frequency unless given.
  return { kind: 'vsource', basekv: 115, pu: 1, angle: 0, phases: 3, enabled: true };
}

export function newLineCode(baseFrequency: number): LineCodeState {
  // LineCode.pas, TLineCodeObj.Create: 3 phases, R1 0.058, X1 0.1206, R0 0.1784, X0 0.4047 ohm,
  // C1 3.4, C0 1.6 nF (per kft in the comments, but Units = none), matrices from these.
  const s: LineCodeState = {
    kind: 'linecode', nphases: 3, r1: 0.058, x1: 0.1206, r0: 0.1784, x0: 0.4047, c1: 3.4, c0: 1.6,
    units: 'none', sym: true, rm: [], xm: [], cm: [], basefreq: baseFrequency,
  };
  codeFromSym(s);
  return s;
}

function codeFromSym(s: LineCodeState): void {
  // LineCode.pas CalcMatricesFromZ1Z0 (no special case for one phase in a linecode).
  s.rm = seqMatrix(s.nphases, s.r1, s.r0);
  s.xm = seqMatrix(s.nphases, s.x1, s.x0);
  s.cm = seqMatrix(s.nphases, s.c1, s.c0);
}

export function newLine(baseFrequency: number): LineState {
  // Line.pas, TLineObj.Create: 3 phases, the same sequence data as a linecode, length 1,
  // units none, not a switch, NormAmps 400 (not reported unless given).
  return {
    kind: 'line', phases: 3, len: 1, units: 'none', unitsConvert: 1, codeUnits: 'none', sym: true,
    r1: 0.058, x1: 0.1206, r0: 0.1784, x0: 0.4047, c1: 3.4, c0: 1.6, isSwitch: false, capSpecified: false,
    enabled: true, basefreq: baseFrequency,
  };
}

export function newLoad(): LoadState {
  // Load.pas, TLoadObj.Create: 3 phases, 12.47 kV, 10 kW at pf 0.88, model 1, wye; the
  // allocation factor for xfkVA is 0.5.
  return {
    kind: 'load', phases: 3, kv: 12.47, kw: 10, pf: 0.88, kvar: 5, kva: 10 / 0.88, xfkva: 0,
    allocationfactor: 0.5, spec: 'kw_pf', model: 1, conn: 'wye', enabled: true,
  };
}

export function newWinding(): Winding {
  // Transformer.pas, TWinding.Init: wye, 12.47 kV, 1000 kVA, tap 1, %R 0.2, taps 0.9..1.1 in 32 steps.
  return { conn: 'wye', kv: 12.47, kva: 1000, tap: 1, r: 0.002, maxtap: 1.1, mintap: 0.9, numtaps: 32 };
}

export function newTransformer(kind: 'transformer' | 'xfmrcode'): TransformerState {
  // Transformer.pas, TTransfObj.Create: 3 phases, 2 windings, XHL 7 %, XHT 35 %, XLT 30 %.
  return { kind, phases: 3, windings: [newWinding(), newWinding()], active: 1, xhl: 0.07, xht: 0.35, xlt: 0.3, enabled: true };
}

export function newRegControl(): RegControlState {
  // RegControl.pas: winding 1 (the monitored winding; TapWinding follows it unless set),
  // Vreg 120 V, Band 3 V, PTratio 60.
  return { kind: 'regcontrol', winding: 1, vreg: 120, band: 3, ptratio: 60, enabled: true };
}

export function newCapacitor(): CapacitorState {
  // Capacitor.pas: 3 phases, 1200 kvar, 12.47 kV, wye.
  return { kind: 'capacitor', phases: 3, kvar: [1200], kv: 12.47, conn: 'wye', enabled: true };
}

export function newReactor(baseFrequency: number): ReactorState {
  // Reactor.pas: 3 phases, 100 kvar at 12.47 kV, wye; R = 0.
  return {
    kind: 'reactor', phases: 3, kvar: 100, kv: 12.47, conn: 'wye', spec: 'kvar', r: 0, x: 0, parallel: false,
    enabled: true, basefreq: baseFrequency,
  };
}

export function newGen(kind: GenState['kind']): GenState {
  // Generator.pas: 3 phases, 12.47 kV, 1000 kW. PVsystem.pas: Pmpp 500 kW, kVA 500.
  // Storage.pas: kWrated 25, kVA = kWrated.
  switch (kind) {
    case 'generator': return { kind, phases: 3, kv: 12.47, kw: 1000, conn: 'wye', enabled: true };
    case 'pvsystem': return { kind, phases: 3, kv: 12.47, kw: 500, kva: 500, conn: 'wye', enabled: true };
    case 'storage': return { kind, phases: 3, kv: 12.47, kw: 25, conn: 'wye', enabled: true };
  }
}

// ------------------------------------------------------------------------------------ values

function num(cx: ApplyContext, v: Tok, what: string): number | undefined {
  return numberValue(v, cx.diags, what);
}

function int(cx: ApplyContext, v: Tok, what: string, min = 1): number | undefined {
  const n = num(cx, v, what);
  if (n === undefined) return undefined;
  const r = Math.round(n);
  if (r < min) {
    cx.diags.error(v, `${what} must be an integer of at least ${min}, found ${v.text}`);
    return undefined;
  }
  return r;
}

/** OpenDSS InterpretYesNo: y/t/1 true, n/f/0 false. */
export function yesNo(cx: { diags: Diags }, v: Tok, what: string): boolean | undefined {
  const c = v.text.trim().toLowerCase()[0];
  if (c === 'y' || c === 't' || c === '1') return true;
  if (c === 'n' || c === 'f' || c === '0') return false;
  cx.diags.error(v, `expected yes or no for ${what}, found '${v.text}'`);
  return undefined;
}

/** OpenDSS InterpretConnection: wye/y/ln (star), delta/d/ll. */
function conn(cx: ApplyContext, v: Tok, what: string): Conn | undefined {
  const t = v.text.trim().toLowerCase();
  if (t === 'wye' || t === 'y' || t === 'ln' || t === 'star' || t === 'w') return 'wye';
  if (t === 'delta' || t === 'd' || t === 'll') return 'delta';
  cx.diags.error(v, `expected wye, delta, LN or LL for ${what}, found '${v.text}'`);
  return undefined;
}

function units(cx: ApplyContext, v: Tok, what: string): LengthUnit | undefined {
  const u = lengthUnit(v.text.trim());
  if (u === undefined) cx.diags.error(v, `unknown length unit '${v.text}' for ${what} (none, mi, kft, km, m, ft, in, cm, mm)`);
  return u;
}

function busRef(cx: ApplyContext, v: Tok, what: string): BusRef | undefined {
  if (v.text.trim() === '') {
    cx.diags.error(v, `missing bus name for ${what}`);
    return undefined;
  }
  return { text: v.text.trim(), tok: v };
}

function pair(cx: ApplyContext, v: Tok, what: string): [number, number] | undefined {
  const a = numberArray(v, cx.diags, what);
  if (a === undefined) return undefined;
  if (a.length !== 2) {
    cx.diags.error(v, `${what} takes two values [R X], found ${a.length}`);
    return undefined;
  }
  return [a[0]!, a[1]!];
}

// ------------------------------------------------------------------------------------ apply

/**
 * Applies one property to an element's state. `prop` is the canonical property name, `what` the
 * element's name and property for messages. `like` and the checks of names are the caller's.
 */
export function applyProperty(s: ElementState, prop: string, v: Tok, what: string, cx: ApplyContext): void {
  switch (s.kind) {
    case 'vsource': return applyVsource(s, prop, v, what, cx);
    case 'linecode': return applyLineCode(s, prop, v, what, cx);
    case 'line': return applyLine(s, prop, v, what, cx);
    case 'load': return applyLoad(s, prop, v, what, cx);
    case 'transformer': case 'xfmrcode': return applyTransformer(s, prop, v, what, cx);
    case 'regcontrol': return applyRegControl(s, prop, v, what, cx);
    case 'capacitor': return applyCapacitor(s, prop, v, what, cx);
    case 'reactor': return applyReactor(s, prop, v, what, cx);
    case 'generator': case 'pvsystem': case 'storage': return applyGen(s, prop, v, what, cx);
  }
}

function setNum<K extends string>(o: Record<K, number>, k: K, cx: ApplyContext, v: Tok, what: string): void {
  const n = num(cx, v, what);
  if (n !== undefined) o[k] = n;
}

function applyVsource(s: VsourceState, prop: string, v: Tok, what: string, cx: ApplyContext): void {
  switch (prop) {
    case 'bus1': { const b = busRef(cx, v, what); if (b) s.bus1 = b; return; }
    case 'basekv': return setNum(s, 'basekv', cx, v, what);
    case 'pu': return setNum(s, 'pu', cx, v, what);
    case 'angle': return setNum(s, 'angle', cx, v, what);
    case 'frequency': case 'basefreq': { const n = num(cx, v, what); if (n !== undefined) s.frequency = n; return; }
    case 'phases': { const n = int(cx, v, what); if (n !== undefined) s.phases = n; return; }
    case 'enabled': { const b = yesNo(cx, v, what); if (b !== undefined) s.enabled = b; return; }
    case 'mvasc3': case 'mvasc1': case 'x1r1': case 'x0r0': case 'isc3': case 'isc1': case 'r1': case 'x1':
    case 'r0': case 'x0': case 'basemva':
      // The source impedance: not part of NetworkData (the root is an ideal source at vRootPu); checked only.
      num(cx, v, what);
      return;
    default:
      return;
  }
}

function applyLineCode(s: LineCodeState, prop: string, v: Tok, what: string, cx: ApplyContext): void {
  const toMatrix = () => {
    if (s.sym) codeFromSym(s);
    s.sym = false;
  };
  switch (prop) {
    case 'nphases': {
      const n = int(cx, v, what);
      if (n !== undefined && n !== s.nphases) {
        s.nphases = n;
        // LineCode.pas: a change of nphases recomputes all matrices from the sequence values.
        codeFromSym(s);
      }
      return;
    }
    case 'r1': case 'x1': case 'r0': case 'x0': case 'c1': case 'c0': {
      const n = num(cx, v, what);
      if (n === undefined) return;
      s[prop] = n;
      s.sym = true;
      codeFromSym(s);
      return;
    }
    case 'b1': case 'b0': {
      // microsiemens per unit length -> nF per unit length at the code's base frequency.
      const n = num(cx, v, what);
      if (n === undefined) return;
      const c = (n / (2 * Math.PI * s.basefreq)) * 1e3;
      if (prop === 'b1') s.c1 = c;
      else s.c0 = c;
      s.sym = true;
      codeFromSym(s);
      return;
    }
    case 'units': { const u = units(cx, v, what); if (u) s.units = u; return; }
    case 'rmatrix': case 'xmatrix': case 'cmatrix': {
      const m = symMatrix(v, s.nphases, cx.diags, what);
      if (m === undefined) return;
      toMatrix();
      if (prop === 'rmatrix') s.rm = m;
      else if (prop === 'xmatrix') s.xm = m;
      else s.cm = m;
      return;
    }
    case 'basefreq': return setNum(s, 'basefreq', cx, v, what);
    case 'normamps': { const n = num(cx, v, what); if (n !== undefined) s.normamps = n; return; }
    case 'emergamps': case 'faultrate': case 'pctperm': case 'repair': case 'rg': case 'xg': case 'rho':
      num(cx, v, what);
      return;
    case 'kron': {
      const b = yesNo(cx, v, what);
      if (b) cx.diags.warning(v, `${what}: Kron reduction of a linecode is not supported; the matrices are used as given`);
      return;
    }
    default:
      return;
  }
}

function materializeLine(s: LineState): void {
  if (!s.sym && s.rm && s.xm && s.cm) return;
  const n = s.phases;
  const [r0, x0, c0] = n === 1 ? [s.r1, s.x1, s.c1] : [s.r0, s.x0, s.c0];
  s.rm = seqMatrix(n, s.r1, r0);
  s.xm = seqMatrix(n, s.x1, x0);
  s.cm = seqMatrix(n, s.c1, c0);
}

function applyLine(s: LineState, prop: string, v: Tok, what: string, cx: ApplyContext): void {
  const killCode = () => {
    s.linecode = undefined;
    s.codeUnits = 'none';
  };
  // Line.pas ResetLengthUnits: impedances given on the line itself are per unit of the line's length.
  const resetUnits = () => {
    s.unitsConvert = 1;
    s.units = 'none';
  };
  switch (prop) {
    case 'bus1': { const b = busRef(cx, v, what); if (b) s.bus1 = b; return; }
    case 'bus2': { const b = busRef(cx, v, what); if (b) s.bus2 = b; return; }
    case 'linecode': {
      const name = v.text.trim();
      const code = cx.lineCode(name);
      if (code === undefined) {
        cx.diags.error(v, `${what}: LineCode.${name} is not defined (a linecode must be defined before the lines that use it)`);
        return;
      }
      // Line.pas FetchLineCode: copy the code's phases, impedances (sequence values or matrices),
      // units and ratings.
      s.linecode = name.toLowerCase();
      s.phases = code.nphases;
      s.sym = code.sym;
      s.r1 = code.r1; s.x1 = code.x1; s.r0 = code.r0; s.x0 = code.x0; s.c1 = code.c1; s.c0 = code.c0;
      // Shared with the code: matrices are replaced, never changed in place.
      if (s.sym) { s.rm = undefined; s.xm = undefined; s.cm = undefined; }
      else { s.rm = code.rm; s.xm = code.xm; s.cm = code.cm; }
      s.capSpecified = true;
      s.codeUnits = code.units;
      s.unitsConvert = convertLength(code.units, s.units);
      s.normamps = code.normamps;
      s.basefreq = code.basefreq;
      s.geometry = undefined;
      return;
    }
    case 'length': return setNum(s, 'len', cx, v, what);
    case 'phases': {
      const n = int(cx, v, what);
      if (n === undefined || n === s.phases) return;
      if (!s.sym) {
        cx.diags.error(v, `${what}: cannot change the number of phases of a line whose impedances are matrices (${s.phases} phases${s.linecode ? ` from LineCode.${s.linecode}` : ''})`);
        return;
      }
      s.phases = n;
      return;
    }
    case 'r1': case 'x1': case 'r0': case 'x0': case 'c1': case 'c0': case 'b1': case 'b0': {
      const n = num(cx, v, what);
      if (n === undefined) return;
      if (prop === 'b1') s.c1 = (n / (2 * Math.PI * s.basefreq)) * 1e3;
      else if (prop === 'b0') s.c0 = (n / (2 * Math.PI * s.basefreq)) * 1e3;
      else s[prop] = n;
      if (prop.startsWith('c') || prop.startsWith('b')) s.capSpecified = true;
      killCode();
      resetUnits();
      s.sym = true;
      s.rm = s.xm = s.cm = undefined;
      s.geometry = undefined;
      return;
    }
    case 'rmatrix': case 'xmatrix': case 'cmatrix': {
      const m = symMatrix(v, s.phases, cx.diags, what);
      if (m === undefined) return;
      materializeLine(s);
      if (prop === 'rmatrix') s.rm = m;
      else if (prop === 'xmatrix') s.xm = m;
      else { s.cm = m; s.capSpecified = true; }
      s.sym = false;
      killCode();
      resetUnits();
      s.geometry = undefined;
      return;
    }
    case 'switch': {
      const b = yesNo(cx, v, what);
      if (b === undefined) return;
      s.isSwitch = b;
      if (b) {
        // Line.pas: Switch=y sets r1 = x1 = r0 = x0 = 1 ohm, c1 = 1.1 nF, c0 = 1 nF, length 0.001,
        // units none ("you must reset if you want something different").
        killCode();
        s.geometry = undefined;
        s.r1 = 1; s.x1 = 1; s.r0 = 1; s.x0 = 1; s.c1 = 1.1; s.c0 = 1;
        s.len = 0.001;
        resetUnits();
        s.sym = true;
        s.rm = s.xm = s.cm = undefined;
      }
      return;
    }
    case 'units': {
      const u = units(cx, v, what);
      if (u === undefined) return;
      if (s.linecode !== undefined) s.unitsConvert = convertLength(s.codeUnits, u);
      else s.unitsConvert *= convertLength(s.units, u);
      s.units = u;
      return;
    }
    case 'geometry': case 'spacing': case 'wires': case 'cncables': case 'tscables':
      s.geometry = v;
      return;
    case 'normamps': { const n = num(cx, v, what); if (n !== undefined) s.normamps = n; return; }
    case 'emergamps': case 'faultrate': case 'pctperm': case 'repair': case 'rg': case 'xg': case 'rho':
      num(cx, v, what);
      return;
    case 'basefreq': return setNum(s, 'basefreq', cx, v, what);
    case 'enabled': { const b = yesNo(cx, v, what); if (b !== undefined) s.enabled = b; return; }
    default:
      return;
  }
}

function applyLoad(s: LoadState, prop: string, v: Tok, what: string, cx: ApplyContext): void {
  switch (prop) {
    case 'phases': { const n = int(cx, v, what); if (n !== undefined) s.phases = n; return; }
    case 'bus1': { const b = busRef(cx, v, what); if (b) s.bus1 = b; return; }
    case 'kv': return setNum(s, 'kv', cx, v, what);
    case 'kw': { const n = num(cx, v, what); if (n !== undefined) { s.kw = n; s.spec = 'kw_pf'; } return; }
    case 'pf': {
      const n = num(cx, v, what);
      if (n === undefined) return;
      if (n === 0 || Math.abs(n) > 1) {
        cx.diags.error(v, `${what} must be a power factor in [-1, 0) or (0, 1], found ${v.text}`);
        return;
      }
      // Load.pas: pf does not change how the load is specified; kW= selects kW and pf, kvar=
      // kW and kvar, kVA= kVA and pf, whichever of them comes last.
      s.pf = n;
      return;
    }
    case 'kvar': { const n = num(cx, v, what); if (n !== undefined) { s.kvar = n; s.spec = 'kw_kvar'; } return; }
    case 'kva': { const n = num(cx, v, what); if (n !== undefined) { s.kva = n; s.spec = 'kva_pf'; } return; }
    case 'xfkva': { const n = num(cx, v, what); if (n !== undefined) { s.xfkva = n; s.spec = 'xfkva'; } return; }
    case 'allocationfactor': { const n = num(cx, v, what); if (n !== undefined) { s.allocationfactor = n; s.spec = 'xfkva'; } return; }
    case 'kwh': case 'kwhdays': case 'cfactor':
      if (num(cx, v, what) !== undefined) { s.spec = 'kwh'; s.specTok = v; }
      return;
    case 'model': {
      const n = int(cx, v, what);
      if (n === undefined) return;
      if (n > 8) { cx.diags.error(v, `${what} must be 1..8, found ${v.text}`); return; }
      s.model = n;
      return;
    }
    case 'conn': { const c = conn(cx, v, what); if (c) s.conn = c; return; }
    case 'status': {
      const t = v.text.trim().toLowerCase();
      if (!['variable', 'fixed', 'exempt', 'v', 'f', 'e'].some((w) => t === w || (t.length > 0 && w.startsWith(t))))
        cx.diags.error(v, `${what} must be variable, fixed or exempt, found '${v.text}'`);
      return;
    }
    case 'enabled': { const b = yesNo(cx, v, what); if (b !== undefined) s.enabled = b; return; }
    case 'rneut': case 'xneut': case 'vminpu': case 'vmaxpu': case 'vminnorm': case 'vminemerg': case '%mean':
    case '%stddev': case 'cvrwatts': case 'cvrvars': case '%seriesrl': case 'relweight': case 'vlowpu':
    case 'puxharm': case 'xrharm': case 'basefreq': case 'numcust': case 'class':
      num(cx, v, what);
      return;
    default:
      return;
  }
}

function windingArray(s: TransformerState, v: Tok, what: string, cx: ApplyContext, count: number): boolean {
  if (count !== s.windings.length)
    cx.diags.warning(v, `${what} has ${count} value${count === 1 ? '' : 's'} for ${s.windings.length} windings`);
  return count > 0;
}

function applyTransformer(s: TransformerState, prop: string, v: Tok, what: string, cx: ApplyContext): void {
  const w = s.windings[s.active - 1]!;
  switch (prop) {
    case 'phases': { const n = int(cx, v, what); if (n !== undefined) s.phases = n; return; }
    case 'windings': {
      const n = int(cx, v, what, 2);
      if (n === undefined || n === s.windings.length) return;
      // Transformer.pas: a new number of windings re-initialises every winding.
      const old = s.windings;
      s.windings = Array.from({ length: n }, (_, i) => ({ ...newWinding(), bus: old[i]?.bus }));
      if (s.active > n) s.active = 1;
      return;
    }
    case 'wdg': {
      const n = int(cx, v, what);
      if (n === undefined) return;
      if (n > s.windings.length) {
        cx.diags.error(v, `${what}: winding ${n} does not exist (windings=${s.windings.length})`);
        return;
      }
      s.active = n;
      return;
    }
    case 'bus': {
      if (s.kind === 'xfmrcode') return;
      const b = busRef(cx, v, what);
      if (b) w.bus = b;
      return;
    }
    case 'conn': { const c = conn(cx, v, what); if (c) w.conn = c; return; }
    case 'kv': return setNum(w, 'kv', cx, v, what);
    case 'kva': {
      const n = num(cx, v, what);
      if (n === undefined) return;
      w.kva = n;
      // Transformer.pas: winding 1's kVA is copied to the others; for two windings, winding 2's to winding 1.
      if (s.active === 1) for (const o of s.windings) o.kva = n;
      else if (s.windings.length === 2) s.windings[0]!.kva = n;
      return;
    }
    case 'tap': return setNum(w, 'tap', cx, v, what);
    case '%r': { const n = num(cx, v, what); if (n !== undefined) w.r = n / 100; return; }
    case 'rneut': case 'xneut': case 'rdcohms': num(cx, v, what); return;
    case 'maxtap': return setNum(w, 'maxtap', cx, v, what);
    case 'mintap': return setNum(w, 'mintap', cx, v, what);
    case 'numtaps': { const n = int(cx, v, what, 0); if (n !== undefined) w.numtaps = n; return; }
    case 'buses': {
      if (s.kind === 'xfmrcode') return;
      const words = wordArray(v, cx.diags);
      if (!windingArray(s, v, what, cx, words.length)) return;
      words.slice(0, s.windings.length).forEach((t, i) => {
        const b = busRef(cx, t, what);
        if (b) s.windings[i]!.bus = b;
      });
      return;
    }
    case 'conns': {
      const words = wordArray(v, cx.diags);
      if (!windingArray(s, v, what, cx, words.length)) return;
      words.slice(0, s.windings.length).forEach((t, i) => {
        const c = conn(cx, t, what);
        if (c) s.windings[i]!.conn = c;
      });
      return;
    }
    case 'kvs': case 'kvas': case 'taps': case '%rs': {
      const a = numberArray(v, cx.diags, what);
      if (a === undefined || !windingArray(s, v, what, cx, a.length)) return;
      a.slice(0, s.windings.length).forEach((x, i) => {
        const o = s.windings[i]!;
        if (prop === 'kvs') o.kv = x;
        else if (prop === 'kvas') o.kva = x;
        else if (prop === 'taps') o.tap = x;
        else o.r = x / 100;
      });
      return;
    }
    case 'xhl': case 'x12': case 'xht': case 'x13': case 'xlt': case 'x23': {
      let n = num(cx, v, what);
      if (n === undefined) return;
      const key = prop === 'xhl' || prop === 'x12' ? 'xhl' : prop === 'xht' || prop === 'x13' ? 'xht' : 'xlt';
      if (n === 0) {
        // Transformer.pas PropertyTrapZero: a zero reactance is replaced by the default.
        n = key === 'xhl' ? 7 : key === 'xht' ? 35 : 30;
        cx.diags.warning(v, `${what} = 0 is replaced by OpenDSS's default ${n} %`);
      }
      s[key] = n / 100;
      return;
    }
    case 'xscarray': {
      const a = numberArray(v, cx.diags, what);
      if (a === undefined) return;
      if (a[0] !== undefined) s.xhl = a[0] / 100;
      if (a[1] !== undefined) s.xht = a[1] / 100;
      if (a[2] !== undefined) s.xlt = a[2] / 100;
      return;
    }
    case '%loadloss': {
      const n = num(cx, v, what);
      if (n === undefined) return;
      // Transformer.pas: the load loss is split evenly between windings 1 and 2.
      s.windings[0]!.r = n / 200;
      if (s.windings[1]) s.windings[1].r = n / 200;
      return;
    }
    case 'bank': s.bank = v.text.trim().toLowerCase(); return;
    case 'xfmrcode': {
      const code = cx.xfmrCode(v.text.trim());
      if (code === undefined) {
        cx.diags.error(v, `${what}: XfmrCode.${v.text.trim()} is not defined`);
        return;
      }
      s.phases = code.phases;
      s.windings = code.windings.map((cw, i) => ({ ...cw, bus: s.windings[i]?.bus }));
      s.xhl = code.xhl; s.xht = code.xht; s.xlt = code.xlt;
      if (s.active > s.windings.length) s.active = 1;
      return;
    }
    case 'normamps': { const n = num(cx, v, what); if (n !== undefined) s.normamps = n; return; }
    case 'enabled': { const b = yesNo(cx, v, what); if (b !== undefined) s.enabled = b; return; }
    case 'thermal': case 'n': case 'm': case 'flrise': case 'hsrise': case '%noloadloss': case 'normhkva':
    case 'emerghkva': case '%imag': case 'ppm_antifloat': case 'emergamps': case 'faultrate': case 'pctperm':
    case 'repair': case 'basefreq':
      num(cx, v, what);
      return;
    default:
      return;
  }
}

function applyRegControl(s: RegControlState, prop: string, v: Tok, what: string, cx: ApplyContext): void {
  switch (prop) {
    case 'transformer': s.transformer = v.text.trim().toLowerCase().replace(/^transformer\./, ''); s.transformerTok = v; return;
    case 'winding': { const n = int(cx, v, what); if (n !== undefined) s.winding = n; return; }
    case 'tapwinding': { const n = int(cx, v, what); if (n !== undefined) s.tapwinding = n; return; }
    case 'enabled': { const b = yesNo(cx, v, what); if (b !== undefined) s.enabled = b; return; }
    case 'vreg': case 'band': case 'ptratio': return setNum(s, prop, cx, v, what);
    case 'ctprim': case 'r': case 'x': case 'delay': case 'revvreg':
    case 'revband': case 'revr': case 'revx': case 'tapdelay': case 'maxtapchange': case 'vlimit':
    case 'revthreshold': case 'revdelay': case 'remoteptratio': case 'tapnum': case 'basefreq':
      num(cx, v, what);
      return;
    default:
      return;
  }
}

function applyCapacitor(s: CapacitorState, prop: string, v: Tok, what: string, cx: ApplyContext): void {
  switch (prop) {
    case 'bus1': { const b = busRef(cx, v, what); if (b) s.bus1 = b; return; }
    case 'bus2': { const b = busRef(cx, v, what); if (b) s.bus2 = b; return; }
    case 'phases': { const n = int(cx, v, what); if (n !== undefined) s.phases = n; return; }
    case 'kvar': { const a = numberArray(v, cx.diags, what); if (a !== undefined && a.length > 0) s.kvar = a; return; }
    case 'kv': return setNum(s, 'kv', cx, v, what);
    case 'conn': { const c = conn(cx, v, what); if (c) s.conn = c; return; }
    case 'cmatrix': case 'cuf': s.other = v; return;
    case 'enabled': { const b = yesNo(cx, v, what); if (b !== undefined) s.enabled = b; return; }
    case 'r': case 'xl': case 'harm': case 'states': case 'numsteps': case 'normamps': case 'emergamps':
    case 'basefreq':
      return;
    default:
      return;
  }
}

function applyReactor(s: ReactorState, prop: string, v: Tok, what: string, cx: ApplyContext): void {
  switch (prop) {
    case 'bus1': { const b = busRef(cx, v, what); if (b) s.bus1 = b; return; }
    case 'bus2': { const b = busRef(cx, v, what); if (b) s.bus2 = b; return; }
    case 'phases': { const n = int(cx, v, what); if (n !== undefined) s.phases = n; return; }
    case 'kvar': { const n = num(cx, v, what); if (n !== undefined) { s.kvar = n; s.spec = 'kvar'; } return; }
    case 'kv': return setNum(s, 'kv', cx, v, what);
    case 'conn': { const c = conn(cx, v, what); if (c) s.conn = c; return; }
    case 'r': { const n = num(cx, v, what); if (n !== undefined) { s.r = n; s.spec = 'rx'; } return; }
    case 'x': { const n = num(cx, v, what); if (n !== undefined) { s.x = n; s.spec = 'rx'; } return; }
    case 'lmh': {
      const n = num(cx, v, what);
      if (n !== undefined) { s.x = 2 * Math.PI * s.basefreq * n * 1e-3; s.spec = 'rx'; }
      return;
    }
    case 'z': { const p = pair(cx, v, what); if (p) { s.r = p[0]; s.x = p[1]; s.spec = 'rx'; } return; }
    case 'rmatrix': case 'xmatrix': {
      const m = symMatrix(v, s.phases, cx.diags, what);
      if (m === undefined) return;
      if (prop === 'rmatrix') s.rm = m;
      else s.xm = m;
      s.spec = 'matrix';
      return;
    }
    case 'z1': { const p = pair(cx, v, what); if (p) { s.z1 = p; s.spec = 'z'; } return; }
    case 'z0': { const p = pair(cx, v, what); if (p) { s.z0 = p; s.spec = 'z'; } return; }
    case 'z2': pair(cx, v, what); return;
    case 'parallel': { const b = yesNo(cx, v, what); if (b !== undefined) s.parallel = b; return; }
    case 'normamps': { const n = num(cx, v, what); if (n !== undefined) s.normamps = n; return; }
    case 'enabled': { const b = yesNo(cx, v, what); if (b !== undefined) s.enabled = b; return; }
    case 'basefreq': return setNum(s, 'basefreq', cx, v, what);
    case 'rp': case 'emergamps': case 'faultrate': case 'pctperm': case 'repair':
      num(cx, v, what);
      return;
    default:
      return;
  }
}

function applyGen(s: GenState, prop: string, v: Tok, what: string, cx: ApplyContext): void {
  switch (prop) {
    case 'phases': { const n = int(cx, v, what); if (n !== undefined) s.phases = n; return; }
    case 'bus1': { const b = busRef(cx, v, what); if (b) s.bus1 = b; return; }
    case 'kv': return setNum(s, 'kv', cx, v, what);
    case 'kw':
      // For Storage and PVSystem `kW` is the present output; the rating is kWrated / Pmpp.
      if (s.kind === 'generator') setNum(s, 'kw', cx, v, what);
      else num(cx, v, what);
      return;
    case 'pmpp': if (s.kind === 'pvsystem') setNum(s, 'kw', cx, v, what); return;
    case 'kwrated': if (s.kind === 'storage') setNum(s, 'kw', cx, v, what); return;
    case 'kvar': { const n = num(cx, v, what); if (n !== undefined) s.kvar = n; return; }
    case 'kva': { const n = num(cx, v, what); if (n !== undefined) s.kva = n; return; }
    case 'mva': { const n = num(cx, v, what); if (n !== undefined) s.kva = n * 1000; return; }
    case 'conn': { const c = conn(cx, v, what); if (c) s.conn = c; return; }
    case 'enabled': { const b = yesNo(cx, v, what); if (b !== undefined) s.enabled = b; return; }
    default:
      return;
  }
}

/** A copy for `like=`: everything but the buses (OpenDSS MakeLike copies data, not connections). */
export function likeCopy(s: ElementState): ElementState {
  const c = structuredClone(s);
  if ('bus1' in c) c.bus1 = undefined;
  if ('bus2' in c) c.bus2 = undefined;
  if (c.kind === 'transformer' || c.kind === 'xfmrcode') for (const w of c.windings) w.bus = undefined;
  return c;
}
