// Inputs shared by the property tests (test/property.test.ts and the strict versions in
// test/diagnostics-pending.test.ts): valid models to mutate, the language's vocabulary, and
// fast-check arbitraries that mutate a model's tokens or characters.
import fc from 'fast-check';

/** The model of test/smoke.test.ts, plus a few more constructs (2-D table, element parameter, ranges). */
export const SMOKE_MODEL = `horizon T = 4 steps of 1 h
set G = {g1, g2}
param pmax[G] : MW = {g1: 1, g2: 2}
param c[G] : $/MWh = {g1: 10, g2: 20}
param load[T] : kW = [500, 1500, 2500, 1000]
param m[G, T] : MW = [: 1 2 3 4 := g1 1 2 3 4  g2 . 1 1 1] default 0 MW
set B = {g in G where pmax[g] > 1.5 MW}
set N = 1..3
param bus[G] in N = {g1: 1, g2: 3}
var p[g in G, t in T] : MW in [0, pmax[g]]
var on[G, T] binary
expr net[t in T] : MW = sum(g in G) p[g, t] - load[t]
constraint bal[t in T]: sum(g in G) p[g, t] == load[t]
constraint ramp[g in G, t in T where t > first(T)]: p[g, t] - p[g, t-1] <= 1 MW/h * step(T)
constraint rng[t in T]: -5 MW <= net[t] <= 5 MW
constraint commit[g in G, t in T]: p[g, t] <= pmax[g] * on[g, t]
cost fuel = sum(g in G, t in T) c[g] * p[g, t] * step(T)
minimize total = fuel + sum(t in T) (if t == last(T) then 1 $/MWh else 0 $/MWh) * p["g1", t] * step(T)
`;

/** A model on the device library: indexed and plain instances, member access, costs. */
export const BATTERY_MODEL = `import stdlib.devices
horizon T = 3 steps of 1 h
set B = {b1, b2}
param cap[B] : MWh = {b1: 1, b2: 2}
instance bess[b in B] = Battery(e_max = cap[b], p_ch_max = 1 MW, p_dis_max = 1 MW, c_deg = 1 $/MWh)
instance gen = Generator(p_max = 2 MW, ramp_up = 1 MW/h, ramp_down = 1 MW/h, c_energy = 3 $/MWh)
param load[T] : MW = [1, 2, 1.5]
constraint bal[t in T]: sum(b in B) bess[b].p_net[t] + gen.p[t] == load[t]
minimize total = sum(b in B) bess[b].degradation + gen.fuel
`;

export const KEYWORDS = [
  'import', 'horizon', 'steps', 'of', 'set', 'param', 'table', 'var', 'constraint', 'expr', 'cost', 'minimize',
  'maximize', 'component', 'instance', 'in', 'where', 'sum', 'if', 'then', 'else', 'and', 'or', 'not', 'integer',
  'binary', 'continuous', 'default', 'union', 'inter', 'diff', 'true', 'false',
];
export const OPERATORS = [
  ':=', '==', '!=', '<=', '>=', '<', '>', '=', '..', '.', ',', ':', ';', '(', ')', '[', ']', '{', '}', '+', '-', '*', '/', '^', '$', '%',
];
export const NAMES = [
  'G', 'T', 'B', 'N', 'p', 'x', 'soc', 'load', 'pmax', 'g', 't', 'b', 'g1', 'g2', 'a', 'Battery', 'Generator',
  'first', 'last', 'card', 'step', 'prev', 'next', 'ord', 'min', 'max', 'abs', 'sqrt', 'log', 'keys', 'csv', 'json', 'stdlib', 'devices',
];
export const NUMBERS = ['0', '1', '2', '3', '0.5', '2.5', '24', '1e3', '.5', '1e-3'];
export const UNITS = ['MW', 'kW', 'kWh', 'MWh', 'h', 'min', 'Mvar', 'MVA', 'V', 'kV', 'A', 'ohm', 'p.u.', 'MW/h', '$/MWh', 'kV^2', 'Ω'];
export const STRINGS = ['"data/generators.csv"', '"data/none.csv"', '"model.evg"', '""', '"g1"'];
export const VOCABULARY = [...KEYWORDS, ...OPERATORS, ...NAMES, ...NUMBERS, ...UNITS, ...STRINGS, '\n', '///doc\n', '// c\n', '/* c */'];

const TOKEN_RE = /\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/|"[^"\n]*"|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?(?:e[+-]?\d+)?|:=|==|!=|<=|>=|\.\.|p\.u\.|[^\s]/g;

/** Splits a model into tokens, keeping whitespace and comments, so that joining gives the text back. */
export function tokenize(text: string): string[] {
  return text.match(TOKEN_RE) ?? [];
}

type Edit = { kind: 'delete' | 'duplicate' | 'swap' | 'move' | 'deleteRun'; i: number; j: number };

const edit = fc.record({
  kind: fc.constantFrom<Edit['kind']>('delete', 'duplicate', 'swap', 'move', 'deleteRun'),
  i: fc.nat(),
  j: fc.nat(),
});

function applyEdits<T>(items: readonly T[], edits: readonly Edit[]): T[] {
  const out = [...items];
  for (const e of edits) {
    if (out.length === 0) break;
    const i = e.i % out.length, j = e.j % out.length;
    switch (e.kind) {
      case 'delete': out.splice(i, 1); break;
      case 'duplicate': out.splice(i, 0, out[i]!); break;
      case 'swap': [out[i], out[j]] = [out[j]!, out[i]!]; break;
      case 'move': { const [x] = out.splice(i, 1); out.splice(j % (out.length + 1), 0, x!); break; }
      case 'deleteRun': out.splice(i, 1 + (e.j % 6)); break;
    }
  }
  return out;
}

/** Deletions, duplications, swaps and moves of tokens (non-whitespace tokens only). */
export function tokenMutations(tokens: readonly string[]): fc.Arbitrary<string> {
  const idx = tokens.map((t, i) => (/^\s+$/.test(t) ? -1 : i)).filter((i) => i >= 0);
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    // Edit the sequence of significant tokens, each carrying the whitespace that follows it.
    const units = idx.map((i, k) => tokens.slice(i, k + 1 < idx.length ? idx[k + 1]! : tokens.length).join(''));
    return tokens.slice(0, idx[0] ?? 0).join('') + applyEdits(units, edits).join('');
  });
}

/** Deletions, duplications, swaps and moves of single characters. */
export function charMutations(text: string): fc.Arbitrary<string> {
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => applyEdits(text.split(''), edits).join(''));
}

/** Replaces names by names, numbers by numbers, units by units, operators by operators, keywords by keywords. */
export function replaceMutations(tokens: readonly string[], numbers: readonly string[] = [...NUMBERS.filter((n) => n !== '1e3'), '-1', '100', '1e-9']): fc.Arbitrary<string> {
  const names = [...new Set(tokens.filter((t) => /^[A-Za-z_]/.test(t) && !KEYWORDS.includes(t)))];
  const classOf = (t: string): readonly string[] | undefined => {
    if (/^\d/.test(t)) return numbers;
    if (UNITS.includes(t)) return UNITS;
    if (KEYWORDS.includes(t)) return KEYWORDS;
    if (/^[A-Za-z_]/.test(t)) return names;
    if (OPERATORS.includes(t)) return OPERATORS;
    if (t.startsWith('"')) return STRINGS;
    return undefined;
  };
  const slots = tokens.map((t, i) => (classOf(t) ? i : -1)).filter((i) => i >= 0);
  const rep = fc.record({ at: fc.nat(), pick: fc.nat() });
  return fc.array(rep, { minLength: 1, maxLength: 3 }).map((reps) => {
    const out = [...tokens];
    for (const r of reps) {
      const i = slots[r.at % slots.length]!;
      const cls = classOf(tokens[i]!)!;
      out[i] = cls[r.pick % cls.length]!;
    }
    return out.join('');
  });
}
