// Why a model is infeasible, for the terminal and for `--json`: the irreducible infeasible subset
// of findConflict and the feasibility relaxation of relaxation() (src/solve/conflict.ts), under
// the model's own names, at the lines that declare them, in their declared units.
import type { Span } from '../diagnostics/diagnostic.js';
import type { Elem } from '../lower/values.js';
import type { Conflict, ConflictBound, ConflictIntegrality, ConflictRow, Relaxation, Violation } from '../solve/conflict.js';

type PathFn = (file: string) => string;
const same: PathFn = (f) => f;

/** Up to 8 significant digits, no floating-point noise. */
function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) < 1e-11) return '0';
  const a = Math.abs(v);
  if (a >= 1e-4 && a < 1e12) return String(Number(v.toPrecision(8)));
  return v.toExponential(7).replace(/\.?0+e/, 'e');
}

function withUnit(text: string, unit: string): string {
  return unit ? `${text} ${unit}` : text;
}

function at(span: Span, path: PathFn): string {
  return `${path(span.file)}:${span.line}:${span.col}`;
}

function table(lines: readonly { where: string; text: string }[]): string[] {
  const w = Math.max(0, ...lines.map((l) => l.where.length));
  return lines.map((l) => `  ${l.where.padEnd(w)}  ${l.text}`);
}

function rowText(r: ConflictRow): string {
  if (r.aux) return `${r.name}  (row ${r.auxRow ?? '?'} added by the reformulation of its nonlinear terms, its ${r.active === 'both' ? 'two sides' : r.active === 'lower' ? '>= side' : '<= side'})`;
  const lo = r.lower ?? -Infinity, up = r.upper ?? Infinity;
  let what: string;
  if (r.sense === '==') what = withUnit(`== ${num(lo)}`, r.unit) + (r.active === 'lower' ? ', its >= half' : r.active === 'upper' ? ', its <= half' : '');
  else if (r.sense === '<=') what = withUnit(`<= ${num(up)}`, r.unit);
  else if (r.sense === '>=') what = withUnit(`>= ${num(lo)}`, r.unit);
  else what = withUnit(`in [${num(lo)}, ${num(up)}]`, r.unit) + (r.active === 'lower' ? `, its >= ${num(lo)} side` : r.active === 'upper' ? `, its <= ${num(up)} side` : '');
  return `${r.name}  (${what})`;
}

function boundText(b: ConflictBound): string {
  const lo = b.lower ?? -Infinity, up = b.upper ?? Infinity;
  const rel = b.which === 'lower' ? withUnit(`>= ${num(lo)}`, b.unit)
    : b.which === 'upper' ? withUnit(`<= ${num(up)}`, b.unit)
    : lo === up ? withUnit(`== ${num(lo)}`, b.unit) : withUnit(`in [${num(lo)}, ${num(up)}]`, b.unit);
  if (b.aux) return `${b.name}  (a variable added by the reformulation of its nonlinear terms: ${rel})`;
  const kind = b.which === 'both' ? (lo === up ? 'fixed' : 'bounds') : b.which === 'lower' ? 'lower bound' : 'upper bound';
  return `${b.name} ${rel} (${kind}${b.binary ? ' of a binary' : ''})`;
}

function integralityText(v: ConflictIntegrality): string {
  if (v.aux) return `${v.name}  (a ${v.type} variable added by the reformulation of its nonlinear terms)`;
  return `${v.name} is ${v.type} (integrality)`;
}

function methodText(c: Conflict): string {
  const solver = c.solver === 'highs' ? 'HiGHS' : 'GLPK';
  const how = c.method === 'highs-iis' ? `HiGHS's IIS, checked by ${c.solves} solves` : `the deletion filter, ${c.solves} ${solver} solves`;
  return `found by ${how} in ${c.seconds < 1 ? `${Math.round(c.seconds * 1000)} ms` : `${c.seconds.toFixed(1)} s`}`;
}

/**
 * The conflict for the terminal, for example
 *
 *   the model is infeasible; these constraints and bounds conflict (an irreducible subset):
 *     model.evg:7:12  balance[3]  (== 3.5 MW, its >= half)
 *     model.evg:6:5   p[g1,3] <= 1 MW (upper bound)
 */
export function renderConflict(c: Conflict, displayPath: PathFn = same): string {
  if (c.status === 'feasible') return 'the model is feasible: there is no conflict to report\n';
  if (c.status === 'unknown') return `could not find the conflict: ${c.message ?? 'the solver could not decide feasibility'}\n`;
  const parts = c.integrality.length ? 'constraints, bounds and integrality restrictions' : 'constraints and bounds';
  const kind = c.irreducible ? 'an irreducible subset' : 'an infeasible subset, not proven irreducible';
  const extra = c.ofRelaxation ? '; they conflict even with integrality ignored' : c.integrality.length ? '; the LP relaxation alone is feasible' : '';
  // The rows and variables a reformulation added take part as a whole: one line per constraint.
  const added = new Map<string, { where: string; name: string; rows: number; vars: number }>();
  const addAux = (span: Span, name: string, rows: number, vars: number) => {
    const key = `${at(span, displayPath)}\u0000${name}`;
    const a = added.get(key) ?? { where: at(span, displayPath), name, rows: 0, vars: 0 };
    a.rows += rows; a.vars += vars;
    added.set(key, a);
  };
  for (const r of c.rows) if (r.aux) addAux(r.span, r.name, 1, 0);
  for (const b of c.bounds) if (b.aux) addAux(b.span, b.name, 0, 1);
  for (const v of c.integrality) if (v.aux) addAux(v.span, v.name, 0, 1);
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const lines = [
    ...c.rows.filter((r) => !r.aux).map((r) => ({ where: at(r.span, displayPath), text: rowText(r) })),
    ...[...added.values()].map((a) => ({
      where: a.where,
      text: `${a.name}  (as reformulated for its nonlinear terms: ${[a.rows ? plural(a.rows, 'row') : '', a.vars ? plural(a.vars, 'added variable') : ''].filter(Boolean).join(' and ')}; evg compile --explain)`,
    })),
    ...c.bounds.filter((b) => !b.aux).map((b) => ({ where: at(b.span, displayPath), text: boundText(b) })),
    ...c.integrality.filter((v) => !v.aux).map((v) => ({ where: at(v.span, displayPath), text: integralityText(v) })),
  ];
  const out = [`the model is infeasible; these ${parts} conflict (${kind}${extra}):`, ...table(lines), `  (${methodText(c)})`];
  if (c.message) out.push(`  note: ${c.message}`);
  return `${out.join('\n')}\n`;
}

function violationText(v: Violation): string {
  const rel = v.kind === 'row' && v.sense === '==' ? '==' : v.side === 'lower' ? '>=' : '<=';
  return `${v.name}  by ${withUnit(num(v.amount), v.unit)}  (${withUnit(`${rel} ${num(v.bound)}`, v.unit)}${v.kind === 'bound' ? ` ${v.side} bound` : ''}, at ${withUnit(num(v.value), v.unit)})`;
}

/**
 * The feasibility relaxation for the terminal, for example
 *
 *   the model becomes feasible with these violations (smallest total 1.5, each in its own unit):
 *     model.evg:7:12  balance[3]  by 1.5 MW  (== 3.5 MW, at 2 MW)
 */
export function renderRelaxation(r: Relaxation, displayPath: PathFn = same): string {
  if (r.status === 'feasible') return 'the model is feasible as it is: nothing needs to be relaxed\n';
  if (r.status === 'impossible' || r.status === 'unknown') return `no feasibility relaxation: ${r.message ?? r.status}\n`;
  const head = `the model becomes feasible with these violations (${r.optimal ? 'smallest' : 'not proven smallest, the solver stopped at a limit:'} total ${num(r.total)}, each in its own unit):`;
  const lines = r.violations.map((v) => ({ where: at(v.span, displayPath), text: violationText(v) }));
  return `${[head, ...table(lines)].join('\n')}\n`;
}

// JSON: plain objects, no Infinity (absent bounds are null).

export interface Where {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

function where(span: Span, path: PathFn): Where {
  return { file: path(span.file), line: span.line, col: span.col };
}

const fin = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : v);

export interface ConflictJson {
  readonly status: Conflict['status'];
  readonly irreducible: boolean;
  readonly ofRelaxation: boolean;
  readonly method: Conflict['method'];
  readonly solver: string;
  readonly solves: number;
  readonly seconds: number;
  readonly message: string | null;
  readonly constraints: readonly ({
    name: string; family: string; index: readonly Elem[]; aux: boolean; auxRow: number | null;
    sense: ConflictRow['sense']; active: ConflictRow['active']; lower: number | null; upper: number | null; unit: string;
  } & Where)[];
  readonly bounds: readonly ({
    name: string; family: string; index: readonly Elem[]; aux: boolean; binary: boolean;
    bound: ConflictBound['which']; value: number; lower: number | null; upper: number | null; unit: string;
  } & Where)[];
  readonly integrality: readonly ({ name: string; family: string; index: readonly Elem[]; aux: boolean; type: string } & Where)[];
}

export function conflictJson(c: Conflict, displayPath: PathFn = same): ConflictJson {
  return {
    status: c.status, irreducible: c.irreducible, ofRelaxation: c.ofRelaxation, method: c.method, solver: c.solver,
    solves: c.solves, seconds: c.seconds, message: c.message ?? null,
    constraints: c.rows.map((r) => ({
      name: r.name, family: r.family, index: r.tuple, aux: r.aux, auxRow: r.auxRow ?? null, sense: r.sense, active: r.active,
      lower: fin(r.lower), upper: fin(r.upper), unit: r.unit, ...where(r.span, displayPath),
    })),
    bounds: c.bounds.map((b) => ({
      name: b.name, family: b.family, index: b.tuple, aux: b.aux, binary: b.binary, bound: b.which, value: b.value,
      lower: fin(b.lower), upper: fin(b.upper), unit: b.unit, ...where(b.span, displayPath),
    })),
    integrality: c.integrality.map((v) => ({ name: v.name, family: v.family, index: v.tuple, aux: v.aux, type: v.type, ...where(v.span, displayPath) })),
  };
}

export interface RelaxationJson {
  readonly status: Relaxation['status'];
  readonly total: number;
  readonly optimal: boolean;
  readonly solver: string;
  readonly seconds: number;
  readonly message: string | null;
  readonly violations: readonly ({
    name: string; family: string; index: readonly Elem[]; kind: Violation['kind']; side: Violation['side'];
    bound: number; value: number; amount: number; unit: string;
  } & Where)[];
}

export function relaxationJson(r: Relaxation, displayPath: PathFn = same): RelaxationJson {
  return {
    status: r.status, total: r.total, optimal: r.optimal, solver: r.solver, seconds: r.seconds, message: r.message ?? null,
    violations: r.violations.map((v) => ({
      name: v.name, family: v.family, index: v.tuple, kind: v.kind, side: v.side, bound: v.bound, value: v.value, amount: v.amount, unit: v.unit,
      ...where(v.span, displayPath),
    })),
  };
}
