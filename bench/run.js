// `npm run bench [-- options]`: speed and peak memory of evg's phases on growing network-flow
// models, and glpsol's translation of the same model for comparison. See bench/README.md.
//
// Options:
//   --quick           only the small sizes (up to 200 000 nonzeros)
//   --max-nnz N       skip sizes above N nonzeros (accepts 5e6, 5M, 500k)
//   --timeout S       per-process time limit in seconds (default 120); after an evg timeout or
//                     crash the larger sizes are not tried for evg (glpsol still is)
//   --heap MB         --max-old-space-size of the evg child processes (default 16384)
//   --no-glpsol       skip the glpsol comparison
//   --keep            keep the .lp files (they are deleted after each size otherwise)
//   --out DIR         where models, data and results go (default bench/out)
import { rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { generate, expectedSize } from './gen.js';
import { runEvg, runGlpsol, haveGlpsol } from './measure.js';
import { renderTables } from './table.js';

/** Nodes x periods; nonzeros = 13 N T - N (see gen.js). */
const LADDER = [
  [160, 24], // ~50 k
  [320, 48], // ~200 k
  [800, 48], // ~500 k
  [800, 96], // ~1 M
  [1375, 168], // ~3 M
  [1800, 256], // ~6 M
];
const QUICK_MAX = 200_000;

function parseArgs(argv) {
  const o = { maxNnz: Infinity, timeoutS: 120, heapMB: 16384, glpsol: true, keep: false, out: fileURLToPath(new URL('./out/', import.meta.url)) };
  const num = (s) => {
    const m = /^([\d.e+]+)\s*([kKmM]?)$/.exec(s ?? '');
    if (!m || !Number.isFinite(Number(m[1]))) throw new Error(`not a number: ${s}`);
    return Number(m[1]) * ({ k: 1e3, m: 1e6 }[m[2].toLowerCase()] ?? 1);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.maxNnz = Math.min(o.maxNnz, QUICK_MAX);
    else if (a === '--max-nnz') o.maxNnz = Math.min(o.maxNnz, num(argv[++i]));
    else if (a === '--timeout') o.timeoutS = num(argv[++i]);
    else if (a === '--heap') o.heapMB = num(argv[++i]);
    else if (a === '--no-glpsol') o.glpsol = false;
    else if (a === '--keep') o.keep = true;
    else if (a === '--out') o.out = argv[++i];
    else throw new Error(`unknown option ${a} (see the head of bench/run.js)`);
  }
  return o;
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`bench: ${e.message}`);
    process.exit(2);
  }
  const sizes = LADDER.filter(([N, T]) => expectedSize(N, T).nnz <= opts.maxNnz);
  const glpsol = opts.glpsol && haveGlpsol();
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`;
  console.log(`evg bench — ${machine}; evg children run with --max-old-space-size=${opts.heapMB}, timeout ${opts.timeoutS} s${glpsol ? '' : '; glpsol skipped'}`);

  const results = [];
  let evgStopped; // reason the larger sizes are skipped for evg
  for (const [N, T] of sizes) {
    const dir = join(opts.out, `n${N}-t${T}`);
    const files = generate(dir, N, T);
    const row = { N, T, expected: files.expected };
    process.stdout.write(`N=${N} T=${T} (${files.expected.nnz} nonzeros): evg`);

    const evgLp = join(dir, 'evg.lp');
    row.evg = evgStopped ? { error: `skipped (${evgStopped})` } : runEvg(files.evg, evgLp, { heapMB: opts.heapMB, timeoutS: opts.timeoutS });
    if (row.evg.error && !evgStopped) evgStopped = `N=${N} T=${T}: ${row.evg.error}`;
    process.stdout.write(row.evg.error ? ` ${row.evg.error}` : ` ${((row.evg.times.parse + row.evg.times.check + row.evg.times.build + row.evg.times.write) / 1000).toFixed(2)} s`);

    if (!opts.keep) rmSync(evgLp, { force: true });
    if (glpsol) {
      const glpLp = join(dir, 'glpsol.lp');
      row.glpsol = runGlpsol(files.mod, files.dat, glpLp, { timeoutS: opts.timeoutS });
      process.stdout.write(`, glpsol ${row.glpsol.error ?? `${(row.glpsol.wall / 1000).toFixed(2)} s`}`);
      if (!opts.keep) rmSync(glpLp, { force: true });
    }
    process.stdout.write('\n');
    results.push(row);
  }

  const { text, markdown } = renderTables(results);
  console.log(`\n${text}`);
  mkdirSync(opts.out, { recursive: true });
  writeFileSync(join(opts.out, 'results.json'), JSON.stringify({ machine, opts, results }, null, 2));
  writeFileSync(join(opts.out, 'results.md'), `Machine: ${machine}\n\n${markdown}`);
  console.log(`\nresults: ${relative(process.cwd(), join(opts.out, 'results.json'))}, ${relative(process.cwd(), join(opts.out, 'results.md'))}`);
}

main();
