// Printing results: the terminal summary, `--json`, and `--csv DIR` (one long-format file per
// indexed variable family and constraint family).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ColFamily, Model, RowFamily } from '../ir/model.js';
import { colTuple, rowTuple } from '../ir/model.js';
import { sourceName } from '../ir/names.js';
import type { Elem } from '../lower/values.js';
import { clean, dualUnitText, unitLabel, type ModelView, type Results } from './results.js';
import type { FamilyCheck, Verification } from './verify.js';
import { scenarioLines, scenarioReport } from './scenarios.js';

export function fmtNum(v: number, digits = 6): string {
  if (!Number.isFinite(v)) return String(v);
  const c = clean(v);
  if (c === 0) return '0';
  const a = Math.abs(c);
  if (a >= 1e-4 && a < 1e9) return String(Number(c.toPrecision(digits)));
  return c.toExponential(digits - 1).replace(/\.?0+e/, 'e');
}

function ms(v: number): string {
  return v < 10 ? `${v.toFixed(1)} ms` : v < 10000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(1)} s`;
}

export function sizeLine(model: Model): string {
  const s = model.stats;
  const kinds = [s.integers ? `${s.integers} integer` : '', s.binaries ? `${s.binaries} binary` : ''].filter(Boolean).join(', ');
  return `${model.numCols} columns${kinds ? ` (${kinds})` : ''}, ${model.numRows} rows, ${s.nonzeros} nonzeros`;
}

export function rangeLine(model: Model): string {
  const r = model.stats.matrixRange;
  const e = (v: number) => v.toExponential(0);
  return `coefficients ${e(r[0])} .. ${e(r[1])} after scaling${model.stats.objectiveRange[1] ? `, objective ${e(model.stats.objectiveRange[0])} .. ${e(model.stats.objectiveRange[1])}` : ''}`;
}

export function timesLine(comp: ModelView, extra: Record<string, number>): string {
  const t = { ...comp.times, ...extra };
  return Object.entries(t).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${ms(v)}`).join(', ');
}

const MAX_LINES = 60;

export function summary(comp: ModelView, r: Results, extraTimes: Record<string, number>): string {
  const model = comp.elaboration!.model;
  const lines: string[] = [];
  const kind = r.isMip ? 'MILP' : model.hessian ? 'QP' : 'LP';
  lines.push(`status      ${r.status}${r.status === 'time-limit' ? (r.hasSolution ? ' (best solution found so far)' : ' (no solution found)') : ''}  [${r.solver}, ${kind}]`);
  if (r.objective) {
    lines.push(`objective   ${r.objective.name} = ${fmtNum(r.objective.value, 8)}${r.objective.unit ? ` ${r.objective.unit}` : ''}  (${r.objective.sense})${r.isMip && r.mipGap !== undefined ? `, gap ${fmtNum(r.mipGap * 100, 3)} %` : ''}`);
  }
  // With scenarios, the objective as written is its expected value: the `expected` line says it.
  const written = comp.source?.().scenarios ? undefined : r.verification?.objective;
  if (r.objective && written !== undefined && (model.objectiveError > 0 || Math.abs(written - r.objective.value) > 1e-9 * Math.max(1, Math.abs(written)))) {
    // The solved model's objective is an approximation (tangent cuts, cones): say both.
    const err = model.objectiveError ? `; tangent cuts within ${fmtNum(model.objectiveError)}${r.objective.unit ? ` ${r.objective.unit}` : ''}` : '';
    lines.push(`            as written, at this solution: ${fmtNum(written, 8)}${r.objective.unit ? ` ${r.objective.unit}` : ''}${err}`);
  }
  // With scenarios, the cost terms' expected values (each scenario's are in --json).
  const costs = r.costs.filter((c) => !c.name.includes('@'));
  if (costs.length) {
    lines.push(`costs       ${costs.map((c) => `${c.name} = ${fmtNum(c.value)}${c.unit ? ` ${c.unit}` : ''}`).join(', ')}${costs.length < r.costs.length ? ' (expected over the scenarios)' : ''}`);
  }
  const sc = r.x && comp.source ? scenarioReport(comp.source(), r.x, r.objective?.sense ?? 'minimize') : undefined;
  if (sc) lines.push(...scenarioLines(sc, r.objective?.unit ?? '', (v) => fmtNum(v)));
  if (r.verification) lines.push(`check       ${checkLine(r.verification)}`);
  if (model.lowering.length) lines.push(`lowered     ${loweringLine(model)}`);
  lines.push(`size        ${sizeLine(model)}; ${rangeLine(model)}`);
  lines.push(`time        ${timesLine(comp, extraTimes)}`);
  if (r.message) lines.push(`note        ${r.message}`);
  if (r.x) lines.push('', ...variableTables(model, r.x));
  return lines.join('\n');
}

/** One line on the post-solve check of the user's constraints. */
export function checkLine(v: Verification): string {
  const e = (x: number) => (x === 0 ? '0' : x.toExponential(1));
  const n = v.families.length;
  const cones = v.families.filter((f) => f.ratio !== undefined);
  const worstCone = cones.reduce<FamilyCheck | undefined>((w, f) => (!w || f.ratio! > w.ratio! ? f : w), undefined);
  const coneText = worstCone ? `; cones: ||x||/t <= ${worstCone.ratio!.toPrecision(7)} at ${worstCone.ratioAt}, within the accuracy ${e(worstCone.coneAccuracy ?? 0)}` : '';
  if (v.violated.length === 0) {
    const plain = v.families.filter((f) => f.coneAccuracy === undefined);
    const worst = plain.reduce<FamilyCheck | undefined>((w, f) => (!w || f.maxRel > w.maxRel ? f : w), undefined);
    return `${n === 1 ? 'the constraint family holds' : `all ${n} constraint families hold`} as written${worst && worst.maxRel > 0 ? ` (largest relative violation ${e(worst.maxRel)} at ${worst.at})` : ''}${coneText}`;
  }
  const list = v.violated.slice(0, 4).map((f) => `${f.at} by ${fmtNum(f.maxAbs)}${unitLabel(f.unit) ? ` ${f.unit}` : ''} (relative ${e(f.maxRel)})`).join(', ');
  return `${v.violated.length} of ${n} constraint families are violated beyond ${e(v.tolerance)}: ${list}${v.violated.length > 4 ? ', ...' : ''}${coneText}`;
}

/** One line on the reformulations applied (evg compile --explain has the table). */
export function loweringLine(model: Model): string {
  const forms = new Map<string, number>();
  for (const r of model.lowering) forms.set(r.form.replace(/ \(.*$/, ''), (forms.get(r.form.replace(/ \(.*$/, '')) ?? 0) + r.terms);
  const eps = Math.max(0, ...model.lowering.map((r) => r.eps ?? 0));
  return `${[...forms].map(([f, k]) => `${f} x${k}`).join(', ')}${eps ? `; cone accuracy ${eps.toExponential(1)}` : ''} (evg compile --explain)`;
}

/** The table of `evg compile --explain`: what each reformulation added, per source family. */
export function explainTable(model: Model, displayPath: (f: string) => string = (f) => f): string {
  if (model.lowering.length === 0) return 'no nonlinear terms: the model is linear as written\n';
  const rows = model.lowering.map((r) => {
    const where = r.span ? `${displayPath(r.span.file)}:${r.span.line}` : '';
    const extra = [
      r.eps !== undefined ? `accuracy ${r.eps.toExponential(1)}` : '',
      r.bigM !== undefined ? `big-M ${fmtNum(r.bigM)}${r.bigMUnit ? ` ${r.bigMUnit}` : ''}` : '',
      r.error !== undefined ? `objective error <= ${fmtNum(r.error)}` : '',
    ].filter(Boolean).join(', ');
    return [r.family, where, r.form, `${r.terms}`, `+${r.rows}`, `+${r.columns}`, `${r.binaries}`, extra];
  });
  const head = ['family', 'source', 'reformulation', 'terms', 'rows', 'columns', 'binaries', 'notes'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i >= 3 && i <= 6 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const total = model.lowering.reduce((t, r) => ({ rows: t.rows + r.rows, columns: t.columns + r.columns, binaries: t.binaries + r.binaries }), { rows: 0, columns: 0, binaries: 0 });
  return [line(head), ...rows.map(line), `total: +${total.rows} rows, +${total.columns} columns (${total.binaries} binary)`].join('\n') + '\n';
}

/**
 * The main variables: families indexed over a horizon are shown as a table with one row per
 * period and one column per series; other families as lists. Long output is cut with a pointer
 * to --json / --csv.
 */
function variableTables(model: Model, x: Float64Array): string[] {
  const out: string[] = [];
  type Series = { label: string; values: number[] };
  const series: Series[] = [];
  let periods: Elem[] | undefined;
  const others: string[] = [];
  // Recourse variables: the first scenario's copies (the others are in --json and --csv).
  const firstScenario = model.colFamilies.find((f) => f.scenario)?.scenario;
  const moreScenarios = new Set(model.colFamilies.filter((f) => f.scenario && f.scenario !== firstScenario).map((f) => f.scenario));
  for (const f of model.colFamilies) {
    if (f.aux || (f.scenario && f.scenario !== firstScenario)) continue;
    const last = f.index.factors[f.index.factors.length - 1];
    if (last && last.step !== undefined && last.arity === 1 && (!periods || periods.length === last.size)) {
      periods ??= Array.from({ length: last.size }, (_, i) => last.at(i));
      const n = last.size;
      for (let s = 0; s < f.count / n; s++) {
        const prefix = colTuple(f, f.first + s * n).slice(0, -1);
        series.push({ label: `${sourceName(f.name, prefix)}${unitLabel(f.unit.text) ? ` [${f.unit.text}]` : ''}`, values: Array.from({ length: n }, (_, t) => x[f.first + s * n + t]!) });
      }
    } else if (f.count === 1 && f.index.factors.length === 0) {
      others.push(`${f.name} = ${fmtNum(x[f.first]!)} ${f.unit.text === '1' ? '' : f.unit.text}`.trimEnd());
    } else {
      const shown = Math.min(f.count, 8);
      const items = [];
      for (let k = 0; k < shown; k++) items.push(`${sourceName('', colTuple(f, f.first + k))}=${fmtNum(x[f.first + k]!)}`);
      others.push(`${f.name}${unitLabel(f.unit.text) ? ` [${f.unit.text}]` : ''}: ${items.join(' ')}${f.count > shown ? ` ... (${f.count} values)` : ''}`);
    }
  }
  if (series.length && periods) {
    const per = 6;
    let shownBlocks = 0;
    for (let b = 0; b < series.length; b += per) {
      if (out.length > MAX_LINES) break;
      const block = series.slice(b, b + per);
      const widths = block.map((s) => Math.max(s.label.length, ...s.values.map((v) => fmtNum(v, 4).length)) + 2);
      out.push(`${'t'.padStart(4)}${block.map((s, i) => s.label.padStart(widths[i]!)).join('')}`);
      periods.forEach((p, t) => out.push(`${String(p).padStart(4)}${block.map((s, i) => fmtNum(s.values[t]!, 4).padStart(widths[i]!)).join('')}`));
      out.push('');
      shownBlocks++;
    }
    const hidden = series.length - shownBlocks * per;
    if (hidden > 0) out.push(`(${hidden} more time series; see --json or --csv)`, '');
  }
  for (const o of others) {
    if (out.length > MAX_LINES) { out.push('(more variables; see --json or --csv)'); break; }
    out.push(o);
  }
  if (moreScenarios.size) out.push(`(recourse variables in scenario ${firstScenario}; the other ${moreScenarios.size} scenario${moreScenarios.size === 1 ? '' : 's'} are in --json and --csv)`);
  return out;
}

/** `{"status", "objective", "variables": {"p[g1,3]": value}, ...}` */
export function toJson(comp: ModelView, r: Results, extraTimes: Record<string, number>): unknown {
  const model = comp.elaboration!.model;
  const variables: Record<string, number> = {};
  const units: Record<string, string> = {};
  if (r.x) {
    for (const f of model.colFamilies) {
      if (f.aux) continue;
      units[f.name] = f.unit.text;
      for (let k = 0; k < f.count; k++) variables[sourceName(f.name, colTuple(f, f.first + k))] = tidy(r.x[f.first + k]!);
    }
  }
  const constraints: Record<string, { activity?: number; dual?: number }> = {};
  const constraintUnits: Record<string, { unit: string; dual?: string }> = {};
  if (r.activity) {
    for (const f of model.rowFamilies) {
      if (f.aux) continue;
      constraintUnits[f.name] = { unit: f.unit.text, ...(r.duals ? { dual: dualUnitText(model, f.unit) } : {}) };
      for (let i = f.first; i < f.first + f.count; i++) {
        constraints[sourceName(f.name, rowTuple(f, i))] = { activity: tidy(r.activity[i]!), ...(r.duals ? { dual: tidy(r.duals[i]!) } : {}) };
      }
    }
  }
  return {
    status: r.status,
    solver: r.solver,
    objective: r.objective ? tidy(r.objective.value) : null,
    objectiveName: r.objective?.name ?? null,
    objectiveUnit: r.objective?.unit ?? null,
    ...(r.isMip && r.mipGap !== undefined ? { mipGap: r.mipGap } : {}),
    costs: Object.fromEntries(r.costs.map((c) => [c.name, tidy(c.value)])),
    costUnits: Object.fromEntries(r.costs.map((c) => [c.name, c.unit])),
    variables,
    units,
    constraints,
    constraintUnits,
    ...(r.verification ? { verification: verificationJson(r.verification) } : {}),
    ...(r.x && comp.source?.().scenarios ? { scenarios: scenarioReport(comp.source(), r.x, r.objective?.sense ?? 'minimize') } : {}),
    lowering: model.lowering.map((l) => ({ family: l.family, form: l.form, terms: l.terms, rows: l.rows, columns: l.columns, binaries: l.binaries, ...(l.eps !== undefined ? { accuracy: l.eps } : {}), ...(l.bigM !== undefined ? { bigM: l.bigM } : {}), ...(l.error !== undefined ? { objectiveError: l.error } : {}) })),
    size: { columns: model.numCols, rows: model.numRows, nonzeros: model.stats.nonzeros, integers: model.stats.integers, binaries: model.stats.binaries, coefficientRange: model.stats.matrixRange },
    times: Object.fromEntries(Object.entries({ ...comp.times, ...extraTimes }).map(([k, v]) => [k, Math.round(v * 1000) / 1e6])),
  };
}

function verificationJson(v: Verification): unknown {
  return {
    tolerance: v.tolerance,
    ok: v.violated.length === 0,
    ...(v.objective !== undefined ? { objectiveAsWritten: tidy(v.objective) } : {}),
    families: Object.fromEntries(v.families.map((f) => [f.name, {
      rows: f.rows, maxViolation: f.maxAbs, maxRelativeViolation: f.maxRel, unit: f.unit, at: f.at ?? null,
      ...(f.ratio !== undefined ? { coneRatio: f.ratio, coneRatioAt: f.ratioAt } : {}),
    }])),
  };
}

/** 12 significant digits: drops the last-bit noise of floating point (32.99999999999999 -> 33). */
export function tidy(v: number): number {
  const c = clean(v);
  return c === 0 ? 0 : Number(c.toPrecision(12));
}

function csvCell(v: Elem | number | string): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV per indexed family: index columns, then value (and for constraints activity and dual). */
export function writeCsvDir(dir: string, comp: ModelView, r: Results): string[] {
  const model = comp.elaboration!.model;
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const fileFor = (name: string, kind: string) => join(dir, `${kind}-${name.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/_+$/, '')}.csv`);
  if (r.x) {
    for (const f of model.colFamilies) {
      if (f.aux) continue;
      const cols = headerOf(f.index.arity, colIndexNames(f));
      const lines = [[...cols, `value_${f.unit.text}`].map(csvCell).join(',')];
      for (let k = 0; k < f.count; k++) lines.push([...colTuple(f, f.first + k), fmtNum(r.x[f.first + k]!, 12)].map(csvCell).join(','));
      const p = fileFor(f.name, 'var');
      writeFileSync(p, lines.join('\n') + '\n');
      written.push(p);
    }
  }
  if (r.activity) {
    for (const f of model.rowFamilies) {
      if (f.aux) continue;
      const arity = f.arities.reduce((a, b) => a + b, 0);
      const head = [...headerOf(arity, []), `activity_${f.unit.text}`, ...(r.duals ? [`dual_${dualUnitText(model, f.unit)}`] : [])];
      const lines = [head.map(csvCell).join(',')];
      for (let i = f.first; i < f.first + f.count; i++) {
        lines.push([...rowTuple(f, i), fmtNum(r.activity[i]!, 12), ...(r.duals ? [fmtNum(r.duals[i]!, 12)] : [])].map(csvCell).join(','));
      }
      const p = fileFor(f.name, 'con');
      writeFileSync(p, lines.join('\n') + '\n');
      written.push(p);
    }
  }
  return written;
}

function colIndexNames(f: ColFamily): string[] {
  return f.index.factors.map((s) => s.name);
}

function headerOf(arity: number, names: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < arity; i++) out.push(names[i] && names.length === arity ? names[i]! : `i${i + 1}`);
  return out;
}

export type { RowFamily };
