// The command line of uncertainty: the treatment options shared by compile and solve
// (--method, --divergence, --radius, --confidence, --chance), `evg solve --evpi`, and
// `evg compare FILE --methods ev,sp,ro,dro`, which solves the model under each treatment and
// evaluates each one's here-and-now decisions on the same scenarios (src/uncertainty/compare.ts).
import { Command, CommanderError, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { displayPath } from '../driver.js';
import { renderDiagnostic, SourceTexts } from '../diagnostics/diagnostic.js';
import { CHANCE_METHODS, DIVERGENCES, METHODS, type MethodOptions } from '../uncertainty/method.js';
import { CompareError, compareMethods, valueOfInformation, type CompareRow, type ValueOfInformation } from '../uncertainty/compare.js';
import { fmtNum } from '../report/output.js';
import type { Io } from './main.js';

export interface MethodFlags {
  method?: string;
  divergence?: string;
  radius?: string;
  confidence?: string;
  chance?: string;
}

/** Adds the treatment options to a command (compile, solve). */
export function withMethodOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--method <method>', 'treatment of the uncertainty: ev, sp, ro or dro (default: the model\'s `treatment`, else sp)').choices([...METHODS]))
    .addOption(new Option('--divergence <phi>', 'dro: the divergence of the ambiguity set').choices([...DIVERGENCES]))
    .option('--radius <rho>', 'dro: the radius of the ambiguity set')
    .option('--confidence <level>', 'dro: the confidence level the radius is computed from (default 0.95)')
    .addOption(new Option('--chance <form>', 'chance constraints: saa (binaries), cvar, or moment (a cone)').choices([...CHANCE_METHODS]));
}

export function methodOptions(o: MethodFlags): MethodOptions {
  return { method: o.method, divergence: o.divergence, radius: o.radius, confidence: o.confidence, chance: o.chance };
}

/** Thrown after the message was printed: main returns `exitCode`. */
export class UncertaintyExit extends CommanderError {
  constructor(exitCode: number) {
    super(exitCode, 'evg.exit', `exit ${exitCode}`);
  }
}

function failed(io: Io, e: unknown): never {
  if (e instanceof CompareError) {
    for (const d of e.diagnostics) io.err(`${renderDiagnostic(d, e.sources ?? new SourceTexts(), displayPath)}\n`);
    io.err(`evg: ${e.message}\n`);
    throw new UncertaintyExit(e.diagnostics.length ? 1 : 4);
  }
  throw e;
}

/** The lines `evg solve --evpi` prints after the summary. */
export function voiLines(v: ValueOfInformation, unit: string): string[] {
  const u = unit && unit !== '1' ? ` ${unit}` : '';
  const f = (x: number) => `${fmtNum(x)}${u}`;
  return [
    `RP          ${f(v.rp)}  (the stochastic program)`,
    `WS          ${f(v.ws)}  (wait-and-see: each scenario known in advance)`,
    `EEV         ${Number.isFinite(v.eev) ? f(v.eev) : `infeasible in ${v.eevInfeasible} scenario${v.eevInfeasible === 1 ? '' : 's'}`}  (the expected-value solution's first stage, in the scenarios)`,
    `EVPI        ${f(v.evpi)}  (RP - WS: what perfect information is worth)`,
    `VSS         ${Number.isFinite(v.vss) ? f(v.vss) : 'infinite'}  (EEV - RP: what solving the stochastic program is worth)`,
  ];
}

export { valueOfInformation };

interface CompareFlags {
  methods: string;
  holdout: string;
  seed: string;
  solver: string;
  json?: string;
  timeLimit?: string;
}

export function addCompareCommand(program: Command, io: Io): void {
  program
    .command('compare')
    .description('solve a model under several treatments of its uncertainty and compare their decisions on the same scenarios')
    .argument('<file>', 'the model (.evg)')
    .option('--methods <list>', 'treatments, comma-separated: ev, sp, ro, dro, or with options as dro(divergence=hellinger;radius=0.1)', 'ev,sp,ro,dro')
    .option('--holdout <n>', 'fresh samples for the out-of-sample evaluation (sampled scenarios; 0: none)', '500')
    .option('--seed <n>', 'seed of the held-out samples', '1000003')
    .addOption(new Option('--solver <name>', 'solver').choices(['highs', 'glpk']).default('highs'))
    .option('--time-limit <seconds>', 'time limit of each solve')
    .option('--json <file>', 'write the table as JSON')
    .action(async (file: string, o: CompareFlags) => {
      const methods = parseMethods(o.methods);
      const holdout = Number(o.holdout);
      if (!Number.isInteger(holdout) || holdout < 0) throw new CommanderError(2, 'evg.usage', `error[E0703]: --holdout needs a whole number >= 0, not \`${o.holdout}\``);
      const timeLimit = o.timeLimit === undefined ? undefined : Number(o.timeLimit);
      let res: Awaited<ReturnType<typeof compareMethods>>;
      try {
        res = await compareMethods(file, { methods, holdout, holdoutSeed: Number(o.seed), solver: o.solver as 'highs' | 'glpk', solve: { timeLimit } });
      } catch (e) {
        failed(io, e);
      }
      io.out(`${compareTable(res.rows, res.unit, holdout)}\n`);
      if (o.json) writeFileSync(o.json, `${JSON.stringify(compareJson(res.rows, res.unit), null, 2)}\n`);
    });
}

/** `ev,sp,dro(divergence=hellinger;radius=0.1)` */
export function parseMethods(list: string): MethodOptions[] {
  const out: MethodOptions[] = [];
  for (const item of list.split(/,(?![^()]*\))/).map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z]+)(?:\((.*)\))?$/.exec(item);
    if (!m || !(METHODS as readonly string[]).includes(m[1]!)) throw new CommanderError(2, 'evg.usage', `error[E0805]: \`${item}\` is not a treatment: ${METHODS.join(', ')}, optionally with options as dro(divergence=hellinger;radius=0.1)`);
    const opts: Record<string, string> = {};
    for (const kv of (m[2] ?? '').split(/[;,]/).map((s) => s.trim()).filter(Boolean)) {
      const [k, v] = kv.split('=').map((s) => s.trim());
      if (!k || v === undefined || !['divergence', 'radius', 'confidence', 'chance'].includes(k)) throw new CommanderError(2, 'evg.usage', `error[E0805]: \`${kv}\` in \`${item}\`: options are divergence, radius, confidence, chance`);
      opts[k] = v;
    }
    out.push({ method: m[1], ...opts });
  }
  if (!out.length) throw new CommanderError(2, 'evg.usage', 'error[E0805]: --methods needs at least one treatment');
  return out;
}

export function compareTable(rows: readonly CompareRow[], unit: string, holdout: number): string {
  const u = unit && unit !== '1' ? ` [${unit}]` : '';
  const pct = (a: number, n: number) => (n ? `${fmtNum((100 * a) / n, 3)} %` : '-');
  const head = ['method', `objective${u}`, `first stage${u}`, `expected${u}`, `worst${u}`, 'solve', ...(holdout ? [`out-of-sample${u}`, 'worst', 'violation', 'infeasible'] : [])];
  const body = rows.map((r) => [
    r.method, fmtNum(r.objective), fmtNum(r.firstStageCost),
    fmtNum(r.inSample.mean) + (r.inSample.infeasible ? ` (${r.inSample.infeasible} infeasible)` : ''), fmtNum(r.inSample.worst), `${fmtNum(r.seconds, 3)} s`,
    ...(holdout ? (r.outOfSample ? [fmtNum(r.outOfSample.mean), fmtNum(r.outOfSample.worst), `${fmtNum(100 * r.outOfSample.rowViolation, 3)} %`, pct(r.outOfSample.infeasible, r.outOfSample.costs.length)] : ['-', '-', '-', '-']) : []),
  ]);
  const w = head.map((h, k) => Math.max(h.length, ...body.map((r) => r[k]!.length)));
  const line = (r: string[]) => r.map((c, k) => (k === 0 ? c.padEnd(w[k]!) : c.padStart(w[k]!))).join('  ');
  const n = rows[0]?.inSample.costs.length ?? 0;
  const notes = [
    `expected and worst: the here-and-now decisions of each treatment, with the best recourse, in the model's ${n} scenarios`,
    ...(holdout ? [`out-of-sample: the same in ${rows[0]?.outOfSample?.costs.length ?? holdout} fresh samples; violation: how often a chance constraint's row fails (over its rows and the samples); infeasible: samples with no feasible recourse`] : []),
  ];
  return [line(head), ...body.map(line), '', ...notes].join('\n');
}

export function compareJson(rows: readonly CompareRow[], unit: string): unknown {
  const ev = (e: CompareRow['inSample'] | undefined) => e && { mean: e.mean, worst: e.worst, scenarios: e.costs.length, infeasible: e.infeasible, scenariosViolated: e.violated, rowViolationRate: e.rowViolation };
  return { unit, methods: rows.map((r) => ({ method: r.method, objective: r.objective, firstStageCost: r.firstStageCost, solveSeconds: r.seconds, inSample: ev(r.inSample), outOfSample: ev(r.outOfSample) ?? null })) };
}
