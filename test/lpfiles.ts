// Helpers for the LP/MPS round-trip tests: write a model with the project's writers, read the
// files back into HiGHS (in-process, from text) or hand them to the outside programs `glpsol`
// and `cbc`, and bring every objective back to the model's own terms.
//
// Objective conventions of the written files (see the header comments of src/emit/lp.ts and
// src/emit/mps.ts): the files carry the emitted (scaled) objective, so
//   user objective = file objective / model.objScale;
// an MPS file is always a minimisation, a maximisation being written as the minimisation of the
// negated objective, so for a maximisation
//   user objective = -(MPS file objective) / model.objScale.
// The objective constant is the coefficient of a column `evg~constant` fixed at 1 in both formats;
// the objective is labelled (LP) or named (MPS row) `evg~obj`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { compile, type Compilation } from '../src/driver.js';
import type { LoweringOptions } from '../src/lower/lower.js';
import { writeLp } from '../src/emit/lp.js';
import { writeMps } from '../src/emit/mps.js';
import { FileSink, StringSink } from '../src/emit/sink.js';
import { ONE } from '../src/check/units.js';
import type { ColFamily, Model, RowFamily } from '../src/ir/model.js';
import { Namer } from '../src/ir/names.js';
import { EvSet, Indexed, type Elem } from '../src/lower/values.js';
import { loadHighs } from '../src/solve/highs.js';
import { compileText, rendered } from './helpers.js';

export type Format = 'lp' | 'mps';

export interface Built {
  readonly comp: Compilation;
  readonly model: Model;
}

function checked(comp: Compilation): Built {
  if (comp.diags.hasErrors || !comp.elaboration) throw new Error(`model has errors:\n${rendered(comp)}`);
  return { comp, model: comp.elaboration.model };
}

/** Compiles model text (in a fresh temporary directory); throws on diagnostics. */
export function build(text: string, files: Record<string, string> = {}): Built {
  return checked(compileText(text, files));
}

/** Compiles a model file on disk; throws on diagnostics. */
export function buildFile(path: string, lowering: Partial<LoweringOptions> = {}): Built {
  return checked(compile(path, { lowering }));
}

export function lpText(model: Model, title?: string): string {
  const s = new StringSink();
  writeLp(model, s, title);
  s.close();
  return s.toString();
}

export function mpsText(model: Model, title?: string): string {
  const s = new StringSink();
  writeMps(model, s, title);
  s.close();
  return s.toString();
}

/** Writes `base.lp` and `base.mps` into `dir` through FileSink (the CLI's path) and returns their paths. */
export function writeFiles(model: Model, dir: string, base: string): { lp: string; mps: string } {
  const lp = join(dir, `${base}.lp`);
  const mps = join(dir, `${base}.mps`);
  const a = new FileSink(lp);
  writeLp(model, a, base);
  a.close();
  const b = new FileSink(mps);
  writeMps(model, b, base);
  b.close();
  return { lp, mps };
}

/** The model's objective in its own unit, from the objective value a reader reports for a written file. */
export function userObjective(model: Model, fileObjective: number, format: Format): number {
  const sign = format === 'mps' && model.objective.sense === 'maximize' ? -1 : 1;
  return (sign * fileObjective) / model.objScale;
}

/** File names of the model's columns, in column order (what the writers emit). */
export function fileColNames(model: Model): string[] {
  const n = new Namer(model);
  return Array.from({ length: model.numCols }, (_, j) => n.colFile(j));
}

export function fileRowNames(model: Model): string[] {
  const n = new Namer(model);
  return Array.from({ length: model.numRows }, (_, i) => n.rowFile(i));
}

/** One family of a separable model: a column family, a row family over the same index, and per index position the elements of its set. */
export interface NamedFamily {
  readonly col: string;
  readonly row: string;
  readonly sets: readonly (readonly Elem[])[];
}

/**
 * A model built directly as IR, not from source text, so that family names and elements can be
 * anything the writers may meet (names the language would reject included). Column j (numbered
 * over all families) has bounds [0, u_j], u_j = 1 + (j mod 3), is integer when j mod 5 = 1 and
 * binary (u_j = 1) when j mod 7 = 2, objective coefficient c_j = 1 + (j mod 2); its row is
 * x_j <= cap_j with cap_j = 0.5 + 0.75 (j mod 4), ranged (-1 <= x_j <= cap_j) when j mod 3 = 0.
 * The objective, maximised, has the constant 10. Each column is on its own and c_j > 0, so the
 * unique optimum is x_j = m_j = min(u_j, cap_j), rounded down for integer and binary columns,
 * with objective 10 + sum_j c_j m_j.
 */
export function separableModel(families: readonly NamedFamily[]): { model: Model; optimum: number; values: number[] } {
  const span = { file: 'synthetic', start: 0, end: 0, line: 1, col: 1 };
  const colFamilies: ColFamily[] = [];
  const rowFamilies: RowFamily[] = [];
  const lower: number[] = [], upper: number[] = [], cost: number[] = [], type: (0 | 1 | 2)[] = [];
  const rowLower: number[] = [], rowUpper: number[] = [];
  let optimum = 10;
  const values: number[] = [];
  let n = 0;
  families.forEach((fam, f) => {
    const sets = fam.sets.map((els, k) => EvSet.of(`S${f}_${k}`, 1, [...els]));
    const index = new Indexed(sets);
    const first = n;
    const keys = new Int32Array(index.size * sets.length);
    for (let off = 0; off < index.size; off++, n++) {
      const j = n;
      const t: 0 | 1 | 2 = j % 7 === 2 ? 2 : j % 5 === 1 ? 1 : 0;
      const u = t === 2 ? 1 : 1 + (j % 3);
      const cap = 0.5 + 0.75 * (j % 4);
      lower.push(0); upper.push(u); cost.push(1 + (j % 2)); type.push(t);
      rowLower.push(j % 3 === 0 ? -1 : -Infinity); rowUpper.push(cap);
      const m = t === 0 ? Math.min(u, cap) : Math.floor(Math.min(u, cap));
      values.push(m);
      optimum += (1 + (j % 2)) * m;
      let rest = off;
      for (let b = sets.length - 1; b >= 0; b--) {
        keys[off * sets.length + b] = rest % sets[b]!.size;
        rest = Math.floor(rest / sets[b]!.size);
      }
    }
    colFamilies.push({ name: fam.col, first, count: index.size, unit: ONE, type: 0, span, index });
    rowFamilies.push({ name: fam.row, first, count: index.size, unit: ONE, span, sets, arities: sets.map(() => 1), keys });
  });
  const model: Model = {
    name: 'separable', objective: { name: 'total', sense: 'maximize' }, lowering: [], objectiveError: 0,
    numCols: n, colLower: Float64Array.from(lower), colUpper: Float64Array.from(upper), colType: Uint8Array.from(type),
    colCost: Float64Array.from(cost), objOffset: 10, objScale: 1,
    numRows: n, rowStart: Int32Array.from({ length: n + 1 }, (_, i) => i), rowIndex: Int32Array.from({ length: n }, (_, i) => i),
    rowValue: new Float64Array(n).fill(1), rowLower: Float64Array.from(rowLower), rowUpper: Float64Array.from(rowUpper),
    rowScale: new Float64Array(n).fill(1), colFamilies, rowFamilies,
    stats: {
      nonzeros: n, integers: type.filter((t) => t === 1).length, binaries: type.filter((t) => t === 2).length,
      matrixRange: [1, 1], matrixRangeRows: n ? [0, 0] : [-1, -1], objectiveRange: [1, 2], boundsRange: [1, 3], rhsRange: [0.5, 2.75], trivialRows: 0,
    },
  };
  return { model, optimum, values };
}

/** Relative-or-absolute closeness: |a - b| <= tol * max(1, |a|, |b|). */
export function expectClose(actual: number | undefined, expected: number, tol = 1e-6, what = ''): void {
  expect(actual, what).toBeTypeOf('number');
  const scale = Math.max(1, Math.abs(expected), Math.abs(actual!));
  if (!(Math.abs(actual! - expected) <= tol * scale)) {
    expect.fail(`${what ? `${what}: ` : ''}expected ${actual} to be within ${tol} (relative) of ${expected}`);
  }
}

export interface FileSolution {
  /** 'optimal', 'infeasible', 'unbounded', ... as far as the reader tells. */
  readonly status: string;
  /** Objective of the file as the reader reports it. */
  readonly objective?: number;
  /** Column values by file name (readers that print only nonzeros leave the others out). */
  readonly values: Map<string, number>;
  /** For the outside programs: their output, for failure messages. */
  readonly log?: string;
}

/** Reads LP text or MPS bytes into HiGHS (in-process), solves, and returns the solution by column name. */
export async function highsSolveFile(format: Format, data: string): Promise<FileSolution> {
  const h = await loadHighs();
  const m = h.createModel(format === 'lp' ? { format, data } : { format, data: new TextEncoder().encode(data) });
  try {
    m.options.set({ output_flag: false, log_to_console: false } as never);
    m.run();
    const st = m.getModelStatus();
    const S = h.constants.modelStatus;
    const status = st === S.optimal ? 'optimal' : st === S.infeasible ? 'infeasible' : st === S.unbounded ? 'unbounded'
      : st === S.unboundedOrInfeasible ? 'infeasible-or-unbounded' : `status ${st}`;
    const values = new Map<string, number>();
    if (status !== 'optimal') return { status, values };
    const sol = m.getSolution();
    const n = m.getDimensions().numCols;
    for (let j = 0; j < n; j++) values.set(m.getColName(j), sol.colValue[j]!);
    return { status, objective: m.getObjectiveValue(), values };
  } finally {
    m.dispose();
  }
}

// ---- outside programs ----------------------------------------------------------------------

function programWorks(cmd: string, args: string[]): boolean {
  try {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000, input: '' });
    return !r.error && r.status === 0;
  } catch {
    return false;
  }
}

export const hasGlpsol = programWorks('glpsol', ['--version']);
// `cbc -quit` starts CBC and leaves at once; a missing program gives ENOENT.
export const hasCbc = programWorks('cbc', ['-quit']);

const warned = new Set<string>();
/** Prints (once per test file) that the tests needing `program` are skipped. */
export function warnIfMissing(program: string, present: boolean, what: string): void {
  if (present || warned.has(program)) return;
  warned.add(program);
  console.warn(`${program} not found: skipping ${what} (install ${program === 'glpsol' ? 'glpk-utils' : 'coinor-cbc'} to run them)`);
}

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return `${r.stdout ?? ''}${r.stderr ?? ''}`;
}

/**
 * Solves `file` with glpsol (`--lp` or `--freemps`). The objective comes from the raw solution
 * file (`-w`, full precision), the values by name from the printable report (`-o`).
 */
export function glpsolSolve(file: string, format: Format): FileSolution {
  const dir = join(file, '..');
  const raw = `${file}.glpsol.raw`;
  const rep = `${file}.glpsol.txt`;
  const log = run('glpsol', [format === 'lp' ? '--lp' : '--freemps', file, '-w', raw, '-o', rep], dir);
  if (!existsSync(rep) || !existsSync(raw)) return { status: 'error', values: new Map(), log };
  const report = readFileSync(rep, 'utf8');
  const statusLine = /^Status:\s+(.*)$/m.exec(report)?.[1]?.trim() ?? '';
  // With its presolver on, glpsol reports a proven infeasibility in the log and leaves the report's status UNDEFINED.
  const status = /OPTIMAL/.test(statusLine) && !/NON-OPTIMAL/.test(statusLine) ? 'optimal'
    : /INFEASIBLE|EMPTY/.test(statusLine) || /HAS NO (PRIMAL |INTEGER )?FEASIBLE SOLUTION/.test(log) ? 'infeasible'
    : /UNBOUNDED/.test(statusLine) || /HAS UNBOUNDED SOLUTION/.test(log) ? 'unbounded' : statusLine || 'error';
  // `s bas ROWS COLS PST DST OBJ` (LP) or `s mip ROWS COLS STATUS OBJ` (MIP).
  const s = readFileSync(raw, 'utf8').split('\n').find((l) => l.startsWith('s '));
  const parts = s?.trim().split(/\s+/) ?? [];
  const objective = parts.length ? Number(parts[parts.length - 1]) : undefined;
  return { status, objective, values: glpsolColumns(report), log };
}

/** Column values from glpsol's `-o` report; a name longer than 12 characters puts the numbers on the next line. */
export function glpsolColumns(report: string): Map<string, number> {
  const lines = report.split('\n');
  const values = new Map<string, number>();
  const start = lines.findIndex((l) => /^\s+No\.\s+Column name/.test(l));
  if (start < 0) return values;
  for (let i = start + 2; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim()) break;
    const m = /^\s*\d+ (\S+)(.*)$/.exec(line);
    if (!m) continue;
    let rest = m[2]!;
    if (!rest.trim()) rest = lines[++i] ?? '';
    const toks = rest.trim().split(/\s+/);
    if (/^(B|NL|NU|NF|NS|\*)$/.test(toks[0]!)) toks.shift();
    values.set(m[1]!, Number(toks[0]));
  }
  return values;
}

/** Solves `file` with `cbc FILE solve solu OUT`; CBC writes nonzero values only. */
export function cbcSolve(file: string): FileSolution {
  const dir = join(file, '..');
  const out = `${file}.cbc.txt`;
  const log = run('cbc', [file, 'solve', 'solu', out], dir);
  if (/Bad image|errors on input|### ERROR|read with [1-9]\d* errors|Current model not valid/.test(log) || !existsSync(out)) return { status: 'error', values: new Map(), log };
  const lines = readFileSync(out, 'utf8').split('\n');
  const head = lines[0] ?? '';
  const status = /^Optimal/.test(head) ? 'optimal' : /infeasible/i.test(head) ? 'infeasible' : /unbounded/i.test(head) ? 'unbounded' : head;
  const objective = Number(/objective value\s+(\S+)/.exec(head)?.[1]);
  const values = new Map<string, number>();
  for (const l of lines.slice(1)) {
    // `  idx name value reduced-cost`, with `**` in front of an infeasible value.
    const m = /^\s*(?:\*\*\s*)?\d+\s+(\S+)\s+(\S+)/.exec(l);
    if (m) values.set(m[1]!, Number(m[2]));
  }
  return { status, objective: Number.isFinite(objective) ? objective : undefined, values, log };
}
