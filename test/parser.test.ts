// Parsing of every construct of the language: the AST shape, without positions.
import { describe, expect, it } from 'vitest';
import { parseText } from '../src/syntax/parse.js';
import { Diagnostics } from '../src/diagnostics/diagnostic.js';
import type * as A from '../src/syntax/ast.js';

function parse(src: string): { decls: readonly A.Decl[]; diags: Diagnostics } {
  const diags = new Diagnostics();
  const r = parseText('m.evg', src, diags);
  return { decls: r.file.decls, diags };
}

/** The AST without spans, for structural comparison. */
function strip(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (k, v) => (k === 'span' ? undefined : v)));
}

function one(src: string): Record<string, unknown> {
  const { decls, diags } = parse(src);
  expect(diags.list.map((d) => d.message)).toEqual([]);
  expect(decls).toHaveLength(1);
  return strip(decls[0]) as Record<string, unknown>;
}

function expr(src: string): unknown {
  const d = one(`param x = ${src}`) as { value: unknown };
  return d.value;
}

const name = (n: string) => ({ kind: 'name', name: n });
const num = (v: number, text = String(v)) => ({ kind: 'num', value: v, text });

describe('declarations', () => {
  it('imports files and stdlib modules', () => {
    expect(one('import "lib/devices.evg"')).toEqual({ kind: 'import', path: 'lib/devices.evg' });
    expect(one('import stdlib.devices')).toEqual({ kind: 'import', module: [{ name: 'stdlib' }, { name: 'devices' }] });
  });

  it('declares a horizon with a number of steps and a step with a unit', () => {
    expect(one('horizon T = 96 steps of 15 min')).toEqual({
      kind: 'horizon', name: { name: 'T' }, steps: num(96), step: { ...num(15), unit: { kind: 'unitName', name: 'min' } },
    });
  });

  it('declares sets: literals, ranges, comprehensions, products, operations', () => {
    expect(one('set G = {g1, "bus 7", 3, (a, 1)}')).toMatchObject({ value: { kind: 'setLit', elems: [{ kind: 'symbol', name: 'g1' }, { kind: 'str', value: 'bus 7' }, num(3), { kind: 'tuple' }] } });
    expect(one('set N = 1..n')).toMatchObject({ value: { kind: 'range', lo: num(1), hi: name('n') } });
    expect(one('set E = {}')).toMatchObject({ value: { kind: 'setLit', elems: [] } });
    expect(one('set B = {g in G where p[g] > 0.5 MW}')).toMatchObject({
      value: { kind: 'compr', domain: { bindings: [{ names: [{ name: 'g' }], set: name('G') }], where: { kind: 'binary', op: '>' } } },
    });
    expect(one('set L2 = {(i, j) in L where i < j}')).toMatchObject({ value: { kind: 'compr', domain: { bindings: [{ names: [{ name: 'i' }, { name: 'j' }] }] } } });
    expect(one('set GT = G * T')).toMatchObject({ value: { kind: 'binary', op: '*', left: name('G'), right: name('T') } });
    expect(one('set U = A union B diff C')).toMatchObject({ value: { kind: 'binary', op: 'diff', left: { kind: 'binary', op: 'union' } } });
    expect(one('set K = keys(gens)')).toMatchObject({ value: { kind: 'call', callee: { name: 'keys' }, args: [name('gens')] } });
  });

  it('declares tables', () => {
    expect(one('table lines = csv("data/lines.csv", key = (from, to), delimiter = ";")')).toMatchObject({
      kind: 'table', source: { kind: 'call', callee: { name: 'csv' }, args: [{ kind: 'str', value: 'data/lines.csv' }], named: [{ name: { name: 'key' }, value: { kind: 'tuple' } }, { name: { name: 'delimiter' } }] },
    });
  });

  it('declares parameters with units, domains, inline data and defaults', () => {
    expect(one('param pmax[G] : MW = {g1: 0.86, g2: 0.76}')).toMatchObject({
      kind: 'param', name: { name: 'pmax' }, domain: { bindings: [{ names: [], set: name('G') }] }, unit: { kind: 'unitName', name: 'MW' },
      value: { kind: 'mapLit', entries: [{ key: [{ kind: 'symbol', name: 'g1' }], value: num(0.86) }, { key: [{ kind: 'symbol', name: 'g2' }] }] },
    });
    expect(one('param c[g in G, t in T] : $/MW^2h = 5 default 0')).toMatchObject({
      unit: { kind: 'unitDiv', left: { name: '$' }, right: { kind: 'unitMul', left: { kind: 'unitPow', exp: 2 }, right: { name: 'h' } } },
      value: num(5), default: num(0),
    });
    expect(one('param load[T] : kW = [1, 2.5, -3]')).toMatchObject({ value: { kind: 'listLit', items: [num(1), num(2.5), { kind: 'unary', op: '-' }] } });
    expect(one('param c[G, T] = [: 1 2 := g1 5 . g2 -1 8]')).toMatchObject({
      value: { kind: 'tableLit', columns: [num(1), num(2)], rows: [{ key: { kind: 'symbol', name: 'g1' }, values: [num(5), { kind: 'error' }] }, { values: [{ value: -1 }, num(8)] }] },
    });
    expect(one('param bus[G] in N = gens.bus')).toMatchObject({ elementOf: name('N'), value: { kind: 'member', target: name('gens'), member: { name: 'bus' } } });
    expect(one('param eta : % = 90')).toMatchObject({ unit: { kind: 'unitName', name: '%' } });
    expect(one('param v : p.u. = 1.05')).toMatchObject({ unit: { kind: 'unitName', name: 'p.u.' } });
  });

  it('declares variables of each type with bounds', () => {
    expect(one('var p[g in G, t in T] : MW in [0, pmax[g]]')).toMatchObject({ kind: 'var', type: 'continuous', lower: num(0), upper: { kind: 'index' } });
    expect(one('var on[G, T] binary')).toMatchObject({ type: 'binary' });
    expect(one('var n integer >= 0 <= 5')).toMatchObject({ type: 'integer', lower: num(0), upper: num(5) });
    expect(one('var s : MWh <= 3 MWh')).toMatchObject({ upper: { ...num(3), unit: { name: 'MWh' } } });
    expect(one('var f')).toEqual({ kind: 'var', name: { name: 'f' }, type: 'continuous' });
  });

  it('declares constraints with relations and ranges', () => {
    expect(one('constraint c[t in T where t > 1]: x[t] <= 5')).toMatchObject({ kind: 'constraint', rels: ['<='], parts: [{ kind: 'index' }, num(5)] });
    expect(one('constraint r: -2 <= x - y <= 3')).toMatchObject({ rels: ['<=', '<='], parts: [{ kind: 'unary' }, { kind: 'binary', op: '-' }, num(3)] });
    expect(one('constraint e: x == y')).toMatchObject({ rels: ['=='] });
    expect(one('constraint g: x >= y')).toMatchObject({ rels: ['>='] });
  });

  it('declares expressions, costs and objectives', () => {
    expect(one('expr net[t in T] : MW = a[t] - b[t]')).toMatchObject({ kind: 'expr', unit: { name: 'MW' }, value: { kind: 'binary', op: '-' } });
    expect(one('cost fuel = sum(t in T) c * p[t]')).toMatchObject({ kind: 'cost', value: { kind: 'sum', op: 'sum' } });
    expect(one('minimize total = a + b')).toMatchObject({ kind: 'objective', sense: 'minimize', name: { name: 'total' } });
    expect(one('maximize welfare : $ = a')).toMatchObject({ sense: 'maximize', unit: { name: '$' } });
  });

  it('declares components with set, indexed, element and default parameters, and instances', () => {
    const c = one(`component Battery(T : set = horizon, L : set(2), e_max : MWh, prof[T] : MW, bus in N, eta = 0.9,) {
      var soc[t in T] : MWh in [0, e_max]
    }`) as { params: unknown[]; body: unknown[] };
    expect(c).toMatchObject({ kind: 'component', name: { name: 'Battery' } });
    expect(c.params).toMatchObject([
      { name: { name: 'T' }, setArity: 1, default: name('horizon') },
      { name: { name: 'L' }, setArity: 2 },
      { name: { name: 'e_max' }, unit: { name: 'MWh' } },
      { name: { name: 'prof' }, indexSets: [name('T')], unit: { name: 'MW' } },
      { name: { name: 'bus' }, elementOf: name('N') },
      { name: { name: 'eta' }, default: num(0.9) },
    ]);
    expect(c.body).toHaveLength(1);
    expect(one('instance b[i in B] = Battery(e_max = e[i], prof[t] = 2 * p[t], prof2 = load,)')).toMatchObject({
      kind: 'instance', name: { name: 'b' }, component: { name: 'Battery' },
      args: [{ name: { name: 'e_max' } }, { name: { name: 'prof' }, indexNames: [{ name: 't' }] }, { name: { name: 'prof2' }, value: name('load') }],
    });
  });

  it('attaches /// doc comments to declarations and component parameters', () => {
    const { decls } = parse('/// maximum output\n/// of each unit\nparam pmax = 1\ncomponent C(\n  a : MW, /// the a\n) { }');
    expect((decls[0] as A.ParamDecl).doc).toBe('maximum output\nof each unit');
    expect((decls[1] as A.ComponentDecl).params[0]!.doc).toBe('the a');
  });
});

describe('expressions', () => {
  it('follows the precedence rules', () => {
    expect(expr('a + b * c')).toMatchObject({ op: '+', right: { op: '*' } });
    expect(expr('-a ^ 2')).toMatchObject({ kind: 'unary', op: '-', operand: { op: '^' } });
    expect(expr('a - b - c')).toMatchObject({ op: '-', left: { op: '-' } });
    expect(expr('a < b and not c or d')).toMatchObject({ op: 'or', left: { op: 'and', left: { op: '<' }, right: { kind: 'unary', op: 'not' } } });
  });

  it('binds the body of sum at the level of * and /', () => {
    expect(expr('sum(i in I) c[i] * x[i] + y')).toMatchObject({ op: '+', left: { kind: 'sum', body: { op: '*' } }, right: name('y') });
    expect(expr('sum(i in I, (a, b) in L where a != b) x[a, b, i]')).toMatchObject({
      kind: 'sum', domain: { bindings: [{ names: [{ name: 'i' }] }, { names: [{ name: 'a' }, { name: 'b' }] }], where: { op: '!=' } },
    });
    expect(expr('max(i in I) p[i]')).toMatchObject({ kind: 'sum', op: 'max' });
    expect(expr('min(a, b)')).toMatchObject({ kind: 'call', callee: { name: 'min' }, args: [name('a'), name('b')] });
  });

  it('parses conditionals, members, indices and calls', () => {
    expect(expr('if t == first(T) then e0 else soc[t-1]')).toMatchObject({
      kind: 'cond', test: { op: '==', right: { kind: 'call' } }, else: { kind: 'index', indices: [{ op: '-' }] },
    });
    expect(expr('bess[b].soc[t]')).toMatchObject({ kind: 'index', target: { kind: 'member', target: { kind: 'index', target: name('bess') }, member: { name: 'soc' } } });
    expect(expr('t in T')).toMatchObject({ kind: 'call', callee: { name: 'in' } });
    expect(expr('(a, b)')).toMatchObject({ kind: 'tuple' });
    expect(expr('(a)')).toEqual(name('a'));
  });

  it('reads units after numbers, stopping at `*` and at names that are not units', () => {
    expect(expr('0.2 $/kWh * e')).toMatchObject({ op: '*', left: { value: 0.2, unit: { kind: 'unitDiv', left: { name: '$' }, right: { name: 'kWh' } } }, right: name('e') });
    expect(expr('5 MW')).toMatchObject({ value: 5, unit: { name: 'MW' } });
    expect(expr('3 kW h')).toMatchObject({ unit: { kind: 'unitMul' } });
    expect(expr('2 * h')).toMatchObject({ op: '*', right: name('h') });
    expect(expr('10 kW / load[t]')).toMatchObject({ op: '/', left: { unit: { name: 'kW' } }, right: { kind: 'index' } });
    expect(expr('1.5e3 kV^2')).toMatchObject({ value: 1500, unit: { kind: 'unitPow', exp: 2 } });
    expect(expr('95 %')).toMatchObject({ unit: { name: '%' } });
  });
});

describe('recovery', () => {
  it('reports every syntax error of a file, not only the first', () => {
    const { diags, decls } = parse('param a = \nvar x : MW in [0, ]\nconstraint c: x <= 5\nparam = 3\n');
    expect(diags.list.length).toBeGreaterThanOrEqual(2);
    expect(diags.list.every((d) => d.code === 'E0002')).toBe(true);
    // The valid constraint between the broken declarations is still parsed.
    expect(decls.some((d) => d.kind === 'constraint')).toBe(true);
  });

  it('reports unknown characters and unterminated strings', () => {
    const { diags } = parse('param a = 1 @ 2\nparam s = "abc\n');
    expect(diags.list.map((d) => d.code)).toEqual(expect.arrayContaining(['E0001', 'E0003']));
  });
});

describe('reserved words and units that used to trip the parser', () => {
  // With error recovery, a sub-rule that fails hands its recovery value to the embedded actions;
  // these used to be `undefined` and crashed (TypeError in `bin`).
  it.each(['param p = a + binary + b', 'constraint s: binary + b <= 3', 'var x in [0, 1]\nconstraint c: x + integer + x <= 3'])(
    'a reserved word inside an expression is a syntax error: %s', (text) => {
      const { diags } = parse(`${text}\n`);
      expect(diags.list.map((d) => d.code)).toEqual(['E0002']);
      expect(diags.list[0]!.hint).toMatch(/reserved word/);
    });

  it('k$ is one unit, in a declaration and after a number', () => {
    const d = one('param a : k$/MWh = 2 k$/MWh') as { unit: unknown; value: { unit: unknown } };
    expect(d.unit).toEqual({ kind: 'unitDiv', left: { kind: 'unitName', name: 'k$' }, right: { kind: 'unitName', name: 'MWh' } });
    expect(d.value.unit).toEqual(d.unit);
  });

  it('an identifier ending in k before `$` is still an identifier', () => {
    expect(expr('park * 2 $')).toMatchObject({ op: '*', left: { kind: 'name', name: 'park' }, right: { value: 2, unit: { name: '$' } } });
  });
});
