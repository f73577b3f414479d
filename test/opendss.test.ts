// The OpenDSS importer (src/network/opendss.ts) on the IEEE 13, 34, 123 and 8500-node test feeders
// as distributed with OpenDSS, and on PowerModelsDistribution's small cases.
//
// Every expected value comes from somewhere other than the importer:
// - counts and load totals from a few regular expressions over the `New ...` statements of the
//   files each master script redirects to (`statements` below: comments cut at `!`/`//`, `~` lines
//   joined to the statement they continue), and from the totals published with the IEEE feeders
//   (13-node: 3466 kW, 2102 kvar; 34-node: 1769 kW, 1044 kvar; 123-node: 3490 kW, 1920 kvar);
// - impedances by hand from the linecode matrices, lengths and units written in the files;
// - diagnostic positions from `indexOf` in the text the test writes.
// The data directory is /work/shared/data (EVG_DATA to override); without it the feeder tests skip.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NetBranch, NetworkData, PhaseNo } from '../src/network/model.js';
import { readOpenDss, type OpenDssResult } from '../src/network/opendss.js';
import { SHARED_DATA } from './shared-data.js';

const DATA = SHARED_DATA;
const IEEE = join(DATA, 'opendss', 'IEEETestCases');
const PMD = join(DATA, 'pmd');
const haveData = existsSync(join(IEEE, '13Bus', 'IEEE13Nodeckt.dss')) && existsSync(join(PMD, 'case3_balanced.dss'));

// ------------------------------------------------------------------------------------ independent counting

/** The statements of the files: comments removed, `~` continuation lines appended to the statement before. */
function statements(files: string[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    let block = false;
    for (const raw of readFileSync(f, 'latin1').split(/\r?\n/)) {
      if (raw.trimStart().startsWith('/*')) block = true;
      if (block) {
        if (raw.includes('*/')) block = false;
        continue;
      }
      const line = raw.replace(/(!|\/\/).*$/, '').trim();
      if (line === '') continue;
      if (/^(~|more\b|m\b)/i.test(line) && out.length > 0) out[out.length - 1] += ' ' + line.replace(/^(~|more|m)\s*/i, '');
      else out.push(line);
    }
  }
  return out;
}

/** `New Class.name ...` statements of a class. */
function news(stmts: string[], cls: string): string[] {
  const re = new RegExp(`^new\\s+(object\\s*=\\s*)?"?${cls}\\.`, 'i');
  return stmts.filter((s) => re.test(s));
}

/** A property's value as written (quotes kept off), or undefined. */
function prop(stmt: string, name: string): string | undefined {
  const re = new RegExp(`(?:^|[\\s,])${name.replace(/[%]/g, '\\$&')}\\s*=\\s*("[^"]*"|'[^']*'|\\([^)]*\\)|\\[[^\\]]*\\]|[^\\s,]+)`, 'i');
  const m = re.exec(stmt);
  if (!m) return undefined;
  const v = m[1]!;
  return /^["'([]/.test(v) ? v.slice(1, -1) : v;
}

/** Every bus named in bus1= bus2= bus= buses=[...] (names lower-cased, nodes cut), plus the circuit's. */
function busNames(stmts: string[]): Set<string> {
  const out = new Set<string>();
  let circuitBus = 'sourcebus';
  for (const s of stmts) {
    const vals: string[] = [];
    for (const n of ['bus1', 'bus2', 'bus']) {
      const re = new RegExp(`(?:^|\\s)${n}\\s*=\\s*([^\\s,]+)`, 'gi');
      for (const m of s.matchAll(re)) vals.push(m[1]!);
    }
    const buses = prop(s, 'buses');
    if (buses) vals.push(...buses.split(/[\s,]+/).filter((x) => x !== ''));
    if (/^new\s+(object\s*=\s*)?circuit\./i.test(s)) {
      const b = prop(s, 'bus1');
      if (b) circuitBus = b.split('.')[0]!.toLowerCase();
      continue;
    }
    for (const v of vals) out.add(v.split('.')[0]!.toLowerCase());
  }
  out.add(circuitBus);
  return out;
}

/** Nominal kW and kvar of each `New Load`, and their per-phase split (wye phase, or delta pair label ab=1 bc=2 ca=3). */
function loadTotals(stmts: string[]): { p: number; q: number; wye: number[]; delta: number[] } {
  let p = 0;
  let q = 0;
  const wye = [0, 0, 0, 0];
  const delta = [0, 0, 0, 0];
  for (const s of news(stmts, 'load')) {
    const kw = Number(prop(s, 'kw'));
    const kvarText = prop(s, 'kvar');
    const pf = prop(s, 'pf');
    const kvar = kvarText !== undefined ? Number(kvarText) : kw * Math.tan(Math.acos(Number(pf)));
    p += kw;
    q += kvar;
    const n = Number(prop(s, 'phases') ?? 3);
    const bus = prop(s, 'bus1')!;
    const given = bus.split('.').slice(1).map(Number);
    const nodes = [1, 2, 3].slice(0, n).map((d, i) => given[i] ?? d);
    const conn = (prop(s, 'conn') ?? 'wye').toLowerCase();
    if (conn.startsWith('d')) {
      // A 1-phase delta load written on one node (IEEE 34 Mod1's D832_858sa on 832.1) has its second
      // conductor on node 0 by OpenDSS's default: it is connected phase to ground.
      const pairs = n === 3 ? [[1, 2], [2, 3], [3, 1]] : [[given[0] ?? 1, given[1] ?? 0]];
      for (const [a, b] of pairs) {
        if (a === 0 || b === 0) {
          wye[a || b!]! += kw / pairs.length;
          continue;
        }
        const key = [a!, b!].sort().join('');
        const label = key === '12' ? 1 : key === '23' ? 2 : 3;
        delta[label]! += kw / pairs.length;
      }
    } else {
      for (const nd of nodes) wye[nd]! += kw / n;
    }
  }
  return { p, q, wye, delta };
}

// ------------------------------------------------------------------------------------ network checks

const sum = (a: readonly number[]) => a.reduce((x, y) => x + y, 0);

function loadSums(n: NetworkData): { p: number; q: number; wye: number[]; delta: number[] } {
  const wye = [0, 0, 0, 0];
  const delta = [0, 0, 0, 0];
  let p = 0;
  let q = 0;
  for (const l of n.loads) {
    p += sum(l.p);
    q += sum(l.q);
    l.phases.forEach((ph, i) => ((l.conn === 'wye' ? wye : delta)[ph]! += l.p[i]!));
  }
  return { p, q, wye, delta };
}

/**
 * The closed branches form a tree over the buses reachable from the root (parallel branches
 * between the same two buses on disjoint phases, a bank of single-phase units, count as one
 * edge), and every branch's phases are among those delivered to its upstream bus.
 */
function checkRadial(n: NetworkData): { reached: number; problems: string[] } {
  const problems: string[] = [];
  const closed = n.branches.filter((b) => !b.open);
  const busPhases = new Map(n.buses.map((b) => [b.name, new Set<number>(b.phases)]));
  for (const b of n.branches) {
    for (const p of b.phases) if (!busPhases.get(b.from)?.has(p)) problems.push(`${b.name} phase ${p} missing at ${b.from}`);
    for (const p of b.phasesTo ?? b.phases) if (!busPhases.get(b.to)?.has(p)) problems.push(`${b.name} phase ${p} missing at ${b.to}`);
  }
  const pairKey = (a: string, c: string) => (a < c ? `${a}|${c}` : `${c}|${a}`);
  const groups = new Map<string, NetBranch[]>();
  const adj = new Map<string, string[]>();
  for (const b of closed) {
    const k = pairKey(b.from, b.to);
    const g = groups.get(k);
    if (g) {
      g.push(b);
      continue;
    }
    groups.set(k, [b]);
    for (const [u, v] of [[b.from, b.to], [b.to, b.from]] as const) {
      const l = adj.get(u);
      if (l) l.push(v);
      else adj.set(u, [v]);
    }
  }
  for (const [k, g] of groups) {
    const seen = new Set<number>();
    for (const b of g)
      for (const p of b.phases) {
        if (seen.has(p)) problems.push(`parallel branches ${k} share phase ${p}`);
        seen.add(p);
      }
  }
  // BFS from the root: a tree reaches every bus once, with one edge (bus pair) per bus after the root.
  const parent = new Map<string, string>([[n.root, '']]);
  const delivered = new Map<string, Set<number>>([[n.root, busPhases.get(n.root)!]]);
  const queue = [n.root];
  let edges = 0;
  for (let i = 0; i < queue.length; i++) {
    const u = queue[i]!;
    for (const v of adj.get(u) ?? []) {
      if (v === parent.get(u)) continue;
      if (parent.has(v)) {
        problems.push(`a loop closes at ${u} -> ${v}`);
        continue;
      }
      parent.set(v, u);
      edges++;
      queue.push(v);
      const into = new Set<number>();
      for (const b of groups.get(pairKey(u, v))!) {
        const up = b.from === u ? b.phases : b.phasesTo ?? b.phases;
        for (const p of up) if (!delivered.get(u)!.has(p)) problems.push(`${b.name}: phase ${p} is not delivered to ${u}`);
        for (const p of b.from === u ? b.phasesTo ?? b.phases : b.phases) into.add(p);
      }
      delivered.set(v, into);
    }
  }
  if (edges !== queue.length - 1) problems.push(`${edges} edges for ${queue.length} buses`);
  // Loads and capacitors sit on phases their bus has.
  for (const l of [...n.loads, ...n.capacitors])
    for (const p of l.phases) {
      if (!busPhases.get(l.bus)!.has(p)) problems.push(`${l.name} phase ${p}`);
      if (l.conn === 'delta' && !busPhases.get(l.bus)!.has(p === 3 ? 1 : p + 1)) problems.push(`${l.name} pair ${p}`);
    }
  return { reached: queue.length, problems };
}

function branch(n: NetworkData, name: string): NetBranch {
  const b = n.branches.find((x) => x.name.toLowerCase() === name.toLowerCase());
  expect(b, name).toBeDefined();
  return b!;
}

function closeMatrix(actual: readonly (readonly number[])[] | undefined, expected: number[][], digits = 9): void {
  expect(actual).toBeDefined();
  expect(actual!.length).toBe(expected.length);
  actual!.forEach((row, i) => row.forEach((v, j) => expect(v, `[${i}][${j}]`).toBeCloseTo(expected[i]![j]!, digits)));
}

const diagonal = (v: number, n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (__, j) => (i === j ? v : 0)));
const scale = (m: number[][], k: number) => m.map((r) => r.map((v) => v * k));
const errorsOf = (r: OpenDssResult) => r.diagnostics.filter((d) => d.severity === 'error');

interface Feeder {
  master: string;
  files: string[];
  totals?: { p: number; q: number };
}

const FEEDERS: Record<string, Feeder> = {
  'IEEE 13': { master: '13Bus/IEEE13Nodeckt.dss', files: ['13Bus/IEEE13Nodeckt.dss', 'IEEELineCodes.DSS'], totals: { p: 3466, q: 2102 } },
  'IEEE 34 Mod1': { master: '34Bus/ieee34Mod1.dss', files: ['34Bus/ieee34Mod1.dss', 'IEEELineCodes.DSS'], totals: { p: 1769, q: 1044 } },
  'IEEE 34 Mod2': { master: '34Bus/ieee34Mod2.dss', files: ['34Bus/ieee34Mod2.dss', 'IEEELineCodes.DSS'], totals: { p: 1769, q: 1044 } },
  'IEEE 123': {
    master: '123Bus/IEEE123Master.dss',
    files: ['123Bus/IEEE123Master.dss', 'IEEELineCodes.DSS', '123Bus/IEEE123Regulators.DSS', '123Bus/IEEE123Loads.DSS'],
    totals: { p: 3490, q: 1920 },
  },
  'IEEE 8500': {
    master: '8500-Node/Master.dss',
    files: ['LineCodes2.DSS', 'Triplex_Linecodes.dss', 'Lines.dss', 'Transformers.dss', 'LoadXfmrCodes.dss', 'Triplex_Lines.DSS', 'Loads.dss', 'Capacitors.dss', 'CapControls.DSS', 'Regulators.dss'].map((f) => `8500-Node/${f}`).concat(['8500-Node/Master.dss']),
  },
};

describe.skipIf(!haveData)('IEEE test feeders', () => {
  // (vitest collects a skipped suite too: read nothing without the data)
  for (const [label, f] of haveData ? Object.entries(FEEDERS) : []) {
    describe(label, () => {
      const files = f.files.map((x) => join(IEEE, x));
      const stmts = statements(files);
      const r = readOpenDss(join(IEEE, f.master));
      const n = r.network;

      it('imports without errors', () => {
        expect(errorsOf(r)).toEqual([]);
      });

      it('has the buses, lines, transformers, regulators, capacitors and loads the files define', () => {
        expect(n.buses.length).toBe(busNames(stmts).size);
        expect(new Set(n.buses.map((b) => b.name))).toEqual(busNames(stmts));
        expect(n.branches.filter((b) => b.name.startsWith('Line.')).length).toBe(news(stmts, 'line').length);
        expect(n.branches.filter((b) => b.name.startsWith('Transformer.')).length).toBe(news(stmts, 'transformer').length);
        const regulated = new Set(news(stmts, 'regcontrol').map((s) => prop(s, 'transformer')!.toLowerCase()));
        expect(n.branches.filter((b) => b.kind === 'regulator').map((b) => b.name.slice('Transformer.'.length).toLowerCase()).sort()).toEqual([...regulated].sort());
        expect(n.capacitors.length).toBe(news(stmts, 'capacitor').length);
        expect(n.loads.length).toBe(news(stmts, 'load').length);
        expect(n.branches.filter((b) => b.kind === 'switch').length).toBe(news(stmts, 'line').filter((s) => /^(y|t)/i.test(prop(s, 'switch') ?? 'n')).length);
      });

      it('has the nominal load of the files, per phase', () => {
        const want = loadTotals(stmts);
        const got = loadSums(n);
        expect(got.p).toBeCloseTo(want.p, 6);
        expect(got.q).toBeCloseTo(want.q, 6);
        for (const ph of [1, 2, 3]) {
          expect(got.wye[ph]!, `wye phase ${ph}`).toBeCloseTo(want.wye[ph]!, 6);
          expect(got.delta[ph]!, `delta pair ${ph}`).toBeCloseTo(want.delta[ph]!, 6);
        }
        if (f.totals) {
          expect(got.p).toBeCloseTo(f.totals.p, 6);
          expect(got.q).toBeCloseTo(f.totals.q, 6);
        }
      });

      it('is radial: the closed branches form a tree over the buses, laterals within their parent phases', () => {
        const { reached, problems } = checkRadial(n);
        expect(problems).toEqual([]);
        expect(reached).toBe(n.buses.length);
        expect(n.buses.every((b) => b.kvBase !== undefined)).toBe(true);
      });
    });
  }

  it('IEEE 13: impedances of lines, the switch, the transformer and a regulator, by hand', () => {
    const r = readOpenDss(join(IEEE, '13Bus/IEEE13Nodeckt.dss'));
    const n = r.network;
    expect(n.root).toBe('sourcebus');
    expect(n.vRootPu).toBe(1.0001);
    expect(n.angleDeg).toBe(30);
    expect(n.frequency).toBe(60);
    expect(n.kvaBase).toBe(1000);
    // mtx601 (ohm/mile), 2000 ft from RG60 to 632.
    const r601 = [[0.3465, 0.156, 0.158], [0.156, 0.3375, 0.1535], [0.158, 0.1535, 0.3414]];
    const x601 = [[1.0179, 0.5017, 0.4236], [0.5017, 1.0478, 0.3849], [0.4236, 0.3849, 1.0348]];
    const l = branch(n, 'Line.650632');
    expect([l.from, l.to, l.kind]).toEqual(['rg60', '632', 'line']);
    closeMatrix(l.r, scale(r601, 2000 / 5280));
    closeMatrix(l.x, scale(x601, 2000 / 5280));
    // 632-670, 667 ft of the same code (the file splits 632-671 at the 670 load point).
    closeMatrix(branch(n, 'Line.632670').r, scale(r601, 667 / 5280));
    // mtx603 on phases c, b (written 632.3.2): conductor 1 is phase 3; in ascending order [b, c].
    const lcb = branch(n, 'Line.632645');
    expect(lcb.phases).toEqual([2, 3]);
    closeMatrix(lcb.r, scale([[1.3294, 0.2066], [0.2066, 1.3238]], 500 / 5280));
    closeMatrix(lcb.x, scale([[1.3471, 0.4591], [0.4591, 1.3569]], 500 / 5280));
    // mtx607, one phase, 800 ft, with its 236 nF/mile: b = 2 pi 60 C.
    const l1 = branch(n, 'Line.684652');
    expect(l1.phases).toEqual([1]);
    closeMatrix(l1.r, [[1.3425 * 800 / 5280]]);
    closeMatrix(l1.b, [[2 * Math.PI * 60 * 236e-9 * 1e6 * 800 / 5280]]);
    // The switch: r1 = r0 = 1e-4 ohm per unit of a 0.001-long line (switch=y's length).
    const sw = branch(n, 'Line.671692');
    expect(sw.kind).toBe('switch');
    closeMatrix(sw.r, diagonal(1e-4 * 0.001, 3), 15);
    closeMatrix(sw.x, diagonal(0, 3), 15);
    // XFM1: 500 kVA 4.16/0.48 kV, %r 0.55 each winding, XHL 2 %, referred to 0.48 kV.
    const zb = 0.48 ** 2 / 0.5;
    const t = branch(n, 'Transformer.XFM1');
    expect([t.kind, t.from, t.to, t.kva, t.kvFrom, t.kvTo, t.connFrom, t.connTo]).toEqual(['transformer', '633', '634', 500, 4.16, 0.48, 'wye', 'wye']);
    closeMatrix(t.r, diagonal(0.011 * zb, 3));
    closeMatrix(t.x, diagonal(0.02 * zb, 3));
    // Reg1: 1666 kVA, 2.4 kV windings, %LoadLoss 0.01, XHL 0.01 %; OpenDSS's default tap range.
    const g = branch(n, 'Transformer.Reg1');
    const zr = 2.4 ** 2 / 1.666;
    expect([g.kind, g.from, g.to, g.phases]).toEqual(['regulator', '650', 'rg60', [1]]);
    closeMatrix(g.r, [[0.0001 * zr]]);
    closeMatrix(g.x, [[0.0001 * zr]]);
    expect([g.tap, g.tapMin, g.tapMax, g.tapSteps]).toEqual([1, 0.9, 1.1, 32]);
    expect([g.vreg, g.band, g.ptratio]).toEqual([122, 2, 20]); // regcontrol.Reg1 vreg=122 band=2 ptratio=20
    expect(g.kvFrom).toBeCloseTo(2.4 * Math.sqrt(3), 12);
    // Loads: 671 delta 1155 kW over ab, bc, ca; 692 on 692.3.1 is the ca pair.
    const l671 = n.loads.find((x) => x.name === 'Load.671')!;
    expect([l671.conn, l671.phases, l671.p, l671.q]).toEqual(['delta', [1, 2, 3], [385, 385, 385], [220, 220, 220]]);
    const l692 = n.loads.find((x) => x.name === 'Load.692')!;
    expect([l692.conn, l692.phases, l692.p, l692.model]).toEqual(['delta', [3], [170], 5]);
    expect(n.capacitors.find((c) => c.name === 'Capacitor.Cap1')!.q).toEqual([200, 200, 200]);
    // Voltage bases from Set Voltagebases=[115, 4.16, .48] and the transformers.
    const kv = new Map(n.buses.map((b) => [b.name, b.kvBase]));
    expect([kv.get('sourcebus'), kv.get('650'), kv.get('rg60'), kv.get('634'), kv.get('611')]).toEqual([115, 4.16, 4.16, 0.48, 4.16]);
    // BusCoords IEEE13Node_BusXY.csv: "SourceBus, 200, 400".
    expect(n.buses.find((b) => b.name === 'sourcebus')).toMatchObject({ x: 200, y: 400 });
    // Where Line.650632 is defined.
    const text = readFileSync(join(IEEE, '13Bus/IEEE13Nodeckt.dss'), 'latin1').split(/\r?\n/);
    expect(n.origin?.get('Line.650632')).toEqual({ file: join(IEEE, '13Bus/IEEE13Nodeckt.dss'), line: text.findIndex((s) => s.includes('Line.650632')) + 1 });
    expect(n.unsupported).toMatchObject([{ element: 'command Solve', count: 1, example: 'Solve' }]);
    // Where the first one is, for the warning's file:line.
    expect(n.unsupported[0]!.at?.line).toBeGreaterThan(0);
  });

  it('IEEE 34: linecode 300 over 2.58 kft, regulators and voltage bases', () => {
    const n = readOpenDss(join(IEEE, '34Bus/ieee34Mod1.dss')).network;
    const r300 = [[0.253181818, 0.039791667, 0.040340909], [0.039791667, 0.250719697, 0.039128788], [0.040340909, 0.039128788, 0.251780303]];
    closeMatrix(branch(n, 'Line.L1').r, scale(r300, 2.58));
    // reg1a: 20000 kVA, 14.376 kV windings, XHL 1 %, %R the default 0.2 % per winding.
    const g = branch(n, 'Transformer.reg1a');
    const zb = 14.376 ** 2 / 20;
    expect([g.kind, g.from, g.to, g.phases]).toEqual(['regulator', '814', '814r', [1]]);
    closeMatrix(g.r, [[0.004 * zb]]);
    closeMatrix(g.x, [[0.01 * zb]]);
    expect(g.kvFrom).toBeCloseTo(24.9, 2);
    const kv = new Map(n.buses.map((b) => [b.name, b.kvBase]));
    expect([kv.get('sourcebus'), kv.get('800'), kv.get('814r'), kv.get('888'), kv.get('890')]).toEqual([69, 24.9, 24.9, 4.16, 4.16]);
    expect(n.vRootPu).toBe(1.05);
    // S830a: 1-phase delta on 830.1.2 (ab); D802_806sb: wye on phase b.
    expect(n.loads.find((l) => l.name === 'Load.S830a')).toMatchObject({ conn: 'delta', phases: [1], p: [10], q: [5] });
    expect(n.loads.find((l) => l.name === 'Load.D802_806sb')).toMatchObject({ conn: 'wye', phases: [2], p: [15], q: [7.5], kv: 14.376 });
  });

  it('IEEE 123: like=, a delta-delta transformer, switches, and the Run script with its Compile', () => {
    const n = readOpenDss(join(IEEE, '123Bus/IEEE123Master.dss')).network;
    expect(n.root).toBe('150');
    const a = branch(n, 'Transformer.reg3a');
    const c = branch(n, 'Transformer.reg3c'); // like=reg3a, buses=[25.3 25r.3]
    expect([c.kind, c.from, c.to, c.phases, c.kva]).toEqual(['regulator', '25', '25r', [3], 2000]);
    expect(c.r).toEqual(a.r);
    closeMatrix(c.x, [[0.0001 * 2.402 ** 2 / 2]]);
    const zb = 0.48 ** 2 / 0.15;
    const t = branch(n, 'Transformer.XFM1');
    expect([t.connFrom, t.connTo]).toEqual(['delta', 'delta']);
    closeMatrix(t.r, diagonal(2 * 0.00635 * zb, 3));
    closeMatrix(t.x, diagonal(0.0272 * zb, 3));
    // Sw1: r1 = r0 = 1e-3 ohm per unit, length 0.001.
    closeMatrix(branch(n, 'Line.Sw1').r, diagonal(1e-6, 3), 15);
    const run = readOpenDss(join(IEEE, '123Bus/Run_IEEE123Bus.DSS'));
    expect(errorsOf(run)).toEqual([]);
    // The second Compile re-runs Clear, then sets reg taps with RPN: (0.00625 7 * 1 +).
    expect(branch(run.network, 'Transformer.reg1a').tap).toBeCloseTo(1 + 7 * 0.00625, 12);
    expect(branch(run.network, 'Transformer.reg2a').tap).toBeCloseTo(1 - 0.00625, 12);
    expect(run.network.loads.length).toBe(n.loads.length);
    const elements = new Map(run.network.unsupported.map((u) => [u.element, u]));
    expect(elements.get('EnergyMeter')).toMatchObject({ element: 'EnergyMeter', count: 1, example: 'Feeder' });
    expect(elements.has('command Solve')).toBe(true);
  });

  it('IEEE 8500: the source reactor (RPN), a feeder regulator, a centre-tapped service transformer, the time', () => {
    const t0 = performance.now();
    const r = readOpenDss(join(IEEE, '8500-Node/Run_8500Node.dss')); // Compile (master.dss): the file is Master.dss
    const ms = performance.now() - t0;
    console.log(`IEEE 8500-node import: ${ms.toFixed(0)} ms, ${r.network.buses.length} buses, ${r.network.branches.length} branches, ${r.network.loads.length} loads`);
    expect(ms).toBeLessThan(5000);
    expect(errorsOf(r)).toEqual([]);
    const n = r.network;
    // x=(1.051 0.88 0.001 3 * - - 115 12.47 / sqr *)
    const re = branch(n, 'Reactor.HVMV_Sub_HSB');
    expect([re.kind, re.from, re.to]).toEqual(['line', 'sourcebus', 'hvmv_sub_hsb']);
    closeMatrix(re.x, diagonal((1.051 - (0.88 - 0.001 * 3)) * (115 / 12.47) ** 2, 3));
    // FEEDER_REGA: 7.2 kV, 27500 kVA, %loadloss .001, xhl 0.1 %, Maxtap 1.1 Mintap 0.9 on winding 2.
    const g = branch(n, 'Transformer.FEEDER_REGA');
    const zg = 7.2 ** 2 / 27.5;
    expect([g.kind, g.phases, g.tapMin, g.tapMax, g.tapSteps, g.vreg, g.band, g.ptratio]).toEqual(['regulator', [1], 0.9, 1.1, 32, 126.5, 2, 60]);
    closeMatrix(g.r, [[0.00001 * zg]]);
    closeMatrix(g.x, [[0.001 * zg]]);
    // T21396254A, XfmrCode CT15: 15 kVA, 7.2/0.12/0.12 kV, %Rs 0.6 1.2 1.2, Xhl = Xht = 2.04, Xlt 1.36 %.
    const ct = branch(n, 'Transformer.T21396254A');
    expect([ct.from, ct.to, ct.phases, ct.phasesTo]).toEqual(['l2804253', 'x2804253a', [1], [1, 2]]);
    const zl = 0.12 ** 2 / 0.015;
    const [xh, xl, xt] = [(2.04 + 2.04 - 1.36) / 200, (2.04 + 1.36 - 2.04) / 200, (2.04 + 1.36 - 2.04) / 200];
    closeMatrix(ct.r, [[(0.006 + 0.012) * zl, -0.006 * zl], [-0.006 * zl, (0.006 + 0.012) * zl]]);
    closeMatrix(ct.x, [[(xh + xl) * zl, -xh * zl], [-xh * zl, (xh + xt) * zl]]);
    // Balanced loads: kW split over the two legs, kvar from pf 0.97.
    const l = n.loads.find((x) => x.name === 'Load.138236B0')!;
    expect([l.bus, l.conn, l.phases]).toEqual(['sx2673305b', 'wye', [1, 2]]);
    expect(l.p[0]).toBeCloseTo(3.89 / 2, 12);
    expect(l.q[0]).toBeCloseTo((3.89 / 2) * Math.tan(Math.acos(0.97)), 12);
    // Switches written `switch=y ... enabled=False` are open.
    expect(branch(n, 'Line.WD701_48332_sw').open).toBe(true);
    expect(n.unsupported).toContainEqual(expect.objectContaining({ element: 'CapControl', count: 9, example: 'CAPBank2A_Ctrl' }));
    const kvs = new Set(n.buses.map((b) => b.kvBase));
    expect(kvs).toEqual(new Set([115, 12.47, 0.208]));
  });

  it('IEEE 8500 unbalanced: the same network with 1-phase loads', () => {
    const stmts = statements(['8500-Node/UnbalancedLoads.DSS'].map((x) => join(IEEE, x)));
    const r = readOpenDss(join(IEEE, '8500-Node/Master-unbal.dss'));
    expect(errorsOf(r)).toEqual([]);
    expect(r.network.loads.length).toBe(news(stmts, 'load').length);
    expect(loadSums(r.network).p).toBeCloseTo(loadTotals(stmts).p, 6);
  });
});

describe.skipIf(!haveData)('PowerModelsDistribution cases', () => {
  it('case3_balanced: positional bus2 and kV, a 50 Hz system, linecodes without units', () => {
    const r = readOpenDss(join(PMD, 'case3_balanced.dss'));
    expect(errorsOf(r)).toEqual([]);
    const n = r.network;
    expect([n.name, n.root, n.vRootPu, n.frequency]).toEqual(['3Bus_example', 'sourcebus', 0.9959, 50]);
    expect(n.buses.map((b) => [b.name, b.phases, b.kvBase])).toEqual([['sourcebus', [1, 2, 3], 0.4], ['primary', [1, 2, 3], 0.4], ['loadbus', [1, 2, 3], 0.4]]);
    const l = branch(n, 'Line.OHLine');
    expect([l.from, l.to]).toEqual(['sourcebus', 'primary']);
    closeMatrix(l.r, [[0.1, 0.04, 0.04], [0.04, 0.1, 0.04], [0.04, 0.04, 0.1]]);
    closeMatrix(l.x, [[0.0583, 0.0233, 0.0233], [0.0233, 0.0583, 0.0233], [0.0233, 0.0233, 0.0583]]);
    closeMatrix(l.b, diagonal(2 * Math.PI * 50 * 50.92958178940651e-3, 3));
    const loads = n.loads.map((x) => [x.name, x.bus, x.phases, x.p, x.q]);
    expect(loads).toEqual([['Load.L1', 'loadbus', [1], [6], [3]], ['Load.L2', 'loadbus', [2], [6], [3]], ['Load.L3', 'loadbus', [3], [6], [3]]]);
    expect(n.loads[0]!.kv).toBeCloseTo(0.4 / Math.sqrt(3), 14);
    expect(n.unsupported.map((u) => u.element).sort()).toEqual(['LoadShape', 'command Solve']);
  });

  it('the delta-load, missing-edge and battery cases', () => {
    const d = readOpenDss(join(PMD, 'case3_unbalanced_delta_loads.dss'));
    expect(errorsOf(d)).toEqual([]);
    expect(d.network.loads.map((l) => [l.name, l.conn, l.phases, l.p, l.model])).toEqual([
      ['Load.L1', 'delta', [1], [9], 1], ['Load.L2', 'delta', [2], [6], 2], ['Load.L3', 'delta', [3], [6], 5],
      ['Load.L4', 'wye', [1], [9], 1], ['Load.L5', 'wye', [2], [6], 2], ['Load.L6', 'wye', [3], [6], 5],
    ]);
    const m = readOpenDss(join(PMD, 'case3_unbalanced_missingedge.dss'));
    expect(errorsOf(m)).toEqual([]);
    expect(branch(m.network, 'Line.Quad').phases).toEqual([1, 2]);
    expect(m.network.buses.find((b) => b.name === 'loadbus')!.phases).toEqual([1, 2]);
    expect(m.network.loads.find((l) => l.name === 'Load.L3')).toMatchObject({ bus: 'primary', phases: [3] });
    const u = readOpenDss(join(PMD, 'case3_unbalanced.dss'));
    expect(sum(u.network.loads.map((l) => sum(l.p)))).toBe(21);
    const b = readOpenDss(join(PMD, 'case3_balanced_battery.dss'));
    expect(errorsOf(b)).toEqual([]);
    expect(b.network.generators).toEqual([{ name: 'Storage.S1', kind: 'storage', bus: 'primary', phases: [1, 2, 3], kw: 5, kvar: 0, kva: 5 }]);
    expect(new Set(b.network.unsupported.map((u) => u.element))).toEqual(new Set(['LoadShape', 'Monitor', 'command Solve', 'command Plot']));
  });
});

// ------------------------------------------------------------------------------------ malformed input

function script(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'evg-dss-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** 1-based line and column of `needle` in `text` (the n-th occurrence). */
function at(text: string, needle: string, nth = 1): { line: number; col: number } {
  let i = -1;
  for (let k = 0; k < nth; k++) i = text.indexOf(needle, i + 1);
  expect(i, needle).toBeGreaterThanOrEqual(0);
  const before = text.slice(0, i).split('\n');
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}

describe('malformed input', () => {
  const main = [
    'Clear',
    'New Circuit.t basekv=12.47 bus1=src',
    'New Line.a bus1=src bus2=b lenght=3',
    'New Line.b bus1=b bus2=c length=abc',
    'Redirect missing.dss',
    'New Line.c bus1=c bus2=d rmatrix=(1 | 2 3',
    'New Load.l1 bus1=c.1 phases=1 kV=(12.47 3 sqrt /) kW=10 kvar=5',
    'Redirect sub.dss',
    'Nwe Line.x bus1=a bus2=b',
    'New Widget.w1 bus1=a',
    'Edit Line.nosuch length=2',
    'New Line.e bus1=d bus2=e length=(2 3 frob)',
    'New Load.l2 bus1=c.1.x phases=1',
    '',
  ].join('\n');
  const sub = ['! a redirected file', 'New Line.s bus1=c bus2=s units=furlong', ''].join('\n');
  const dir = script({ 'main.dss': main, 'sub.dss': sub });
  const r = readOpenDss(join(dir, 'main.dss'));
  const diag = (needle: string, file = 'main.dss', text = main) => {
    const p = at(text, needle);
    const d = r.diagnostics.find((x) => x.file === join(dir, file) && x.line === p.line && x.col === p.col);
    expect(d, `a diagnostic at ${file}:${p.line}:${p.col} (${needle}); got ${JSON.stringify(r.diagnostics)}`).toBeDefined();
    return d!;
  };

  it('an unknown property, at the property name', () => {
    const d = diag('lenght');
    expect(d.severity).toBe('error');
    expect(d.message).toMatch(/unknown property 'lenght' of Line/);
  });

  it('a bad number, at the value', () => {
    expect(diag('abc').message).toMatch(/expected a number for Line\.b\.length, found 'abc'/);
    // The line is still there, with OpenDSS's default length 1 and sequence impedances (r1 0.058, r0 0.1784).
    expect(branch(r.network, 'Line.b').r[0]![0]).toBeCloseTo((2 * 0.058 + 0.1784) / 3, 12);
  });

  it('a missing redirect file, at the file name', () => {
    expect(diag('missing.dss').message).toMatch(/cannot find the file 'missing\.dss'/);
  });

  it('an unterminated bracket, at the bracket', () => {
    expect(diag('(1 | 2 3').message).toMatch(/unterminated '\('/);
  });

  it('a problem in a redirected file, at that file\'s own line and column', () => {
    const d = diag('furlong', 'sub.dss', sub);
    expect(d.line).toBe(2);
    expect(d.message).toMatch(/unknown length unit 'furlong'/);
  });

  it('an unknown command, an unknown class, an undefined object, a bad RPN word, a bad node', () => {
    expect(diag('Nwe').message).toMatch(/unknown command 'Nwe'/);
    expect(diag('Widget').message).toMatch(/unknown OpenDSS class 'Widget'/);
    expect(diag('Line.nosuch').message).toMatch(/Line\.nosuch is not defined/);
    expect(diag('frob').message).toMatch(/invalid inline math entry 'frob'/);
    expect(diag('x phases=1').message).toMatch(/node numbers are non-negative integers; found 'x'/);
    expect(r.diagnostics.every((d) => d.severity === 'error' || d.severity === 'warning')).toBe(true);
  });

  it('evaluates an RPN value: kV=(12.47 3 sqrt /)', () => {
    const l = r.network.loads.find((x) => x.name === 'Load.l1')!;
    expect(l.kv).toBeCloseTo(12.47 / Math.sqrt(3), 14);
    expect([l.phases, l.p, l.q]).toEqual([[1], [10], [5]]);
  });

  it('RPN operators: stack order, sqr, ^, inv, trigonometry in degrees, pi, swap', () => {
    const cases: [string, number][] = [
      ['(0.00625 12 * 1 +)', 1.075],
      ['(8 1000 /)', 0.008],
      ['(2 10 ^)', 1024],
      ['(3 sqr 4 sqr + sqrt)', 5],
      ['(4 inv)', 0.25],
      ['(30 sin)', 0.5],
      ['(pi 2 /)', Math.PI / 2],
      ['(1 2 swap -)', 1],
      ['"14.376"', 14.376],
      ['[100 ln exp]', 100],
    ];
    const text = ['New Circuit.rpn', ...cases.map(([e], i) => `New Load.l${i} bus1=b.1 phases=1 kV=${e}`), ''].join('\n');
    const d = script({ 'rpn.dss': text });
    const res = readOpenDss(join(d, 'rpn.dss'));
    expect(errorsOf(res)).toEqual([]);
    cases.forEach(([e, v], i) => expect(res.network.loads[i]!.kv, e).toBeCloseTo(v, 12));
  });

  it('comments, continuation lines, quoted arrays, abbreviations, the property-assignment form, block comments', () => {
    const text = [
      'clear  // comment',
      'new object=circuit.c ! comment',
      '~basekv=4.16',
      'more pu=1.02',
      '/* a block',
      'New Line.ignored bus1=x bus2=y',
      '*/',
      'New LineCode.lc nphases=2 units=kft',
      '~ rmatrix="1 | 0.5 2" xmatrix=[1, 0.5 | 0.5, 1] cmatrix={0 | 0 0}',
      'New Line.l bus1=sourcebus.3.1 bus2=b.3.1 linecode=LC length=500 units=ft',
      'line.L.length=1000',
      'New Transformer.t windings=2 buses=(b.1.3.0, c.1.3) phases=2 kvs="4.16, 0.48" kvas=[100 100] xhl=5 %rs=[1 1]',
      'New Load.x bus1=c.1 phases=1 kw=3 pf=-0.8 kV=0.277',
      'New Load.y bus1=c.1.3 phases=1 kva=5 pf=0.6 kV=0.48 conn=ll',
      'New Capacitor.k bus1=b phases=3 kvar=[100 200]',
      'Set voltagebases="4.16 0.48" defaultbasefrequency=50',
      'calcv',
      '',
    ].join('\n');
    const d = script({ 'm.dss': text });
    const res = readOpenDss(join(d, 'm.dss'));
    expect(errorsOf(res)).toEqual([]);
    const n = res.network;
    expect([n.name, n.vRootPu, n.frequency]).toEqual(['c', 1.02, 50]);
    expect(n.branches.map((b) => b.name)).toEqual(['Line.l', 'Transformer.t']);
    // The code's order-2 matrix on conductors (3, 1): ascending phases [1, 3] swap its rows and columns.
    const l = branch(n, 'Line.l');
    expect(l.phases).toEqual([1, 3]);
    closeMatrix(l.r, [[2 * 1000 / 1000, 0.5], [0.5, 1 * 1000 / 1000]]);
    const t = branch(n, 'Transformer.t');
    expect([t.phases, t.kvFrom, t.kvTo]).toEqual([[1, 3], 4.16, 0.48]);
    closeMatrix(t.r, diagonal(0.02 * 0.48 ** 2 / 0.1, 2));
    const x = n.loads.find((o) => o.name === 'Load.x')!;
    expect(x.q[0]).toBeCloseTo(-3 * 0.75, 12);
    const y = n.loads.find((o) => o.name === 'Load.y')!;
    expect([y.conn, y.phases]).toEqual(['delta', [3]]);
    expect(y.p[0]).toBeCloseTo(3, 12);
    expect(y.q[0]).toBeCloseTo(4, 12);
    expect(n.capacitors[0]!.q).toEqual([100, 100, 100]);
    expect(new Map(n.buses.map((b) => [b.name, b.kvBase]))).toEqual(new Map([['sourcebus', 4.16], ['b', 4.16], ['c', 0.48]]));
  });

  it('never throws, whatever the text', () => {
    const word = fc.constantFrom('New', 'Line.a', 'Load.b', 'Transformer.t', 'bus1=', 'x.1.2', '~', 'Redirect', 'Edit', 'Set', 'voltagebases=', '(', ')', '[1 2 |', '"', "'", '!', '//', '/*', '*/', '=', ',', 'phases=', '3', '-1', 'abc', 'like=a', 'linecode=z', 'buses=[a b c]', 'windings=3', 'wdg=5', 'Open', 'Line.a', 'New Circuit.c', 'rmatrix=(1|2 3)', 'kV=(1 0 /)');
    const line = fc.array(word, { maxLength: 8 }).map((ws) => ws.join(' '));
    const d = mkdtempSync(join(tmpdir(), 'evg-dss-fuzz-'));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
        const f = join(d, 'f.dss');
        writeFileSync(f, lines.join('\n'));
        const res = readOpenDss(f);
        for (const x of res.diagnostics) {
          expect(x.line).toBeGreaterThanOrEqual(1);
          expect(x.col).toBeGreaterThanOrEqual(1);
          expect(dirname(x.file)).toBe(d);
        }
        expect(res.diagnostics.some((x) => x.message.startsWith('internal error'))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('a script with no circuit is an error, not an exception', () => {
    const d = script({ 'e.dss': 'New LineCode.x nphases=1\n' });
    const res = readOpenDss(join(d, 'e.dss'));
    expect(errorsOf(res).map((x) => x.message)).toEqual([expect.stringMatching(/defines no circuit/)]);
    expect(res.network.buses).toEqual([]);
    const none = readOpenDss(join(d, 'nosuch.dss'));
    expect(errorsOf(none)[0]!.message).toMatch(/cannot find the file/);
  });
});

// Phases used in literals above, checked against the type.
const _phase: PhaseNo = 1;
void _phase;
