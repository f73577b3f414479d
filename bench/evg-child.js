// One benchmark measurement in a fresh process: compile an .evg model (parse, check, build), write
// it as CPLEX LP, hand it to HiGHS (create the model from the arrays; no solve). Prints one JSON
// line with phase times (ms), the model's size and, after every phase, the process's peak RSS so
// far (maxRSS is monotonic, so the phase where it jumps is the phase that set the peak).
//
//   node bench/evg-child.js MODEL.evg OUT.lp [--no-highs]
import { compile } from '../dist/driver.js';
import { writeLp } from '../dist/emit/lp.js';
import { FileSink } from '../dist/emit/sink.js';
import { highsModel, loadHighs } from '../dist/solve/highs.js';

const [file, lpPath, ...flags] = process.argv.slice(2);
if (!file || !lpPath) {
  process.stderr.write('usage: node bench/evg-child.js MODEL.evg OUT.lp [--no-highs]\n');
  process.exit(2);
}

const MB = 1024 * 1024;
/** Peak resident set size so far, in bytes (resourceUsage reports KiB). */
const peak = () => process.resourceUsage().maxRSS * 1024;
const result = { times: {}, peakRss: {}, heapUsed: {}, arrayBuffers: {} };
/** Records, after a step, the peak RSS so far and the current JS heap and typed-array memory. */
const mark = (phase) => {
  const m = process.memoryUsage();
  result.peakRss[phase] = peak();
  result.heapUsed[phase] = m.heapUsed;
  result.arrayBuffers[phase] = m.arrayBuffers;
};

mark('start');
const comp = compile(file);
if (comp.diags.hasErrors) {
  process.stderr.write(comp.diags.sorted().map((d) => `${d.code}: ${d.message}`).join('\n') + '\n');
  process.exit(1);
}
// compile() times its own phases; maxRSS is read once after all three.
Object.assign(result.times, { parse: comp.times.parse, check: comp.times.check, build: comp.times.build });
mark('build');

const model = comp.elaboration.model;
result.size = { rows: model.numRows, cols: model.numCols, nnz: model.stats.nonzeros, objNnz: model.colCost.reduce((n, c) => n + (c !== 0 ? 1 : 0), 0) };

let t0 = performance.now();
const sink = new FileSink(lpPath);
writeLp(model, sink, 'evg bench');
sink.close();
result.times.write = performance.now() - t0;
result.lpBytes = sink.bytes;
mark('write');

if (!flags.includes('--no-highs')) {
  // Instantiating the WebAssembly runtime is a one-off cost per process; it is timed apart so that
  // `highs` is the hand-over proper (highsModel: bounds copied, arrays passed into the solver).
  t0 = performance.now();
  await loadHighs();
  result.times.highsLoad = performance.now() - t0;
  t0 = performance.now();
  const { m } = await highsModel(model);
  result.times.highs = performance.now() - t0;
  mark('highs');
  m.dispose();
}

result.heapLimitMB = Math.round((await import('node:v8')).getHeapStatistics().heap_size_limit / MB);
process.stdout.write(JSON.stringify(result) + '\n');
