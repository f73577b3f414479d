// Reports of a model built over scenarios: the treatment, where the scenarios came from, the
// objective in each scenario (at the solution), its expected value and its worst case.
import type { SourceModel } from '../ir/source.js';
import { recipeValue } from './verify.js';

export interface ScenarioReport {
  readonly method: string;
  readonly origin?: string;
  readonly scenarios: readonly { readonly label: string; readonly prob: number; readonly objective: number }[];
  readonly expected?: number;
  readonly worst?: { readonly label: string; readonly value: number };
  readonly best?: { readonly label: string; readonly value: number };
}

/** The per-scenario objective values at x (in the objective's unit); undefined for a model without scenarios. */
export function scenarioReport(src: SourceModel, x: ArrayLike<number>, sense: string): ScenarioReport | undefined {
  const s = src.scenarios;
  if (!s) return undefined;
  const factor = src.objective?.factor ?? 1;
  const rows = s.labels.map((label, i) => ({ label, prob: s.prob[i]!, objective: s.objective[i] ? recipeValue(s.objective[i]!, x) / factor : NaN }));
  if (rows.length === 0 || rows.some((r) => Number.isNaN(r.objective))) return { method: s.method, origin: s.origin, scenarios: [] };
  const expected = rows.reduce((a, r) => a + r.prob * r.objective, 0);
  const bad = sense === 'maximize' ? -1 : 1;
  const worst = rows.reduce((w, r) => (bad * r.objective > bad * w.objective ? r : w));
  const best = rows.reduce((w, r) => (bad * r.objective < bad * w.objective ? r : w));
  return { method: s.method, origin: s.origin, scenarios: rows, expected, worst: { label: worst.label, value: worst.objective }, best: { label: best.label, value: best.objective } };
}

/** Lines for the terminal summary. */
export function scenarioLines(r: ScenarioReport, unit: string, fmt: (v: number) => string, maxRows = 12): string[] {
  const u = unit ? ` ${unit}` : '';
  const out = [`method      ${r.method}`];
  if (r.origin) out.push(`scenarios   ${r.scenarios.length ? `${r.scenarios.length}: ` : ''}${r.origin}`);
  if (r.expected === undefined) return out;
  out.push(`expected    ${fmt(r.expected)}${u} over the scenarios; worst ${fmt(r.worst!.value)}${u} (${r.worst!.label}), best ${fmt(r.best!.value)}${u} (${r.best!.label})`);
  if (r.scenarios.length <= maxRows) {
    const w = Math.max(8, ...r.scenarios.map((s) => s.label.length));
    out.push(`            ${'scenario'.padEnd(w)}  ${'prob'.padStart(8)}  ${'objective'.padStart(12)}`);
    for (const s of r.scenarios) out.push(`            ${s.label.padEnd(w)}  ${fmt(s.prob).padStart(8)}  ${(fmt(s.objective) + u).padStart(12 + u.length)}`);
  }
  return out;
}
