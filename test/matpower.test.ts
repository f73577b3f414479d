// The MATPOWER importer: case33bw as published (Baran & Wu 1989, Table of line and load data),
// the case file's own unit conversion, the usual p.u. format, and bad input that must come back
// as diagnostics with a line and column, never as an exception.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMatpower, readMatpower } from '../src/network/matpower.js';
import { haveSharedData, sharedData } from './shared-data.js';

const DATA = sharedData('matpower');
const CASE33 = join(DATA, 'case33bw.m');

/** A small MATPOWER version-2 case with the given bus and branch rows (and extra text after). */
function caseText(bus: string, branch: string, extra = '', baseMVA = '100'): string {
  return [
    'function mpc = tiny',
    "mpc.version = '2';",
    `mpc.baseMVA = ${baseMVA};`,
    '%	bus_i	type	Pd	Qd	Gs	Bs	area	Vm	Va	baseKV	zone	Vmax	Vmin',
    'mpc.bus = [',
    bus,
    '];',
    'mpc.gen = [',
    '	1	0	0	10	-10	1.02	100	1	10	0;',
    '];',
    'mpc.branch = [',
    branch,
    '];',
    extra,
  ].join('\n');
}

const BUS3 = [
  '	1	3	0	0	0	0	1	1	0	12.66	1	1.1	0.9;',
  '	2	1	1.0	0.5	0	0	1	1	0	12.66	1	1.1	0.9;',
  '	3	1	0.5	0.2	0	0	1	1	0	12.66	1	1.1	0.9;',
].join('\n');
const BR3 = [
  '	1	2	0.01	0.02	0	0	0	0	0	0	1	-360	360;',
  '	2	3	0.02	0.04	0	0	0	0	0	0	1	-360	360;',
].join('\n');

describe.skipIf(!haveSharedData)('case33bw', () => {
  const { network: net, diagnostics, conversions } = readMatpower(CASE33);

  it('reads without diagnostics, and applies the file\'s own conversion (lines 122 and 125)', () => {
    expect(diagnostics).toEqual([]);
    expect(conversions.map((c) => c.line)).toEqual([122, 125]);
    expect(conversions[0]!.text).toContain('/ (Vbase^2 / Sbase)');
  });

  it('has the published topology: 33 buses, 32 closed lines and 5 open tie lines', () => {
    expect(net.name).toBe('case33bw');
    expect(net.root).toBe('1');
    expect(net.vRootPu).toBe(1);
    expect(net.kvaBase).toBe(10_000);
    expect(net.positiveSequence).toBe(true);
    expect(net.buses).toHaveLength(33);
    expect(net.buses.every((b) => b.phases.length === 1 && b.phases[0] === 1 && b.kvBase === 12.66)).toBe(true);
    expect(net.branches).toHaveLength(37);
    const open = net.branches.filter((b) => b.open).map((b) => `${b.from}-${b.to}`);
    // Baran & Wu's tie lines.
    expect(open).toEqual(['21-8', '9-15', '12-22', '18-33', '25-29']);
    expect(net.branches.every((b) => b.kind === 'line' && b.phases.length === 1 && b.r.length === 1 && b.r[0]!.length === 1)).toBe(true);
  });

  it('keeps the ohms and kW the paper gives (the conversion to p.u. and back is exact)', () => {
    // Baran & Wu: line 1-2 is 0.0922 + j0.0470 ohm, line 17-18 0.7320 + j0.5740 ohm, tie 18-33 0.5 + j0.5.
    const br = (f: string, t: string) => net.branches.find((b) => b.from === f && b.to === t)!;
    expect(br('1', '2').r[0]![0]).toBeCloseTo(0.0922, 12);
    expect(br('1', '2').x[0]![0]).toBeCloseTo(0.047, 12);
    expect(br('17', '18').r[0]![0]).toBeCloseTo(0.732, 12);
    expect(br('17', '18').x[0]![0]).toBeCloseTo(0.574, 12);
    expect(br('18', '33').r[0]![0]).toBeCloseTo(0.5, 12);
    // Loads: 100 + j60 kW at bus 2, 200 + j600 at bus 30; total 3715 kW and 2300 kvar (Baran & Wu).
    const load = (b: string) => net.loads.find((l) => l.bus === b)!;
    expect(load('2')).toMatchObject({ conn: 'wye', phases: [1] });
    expect(load('2').p[0]).toBeCloseTo(100, 9);
    expect(load('2').q[0]).toBeCloseTo(60, 9);
    expect(load('30').q[0]).toBeCloseTo(600, 9);
    expect(net.loads.reduce((s, l) => s + l.p[0]!, 0)).toBeCloseTo(3715, 9);
    expect(net.loads.reduce((s, l) => s + l.q[0]!, 0)).toBeCloseTo(2300, 9);
    expect(net.loads).toHaveLength(32);
    expect(net.origin?.get('branch 1')).toEqual({ file: CASE33, line: 66 });
  });

  it('reads the same network when the conversion is written another way', () => {
    const text = readFileSync(CASE33, 'utf8');
    const i = text.indexOf('%% convert branch impedances');
    const alt = `${text.slice(0, i)}
Zbase = 12.66^2 / mpc.baseMVA;   % ohm
mpc.branch(:, 3:4) = mpc.branch(:, 3:4) ./ Zbase;
mpc.bus(:, [3 4]) = mpc.bus(:, [3, 4]) * 1e-3;
`;
    const r = parseMatpower(alt, 'alt.m');
    expect(r.diagnostics).toEqual([]);
    expect(r.conversions).toHaveLength(2);
    expect(r.network.branches.map((b) => b.r[0]![0])).toEqual(net.branches.map((b) => expect.closeTo(b.r[0]![0]!, 12)));
    expect(r.network.loads.map((l) => l.p[0])).toEqual(net.loads.map((l) => expect.closeTo(l.p[0]!, 9)));
  });

  it('reads the values as the matrices state them when the conversion is not interpretable, and says so', () => {
    const text = readFileSync(CASE33, 'utf8');
    const i = text.indexOf('%% convert branch impedances');
    const alt = `${text.slice(0, i)}if true\n  mpc.bus(:, 3) = 0;\nend\n`;
    const r = parseMatpower(alt, 'alt.m');
    const w = r.diagnostics.filter((d) => d.severity === 'warning');
    const line = alt.slice(0, alt.indexOf('if true')).split('\n').length;
    expect(w).toEqual([expect.objectContaining({ line, col: 1, message: expect.stringContaining('`if` block is not interpreted') })]);
    // Without the conversion, the matrix's 0.0922 is read as p.u.: 0.0922 * 12.66^2 / 10 ohm.
    expect(r.network.branches[0]!.r[0]![0]).toBeCloseTo((0.0922 * 12.66 ** 2) / 10, 10);
    expect(r.network.loads[0]!.p[0]).toBeCloseTo(100 * 1000, 6);
  });
});

describe('the MATPOWER format', () => {
  it('converts p.u. impedances and MW loads to ohm and kW on the bus base', () => {
    const r = parseMatpower(caseText(BUS3, BR3), 'tiny.m');
    expect(r.diagnostics).toEqual([]);
    expect(r.conversions).toEqual([]);
    const zb = 12.66 ** 2 / 100; // ohm
    expect(r.network.branches[0]!.r[0]![0]).toBeCloseTo(0.01 * zb, 12);
    expect(r.network.branches[1]!.x[0]![0]).toBeCloseTo(0.04 * zb, 12);
    expect(r.network.loads.map((l) => [l.bus, l.p[0], l.q[0]])).toEqual([['2', 1000, 500], ['3', 500, 200]]);
    // The root voltage is the reference generator's setpoint Vg, as in MATPOWER.
    expect(r.network.vRootPu).toBe(1.02);
    expect(r.network.kvaBase).toBe(100_000);
  });

  it('reads transformers (ratio != 0), line charging, ratings and shunts', () => {
    const bus = [
      '	1	3	0	0	0	0	1	1	0	12.66	1	1.1	0.9;',
      '	2	1	0	0	0.1	0.3	1	1	0	12.66	1	1.1	0.9;',
      '	3	1	0.5	0.2	0	0	1	1	0	4.16	1	1.1	0.9;',
    ].join('\n');
    const br = [
      '	1	2	0.01	0.02	0.002	5	0	0	0	0	1	-360	360;',
      '	2	3	0.005	0.06	0	0	0	0	0.975	0	1	-360	360;',
    ].join('\n');
    const r = parseMatpower(caseText(bus, br), 'x.m');
    expect(r.diagnostics).toEqual([]);
    const [line, xfm] = r.network.branches;
    expect(line!.kind).toBe('line');
    expect(line!.b![0]![0]).toBeCloseTo((0.002 / (12.66 ** 2 / 100)) * 1e6, 9); // uS
    expect(line!.ampacity).toBeCloseTo(5000 / (Math.sqrt(3) * 12.66), 9); // 5 MVA at 12.66 kV
    expect(xfm).toMatchObject({ kind: 'transformer', kvFrom: 12.66, kvTo: 4.16 });
    expect(xfm!.tap).toBeCloseTo(1 / 0.975, 12);
    expect(xfm!.x[0]![0]).toBeCloseTo((0.06 * 4.16 ** 2) / 100, 12);
    expect(r.network.capacitors).toEqual([expect.objectContaining({ bus: '2', q: [300] })]);
    expect(r.network.loads.find((l) => l.bus === '2')).toMatchObject({ model: 2, p: [100], q: [0] });
  });

  it('reads version-1 case functions', () => {
    const text = [
      'function [baseMVA, bus, gen, branch, areas, gencost] = old',
      'baseMVA = 10;',
      `bus = [\n${BUS3}\n];`,
      'gen = [ 1 0 0 10 -10 1 100 1 10 0 ];',
      `branch = [\n${BR3}\n];`,
      'return;',
    ].join('\n');
    const r = parseMatpower(text, 'old.m');
    expect(r.diagnostics).toEqual([]);
    expect(r.network.name).toBe('old');
    expect(r.network.buses).toHaveLength(3);
    expect(r.network.branches[1]!.r[0]![0]).toBeCloseTo((0.02 * 12.66 ** 2) / 10, 12);
  });

  it('follows MATLAB\'s rules for whitespace in matrices, comments and continuations', () => {
    // [10 - 5] is 5; [10 -5] is two elements.
    expect(parseMatpower(caseText(BUS3, BR3, '', '[10 - 5]'), 'a.m').network.kvaBase).toBe(5000);
    const two = parseMatpower(caseText(BUS3, BR3, '', '[10 -5]'), 'a.m');
    expect(two.diagnostics).toEqual([expect.objectContaining({ severity: 'error', message: expect.stringContaining('baseMVA must be a positive number') })]);
    const cont = caseText(BUS3.replace('0	12.66	1	1.1	0.9;', '0 ...  a continuation\n 12.66	1	1.1	0.9;'), BR3, '%{\nmpc.baseMVA = 1;\n%}\n% mpc.baseMVA = 2;');
    const r = parseMatpower(cont, 'c.m');
    expect(r.diagnostics).toEqual([]);
    expect(r.network.kvaBase).toBe(100_000);
    expect(r.network.buses).toHaveLength(3);
  });
});

describe.skipIf(!haveSharedData)('bad input: diagnostics with line and column, never an exception', () => {
  const at = (text: string) => parseMatpower(text, 'bad.m').diagnostics.map((d) => `${d.severity}@${d.line}:${d.col}: ${d.message}`);

  it('a missing file', () => {
    const r = readMatpower(join(DATA, 'no-such-case.m'));
    expect(r.diagnostics).toEqual([expect.objectContaining({ severity: 'error', line: 1, col: 1, message: expect.stringContaining('no such file') })]);
    expect(r.network.buses).toEqual([]);
  });

  it('a branch to a bus that does not exist points at the bus number', () => {
    const text = caseText(BUS3, BR3.replace('	2	3	0.02', '	2	9	0.02'));
    const line = text.split('\n').findIndex((l) => l.includes('	2	9	0.02')) + 1;
    expect(at(text)).toEqual([`error@${line}:4: branch 2 joins bus 2 and bus 9, but bus 9 is not in the bus data; the branch is skipped`]);
  });

  it('a short row, a duplicate bus, a missing matrix, text in a matrix', () => {
    const short = caseText(BUS3.replace('	0	12.66	1	1.1	0.9;\n	3', '	0	12.66;\n	3'), BR3);
    // Only the row is reported (the branches to bus 2 are left out without repeating it).
    expect(at(short)).toEqual(['error@7:2: this row has 10 values, the first row 13: the row is left out']);
    const dup = caseText(`${BUS3}\n	2	1	0	0	0	0	1	1	0	12.66	1	1.1	0.9;`, BR3);
    expect(at(dup)).toEqual(['error@9:2: bus 2 is defined twice (first at line 7); this row is skipped']);
    const nobranch = caseText(BUS3, BR3).replace(/mpc\.branch = \[[^\]]*\];/, '');
    expect(at(nobranch)).toEqual(['error@1:1: the case defines no `mpc.branch` matrix']);
    const text = caseText(BUS3.replace('1.0	0.5', 'abc	0.5'), BR3);
    expect(at(text)[0]).toMatch(/^error@7:6: unknown name `abc`/);
  });

  it('an unclosed matrix, an unterminated string, a stray character', () => {
    expect(at('function mpc = x\nmpc.baseMVA = 10;\nmpc.bus = [ 1 3 0 0\n')[0]).toMatch(/^error@3:11: `\[` is never closed/);
    expect(at("function mpc = x\nmpc.version = '2;\n")[0]).toBe('error@2:15: unterminated string');
    expect(at('function mpc = x\nmpc.baseMVA = 10 $ 3;\n')[0]).toBe('error@2:18: unexpected character `$`');
  });

  it('random damage to case33bw never throws, and every diagnostic has a position in the file', () => {
    const text = readFileSync(CASE33, 'utf8');
    const lines = text.split('\n').length + 1;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(text.length), fc.nat(12), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 6 }), (edits) => {
        let t = text;
        for (const [pos, del, ins] of edits) t = t.slice(0, pos % (t.length + 1)) + ins + t.slice((pos % (t.length + 1)) + del);
        const r = parseMatpower(t, 'fuzz.m');
        for (const d of r.diagnostics) {
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.line).toBeLessThanOrEqual(lines);
          expect(d.col).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 300 },
    );
  });
});
