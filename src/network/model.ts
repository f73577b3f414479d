// A distribution network as data: what the importers (OpenDSS, MATPOWER) produce, what the
// network checks and the AC power flow work on, and what becomes an instance of the standard
// library's `Network` component (stdlib/network.evg) for the formulations written in evg.
//
// Physical units throughout: kV, ohm, kW, kvar, kVA, A. Phases are 1, 2, 3 (a, b, c). A branch
// (line, switch, transformer or voltage regulator) joins two buses on a subset of their phases;
// its series impedance is a phase matrix in ohms over those phases, already multiplied by the
// length. A transformer's impedance is referred to its secondary (`to`) side, and its voltage
// ratio is kept apart; regulators and transformers with taps carry their tap range.
//
// Loads and capacitors are given per phase as their nominal values: for a wye load, the power of
// each phase to neutral; for a delta load, the power of each phase-to-phase branch, labelled with
// the first of its two phases (ab -> 1, bc -> 2, ca -> 3).

export type PhaseNo = 1 | 2 | 3;

export interface NetBus {
  readonly name: string;
  /** Phases present at the bus, ascending. */
  readonly phases: readonly PhaseNo[];
  /** Nominal line-to-line voltage, kV (from `Set voltagebases` or the transformers feeding it). */
  readonly kvBase?: number;
  /** Coordinates, when the data gives them. */
  readonly x?: number;
  readonly y?: number;
}

export type BranchKind = 'line' | 'switch' | 'transformer' | 'regulator';

export interface NetBranch {
  /** The element's name in the source (`Line.L1`, `Transformer.XFM1`, `branch 7`). */
  readonly name: string;
  readonly kind: BranchKind;
  readonly from: string;
  readonly to: string;
  /** Phases of the branch, ascending; the same phase numbers at both ends. */
  readonly phases: readonly PhaseNo[];
  /**
   * Only for a single-phase centre-tapped (split-phase) service transformer, whose secondary is
   * not on the primary's phase: the secondary's two legs at the `to` bus, ascending (e.g. [1, 2]:
   * each leg 120 V to the neutral, leg 2 in opposition to leg 1), while `phases` is the primary
   * phase at `from`. `r` and `x` are then over these legs. Set by the OpenDSS importer for the
   * IEEE 8500-node feeder's service transformers; absent on every other branch.
   */
  readonly phasesTo?: readonly PhaseNo[];
  /** Series resistance and reactance, ohm, square matrices over `phases` (row-major). */
  readonly r: readonly (readonly number[])[];
  readonly x: readonly (readonly number[])[];
  /** Shunt susceptance of a line, microsiemens, over `phases` (0 when not given). */
  readonly b?: readonly (readonly number[])[];
  /** Normal current rating, A, where given. */
  readonly ampacity?: number;
  /** Transformers and regulators: rated kVA, line-to-line kV of the two windings, connections. */
  readonly kva?: number;
  readonly kvFrom?: number;
  readonly kvTo?: number;
  readonly connFrom?: 'wye' | 'delta';
  readonly connTo?: 'wye' | 'delta';
  /** Tap: the present ratio (1 = nominal), its range and the number of steps between the ends. */
  readonly tap?: number;
  readonly tapMin?: number;
  readonly tapMax?: number;
  readonly tapSteps?: number;
  /**
   * Regulators: the controller's set point, as OpenDSS's RegControl gives it: `vreg` and `band` in
   * volts on the potential transformer's secondary, `ptratio` its ratio, so the regulated
   * voltage is vreg * ptratio volts (line to neutral for a wye winding), within +- band/2 * ptratio.
   */
  readonly vreg?: number;
  readonly band?: number;
  readonly ptratio?: number;
  /** A switch or branch that is open (status 0 in MATPOWER, `enabled=no` in OpenDSS): not part of the tree. */
  readonly open?: boolean;
}

export interface NetLoad {
  readonly name: string;
  readonly bus: string;
  readonly conn: 'wye' | 'delta';
  /** Phases the load is connected to (for delta: the first phase of each phase pair). */
  readonly phases: readonly PhaseNo[];
  /** Nominal active and reactive power of each phase (or phase pair), kW and kvar, parallel to `phases`. */
  readonly p: readonly number[];
  readonly q: readonly number[];
  /** OpenDSS load model: 1 constant P, 2 constant Z, 5 constant I, ... */
  readonly model?: number;
  /** Nominal voltage of the load, kV (line-to-line for 3-phase and delta loads, line-to-neutral otherwise, as OpenDSS defines it). */
  readonly kv?: number;
}

export interface NetCapacitor {
  readonly name: string;
  readonly bus: string;
  readonly conn: 'wye' | 'delta';
  readonly phases: readonly PhaseNo[];
  /** Rated reactive power of each phase, kvar, at the rated voltage. */
  readonly q: readonly number[];
  readonly kv?: number;
}

/** A generator, PV system or storage element of the source data (kept as data; devices are modelled in evg). */
export interface NetGenerator {
  readonly name: string;
  readonly kind: 'generator' | 'pv' | 'storage';
  readonly bus: string;
  readonly phases: readonly PhaseNo[];
  /** Rated active power (kW) and, where given, reactive power (kvar) or apparent power (kVA). */
  readonly kw: number;
  readonly kvar?: number;
  readonly kva?: number;
}

export interface NetworkData {
  readonly name: string;
  /** The substation (slack) bus. */
  readonly root: string;
  /** Voltage at the root, p.u., and its angle in degrees (OpenDSS `pu`, `angle`). */
  readonly vRootPu: number;
  readonly angleDeg?: number;
  /** System power base, kVA (MATPOWER baseMVA; 1000 kVA when the source has none). */
  readonly kvaBase: number;
  /** Frequency, Hz. */
  readonly frequency: number;
  readonly buses: readonly NetBus[];
  readonly branches: readonly NetBranch[];
  readonly loads: readonly NetLoad[];
  readonly capacitors: readonly NetCapacitor[];
  readonly generators: readonly NetGenerator[];
  /** Elements of the source the importer does not model, with how many of each (reported as a warning). */
  readonly unsupported: readonly { readonly element: string; readonly count: number; readonly example: string; readonly at?: { readonly file: string; readonly line: number } }[];
  /** Where each element was defined (file, line), for diagnostics. */
  readonly origin?: ReadonlyMap<string, { readonly file: string; readonly line: number }>;
  /**
   * Single-phase (positive-sequence) data, as MATPOWER's: every bus and branch is on phase 1, which
   * stands for a balanced three-phase network. Loads, capacitors and generators (and the power flows
   * computed on it) are three-phase totals, `kvBase` is line-to-line and impedances are per phase, so
   * that in per unit on (kvaBase, kvBase) nothing changes; the voltage of phase 1 in p.u. is that of
   * every phase. Absent or false: the values are per phase, as the comment at the top says (OpenDSS).
   */
  readonly positiveSequence?: boolean;
}
