// Every diagnostic a user mistake can trigger: for each code of the catalogue (except the E07xx
// command-line codes and E0901), small models or data files that trigger it, with the exact code
// and `line:col`, and checks that the message names the things involved. Then the `evg` command
// line, run in-process.
//
// Codes that the compiler does not emit yet (E0304, E0607, W0202, W0601, W0602) are specified in
// test/diagnostics-pending.test.ts, together with the other known bugs.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { codesAt, compileText, rendered, tempDir } from './helpers.js';
import { compile, type Compilation } from '../src/driver.js';
import type { Diagnostic } from '../src/diagnostics/diagnostic.js';
import { CODES } from '../src/diagnostics/codes.js';
import { run } from '../src/cli/main.js';
import { m } from './dedent.js';

/** Codes these tests trigger; checked against the catalogue at the end. */
const covered = new Set<string>();

/** Asserts that `code` is reported at `at` (`line:col`) and returns that diagnostic. */
function diag(c: Compilation, code: string, at: string): Diagnostic {
  expect(codesAt(c), rendered(c)).toContain(`${code}@${at}`);
  covered.add(code);
  return c.diags.list.find((d) => `${d.code}@${d.span?.line}:${d.span?.col}` === `${code}@${at}`)!;
}

/** The diagnostics are exactly these (no cascades, no internal errors). */
/**
 * The diagnostics of `c` are exactly `expected`. The test models are fragments, most without an
 * objective and with variables that nothing uses, so W0607 (no objective) and W0202 (unused
 * variable) are left out unless expected; test/diagnostics-recovery.test.ts tests those two.
 */
function only(c: Compilation, ...expected: string[]): void {
  const quiet = ['W0607', 'W0202'].filter((q) => !expected.some((e) => e.startsWith(q)));
  expect(codesAt(c).filter((x) => !quiet.some((q) => x.startsWith(q))), rendered(c)).toEqual(expected);
  for (const e of expected) covered.add(e.split('@')[0]!);
}

function noInternal(c: Compilation): void {
  expect(c.diags.list.filter((d) => d.code === 'E0901'), rendered(c)).toEqual([]);
}

// ==================================================================================== syntax

describe('E00xx syntax', () => {
  it('E0001: a character that starts no token', () => {
    const c = compileText(m`
      set G = {g1, g2}
      param x = 3 @ 4
    `);
    const d = diag(c, 'E0001', '2:13');
    expect(d.message).toContain('"@"');
  });

  it('E0001: `!` gets a hint about != and not', () => {
    const c = compileText(m`
      param x = 3
      param y = !x
    `);
    const d = diag(c, 'E0001', '2:11');
    expect(d.hint).toContain('!=');
    expect(d.hint).toContain('not');
  });

  it('E0002: the parser recovers and reports every broken declaration of a file', () => {
    const c = compileText(m`
      set G = {g1, g2
      param x = 3 +
      var p[G] : MW in [0, 1 MW]
      constraint c: p[g1] = 1 MW
      param y = 5
    `);
    only(c, 'E0002@2:1', 'E0002@3:1', 'E0002@4:21');
    const [a, b, e] = c.diags.sorted();
    expect(a!.message).toContain('`}`');
    expect(b!.message).toContain('expected an expression');
    expect(e!.message).toContain('unexpected `=`');
    expect(e!.hint).toContain('`==`');
  });

  it('E0002: syntax errors far apart are all reported, with valid declarations in between', () => {
    const c = compileText(m`
      param a = 1
      param b = (2 + 3
      param c = 4
      var x : MW in [0, ]
      param d = 5
      constraint k: x <= 1 MW 2
      param e = 6
    `);
    only(c, 'E0002@3:1', 'E0002@4:19', 'E0002@6:25');
    expect(c.diags.sorted()[0]!.message).toContain('`)`');
  });

  it('E0002: a reserved word used as a name gets a hint', () => {
    const c = compileText(m`
      param sum = 3
    `);
    const d = diag(c, 'E0002', '1:7');
    expect(d.message).toContain('`sum`');
    expect(d.hint).toContain('reserved');
  });

  it('E0003: unterminated string', () => {
    const c = compileText(m`
      table t = csv("data.csv, key = g)
      param x = 1
    `);
    const d = diag(c, 'E0003', '1:15');
    expect(d.message).toContain('unterminated string');
  });

  it('E0003: unterminated block comment', () => {
    const c = compileText(m`
      param x = 1
      /* open comment
      param y = 2
    `);
    only(c, 'E0003@2:1');
    expect(c.diags.list[0]!.message).toContain('`/*`');
  });

  it('E0004: unknown unit, with a suggestion', () => {
    const c = compileText(m`
      param x : MWW = 3
    `);
    only(c, 'E0004@1:11');
    const d = c.diags.list[0]!;
    expect(d.message).toContain('`MWW`');
    expect(d.hint).toContain('`MW`');
  });

  it('E0004: unknown units in a component parameter, a variable and a cost', () => {
    const c = compileText(m`
      component C(x : kWW) { var y : MWx }
      cost k : USD = 0
    `);
    expect(diag(c, 'E0004', '1:17').hint).toBe('did you mean `kW`?');
    expect(diag(c, 'E0004', '1:32').message).toContain('`MWx`');
    expect(diag(c, 'E0004', '2:10').message).toContain('`USD`');
  });

  it('E0005: non-integer unit exponent', () => {
    const c = compileText(m`
      param x : MW^0.5 = 3
    `);
    only(c, 'E0005@1:11');
    expect(c.diags.list[0]!.message).toContain('0.5');
  });
});

// ==================================================================================== files

describe('E01xx files and imports', () => {
  it('E0101: an imported file that does not exist', () => {
    const c = compileText(m`
      import "nothere.evg"
      param x = 1
    `);
    only(c, 'E0101@1:1');
    expect(c.diags.list[0]!.message).toContain('nothere.evg');
    expect(c.diags.list[0]!.message).toContain('no such file');
  });

  it('E0101: the main file that does not exist (no span)', () => {
    const c = compile(join(tempDir(), 'missing.evg'));
    expect(c.diags.list.map((d) => d.code)).toEqual(['E0101']);
    expect(c.diags.list[0]!.message).toContain('missing.evg');
  });

  it('E0101: errors in an imported file are reported in that file', () => {
    const c = compileText(m`
      import "lib.evg"
      param y = x + 1
    `, { 'lib.evg': 'param x = 1\nparam z = qq\n' });
    const d = diag(c, 'E0201', '2:11');
    expect(d.span!.file).toMatch(/lib\.evg$/);
    expect(d.message).toContain('`qq`');
  });

  it('E0102: unknown standard-library module, listing those that exist', () => {
    const c = compileText(m`
      import stdlib.nosuch
      param x = 1
    `);
    only(c, 'E0102@1:1');
    expect(c.diags.list[0]!.message).toContain('stdlib.nosuch');
    expect(c.diags.list[0]!.hint).toContain('stdlib.devices');
  });
});

// ==================================================================================== names

describe('E02xx names', () => {
  it('E0201: unknown name with a "did you mean" hint', () => {
    const c = compileText(m`
      set G = {g1, g2}
      param pmax[G] : MW = {g1: 1, g2: 2}
      var p[g in G] : MW in [0, pmaxx[g]]
    `);
    only(c, 'E0201@3:27');
    const d = c.diags.list[0]!;
    expect(d.message).toContain('`pmaxx`');
    expect(d.hint).toBe('did you mean `pmax`?');
  });

  it('E0201: unknown function and unknown component, with suggestions', () => {
    const c = compileText(m`
      import stdlib.devices
      horizon T = 2 steps of 1 h
      param x = sqrtt(4)
      instance b = Batery(e_max = 1 MWh, p_ch_max = 1 MW, p_dis_max = 1 MW)
    `);
    const f = diag(c, 'E0201', '3:11');
    expect(f.message).toContain('function `sqrtt`');
    expect(f.hint).toContain('`sqrt`');
    const k = diag(c, 'E0201', '4:14');
    expect(k.message).toContain('component `Batery`');
    expect(k.hint).toContain('`Battery`');
  });

  it('E0201: `horizon` in a model without one', () => {
    const c = compileText(m`
      set S = horizon
    `);
    only(c, 'E0201@1:9');
    expect(c.diags.list[0]!.hint).toContain('horizon T =');
  });

  it('E0202: duplicate name with a note pointing at the first declaration', () => {
    const c = compileText(m`
      set G = {g1, g2}
      param x = 1
      param x = 2
    `);
    only(c, 'E0202@3:7');
    const d = c.diags.list[0]!;
    expect(d.message).toContain('`x`');
    expect(d.notes?.[0]?.span?.line).toBe(2);
    expect(d.notes?.[0]?.span?.col).toBe(7);
    expect(rendered(c)).toMatch(/note: .*model\.evg:2:7: first declared here/);
  });

  it('E0202: duplicate across kinds and in a component', () => {
    const c = compileText(m`
      set p = {a}
      var p : MW
      component C(x : MW) {
        var y : MW
        param y = 2
      }
    `);
    diag(c, 'E0202', '2:5');
    const d = diag(c, 'E0202', '5:9');
    expect(d.message).toContain('component C');
  });

  it('E0202: an index name bound twice in one domain', () => {
    const c = compileText(m`
      set G = {g1}
      param y[g in G, g in G] = 1
    `);
    const d = diag(c, 'E0202', '2:17');
    expect(d.message).toContain('`g`');
  });

  it('E0203: a declaration of the wrong kind', () => {
    const c = compileText(m`
      table t = csv("d.csv", key = g)
      param y = t
      var x
      constraint c: x >= 1
      param z = c
      param C = 1
      instance b = C()
      set K = keys(z)
      param w = y.x
    `, { 'd.csv': 'g,v\ng1,1\n' });
    expect(diag(c, 'E0203', '2:11').message).toContain('`t` is a table');
    expect(diag(c, 'E0203', '5:11').message).toContain('`c` is a constraint');
    expect(diag(c, 'E0203', '7:14').message).toContain('`C` is a parameter, not a component');
    expect(diag(c, 'E0203', '8:14').message).toContain('keys(...)');
    expect(diag(c, 'E0203', '9:13').message).toContain('`y` is a parameter and has no members');
  });

  it('E0203: a table column used directly in a constraint', () => {
    const c = compileText(m`
      set G = {g1}
      table t = csv("d.csv", key = g)
      var x[G]
      constraint c[g in G]: x[g] >= t.v[g]
    `, { 'd.csv': 'g,v\ng1,1\n' });
    only(c, 'E0203@4:31');
    expect(c.diags.list[0]!.message).toContain('`t.v`');
  });

  it('E0204: unknown member of an instance, with a suggestion', () => {
    const c = compileText(m`
      import stdlib.devices
      horizon T = 2 steps of 1 h
      instance g = Generator(p_max = 1 MW, ramp_up = 1 MW/h, ramp_down = 1 MW/h, c_energy = 1 $/MWh)
      var y : MW
      constraint c: g.pp[1] <= y
    `);
    only(c, 'E0204@5:17');
    const d = c.diags.list[0]!;
    expect(d.message).toContain('`Generator`');
    expect(d.message).toContain('`pp`');
    expect(d.hint).toContain('`p`');
  });

  it('E0205: cyclic definitions', () => {
    const c = compileText(m`
      param a = b + 1
      param b = a * 2
      set S = S union {x}
    `);
    only(c, 'E0205@1:7', 'E0205@3:5');
    expect(c.diags.sorted()[0]!.message).toContain('`a` is defined in terms of itself');
    expect(c.diags.sorted()[1]!.message).toContain('`S`');
  });

  it('E0206: an objective inside a component', () => {
    const c = compileText(m`
      component C(x : MW) {
        var p : MW
        minimize m = p
      }
    `);
    only(c, 'E0206@3:3');
    expect(c.diags.list[0]!.message).toContain('objective');
    expect(c.diags.list[0]!.hint).toContain('cost');
  });

  it('E0206: two objectives, with a note at the first', () => {
    const c = compileText(m`
      var p : MW >= 0 MW
      minimize a = p
      maximize b = p
    `);
    only(c, 'E0206@3:1');
    const d = c.diags.list[0]!;
    expect(d.message).toContain('second');
    expect(d.notes?.[0]?.span?.line).toBe(2);
  });

  it('E0206: horizon, import and component inside a component', () => {
    const c = compileText(m`
      component C(x : MW) {
        horizon H = 2 steps of 1 h
        import "a.evg"
        component D(y : MW) { }
      }
    `);
    only(c, 'E0206@2:3', 'E0206@3:3', 'E0206@4:3');
    const [h, i, k] = c.diags.sorted();
    expect(h!.message).toContain('horizon');
    expect(i!.message).toContain('import');
    expect(k!.message).toContain('components');
  });
});

// ==================================================================================== indices and sets

describe('E03xx indices and sets', () => {
  it('E0301: wrong number of indices', () => {
    const c = compileText(m`
      horizon T = 3 steps of 1 h
      set G = {g1, g2}
      var p[g in G, t in T] : MW >= 0 MW
      constraint c[t in T]: p[t] <= 1 MW
    `);
    only(c, 'E0301@4:23');
    expect(c.diags.list[0]!.message).toBe('`p` takes 2 indices but 1 is given');
  });

  it('E0301: tuple binding of the wrong arity, and an indexed argument with too many names', () => {
    const c = compileText(m`
      set L = {(1, 2), (2, 3)}
      param a[(i, j, k) in L] = 1
      component C(T : set = horizon, prof[T] : MW) { var x[t in T] : MW in [0, prof[t]] }
      horizon T = 2 steps of 1 h
      instance c = C(prof[t, u] = 1 MW)
    `);
    expect(diag(c, 'E0301', '2:9').message).toContain('3 names');
    expect(diag(c, 'E0301', '5:16').message).toContain('`prof` has 1 index');
  });

  it('E0302: soc[t-1] at t = 1, reported at build time with the index value', () => {
    const c = compileText(m`
      horizon T = 3 steps of 1 h
      var soc[t in T] : MWh >= 0 MWh
      var p[t in T] : MW
      constraint bal[t in T]:
        soc[t] == soc[t-1] + p[t] * step(T)
    `);
    only(c, 'E0302@5:17');
    const d = c.diags.list[0]!;
    // Found while building, not while checking: checking alone reports nothing.
    const checked = compile(join(tempDir(), 'model.evg'), { checkOnly: true, text: c.sources.get(c.main)! });
    expect(checked.diags.list).toEqual([]);
    expect(d.message).toContain('index [0] of `soc`');
    expect(d.message).toContain('1..3');
    expect(d.hint).toContain('first(T)');
    expect(d.notes?.map((n) => n.message).join()).toContain('bal[1]');
  });

  it('E0302: inside a component instance, the note names the instance', () => {
    const c = compileText(m`
      horizon T = 3 steps of 1 h
      component Bat(T : set = horizon, cap : MWh) {
        var soc[t in T] : MWh in [0, cap]
        var p[t in T] : MW
        constraint bal[t in T]: soc[t] == soc[t-1] + p[t] * step(T)
      }
      instance b = Bat(cap = 1 MWh)
    `);
    only(c, 'E0302@5:41');
    expect(c.diags.list[0]!.notes?.map((n) => n.message).join()).toContain('b.bal[1]');
  });

  it('E0302: parameter index, prev() at the first element, element-valued parameter outside its set', () => {
    const c = compileText(m`
      set N = 1..3
      param a[N] = [1, 2, 3]
      param b[n in N] = a[n + 1]
      set G = {g1, g2}
      param bus[G] in N = {g1: 1, g2: 7}
      horizon T = 3 steps of 1 h
      var s[t in T] : MWh
      constraint c[t in T]: s[t] >= s[prev(t, T)]
    `);
    expect(diag(c, 'E0302', '3:21').message).toContain('index [4] of `a`');
    expect(diag(c, 'E0302', '5:29').message).toContain('`7` is not an element of N');
    const p = diag(c, 'E0302', '8:33');
    expect(p.message).toContain('prev(1)');
  });

  it('E0302: a string index that is not an element', () => {
    const c = compileText(m`
      set G = {g1, g2}
      param a[G] = {g1: 1, g2: 2}
      var x : MW
      constraint c: x >= a["g3"] * 1 MW
    `);
    only(c, 'E0302@4:22');
    expect(c.diags.list[0]!.message).toContain('[g3]');
  });

  it('E0303: missing or unexpected indices', () => {
    const c = compileText(m`
      set G = {g1, g2}
      var p[G] : MW
      var q : MW
      constraint c: p <= 1 MW
      constraint d: q[1] <= 1 MW
      param e = G[1]
    `);
    const a = diag(c, 'E0303', '4:15');
    expect(a.message).toContain('`p` is indexed and needs 1 index');
    const b = diag(c, 'E0303', '5:15');
    expect(b.message).toContain('`q` is not indexed');
    expect(diag(c, 'E0303', '6:11').message).toContain('set `G` cannot be indexed');
  });

  it('E0303: an indexed instance used without its index', () => {
    const c = compileText(m`
      component C(x : MW) { var y : MW in [0, x] }
      set S = {a, b}
      instance k[s in S] = C(x = 1 MW)
      var z : MW
      constraint c: z >= k.y
    `);
    const d = diag(c, 'E0303', '5:20');
    expect(d.message).toContain('indexed instance');
    expect(d.hint).toContain('k[...].y');
  });

  it('E0305: empty sets', () => {
    const c = compileText(m`
      set G = {g1, g2}
      param pm[G] = {g1: 1, g2: 2}
      set Big = {g in G where pm[g] > 5}
      var p[Big] : MW
      set N = 5..1
    `);
    only(c, 'E0305@3:11', 'E0305@5:9');
    expect(c.diags.sorted()[0]!.message).toBe('set `Big` is empty');
    expect(c.diags.sorted()[0]!.hint).toContain('{}');
    expect(c.diags.sorted()[1]!.message).toBe('set `N` is empty');
  });

  it('E0305 is for the model\'s own sets: a set derived from a component\'s arguments may be empty in one instance', () => {
    const c = compileText(m`
      component C(n) {
        set Big = {i in 1..3 where i > n}
        var y[Big] >= 0
        constraint cap[i in Big]: y[i] <= 1
      }
      instance a = C(n = 1)
      instance b = C(n = 5)
      var z >= 0
      constraint both: z >= sum(i in a.Big) a.y[i]
    `);
    expect(c.diags.sorted().filter((d) => d.severity === 'error').map((d) => d.code)).toEqual([]);
    const model = c.elaboration!.model;
    // a.Big = {2, 3}: two rows of `cap`; b.Big is empty: none.
    const rows = (name: string) => model.rowFamilies.filter((f) => f.name === name).reduce((n, f) => n + f.count, 0);
    expect(rows('a.cap')).toBe(2);
    expect(rows('b.cap')).toBe(0);
  });

  it('E0305: the literal {} is an intended empty set; first() of it is not', () => {
    const c = compileText(m`
      set E = {}
      param f = first(E)
    `);
    only(c, 'E0305@2:17');
    expect(c.diags.list[0]!.message).toContain('first(...) of an empty set');
  });

  it('E0306: bad set expressions', () => {
    const c = compileText(m`
      set A = {a, b}
      set B = {(1, 2)}
      set C = A union B
      set S = {a, (1, 2)}
      param f = first(B)
    `);
    only(c, 'E0306@3:9', 'E0306@4:9', 'E0306@5:17');
    const [u, l, f] = c.diags.sorted();
    expect(u!.message).toContain('arity (1 and 2)');
    expect(l!.message).toContain('same arity');
    expect(f!.message).toContain('first(...) needs a set of single elements');
  });

  it('E0306: a range with non-integer bounds (found when the model is built)', () => {
    const c = compileText(m`
      set N = 1..2.5
      var x[N]
    `);
    only(c, 'E0306@1:9');
    expect(c.diags.list[0]!.message).toBe('a range needs whole numbers, not 1..2.5');
  });
});

// ==================================================================================== types and units

describe('E04xx types and units', () => {
  it('E0401: kW + kWh names both units', () => {
    const c = compileText(m`
      param a : kW = 3
      param b : kWh = 4
      param c = a + b
    `);
    only(c, 'E0401@3:11');
    const d = c.diags.list[0]!;
    expect(d.message).toContain('kW (active power)');
    expect(d.message).toContain('kWh (energy)');
  });

  it('E0401: in a constraint, on the sides and in the branches of if', () => {
    const c = compileText(m`
      var p : kW
      var e : kWh
      constraint c1: p + e <= 5 kW
      constraint c2: p <= 5 kWh
      param a : kW = 3
      param z = if a > 1 kW then 1 kW else 2 kWh
    `);
    expect(diag(c, 'E0401', '3:16').message).toContain('kWh');
    const s = diag(c, 'E0401', '4:1');
    expect(s.message).toContain('`c2`');
    expect(s.message).toContain('kW');
    expect(s.message).toContain('kWh');
    expect(diag(c, 'E0401', '6:11').message).toContain('branches of `if`');
  });

  it('E0402: a number without a unit added to or compared with a quantity', () => {
    const c = compileText(m`
      var p : kW
      constraint c: p <= 5
      param a : kW = 3
      param b = a + 2
    `);
    only(c, 'E0402@2:20', 'E0402@4:11');
    const [x, y] = c.diags.sorted();
    expect(x!.message).toContain('5');
    expect(x!.hint).toBe('write `5 kW`');
    expect(y!.message).toContain('added to a quantity in kW');
  });

  it('E0402: zero needs no unit', () => {
    const c = compileText(m`
      var p : kW
      constraint c: p >= 0
    `);
    only(c);
  });

  it('E0403: declared unit does not match (parameter, bound, expression, argument)', () => {
    const c = compileText(m`
      param a : kW = 3 kWh
      var p : kW in [0, 5 kWh]
      expr e : kWh = p
      component C(x : MW) { var y : MW in [0, x] }
      instance k = C(x = 2 MWh)
    `);
    const a = diag(c, 'E0403', '1:16');
    expect(a.message).toContain('`a` is declared in kW (active power) but its value is in kWh (energy)');
    expect(diag(c, 'E0403', '2:19').message).toContain('upper bound of `p`');
    expect(diag(c, 'E0403', '3:16').message).toContain('`e` is declared in kWh');
    const k = diag(c, 'E0403', '5:20');
    expect(k.message).toContain('argument `x`');
    expect(k.message).toContain('MWh');
  });

  it('E0404: active and reactive power', () => {
    const c = compileText(m`
      param a : kW = 3
      param q : kvar = 2
      param s = a + q
      var p : MW
      var r : Mvar
      constraint c: p == r
      param b : kW = 3 kvar
    `);
    const x = diag(c, 'E0404', '3:11');
    expect(x.message).toContain('kW (active power)');
    expect(x.message).toContain('kvar (reactive power)');
    const y = diag(c, 'E0404', '6:1');
    expect(y.message).toContain('MW');
    expect(y.message).toContain('Mvar');
    expect(diag(c, 'E0404', '7:16').message).toContain('declared in kW');
  });

  it('E0405: a nonlinear expression that cannot be lowered (a cube, exp of a variable)', () => {
    const c = compileText(m`
      var x : MW in [0, 2 MW]
      var y in [0, 1]
      constraint c: x ^ 3 <= 1 MW^3
      constraint d: exp(y) <= 2
    `);
    only(c, 'E0405@3:15', 'E0405@4:15');
    expect(c.diags.sorted()[0]!.message).toContain('square');
    expect(c.diags.sorted()[1]!.hint).toContain('pwl');
  });

  it('E0411: a nonlinear term inside another', () => {
    const c = compileText(m`
      var x : MW in [0, 2 MW]
      var y : MW in [0, 2 MW]
      constraint c: abs(max(x, y) - 1 MW) <= 1 MW
    `);
    only(c, 'E0411@3:15');
    expect(c.diags.list[0]!.message).toContain('abs(...)');
  });

  it('E0412: a product outside a cone, a square bounded from below, abs without bounds where a binary is needed', () => {
    const c = compileText(m`
      var x : MW in [0, 2 MW]
      var y in [0, 1]
      var z : MW
      constraint c: x * y <= 1 MW
      constraint d: x ^ 2 >= 1 MW^2
      constraint e: abs(z) >= 1 MW
      minimize m = x + z
    `);
    only(c, 'E0412@4:15', 'E0412@5:15', 'E0412@6:15');
    const [a, b, e] = c.diags.sorted();
    expect(a!.message).toContain('product');
    expect(b!.message).toMatch(/bounded from above/);
    expect(e!.message).toContain('`z`');
    expect(e!.hint).toContain('finite bounds');
  });

  it('E0413: an implication conditioned on something else than binary variables', () => {
    const c = compileText(m`
      var x in [0, 1]
      var b binary
      var y in [0, 5]
      constraint d: if b or not b then y >= 1
      constraint e: if b and x >= 0.5 then y >= 1
    `);
    only(c, 'E0413@4:18', 'E0413@5:24');
    expect(c.diags.sorted()[0]!.hint).toContain('if on[t] then');
    // A continuous variable is found when the model is built.
    const d = compileText('var x in [0, 1]\nvar y in [0, 5]\nconstraint c: if x then y >= 1\n');
    only(d, 'E0413@3:18');
  });

  it('E0406: division by a variable', () => {
    const c = compileText(m`
      var x : MW
      var y
      constraint c: x / y <= 1 MW
    `);
    only(c, 'E0406@3:19');
    expect(c.diags.list[0]!.message).toContain('division');
  });

  it('E0407: bad exponent or function argument', () => {
    const c = compileText(m`
      param a : MW = 2
      param b = a ^ 0.5
      param c = sqrt(a)
      param d = exp(a)
      param e = 2 ^ a
    `);
    expect(diag(c, 'E0407', '2:15').message).toContain('whole power');
    expect(diag(c, 'E0407', '3:16').message).toContain('sqrt');
    expect(diag(c, 'E0407', '4:15').message).toContain('exp(...) takes a plain number');
    expect(diag(c, 'E0407', '5:15').message).toContain('exponent');
  });

  it('E0408: type errors', () => {
    const c = compileText(m`
      set G = {g1, g2}
      param x = G + 1
      param a = 1
      param b = if a then 1 else 2
      param m = min(a)
      var y
      constraint c: y >= {g1: 1}
    `);
    expect(diag(c, 'E0408', '2:11').message).toContain('found a set');
    const b = diag(c, 'E0408', '4:14');
    expect(b.message).toContain('an `if` condition');
    expect(diag(c, 'E0408', '5:11').message).toContain('min(...)');
    expect(diag(c, 'E0408', '7:20').message).toContain('inline data');
  });

  it('E0409: variables in a bound, a where-condition, an if-condition and a parameter', () => {
    const c = compileText(m`
      horizon T = 3 steps of 1 h
      var y : MW
      var x : MW in [0, y]
      var z[t in T] : MW
      constraint c[t in T where z[t] > 0 MW]: z[t] <= 1 MW
      constraint d: (if y > 0 MW then y else -y) <= 1 MW
      param a : MW = y
      set S = {t in T where z[t] >= 0 MW}
    `);
    const b = diag(c, 'E0409', '3:19');
    expect(b.message).toContain('variable `y`');
    expect(b.message).toContain('bound');
    expect(diag(c, 'E0409', '5:27').message).toContain('variable `z`');
    expect(diag(c, 'E0409', '6:19').message).toContain('`if` condition');
    expect(diag(c, 'E0409', '7:16').message).toContain('parameter value');
    expect(diag(c, 'E0409', '8:23').message).toContain('variable `z`');
  });

  it('E0410: bad constraints', () => {
    const c = compileText(m`
      param a = 1
      constraint c: a <= 2
      var x
      var y
      constraint d: 0 <= x >= 1
      constraint e: y <= x <= 1
    `);
    only(c, 'E0410@2:1', 'E0410@5:1', 'E0410@6:15');
    const [n, r, o] = c.diags.sorted();
    expect(n!.message).toContain('`c` contains no decision variable');
    expect(r!.message).toContain('range constraint');
    expect(o!.message).toContain('outer parts');
  });
});

// ==================================================================================== data

describe('E05xx data files and inline data', () => {
  it('E0501: missing data file, reported at the declaration', () => {
    const c = compileText(m`
      table t = csv("data/missing.csv", key = g)
      set G = keys(t)
    `);
    only(c, 'E0501@1:11');
    expect(c.diags.list[0]!.message).toContain('data/missing.csv');
    expect(c.diags.list[0]!.message).toContain('no such file');
  });

  it('E0502: missing key column and missing value column, listing the columns', () => {
    const c = compileText(m`
      table t = csv("d.csv", key = gen)
      set G = keys(t)
      table u = csv("d.csv", key = g)
      set H = keys(u)
      param p[H] : MW = u.pmx
    `, { 'd.csv': 'g,pmax\ng1,1\n' });
    const k = diag(c, 'E0502', '1:11');
    expect(k.message).toContain('key column `gen`');
    expect(k.hint).toBe('its columns are: g, pmax');
    const v = diag(c, 'E0502', '5:21');
    expect(v.message).toContain('`pmx`');
    expect(v.message).toContain('d.csv');
    expect(v.hint).toBe('its columns are: g, pmax');
  });

  it('E0503: a non-number cell, at the CSV file\'s own line and column', () => {
    const c = compileText(m`
      table t = csv("d.csv", key = g)
      set G = keys(t)
      param p[G] : MW = t.pmax
    `, { 'd.csv': 'g,pmax\ng1,1\ng2,abc\ng3,3\n' });
    only(c, 'E0503@3:4');
    const d = c.diags.list[0]!;
    expect(d.span!.file).toMatch(/d\.csv$/);
    expect(d.message).toContain('`abc` is not a number');
    expect(d.message).toContain('column `pmax`');
    expect(rendered(c)).toMatch(/d\.csv:3:4: error\[E0503\]/);
    expect(rendered(c)).toContain('3 | g2,abc');
  });

  it('E0503: empty cells; comment lines, quoted fields and CRLF keep positions right', () => {
    const cases: [string, string][] = [
      ['g,pmax\ng1,1\ng2,\n', 'E0503@3:4'],
      ['# header comment\ng,pmax\n# another\n\ng1,1\ng2,abc\n', 'E0503@6:4'],
      ['g,name,pmax\ng1,"x, y",1\ng2,"p, q",abc\n', 'E0503@3:11'],
      ['g,pmax\r\ng1,1\r\ng2,abc\r\n', 'E0503@3:4'],
    ];
    for (const [csv, at] of cases) {
      const c = compileText(m`
        table t = csv("d.csv", key = g)
        set G = keys(t)
        param p[G] : MW = t.pmax
      `, { 'd.csv': csv });
      only(c, at);
    }
  });

  it('E0504: a parameter without values for some keys (table rows missing)', () => {
    const c = compileText(m`
      set G = {g1, g2, g3}
      table t = csv("d.csv", key = g)
      param p[G] : MW = t.pmax
    `, { 'd.csv': 'g,pmax\ng1,1\ng3,3\n' });
    only(c, 'E0504@3:21');
    const d = c.diags.list[0]!;
    expect(d.message).toContain('`p`');
    expect(d.message).toContain('1 of its 3 indices: g2');
    expect(d.hint).toContain('default');
  });

  it('E0504: inline map with missing keys (found when the model is built)', () => {
    const c = compileText(m`
      set G = {g1, g2, g3}
      param p[G] : MW = {g1: 1, g3: 3}
    `);
    only(c, 'E0504@2:1');
    expect(c.diags.list[0]!.message).toContain('parameter `p` has no value for 1 of its 3 indices: g2');
  });

  it('E0504: a parameter with no value at all', () => {
    const c = compileText(m`
      param q : MW
    `);
    only(c, 'E0504@1:1');
    expect(c.diags.list[0]!.message).toBe('parameter `q` has no value');
  });

  it('E0504: a default fills the missing keys', () => {
    const c = compileText(m`
      set G = {g1, g2, g3}
      param p[G] : MW = {g1: 1, g3: 3} default 0 MW
      var x[g in G] : MW in [0, p[g]]
    `);
    only(c);
  });

  it('E0505: duplicate key, with a note at the first row', () => {
    const c = compileText(m`
      table t = csv("d.csv", key = g)
      set G = keys(t)
    `, { 'd.csv': 'g,pmax\ng1,1\ng2,2\ng1,3\n' });
    only(c, 'E0505@4:1');
    const d = c.diags.list[0]!;
    expect(d.message).toContain('(g1)');
    expect(d.notes?.[0]?.span?.line).toBe(2);
    expect(rendered(c)).toMatch(/d\.csv:4:1: error\[E0505\]/);
  });

  it('E0505: duplicate tuple key', () => {
    const c = compileText(m`
      table t = csv("d.csv", key = (a, b))
      set G = keys(t)
    `, { 'd.csv': 'a,b,v\n1,2,3\n1,2,4\n' });
    only(c, 'E0505@3:1');
    expect(c.diags.list[0]!.message).toContain('(1, 2)');
  });

  it('E0506: malformed CSV and JSON files', () => {
    const model = m`
      table t = csv("d.csv", key = g)
      set G = keys(t)
    `;
    const quotes = compileText(model, { 'd.csv': 'g,pmax\ng1,1\n"g2,2\n' });
    only(quotes, 'E0506@3:1');
    expect(quotes.diags.list[0]!.message).toContain('Quote');
    const fields = compileText(model, { 'd.csv': 'g,pmax\ng1,1\ng2,2,7\n' });
    only(fields, 'E0506@3:1');
    expect(fields.diags.list[0]!.message).toBe('row has 3 fields but the header has 2');
    expect(fields.diags.list[0]!.hint).toBe('the header is: g, pmax');
    const empty = compileText(model, { 'd.csv': '' });
    only(empty, 'E0506@1:1');
    expect(empty.diags.list[0]!.message).toContain('empty');
    const header = compileText(model, { 'd.csv': 'g,v,v\ng1,1,2\n' });
    only(header, 'E0506@1:1');
    expect(header.diags.list[0]!.message).toContain('`v` appears twice');
    const json = compileText(m`
      table t = json("d.json", key = g)
      set G = keys(t)
    `, { 'd.json': '[{"g": "g1", "pmax": 1},\n {"g": "g2" "pmax": 2}]\n' });
    only(json, 'E0506@2:13');
    expect(json.diags.list[0]!.message).toContain('malformed JSON');
  });

  it('E0507: inline data of the wrong shape', () => {
    const c = compileText(m`
      horizon T = 4 steps of 1 h
      param load[T] : kW = [1, 2, 3]
      set G = {g1, g2}
      param p[G] = {g1: 1, g3: 2}
      set S = {a, b}
      param c[G, S] = [: a b := g1 1 2  g2 3]
    `);
    expect(diag(c, 'E0507', '2:22').message).toBe('`load` has 4 indices but the list gives 3 values');
    const k = diag(c, 'E0507', '4:22');
    expect(k.message).toContain('key g3 is not in the domain of `p`');
    expect(k.hint).toContain('G = {g1, g2}');
    expect(diag(c, 'E0507', '6:35').message).toContain('table row g2 has 1 value but there are 2 columns');
  });

  it('E0509: a network file that does not exist; E0508: a network from something else than a file', () => {
    const c = compileText(m`
      network feeder = opendss("nowhere.dss")
    `);
    only(c, 'E0509@1:18');
    expect(c.diags.list.find((d) => d.code === 'E0509')!.message).toContain('nowhere.dss');
    const d = compileText(m`
      network feeder = csv("lines.csv")
    `);
    only(d, 'E0508@1:18');
  });

  it('E0508: bad table declarations', () => {
    const c = compileText(m`
      table t = 5
      table u = csv("d.csv", key = g, sep = ";")
      table w = csv(data, key = g)
    `, { 'd.csv': 'g,x\ng1,1\n' });
    expect(diag(c, 'E0508', '1:11').message).toContain('csv(');
    const o = diag(c, 'E0508', '2:33');
    expect(o.message).toContain('`sep`');
    expect(o.hint).toContain('delimiter');
    expect(diag(c, 'E0508', '3:11').message).toContain('file path as a string');
  });

  it('E0508: a table key that does not fit the parameter (found when the model is built)', () => {
    const c = compileText(m`
      set L = {(1, 2)}
      table v = csv("d.csv", key = g)
      param p[L] = v.x
    `, { 'd.csv': 'g,x\ng1,1\n' });
    only(c, 'E0508@3:16');
    expect(c.diags.list[0]!.message).toContain('2 indices but the table\'s key has 1 column');
  });
});

// ==================================================================================== model building

describe('E06xx model building', () => {
  it('E0601: division by zero (constant, parameter and constraint coefficient)', () => {
    const c = compileText(m`
      param a = 1 / 0
      set G = {g1, g2}
      param d[G] = {g1: 1, g2: 0}
      param r[g in G] = 10 / d[g]
      var x[G]
      constraint c[g in G]: x[g] / d[g] <= 1
    `);
    expect(diag(c, 'E0601', '1:15').message).toBe('division by zero');
    diag(c, 'E0601', '4:24');
    const k = diag(c, 'E0601', '6:30');
    expect(k.notes?.map((n) => n.message).join()).toContain('c[g2]');
  });

  it('E0602: a constraint with no variables left that can never hold', () => {
    const c = compileText(m`
      set G = {g1, g2}
      param a[G] = {g1: 1, g2: 5}
      var x : MW
      constraint c[g in G]: sum(h in G where h == g and a[h] < 2) x >= a[g] * 1 MW
    `);
    only(c, 'E0602@4:1');
    const d = c.diags.list[0]!;
    expect(d.message).toContain('`c[g2]`');
    expect(d.message).toContain('0 >= 5 MW');
  });

  it('E0602: an empty range constraint', () => {
    const c = compileText(m`
      var x : MW
      param lo : MW = 5
      param hi : MW = 3
      constraint c: lo <= x <= hi
    `);
    only(c, 'E0602@4:1');
    expect(c.diags.list[0]!.message).toContain('lower side 5 exceeds upper side 3 (MW)');
  });

  it('E0603: lower bound above upper bound, naming the index', () => {
    const c = compileText(m`
      set G = {g1, g2}
      param lo[G] : MW = {g1: 1, g2: 5}
      param hi[G] : MW = {g1: 2, g2: 3}
      var p[g in G] : MW in [lo[g], hi[g]]
      var q : MW in [5 MW, 3 MW]
    `);
    only(c, 'E0603@4:1', 'E0603@5:1');
    expect(c.diags.sorted()[0]!.message).toBe('`p[g2]` has lower bound 5 above its upper bound 3 (MW)');
    expect(c.diags.sorted()[1]!.message).toContain('`q`');
  });

  it('E0604: not a finite number', () => {
    const c = compileText(m`
      param a = log(0)
      param b = exp(1000)
    `);
    only(c, 'E0604@1:11', 'E0604@2:11');
    expect(c.diags.sorted()[0]!.message).toContain('`a` gets the value -Infinity');
    expect(c.diags.sorted()[1]!.message).toContain('`b` gets the value Infinity');
  });

  it('E0605: a missing argument and an unknown argument', () => {
    const c = compileText(m`
      import stdlib.devices
      horizon T = 2 steps of 1 h
      instance g = Generator(p_max = 1 MW, ramp_up = 1 MW/h, ramp_down = 1 MW/h)
      instance h = Generator(p_max = 1 MW, ramp_up = 1 MW/h, ramp_down = 1 MW/h, c_energy = 1 $/MWh, p_mx = 2 MW)
    `);
    const a = diag(c, 'E0605', '3:1');
    expect(a.message).toBe('instance `g` of `Generator` misses the argument `c_energy`');
    expect(a.hint).toContain('c_energy = ...');
    const b = diag(c, 'E0605', '4:96');
    expect(b.message).toContain('has no parameter `p_mx`');
    expect(b.hint).toBe('did you mean `p_max`?');
    noInternal(c);
  });

  it('E0605: an argument given twice; a component containing itself', () => {
    const c = compileText(m`
      component C(x : MW) {
        instance c = C(x = x)
      }
      component D(y : MW) { var z : MW in [0, y] }
      instance d = D(y = 1 MW, y = 2 MW)
    `);
    expect(diag(c, 'E0605', '2:16').message).toContain('itself');
    expect(diag(c, 'E0605', '5:26').message).toContain('`y` is given twice');
  });

  it('E0606: horizon errors', () => {
    const c = compileText(m`
      horizon T = 24 steps of 1 MW
    `);
    only(c, 'E0606@1:25');
    expect(c.diags.list[0]!.message).toContain('duration');
    expect(c.diags.list[0]!.message).toContain('MW');
    for (const [text, at, msg] of [
      ['horizon T = 0 steps of 1 h', 'E0606@1:13', 'not 0'],
      ['horizon T = 2.5 steps of 1 h', 'E0606@1:13', 'not 2.5'],
      ['horizon T = 24 h steps of 1 h', 'E0606@1:13', 'plain number'],
      ['horizon T = 24 steps of -1 h', 'E0606@1:25', 'positive'],
    ] as const) {
      const h = compileText(`${text}\n`);
      only(h, at);
      expect(h.diags.list[0]!.message).toContain(msg);
    }
  });

  it('E0606: step() of a set that is not a horizon', () => {
    const c = compileText(m`
      set N = 1..3
      var x[N] : MWh
      var p[N] : MW
      constraint c[n in N]: x[n] == p[n] * step(N)
    `);
    only(c, 'E0606@4:43');
    expect(c.diags.list[0]!.message).toContain('`N` is not a horizon');
  });
});

// ==================================================================================== warnings

describe('warnings', () => {
  it('W0201: a unit name that is also a declared name', () => {
    const c = compileText(m`
      param h = 2
      param a : h = 2 h
    `);
    only(c, 'W0201@2:17');
    const d = c.diags.list[0]!;
    expect(d.severity).toBe('warning');
    expect(d.message).toContain('`2 h`');
    expect(d.hint).toBe('write `2 * h` to multiply by the declaration');
  });

  it('W0603: a big-M ten million times the other coefficients of its row', () => {
    // p in [0, 1e7 W] = 10 MW, but the row is about p >= 0.8 W: M = 1e7, coefficient of p 1.
    const c = compileText(m`
      var on binary
      var p : W in [0 W, 1e7 W]
      constraint minout: if not on then p <= 0 W
      minimize m = p * 1 $/W
    `);
    // The same row also spans seven orders of magnitude after scaling (W0602, at its name).
    only(c, 'W0603@3:1', 'W0602@3:12');
    const w = c.diags.list.find((d) => d.code === 'W0603')!;
    expect(w.message).toContain('`minout`');
    expect(w.hint).toContain('tighter bounds');
  });

  it('W0501: data rows outside the domain are ignored with a warning', () => {
    const c = compileText(m`
      set G = {g1}
      table t = csv("d.csv", key = g)
      param p[G] : MW = t.pmax
      var x[g in G] : MW in [0, p[g]]
    `, { 'd.csv': 'g,pmax\ng1,1\ng2,2\n' });
    only(c, 'W0501@3:21');
    expect(c.diags.list[0]!.severity).toBe('warning');
    expect(c.diags.list[0]!.message).toContain('first: g2');
    expect(c.elaboration).toBeDefined();
  });
});

// ==================================================================================== coverage

describe('catalogue coverage', () => {
  // Codes tested in test/diagnostics-recovery.test.ts, for networks (E0510, W0502) in
  // test/network.test.ts on imported feeders, and for uncertainty (E08xx, W08xx) in
  // test/uncertainty-diagnostics.test.ts.
  const NOT_EMITTED = new Set(['E0304', 'W0607', 'W0202', 'W0601', 'W0602', 'E0608', 'E0510', 'W0502',
    'E0801', 'E0802', 'E0803', 'E0804', 'E0805', 'E0806', 'E0807', 'E0808', 'W0801', 'W0802', 'W0803']);
  afterAll(() => {
    const wanted = Object.keys(CODES).filter((k) => !k.startsWith('E07') && k !== 'E0901' && !NOT_EMITTED.has(k));
    const missing = wanted.filter((k) => !covered.has(k));
    expect(missing, `codes without a test: ${missing.join(', ')}`).toEqual([]);
  });
  it('every user-facing code of the catalogue is triggered by some test above', () => {
    expect(covered.size).toBeGreaterThan(0);
  });
});

// ==================================================================================== command line

interface CliRun {
  code: number;
  out: string;
  err: string;
}

async function cli(...args: string[]): Promise<CliRun> {
  let out = '', err = '';
  const code = await run(['node', 'evg', ...args], { out: (s) => { out += s; }, err: (s) => { err += s; } });
  return { code, out, err };
}

const STACK = /\n\s+at .+:\d+:\d+\)?\s*(\n|$)|TypeError|ReferenceError|RangeError/;

describe('evg command line (in-process)', () => {
  it('`evg solve` on an infeasible model names the conflicting constraints and bounds, and with --relax the smallest fix', async () => {
    // Hour 3 needs 1.8 MW but g1 + g2 give at most 1.5 MW: the balance of hour 3 and the two upper
    // bounds of that hour conflict; removing any one of them makes the rest feasible. The smallest
    // total violation is 0.3 MW (wherever it falls).
    const dir = tempDir({
      'inf.evg': m`
        horizon T = 3 steps of 1 h
        set G = {g1, g2}
        param p_max[G] : MW = {g1: 1, g2: 0.5}
        param load[T] : MW = [1, 1.2, 1.8]
        var p[g in G, t in T] : MW in [0, p_max[g]]
        constraint balance[t in T]: sum(g in G) p[g, t] == load[t]
        minimize cost = sum(g in G, t in T) p[g, t] * 1 $/MWh * step(T)
      `,
    });
    const r = await cli('solve', join(dir, 'inf.evg'), '--relax', '--json', join(dir, 'out.json'));
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/inf\.evg:6:12 +balance\[3\] +\(== 1\.8 MW/);
    expect(r.out).toMatch(/inf\.evg:5:5 +p\[g1,3\] <= 1 MW \(upper bound\)/);
    expect(r.out).toMatch(/inf\.evg:5:5 +p\[g2,3\] <= 0\.5 MW \(upper bound\)/);
    expect(r.out).not.toMatch(/balance\[[12]\]/);
    expect(r.out).toMatch(/smallest total 0\.3/);
    const json = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { conflict: { constraints: { name: string }[]; bounds: { name: string }[] }; relaxation: unknown };
    expect(json.conflict.constraints.map((x) => x.name)).toEqual(['balance[3]']);
    expect(json.conflict.bounds.map((x) => x.name).sort()).toEqual(['p[g1,3]', 'p[g2,3]']);
    expect(json.relaxation).toBeDefined();
  });

  it('`evg check` on a broken file exits 1 with file:line:col, the source line and a caret', async () => {
    const dir = tempDir({
      'bad.evg': m`
        set G = {g1, g2}
        param p[G] : MW = {g1: 1, g2: 2}
        var x[g in G] : MW in [0, p[g]]
        constraint c: x["g1"] + 5 kWh <= 3 MW
        param q = pp
      `,
    });
    const r = await cli('check', join(dir, 'bad.evg'));
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/bad\.evg:4:15: error\[E0401\]: cannot add MW \(active power\) and kWh \(energy\)/);
    expect(r.err).toContain('4 | constraint c: x["g1"] + 5 kWh <= 3 MW');
    expect(r.err).toMatch(/\n {2}\| {15}\^{15}\n/);
    expect(r.err).toMatch(/bad\.evg:5:11: error\[E0201\]: unknown name `pp`/);
    expect(r.err).toContain('= hint: did you mean `p`?');
    expect(r.err).toMatch(/2 errors\n$/);
    expect(r.err).not.toMatch(STACK);
  });

  it('`evg check` reports data errors at the data file\'s position', async () => {
    const dir = tempDir({
      'model.evg': 'table t = csv("d.csv", key = g)\nset G = keys(t)\nparam p[G] : MW = t.pmax\n',
      'd.csv': 'g,pmax\ng1,1\ng2,x7\n',
    });
    const r = await cli('check', join(dir, 'model.evg'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/d\.csv:3:4: error\[E0503\]: `x7` is not a number in column `pmax`/);
    expect(r.err).toContain('3 | g2,x7');
    expect(r.err).toContain('  |    ^^');
    expect(r.err).not.toMatch(STACK);
  });

  it('`evg check` reports several syntax errors of one file', async () => {
    const dir = tempDir({ 'bad.evg': 'set G = {g1, g2\nparam x = 3 +\nvar p[G] : MW in [0, 1 MW]\nconstraint c: p["g1"] = 1 MW\n' });
    const r = await cli('check', join(dir, 'bad.evg'));
    expect(r.code).toBe(1);
    expect(r.err.match(/error\[E0002\]/g)).toHaveLength(3);
    expect(r.err).toMatch(/bad\.evg:4:23: error\[E0002\]/);
    expect(r.err).toMatch(/3 errors\n$/);
    expect(r.err).not.toMatch(STACK);
  });

  it('`evg check` on a missing file exits 1 with E0101', async () => {
    const r = await cli('check', join(tempDir(), 'nope.evg'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error\[E0101\]: cannot read `.*nope\.evg`: no such file/);
    expect(r.err).not.toMatch(STACK);
  });

  it('`evg check` on a good model exits 0', async () => {
    const dir = tempDir({ 'ok.evg': 'var x : MW in [0, 1 MW]\nconstraint c: x >= 0.5 MW\nminimize m = x * 1 $/MWh * 1 h\n' });
    const r = await cli('check', join(dir, 'ok.evg'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ok\.evg: ok/);
    expect(r.err).toBe('');
  });

  it('warnings alone do not fail `evg check`', async () => {
    const dir = tempDir({ 'w.evg': 'param h = 2\nparam a : h = 2 h\nvar x : MW in [0, 1 MW]\nconstraint c: x >= 0.5 MW\n' });
    const r = await cli('check', join(dir, 'w.evg'));
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/w\.evg:2:17: warning\[W0201\]/);
  });

  it('usage errors exit 2', async () => {
    const noFile = await cli('check');
    expect(noFile.code).toBe(2);
    expect(noFile.err).toContain("missing required argument 'file'");
    const unknown = await cli('bogus');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("unknown command 'bogus'");
    const dir = tempDir({ 'ok.evg': 'var x : MW in [0, 1 MW]\nconstraint c: x >= 0.5 MW\n' });
    const limit = await cli('solve', join(dir, 'ok.evg'), '--time-limit', '-1');
    expect(limit.code).toBe(2);
    expect(limit.err).toContain('error[E0703]: --time-limit needs a positive number, not `-1`');
    const gap = await cli('solve', join(dir, 'ok.evg'), '--gap', 'abc');
    expect(gap.code).toBe(2);
    expect(gap.err).toContain('error[E0703]');
    const solver = await cli('solve', join(dir, 'ok.evg'), '--solver', 'cplex');
    expect(solver.code).toBe(2);
    const ext = await cli('compile', join(dir, 'ok.evg'), '-o', join(dir, 'out.txt'));
    expect(ext.code).toBe(2);
    expect(ext.err).toContain('must end in .lp, .mps or .evgc');
    const noOut = await cli('compile', join(dir, 'ok.evg'));
    expect(noOut.code).toBe(2);
    for (const r of [noFile, unknown, limit, gap, solver, ext, noOut]) expect(r.err).not.toMatch(STACK);
  });

  it('`evg explain` prints the summary and explanation of a code', async () => {
    const r = await cli('explain', 'E0401');
    expect(r.code).toBe(0);
    expect(r.out).toBe(`E0401: unit mismatch\n\n${CODES.E0401.explanation}\n`);
    const lower = await cli('explain', 'e0302');
    expect(lower.code).toBe(0);
    expect(lower.out).toMatch(/^E0302: index outside its set/);
    const bad = await cli('explain', 'E9999');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('error[E0703]: unknown diagnostic code `E9999`');
  });
});

// ==================================================================================== data positions

describe('data files: every error at its own line and column', () => {
  const model = m`
    table t = csv("d.csv", key = g)
    set G = keys(t)
    param p[G] : MW = t.pmax
  `;
  const jmodel = m`
    table t = json("d.json", key = g)
    set G = keys(t)
    param p[G] : MW = t.pmax
  `;
  const at = (csv: string) => compileText(model, { 'd.csv': csv });
  const jat = (json: string) => compileText(jmodel, { 'd.json': json });

  it('E0503 in CSV: tab delimiter, quotes with delimiters and "", fields over two lines, spaces, BOM and CRLF', () => {
    only(compileText(m`
      table t = csv("d.csv", key = g, delimiter = "\t")
      set G = keys(t)
      param p[G] : MW = t.pmax
    `, { 'd.csv': 'g\tname\tpmax\ng1\ta,b\tabc\n' }), 'E0503@2:8');
    only(at('g,note,pmax\ng1,"a\nb",x\n'), 'E0503@3:4');
    only(at('g,note,pmax\ng1,"say ""hi""",x\n'), 'E0503@2:17');
    only(at('g,pmax\ng1,   abc\n'), 'E0503@2:7');
    only(at('\ufeff# data\r\ng,pmax\r\ng1,abc\r\n'), 'E0503@3:4');
    const d = at('g,pmax\ng1,"say ""hi"""\n').diags.list[0]!;
    expect(d.message).toBe('`say "hi"` is not a number in column `pmax` of `' + d.span!.file + '`');
  });

  it('E0506 in CSV: quotes at the offending character, rows at their first line', () => {
    const open = at('g,pmax\ng1,"1\n');
    only(open, 'E0506@2:4');
    expect(open.diags.list[0]!.message).toContain('Quote not closed');
    const after = at('g,pmax\ng1,"1"x\n');
    only(after, 'E0506@2:7');
    expect(after.diags.list[0]!.message).toContain('`x` after the closing quote');
    only(at('g,pmax\ng1,1"\n'), 'E0506@2:5');
    const fields = at('# c\ng,pmax\n\ng1,1,2\n');
    only(fields, 'E0506@4:1');
    expect(fields.diags.list[0]!.message).toBe('row has 3 fields but the header has 2');
    // A row whose quoted field spans two lines is reported where it starts.
    only(at('g,pmax\n"g\n1"\n'), 'E0506@2:1');
    const comments = at('# nothing here\n\n');
    only(comments, 'E0506@1:1');
    expect(comments.diags.list[0]!.message).toContain('empty');
  });

  it('E0506: a column named twice, with a note at each', () => {
    const c = at('# c\ng, v ,v\ng1,1,2\n');
    only(c, 'E0506@2:1');
    expect(c.diags.list[0]!.notes!.map((n) => `${n.span!.line}:${n.span!.col}`)).toEqual(['2:4', '2:7']);
  });

  it('E0502: a missing key column is reported at the declaration, with a note at the file\'s header', () => {
    const c = compileText('table t = csv("d.csv", key = gen)\nset G = keys(t)\n', { 'd.csv': '# generators\ng,pmax\ng1,1\n' });
    only(c, 'E0502@1:11');
    const note = c.diags.list[0]!.notes![0]!;
    expect(note.span!.file).toMatch(/d\.csv$/);
    expect(`${note.span!.line}:${note.span!.col}`).toBe('2:1');
  });

  it('E0508: a delimiter that already means something', () => {
    const c = compileText('table t = csv("d.csv", key = g, delimiter = "#")\n', { 'd.csv': 'g\ng1\n' });
    only(c, 'E0508@1:45');
    expect(c.diags.list[0]!.message).toContain('comment');
    const q = compileText('table t = csv("d.csv", key = g, delimiter = "\\"")\n', { 'd.csv': 'g\ng1\n' });
    only(q, 'E0508@1:45');
  });

  it('E0302 and E0604 for values read from a table, at the cell, naming the parameter\'s index', () => {
    const e = compileText(m`
      set N = {n1, n2}
      table t = csv("d.csv", key = g)
      param to[N] in N = t.to
    `, { 'd.csv': 'g,to\nn1,n2\nn2,n3\n' });
    only(e, 'E0302@3:4');
    expect(e.diags.list[0]!.message).toContain('`n3` is not an element of N');
    expect(e.diags.list[0]!.hint).toContain('`to[n2]`');
    // 1e308 MW is 1e314 W, which is not a finite double.
    const f = at('g,pmax\ng1,1\ng2, 1e308\n');
    only(f, 'E0604@3:5');
    expect(f.diags.list[0]!.message).toContain('`p[g2]`');
  });

  it('W0501: a note at the first row outside the domain, at the key value that is outside', () => {
    const c = compileText(m`
      set G = {g1}
      table t = csv("d.csv", key = g)
      param p[G] : MW = t.pmax
    `, { 'd.csv': 'g,pmax\ng1,1\ng2,2\n' });
    only(c, 'W0501@3:21');
    const n = c.diags.list[0]!.notes![0]!;
    expect(`${n.span!.line}:${n.span!.col}`).toBe('3:1');
    expect(n.message).toContain('`g2` is not in G');
    const two = compileText(m`
      set A = {1}
      set B = {1, 2}
      table t = csv("d.csv", key = (a, b))
      param q[A, B] = t.v
    `, { 'd.csv': 'a,b,v\n1,1,5\n1,2,6\n1,3,7\n' });
    only(two, 'W0501@4:19');
    const n2 = two.diags.list[0]!.notes![0]!;
    expect(`${n2.span!.line}:${n2.span!.col}`).toBe('4:3');
    expect(n2.message).toContain('`3` is not in B');
  });

  it('E0506 in JSON: syntax errors at the offending token', () => {
    const trailing = jat('[{"g": "g1"},\n]');
    only(trailing, 'E0506@2:1');
    expect(trailing.diags.list[0]!.message).toContain('malformed JSON');
    only(jat('[{"g": "g1"} // x\n]'), 'E0506@1:14');
    expect(jat('[{"g": "g1"} // x\n]').diags.list[0]!.message).toContain('comments');
    only(jat(''), 'E0506@1:1');
  });

  it('E0506 in JSON: wrong shapes at the value', () => {
    only(jat('[{"g": "g1"},\n 5]'), 'E0506@2:2');
    only(jat('[{"g": "g1", "pmax": [1]}]'), 'E0506@1:22');
    only(jat('5'), 'E0506@1:1');
    const dup = jat('[{"g": "g1",\n  "g": "g2"}]');
    only(dup, 'E0506@2:3');
    expect(dup.diags.list[0]!.message).toContain('"g" appears twice');
    expect(dup.diags.list[0]!.notes!.map((n) => `${n.span!.line}:${n.span!.col}`)).toEqual(['1:3']);
    const cols = jat('{"g": ["g1", "g2"],\n "pmax": [1]}');
    only(cols, 'E0506@2:2');
    expect(cols.diags.list[0]!.message).toBe('column "pmax" has 1 value but "g" has 2');
    expect(cols.diags.list[0]!.notes!.map((n) => `${n.span!.line}:${n.span!.col}`)).toEqual(['1:2']);
  });

  it('E0503 in JSON: strings, null and missing fields, in both layouts, after a BOM', () => {
    only(jat('{"g": ["g1", "g2"],\n "pmax": [1, "x"]}'), 'E0503@2:14');
    const missing = jat('[{"g": "g1", "pmax": 1},\n {"g": "g2"}]');
    only(missing, 'E0503@2:2');
    expect(missing.diags.list[0]!.message).toMatch(/^record 2 of `.*d\.json` has no field "pmax"$/);
    const nul = jat('[{"g": "g1", "pmax": null}]');
    only(nul, 'E0503@1:22');
    expect(nul.diags.list[0]!.message).toContain('`null` is not a number');
    only(jat('\ufeff[{"g": "g1", "pmax": "x"}]'), 'E0503@1:22');
  });

  it('E0505 in JSON: a duplicate tuple key at the second record, with a note at the first', () => {
    const c = compileText(m`
      table t = json("d.json", key = (a, b))
      set S = keys(t)
    `, { 'd.json': '[{"a": 1, "b": "x"},\n {"a": 2, "b": "x"},\n {"a": 1, "b": "x"}]' });
    only(c, 'E0505@3:8');
    expect(c.diags.list[0]!.message).toContain('(1, x)');
    expect(c.diags.list[0]!.notes!.map((n) => `${n.span!.line}:${n.span!.col}`)).toEqual(['1:8']);
  });
});

describe('build-time parameter errors name the index values (more cases)', () => {
  it('two indices, and an error raised by a function', () => {
    const c = compileText(m`
      set G = {g1, g2}
      set T = 1..3
      param d[t in T] = t - 2
      param r[g in G, t in T] = 1 / d[t]
    `);
    only(c, 'E0601@4:31');
    expect(c.diags.list[0]!.notes!.map((n) => n.message).join('\n')).toContain('`r[g1, 2]`');
    const s = compileText(m`
      set G = {g1, g2}
      param d[G] = {g1: 1, g2: -1}
      param r[g in G] = sqrt(d[g])
    `);
    only(s, 'E0601@3:24');
    expect(s.diags.list[0]!.notes!.map((n) => n.message).join('\n')).toContain('`r[g2]`');
  });

  it('a parameter without indices has no index to name', () => {
    const c = compileText('param d = 0\nparam r = 1 / d\n');
    only(c, 'E0601@2:15');
    expect(c.diags.list[0]!.notes ?? []).toEqual([]);
  });
});

// ==================================================================================== from diagnostics-pending (fixed)

describe('4. positions in data files', () => {
  // fieldOffset() in src/data/table.ts counts `,` only, whatever the delimiter.
  it('a non-number cell of a `;`-separated CSV is reported at its own column', () => {
    const c = compileText(m`
      table t = csv("d.csv", key = g, delimiter = ";")
      set G = keys(t)
      param p[G] : MW = t.pmax
    `, { 'd.csv': 'g;pmax\ng1;1\ng2;abc\n' });
    expect(codesAt(c)).toEqual(['E0503@3:4']);
  });

  it('a field containing a comma in a `;`-separated CSV does not shift the position', () => {
    const c = compileText(m`
      table t = csv("d.csv", key = g, delimiter = ";")
      set G = keys(t)
      param p[G] : MW = t.pmax
    `, { 'd.csv': 'g;name;pmax\ng1;a,b;abc\n' });
    expect(codesAt(c)).toEqual(['E0503@2:8']);
  });

  // JsonTable.cellSpan() always returns 1:1.
  it('a non-number in a JSON file is reported at the value\'s line and column', () => {
    const c = compileText(m`
      table t = json("d.json", key = g)
      set G = keys(t)
      param p[G] : MW = t.pmax
    `, { 'd.json': '[{"g": "g1", "pmax": 1},\n {"g": "g2", "pmax": "abc"}]\n' });
    expect(codesAt(c)).toEqual(['E0503@2:22']);
  });

  it('a duplicate key in a JSON file is reported at the second key, with a note at the first', () => {
    const c = compileText(m`
      table t = json("d.json", key = g)
      set G = keys(t)
    `, { 'd.json': '[{"g": "g1"},\n {"g": "g1"}]\n' });
    expect(codesAt(c)).toEqual(['E0505@2:8']);
    expect(c.diags.list[0]!.notes?.[0]?.span?.line).toBe(1);
    expect(c.diags.list[0]!.notes?.[0]?.span?.col).toBe(8);
  });
});

describe('7. build-time parameter errors name the index values', () => {
  it('E0601 in an indexed parameter names the index (the hint promises "the index values shown")', () => {
    const c = compileText(m`
      set G = {g1, g2}
      param d[G] = {g1: 1, g2: 0}
      param r[g in G] = 10 / d[g]
    `);
    expect(codesAt(c)).toEqual(['E0601@3:24']);
    const d = c.diags.list[0]!;
    expect([d.message, ...(d.notes ?? []).map((n) => n.message)].join('\n')).toContain('r[g2]');
  });

  it('E0604 in an indexed parameter names the index', () => {
    const c = compileText(m`
      set G = {g1, g2}
      param d[G] = {g1: 1, g2: 0}
      param r[g in G] = log(d[g])
    `);
    expect(codesAt(c)).toEqual(['E0604@3:19']);
    const d = c.diags.list[0]!;
    expect([d.message, ...(d.notes ?? []).map((n) => n.message)].join('\n')).toContain('r[g2]');
  });
});
