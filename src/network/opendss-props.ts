// OpenDSS's vocabulary: the executive commands, the element classes, and for the classes the
// importer models, their property names in OpenDSS's own order (the order matters: a positional
// value goes to the property after the last one set, so `R1=1 1 1 1` sets r1, x1, r0 and x0).
//
// The lists follow the property enumerations of the dss-extensions/dss_capi sources (Line.pas,
// LineCode.pas, Load.pas, Transformer.pas, XfmrCode.pas, RegControl.pas, Capacitor.pas,
// Reactor.pas, VSource.pas, Generator.pas, PVsystem.pas, Storage.pas), followed by the properties
// every element of the kind inherits: power-delivery elements `normamps emergamps faultrate
// pctperm repair`, power-conversion elements `spectrum`, all circuit elements `basefreq enabled`,
// every object `like`. Names are matched case-insensitively, exactly or by a unique prefix, as
// OpenDSS does (`ppm=0` is `ppm_antifloat`).

const PD = ['normamps', 'emergamps', 'faultrate', 'pctperm', 'repair'];
const CKT = ['basefreq', 'enabled'];
const LIKE = ['like'];

export interface PropTable {
  /** Canonical lower-case names in OpenDSS order. */
  readonly names: readonly string[];
  /** Unknown names are errors (false for classes whose property set changes between OpenDSS versions). */
  readonly strict: boolean;
  /** How many leading properties may be given by position (all, for strict tables). */
  readonly positional: number;
  /** name -> index, for exact matches. */
  readonly index: ReadonlyMap<string, number>;
}

function table(names: string[], strict = true, positional = names.length): PropTable {
  return { names, strict, positional, index: new Map(names.map((n, i) => [n, i])) };
}

export const PROPS = {
  vsource: table([
    'bus1', 'basekv', 'pu', 'angle', 'frequency', 'phases', 'mvasc3', 'mvasc1', 'x1r1', 'x0r0', 'isc3', 'isc1',
    'r1', 'x1', 'r0', 'x0', 'scantype', 'sequence', 'bus2', 'z1', 'z0', 'z2', 'puz1', 'puz0', 'puz2', 'basemva',
    'yearly', 'daily', 'duty', 'model', 'puzideal', 'spectrum', ...CKT, ...LIKE,
  ]),
  line: table([
    'bus1', 'bus2', 'linecode', 'length', 'phases', 'r1', 'x1', 'r0', 'x0', 'c1', 'c0', 'rmatrix', 'xmatrix',
    'cmatrix', 'switch', 'rg', 'xg', 'rho', 'geometry', 'units', 'spacing', 'wires', 'earthmodel', 'cncables',
    'tscables', 'b1', 'b0', 'seasons', 'ratings', 'linetype', ...PD, ...CKT, ...LIKE,
  ]),
  linecode: table([
    'nphases', 'r1', 'x1', 'r0', 'x0', 'c1', 'c0', 'units', 'rmatrix', 'xmatrix', 'cmatrix', 'basefreq',
    'normamps', 'emergamps', 'faultrate', 'pctperm', 'repair', 'kron', 'rg', 'xg', 'rho', 'neutral', 'b1', 'b0',
    'seasons', 'ratings', 'linetype', ...LIKE,
  ]),
  load: table([
    'phases', 'bus1', 'kv', 'kw', 'pf', 'model', 'yearly', 'daily', 'duty', 'growth', 'conn', 'kvar', 'rneut',
    'xneut', 'status', 'class', 'vminpu', 'vmaxpu', 'vminnorm', 'vminemerg', 'xfkva', 'allocationfactor', 'kva',
    '%mean', '%stddev', 'cvrwatts', 'cvrvars', 'kwh', 'kwhdays', 'cfactor', 'cvrcurve', 'numcust', 'zipv',
    '%seriesrl', 'relweight', 'vlowpu', 'puxharm', 'xrharm', 'spectrum', ...CKT, ...LIKE,
  ]),
  transformer: table([
    'phases', 'windings', 'wdg', 'bus', 'conn', 'kv', 'kva', 'tap', '%r', 'rneut', 'xneut', 'buses', 'conns',
    'kvs', 'kvas', 'taps', 'xhl', 'xht', 'xlt', 'xscarray', 'thermal', 'n', 'm', 'flrise', 'hsrise',
    '%loadloss', '%noloadloss', 'normhkva', 'emerghkva', 'sub', 'maxtap', 'mintap', 'numtaps', 'subname',
    '%imag', 'ppm_antifloat', '%rs', 'bank', 'xfmrcode', 'xrconst', 'x12', 'x13', 'x23', 'leadlag',
    'wdgcurrents', 'core', 'rdcohms', 'seasons', 'ratings', ...PD, ...CKT, ...LIKE,
  ]),
  xfmrcode: table([
    'phases', 'windings', 'wdg', 'conn', 'kv', 'kva', 'tap', '%r', 'rneut', 'xneut', 'conns', 'kvs', 'kvas',
    'taps', 'xhl', 'xht', 'xlt', 'xscarray', 'thermal', 'n', 'm', 'flrise', 'hsrise', '%loadloss',
    '%noloadloss', 'normhkva', 'emerghkva', 'maxtap', 'mintap', 'numtaps', '%imag', 'ppm_antifloat', '%rs',
    'x12', 'x13', 'x23', 'rdcohms', 'seasons', 'ratings', ...LIKE,
  ]),
  regcontrol: table([
    'transformer', 'winding', 'vreg', 'band', 'ptratio', 'ctprim', 'r', 'x', 'bus', 'delay', 'reversible',
    'revvreg', 'revband', 'revr', 'revx', 'tapdelay', 'debugtrace', 'maxtapchange', 'inversetime',
    'tapwinding', 'vlimit', 'ptphase', 'revthreshold', 'revdelay', 'revneutral', 'eventlog', 'remoteptratio',
    'tapnum', 'reset', 'ldc_z', 'rev_z', 'cogen', ...CKT, ...LIKE,
  ]),
  capacitor: table([
    'bus1', 'bus2', 'phases', 'kvar', 'kv', 'conn', 'cmatrix', 'cuf', 'r', 'xl', 'harm', 'numsteps', 'states',
    ...PD, ...CKT, ...LIKE,
  ]),
  reactor: table([
    'bus1', 'bus2', 'phases', 'kvar', 'kv', 'conn', 'rmatrix', 'xmatrix', 'parallel', 'r', 'x', 'rp', 'z1',
    'z2', 'z0', 'z', 'rcurve', 'lcurve', 'lmh', ...PD, ...CKT, ...LIKE,
  ]),
  // Generator, PVSystem and Storage gained and reordered properties between OpenDSS versions: the
  // names the importer reads are listed and matched exactly, other names are accepted unchecked,
  // and only the leading properties that every version shares may be given by position.
  generator: table(['phases', 'bus1', 'kv', 'kw', 'pf', 'kvar', 'model', 'vminpu', 'vmaxpu', 'yearly', 'daily',
    'duty', 'dispmode', 'dispvalue', 'conn', 'status', 'class', 'vpu', 'maxkvar', 'minkvar', 'pvfactor',
    'forceon', 'kva', 'mva', ...CKT, ...LIKE], false, 6),
  pvsystem: table(['phases', 'bus1', 'kv', 'irradiance', 'pmpp', '%pmpp', 'temperature', 'pf', 'conn', 'kvar',
    'kva', ...CKT, ...LIKE], false, 3),
  storage: table(['phases', 'bus1', 'kv', 'conn', 'kw', 'kvar', 'pf', 'kva', 'kwrated', 'kwhrated',
    'kwhstored', '%stored', '%reserve', 'state', ...CKT, ...LIKE], false, 3),
} as const;

export type ModelledClass = keyof typeof PROPS;

/** Lower-case OpenDSS class name -> canonical spelling, for every class OpenDSS 9/10 knows. */
export const CLASSES: ReadonlyMap<string, string> = new Map(
  [
    'Circuit', 'Vsource', 'Isource', 'Line', 'LineCode', 'LineGeometry', 'LineSpacing', 'WireData', 'CNData',
    'TSData', 'Load', 'LoadShape', 'TShape', 'PriceShape', 'XYcurve', 'GrowthShape', 'Spectrum', 'TCC_Curve',
    'Transformer', 'XfmrCode', 'AutoTrans', 'RegControl', 'Capacitor', 'CapControl', 'Reactor', 'Fault', 'Fuse',
    'Recloser', 'Relay', 'SwtControl', 'Generator', 'GenDispatcher', 'PVSystem', 'Storage', 'StorageController',
    'InvControl', 'ExpControl', 'Monitor', 'EnergyMeter', 'Sensor', 'UPFC', 'UPFCControl', 'ESPVLControl',
    'IndMach012', 'GICLine', 'GICTransformer', 'GICsource', 'VSConverter', 'VCCS', 'WindGen', 'DynamicExp',
    'Equivalent', 'GenUserModel', 'StorageController2', 'Storage2', 'PVSystem2',
  ].map((c) => [c.toLowerCase(), c]),
);

/**
 * The executive commands (ExecCommands.pas), lower case. The importer acts on some and lists the
 * others in `NetworkData.unsupported`; a word that is none of these is an unknown command.
 */
export const COMMANDS: readonly string[] = [
  'new', 'edit', 'more', 'm', '~', 'select', 'save', 'show', 'solve', 'enable', 'disable', 'plot', 'reset',
  'compile', 'set', 'dump', 'open', 'close', '//', 'redirect', 'help', 'quit', '?', 'next', 'panel', 'sample',
  'clear', 'about', 'calcvoltagebases', 'setkvbase', 'buildy', 'get', 'init', 'export', 'fileedit',
  'voltages', 'currents', 'powers', 'seqvoltages', 'seqcurrents', 'seqpowers', 'losses', 'phaselosses',
  'cktlosses', 'allocateloads', 'formedit', 'totals', 'capacity', 'classes', 'userclasses', 'zsc', 'zsc10',
  'zscrefresh', 'ysc', 'puvoltages', 'varvalues', 'varnames', 'buscoords', 'makebuslist', 'makeposseq',
  'reduce', 'interpolate', 'aligntfile', 'top', 'rotate', 'vdiff', 'summary', 'distribute', 'di_plot',
  'comparecases', 'yearlycurves', 'cd', 'visualize', 'closedi', 'doscmd', 'estimate', 'reconductor',
  '_initsnap', '_solvenocontrol', '_samplecontrols', '_docontrolactions', '_showcontrolqueue', '_solvedirect',
  '_solvepflow', 'addbusmarker', 'uuids', 'setloadandgenkv', 'cvrtloadshapes', 'nodediff', 'rephase',
  'setbusxy', 'updatestorage', 'obfuscate', 'latlongcoords', 'batchedit', 'pstcalc', 'variable',
  'reprocessbuses', 'clearbusmarkers', 'relcalc', 'var', 'cleanup', 'finishtimestep', 'nodelist', 'connect',
  'disconnect', 'remove', 'abort', 'calcincmatrix', 'calcincmatrix_o', 'refine_buslevels', 'calclaplacian',
  'zsc012', 'linkbranches', 'newactor', 'clearall', 'wait', 'solveall',
];

export type Resolution = { readonly name: string; readonly index: number; readonly ambiguous?: readonly string[] };

const COMMAND_INDEX: ReadonlyMap<string, number> = new Map(COMMANDS.map((c, i) => [c, i]));

/** A command word: exact match first, then a unique prefix; undefined if none. */
export function resolveCommand(word: string): Resolution | undefined {
  return resolveName(word, COMMANDS, COMMAND_INDEX);
}

/** A word against a list of names: exact match first, then a unique prefix; undefined if none. */
export function resolveName(word: string, names: readonly string[], index?: ReadonlyMap<string, number>): Resolution | undefined {
  const w = word.toLowerCase();
  const exact = index ? index.get(w) ?? -1 : names.indexOf(w);
  if (exact >= 0) return { name: w, index: exact };
  const matches: number[] = [];
  for (let i = 0; i < names.length; i++) if (names[i]!.startsWith(w)) matches.push(i);
  if (matches.length === 0) return undefined;
  const first = matches[0]!;
  if (matches.length === 1) return { name: names[first]!, index: first };
  return { name: names[first]!, index: first, ambiguous: matches.map((i) => names[i]!) };
}

// ------------------------------------------------------------------------------------ length units

export type LengthUnit = 'none' | 'mi' | 'kft' | 'km' | 'm' | 'ft' | 'in' | 'cm' | 'mm';

/** Metres per unit (LineUnits.pas); `none` means "the same unit as whatever it is combined with". */
const METRES: Record<Exclude<LengthUnit, 'none'>, number> = {
  mi: 1609.344,
  kft: 304.8,
  km: 1000,
  m: 1,
  ft: 0.3048,
  in: 0.0254,
  cm: 0.01,
  mm: 0.001,
};

/** OpenDSS's unit words (GetUnitsCode in LineUnits.pas), case-insensitive. */
export function lengthUnit(word: string): LengthUnit | undefined {
  const w = word.toLowerCase();
  switch (w) {
    case 'none': case 'no': return 'none';
    case 'mi': case 'mile': case 'miles': return 'mi';
    case 'kft': return 'kft';
    case 'km': return 'km';
    case 'm': case 'me': case 'meter': case 'meters': case 'metre': case 'metres': return 'm';
    case 'ft': case 'feet': case 'foot': return 'ft';
    case 'in': case 'inch': case 'inches': return 'in';
    case 'cm': return 'cm';
    case 'mm': return 'mm';
    default: return undefined;
  }
}

/** How many `to` units one `from` unit is (ConvertLineUnits); 1 when either is `none`. */
export function convertLength(from: LengthUnit, to: LengthUnit): number {
  if (from === 'none' || to === 'none') return 1;
  return METRES[from] / METRES[to];
}
