// `evg powerflow FILE`: the AC power flow of a network file (MATPOWER .m or OpenDSS .dss) at its
// nominal load, by backward/forward sweep (src/network/powerflow.ts).
//
// Prints the network, convergence, totals (load, source, losses), the minimum voltage, the lowest
// phase voltages (a table of at most 30 rows; --csv DIR writes them all) and the branches carrying
// the largest currents. --json FILE writes everything.
//
// `evg powerflow MODEL.evg`: compiles and solves the model as `evg solve` does, then evaluates the
// dispatch of every LinDistFlow, DistFlow, LinDist3Flow and SensitivityFlow instance with the AC
// power flow, period by period (src/network/check-dispatch.ts): the AC voltages, flows, losses and
// substation supply, and their difference from what the formulation predicted. Prints one line
// per period and, for the period with the largest voltage difference, the buses where it is
// largest; --json FILE and --csv DIR write everything.
//
// Exit codes, as for the other commands: 0 converged, 1 the file cannot be read or has errors (or
// the network is not radial; for a model: errors in the model, or no formulation to check), 2
// usage, 3 the model is infeasible or unbounded, 4 the solver stopped without a solution, or the
// sweep stopped without a solution (no convergence: the feeder is loaded beyond its collapse
// point; for a model, in any period). They are carried by a `PowerflowExit` (a CommanderError
// with code 'evg.exit' and the exit code) thrown out of the action, after the message has been
// printed.
import { Command, CommanderError } from 'commander';
import { mkdirSync, writeFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import type { Io } from './main.js';
import type { NetworkData } from '../network/model.js';
import { readMatpower } from '../network/matpower.js';
import { powerFlow, type PowerFlowResult } from '../network/powerflow.js';
import { compile, displayPath, type Compilation } from '../driver.js';
import { renderDiagnostic } from '../diagnostics/diagnostic.js';
import { solveHighs } from '../solve/highs.js';
import { solveGlpk } from '../solve/glpk.js';
import { interpret } from '../report/results.js';
import { summary } from '../report/output.js';
import { findConflict } from '../solve/conflict.js';
import { renderConflict } from '../report/conflict.js';
import { normElem, elemText, type Elem } from '../lower/values.js';
import { checkDispatch, findFormulations, type InstanceCheck, type PeriodCheck } from '../network/check-dispatch.js';

/** Thrown after the error was printed: main returns `exitCode`. */
export class PowerflowExit extends CommanderError {
  constructor(exitCode: number) {
    super(exitCode, 'evg.exit', `exit ${exitCode}`);
  }
}

interface Diag {
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly severity: string;
}

const MAX_ROWS = 30;

function shown(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && rel.length < p.length ? rel : p;
}

function num(v: number, digits = 6): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0 || Math.abs(v) < 1e-12) return '0';
  const a = Math.abs(v);
  if (a >= 1e-4 && a < 1e9) return String(Number(v.toPrecision(digits)));
  return v.toExponential(digits - 1);
}

function fixed(v: number, d: number): string {
  return Number.isFinite(v) ? v.toFixed(d) : String(v);
}

function table(head: string[], rows: string[][], right: boolean[]): string {
  const w = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k]!.length)));
  const line = (r: string[]) => `  ${r.map((c, k) => (right[k] ? c.padStart(w[k]!) : c.padEnd(w[k]!))).join('  ').trimEnd()}`;
  return [line(head), ...rows.map(line)].join('\n');
}

async function readNetwork(file: string, io: Io): Promise<{ network?: NetworkData; diagnostics: Diag[]; notes: string[] }> {
  const ext = extname(file).toLowerCase();
  if (ext === '.m') {
    const r = readMatpower(file);
    return { network: r.network, diagnostics: r.diagnostics, notes: r.conversions.map((c) => `${shown(file)}:${c.line}: applied the case's own conversion \`${c.text}\``) };
  }
  // .dss: the OpenDSS importer, when this build has it (src/network/opendss.ts).
  let mod: { readOpenDss?: unknown } | undefined;
  try {
    const spec = '../network/opendss.js';
    mod = (await import(spec)) as { readOpenDss?: unknown };
  } catch {
    mod = undefined;
  }
  if (!mod || typeof mod.readOpenDss !== 'function') {
    io.err(`error: reading OpenDSS files needs the OpenDSS importer (src/network/opendss.ts), which this build of evg does not have yet; MATPOWER cases (.m) work\n`);
    throw new PowerflowExit(1);
  }
  const r = (mod.readOpenDss as (p: string) => { network?: NetworkData; diagnostics?: readonly Diag[] })(file);
  return { ...(r.network ? { network: r.network } : {}), diagnostics: [...(r.diagnostics ?? [])], notes: [] };
}

function positiveNumber(name: string, v: string | undefined, integer = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new CommanderError(2, 'evg.usage', `error[E0703]: --${name} needs a positive ${integer ? 'whole ' : ''}number, not \`${v}\``);
  }
  return n;
}

interface PowerflowFlags {
  json?: string;
  csv?: string;
  tolerance?: string;
  maxIterations?: string;
  period?: string;
  solver?: string;
  timeLimit?: string;
  gap?: string;
  coneAccuracy?: string;
}

export function addPowerflowCommand(program: Command, io: Io): void {
  program
    .command('powerflow')
    .description('AC power flow of a radial network file (MATPOWER .m or OpenDSS .dss) at nominal load, or of the dispatch a model (.evg) finds with LinDistFlow, DistFlow, LinDist3Flow or SensitivityFlow, compared with what the formulation predicted; by backward/forward sweep')
    .argument('<file>', 'network file (.m or .dss), or model file (.evg)')
    .option('--json <file>', 'write the voltages, flows and totals as JSON (for a model: every period of every formulation, AC and model side by side)')
    .option('--csv <dir>', 'write voltages.csv and branches.csv (every bus and branch) into DIR; for a model also periods.csv, one row per formulation and period')
    .option('--tolerance <pu>', 'largest voltage change between iterations at which to stop, p.u. (default 1e-9)')
    .option('--max-iterations <n>', 'iteration limit (default 100)')
    .option('--period <t>', 'a model: check only this period (an element of the formulations\' period set T)')
    .option('--solver <name>', 'a model: the solver, highs or glpk (in-process; default highs)')
    .option('--time-limit <seconds>', 'a model: stop the solver after this many seconds (the best solution found is checked)')
    .option('--gap <relative>', 'a model: relative MIP gap at which to stop')
    .option('--cone-accuracy <eps>', 'a model: relative accuracy of the polyhedral second-order cones (DistFlow; default 1e-4)')
    .action(async (file: string, o: PowerflowFlags) => {
      const tolerance = positiveNumber('tolerance', o.tolerance);
      const maxIterations = positiveNumber('max-iterations', o.maxIterations, true);
      const ext = extname(file).toLowerCase();
      if (ext === '.evg') {
        await modelPowerflow(file, o, { ...(tolerance !== undefined ? { tolerance } : {}), ...(maxIterations !== undefined ? { maxIterations } : {}) }, io);
        return;
      }
      if (ext !== '.m' && ext !== '.dss') throw new CommanderError(2, 'evg.usage', `error[E0703]: evg powerflow takes a network file, a MATPOWER case (.m) or an OpenDSS script (.dss), or a model (.evg), not \`${file}\``);
      const modelOnly = (['period', 'solver', 'timeLimit', 'gap', 'coneAccuracy'] as const).find((k) => o[k] !== undefined);
      if (modelOnly) throw new CommanderError(2, 'evg.usage', `error[E0703]: --${modelOnly.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} is for a model (.evg); a network file is solved at its nominal load`);
      try {
        if (statSync(file).isDirectory()) {
          io.err(`error[E0509]: cannot read network file \`${shown(file)}\`: it is a directory\n`);
          throw new PowerflowExit(1);
        }
      } catch (e) {
        if (e instanceof PowerflowExit) throw e;
        const code = (e as NodeJS.ErrnoException).code;
        io.err(`error[E0509]: cannot read network file \`${shown(file)}\`: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}\n`);
        throw new PowerflowExit(1);
      }
      const { network, diagnostics, notes } = await readNetwork(file, io);
      const errors = diagnostics.filter((d) => d.severity === 'error');
      for (const d of diagnostics) io.err(`${shown(d.file)}:${d.line}:${d.col}: ${d.severity === 'error' ? 'error' : 'warning'}: ${d.message}\n`);
      if (errors.length || !network) {
        io.err(`${errors.length} error${errors.length === 1 ? '' : 's'} in \`${shown(file)}\`\n`);
        throw new PowerflowExit(1);
      }
      for (const u of network.unsupported) io.err(`warning: ${u.count} ${u.element} element${u.count === 1 ? '' : 's'} (for example ${u.example}) not modelled by the power flow\n`);

      const res = powerFlow(network, { ...(tolerance !== undefined ? { tolerance } : {}), ...(maxIterations !== undefined ? { maxIterations } : {}) });
      for (const m of res.messages) io.err(`${m.file ? `${shown(m.file)}:${m.line}: ` : ''}${m.severity}: ${m.message}\n`);
      io.out(`${report(file, network, res, notes)}\n`);
      try {
        if (o.json) writeFileSync(o.json, `${JSON.stringify(toJson(file, network, res), null, 2)}\n`);
        if (o.csv && res.buses.length) writeCsv(o.csv, res);
      } catch (e) {
        io.err(`error[E0702]: cannot write results: ${(e as Error).message}\n`);
        throw new PowerflowExit(1);
      }
      if (res.status === 'invalid') throw new PowerflowExit(1);
      if (!res.converged) throw new PowerflowExit(4);
    });
}

// ---------------------------------------------------------------------------------------------
// A model: solve, then the AC power flow of its dispatch

function printDiagnostics(comp: Compilation, io: Io): boolean {
  const ds = comp.diags.sorted();
  for (const d of ds) io.err(`${renderDiagnostic(d, comp.sources, displayPath)}\n`);
  const n = comp.diags.errorCount;
  const w = ds.length - n;
  if (n) io.err(`${n} error${n === 1 ? '' : 's'}${w ? `, ${w} warning${w === 1 ? '' : 's'}` : ''}\n`);
  return n > 0;
}

async function modelPowerflow(file: string, o: PowerflowFlags, pf: { tolerance?: number; maxIterations?: number }, io: Io): Promise<void> {
  const solver = o.solver ?? 'highs';
  if (solver !== 'highs' && solver !== 'glpk') throw new CommanderError(2, 'evg.usage', `error[E0703]: --solver is highs or glpk for evg powerflow, not \`${solver}\``);
  const timeLimit = positiveNumber('time-limit', o.timeLimit);
  let gap: number | undefined;
  if (o.gap !== undefined) {
    gap = Number(o.gap);
    if (!Number.isFinite(gap) || gap < 0) throw new CommanderError(2, 'evg.usage', `error[E0703]: --gap needs a non-negative number, not \`${o.gap}\``);
  }
  const eps = positiveNumber('cone-accuracy', o.coneAccuracy);
  if (eps !== undefined && eps >= 1) throw new CommanderError(2, 'evg.usage', `error[E0703]: --cone-accuracy is a relative accuracy below 1, like 1e-4, not \`${o.coneAccuracy}\``);
  const lowering = { ...(eps !== undefined ? { coneAccuracy: eps } : {}), ...(solver === 'glpk' ? { quadraticObjective: 'pwl' as const } : {}) };

  const comp = compile(file, { lowering });
  if (printDiagnostics(comp, io)) throw new PowerflowExit(1);
  const formulations = findFormulations(comp);
  if (!formulations.length) {
    io.err(`error: \`${shown(comp.main)}\` has no instance of LinDistFlow, DistFlow, LinDist3Flow or SensitivityFlow (stdlib/network.evg): there is no dispatch on a network to check\n  = hint: for the AC power flow of a network file at its nominal load, run evg powerflow FILE.m or FILE.dss\n`);
    throw new PowerflowExit(1);
  }
  for (const f of formulations) if (f.problem) io.err(`warning: ${f.name} (${f.kind}) is not checked: ${f.problem}\n`);
  const usable = formulations.filter((f) => !f.problem);
  if (!usable.length) {
    io.err('error: no formulation instance can be checked (see the warnings above)\n');
    throw new PowerflowExit(1);
  }
  let period: Elem | undefined;
  if (o.period !== undefined) {
    period = normElem(o.period.trim());
    if (!usable.some((f) => f.periods.includes(period!))) {
      const ps = usable[0]!.periods;
      throw new CommanderError(2, 'evg.usage', `error[E0703]: --period ${o.period} is not a period of ${usable.length === 1 ? usable[0]!.name : 'any formulation'}; ${usable[0]!.name}'s periods are ${ps.slice(0, 6).map(elemText).join(', ')}${ps.length > 6 ? `, ... (${ps.length})` : ''}`);
    }
  }

  const model = comp.elaboration!.model;
  const t0 = performance.now();
  const out = solver === 'glpk' ? await solveGlpk(model, { timeLimit, gap }) : await solveHighs(model, { timeLimit, gap });
  const solve = performance.now() - t0;
  const r = interpret(comp, out);
  // The solve's summary as evg solve prints it, without the variable tables.
  const sum = summary(comp, r, { solve }).split('\n');
  const blank = sum.indexOf('');
  io.out(`${(blank >= 0 ? sum.slice(0, blank) : sum).join('\n')}\n`);
  const writeStatus = () => {
    if (!o.json) return;
    try {
      writeFileSync(o.json, `${JSON.stringify({ model: shown(comp.main), solve: { status: r.status, solver: r.solver, ...(r.objective ? { objective: r.objective } : {}) }, formulations: [] }, null, 2)}\n`);
    } catch (e) {
      io.err(`error[E0702]: cannot write results: ${(e as Error).message}\n`);
      throw new PowerflowExit(1);
    }
  };
  if (r.status === 'infeasible' || r.status === 'infeasible-or-unbounded') {
    const c = await findConflict(model, { solver, ...(timeLimit !== undefined ? { timeLimit } : {}) });
    io.out(`\n${renderConflict(c, displayPath)}`);
  }
  if (r.status === 'infeasible' || r.status === 'unbounded' || r.status === 'infeasible-or-unbounded') {
    writeStatus();
    io.err(`the model is ${r.status.replace(/-/g, ' ')}: there is no dispatch to check\n`);
    throw new PowerflowExit(3);
  }
  if (!r.hasSolution || !r.x) {
    writeStatus();
    if (r.status === 'error') io.err(`error[E0701]: the solver (${r.solver}) stopped with an error${r.message ? `: ${r.message}` : ''}\n`);
    else io.err(`the solver stopped without a solution (${r.status}): there is no dispatch to check\n`);
    throw new PowerflowExit(4);
  }

  const worlds = comp.elaboration!.plan.worlds;
  if (worlds.length > 1) io.err(`warning: the model is built in ${worlds.length} worlds (scenarios or robust perturbations); the dispatch checked is that of the first${worlds[0]!.label ? `, \`${worlds[0]!.label}\`` : ''}\n`);
  const t1 = performance.now();
  const checks = checkDispatch(usable, r.x, { ...pf, ...(period !== undefined ? { period } : {}) });
  const acMs = performance.now() - t1;
  io.out(`\n${modelReport(checks, acMs)}\n`);
  // The power flow's messages: each warning once, the errors of at most 5 periods.
  const seen = new Set<string>();
  let errors = 0, more = 0;
  for (const c of checks) {
    for (const p of c.periods) {
      for (const m of p.ac.messages) {
        const text = `${m.file ? `${shown(m.file)}:${m.line}: ` : ''}${m.severity}: ${c.instance.name}: ${m.message}`;
        if (m.severity === 'warning') {
          if (!seen.has(text)) io.err(`${text}\n`);
          seen.add(text);
        } else if (errors++ < 5) io.err(`${text} (period ${elemText(p.period)})\n`);
        else more++;
      }
    }
  }
  if (more) io.err(`... and ${more} more error${more === 1 ? '' : 's'} of the power flow (--json FILE has them all)\n`);
  try {
    if (o.json) writeFileSync(o.json, `${JSON.stringify(modelJson(comp, r, checks), null, 2)}\n`);
    if (o.csv) writeModelCsv(o.csv, checks);
  } catch (e) {
    io.err(`error[E0702]: cannot write results: ${(e as Error).message}\n`);
    throw new PowerflowExit(1);
  }
  const failed = checks.flatMap((c) => c.periods.filter((p) => !p.ac.converged).map((p) => ({ c, p })));
  if (failed.some(({ p }) => p.ac.status === 'invalid')) throw new PowerflowExit(1);
  if (failed.length) {
    io.err(`the AC power flow did not converge in ${failed.length} period${failed.length === 1 ? '' : 's'} (${failed.slice(0, 5).map(({ c, p }) => `${c.instance.name} period ${elemText(p.period)}`).join(', ')}${failed.length > 5 ? ', ...' : ''}): the dispatch loads the feeder beyond what it can carry\n`);
    throw new PowerflowExit(4);
  }
}

const MAX_PERIODS = 48;
const MAX_BUSES = 10;

function modelReport(checks: readonly InstanceCheck[], acMs: number): string {
  const L: string[] = [];
  checks.forEach((c, ci) => {
    if (ci) L.push('');
    const inst = c.instance, net = inst.network!;
    const seq = net.positiveSequence === true;
    const kind = !inst.source ? 'built in the model' : inst.source.format === 'matpower' ? 'MATPOWER' : 'OpenDSS';
    const nPer = c.periods.length;
    L.push(`${inst.name} = ${inst.kind}(net = ${inst.netName}): ${inst.source ? `${shown(inst.source.path)} (${kind}, ` : 'a network built in the model ('}${net.buses.length} buses, root ${net.root}), ${nPer} period${nPer === 1 ? '' : 's'} checked by the AC power flow`);
    L.push(`  ${!seq ? 'powers are summed over the phases' : inst.source ? 'powers are three-phase totals' : 'one phase: powers are totals'}, kW and kvar; voltages in p.u. of the formulation's bases; dV = AC - model; the model's losses are ${inst.kind === 'DistFlow' ? 'its `losses`' : `0 (${inst.kind} is lossless)`}`);
    for (const n of c.notes) L.push(`  note: ${n}`);
    const shownPeriods = c.periods.slice(0, MAX_PERIODS);
    const head = ['period', 'scale', 'AC', 'Vmin AC', 'at', 'Vmin model', 'at', 'max |dV|', 'at', 'loss AC', 'model', 'root P AC', 'model', 'root Q AC', 'model', 'outside V limits'];
    // bus, or bus.phase for per-phase data (the model's own voltages of a single-phase formulation are per bus).
    const where = (e: { bus: string; phase: number } | undefined, model = false) => (!e ? '-' : seq || (model && !inst.perPhase) ? e.bus : `${e.bus}.${e.phase}`);
    const rows = shownPeriods.map((p) => {
      const ok = p.ac.converged ? `ok ${p.ac.iterations}` : p.ac.status === 'invalid' ? 'invalid' : 'NO CONV';
      const viol = p.violations.below + p.violations.above;
      // A period whose sweep did not converge has no AC values (its last iterate is in --json).
      const acv = (v: number) => (p.ac.converged ? kw(v) : '-');
      return [
        elemText(p.period), num(p.loadScale, 4), ok,
        p.acVMin ? fixed(p.acVMin.pu, 5) : '-', where(p.acVMin),
        p.model.vMin ? fixed(p.model.vMin.pu, 5) : '-', where(p.model.vMin, true),
        p.maxDiff ? fixed(p.maxDiff.abs, 5) : '-', where(p.maxDiff),
        acv(p.ac.losses.p), kw(p.model.losses.p),
        acv(p.ac.source.p), kw(p.model.root.p), acv(p.ac.source.q), kw(p.model.root.q),
        !p.ac.converged ? '-' : viol ? `${viol} (${p.violations.below} below ${num(c.vMin)}, ${p.violations.above} above ${num(c.vMax)})` : 'none',
      ];
    });
    L.push(table(head, rows, head.map((_, k) => k !== 4 && k !== 6 && k !== 8 && k !== 2 && k !== 15)));
    if (c.periods.length > shownPeriods.length) L.push(`  (${shownPeriods.length} of ${c.periods.length} periods; --csv DIR writes them all, periods.csv)`);

    // The worst period: the largest voltage difference.
    const worst = c.periods.reduce<PeriodCheck | undefined>((w, p) => (p.maxDiff && (!w || !w.maxDiff || p.maxDiff.abs > w.maxDiff.abs) ? p : w), undefined);
    if (!worst || !worst.maxDiff) return;
    const bs = [...worst.buses].sort((a, b) => Math.abs(b.diff) - Math.abs(a.diff) || (a.bus < b.bus ? -1 : a.bus > b.bus ? 1 : a.phase - b.phase)).slice(0, MAX_BUSES);
    L.push('');
    L.push(`${nPer > 1 ? `worst period ${elemText(worst.period)}` : `period ${elemText(worst.period)}`}: the largest voltage differences (${bs.length} of ${worst.buses.length}${worst.buses.length > bs.length ? '; --csv DIR writes them all' : ''})`);
    const perPhaseRows = !seq;
    const bh = perPhaseRows ? ['bus', 'phase', '|V| AC', '|V| model', 'dV', 'angle AC deg'] : ['bus', '|V| AC', '|V| model', 'dV', 'angle AC deg'];
    L.push(table(bh, bs.map((b) => [b.bus, ...(perPhaseRows ? [String(b.phase)] : []), fixed(b.ac, 5), fixed(b.model, 5), signed(b.diff, 5), fixed(b.angle, 4)]), bh.map((_, k) => k > 0)));
    const fd = worst.maxFlowDiff;
    if (fd) {
      const br = worst.branches.find((b) => b.from === fd.from && b.to === fd.to && b.phase === fd.phase)!;
      L.push(`  largest flow difference: ${fd.from} -> ${fd.to}${fd.phase ? ` phase ${fd.phase}` : ''}: P AC ${kw(br.pAc)} kW, model ${kw(br.pModel)} kW (${signed(fd.diff, 4)} kW); Q AC ${kw(br.qAc)} kvar, model ${kw(br.qModel)} kvar`);
    }
    const taps = Object.entries(worst.taps);
    if (taps.length) L.push(`  taps from the model: ${taps.slice(0, 6).map(([b, t]) => `${b} ${t.map((x) => fixed(x, 5)).join('/')}`).join(', ')}${taps.length > 6 ? `, ... (${taps.length}; --json FILE has them all)` : ''}`);
    const inj = worst.injections;
    const injBuses = new Set(inj.map((i) => i.bus)).size;
    if (inj.length) L.push(`  injections into the AC power flow: at ${injBuses} bus${injBuses === 1 ? '' : 'es'}${seq ? '' : ` (${inj.length} phase${inj.length === 1 ? '' : 's'})`}, total ${kw(inj.reduce((s, i) => s + i.p, 0))} kW and ${kw(inj.reduce((s, i) => s + (i.q ?? 0), 0))} kvar`);
    else L.push('  injections into the AC power flow: none (every device injection is 0 outside the root)');
  });
  L.push('');
  L.push(`AC power flows: ${checks.reduce((s, c) => s + c.periods.length, 0)} in ${acMs < 10 ? `${acMs.toFixed(1)} ms` : `${Math.round(acMs)} ms`}`);
  return L.join('\n');
}

function kw(v: number): string {
  return Number.isFinite(v) ? (Math.abs(v) < 5e-7 ? '0' : num(v, 7)) : String(v);
}

function signed(v: number, d: number): string {
  if (!Number.isFinite(v)) return String(v);
  const s = Math.abs(v) < 0.5 * 10 ** -d ? (0).toFixed(d) : v.toFixed(d);
  return v > 0 && !/^0\.0*$/.test(s) ? `+${s}` : s.replace(/^-(0\.0*)$/, '$1');
}

function modelJson(comp: Compilation, r: ReturnType<typeof interpret>, checks: readonly InstanceCheck[]): unknown {
  return {
    model: shown(comp.main),
    solve: { status: r.status, solver: r.solver, ...(r.objective ? { objective: r.objective } : {}) },
    formulations: checks.map((c) => {
      const inst = c.instance, net = inst.network!;
      return {
        instance: inst.name, formulation: inst.kind, network: inst.netName,
        ...(inst.source ? { file: shown(inst.source.path), format: inst.source.format } : { format: 'model' }),
        positiveSequence: net.positiveSequence === true, root: net.root, vMin: c.vMin, vMax: c.vMax, fixedRoot: c.fixedRoot, notes: c.notes,
        periods: c.periods.map((p) => {
          const { buses, branches, messages, ...ac } = p.ac;
          return {
            period: p.period, loadScale: p.loadScale, vRootPu: p.vRootPu,
            ac: { ...ac, messages },
            model: p.model,
            ...(p.acVMin ? { acVMin: p.acVMin } : {}), ...(p.acVMax ? { acVMax: p.acVMax } : {}),
            ...(p.maxDiff ? { maxDiff: p.maxDiff } : {}), ...(p.maxFlowDiff ? { maxFlowDiff: p.maxFlowDiff } : {}),
            difference: { losses: { p: ac.losses.p - p.model.losses.p, q: ac.losses.q - p.model.losses.q }, root: { p: ac.source.p - p.model.root.p, q: ac.source.q - p.model.root.q } },
            violations: p.violations,
            injections: p.injections,
            taps: p.taps,
            buses: p.buses,
            branches: p.branches,
            acBuses: buses,
            acBranches: branches,
          };
        }),
      };
    }),
  };
}

function writeModelCsv(dir: string, checks: readonly InstanceCheck[]): void {
  mkdirSync(dir, { recursive: true });
  const per = ['instance,formulation,period,load_scale,v_root_pu,ac_status,ac_iterations,vmin_ac_pu,vmin_ac_bus,vmin_ac_phase,vmin_model_pu,vmin_model_bus,max_abs_dv_pu,max_dv_bus,max_dv_phase,loss_ac_kw,loss_ac_kvar,loss_model_kw,loss_model_kvar,root_p_ac_kw,root_q_ac_kvar,root_p_model_kw,root_q_model_kvar,ac_below_vmin,ac_above_vmax'];
  const v = ['instance,period,bus,phase,vm_ac_pu,vm_model_pu,dv_pu,va_ac_deg'];
  const br = ['instance,period,from,to,phase,p_ac_kw,q_ac_kvar,p_model_kw,q_model_kvar,loss_ac_kw'];
  for (const c of checks) {
    const n = c.instance.name;
    for (const p of c.periods) {
      per.push([n, c.instance.kind, elemText(p.period), p.loadScale, p.vRootPu, p.ac.status, p.ac.iterations, p.acVMin?.pu ?? '', p.acVMin?.bus ?? '', p.acVMin?.phase ?? '', p.model.vMin?.pu ?? '', p.model.vMin?.bus ?? '',
        p.maxDiff?.abs ?? '', p.maxDiff?.bus ?? '', p.maxDiff?.phase ?? '', p.ac.losses.p, p.ac.losses.q, p.model.losses.p, p.model.losses.q, p.ac.source.p, p.ac.source.q, p.model.root.p, p.model.root.q,
        p.violations.below, p.violations.above].map(csvCell).join(','));
      for (const b of p.buses) v.push([n, elemText(p.period), b.bus, b.phase, b.ac, b.model, b.diff, b.angle].map(csvCell).join(','));
      for (const b of p.branches) br.push([n, elemText(p.period), b.from, b.to, b.phase || '', b.pAc, b.qAc, b.pModel, b.qModel, b.lossAc].map(csvCell).join(','));
    }
  }
  writeFileSync(join(dir, 'periods.csv'), `${per.join('\n')}\n`);
  writeFileSync(join(dir, 'voltages.csv'), `${v.join('\n')}\n`);
  writeFileSync(join(dir, 'branches.csv'), `${br.join('\n')}\n`);
}

function report(file: string, net: NetworkData, res: PowerFlowResult, notes: string[]): string {
  const L: string[] = [];
  const open = net.branches.filter((b) => b.open).length;
  const seq = net.positiveSequence === true;
  const kind = extname(file).toLowerCase() === '.m' ? 'MATPOWER' : 'OpenDSS';
  L.push(`${shown(file)}: ${net.name} (${kind}${seq ? ', positive sequence: powers are three-phase totals' : ', powers per phase'}): ${net.buses.length} buses, ${net.branches.length} branches (${net.branches.length - open} closed, ${open} open), root bus ${net.root} at ${num(net.vRootPu)} p.u.`);
  for (const n of notes) L.push(`  ${n}`);
  const time = res.timeMs < 10 ? `${res.timeMs.toFixed(1)} ms` : `${Math.round(res.timeMs)} ms`;
  if (res.status === 'invalid') {
    L.push('status      not solved: the network is invalid (see the errors above)');
    return L.join('\n');
  }
  L.push(res.converged
    ? `status      converged in ${res.iterations} iteration${res.iterations === 1 ? '' : 's'} (last voltage change ${res.maxChange.toExponential(1)} p.u.), ${time}`
    : `status      NOT CONVERGED (${res.status}) after ${res.iterations} iterations: the values below are the last iterate, not a solution`);
  const kw = (p: number, q: number) => `${num(p, 7)} kW, ${num(q, 7)} kvar`;
  L.push(`load        ${kw(res.load.p, res.load.q)}${res.capacitorQ ? `; capacitors deliver ${num(res.capacitorQ, 7)} kvar` : ''}${res.injected.p || res.injected.q ? `; injections ${kw(res.injected.p, res.injected.q)}` : ''}`);
  L.push(`source      ${kw(res.source.p, res.source.q)} into the network at bus ${net.root}`);
  L.push(`losses      ${kw(res.losses.p, res.losses.q)}${res.load.p > 0 ? ` (${fixed((100 * res.losses.p) / res.load.p, 2)} % of the load)` : ''}`);
  if (res.vMin && res.vMax) L.push(`voltage     minimum ${fixed(res.vMin.pu, 5)} p.u. at bus ${res.vMin.bus}${seq ? '' : ` phase ${res.vMin.phase}`}, maximum ${fixed(res.vMax.pu, 5)} p.u. at bus ${res.vMax.bus}${seq ? '' : ` phase ${res.vMax.phase}`}`);
  if (res.islanded.length) L.push(`islanded    ${res.islanded.length} bus${res.islanded.length === 1 ? '' : 'es'} not connected to the root (not solved)`);

  // Voltages, lowest first.
  const vrows: { bus: string; phase: number; vm: number; va: number; kv: number }[] = [];
  for (const b of res.buses) b.phases.forEach((p, i) => vrows.push({ bus: b.name, phase: p, vm: b.vm[i]!, va: b.va[i]!, kv: (b.vm[i]! * b.kvBase) / (seq ? 1 : Math.sqrt(3)) }));
  vrows.sort((a, b) => a.vm - b.vm || (a.bus < b.bus ? -1 : a.bus > b.bus ? 1 : a.phase - b.phase));
  const vshow = vrows.slice(0, MAX_ROWS);
  L.push('');
  L.push(`voltages, lowest first${vrows.length > vshow.length ? ` (${vshow.length} of ${vrows.length}; --csv DIR writes them all)` : ''}:`);
  const vhead = seq ? ['bus', '|V| p.u.', 'angle deg', 'kV (L-L)'] : ['bus', 'phase', '|V| p.u.', 'angle deg', 'kV (L-N)'];
  L.push(table(vhead, vshow.map((r) => (seq ? [r.bus, fixed(r.vm, 5), fixed(r.va, 4), fixed(r.kv, 4)] : [r.bus, String(r.phase), fixed(r.vm, 5), fixed(r.va, 4), fixed(r.kv, 4)])), seq ? [false, true, true, true] : [false, true, true, true, true]));

  // Branch flows: the largest currents.
  const brs = [...res.branches].sort((a, b) => Math.max(...b.i) - Math.max(...a.i));
  const bshow = brs.slice(0, 10);
  L.push('');
  L.push(`branch flows (the ${bshow.length} largest currents of ${res.branches.length} closed branches${res.branches.length > bshow.length ? '; --csv DIR writes them all' : ''}):`);
  const rated = bshow.some((b) => b.loading !== undefined);
  const bhead = ['branch', 'from', 'to', 'P kW', 'Q kvar', 'I A', 'loss kW', ...(rated ? ['% rating'] : [])];
  L.push(table(bhead, bshow.map((b) => {
    const sum = (a: readonly number[]) => a.reduce((s, x) => s + x, 0);
    return [b.name, b.from, b.to, num(sum(b.p), 6), num(sum(b.q), 6), num(Math.max(...b.i), 5), num(b.lossP, 4), ...(rated ? [b.loading !== undefined ? fixed(100 * b.loading, 1) : '-'] : [])];
  }), bhead.map((_, k) => k >= 3)));
  if (seq) L.push('  (P and Q are three-phase totals; I is the line current)');
  else L.push('  (P and Q summed over the phases; I is the largest phase current)');
  return L.join('\n');
}

function toJson(file: string, net: NetworkData, res: PowerFlowResult): unknown {
  const { buses, branches, ...rest } = res;
  return {
    file: shown(file),
    network: { name: net.name, root: net.root, vRootPu: net.vRootPu, kvaBase: net.kvaBase, positiveSequence: net.positiveSequence === true, buses: net.buses.length, branches: net.branches.length, open: net.branches.filter((b) => b.open).length },
    ...rest,
    buses,
    branches,
  };
}

function csvCell(s: string | number): string {
  const t = typeof s === 'number' ? (Number.isFinite(s) ? String(s) : '') : s;
  return /[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

function writeCsv(dir: string, res: PowerFlowResult): void {
  mkdirSync(dir, { recursive: true });
  const v = ['bus,phase,vm_pu,va_deg,kv_base_ll'];
  for (const b of res.buses) b.phases.forEach((p, i) => v.push([b.name, p, b.vm[i]!, b.va[i]!, b.kvBase].map(csvCell).join(',')));
  writeFileSync(join(dir, 'voltages.csv'), `${v.join('\n')}\n`);
  const br = ['branch,kind,from,to,phase,p_kw,q_kvar,p_to_kw,q_to_kvar,i_a,i_angle_deg'];
  for (const b of res.branches) b.phases.forEach((p, i) => br.push([b.name, b.kind, b.from, b.to, p, b.p[i]!, b.q[i]!, b.pTo[i]!, b.qTo[i]!, b.i[i]!, b.iAngle[i]!].map(csvCell).join(',')));
  writeFileSync(join(dir, 'branches.csv'), `${br.join('\n')}\n`);
}
