// External native solvers, for models beyond the in-process WebAssembly heap (about 2 GiB):
// `--solver cbc|glpsol|highs-cli` writes the model as free MPS (emit/mps.ts) into a temporary
// directory, runs the program found on PATH, reads its solution back and returns it in the
// emitted model's terms, like the in-process back-ends, so that report/ maps it to source names
// and units unchanged.
//
// The MPS writer puts the model's columns in order 0..n-1 (then `evg~constant`, fixed at 1, when
// the objective has a constant) and its rows in order 0..m-1, so solutions are mapped by position;
// the counts are checked, and names too where the solution file has them. MPS files are
// minimisations: a maximisation is written negated, so its objective and duals are negated back.
//
//   cbc        `cbc model.mps [sec T] [ratio G] solve solu sol.txt saveS sol.bin`: the status from
//              the first line of the text solution, the values from the binary one (full
//              precision; the text prints 8 significant digits): int32 rows, int32 columns,
//              float64 objective, then row activities, row duals, column values, column duals.
//   glpsol     `glpsol --freemps model.mps -w sol.raw [--tmlim T] [--mipgap G]`: GLPK's plain-text
//              solution (`s bas|mip ...`, `i` rows, `j` columns); statuses GLPK leaves undefined
//              after its presolver are taken from its log.
//   highs-cli  `highs --model_file model.mps --solution_file sol.txt [--time_limit T]
//              [--options_file opts]` (mip_rel_gap): HiGHS's raw solution file, with names.
//              Quadratic objectives are passed on (QUADOBJ); cbc and glpsol get none (evg solve
//              linearises them for these two, as for GLPK).
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, mkdtempSync, openSync, readSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Model } from '../ir/model.js';
import { Namer } from '../ir/names.js';
import { writeMps } from '../emit/mps.js';
import { FileSink } from '../emit/sink.js';
import type { SolveOptions, SolverOutput, SolveStatus } from './types.js';

export type ExternalSolver = 'cbc' | 'glpsol' | 'highs-cli';
export const EXTERNAL_SOLVERS: readonly ExternalSolver[] = ['cbc', 'glpsol', 'highs-cli'];

export function isExternal(solver: string): solver is ExternalSolver {
  return (EXTERNAL_SOLVERS as readonly string[]).includes(solver);
}

export interface ProgramInfo {
  /** The executable looked for on PATH. */
  readonly program: string;
  /** How to install it. */
  readonly install: string;
  /** Whether it takes a quadratic objective. */
  readonly quadratic: boolean;
}

export const PROGRAMS: Readonly<Record<ExternalSolver, ProgramInfo>> = {
  cbc: { program: 'cbc', install: 'install COIN-OR CBC (Debian and Ubuntu: apt-get install coinor-cbc)', quadratic: false },
  glpsol: { program: 'glpsol', install: 'install GLPK\'s glpsol (Debian and Ubuntu: apt-get install glpk-utils)', quadratic: false },
  'highs-cli': { program: 'highs', install: 'put the `highs` executable of a HiGHS release (https://github.com/ERGO-Code/HiGHS/releases) on PATH', quadratic: true },
};

/** A problem running an outside solver: E0704 the program is missing; E0701 it failed. */
export class ExternalSolverError extends Error {
  constructor(readonly code: 'E0704' | 'E0701', message: string, readonly hint?: string) {
    super(message);
  }
}

/** The full path of an executable found on PATH (or the path itself, if it contains a `/`), or undefined. */
export function findProgram(program: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const ok = (p: string) => { try { accessSync(p, constants.X_OK); return true; } catch { return false; } };
  if (program.includes('/')) return ok(program) ? program : undefined;
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, program);
    if (ok(p)) return isAbsolute(p) ? p : join(process.cwd(), p);
  }
  return undefined;
}

/** The program of `solver` on PATH; throws E0704 when it is missing. */
export function requireProgram(solver: ExternalSolver, env: NodeJS.ProcessEnv = process.env): string {
  const info = PROGRAMS[solver];
  const path = findProgram(info.program, env);
  if (!path) {
    throw new ExternalSolverError('E0704', `--solver ${solver} runs the program \`${info.program}\`, which is not on PATH`,
      `${info.install}, or use an in-process solver: --solver highs or --solver glpk`);
  }
  return path;
}

export interface ExternalOptions extends SolveOptions {
  /** Environment of the program (PATH is searched in it); default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Keep the temporary directory with the model and solution files (for debugging). */
  readonly keepFiles?: boolean;
}

interface Ran {
  readonly code: number | null;
  readonly log: string;
}

/** Runs a program; its output goes to `log` when verbose, and is kept (the last 64 KiB) for messages. */
function runProgram(path: string, args: readonly string[], cwd: string, opts: ExternalOptions): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const take = (b: Buffer) => {
      const s = b.toString('utf8');
      if (opts.verbose) (opts.log ?? ((x: string) => process.stderr.write(x)))(s);
      log += s;
      if (log.length > 1 << 17) log = log.slice(-(1 << 16));
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, log }));
  });
}

/** Calls `fn` for every line of a file, reading it in pieces (solution files of large models exceed a string's size). */
export function forEachLine(path: string, fn: (line: string) => boolean | void): void {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let rest = '';
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const text = rest + buf.toString('latin1', 0, n);
      const lines = text.split('\n');
      rest = lines.pop()!;
      for (const l of lines) if (fn(l.replace(/\r$/, '')) === false) return;
    }
    if (rest) fn(rest.replace(/\r$/, ''));
  } finally {
    closeSync(fd);
  }
}

function lastLines(log: string, n = 12): string {
  return log.trimEnd().split('\n').slice(-n).map((l) => `    ${l}`).join('\n');
}

/** Solves the model with an outside program; the result is in the emitted model's terms. */
export async function solveExternal(solver: ExternalSolver, model: Model, opts: ExternalOptions = {}): Promise<SolverOutput> {
  const t0 = performance.now();
  const isMip = model.stats.integers + model.stats.binaries > 0;
  const info = PROGRAMS[solver];
  const program = requireProgram(solver, opts.env);
  const seconds = () => (performance.now() - t0) / 1000;
  if (model.hessian && !info.quadratic) {
    return { solver, status: 'error', hasSolution: false, isMip, seconds: 0, message: `${solver} takes no quadratic objective; build the model with the objective linearised (--linearize; evg solve does so for --solver ${solver})` };
  }
  if (model.numCols === 0) {
    return { solver, status: 'optimal', hasSolution: true, isMip, objective: model.objOffset, colValue: new Float64Array(0), rowValue: new Float64Array(model.numRows), rowDual: isMip ? undefined : new Float64Array(model.numRows), seconds: 0 };
  }
  const dir = mkdtempSync(join(tmpdir(), `evg-${solver}-`));
  try {
    const file = join(dir, 'model.mps');
    const sink = new FileSink(file);
    writeMps(model, sink, 'evg');
    sink.close();
    const sign = model.objective.sense === 'maximize' ? -1 : 1;
    const fileCols = model.numCols + (model.objOffset !== 0 ? 1 : 0);
    const ctx: Ctx = { solver, model, dir, isMip, sign, fileCols, opts, program };
    const out = solver === 'cbc' ? await runCbc(ctx, file) : solver === 'glpsol' ? await runGlpsol(ctx, file) : await runHighsCli(ctx, file);
    return { ...out, seconds: seconds() };
  } finally {
    if (!opts.keepFiles) rmSync(dir, { recursive: true, force: true });
  }
}

interface Ctx {
  readonly solver: ExternalSolver;
  readonly model: Model;
  readonly dir: string;
  readonly isMip: boolean;
  /** -1 when the model maximises (the MPS file minimises the negated objective). */
  readonly sign: number;
  /** Columns of the written file: the model's, and `evg~constant` when there is an objective constant. */
  readonly fileCols: number;
  readonly opts: ExternalOptions;
  readonly program: string;
}

type Outcome = Omit<SolverOutput, 'seconds'>;

function failed(ctx: Ctx, what: string, log: string): never {
  throw new ExternalSolverError('E0701', `${ctx.solver} (${ctx.program}) ${what}${log.trim() ? `; its last lines:\n${lastLines(log)}` : ''}`,
    'run again with --verbose to see its whole log, or try an in-process solver: --solver highs');
}

function negate(a: Float64Array | undefined, sign: number): Float64Array | undefined {
  if (!a || sign === 1) return a;
  for (let i = 0; i < a.length; i++) a[i] = -a[i]! || 0;
  return a;
}

// ---- CBC --------------------------------------------------------------------------------------

async function runCbc(ctx: Ctx, file: string): Promise<Outcome> {
  const { opts, model } = ctx;
  const text = join(ctx.dir, 'sol.txt'), bin = join(ctx.dir, 'sol.bin');
  const args = [file];
  if (opts.timeLimit !== undefined) args.push('sec', String(opts.timeLimit));
  if (opts.gap !== undefined) args.push('ratio', String(opts.gap));
  args.push('solve', 'solu', text, 'saveS', bin);
  const ran = await runProgram(ctx.program, args, ctx.dir, opts);
  if (/errors on input|### ERROR|read with [1-9]\d* errors|Current model not valid/.test(ran.log) || !existsSync(text)) failed(ctx, `did not solve the model (exit code ${ran.code})`, ran.log);
  let head = '';
  forEachLine(text, (l) => { head = l; return false; });
  const stopped = /^Stopped on (time|iterations|nodes|solutions)/.exec(head);
  const noInteger = /no integer solution/.test(head);
  const status: SolveStatus = /^Optimal/.test(head) ? 'optimal'
    : /^(Infeasible|Integer infeasible|PrimalInfeasible)/i.test(head) ? 'infeasible'
    : /^(Unbounded|Dual infeasible)/i.test(head) ? 'unbounded'
    : stopped ? (stopped[1] === 'iterations' ? 'iteration-limit' : 'time-limit')
    : 'error';
  const hasSolution = status === 'optimal' || (!!stopped && !noInteger && existsSync(bin));
  if (!hasSolution) return { solver: ctx.solver, status, hasSolution: false, isMip: ctx.isMip, ...(status === 'error' ? { message: `CBC: ${head.trim() || 'no status'}` } : {}) };
  if (!existsSync(bin)) failed(ctx, 'wrote no solution values', ran.log);
  const b = readFileSync(bin);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 16) failed(ctx, 'wrote a solution file too short to read', ran.log);
  const m = dv.getInt32(0, true), n = dv.getInt32(4, true);
  if (m !== model.numRows || n !== ctx.fileCols || b.length < 16 + 8 * (2 * m + 2 * n)) failed(ctx, `returned a solution of ${m} rows and ${n} columns for a file of ${model.numRows} rows and ${ctx.fileCols} columns`, ran.log);
  const f64 = (k: number, len: number) => {
    const out = new Float64Array(len);
    for (let i = 0; i < len; i++) out[i] = dv.getFloat64(16 + 8 * (k + i), true);
    return out;
  };
  const objective = dv.getFloat64(8, true);
  const rowValue = f64(0, m);
  const rowDual = ctx.isMip ? undefined : f64(m, m);
  const colValue = f64(2 * m, model.numCols);
  return { solver: ctx.solver, status, hasSolution: true, isMip: ctx.isMip, objective: ctx.sign * objective, colValue, rowValue, rowDual: negate(rowDual, ctx.sign) };
}

// ---- glpsol -----------------------------------------------------------------------------------

async function runGlpsol(ctx: Ctx, file: string): Promise<Outcome> {
  let r = await glpsolOnce(ctx, file, []);
  // GLPK's LP presolver proves infeasibility or unboundedness without saying which (status
  // undefined); solving again without it tells (as src/solve/glpk.ts does in-process).
  if (!ctx.isMip && !r.hasSolution && r.status !== 'time-limit' && /use --nopresol/.test(r.log)) r = await glpsolOnce(ctx, file, ['--nopresol']);
  const { log: _log, ...out } = r;
  return out;
}

async function glpsolOnce(ctx: Ctx, file: string, extra: readonly string[]): Promise<Outcome & { log: string }> {
  const { opts, model } = ctx;
  const raw = join(ctx.dir, 'sol.raw');
  rmSync(raw, { force: true });
  const args = ['--freemps', file, '-w', raw, ...extra];
  if (opts.timeLimit !== undefined) args.push('--tmlim', String(Math.ceil(opts.timeLimit)));
  if (opts.gap !== undefined && ctx.isMip) args.push('--mipgap', String(opts.gap));
  const ran = await runProgram(ctx.program, args, ctx.dir, opts);
  const log = ran.log;
  const timeLimit = /TIME LIMIT EXCEEDED/.test(log);
  const noFeasible = /HAS NO (PRIMAL |INTEGER )?FEASIBLE SOLUTION/.test(log);
  const unbounded = /HAS UNBOUNDED (PRIMAL )?SOLUTION/.test(log);
  // No dual feasible solution: the LP (relaxation) is unbounded if it is feasible at all.
  const noDual = /HAS NO DUAL FEASIBLE SOLUTION/.test(log);
  if (!existsSync(raw)) {
    const status: SolveStatus = noFeasible ? 'infeasible' : unbounded ? (ctx.isMip ? 'infeasible-or-unbounded' : 'unbounded') : noDual ? 'infeasible-or-unbounded' : timeLimit ? 'time-limit' : failed(ctx, `wrote no solution (exit code ${ran.code})`, log);
    return { solver: ctx.solver, status, hasSolution: false, isMip: ctx.isMip, log };
  }
  let kind = '', st: string[] = [];
  const rowValue = new Float64Array(model.numRows), rowDual = new Float64Array(model.numRows), colValue = new Float64Array(model.numCols);
  let bad = '';
  forEachLine(raw, (l) => {
    const c = l.charCodeAt(0);
    if (c === 105 /* i */ || c === 106 /* j */) {
      // `i k stat prim dual` / `j k stat prim dual` (LP), `i k val` / `j k val` (MIP).
      const t = l.split(' ');
      const k = Number(t[1]) - 1;
      const basic = kind === 'bas';
      const v = Number(t[basic ? 3 : 2]);
      if (c === 105) {
        if (k < 0 || k >= model.numRows) { bad = `row ${k + 1}`; return false; }
        rowValue[k] = v;
        if (basic) rowDual[k] = Number(t[4]);
      } else if (k < model.numCols) colValue[k] = v;
    } else if (c === 115 /* s */) {
      st = l.split(' ');
      kind = st[1] ?? '';
      const m = Number(st[2]), n = Number(st[3]);
      if (m !== model.numRows || n !== ctx.fileCols) { bad = `a solution of ${m} rows and ${n} columns for a file of ${model.numRows} rows and ${ctx.fileCols} columns`; return false; }
    }
    return true;
  });
  if (bad) failed(ctx, `returned ${bad}`, log);
  let status: SolveStatus, hasSolution: boolean;
  const objective = Number(st[st.length - 1]);
  if (kind === 'mip') {
    const s = st[4];
    if (s === 'o') { status = 'optimal'; hasSolution = true; }
    else if (s === 'f') { status = timeLimit ? 'time-limit' : 'optimal'; hasSolution = true; }
    else if (s === 'n') { status = 'infeasible'; hasSolution = false; }
    else { status = timeLimit ? 'time-limit' : noFeasible ? 'infeasible' : unbounded || noDual ? 'infeasible-or-unbounded' : 'error'; hasSolution = false; }
  } else if (kind === 'bas') {
    const p = st[4], d = st[5];
    if (p === 'f' && d === 'f') { status = 'optimal'; hasSolution = true; }
    else if (p === 'n' || noFeasible) { status = 'infeasible'; hasSolution = false; }
    else if ((p === 'f' && d === 'n') || unbounded) { status = 'unbounded'; hasSolution = false; }
    else if (noDual) { status = 'infeasible-or-unbounded'; hasSolution = false; }
    else { status = timeLimit ? 'time-limit' : /ITERATION LIMIT/.test(log) ? 'iteration-limit' : 'error'; hasSolution = false; }
  } else failed(ctx, 'wrote a solution file evg cannot read', log);
  if (!hasSolution) return { solver: ctx.solver, status, hasSolution, isMip: ctx.isMip, log, ...(status === 'error' ? { message: `glpsol status ${st.slice(4).join(' ')}` } : {}) };
  return {
    log, solver: ctx.solver, status, hasSolution, isMip: ctx.isMip, objective: ctx.sign * objective, colValue, rowValue,
    rowDual: kind === 'bas' ? negate(rowDual, ctx.sign) : undefined,
  };
}

// ---- HiGHS command line -----------------------------------------------------------------------

const HIGHS_STATUS: Record<string, SolveStatus> = {
  'Optimal': 'optimal',
  'Empty': 'optimal',
  'Infeasible': 'infeasible',
  'Unbounded': 'unbounded',
  'Primal infeasible or unbounded': 'infeasible-or-unbounded',
  'Time limit reached': 'time-limit',
  'Iteration limit reached': 'iteration-limit',
};

async function runHighsCli(ctx: Ctx, file: string): Promise<Outcome> {
  const { opts, model } = ctx;
  const sol = join(ctx.dir, 'sol.txt');
  const args = ['--model_file', file, '--solution_file', sol];
  if (opts.timeLimit !== undefined) args.push('--time_limit', String(opts.timeLimit));
  if (opts.gap !== undefined) {
    const o = join(ctx.dir, 'options.txt');
    writeFileSync(o, `mip_rel_gap = ${opts.gap}\n`);
    args.push('--options_file', o);
  }
  const ran = await runProgram(ctx.program, args, ctx.dir, opts);
  if (!existsSync(sol)) failed(ctx, `wrote no solution file (exit code ${ran.code})`, ran.log);
  const namer = new Namer(model);
  let section = '', sub = '', line = -1, statusText = '', primal = '', dual = '', objective = NaN, bad = '';
  const colValue = new Float64Array(model.numCols), rowValue = new Float64Array(model.numRows), rowDual = new Float64Array(model.numRows);
  let cols = -1, rows = -1;
  forEachLine(sol, (l) => {
    if (l.startsWith('#')) {
      if (l === '# Primal solution values') { section = 'primal'; sub = 'status'; }
      else if (l === '# Dual solution values') { section = 'dual'; sub = 'status'; }
      else if (l.startsWith('# Basis')) { section = 'basis'; sub = ''; }
      else if (l.startsWith('# Columns ')) { sub = 'cols'; line = 0; cols = Number(l.slice(10)); }
      else if (l.startsWith('# Rows ')) { sub = 'rows'; line = 0; rows = Number(l.slice(7)); }
      return true;
    }
    if (l === 'Model status') { section = 'model'; return true; }
    if (section === 'model') { if (l.trim()) statusText = l.trim(); section = ''; return true; }
    if (section === 'basis' || !section) return true;
    if (sub === 'status') { if (section === 'primal') primal = l.trim(); else dual = l.trim(); sub = ''; return true; }
    if (section === 'primal' && sub === '' && l.startsWith('Objective ')) { objective = Number(l.slice(10)); return true; }
    if (!l.trim() || (sub !== 'cols' && sub !== 'rows')) return true;
    const sp = l.lastIndexOf(' ');
    const name = l.slice(0, sp), v = Number(l.slice(sp + 1));
    const k = line++;
    if (sub === 'cols') {
      if (cols !== ctx.fileCols) { bad = `a solution of ${cols} columns for a file of ${ctx.fileCols}`; return false; }
      if (k >= model.numCols) return true;
      if (section === 'primal') {
        if (name !== namer.colFile(k)) { bad = `column ${k + 1} named \`${name}\`, not \`${namer.colFile(k)}\``; return false; }
        colValue[k] = v;
      }
    } else {
      if (rows !== model.numRows) { bad = `a solution of ${rows} rows for a file of ${model.numRows}`; return false; }
      if (k >= model.numRows) { bad = 'more rows than the file has'; return false; }
      if (section === 'primal') {
        if (name !== namer.rowFile(k)) { bad = `row ${k + 1} named \`${name}\`, not \`${namer.rowFile(k)}\``; return false; }
        rowValue[k] = v;
      } else rowDual[k] = v;
    }
    return true;
  });
  if (bad) failed(ctx, `returned ${bad}`, ran.log);
  const status = HIGHS_STATUS[statusText] ?? 'error';
  const hasSolution = primal === 'Feasible' && (status === 'optimal' || status === 'time-limit' || status === 'iteration-limit');
  if (!hasSolution) return { solver: ctx.solver, status, hasSolution: false, isMip: ctx.isMip, ...(status === 'error' ? { message: `HiGHS model status: ${statusText || 'none'}` } : {}) };
  return {
    solver: ctx.solver, status, hasSolution, isMip: ctx.isMip, objective: ctx.sign * objective, colValue, rowValue,
    rowDual: !ctx.isMip && dual === 'Feasible' ? negate(rowDual, ctx.sign) : undefined,
  };
}
