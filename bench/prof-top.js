// Summarises a V8 CPU profile (from `node --cpu-prof`): the functions with the most self time and
// the most total (inclusive) time, with file and line.
//
//   node --cpu-prof --cpu-prof-dir=bench/out/prof bench/evg-child.js bench/out/<size>/model.evg /tmp/x.lp --no-highs
//   node bench/prof-top.js bench/out/prof/*.cpuprofile [--top 25]
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;
if (!args.length) {
  process.stderr.write('usage: node bench/prof-top.js FILE.cpuprofile [--top N]\n');
  process.exit(2);
}

const prof = JSON.parse(readFileSync(args[0], 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Sample counts per node, then time per sample from the profile's own time deltas.
const hits = new Map();
for (const id of prof.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
const total = prof.samples.length;
const ms = (prof.endTime - prof.startTime) / 1000 / total;

const label = (n) => {
  const f = n.callFrame;
  const file = f.url.replace(/^.*\/(dist|node_modules|bench)\//, '$1/');
  return `${f.functionName || '(anonymous)'}  ${file || '(native)'}:${f.lineNumber + 1}`;
};
const self = new Map();
const incl = new Map();
for (const [id, k] of hits) {
  const key = label(byId.get(id));
  self.set(key, (self.get(key) ?? 0) + k);
  // Inclusive: count the sample once for every distinct function on its stack.
  const seen = new Set();
  for (let p = id; p !== undefined; p = parent.get(p)) {
    const key2 = label(byId.get(p));
    if (seen.has(key2)) continue;
    seen.add(key2);
    incl.set(key2, (incl.get(key2) ?? 0) + k);
  }
}

const show = (title, m) => {
  console.log(`\n${title} (of ${(total * ms / 1000).toFixed(2)} s sampled)`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(100 * v / total).toFixed(1).padStart(6)} %  ${(v * ms).toFixed(0).padStart(7)} ms  ${k}`);
  }
};
show('self time', self);
show('total time', incl);
