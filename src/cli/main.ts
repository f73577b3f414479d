// The `evg` command line. Exit codes: 0 ok, 1 diagnostics (errors in the model or its data),
// 2 usage, 3 infeasible or unbounded, 4 the solver stopped without a solution (time limit, error).
import { Command, CommanderError, Option } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { compile, displayPath, type Compilation } from '../driver.js';
import { renderDiagnostic, SourceTexts } from '../diagnostics/diagnostic.js';
import { CODES, type Code } from '../diagnostics/codes.js';
import { FileSink } from '../emit/sink.js';
import { writeLp } from '../emit/lp.js';
import { writeMps } from '../emit/mps.js';
import { solveHighs } from '../solve/highs.js';
import { solveGlpk } from '../solve/glpk.js';
import type { SolveOptions, SolverOutput } from '../solve/types.js';
import { interpret, type ModelView, type Results } from '../report/results.js';
import { summary, toJson, writeCsvDir, sizeLine, rangeLine, timesLine, explainTable, fmtNum } from '../report/output.js';
import type { LoweringOptions } from '../lower/lower.js';
import { findConflict, relaxation } from '../solve/conflict.js';
import { conflictJson, relaxationJson, renderConflict, renderRelaxation } from '../report/conflict.js';
import { EXTERNAL_SOLVERS, ExternalSolverError, PROGRAMS, isExternal, requireProgram, solveExternal } from '../solve/external.js';
import { BundleError, UnstorableValue } from '../bundle/format.js';
import { writeBundle } from '../bundle/write.js';
import { readBundle } from '../bundle/read.js';
import { PlainFileError, readPlainFile } from '../bundle/plain.js';
import { addEditorCommands } from './editor-commands.js';
import { addPowerflowCommand } from './powerflow-command.js';
import { addCompareCommand, methodOptions, valueOfInformation, voiLines, withMethodOptions, type MethodFlags } from './uncertainty-command.js';
import { CompareError } from '../uncertainty/compare.js';
import type { MethodOptions } from '../uncertainty/method.js';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const defaultIo: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Every solver `--solver` takes: in-process (WebAssembly), then the outside programs. */
const SOLVERS = ['highs', 'glpk', ...EXTERNAL_SOLVERS];

/** Solvers that take no quadratic objective: evg solve linearises it for them. */
function linearOnly(solver: string | undefined): boolean {
  return solver === 'glpk' || (!!solver && isExternal(solver) && !PROGRAMS[solver].quadratic);
}

/** A problem found outside the model's text (a bundle, a plain file, an outside solver): printed like a diagnostic. */
function fileError(io: Io, code: Code, message: string, hint?: string, exit = 1): never {
  io.err(`${renderDiagnostic({ code, severity: 'error', message, ...(hint ? { hint } : {}) }, new SourceTexts())}\n`);
  throw new Exit(exit);
}

/** Runs `f`, turning the errors of bundles, plain files and outside solvers into diagnostics. */
async function reported<T>(io: Io, f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof BundleError || e instanceof PlainFileError) fileError(io, e.code, e.message, e.hint);
    // A missing program is a problem with the command line; a failed one, with the solve.
    if (e instanceof ExternalSolverError) fileError(io, e.code, e.message, e.hint, e.code === 'E0704' ? 2 : 4);
    throw e;
  }
}

/** Prints diagnostics; returns true if there were errors. */
function printDiagnostics(comp: Compilation, io: Io): boolean {
  const ds = comp.diags.sorted();
  for (const d of ds) io.err(`${renderDiagnostic(d, comp.sources, displayPath)}\n`);
  const n = comp.diags.errorCount;
  const w = ds.length - n;
  if (n) io.err(`${n} error${n === 1 ? '' : 's'}${w ? `, ${w} warning${w === 1 ? '' : 's'}` : ''}\n`);
  return n > 0;
}

function compileOrExit(file: string, io: Io, checkOnly = false, lowering: Partial<LoweringOptions> = {}, uncertainty?: MethodOptions): Compilation {
  const comp = compile(file, { checkOnly, lowering, ...(uncertainty ? { uncertainty } : {}) });
  if (printDiagnostics(comp, io)) throw new Exit(1);
  return comp;
}

function positive(name: string, v: string | undefined, allowZero = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
    throw new CommanderError(2, 'evg.usage', `error[E0703]: --${name} needs a ${allowZero ? 'non-negative' : 'positive'} number, not \`${v}\``);
  }
  return n;
}

interface LoweringFlags {
  coneAccuracy?: string;
  coneMode?: string;
  linearize?: boolean;
  pwlSegments?: string;
}

/** Options shared by compile and solve: how nonlinear terms are lowered. */
function withLoweringOptions(cmd: Command): Command {
  return cmd
    .option('--cone-accuracy <eps>', 'relative accuracy of the polyhedral second-order cones (default 1e-4)')
    .addOption(new Option('--cone-mode <mode>', 'outer: relax each cone; inner: stay inside it').choices(['outer', 'inner']).default('outer'))
    .option('--linearize', 'approximate quadratic objective terms by tangent cuts instead of a QP')
    .option('--pwl-segments <n>', 'tangent cuts per square when the objective is linearised (default 20)');
}

function loweringOptions(o: LoweringFlags, solver?: string): Partial<LoweringOptions> {
  const eps = positive('cone-accuracy', o.coneAccuracy);
  if (eps !== undefined && eps >= 1) throw new CommanderError(2, 'evg.usage', `error[E0703]: --cone-accuracy is a relative accuracy below 1, like 1e-4, not \`${o.coneAccuracy}\``);
  const segments = positive('pwl-segments', o.pwlSegments);
  if (segments !== undefined && !Number.isInteger(segments)) throw new CommanderError(2, 'evg.usage', `error[E0703]: --pwl-segments needs a whole number, not \`${o.pwlSegments}\``);
  return {
    ...(eps !== undefined ? { coneAccuracy: eps } : {}),
    ...(o.coneMode ? { coneMode: o.coneMode as 'outer' | 'inner' } : {}),
    // GLPK, CBC and glpsol take no quadratic objective.
    ...(o.linearize || linearOnly(solver) ? { quadraticObjective: 'pwl' as const } : {}),
    ...(segments !== undefined ? { pwlSegments: segments } : {}),
  };
}

export async function solveWith(solver: string, comp: ModelView, opts: SolveOptions): Promise<SolverOutput> {
  const model = comp.elaboration!.model;
  if (solver === 'glpk') return solveGlpk(model, opts);
  if (isExternal(solver)) return solveExternal(solver, model, opts);
  return solveHighs(model, opts);
}

interface ReportFlags {
  solver: string;
  timeLimit?: string;
  gap?: string;
  json?: string;
  csv?: string;
  verbose?: boolean;
  quiet?: boolean;
  relax?: boolean;
}

/**
 * What `evg solve` and `evg run` print and write after a solve, the same for a compilation and
 * for a model read back from a bundle: the summary (or the status line), the conflict of an
 * infeasible model, JSON and CSV, and the exit code.
 */
async function report(comp: ModelView, r: Results, o: ReportFlags, io: Io, extraTimes: Record<string, number>, limits: { timeLimit?: number; gap?: number }, bracket?: Bracket): Promise<void> {
  if (o.quiet) io.out(`${r.status}${r.objective ? ` ${r.objective.name} = ${r.objective.value}${r.objective.unit ? ` ${r.objective.unit}` : ''}` : ''}\n`);
  else io.out(`${summary(comp, r, extraTimes)}\n`);
  if (bracket) io.out(`${bracketLine(bracket)}\n`);
  // Why is it infeasible: an irreducible subset of constraints and bounds, and with --relax the
  // smallest violation that would make it feasible, in the model's own names. (For the outside
  // solvers, the in-process HiGHS looks for them.)
  const extra: Record<string, unknown> = {};
  if (r.status === 'infeasible' || r.status === 'infeasible-or-unbounded') {
    const model = comp.elaboration!.model;
    const solver = o.solver === 'glpk' ? 'glpk' : 'highs';
    const c = await findConflict(model, { solver, timeLimit: limits.timeLimit });
    io.out(`\n${renderConflict(c, displayPath)}`);
    extra['conflict'] = conflictJson(c, displayPath);
    if (o.relax) {
      const rel = await relaxation(model, { solver, timeLimit: limits.timeLimit, gap: limits.gap });
      io.out(`\n${renderRelaxation(rel, displayPath)}`);
      extra['relaxation'] = relaxationJson(rel, displayPath);
    }
  }
  try {
    if (o.json) writeFileSync(o.json, JSON.stringify({ ...(toJson(comp, r, extraTimes) as object), ...(bracket ? { bracket } : {}), ...extra }, null, 2) + '\n');
    if (o.csv && r.hasSolution) writeCsvDir(o.csv, comp, r);
  } catch (e) {
    io.err(`error[E0702]: cannot write results: ${(e as Error).message}\n`);
    throw new Exit(1);
  }
  if (r.status === 'infeasible' || r.status === 'unbounded' || r.status === 'infeasible-or-unbounded') {
    io.err(`the model is ${r.status.replace(/-/g, ' ')}\n`);
    throw new Exit(3);
  }
  if (r.status === 'error') {
    io.err(`error[E0701]: the solver (${r.solver}) stopped with an error${r.message ? `: ${r.message}` : ''}\n  = hint: run again with --verbose to see its log${o.solver === 'highs' ? ', or try --solver glpk' : ''}\n`);
  }
  if (!r.hasSolution) throw new Exit(4);
}

/** Options of solve and run that choose the solver and its limits and where results go. */
function withSolveOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--solver <name>', 'solver: in-process highs or glpk, or the programs cbc, glpsol, highs (highs-cli) on PATH').choices(SOLVERS).default('highs'))
    .option('--time-limit <seconds>', 'stop after this many seconds (the best solution found is reported)')
    .option('--gap <relative>', 'relative MIP gap at which to stop (e.g. 0.01)')
    .option('--json <file>', 'write the results as JSON')
    .option('--csv <dir>', 'write one CSV per variable and constraint family')
    .option('--relax', 'if the model is infeasible, also find the smallest total violation that makes it feasible')
    .option('--verbose', 'stream the solver log to stderr')
    .option('--quiet', 'print only the status line and objective');
}

/** The conic optimum lies between the optima of the outer (relaxed) and inner (conservative) models. */
export interface Bracket {
  readonly outer: number | null;
  readonly inner: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly unit: string;
  readonly cones: boolean;
}

async function solveBracket(file: string, comp: Compilation, r: Results, solver: string, lowering: Partial<LoweringOptions>, opts: SolveOptions, io: Io, method?: MethodOptions): Promise<Bracket> {
  const other: 'outer' | 'inner' = (lowering.coneMode ?? 'outer') === 'outer' ? 'inner' : 'outer';
  const comp2 = compileOrExit(file, io, false, { ...lowering, coneMode: other }, method);
  const r2 = interpret(comp2, await solveWith(solver, comp2, opts));
  const a = r.objective?.value ?? null, b = r2.objective?.value ?? null;
  const [outer, inner] = other === 'inner' ? [a, b] : [b, a];
  const sense = comp.elaboration!.model.objective.sense;
  // Minimising, the relaxation is lower: [outer, inner]; maximising, [inner, outer].
  const [low, high] = sense === 'minimize' ? [outer, inner] : [inner, outer];
  const cones = comp.elaboration!.model.lowering.some((l) => /cone/.test(l.form));
  return { outer, inner, low, high, unit: r.objective?.unit ?? '', cones };
}

function bracketLine(b: Bracket): string {
  if (!b.cones) return 'bracket     the model has no cones: nothing to bracket';
  const v = (x: number | null) => (x === null ? 'no solution' : fmtNum(x, 9));
  return `bracket     the conic optimum lies in [${v(b.low)}, ${v(b.high)}]${b.unit ? ` ${b.unit}` : ''} (outer relaxation ${v(b.outer)}, inner approximation ${v(b.inner)})`;
}

export async function run(argv: string[], io: Io = defaultIo): Promise<number> {
  const program = new Command();
  program
    .name('evg')
    .description('Compiler for .evg energy-system models: check, write LP/MPS, or solve with HiGHS or GLPK.')
    .version(version(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run evg --help for usage)');

  program
    .command('check')
    .description('parse and check a model, load its data and build it; report every problem found')
    .argument('<file>', 'model file (.evg)')
    .action((file: string) => {
      const comp = compileOrExit(file, io);
      const m = comp.elaboration!.model;
      io.out(`${displayPath(comp.main)}: ok — ${sizeLine(m)}\n`);
    });

  withMethodOptions(withLoweringOptions(program
    .command('compile')
    .description('build a model and write it as CPLEX LP (.lp), free MPS (.mps) or a compiled bundle for evg run (.evgc)')
    .argument('<file>', 'model file (.evg)')
    .option('-o, --output <out>', 'output file; the format follows the extension (.lp, .mps or .evgc)')
    .option('--explain', 'list, per constraint family, the reformulations applied and what they added')))
    .action((file: string, o: { output?: string; explain?: boolean } & LoweringFlags & MethodFlags) => {
      if (!o.output && !o.explain) throw new CommanderError(2, 'evg.usage', 'error[E0703]: evg compile needs -o OUT.lp|OUT.mps|OUT.evgc, or --explain');
      const ext = o.output ? extname(o.output).toLowerCase() : '';
      if (o.output && ext !== '.lp' && ext !== '.mps' && ext !== '.evgc') throw new CommanderError(2, 'evg.usage', `error[E0703]: the output must end in .lp, .mps or .evgc, not \`${o.output}\``);
      const lowering = loweringOptions(o);
      const comp = compileOrExit(file, io, false, lowering, methodOptions(o));
      const model = comp.elaboration!.model;
      if (o.explain) io.out(explainTable(model, displayPath));
      if (!o.output) return;
      const t0 = performance.now();
      try {
        if (ext === '.evgc') {
          writeBundle(o.output, comp, { evg: version(), lowering });
        } else {
          const sink = new FileSink(o.output);
          if (ext === '.lp') writeLp(model, sink, `evg model ${displayPath(comp.main)}`);
          else writeMps(model, sink, 'evg');
          sink.close();
        }
      } catch (e) {
        // A value the bundle cannot hold is a bug in evg (E0901), not a problem with the output file.
        if (e instanceof UnstorableValue) throw e;
        io.err(`error[E0702]: cannot write \`${o.output}\`: ${(e as Error).message}\n`);
        throw new Exit(1);
      }
      const write = performance.now() - t0;
      io.out(`wrote ${o.output}: ${sizeLine(model)}\n${rangeLine(model)}\n${timesLine(comp, { write })}\n`);
    });

  withMethodOptions(withSolveOptions(withLoweringOptions(program
    .command('solve')
    .description('build a model, solve it and report the results in the model\'s names and units')
    .argument('<file>', 'model file (.evg)'))
    .option('--bracket', 'solve with outer and inner cone approximations and report an interval holding the conic optimum')
    .option('--evpi', 'with scenarios: also solve the wait-and-see and expected-value problems; print EVPI and VSS')))
    .action(async (file: string, o: ReportFlags & { bracket?: boolean; evpi?: boolean } & LoweringFlags & MethodFlags) => {
      const timeLimit = positive('time-limit', o.timeLimit);
      const gap = positive('gap', o.gap, true);
      const lowering = loweringOptions(o, o.solver);
      // An outside solver that is not installed is found before the model is built.
      if (isExternal(o.solver)) { const program = o.solver; await reported(io, () => requireProgram(program)); }
      const method = methodOptions(o);
      const comp = compileOrExit(file, io, false, lowering, method);
      const t0 = performance.now();
      const out = await reported(io, () => solveWith(o.solver, comp, { timeLimit, gap, verbose: o.verbose, log: io.err }));
      const solve = performance.now() - t0;
      const r = interpret(comp, out);
      let bracket: Bracket | undefined;
      if (o.bracket) bracket = await reported(io, () => solveBracket(file, comp, r, o.solver, lowering, { timeLimit, gap }, io, method));
      await report(comp, r, o, io, { solve }, { timeLimit, gap }, bracket);
      if (o.evpi) {
        if (!comp.elaboration!.plan.data) throw new CommanderError(2, 'evg.usage', 'error[E0703]: --evpi needs a model with scenarios');
        try {
          const solver = o.solver === 'glpk' ? 'glpk' : 'highs';
          const v = await valueOfInformation(file, { compile: { lowering }, solver, solve: { timeLimit, gap } });
          io.out(`\n${voiLines(v, r.objective?.unit ?? '').join('\n')}\n`);
        } catch (e) {
          if (!(e instanceof CompareError)) throw e;
          io.err(`error[E0701]: ${e.message}\n`);
          throw new Exit(4);
        }
      }
    });

  withSolveOptions(program
    .command('run')
    .description('solve a compiled bundle (.evgc) exactly as evg solve solves its model, or a plain LP (.lp) or MPS (.mps) file under its own names')
    .argument('<file>', 'compiled bundle (.evgc), LP file (.lp) or MPS file (.mps)'))
    .option('--ignore-sources', 'solve a bundle even if its source files changed since it was compiled')
    .action(async (file: string, o: ReportFlags & { ignoreSources?: boolean }) => {
      const timeLimit = positive('time-limit', o.timeLimit);
      const gap = positive('gap', o.gap, true);
      const ext = extname(file).toLowerCase();
      if (ext !== '.evgc' && ext !== '.lp' && ext !== '.mps') {
        throw new CommanderError(2, 'evg.usage', `error[E0703]: evg run takes a compiled bundle (.evgc), an LP file (.lp) or an MPS file (.mps), not \`${file}\`${ext === '.evg' ? '\n  = hint: to build and solve a model, run evg solve FILE.evg; to compile it for evg run, evg compile FILE.evg -o FILE.evgc' : ''}`);
      }
      if (isExternal(o.solver)) { const program = o.solver; await reported(io, () => requireProgram(program)); }
      const view: ModelView = await reported(io, () => ext === '.evgc'
        ? readBundle(file, { checkSources: !o.ignoreSources, displayPath })
        : readPlainFile(file, ext === '.lp' ? 'lp' : 'mps', displayPath));
      const model = view.elaboration!.model;
      if (model.hessian && linearOnly(o.solver)) {
        throw new CommanderError(2, 'evg.usage', `error[E0703]: \`${displayPath(file)}\` has a quadratic objective, which ${o.solver} does not take\n  = hint: ${ext === '.evgc'
          ? `compile the model with its objective linearised: evg compile MODEL.evg --linearize -o ${displayPath(file)}; or use --solver highs${o.solver === 'glpk' ? '' : ' or highs-cli'}`
          : 'use --solver highs or highs-cli'}`);
      }
      const t0 = performance.now();
      const out = await reported(io, () => solveWith(o.solver, view, { timeLimit, gap, verbose: o.verbose, log: io.err }));
      const solve = performance.now() - t0;
      const r = interpret(view, out);
      await report(view, r, o, io, { solve }, { timeLimit, gap });
    });

  program
    .command('explain')
    .description('explain a diagnostic code, e.g. evg explain E0302')
    .argument('<code>', 'diagnostic code')
    .action((code: string) => {
      const c = code.toUpperCase() as Code;
      const info = CODES[c];
      if (!info) throw new CommanderError(2, 'evg.usage', `error[E0703]: unknown diagnostic code \`${code}\``);
      io.out(`${c}: ${info.summary}\n\n${info.explanation}\n`);
    });

  addCompareCommand(program, io);
  addPowerflowCommand(program, io);
  addEditorCommands(program, io);

  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof Exit) return e.code;
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      // Commands that print their own message and then exit (fmt --check, powerflow, compare).
      if (e.code === 'evg.exit') return e.exitCode;
      if (e.code === 'evg.usage') io.err(`${e.message}\n`);
      return 2;
    }
    const err = e as Error;
    io.err(`error[E0901]: internal compiler error: ${err?.message ?? String(e)}\n  = note: this is a bug in evg, not in your model${process.env['EVG_DEBUG'] ? `\n${err?.stack}` : '; set EVG_DEBUG=1 to see where it happened'}\n`);
    return 1;
  }
}
