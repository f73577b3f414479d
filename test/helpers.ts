// Shared helpers for tests: compile model text from a temporary directory, solve, and read results.
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { compile, type Compilation } from '../src/driver.js';
import { renderDiagnostic, type Diagnostic } from '../src/diagnostics/diagnostic.js';
import { solveHighs } from '../src/solve/highs.js';
import { solveGlpk } from '../src/solve/glpk.js';
import { interpret, type Results } from '../src/report/results.js';
import { toJson } from '../src/report/output.js';

/** Writes `files` (path -> text) into a fresh temporary directory and returns it. */
export function tempDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'evg-test-'));
  for (const [p, text] of Object.entries(files)) {
    const full = join(dir, p);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return dir;
}

/** Compiles `model.evg` with the given text (and extra files beside it). */
export function compileText(text: string, files: Record<string, string> = {}): Compilation {
  const dir = tempDir({ ...files, 'model.evg': text });
  return compile(join(dir, 'model.evg'));
}

export function errors(c: Compilation): Diagnostic[] {
  return c.diags.sorted().filter((d) => d.severity === 'error');
}

export function rendered(c: Compilation): string {
  return c.diags.sorted().map((d) => renderDiagnostic(d, c.sources)).join('\n');
}

/** `code@line:col` of every diagnostic, for compact assertions. */
export function codesAt(c: Compilation): string[] {
  return c.diags.sorted().map((d) => `${d.code}@${d.span?.line}:${d.span?.col}`);
}

export interface Solved {
  comp: Compilation;
  results: Results;
  json: { status: string; objective: number; variables: Record<string, number>; costs: Record<string, number>; constraints: Record<string, { activity?: number; dual?: number }> };
}

export async function solveText(text: string, files: Record<string, string> = {}, solver: 'highs' | 'glpk' = 'highs'): Promise<Solved> {
  const comp = compileText(text, files);
  if (comp.diags.hasErrors || !comp.elaboration) throw new Error(`model has errors:\n${rendered(comp)}`);
  const out = solver === 'highs' ? await solveHighs(comp.elaboration.model, {}) : await solveGlpk(comp.elaboration.model, {});
  const results = interpret(comp, out);
  return { comp, results, json: toJson(comp, results, {}) as Solved['json'] };
}
