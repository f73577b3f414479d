// The `evg` command line. Exit codes: 0 ok, 1 diagnostics (errors in the model or its data),
// 2 usage, 3 infeasible or unbounded, 4 the solver stopped without a solution (time limit, error).
import { Command, CommanderError, Option } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { compile, displayPath, type Compilation } from '../driver.js';
import { renderDiagnostic } from '../diagnostics/diagnostic.js';
import { CODES, type Code } from '../diagnostics/codes.js';
import { FileSink } from '../emit/sink.js';
import { writeLp } from '../emit/lp.js';
import { writeMps } from '../emit/mps.js';
import { solveHighs } from '../solve/highs.js';
import { solveGlpk } from '../solve/glpk.js';
import type { SolveOptions, SolverOutput } from '../solve/types.js';
import { interpret, type Results } from '../report/results.js';
import { summary, toJson, writeCsvDir, sizeLine, rangeLine, timesLine, explainTable, fmtNum } from '../report/output.js';
import type { LoweringOptions } from '../lower/lower.js';
import { findConflict, relaxation } from '../solve/conflict.js';
import { conflictJson, relaxationJson, renderConflict, renderRelaxation } from '../report/conflict.js';

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

/** Prints diagnostics; returns true if there were errors. */
function printDiagnostics(comp: Compilation, io: Io): boolean {
  const ds = comp.diags.sorted();
  for (const d of ds) io.err(`${renderDiagnostic(d, comp.sources, displayPath)}\n`);
  const n = comp.diags.errorCount;
  const w = ds.length - n;
  if (n) io.err(`${n} error${n === 1 ? '' : 's'}${w ? `, ${w} warning${w === 1 ? '' : 's'}` : ''}\n`);
  return n > 0;
}

function compileOrExit(file: string, io: Io, checkOnly = false, lowering: Partial<LoweringOptions> = {}): Compilation {
  const comp = compile(file, { checkOnly, lowering });
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
    // GLPK takes no quadratic objective.
    ...(o.linearize || solver === 'glpk' ? { quadraticObjective: 'pwl' as const } : {}),
    ...(segments !== undefined ? { pwlSegments: segments } : {}),
  };
}

export async function solveWith(solver: string, comp: Compilation, opts: SolveOptions): Promise<SolverOutput> {
  const model = comp.elaboration!.model;
  if (solver === 'glpk') return solveGlpk(model, opts);
  return solveHighs(model, opts);
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

async function solveBracket(file: string, comp: Compilation, r: Results, solver: string, lowering: Partial<LoweringOptions>, opts: SolveOptions, io: Io): Promise<Bracket> {
  const other: 'outer' | 'inner' = (lowering.coneMode ?? 'outer') === 'outer' ? 'inner' : 'outer';
  const comp2 = compileOrExit(file, io, false, { ...lowering, coneMode: other });
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

  withLoweringOptions(program
    .command('compile')
    .description('build a model and write it as CPLEX LP (.lp) or free MPS (.mps)')
    .argument('<file>', 'model file (.evg)')
    .option('-o, --output <out>', 'output file; the format follows the extension (.lp or .mps)')
    .option('--explain', 'list, per constraint family, the reformulations applied and what they added'))
    .action((file: string, o: { output?: string; explain?: boolean } & LoweringFlags) => {
      if (!o.output && !o.explain) throw new CommanderError(2, 'evg.usage', 'error[E0703]: evg compile needs -o OUT.lp|OUT.mps, or --explain');
      const ext = o.output ? extname(o.output).toLowerCase() : '';
      if (o.output && ext !== '.lp' && ext !== '.mps') throw new CommanderError(2, 'evg.usage', `error[E0703]: the output must end in .lp or .mps, not \`${o.output}\``);
      const comp = compileOrExit(file, io, false, loweringOptions(o));
      const model = comp.elaboration!.model;
      if (o.explain) io.out(explainTable(model, displayPath));
      if (!o.output) return;
      const t0 = performance.now();
      try {
        const sink = new FileSink(o.output);
        if (ext === '.lp') writeLp(model, sink, `evg model ${displayPath(comp.main)}`);
        else writeMps(model, sink, 'evg');
        sink.close();
      } catch (e) {
        io.err(`error[E0702]: cannot write \`${o.output}\`: ${(e as Error).message}\n`);
        throw new Exit(1);
      }
      const write = performance.now() - t0;
      io.out(`wrote ${o.output}: ${sizeLine(model)}\n${rangeLine(model)}\n${timesLine(comp, { write })}\n`);
    });

  withLoweringOptions(program
    .command('solve')
    .description('build a model, solve it in-process and report the results in the model\'s names and units')
    .argument('<file>', 'model file (.evg)'))
    .option('--bracket', 'solve with outer and inner cone approximations and report an interval holding the conic optimum')
    .option('--relax', 'if the model is infeasible, also find the smallest total violation that makes it feasible')
    .addOption(new Option('--solver <name>', 'solver').choices(['highs', 'glpk']).default('highs'))
    .option('--time-limit <seconds>', 'stop after this many seconds (the best solution found is reported)')
    .option('--gap <relative>', 'relative MIP gap at which to stop (e.g. 0.01)')
    .option('--json <file>', 'write the results as JSON')
    .option('--csv <dir>', 'write one CSV per variable and constraint family')
    .option('--verbose', 'stream the solver log to stderr')
    .option('--quiet', 'print only the status line and objective')
    .action(async (file: string, o: { solver: string; timeLimit?: string; gap?: string; json?: string; csv?: string; verbose?: boolean; quiet?: boolean; bracket?: boolean; relax?: boolean } & LoweringFlags) => {
      const timeLimit = positive('time-limit', o.timeLimit);
      const gap = positive('gap', o.gap, true);
      const lowering = loweringOptions(o, o.solver);
      const comp = compileOrExit(file, io, false, lowering);
      const t0 = performance.now();
      const out = await solveWith(o.solver, comp, { timeLimit, gap, verbose: o.verbose, log: io.err });
      const solve = performance.now() - t0;
      const r = interpret(comp, out);
      let bracket: Bracket | undefined;
      if (o.bracket) bracket = await solveBracket(file, comp, r, o.solver, lowering, { timeLimit, gap }, io);
      if (o.quiet) io.out(`${r.status}${r.objective ? ` ${r.objective.name} = ${r.objective.value}${r.objective.unit ? ` ${r.objective.unit}` : ''}` : ''}\n`);
      else io.out(`${summary(comp, r, { solve })}\n`);
      if (bracket) io.out(`${bracketLine(bracket)}\n`);
      // Why is it infeasible: an irreducible subset of constraints and bounds, and with --relax the
      // smallest violation that would make it feasible, in the model's own names.
      const extra: Record<string, unknown> = {};
      if (r.status === 'infeasible' || r.status === 'infeasible-or-unbounded') {
        const model = comp.elaboration!.model;
        const solver = o.solver as 'highs' | 'glpk';
        const c = await findConflict(model, { solver, timeLimit });
        io.out(`\n${renderConflict(c, displayPath)}`);
        extra['conflict'] = conflictJson(c, displayPath);
        if (o.relax) {
          const rel = await relaxation(model, { solver, timeLimit, gap });
          io.out(`\n${renderRelaxation(rel, displayPath)}`);
          extra['relaxation'] = relaxationJson(rel, displayPath);
        }
      }
      try {
        if (o.json) writeFileSync(o.json, JSON.stringify({ ...(toJson(comp, r, { solve }) as object), ...(bracket ? { bracket } : {}), ...extra }, null, 2) + '\n');
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

  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof Exit) return e.code;
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      if (e.code === 'evg.usage') io.err(`${e.message}\n`);
      return 2;
    }
    const err = e as Error;
    io.err(`error[E0901]: internal compiler error: ${err?.message ?? String(e)}\n  = note: this is a bug in evg, not in your model${process.env['EVG_DEBUG'] ? `\n${err?.stack}` : '; set EVG_DEBUG=1 to see where it happened'}\n`);
    return 1;
  }
}
