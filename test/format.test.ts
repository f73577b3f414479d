// The formatter (src/format, `evg fmt`): hand-written expected layouts; idempotence, meaning
// (the parser's AST without spans) and comments preserved on the repository's .evg files, on the
// examples of the documentation and on generated models; and the command line, whose --check is
// how `npm test` keeps examples/ and stdlib/ formatted.
import { describe, test, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { formatText, EvgSyntaxError } from '../src/format/format.js';
import { addEditorCommands, CommandExit, runFmt } from '../src/cli/editor-commands.js';
import { parse } from './format-support.js';
import { layout, model } from './format-gen.js';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';

/** A fresh directory with `files` (path -> text); the formatter tests do not load the compiler. */
function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'evg-fmt-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

const fmt = (text: string, printWidth?: number) => formatText(text, printWidth ? { printWidth } : {});
const lines = (...ls: string[]) => `${ls.join('\n')}\n`;

async function expectPreserved(text: string, printWidth?: number): Promise<string> {
  const before = parse(text);
  expect(before.errors).toEqual([]);
  const once = await fmt(text, printWidth);
  const after = parse(once);
  const msg = `input (width ${printWidth ?? 100}):\n${text}\nformatted:\n${once}`;
  expect(after.errors, msg).toEqual([]);
  expect(after.ast, msg).toEqual(before.ast);
  expect(after.comments, msg).toEqual(before.comments);
  expect(await fmt(once, printWidth), msg).toBe(once);
  return once;
}

describe('layout', () => {
  test('spacing, inline data, semicolons and blank lines', async () => {
    expect(await fmt('set   G={g1,g2}\nparam  c[G]:$/MWh={g1:1,g2:2}\n')).toBe(lines('set G = {g1, g2}', 'param c[G] : $/MWh = {g1: 1, g2: 2}'));
    expect(await fmt('\n\nparam a = 1; param b = 2\n\n\n\nparam c = a +\n          b\n\n')).toBe(lines('param a = 1', 'param b = 2', '', 'param c = a + b'));
  });

  test('a long constraint breaks after the colon, then before relations and sum terms', async () => {
    const c = 'constraint balance[t in T]: sum(g in G) dg[g].p[t] + sum(b in B) bess[b].p_net[t] + buy[t] - sell[t] == load[t]\n';
    expect(await fmt(c)).toBe(lines(
      'constraint balance[t in T]:',
      '  sum(g in G) dg[g].p[t] + sum(b in B) bess[b].p_net[t] + buy[t] - sell[t] == load[t]',
    ));
    expect(await fmt(c, 60)).toBe(lines(
      'constraint balance[t in T]:',
      '  sum(g in G) dg[g].p[t]',
      '    + sum(b in B) bess[b].p_net[t]',
      '    + buy[t]',
      '    - sell[t]',
      '  == load[t]',
    ));
    expect(await fmt('constraint band[t in T]: 0.2 MW <= p["g1", t] - p["g2", t] <= 0.5 MW\n', 40)).toBe(lines(
      'constraint band[t in T]:',
      '  0.2 MW',
      '  <= p["g1", t] - p["g2", t]',
      '  <= 0.5 MW',
    ));
  });

  test('declarations break after `=`; inline data opens on the line of the `=`', async () => {
    expect(await fmt('cost energy = sum(t in T) (price[t] * buy[t] - sell_price * sell[t]) * step(T) + fixed_cost_of_the_grid\n')).toBe(lines(
      'cost energy =',
      '  sum(t in T) (price[t] * buy[t] - sell_price * sell[t]) * step(T) + fixed_cost_of_the_grid',
    ));
    expect(await fmt('param load[T] : kW = [500, 480, 470, 460, 470, 520, 600, 700, 780, 820]\n', 30)).toBe(lines(
      'param load[T] : kW = [',
      '  500, 480, 470, 460, 470,',
      '  520, 600, 700, 780, 820',
      ']',
    ));
    // A map written with a line break after `{` stays broken, one entry per line.
    expect(await fmt('param p[G] : MW = {\n  g1: 1, g2: 2}\n')).toBe(lines('param p[G] : MW = {', '  g1: 1,', '  g2: 2', '}'));
  });

  test('inline tables are grids', async () => {
    const t = lines(
      'param c[G, T] : $/MWh = [: 1  2  3  4 :=',
      '                         g1 50 52 55 51',
      '                         g2 60  .  . 61 ] default 65 $/MWh',
    );
    expect(await fmt(t)).toBe(lines(
      'param c[G, T] : $/MWh = [',
      '  :   1  2  3  4 :=',
      '  g1 50 52 55 51',
      '  g2 60  .  . 61',
      '] default 65 $/MWh',
    ));
  });

  test('component parameters: one per line with aligned doc comments; bodies are blocks', async () => {
    const c = 'component Dev(T : set = horizon, /// periods\np_max : kW, /// rated power\neta = 0.95) { var p[t in T] : kW in [0, p_max] }\n';
    expect(await fmt(c)).toBe(lines(
      'component Dev(',
      '  T : set = horizon,  /// periods',
      '  p_max : kW,         /// rated power',
      '  eta = 0.95,',
      ') {',
      '  var p[t in T] : kW in [0, p_max]',
      '}',
    ));
    expect(await fmt('component Dev(p_max : kW, L : set(2), bus in N = 1) { var p : kW in [0, p_max] }\n')).toBe(lines(
      'component Dev(p_max : kW, L : set(2), bus in N = 1) {',
      '  var p : kW in [0, p_max]',
      '}',
    ));
    // A comment after the last parameter stays in the list; one in an empty body stays in the body.
    expect(await fmt('component D(\n  a : MW,\n  // more to come\n) { var x : MW }\ncomponent E() { // nothing yet\n}\n')).toBe(lines(
      'component D(',
      '  a : MW,',
      '  // more to come',
      ') {',
      '  var x : MW',
      '}',
      'component E() {',
      '  // nothing yet',
      '}',
    ));
  });

  test('instance arguments: flat when they fit, else one per line with a trailing comma', async () => {
    expect(await fmt('instance home = Charger(p_max = 11 kW,)\n')).toBe(lines('instance home = Charger(p_max = 11 kW)'));
    expect(await fmt('instance bess[b in B] = Battery(e_max = e_max[b], e_min = e_min[b], p_ch_max = p_ch_max[b], p_dis_max = p_dis_max[b], eta_ch = eta[b])\n')).toBe(lines(
      'instance bess[b in B] = Battery(',
      '  e_max = e_max[b],',
      '  e_min = e_min[b],',
      '  p_ch_max = p_ch_max[b],',
      '  p_dis_max = p_dis_max[b],',
      '  eta_ch = eta[b],',
      ')',
    ));
    expect(await fmt('instance work = Charger(p_max = 22 kW, avail[t] = if t <= 2 then 22 kW else 0 kW)\n')).toBe(
      lines('instance work = Charger(p_max = 22 kW, avail[t] = if t <= 2 then 22 kW else 0 kW)'));
  });

  test('parentheses: exactly those the grammar needs, plus around an `if` inside an operation', async () => {
    const out = await fmt(lines(
      'param a = ((b + c)) * d',
      'param e = b - (c - d)',
      'param f = (sum(i in I) x[i]) * 2',
      'param g = (5 MW)^2',
      'param h2 = (5 MW) / h',
      'param k = -(x^2)',
      'param n = 2^3^2',
      'param q = (2^3)^2',
      'param r = (a + b) .. (c * 2)',
      'set GT = {g1, g2} * (1..3)',
      'param s = (if c then 1 else 2) + 3',
      'param u = x + (if c then 1 else 2)',
      'param w = if c then 1 else if d then 2 else 3',
      'param z = not (a and b) or c',
      'constraint d[t in T]: soc[t] == (if t == first(T) then soc0 else soc[t-1]) + ch[t] * step(T)',
    ));
    expect(out).toBe(lines(
      'param a = (b + c) * d',
      'param e = b - (c - d)',
      'param f = (sum(i in I) x[i]) * 2',
      'param g = (5 MW)^2',
      'param h2 = (5 MW) / h',
      'param k = -x^2',
      'param n = 2^3^2',
      'param q = (2^3)^2',
      'param r = a + b..c * 2',
      'set GT = {g1, g2} * (1..3)',
      'param s = (if c then 1 else 2) + 3',
      'param u = x + (if c then 1 else 2)',
      'param w = if c then 1 else if d then 2 else 3',
      'param z = not (a and b) or c',
      'constraint d[t in T]: soc[t] == (if t == first(T) then soc0 else soc[t-1]) + ch[t] * step(T)',
    ));
  });

  test('units as written: compound units, `*` and `MW^2h`; a space after numbers; lags', async () => {
    expect(await fmt(lines(
      'param b2 : $/MW^2h = 0.009',
      'param c1 : $/(MW*h) = 40',
      'param c2 : $/MW/h = 40',
      'param w : 1/h = 0.1',
      'param e : MW   h = 2kW h',
      'param v : kV^2 = 1kV^2/ohm',
      'param r : h^-1 = 3 h^-1',
      'param k : k$ = 5 k$',
      'param pu : p.u. = 1 p.u.',
      'param d = x[t - 1] + y[g, t+1] + z[t - n]',
    ))).toBe(lines(
      'param b2 : $/MW^2h = 0.009',
      'param c1 : $/(MW*h) = 40',
      'param c2 : $/MW/h = 40',
      'param w : 1/h = 0.1',
      'param e : MW h = 2 kW h',
      'param v : kV^2 = 1 kV^2/ohm',
      'param r : h^-1 = 3 h^-1',
      'param k : k$ = 5 k$',
      'param pu : p.u. = 1 p.u.',
      'param d = x[t-1] + y[g, t+1] + z[t - n]',
    ));
  });

  test('variables keep their type keyword and the form of their bounds', async () => {
    const v = lines(
      'var q[g in G] : Mvar >= -0.5 Mvar <= 0.5 Mvar',
      'var s : kW <= 100 >= 0',
      'var u[G] integer in [0, 4]',
      'var on[G, T] binary',
      'var slack continuous >= 0',
      'var theta[G]',
    );
    expect(await fmt(v)).toBe(v);
  });

  test('comments stay where they are: leading, trailing, own-line, block, doc comments', async () => {
    const src = lines(
      '// header',
      '',
      '/// doc of a',
      'param a = 1   // trailing',
      '/* block */ param b = 2',
      'constraint c[t in T]: // why',
      '  x[t] <= /* cap */ 5',
      'param m = {g1: 1, // first',
      '  g2: 2}',
      '// the end',
    );
    expect(await expectPreserved(src)).toBe(lines(
      '// header',
      '',
      '/// doc of a',
      'param a = 1 // trailing',
      '/* block */ param b = 2',
      'constraint c[t in T]: // why',
      '  x[t] <= /* cap */ 5',
      'param m = {',
      '  g1: 1, // first',
      '  g2: 2',
      '}',
      '// the end',
    ));
  });

  test('a line comment after an item of a filled list ends the line (found by the generated-comments property)', async () => {
    // `fill` measured the next item against the comment's zero width and put it before the comment.
    const text = lines('param p = [', '  2, /* c */ 1e3 k$ min^-3/h^-1 kW^-1 * -x, // c938', '  "data/a.csv"', ']');
    expect(await expectPreserved(text)).toBe(text);
  });

  test('an item whose leading line comment breaks still shares its line with the next item', async () => {
    // The comment after the first item's comma is the second item's leading comment here; the
    // second pass sees it as the first item's trailing one. Both must print the same.
    const text = lines('param cost = [ "g1" * (  10  ^  .5 min ^ 2 min ^ - 2 / kV ^ - 2 ) , // c1567', '"x\\"y"', '  , /* c1568 */ abs( key = soc ) ]');
    expect(await expectPreserved(text)).toBe(lines('param cost = [', '  "g1" * 10^.5 min^2 min^-2/kV^-2, // c1567', '  "x\\"y", /* c1568 */ abs(key = soc)', ']'));
  });

  test('syntax errors are reported, not formatted', async () => {
    await expect(fmt('param = 3\n')).rejects.toBeInstanceOf(EvgSyntaxError);
    await expect(fmt('constraint c: x = 1\n')).rejects.toThrow(/E0002/);
  });
});

function evgFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? evgFiles(p) : n.endsWith('.evg') ? [p] : [];
  });
}

describe('the repository: idempotent, meaning and comments preserved', () => {
  const files = [...evgFiles('examples'), ...evgFiles('stdlib')];
  test.each(files)('%s', async (file) => {
    const text = readFileSync(file, 'utf8');
    await expectPreserved(text);
    await expectPreserved(text, 40);
    await expectPreserved(text, 200);
  });

  const md = ['docs/language.md', 'README.md'].map((f) => readFileSync(f, 'utf8')).join('\n');
  const blocks = [...md.matchAll(/```evg\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => parse(b).errors.length === 0);
  test('the examples of the documentation', async () => {
    expect(blocks.length).toBeGreaterThan(30);
    for (const b of blocks) {
      await expectPreserved(b);
      await expectPreserved(b, 30);
    }
  });
});

describe('generated models', () => {
  const width = fc.integer({ min: 20, max: 120 });
  const valid = (text: string) => {
    const p = parse(text);
    if (p.errors.length) throw new Error(`generator produced an invalid model:\n${text}\n${p.errors.join('\n')}`);
  };

  test('keep meaning and layout under formatting (idempotent)', async () => {
    await fc.assert(fc.asyncProperty(fc.gen(), width, async (g, w) => {
      const text = layout(g, model(g), 0);
      valid(text);
      await expectPreserved(text, w);
    }), { numRuns: 150, endOnFailure: true });
  });

  test('with comments where people write them: above declarations and parameters, at line ends, after commas', async () => {
    await fc.assert(fc.asyncProperty(fc.gen(), width, async (g, w) => {
      const text = layout(g, model(g), 0.2, 'lines');
      valid(text);
      await expectPreserved(text, w);
    }), { numRuns: 150, endOnFailure: true });
  });

  test('with comments between any two tokens: every comment survives, the code is unchanged', async () => {
    // Doc comments are compared where they document something (the test above); a second pass
    // may still move a comment that sat between two tokens of an expression.
    const noDocs = (ast: unknown): unknown => JSON.parse(JSON.stringify(ast, (k, v: unknown) => (k === 'doc' ? undefined : v)));
    await fc.assert(fc.asyncProperty(fc.gen(), width, async (g, w) => {
      const text = layout(g, model(g), 0.15, 'anywhere');
      valid(text);
      const before = parse(text);
      const out = await fmt(text, w);
      const after = parse(out);
      const msg = `input (width ${w}):\n${text}\nformatted:\n${out}`;
      expect(after.errors, msg).toEqual([]);
      expect(after.comments, msg).toEqual(before.comments);
      expect(noDocs(after.ast), msg).toEqual(noDocs(before.ast));
    }), { numRuns: 150, endOnFailure: true });
  });
});

describe('evg fmt', () => {
  const io = () => {
    const out: string[] = [], err: string[] = [];
    return { io: { out: (s: string) => { out.push(s); }, err: (s: string) => { err.push(s); } }, out, err };
  };
  const cli = async (args: string[]) => {
    const c = io();
    const program = new Command().exitOverride().configureOutput({ writeOut: c.io.out, writeErr: c.io.err });
    addEditorCommands(program, c.io);
    let code = 0;
    try {
      await program.parseAsync(['node', 'evg', ...args]);
    } catch (e) {
      if (!(e instanceof CommandExit)) throw e;
      code = e.exitCode;
    }
    return { code, out: c.out.join(''), err: c.err.join('') };
  };

  test('--check passes on examples/ and stdlib/ (run evg fmt --write on them after editing)', async () => {
    const r = await cli(['fmt', '--check', 'examples', 'stdlib']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\d+ files formatted\n$/);
  });

  test('prints, checks and writes files', async () => {
    const dir = tempDir({ 'a.evg': 'set   G={g1,g2}\n', 'sub/b.evg': 'param b = 1\n', 'c.txt': 'not a model' });
    const printed = await cli(['fmt', join(dir, 'a.evg')]);
    expect(printed).toEqual({ code: 0, out: 'set G = {g1, g2}\n', err: '' });
    const checked = await cli(['fmt', '--check', dir]);
    expect(checked.code).toBe(1);
    expect(checked.err).toBe(`${join(dir, 'a.evg')}: not formatted\n1 of 2 files not formatted; run evg fmt --write to format it\n`);
    const written = await cli(['fmt', '--write', dir]);
    expect(written).toEqual({ code: 0, out: `formatted ${join(dir, 'a.evg')}\n`, err: '' });
    expect(readFileSync(join(dir, 'a.evg'), 'utf8')).toBe('set G = {g1, g2}\n');
    expect((await cli(['fmt', '--check', dir])).code).toBe(0);
  });

  test('--print-width, syntax errors and usage errors', async () => {
    const dir = tempDir({ 'w.evg': 'param load[T] : kW = [500, 480, 470, 460, 470, 520]\n', 'bad.evg': 'param x = 1\nconstraint c: x = 1\n' });
    expect((await cli(['fmt', '--print-width', '30', join(dir, 'w.evg')])).out).toBe(lines('param load[T] : kW = [', '  500, 480, 470, 460, 470, 520', ']'));
    const bad = await cli(['fmt', join(dir, 'bad.evg')]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(new RegExp(`^${join(dir, 'bad.evg').replace(/[.]/g, '\\.')}:2:17: error\\[E0002\\]`));
    expect(bad.err).toContain('2 | constraint c: x = 1');
    expect(bad.err).toMatch(/not formatted: it has syntax errors\n$/);
    expect((await cli(['fmt', '--print-width', 'wide', join(dir, 'w.evg')])).code).toBe(2);
    expect((await cli(['fmt', '--check', '--write', join(dir, 'w.evg')])).code).toBe(2);
    const missing = await cli(['fmt', join(dir, 'none.evg')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/E0101/);
  });

  test('runFmt reads standard input for -', async () => {
    const dir = tempDir({ 'x.evg': 'var   x>=0\n' });
    const c = io();
    expect(await runFmt([join(dir, 'x.evg')], {}, c.io)).toBe(0);
    expect(c.out.join('')).toBe('var x >= 0\n');
    writeFileSync(join(dir, 'x.evg'), 'var x >= 0\n');
  });
});
