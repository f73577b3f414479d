// Property tests: no input, however malformed, makes the compiler throw instead of reporting
// diagnostics. Inputs: random strings, token soups built from the language's vocabulary, and
// mutations (deletions, duplications, swaps, replacements of tokens and characters) of valid
// models: the dispatch example (with its data files), the smoke-test model and a model built on
// the device library. Every compilation runs the whole pipeline (parse, check, build).
//
// Every diagnostic must carry a catalogued code and a position inside the file; an internal
// compiler error (E0901) or an exception fails the property.
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/driver.js';
import { CODES } from '../src/diagnostics/codes.js';
import { tempDir } from './helpers.js';
import { BATTERY_MODEL, SMOKE_MODEL, VOCABULARY, charMutations, tokenMutations, tokenize, replaceMutations } from './fuzz-inputs.js';

const DISPATCH_DIR = fileURLToPath(new URL('../examples/dispatch/', import.meta.url));
const DISPATCH_MODEL = readFileSync(join(DISPATCH_DIR, 'model.evg'), 'utf8');

// One directory holding the dispatch example's data, so that relative data paths resolve.
const dir = tempDir();
cpSync(join(DISPATCH_DIR, 'data'), join(dir, 'data'), { recursive: true });
const MODEL_PATH = join(dir, 'model.evg');

/** Compiles `text` and checks the property; returns the number of diagnostics. */
function checkText(text: string): number {
  let comp;
  try {
    comp = compile(MODEL_PATH, { text });
  } catch (e) {
    throw new Error(`compile threw on input ${JSON.stringify(text)}: ${(e as Error)?.stack ?? String(e)}`);
  }
  for (const d of comp.diags.list) {
    expect(Object.hasOwn(CODES, d.code), `unknown code ${d.code}`).toBe(true);
    expect(d.code, `internal error on input ${JSON.stringify(text)}: ${d.message}`).not.toBe('E0901');
    expect(d.severity).toBe(d.code.startsWith('W') ? 'warning' : 'error');
    expect(typeof d.message).toBe('string');
    expect(d.message.length).toBeGreaterThan(0);
    if (d.span) {
      expect(Number.isInteger(d.span.line) && d.span.line >= 1, `line of ${d.code}: ${d.span.line}`).toBe(true);
      expect(Number.isInteger(d.span.col) && d.span.col >= 1, `col of ${d.code}: ${d.span.col}`).toBe(true);
      expect(d.span.start).toBeGreaterThanOrEqual(0);
      expect(d.span.end).toBeGreaterThanOrEqual(d.span.start);
    }
    for (const n of d.notes ?? []) if (n.span) expect(n.span.line >= 1 && n.span.col >= 1).toBe(true);
  }
  // A compilation without errors has built a model.
  if (!comp.diags.hasErrors) expect(comp.elaboration).toBeDefined();
  return comp.diags.list.length;
}

describe('the valid starting models compile without errors', () => {
  for (const [name, text] of [['dispatch', DISPATCH_MODEL], ['smoke', SMOKE_MODEL], ['battery', BATTERY_MODEL]] as const) {
    it(name, () => {
      const c = compile(MODEL_PATH, { text });
      expect(c.diags.list.filter((d) => d.severity === 'error')).toEqual([]);
      expect(c.elaboration).toBeDefined();
    });
  }
});

describe('checking never throws', () => {
  it('random strings (any characters)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (s) => { checkText(s); }), { numRuns: 250 });
  });

  it('random strings over the language\'s characters', () => {
    const chars = fc.constantFrom(...'abcxyzTGpq_0123456789 \n\t.,:;=<>!+-*/^$%(){}[]"#@\\Ω'.split(''));
    fc.assert(fc.property(fc.string({ unit: chars, maxLength: 150 }), (s) => { checkText(s); }), { numRuns: 400 });
  });

  it('token soups from keywords, operators, names, numbers and units', () => {
    const soup = fc.array(fc.constantFrom(...VOCABULARY), { maxLength: 50 }).map((ts) => ts.join(' '));
    fc.assert(fc.property(soup, (s) => { checkText(s); }), { numRuns: 500 });
  });

  it('declaration-shaped token soups (a keyword and a name, then anything)', () => {
    const kw = fc.constantFrom('set', 'param', 'var', 'constraint', 'expr', 'cost', 'minimize', 'table', 'horizon', 'instance', 'component', 'import');
    const decl = fc.tuple(kw, fc.constantFrom('a', 'G', 'T', 'p', 'x', 'c'), fc.array(fc.constantFrom(...VOCABULARY), { maxLength: 16 }))
      .map(([k, n, rest]) => `${k} ${n} ${rest.join(' ')}`);
    const file = fc.array(decl, { minLength: 1, maxLength: 8 }).map((ds) => `horizon T = 3 steps of 1 h\nset G = {g1, g2}\n${ds.join('\n')}\n`);
    fc.assert(fc.property(file, (s) => { checkText(s); }), { numRuns: 400 });
  });

  const sources = [['dispatch example', DISPATCH_MODEL], ['smoke model', SMOKE_MODEL], ['battery model', BATTERY_MODEL]] as const;
  for (const [name, text] of sources) {
    const tokens = tokenize(text);
    it(`token mutations of the ${name} (delete, duplicate, swap, move)`, () => {
      fc.assert(fc.property(tokenMutations(tokens), (s) => { checkText(s); }), { numRuns: 400 });
    });
    it(`character mutations of the ${name}`, () => {
      fc.assert(fc.property(charMutations(text), (s) => { checkText(s); }), { numRuns: 200 });
    });
    it(`replacements of names, numbers, units and operators in the ${name}`, () => {
      fc.assert(fc.property(replaceMutations(tokens), (s) => { checkText(s); }), { numRuns: 400 });
    });
  }

});
