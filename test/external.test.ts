// External native solvers: `--solver cbc|glpsol|highs-cli` for `evg solve` and `evg run`
// (src/solve/external.ts). Each program runs on the MPS file evg writes, its solution file is
// read back and reported in the model's names and units. The expectations are optima (and duals)
// derived by hand — the derivations are in the comments of the models — and, for the dispatch
// example, the optimum of the in-process HiGHS on the same linearised model.
//
// cbc (coinor-cbc) and glpsol (glpk-utils) are installed by .ci/run; a test needing one skips
// with a visible message when it is missing. Debian has no HiGHS command-line package, so
// `highs-cli` is tested with the real `highs` where it is on PATH, and otherwise against HiGHS's
// own solution-file writer: a small `highs` program on a temporary PATH that takes the command-line
// options evg passes (--model_file, --solution_file, --time_limit, --options_file), solves the
// file with the WebAssembly build of HiGHS and writes the solution with the same writer the
// HiGHS executable uses (Highs::writeSolution, raw style).
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';
import { findProgram } from '../src/solve/external.js';
import { hasCbc, hasGlpsol, warnIfMissing } from './lpfiles.js';
import { m } from './dedent.js';
import { MAX, MILP } from './hand-models.js';
import { tempDir } from './helpers.js';

interface CliRun { code: number; out: string; err: string }

async function cli(...args: string[]): Promise<CliRun> {
  let out = '', err = '';
  const code = await run(['node', 'evg', ...args], { out: (s) => { out += s; }, err: (s) => { err += s; } });
  return { code, out, err };
}

async function ok(...args: string[]): Promise<CliRun> {
  const r = await cli(...args);
  expect(r.code, `evg ${args.join(' ')}:\n${r.out}\n${r.err}`).toBe(0);
  return r;
}

interface Json { status: string; solver: string; objective: number; objectiveUnit: string; variables: Record<string, number>; constraints: Record<string, { activity?: number; dual?: number }>; verification?: { ok: boolean }; times?: unknown }

function json(path: string): Json {
  const j = JSON.parse(readFileSync(path, 'utf8')) as Json;
  delete j.times;
  return j;
}

const STACK = /\n\s+at .+:\d+:\d+\)?\s*(\n|$)|TypeError|ReferenceError|RangeError/;
const DISPATCH_EXAMPLE = fileURLToPath(new URL('../examples/dispatch/model.evg', import.meta.url));

warnIfMissing('glpsol', hasGlpsol, 'the --solver glpsol tests');
warnIfMissing('cbc', hasCbc, 'the --solver cbc tests');
const realHighs = findProgram('highs');
if (!realHighs) console.warn('highs (the HiGHS command line) not found: testing --solver highs-cli against HiGHS\'s solution writer in a stand-in `highs` (install a HiGHS release to test the real program)');

/** A `highs` command line on a temporary PATH, built on the WebAssembly HiGHS (see the header comment). */
function standInHighs(): string {
  const bin = mkdtempSync(join(tmpdir(), 'evg-highs-bin-'));
  const mjs = pathToFileURL(fileURLToPath(new URL('../node_modules/highs/build/highs.mjs', import.meta.url))).href;
  const script = `#!/usr/bin/env node
(async () => {
  const { readFileSync, writeFileSync } = await import('node:fs');
  const { default: load } = await import(${JSON.stringify(mjs)});
  const args = process.argv.slice(2);
  const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  const known = new Set(['--model_file', '--solution_file', '--time_limit', '--options_file']);
  for (let i = 0; i < args.length; i += 2) if (!known.has(args[i])) { console.error('unknown option ' + args[i]); process.exit(1); }
  const file = opt('--model_file');
  const h = await load();
  const bytes = readFileSync(file);
  const model = h.createModel(file.endsWith('.lp') ? { format: 'lp', data: bytes.toString('latin1') } : { format: 'mps', data: new Uint8Array(bytes) });
  const options = { output_flag: true, log_to_console: true };
  if (opt('--time_limit') !== undefined) options.time_limit = Number(opt('--time_limit'));
  if (opt('--options_file')) for (const line of readFileSync(opt('--options_file'), 'utf8').split('\\n')) {
    const m = /^\\s*(\\w+)\\s*=\\s*(\\S+)/.exec(line);
    if (m) options[m[1]] = Number.isNaN(Number(m[2])) ? m[2] : Number(m[2]);
  }
  model.options.set(options);
  model.run();
  writeFileSync(opt('--solution_file'), model.exportSolution(false));
})().catch((e) => { console.error(e); process.exit(1); });
`;
  const p = join(bin, 'highs');
  writeFileSync(p, script);
  chmodSync(p, 0o755);
  return bin;
}

// ---- models with optima derived by hand (as in test/bundle.test.ts) ----------------------

/**
 * g1 (1 MW, 10 $/MWh) before g2 (2 MW, 20 $/MWh); 0.5 MW then 1.5 MW: 5 $ + (10 + 10) $ = 25 $;
 * balance duals 10 and 20 $/MW.
 */
const DISPATCH = m`
  horizon T = 2 steps of 1 h
  set G = {g1, g2}
  param p_max[G] : MW = {g1: 1, g2: 2}
  param c[G] : $/MWh = {g1: 10, g2: 20}
  param load[T] : MW = [0.5, 1.5]
  var p[g in G, t in T] : MW in [0, p_max[g]]
  constraint balance[t in T]: sum(g in G) p[g, t] == load[t]
  minimize cost = sum(g in G, t in T) c[g] * p[g, t] * step(T)
`;

/** An objective constant (the MPS column `evg~constant`): min x + 7 $ with x >= 2 $: 9 $. */
const OFFSET = m`
  var x : $ in [0 $, 10 $]
  constraint lo: x >= 2 $
  minimize total = x + 7 $
`;

/** Hour 3 needs 1.8 MW, g1 + g2 give 1.5 MW: infeasible, with balance[3] and the two bounds of hour 3 in the conflict. */
const INFEASIBLE = m`
  horizon T = 3 steps of 1 h
  set G = {g1, g2}
  param p_max[G] : MW = {g1: 1, g2: 0.5}
  param load[T] : MW = [1, 1.2, 1.8]
  var p[g in G, t in T] : MW in [0, p_max[g]]
  constraint balance[t in T]: sum(g in G) p[g, t] == load[t]
  minimize cost = sum(g in G, t in T) p[g, t] * 1 $/MWh * step(T)
`;

/** x - y >= 1 with both free, minimising -x - y: unbounded (x = y + 1, y to infinity). */
const UNBOUNDED = m`
  var x
  var y
  constraint c: x - y >= 1
  minimize z = -x - y
`;

const FILES = { 'dispatch.evg': DISPATCH, 'milp.evg': MILP, 'max.evg': MAX, 'offset.evg': OFFSET, 'inf.evg': INFEASIBLE, 'unb.evg': UNBOUNDED };

interface Program { readonly solver: 'cbc' | 'glpsol' | 'highs-cli'; readonly present: boolean; readonly quadratic: boolean }

const PROGRAMS: Program[] = [
  { solver: 'cbc', present: hasCbc, quadratic: false },
  { solver: 'glpsol', present: hasGlpsol, quadratic: false },
  { solver: 'highs-cli', present: true, quadratic: true },
];

let savedPath: string | undefined;
beforeAll(() => {
  savedPath = process.env['PATH'];
  if (!realHighs) process.env['PATH'] = `${standInHighs()}${delimiter}${savedPath ?? ''}`;
});
afterAll(() => {
  process.env['PATH'] = savedPath;
});

describe.each(PROGRAMS)('--solver $solver', (p) => {
  const dir = tempDir(FILES);
  const out = tempDir();

  it.skipIf(!p.present)('evg solve: the LP optimum, values and duals (in $/MW) derived by hand', async () => {
    await ok('solve', join(dir, 'dispatch.evg'), '--solver', p.solver, '--json', join(out, `d-${p.solver}.json`));
    const j = json(join(out, `d-${p.solver}.json`));
    expect(j.solver).toBe(p.solver);
    expect(j.objective).toBeCloseTo(25, 9);
    expect(j.objectiveUnit).toBe('$');
    expect(j.variables).toEqual({ 'p[g1,1]': 0.5, 'p[g2,1]': 0, 'p[g1,2]': 1, 'p[g2,2]': 0.5 });
    expect(j.constraints['balance[1]']!.dual).toBeCloseTo(10, 9);
    expect(j.constraints['balance[2]']!.dual).toBeCloseTo(20, 9);
    expect(j.constraints['balance[2]']!.activity).toBeCloseTo(1.5, 9);
    expect(j.verification!.ok).toBe(true);
  });

  it.skipIf(!p.present)('evg solve: a maximisation (its objective and dual come back with their signs) and an objective constant', async () => {
    await ok('solve', join(dir, 'max.evg'), '--solver', p.solver, '--json', join(out, `m-${p.solver}.json`));
    const j = json(join(out, `m-${p.solver}.json`));
    expect(j.objective).toBeCloseTo(14, 9);
    expect(j.variables).toEqual({ a: 4, b: 1 });
    expect(j.constraints['cap']!.dual).toBeCloseTo(2, 9);
    const r = await ok('solve', join(dir, 'offset.evg'), '--solver', p.solver, '--quiet');
    expect(r.out).toBe('optimal total = 9 $\n');
  });

  it.skipIf(!p.present)('evg solve: the MILP optimum, with a gap and a time limit given', async () => {
    await ok('solve', join(dir, 'milp.evg'), '--solver', p.solver, '--gap', '0', '--time-limit', '60', '--json', join(out, `u-${p.solver}.json`));
    const j = json(join(out, `u-${p.solver}.json`));
    expect(j.objective).toBeCloseTo(35, 9);
    expect(j.variables).toMatchObject({ 'p[a]': 1.5, 'p[b]': 0, 'p[c]': 5, 'on[a]': 1, 'on[b]': 0, 'on[c]': 1, units_on: 2 });
    expect(j.constraints['demand']!.dual).toBeUndefined();
  });

  it.skipIf(!p.present)('evg run of a bundle gives what evg solve gives with the same program', async () => {
    await ok('compile', join(dir, 'milp.evg'), '-o', join(out, 'milp.evgc'));
    const s = await ok('solve', join(dir, 'milp.evg'), '--solver', p.solver, '--json', join(out, `s-${p.solver}.json`));
    const r = await ok('run', join(out, 'milp.evgc'), '--solver', p.solver, '--json', join(out, `r-${p.solver}.json`));
    expect(json(join(out, `r-${p.solver}.json`))).toEqual(json(join(out, `s-${p.solver}.json`)));
    const untimed = (x: string) => x.replace(/^time .*$/m, '');
    expect(untimed(r.out)).toBe(untimed(s.out));
  });

  it.skipIf(!p.present)('evg run of plain LP and MPS files: the optimum under the files\' own names', async () => {
    for (const ext of ['lp', 'mps']) {
      const f = join(out, `dispatch.${ext}`);
      await ok('compile', join(dir, 'dispatch.evg'), '-o', f);
      await ok('run', f, '--solver', p.solver, '--json', join(out, `f-${p.solver}.json`));
      const j = json(join(out, `f-${p.solver}.json`));
      // The objective of the file: the model's objective scaled by objScale (a power of ten).
      const scale = j.objective / 25;
      expect(Math.log10(scale)).toBeCloseTo(Math.round(Math.log10(scale)), 9);
      expect(j.variables).toMatchObject({ 'p(g1,1)': 0.5, 'p(g2,1)': 0, 'p(g1,2)': 1, 'p(g2,2)': 0.5 });
      expect(j.objectiveUnit).toBe('');
    }
  });

  it.skipIf(!p.present)('infeasible and unbounded models: exit code 3, the conflict named in source terms', async () => {
    const a = await cli('solve', join(dir, 'inf.evg'), '--solver', p.solver);
    expect(a.code).toBe(3);
    expect(a.out).toMatch(/^status +infeasible/);
    expect(a.out).toMatch(/inf\.evg:6:12 +balance\[3\]/);
    expect(a.out).toMatch(/p\[g2,3\] <= 0\.5 MW \(upper bound\)/);
    const b = await cli('solve', join(dir, 'unb.evg'), '--solver', p.solver);
    expect(b.code).toBe(3);
    expect(b.out).toMatch(/^status +unbounded/);
    expect(b.err).toBe('the model is unbounded\n');
  });

  it.skipIf(!p.present)(`the dispatch example (quadratic costs${p.quadratic ? ', as a QP' : ' linearised, as evg solve does for this solver'}) reaches the in-process HiGHS optimum`, async () => {
    const lin = p.quadratic ? [] : ['--linearize'];
    await ok('solve', DISPATCH_EXAMPLE, '--solver', 'highs', ...lin, '--json', join(out, `x-highs-${p.solver}.json`));
    await ok('solve', DISPATCH_EXAMPLE, '--solver', p.solver, '--json', join(out, `x-${p.solver}.json`));
    const a = json(join(out, `x-highs-${p.solver}.json`)), b = json(join(out, `x-${p.solver}.json`));
    expect(Math.abs(b.objective - a.objective)).toBeLessThanOrEqual(1e-6 * Math.abs(a.objective));
    expect(b.objectiveUnit).toBe('$');
    expect(b.verification!.ok).toBe(true);
    expect(Object.keys(b.variables)).toEqual(Object.keys(a.variables));
  });

  if (!p.quadratic) it.skipIf(!p.present)('a bundle with a quadratic objective is refused with a hint (E0703)', async () => {
    await ok('compile', DISPATCH_EXAMPLE, '-o', join(out, 'qp.evgc'));
    const r = await cli('run', join(out, 'qp.evgc'), '--solver', p.solver);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`error\\[E0703\\]: .* has a quadratic objective, which ${p.solver} does not take\\n {2}= hint: compile the model with its objective linearised`));
  });
});

describe('a solver program that is not installed', () => {
  it('E0704 names the program and how to install it, for evg solve and evg run, before any work (exit 2)', async () => {
    const dir = tempDir(FILES);
    await ok('compile', join(dir, 'max.evg'), '-o', join(dir, 'max.evgc'));
    const saved = process.env['PATH'];
    process.env['PATH'] = tempDir();
    try {
      for (const [solver, program, install] of [['cbc', 'cbc', 'coinor-cbc'], ['glpsol', 'glpsol', 'glpk-utils'], ['highs-cli', 'highs', 'HiGHS release']] as const) {
        for (const args of [['solve', join(dir, 'max.evg')], ['run', join(dir, 'max.evgc')]]) {
          const r = await cli(...args, '--solver', solver);
          expect(r.code).toBe(2);
          expect(r.out).toBe('');
          expect(r.err).toMatch(new RegExp(`^error\\[E0704\\]: --solver ${solver} runs the program \`${program}\`, which is not on PATH\\n {2}= hint: .*${install}.*--solver highs or --solver glpk`));
          expect(r.err).not.toMatch(STACK);
        }
      }
    } finally {
      process.env['PATH'] = saved;
    }
  });

  it('an unknown solver name is a usage error', async () => {
    const dir = tempDir(FILES);
    const r = await cli('solve', join(dir, 'max.evg'), '--solver', 'gurobi');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Allowed choices are highs, glpk, cbc, glpsol, highs-cli/);
  });
});
