// Units of measure: dimension algebra, conversion factors and display names.
//
// Every value is stored in canonical units (W, V, s, m, $ and products of them); a `Unit` records
// the dimension (exponents of P, V, T, L, C), the factor from the unit to canonical, the power kind
// (active / reactive / apparent) where it applies, and the text the user wrote, for messages and
// reports. Conversions are therefore free at run time: `2 kW + 1 MW` is 2e3 + 1e6 canonical watts.
import type * as A from '../syntax/ast.js';
import { UNIT_TABLE, type Dims, type PowerKind } from './unit-names.js';
import type { Diagnostics } from '../diagnostics/diagnostic.js';

/** Exponents of active, reactive and apparent power in a unit (MW: [1, 0, 0]; Mvar/MW: [-1, 1, 0]). */
export type Kinds = readonly [number, number, number];

const KIND_INDEX: Record<PowerKind, number> = { W: 0, var: 1, VA: 2 };
const KIND_NAMES: readonly PowerKind[] = ['W', 'var', 'VA'];

export class Unit {
  /**
   * How the unit's power dimension splits into active, reactive and apparent power. A quantity
   * has a power kind when all of its power dimension is of one kind: kW*h is active energy,
   * ohm*kW/kV^2 has none, and MW * (Mvar/MW) is reactive power again.
   */
  readonly kinds: Kinds;
  readonly kind?: PowerKind;

  constructor(
    readonly dims: Dims,
    readonly factor: number,
    readonly text: string,
    kind?: PowerKind,
    kinds?: Kinds,
  ) {
    this.kinds = kinds ?? (kind ? kindVector(kind, dims[0]) : [0, 0, 0]);
    this.kind = kind ?? derivedKind(this.kinds, dims[0]);
  }

  get isDimensionless(): boolean {
    return this.dims.every((d) => d === 0);
  }
  get hasPower(): boolean {
    return this.dims[0] !== 0;
  }
  toString(): string {
    return this.text;
  }
}

function kindVector(kind: PowerKind, n: number): Kinds {
  const v: [number, number, number] = [0, 0, 0];
  v[KIND_INDEX[kind]] = n;
  return v;
}

/**
 * The kind of a quantity of power (or energy, or power per something): only first powers have one.
 * Squares do not, since P^2 + Q^2 = S^2 is how active, reactive and apparent power meet.
 */
function derivedKind(k: Kinds, power: number): PowerKind | undefined {
  if (power !== 1 && power !== -1) return undefined;
  const nonzero = k.map((v, i) => [v, i] as const).filter(([v]) => v !== 0);
  return nonzero.length === 1 && nonzero[0]![0] === power ? KIND_NAMES[nonzero[0]![1]] : undefined;
}

export const ONE = new Unit([0, 0, 0, 0, 0], 1, '1');

export function sameDims(a: Unit, b: Unit): boolean {
  for (let i = 0; i < 5; i++) if (a.dims[i] !== b.dims[i]) return false;
  return true;
}

/** Kinds conflict only when both sides carry one and they differ (kW vs kvar). */
export function kindConflict(a: Unit, b: Unit): boolean {
  return a.hasPower && b.hasPower && !!a.kind && !!b.kind && a.kind !== b.kind;
}

function wrap(t: string): string {
  return /[*/ ]/.test(t) ? `(${t})` : t;
}

export function mul(a: Unit, b: Unit): Unit {
  if (a === ONE) return b;
  if (b === ONE) return a;
  const dims = a.dims.map((d, i) => d + b.dims[i]!) as unknown as Dims;
  const kinds = a.kinds.map((k, i) => k + b.kinds[i]!) as unknown as Kinds;
  return named(new Unit(dims, a.factor * b.factor, `${a.text}*${b.text}`, undefined, kinds));
}

export function div(a: Unit, b: Unit): Unit {
  if (b === ONE) return a;
  const dims = a.dims.map((d, i) => d - b.dims[i]!) as unknown as Dims;
  const kinds = a.kinds.map((k, i) => k - b.kinds[i]!) as unknown as Kinds;
  const text = a === ONE || a.text === '1' ? `1/${wrap(b.text)}` : `${a.text}/${wrap(b.text)}`;
  return named(new Unit(dims, a.factor / b.factor, text, undefined, kinds));
}

export function pow(a: Unit, n: number): Unit {
  if (n === 1) return a;
  if (n === 0) return ONE;
  const dims = a.dims.map((d) => d * n) as unknown as Dims;
  const kinds = a.kinds.map((k) => k * n) as unknown as Kinds;
  return named(new Unit(dims, a.factor ** n, `${wrap(a.text)}^${n}`, undefined, kinds));
}

/** Replaces a composed text by a built-in name with the same dimension, factor and kind (kW*h -> kWh). */
function named(u: Unit): Unit {
  // A ratio of power kinds (Mvar/MW) has no power dimension but is not a plain number: keep its text.
  if (!u.hasPower && u.kinds.some((k) => k !== 0)) return u;
  if (u.isDimensionless && Math.abs(u.factor - 1) < 1e-12) return new Unit(u.dims, 1, '1');
  for (const [name, def] of UNIT_TABLE) {
    if (name === 'pu' || name === 'p.u.' || name === 'J' || name === 'Ω' || name === 'MVAr' || name === 'kVAr') continue;
    if (def.dims.every((d, i) => d === u.dims[i]) && Math.abs(def.factor / u.factor - 1) < 1e-12 && (def.kind ?? undefined) === (u.kind ?? def.kind)) {
      return new Unit(u.dims, u.factor, name, u.kind, u.kinds);
    }
  }
  return u;
}

export function unitByName(name: string): Unit | undefined {
  const def = UNIT_TABLE.get(name);
  return def ? new Unit(def.dims, def.factor, name, def.kind) : undefined;
}

/** Resolves a written unit; unknown names are reported (E0004) and yield undefined. */
export function resolveUnit(u: A.UnitExpr, diags: Diagnostics): Unit | undefined {
  switch (u.kind) {
    case 'unitOne':
      return ONE;
    case 'unitName': {
      const found = unitByName(u.name);
      if (!found) {
        const near = closestUnit(u.name);
        diags.report('E0004', `unknown unit \`${u.name}\``, u.span, near ? `did you mean \`${near}\`?` : 'see the list of units in docs/language.md');
      }
      return found;
    }
    case 'unitPow': {
      const base = resolveUnit(u.base, diags);
      if (!base) return undefined;
      if (!Number.isInteger(u.exp)) {
        diags.report('E0005', `unit exponents must be whole numbers, not ${u.exp}`, u.span);
        return undefined;
      }
      const r = pow(base, u.exp);
      return new Unit(r.dims, r.factor, unitText(u), r.kind, r.kinds);
    }
    case 'unitMul':
    case 'unitDiv': {
      const l = resolveUnit(u.left, diags);
      const r = resolveUnit(u.right, diags);
      if (!l || !r) return undefined;
      const res = u.kind === 'unitMul' ? mul(l, r) : div(l, r);
      return new Unit(res.dims, res.factor, unitText(u), res.kind, res.kinds);
    }
  }
}

/** The unit as the user wrote it, normalised: `$/MW^2h`, `MW/h`, `kV^2`. */
export function unitText(u: A.UnitExpr): string {
  switch (u.kind) {
    case 'unitOne': return '1';
    case 'unitName': return u.name;
    case 'unitPow': return `${unitText(u.base)}^${u.exp}`;
    // `MW^2h` reads unambiguously after an exponent; elsewhere a product is written `kW*h`.
    case 'unitMul': return `${unitText(u.left)}${u.left.kind === 'unitPow' ? '' : '*'}${unitText(u.right)}`;
    case 'unitDiv': return `${unitText(u.left)}/${u.right.kind === 'unitDiv' ? `(${unitText(u.right)})` : unitText(u.right)}`;
  }
}

export function closestUnit(name: string): string | undefined {
  let best: string | undefined, bestD = 3;
  for (const k of UNIT_TABLE.keys()) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestD || (d === bestD && best && k.length < best.length)) { bestD = d; best = k; }
  }
  return bestD <= 2 ? best : undefined;
}

export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

/**
 * A unit to report a derived quantity in. A product such as `$/MWh * MW * min` has the dimension
 * of money but a factor of 1/60; reporting in it would be correct but unreadable, so a derived
 * unit is replaced by the built-in unit of the same dimension and kind whose factor is closest
 * (here `$`). Units that were written by the user are kept.
 */
export function displayUnit(u: Unit): Unit {
  if (!/[*/^]/.test(u.text) || u.isDimensionless) return u;
  let best: Unit | undefined, bestD = Infinity;
  for (const [name, def] of UNIT_TABLE) {
    if (name === 'pu' || name === 'p.u.' || name === 'Ω' || name === 'MVAr' || name === 'kVAr' || name === '%') continue;
    if (!def.dims.every((d, i) => d === u.dims[i])) continue;
    if (u.hasPower && u.kind && def.kind && def.kind !== u.kind) continue;
    const d = Math.abs(Math.log10(def.factor / u.factor));
    if (d < bestD - 1e-9) { bestD = d; best = new Unit(def.dims, def.factor, name, u.kind ?? def.kind, u.kind ? undefined : u.kinds); }
  }
  return best ?? u;
}

/** Describes a unit for messages: `kWh (energy)`. */
export function describeUnit(u: Unit): string {
  if (u.isDimensionless) return u.text === '1' ? 'a dimensionless number' : `${u.text} (dimensionless)`;
  const q = quantityName(u);
  return q ? `${u.text} (${q})` : u.text;
}

function quantityName(u: Unit): string | undefined {
  const key = u.dims.join(',');
  const power = u.kind === 'var' ? 'reactive power' : u.kind === 'VA' ? 'apparent power' : u.kind === 'W' ? 'active power' : 'power';
  const energy = u.kind === 'var' ? 'reactive energy' : 'energy';
  const table: Record<string, string> = {
    '1,0,0,0,0': power, '1,0,1,0,0': energy, '0,1,0,0,0': 'voltage', '1,-1,0,0,0': 'current',
    '-1,2,0,0,0': 'impedance', '0,0,1,0,0': 'time', '0,0,0,1,0': 'length', '0,0,0,0,1': 'money',
    '0,0,-1,0,1': 'money per time', '-1,0,-1,0,1': 'price per energy', '1,0,-1,0,0': 'power per time',
    '-1,0,0,0,1': 'money per power', '0,2,0,0,0': 'squared voltage',
  };
  return table[key];
}

/** Converts a canonical value to the unit: 2e6 W in MW is 2. */
export function toUnit(value: number, u: Unit): number {
  return value / u.factor;
}
