// Running one measurement in a fresh child process: evg (bench/evg-child.js) or glpsol.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Flushes dirty pages (the previous run's .lp file) so that writeback does not land in the next timing. */
export function settle() {
  spawnSync('sync');
}

const CHILD = fileURLToPath(new URL('./evg-child.js', import.meta.url));
const TIME = '/usr/bin/time';

/** Why a child failed: timeout, signal, or the last lines of its stderr. */
function failure(r, timeoutS) {
  if (r.error?.code === 'ETIMEDOUT' || (r.signal === 'SIGTERM' && timeoutS)) return `timeout after ${timeoutS} s`;
  const tail = (r.stderr ?? '').trim().split('\n').filter(Boolean).slice(-3).join(' | ');
  return `${r.signal ? `killed by ${r.signal}` : `exit ${r.status}`}${tail ? `: ${tail}` : ''}`;
}

/**
 * Compiles `model` to `lp` and hands it to HiGHS in a fresh Node process with the given old-space
 * limit (MiB). Returns the child's figures plus `wall` (ms, process start to exit), or `{ error }`.
 */
export function runEvg(model, lp, { heapMB, timeoutS, highs = true }) {
  settle();
  const args = [`--max-old-space-size=${heapMB}`, CHILD, model, lp, ...(highs ? [] : ['--no-highs'])];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: timeoutS * 1000, maxBuffer: 1 << 24 });
  const wall = performance.now() - t0;
  if (r.status !== 0) return { error: failure(r, timeoutS) };
  const line = r.stdout.trim().split('\n').pop();
  return { ...JSON.parse(line), wall };
}

export function haveGlpsol() {
  return spawnSync('glpsol', ['--version'], { encoding: 'utf8' }).status === 0;
}

/**
 * Translates a MathProg model to CPLEX LP without solving (`glpsol --check --wlp`), under
 * /usr/bin/time for the peak RSS. Returns wall time (ms), peak RSS (bytes) and the problem's size
 * as glpsol counts it, converted to evg's counting: glpsol's rows and matrix nonzeros include the
 * objective row, evg's do not.
 */
export function runGlpsol(mod, dat, lp, { timeoutS }) {
  const timeFile = `${lp}.time`;
  const glp = ['glpsol', '--check', '--wlp', lp, '-m', mod, '-d', dat];
  const useTime = existsSync(TIME);
  const [cmd, args] = useTime ? [TIME, ['-f', '%M', '-o', timeFile, ...glp]] : [glp[0], glp.slice(1)];
  settle();
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutS * 1000, maxBuffer: 1 << 24 });
  const wall = performance.now() - t0;
  if (r.status !== 0) return { error: failure(r, timeoutS) };
  const count = (label) => Number(new RegExp(`${label}\\s*=\\s*(\\d+)`).exec(r.stdout)?.[1] ?? NaN);
  const rows = count('Number of rows'), objNnz = count('Number of non-zeros \\(objrow\\)');
  let peakRss = NaN;
  if (useTime) {
    peakRss = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop()) * 1024; // %M is in KiB
    rmSync(timeFile, { force: true });
  }
  return {
    wall, peakRss,
    size: { rows: rows - 1, cols: count('Number of columns'), nnz: count('Number of non-zeros \\(matrix\\)') - objNnz, objNnz },
  };
}
