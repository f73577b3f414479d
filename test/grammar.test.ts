// The TextMate grammar (grammar/evg.tmLanguage.json), run by vscode-textmate with the Oniguruma
// WebAssembly build — the engine VS Code itself uses. Expected scopes are the ones the grammar
// documents (its `comment` and editors/README.md), written out by hand here.
import { describe, test, expect, beforeAll } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import vsctm from 'vscode-textmate';
import oniguruma from 'vscode-oniguruma';

const require = createRequire(import.meta.url);
const GRAMMAR = 'grammar/evg.tmLanguage.json';

interface Token { readonly line: number; readonly start: number; readonly text: string; readonly scopes: readonly string[] }

let grammar: vsctm.IGrammar;

beforeAll(async () => {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope: string) => (scope === 'source.evg' ? vsctm.parseRawGrammar(readFileSync(GRAMMAR, 'utf8'), GRAMMAR) : null),
  });
  const g = await registry.loadGrammar('source.evg');
  if (!g) throw new Error('grammar not loaded');
  grammar = g;
});

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let stack = vsctm.INITIAL;
  text.split('\n').forEach((lineText, line) => {
    const r = grammar.tokenizeLine(lineText, stack);
    for (const t of r.tokens) out.push({ line, start: t.startIndex, text: lineText.slice(t.startIndex, t.endIndex), scopes: t.scopes });
    stack = r.ruleStack;
  });
  return out;
}

function find(text: string, word: string, nth: number): { line: number; col: number } {
  const esc = word.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const re = new RegExp(`${/^\w/.test(word) ? '(?<![A-Za-z0-9_])' : ''}${esc}${/\w$/.test(word) ? '(?![A-Za-z0-9_])' : ''}`, 'g');
  const m = [...text.matchAll(re)][nth];
  if (!m) throw new Error(`${word} (#${nth}) not in text`);
  const at = m.index;
  return { line: text.slice(0, at).split('\n').length - 1, col: at - (text.lastIndexOf('\n', at - 1) + 1) };
}

/**
 * The scopes of the token that is `word` (its `nth` whole-word occurrence in `text`); a word made
 * of several tokens (a comment: its `//` and its text) gives the scopes of its last token.
 */
function scopesOf(text: string, word: string, nth = 0): readonly string[] {
  const { line, col } = find(text, word, nth);
  const toks = tokenize(text).filter((t) => t.line === line && t.start < col + word.length && t.start + t.text.length > col);
  if (/^[\w.$%]+$/.test(word) && (toks.length !== 1 || toks[0]!.text.trim() !== word)) {
    throw new Error(`${word} is split into ${JSON.stringify(toks.map((t) => t.text))}`);
  }
  return toks[toks.length - 1]!.scopes;
}

/** The tokens covering `piece` (e.g. a compound unit), as [text, innermost scope] pairs. */
function piecesOf(text: string, piece: string): [string, string][] {
  const { line, col } = find(text, piece, 0);
  return tokenize(text)
    .filter((t) => t.line === line && t.start >= col && t.start < col + piece.length && t.text.trim() !== '')
    .map((t) => [t.text, t.scopes[t.scopes.length - 1]!]);
}

function evgFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? evgFiles(p) : n.endsWith('.evg') ? [p] : [];
  });
}

describe('scopes of representative tokens', () => {
  const model = [
    'import stdlib.devices',
    '/// capacity of the substation',
    'param p_max[G] : MW = 5 MW',
    'param c : $/MWh = 0.2 $/kWh   // a comment',
    'table gens = csv("data/generators.csv", key = gen)',
    'horizon T = 24 steps of 1 h',
    'var p[g in G, t in T] : MW in [0, p_max[g]]',
    'constraint balance[t in T]: sum(g in G) p[g, t] == load[t]',
    'cost fuel = sum(t in T) 2 * h * c',
    'param cost[G] : k$ = 3',
    'minimize total = fuel + cost["g1"]',
    'instance bess[b in B] = Battery(e_max = e_max[b], c_quad = 0 $/MW^2h)',
    'expr net[t in T] : p.u. = bess["b1"].p_net[t] / 1 MW',
    'set N = 1..33',
    '/* block',
    '   comment */',
  ].join('\n');

  test('keywords, hard and soft', () => {
    expect(scopesOf(model, 'param')).toContain('storage.type.param.evg');
    expect(scopesOf(model, 'var')).toContain('storage.type.var.evg');
    expect(scopesOf(model, 'constraint')).toContain('storage.type.constraint.evg');
    expect(scopesOf(model, 'import')).toContain('keyword.control.import.evg');
    expect(scopesOf(model, 'steps')).toContain('keyword.other.steps.evg');
    expect(scopesOf(model, 'of', 1)).toContain('keyword.other.of.evg');
    expect(scopesOf(model, 'in', 0)).toContain('keyword.operator.in.evg');
    // `cost` starts a declaration before a name, and is a name elsewhere.
    expect(scopesOf(model, 'cost', 0)).toContain('storage.type.cost.evg');
    expect(scopesOf(model, 'cost', 1)).toContain('entity.name.constant.parameter.evg');
    expect(scopesOf(model, 'cost', 2)).toContain('variable.other.evg');
    expect(scopesOf(model, 'table')).toContain('storage.type.table.evg');
    expect(scopesOf(model, 'sum')).toContain('keyword.other.sum.evg');
  });

  test('declarations and their names', () => {
    expect(scopesOf(model, 'p_max')).toContain('entity.name.constant.parameter.evg');
    expect(scopesOf(model, 'gens')).toContain('entity.name.type.table.evg');
    expect(scopesOf(model, 'T', 0)).toContain('entity.name.type.set.evg');
    expect(scopesOf(model, 'balance')).toContain('entity.name.function.constraint.evg');
    expect(scopesOf(model, 'fuel')).toContain('entity.name.function.cost.evg');
    expect(scopesOf(model, 'total')).toContain('entity.name.function.objective.evg');
    expect(scopesOf(model, 'bess')).toContain('entity.name.variable.instance.evg');
    expect(scopesOf(model, 'Battery')).toContain('entity.name.type.class.component.evg');
    expect(scopesOf(model, 'net')).toContain('entity.name.function.expr.evg');
    expect(scopesOf(model, 'N')).toContain('entity.name.type.set.evg');
    // Index names bound by domains, members, arguments, functions.
    expect(scopesOf(model, 'g', 0)).toContain('variable.parameter.index.evg'); // `g in G` of var p
    expect(scopesOf(model, 'g', 1)).toContain('variable.other.evg'); // `p_max[g]`
    expect(scopesOf(model, 'p_net')).toContain('variable.other.member.evg');
    expect(scopesOf(model, 'e_max')).toContain('variable.parameter.argument.evg');
    expect(scopesOf(model, 'csv')).toContain('support.function.builtin.evg');
  });

  test('units, compound units and numbers with units', () => {
    expect(piecesOf(model, '$/MWh')).toEqual([['$', 'keyword.other.unit.evg'], ['/', 'keyword.operator.arithmetic.evg'], ['MWh', 'keyword.other.unit.evg']]);
    expect(scopesOf(model, '$/MWh'.slice(0, 1))).toContain('meta.unit.evg');
    expect(piecesOf(model, '5 MW')).toEqual([['5', 'constant.numeric.evg'], ['MW', 'keyword.other.unit.evg']]);
    expect(scopesOf(model, 'MW', 1)).toContain('meta.quantity.evg');
    expect(piecesOf(model, '0.2 $/kWh')).toEqual([
      ['0.2', 'constant.numeric.evg'], ['$', 'keyword.other.unit.evg'], ['/', 'keyword.operator.arithmetic.evg'], ['kWh', 'keyword.other.unit.evg'],
    ]);
    expect(piecesOf(model, '0 $/MW^2h')).toEqual([
      ['0', 'constant.numeric.evg'], ['$', 'keyword.other.unit.evg'], ['/', 'keyword.operator.arithmetic.evg'], ['MW', 'keyword.other.unit.evg'],
      ['^', 'keyword.operator.arithmetic.exponent.evg'], ['2', 'constant.numeric.exponent.evg'], ['h', 'keyword.other.unit.evg'],
    ]);
    expect(scopesOf(model, 'k$')).toContain('keyword.other.unit.evg');
    expect(scopesOf(model, 'p.u.')).toContain('keyword.other.unit.evg');
    expect(piecesOf(model, '1 MW')).toEqual([['1', 'constant.numeric.evg'], ['MW', 'keyword.other.unit.evg']]);
    // `2 * h`: `*` ends a quantity's unit, so `h` is a name here (docs/language.md §17.2).
    expect(scopesOf(model, 'h', 1)).toContain('variable.other.evg');
    expect(scopesOf(model, '24')).toContain('constant.numeric.evg');
    expect(piecesOf(model, '1..33')).toEqual([['1', 'constant.numeric.evg'], ['..', 'keyword.operator.range.evg'], ['33', 'constant.numeric.evg']]);
  });

  test('comments, doc comments and strings', () => {
    expect(scopesOf(model, '/// capacity of the substation')).toContain('comment.line.documentation.evg');
    expect(scopesOf(model, '// a comment')).toContain('comment.line.double-slash.evg');
    const block = tokenize(model).filter((t) => t.text.includes('comment */') || t.text.includes('/* block'));
    expect(block.every((t) => t.scopes.includes('comment.block.evg'))).toBe(true);
    expect(piecesOf(model, '"data/generators.csv"').map((p) => p[1])).toEqual([
      'punctuation.definition.string.begin.evg', 'string.quoted.double.evg', 'punctuation.definition.string.end.evg',
    ]);
    expect(scopesOf(model, 'data/generators.csv')).toContain('string.quoted.double.evg');
  });

  test('component headers: parameters, set parameters, units and defaults', () => {
    const comp = [
      'component Gen(',
      '  T : set = horizon,        /// periods',
      '  L : set(2),',
      '  p_min : MW = 0 MW,        /// minimum output',
      '  ramp[T] : MW/h,',
      '  bus in N = 1,',
      ') {',
      '  var p[t in T] : MW in [p_min, 2 * p_min]',
      '}',
    ].join('\n');
    expect(scopesOf(comp, 'Gen')).toContain('entity.name.type.class.component.evg');
    expect(scopesOf(comp, 'T')).toContain('variable.parameter.component.evg');
    expect(scopesOf(comp, 'set')).toContain('storage.type.set.evg');
    expect(scopesOf(comp, 'horizon')).toContain('variable.language.horizon.evg');
    expect(scopesOf(comp, '/// periods')).toContain('comment.line.documentation.evg');
    expect(scopesOf(comp, 'p_min')).toContain('variable.parameter.component.evg');
    expect(piecesOf(comp, 'MW/h')).toEqual([['MW', 'keyword.other.unit.evg'], ['/', 'keyword.operator.arithmetic.evg'], ['h', 'keyword.other.unit.evg']]);
    expect(scopesOf(comp, 'bus')).toContain('variable.parameter.component.evg');
    expect(scopesOf(comp, 'var')).toContain('storage.type.var.evg');
    expect(scopesOf(comp, 'p')).toContain('entity.name.variable.evg');
  });

  test('uncertainty: uncertain parameters, scenarios, recourse, chance constraints', () => {
    const m = [
      'uncertain d[t in T] : kW ~ normal(mean = 5, sd = 1)',
      'scenarios W = sample(n = 100)',
      'recourse x, bess.p_ch',
      'treatment dro(confidence = 0.95)',
      'constraint cap[t in T] with probability 0.95: x[t] <= d[t]',
      'constraint avg[t in T] in expectation: x[t] >= d[t]',
    ].join('\n');
    expect(scopesOf(m, 'uncertain')).toContain('storage.type.uncertain.evg');
    expect(scopesOf(m, 'd')).toContain('entity.name.constant.uncertain.evg');
    expect(scopesOf(m, 'kW')).toContain('keyword.other.unit.evg');
    expect(scopesOf(m, '~')).toContain('keyword.operator.distribution.evg');
    expect(scopesOf(m, 'scenarios')).toContain('storage.type.scenarios.evg');
    expect(scopesOf(m, 'W')).toContain('entity.name.type.scenarios.evg');
    expect(scopesOf(m, 'recourse')).toContain('storage.type.recourse.evg');
    expect(scopesOf(m, 'treatment')).toContain('storage.type.treatment.evg');
    expect(scopesOf(m, 'probability')).toContain('keyword.other.probability.evg');
    expect(scopesOf(m, 'expectation')).toContain('keyword.other.expectation.evg');
    expect(scopesOf(m, 'cap')).toContain('entity.name.function.constraint.evg');
  });
});

describe('every .evg file of the repository', () => {
  const files = [...evgFiles('examples'), ...evgFiles('stdlib')];
  test('there are files to check', () => expect(files.length).toBeGreaterThanOrEqual(3));
  test.each(files)('%s: every token has a scope of its own', (file) => {
    const text = readFileSync(file, 'utf8');
    const unscoped = tokenize(text).filter((t) => t.text.trim() !== '' && t.scopes.length < 2);
    expect(unscoped.map((t) => `${t.line + 1}:${t.start + 1} ${JSON.stringify(t.text)}`)).toEqual([]);
    // Declaration keywords are always scoped as such, and doc comments as documentation.
    const toks = tokenize(text);
    for (const t of toks.filter((x) => /^(param|var|constraint|component|instance)$/.test(x.text))) {
      expect(t.scopes.some((s) => s.startsWith('storage.type.'))).toBe(true);
    }
    for (const t of toks.filter((x) => x.text.startsWith('///'))) expect(t.scopes).toContain('comment.line.documentation.evg');
    for (const t of toks.filter((x) => /^(MW|MWh|h|\$)$/.test(x.text) && x.scopes.includes('meta.unit.evg'))) {
      expect(t.scopes).toContain('keyword.other.unit.evg');
    }
  });
});

describe('language configuration', () => {
  const conf = JSON.parse(readFileSync('grammar/language-configuration.json', 'utf8')) as {
    comments: { lineComment: string; blockComment: [string, string] };
    brackets: [string, string][];
    autoClosingPairs: { open: string; close: string }[];
    onEnterRules: { beforeText: string; action: { appendText?: string } }[];
  };
  test('comments, brackets, auto-closing pairs, doc comments continued on Enter', () => {
    expect(conf.comments).toEqual({ lineComment: '//', blockComment: ['/*', '*/'] });
    expect(conf.brackets).toEqual([['{', '}'], ['[', ']'], ['(', ')']]);
    expect(conf.autoClosingPairs.map((p) => p.open + p.close)).toEqual(['{}', '[]', '()', '""', '/* */']);
    const doc = conf.onEnterRules.find((r) => new RegExp(r.beforeText).test('  /// periods'))!;
    expect(doc.action.appendText).toBe('/// ');
    expect(new RegExp(doc.beforeText).test('  // periods')).toBe(false);
  });
});
