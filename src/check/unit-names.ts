// The built-in units: name -> dimension exponents and factor to the canonical (SI-like) base.
//
// Base dimensions: power P (canonical W), voltage V (V), time T (s), length L (m), currency C ($).
// Active, reactive and apparent power share the dimension P (W = var = VA physically) but carry a
// "kind" so that adding kW to kvar is reported (E0404) while kW * h = kWh and ohm * kW / kV^2
// still cancel as physics says.
export type PowerKind = 'W' | 'var' | 'VA';

/** Exponents of [P, V, T, L, C]. */
export type Dims = readonly [number, number, number, number, number];

export interface UnitDef {
  readonly dims: Dims;
  readonly factor: number;
  readonly kind?: PowerKind;
}

const P = (f: number, kind: PowerKind): UnitDef => ({ dims: [1, 0, 0, 0, 0], factor: f, kind });
const E = (f: number, kind: PowerKind): UnitDef => ({ dims: [1, 0, 1, 0, 0], factor: f * 3600, kind });

export const UNIT_TABLE: ReadonlyMap<string, UnitDef> = new Map<string, UnitDef>([
  ['W', P(1, 'W')], ['kW', P(1e3, 'W')], ['MW', P(1e6, 'W')], ['GW', P(1e9, 'W')],
  ['var', P(1, 'var')], ['kvar', P(1e3, 'var')], ['Mvar', P(1e6, 'var')], ['MVAr', P(1e6, 'var')], ['kVAr', P(1e3, 'var')],
  ['VA', P(1, 'VA')], ['kVA', P(1e3, 'VA')], ['MVA', P(1e6, 'VA')],
  ['Wh', E(1, 'W')], ['kWh', E(1e3, 'W')], ['MWh', E(1e6, 'W')], ['GWh', E(1e9, 'W')],
  ['varh', E(1, 'var')], ['kvarh', E(1e3, 'var')], ['Mvarh', E(1e6, 'var')],
  ['J', { dims: [1, 0, 1, 0, 0], factor: 1, kind: 'W' }],
  ['V', { dims: [0, 1, 0, 0, 0], factor: 1 }], ['kV', { dims: [0, 1, 0, 0, 0], factor: 1e3 }],
  ['A', { dims: [1, -1, 0, 0, 0], factor: 1 }], ['kA', { dims: [1, -1, 0, 0, 0], factor: 1e3 }],
  ['ohm', { dims: [-1, 2, 0, 0, 0], factor: 1 }], ['Ω', { dims: [-1, 2, 0, 0, 0], factor: 1 }],
  ['kohm', { dims: [-1, 2, 0, 0, 0], factor: 1e3 }],
  ['s', { dims: [0, 0, 1, 0, 0], factor: 1 }], ['min', { dims: [0, 0, 1, 0, 0], factor: 60 }],
  ['h', { dims: [0, 0, 1, 0, 0], factor: 3600 }], ['day', { dims: [0, 0, 1, 0, 0], factor: 86400 }],
  ['yr', { dims: [0, 0, 1, 0, 0], factor: 365 * 86400 }],
  ['$', { dims: [0, 0, 0, 0, 1], factor: 1 }], ['k$', { dims: [0, 0, 0, 0, 1], factor: 1e3 }],
  ['m', { dims: [0, 0, 0, 1, 0], factor: 1 }], ['km', { dims: [0, 0, 0, 1, 0], factor: 1e3 }],
  ['mi', { dims: [0, 0, 0, 1, 0], factor: 1609.344 }], ['ft', { dims: [0, 0, 0, 1, 0], factor: 0.3048 }],
  ['kft', { dims: [0, 0, 0, 1, 0], factor: 304.8 }],
  ['%', { dims: [0, 0, 0, 0, 0], factor: 0.01 }],
  ['p.u.', { dims: [0, 0, 0, 0, 0], factor: 1 }], ['pu', { dims: [0, 0, 0, 0, 0], factor: 1 }],
]);

export function isUnitName(name: string): boolean {
  return UNIT_TABLE.has(name);
}
