// Helpers for the tests of the reformulations (src/lower/*.test.ts): compile model text with
// lowering options, solve it, and pick the LP lines of one constraint family.
import { expect } from 'vitest';
import { compile, type Compilation } from '../src/driver.js';
import type { LoweringOptions } from '../src/lower/lower.js';
import type { Model } from '../src/ir/model.js';
import { solveHighs } from '../src/solve/highs.js';
import { solveGlpk } from '../src/solve/glpk.js';
import { interpret, type Results } from '../src/report/results.js';
import { rendered, tempDir } from './helpers.js';
import { lpText } from './lpfiles.js';
import { join } from 'node:path';

export interface Solved {
  readonly comp: Compilation;
  readonly model: Model;
  readonly results: Results;
  readonly objective: number;
  /** Value of a scalar variable, or of `name[i,j]`, in its declared unit. */
  value(name: string): number;
}

export function build(text: string, lowering: Partial<LoweringOptions> = {}): { comp: Compilation; model: Model } {
  const dir = tempDir({ 'model.evg': text });
  const comp = compile(join(dir, 'model.evg'), { lowering });
  expect(comp.diags.list.filter((d) => d.severity === 'error'), rendered(comp)).toEqual([]);
  return { comp, model: comp.elaboration!.model };
}

export async function solve(text: string, opts: { solver?: 'highs' | 'glpk'; lowering?: Partial<LoweringOptions> } = {}): Promise<Solved> {
  const { comp, model } = build(text, { ...(opts.solver === 'glpk' ? { quadraticObjective: 'pwl' as const } : {}), ...opts.lowering });
  const out = opts.solver === 'glpk' ? await solveGlpk(model, {}) : await solveHighs(model, {});
  const results = interpret(comp, out);
  expect(results.status, out.message).toBe('optimal');
  const names = new Map<string, number>();
  for (const f of model.colFamilies) {
    if (f.aux) continue;
    for (let k = 0; k < f.count; k++) {
      const t = f.index.tupleAt(k);
      names.set(t.length ? `${f.name}[${t.join(',')}]` : f.name, results.x![f.first + k]!);
    }
  }
  return {
    comp, model, results, objective: results.objective!.value,
    value: (n) => { const v = names.get(n); expect(v, `no variable ${n}`).toBeTypeOf('number'); return v!; },
  };
}

/** The `Subject To` lines of the LP file that belong to a family and its auxiliary rows. */
export function lpRows(model: Model, family: string): string[] {
  const text = lpText(model);
  const body = text.slice(text.indexOf('Subject To\n') + 'Subject To\n'.length, text.indexOf('\nBounds\n'));
  return body.split('\n').filter((l) => l.startsWith(` ${family}:`) || l.startsWith(` ${family}(`) || l.startsWith(` ${family}~aux(`));
}

/** Number of binary columns the reformulations added (model binaries minus declared ones). */
export function binaries(model: Model): number {
  let n = 0;
  for (const f of model.colFamilies) if (f.aux) for (let j = f.first; j < f.first + f.count; j++) if (model.colType[j] === 2) n++;
  return n;
}

/** min over candidates of f (brute force over the points where an optimum must lie). */
export function bruteMin(candidates: readonly number[], f: (x: number) => number, feasible: (x: number) => boolean = () => true): number {
  let best = Infinity;
  for (const x of candidates) if (feasible(x)) best = Math.min(best, f(x));
  return best;
}

/** Numbers printed so that evg reads them back exactly (no exponent surprises). */
export const lit = (v: number): string => (Object.is(v, -0) ? '0' : String(v));
