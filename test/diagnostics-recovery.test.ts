// Diagnostics for malformed or subtly wrong models: syntax errors that used to crash the parser's
// error recovery, failures that used to cascade into internal errors, syntax errors of consecutive
// declarations, doc comments quoted in hints, the codes for quieter problems (index of the wrong
// set, unused variables, trivial rows, coefficient range, no objective), messages and hints, and
// the strict never-throws properties (no allowance for known crashes, no E0901).
//
// Every expected position is counted by hand from the model text.
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile, type Compilation } from '../src/driver.js';
import { CODES } from '../src/diagnostics/codes.js';
import { run } from '../src/cli/main.js';
import { codesAt, compileText, rendered, tempDir } from './helpers.js';
import { m } from './dedent.js';
import { SMOKE_MODEL, VOCABULARY, replaceMutations, tokenMutations, tokenize } from './fuzz-inputs.js';

/** Compiles without letting an exception escape the test as anything but a failed expectation. */
function safeCompile(text: string, files: Record<string, string> = {}): Compilation {
  let c: Compilation | undefined;
  let thrown: unknown;
  try {
    c = compileText(text, files);
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `compile threw: ${(thrown as Error)?.stack}`).toBeUndefined();
  return c!;
}

function noInternal(c: Compilation): void {
  expect(c.diags.list.filter((d) => d.code === 'E0901').map((d) => d.message), rendered(c)).toEqual([]);
}

// ==================================================================================== 1. crashes

describe('1. crashes instead of diagnostics', () => {
  // The parser runs with error recovery; when a sub-rule fails, Chevrotain hands `undefined` to
  // the embedded actions (`bin`, unit products/quotients, `in`, indexing, members, braceLiteral),
  // which dereference it: TypeError "Cannot read properties of undefined (reading 'span'/'kind')".
  const cases: [string, string, string][] = [
    ['param x = 1 + * 2', 'E0002@1:15', '`*`'],
    ['var x\nconstraint c: x <= * 2', 'E0002@2:20', '`*`'],
    ['param x = 1 * / 2', 'E0002@1:15', '`/`'],
    ['param x : / h = 1', 'E0002@1:11', '`/`'],
    ['set G = {a}\nset S = {g in G where in G}', 'E0002@2:23', '`in`'],
    ['set G = {g1, g2}\nparam a[G] = {g1: 1, : 2}', 'E0002@2:22', '`:`'],
    ['param y = sum: x[b]', 'E0002@1:14', '`:`'],
    ['param y = (b[.x)', 'E0002@1:14', '`.`'],
  ];
  for (const [text, at, tok] of cases) {
    it(`a syntax error, not a TypeError: ${JSON.stringify(text)}`, () => {
      const c = safeCompile(`${text}\n`);
      expect(codesAt(c), rendered(c)).toContain(at);
      const d = c.diags.list.find((x) => `${x.code}@${x.span?.line}:${x.span?.col}` === at)!;
      expect(d.message).toContain(tok);
    });
  }

  it('`evg check` reports the syntax error, not an internal compiler error', async () => {
    const dir = tempDir({ 'bad.evg': 'param x = 1 + * 2\n' });
    let out = '', err = '';
    const code = await run(['node', 'evg', 'check', join(dir, 'bad.evg')], { out: (s) => { out += s; }, err: (s) => { err += s; } });
    expect(code).toBe(1);
    expect(err).toMatch(/bad\.evg:1:15: error\[E0002\]/);
    expect(err).not.toContain('E0901');
    expect(out).toBe('');
  });

  // setExpr('csv(...)') falls back to expr(), whose `call` case sends csv/json back to setExpr():
  // RangeError "Maximum call stack size exceeded".
  it('csv(...) used as a set is an error, not endless recursion', () => {
    const c = safeCompile('set S = csv("d.csv")\n', { 'd.csv': 'a,b\n1,2\n' });
    expect(codesAt(c).some((x) => /^E0(203|508)@1:9$/.test(x)), rendered(c)).toBe(true);
  });

  it('json(...) as a parameter value and csv(...) inside card() are errors, not endless recursion', () => {
    const a = safeCompile('param p = json("d.json")\n', { 'd.json': '[]' });
    expect(codesAt(a).some((x) => /^E0(203|508)@1:11$/.test(x)), rendered(a)).toBe(true);
    const b = safeCompile('var x\nconstraint c: x >= card(csv("d.csv"))\n', { 'd.csv': 'a\n1\n' });
    expect(codesAt(b).some((x) => /^E0(203|508)@2:25$/.test(x)), rendered(b)).toBe(true);
  });

  // EvSet.range allocates the whole set: RangeError "Invalid typed array length".
  it('a horizon too long to build is a horizon error, not a RangeError', () => {
    const c = safeCompile('horizon T = 1e308 steps of 1 h\nvar x[T]\n');
    expect(codesAt(c), rendered(c)).toContain('E0606@1:13');
    const d = safeCompile('horizon T = 10000000000 steps of 1 h\nvar x[T]\n');
    expect(codesAt(d), rendered(d)).toContain('E0606@1:13');
  });

  it('a variable with more columns than evg can hold is E0608 at its name, before anything is allocated', () => {
    // 20000 x 20000 = 4e8 columns > 2^28 = 268,435,456.
    const c = safeCompile('set N = 1..20000\nvar x[i in N, j in N] >= 0\nminimize m = x[1, 1]\n');
    expect(codesAt(c), rendered(c)).toEqual(['E0608@2:5']);
    expect(c.diags.list[0]!.message).toContain('20000 x 20000');
  });

  it('a range too large to build is a set error, not a RangeError', () => {
    const c = safeCompile('set N = 1..1e308\nvar x[N]\n');
    expect(codesAt(c).some((x) => /^E030[56]@1:9$/.test(x)), rendered(c)).toBe(true);
  });
});

// ==================================================================================== 2. E0901

describe('2. internal errors after a failed set', () => {
  it('a bad horizon is reported once, without "variable used before its columns were allocated"', () => {
    const c = compileText(m`
      horizon T = 0.5 steps of 1 h
      var x[t in T] : MW
      constraint c: x[last(T)] >= 0 MW
    `);
    noInternal(c);
    expect(codesAt(c)).toEqual(['E0606@1:13']);
  });

  it('the same with the device library: only the horizon error', () => {
    const c = compileText(m`
      import stdlib.devices
      horizon T = 0.5 steps of 1 h
      instance b = Battery(e_max = 1 MWh, p_ch_max = 1 MW, p_dis_max = 1 MW)
    `);
    noInternal(c);
    expect(codesAt(c)).toEqual(['E0606@2:13']);
  });

  it('a bad range is reported once', () => {
    const c = compileText(m`
      set N = 1..2.5
      var x[n in N] : MW
      constraint c: x[1] >= 0 MW
    `);
    noInternal(c);
    expect(codesAt(c)).toEqual(['E0306@1:9']);
  });
});

// ==================================================================================== 3. syntax errors dropped

describe('3. syntax errors of consecutive declarations', () => {
  // parse.ts keeps one syntax error per declaration, attributing each error to the declaration
  // keyword before its token. The error of an incomplete `param x = 3 +` is found at the next
  // `param`, so it is attributed to the second declaration, whose own error is then dropped.
  it('two incomplete declarations give two errors', () => {
    const c = compileText('param x = 3 +\nparam y = 4 +\n');
    expect(c.diags.list.filter((d) => d.code === 'E0002'), rendered(c)).toHaveLength(2);
  });
});

// ==================================================================================== 5. doc comments

describe('5. hints quoting a component parameter\'s doc comment', () => {
  // attachDocs() takes the `///` comment that trails the PREVIOUS parameter's line as the doc of
  // the next parameter (nothing but whitespace lies between them), and the hint shows its first line.
  it('the hint for a missing Generator argument p_max quotes p_max\'s doc', () => {
    const c = compileText(m`
      import stdlib.devices
      horizon T = 2 steps of 1 h
      instance g = Generator(ramp_up = 1 MW/h, ramp_down = 1 MW/h, c_energy = 1 $/MWh)
    `);
    expect(codesAt(c)).toEqual(['E0605@3:1']);
    const hint = c.diags.list[0]!.hint!;
    expect(hint).toContain('maximum output');
    expect(hint).not.toContain('minimum output');
  });

  it('a parameter documented on its own line keeps its own doc', () => {
    const c = compileText(m`
      component C(
        a : MW,   /// first thing
        b : MW,   /// second thing
      ) {
        var x : MW in [a, b]
      }
      instance c = C(a = 1 MW)
    `);
    expect(codesAt(c)).toEqual(['E0605@7:1']);
    expect(c.diags.list[0]!.hint).toBe('add `b = ...` (second thing)');
  });
});

// ==================================================================================== 6. codes never emitted

describe('6. codes for quieter problems: wrong index set, unused variables, trivial rows, coefficient range, no objective', () => {
  it('E0304: indices given in the wrong order are reported as an index of the wrong set', () => {
    const c = compileText(m`
      set G = {g1, g2}
      horizon T = 2 steps of 1 h
      var p[g in G, t in T] : MW
      constraint c[g in G, t in T]: p[t, g] <= 1 MW
    `);
    expect(codesAt(c)).toContain('E0304@4:33');
    const d = c.diags.list.find((x) => x.code === 'E0304')!;
    expect(d.message).toContain('T');
    expect(d.message).toContain('G');
  });

  it('W0607: a model without an objective says so, and still builds (feasibility problem)', () => {
    const c = compileText('var x >= 0\nconstraint c: x >= 1\n');
    expect(c.diags.list.map((d) => `${d.code} ${d.severity}`)).toEqual(['W0607 warning']);
    expect(c.elaboration).toBeDefined();
  });

  it('W0202: a variable that appears in no constraint and not in the objective', () => {
    const c = compileText('var x >= 0\nvar unused\nconstraint c: x >= 1\nminimize m = x\n');
    expect(codesAt(c)).toContain('W0202@2:5');
    expect(c.diags.list.find((d) => d.code === 'W0202')!.message).toContain('`unused`');
  });

  it('W0601: rows of a constraint that hold trivially are dropped with a warning', () => {
    const c = compileText(m`
      set G = {g1, g2}
      param a[G] = {g1: 1, g2: 0}
      var x
      constraint c[g in G]: a[g] * x >= 0
    `);
    expect(codesAt(c)).toContain('W0601@4:1');
    expect(c.diags.list.find((d) => d.code === 'W0601')!.message).toContain('c[g2]');
  });

  it('W0602: a coefficient range of more than six orders of magnitude', () => {
    const c = compileText('var x >= 0\nvar y >= 0\nconstraint c: 1e-6 * x + 1e6 * y >= 1\nminimize m = x + y\n');
    expect(c.diags.list.map((d) => d.code)).toContain('W0602');
  });
});

// ==================================================================================== 8. messages

describe('8. misleading messages and hints', () => {
  it('an error at the end of the file reads "unexpected end of file"', () => {
    const c = compileText('param y = 1 +\n');
    expect(codesAt(c)).toEqual(['E0002@1:14']);
    expect(c.diags.list[0]!.message).not.toContain('unexpected the end');
    expect(c.diags.list[0]!.message).toMatch(/end of (the )?file/);
  });

  it('a stray token between declarations does not claim that the file should end there', () => {
    const c = compileText('param x = 3 4\nparam y = 1\n');
    expect(codesAt(c)).toEqual(['E0002@1:13']);
    expect(c.diags.list[0]!.message).not.toContain('expected the end of the file');
  });

  it('a misspelt unit in a quantity literal suggests the unit', () => {
    // `5 $/MWhh` reads as `5 $ / MWhh`: an unknown name, whose hint points at the unit.
    const c = compileText('param y : $/MWh = 5 $/MWhh\n');
    expect(codesAt(c)).toEqual(['E0201@1:23']);
    expect(c.diags.list[0]!.hint).toContain('`MWh`');
  });

  it('a bare element name used as an index is accepted, or the hint says how to write the element', () => {
    // Elements are written as strings in indices; the hint says so instead of only suggesting the set `G`.
    const c = compileText(m`
      set G = {g1, g2}
      var x[g in G] : MW in [0, 1 MW]
      expr e : MW = x[g1]
    `);
    const d = c.diags.list.find((x) => x.code === 'E0201');
    if (d) {
      expect(d.hint).not.toBe('did you mean `G`?');
      expect(d.hint).toContain('"g1"');
    }
  });

  it('variables in a `where` condition are reported as such', () => {
    const c = compileText(m`
      horizon T = 3 steps of 1 h
      var z[t in T] : MW
      constraint c[t in T where z[t] > 0 MW]: z[t] <= 1 MW
    `);
    expect(codesAt(c)).toEqual(['E0409@3:27']);
    expect(c.diags.list[0]!.message).toContain('`where`');
  });
});

// ==================================================================================== 9. strict properties

describe('9. checking never throws (strict: no known-crash allowance, no E0901)', () => {
  const DISPATCH_DIR = fileURLToPath(new URL('../examples/dispatch/', import.meta.url));
  const DISPATCH = readFileSync(join(DISPATCH_DIR, 'model.evg'), 'utf8');
  const dir = tempDir();
  cpSync(join(DISPATCH_DIR, 'data'), join(dir, 'data'), { recursive: true });
  const path = join(dir, 'model.evg');
  const prop = (text: string) => {
    const c = compile(path, { text });
    for (const d of c.diags.list) {
      expect(Object.hasOwn(CODES, d.code)).toBe(true);
      expect(d.code).not.toBe('E0901');
      if (d.span) expect(d.span.line >= 1 && d.span.col >= 1).toBe(true);
    }
  };
  const opts = { numRuns: 300, endOnFailure: true };

  it('declaration-shaped token soups', () => {
    const kw = fc.constantFrom('set', 'param', 'var', 'constraint', 'expr', 'cost', 'minimize', 'table', 'horizon', 'instance');
    const decl = fc.tuple(kw, fc.constantFrom('a', 'G', 'T', 'p'), fc.array(fc.constantFrom(...VOCABULARY), { maxLength: 16 }))
      .map(([k, n, rest]) => `${k} ${n} = ${rest.join(' ')}`);
    const file = fc.array(decl, { minLength: 1, maxLength: 8 }).map((ds) => ds.join('\n'));
    fc.assert(fc.property(file, prop), { ...opts, numRuns: 2000 });
  });

  it('token mutations of the dispatch example', () => {
    fc.assert(fc.property(tokenMutations(tokenize(DISPATCH)), prop), opts);
  });

  it('replacements in the smoke model (including fractional and huge numbers of steps)', () => {
    fc.assert(fc.property(replaceMutations(tokenize(SMOKE_MODEL), ['0', '1', '0.5', '2.5', '-1', '1e308']), prop), opts);
  });
});
