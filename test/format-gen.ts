// Random valid models for the formatter's property tests: a generator of declarations and
// expressions from the grammar of docs/language.md §21, written as tokens. Compound operands are
// always parenthesised (the parser drops the parentheses, so the formatter must find the ones the
// grammar needs), and between tokens the test puts random white space and `//` and `/* */`
// comments. Doc comments (`///`) go where they document something: on their own lines above
// declarations and component parameters, and after a parameter's comma.
import fc from 'fast-check';

type Gen = fc.GeneratorValue;

const NAMES = ['a', 'b', 'x', 'y', 'p', 'G', 'T', 'S', 'h', 'm', 'cost', 'table', 'soc', 'p_max'];
const INDICES = ['i', 'j', 't', 'g'];
const NUMBERS = ['0', '1', '2', '0.5', '.5', '1e3', '2.5E-3', '10', '24'];
const LIT_UNIT_ATOMS = ['MW', 'kW', 'h', 'MWh', '$', 'k$', '%', 'p.u.', 'kV', 'ohm', 'min', 'Mvar'];
const DECL_UNIT_ATOMS = ['MW', 'kW', 'h', 'MWh', '$', 'k$', '%', 'p.u.', 'kV', 'ohm', 's', '1'];
const FUNCS = ['first', 'last', 'card', 'step', 'abs', 'max', 'min', 'f'];
const STRINGS = ['"g1"', '"north feeder"', '"x\\"y"', '"data/a.csv"'];

const pick = <T>(g: Gen, xs: readonly T[]): T => xs[g(fc.integer, { min: 0, max: xs.length - 1 })]!;
const chance = (g: Gen, p: number): boolean => g(fc.double, { min: 0, max: 1, noNaN: true }) < p;
const count = (g: Gen, min: number, max: number): number => g(fc.integer, { min, max });

/** Tokens of a generated model; DOC and TRAILING_DOC stand for doc comments. */
export type Tokens = string[];
export const DOC = '\u0000doc';
export const TRAILING_DOC = '\u0000tdoc';
/** The end of a declaration: where an end-of-line comment may go in 'lines' layouts. */
export const END = '\u0000end';

function sepList(g: Gen, n: number, item: () => Tokens, sep = ','): Tokens {
  const out: Tokens = [];
  for (let i = 0; i < n; i++) {
    if (i > 0) out.push(sep);
    out.push(...item());
  }
  return out;
}

// ------------------------------------------------------------------ units

function literalUnit(g: Gen): Tokens {
  const prod = (): Tokens => {
    const out: Tokens = [];
    for (let i = 0; i < count(g, 1, 2); i++) {
      out.push(pick(g, LIT_UNIT_ATOMS));
      if (chance(g, 0.2)) out.push('^', ...(chance(g, 0.3) ? ['-'] : []), pick(g, ['2', '1', '3']));
    }
    return out;
  };
  const out = prod();
  for (let i = 0; i < count(g, 0, 2); i++) out.push('/', ...prod());
  // One token: no comments inside units (the formatter keeps them, but not always in place).
  return [out.join(' ')];
}

function declUnit(g: Gen, depth = 0): Tokens {
  return [declUnitTokens(g, depth).join(' ')];
}

function declUnitTokens(g: Gen, depth = 0): Tokens {
  const atom = (): Tokens => (depth < 1 && chance(g, 0.1) ? ['(', ...declUnitTokens(g, depth + 1), ')'] : [pick(g, DECL_UNIT_ATOMS)]);
  const pow = (): Tokens => {
    const a = atom();
    return chance(g, 0.2) ? [...a, '^', ...(chance(g, 0.3) ? ['-'] : []), pick(g, ['2', '3'])] : a;
  };
  const prod = (): Tokens => {
    const out = pow();
    for (let i = 0; i < count(g, 0, 2); i++) out.push(...(chance(g, 0.4) ? ['*'] : []), ...pow());
    return out;
  };
  const out = prod();
  for (let i = 0; i < count(g, 0, 2); i++) out.push('/', ...prod());
  return out;
}

// ------------------------------------------------------------------ expressions

/** An expression; `atomic` results can stand anywhere, others are parenthesised as operands. */
interface E { readonly t: Tokens; readonly atomic: boolean; readonly quantity?: boolean }

const paren = (e: E): Tokens => (e.atomic ? e.t : ['(', ...e.t, ')']);

function atom(g: Gen, depth: number): E {
  switch (count(g, 0, depth > 2 ? 3 : 9)) {
    case 0: return { t: [pick(g, NUMBERS)], atomic: true };
    case 1: return { t: [pick(g, NUMBERS), ...literalUnit(g)], atomic: true, quantity: true };
    case 2: return { t: [pick(g, STRINGS)], atomic: true };
    case 3: return { t: [pick(g, [...NAMES, 'horizon', 'true', 'false'])], atomic: true };
    case 4: return { t: [pick(g, NAMES), '[', ...sepList(g, count(g, 1, 2), () => index(g, depth)), ']'], atomic: true };
    case 5: {
      const t = [pick(g, NAMES)];
      if (chance(g, 0.5)) t.push('[', pick(g, INDICES), ']');
      t.push('.', pick(g, NAMES));
      if (chance(g, 0.5)) t.push('[', pick(g, INDICES), ']');
      return { t, atomic: true };
    }
    case 6: {
      const args = sepList(g, count(g, 0, 2), () => expr(g, depth + 1).t);
      if (chance(g, 0.3)) args.push(...(args.length ? [','] : []), 'key', '=', ...expr(g, depth + 1).t);
      return { t: [pick(g, FUNCS.filter((f) => f !== 'min' && f !== 'max')), '(', ...args, ')'], atomic: true };
    }
    case 7: return { t: ['{', ...sepList(g, count(g, 0, 3), () => element(g)), '}'], atomic: true };
    case 8: return { t: ['(', ...sepList(g, 2, () => expr(g, depth + 1).t), ')'], atomic: true };
    default: return { t: [pick(g, INDICES)], atomic: true };
  }
}

function index(g: Gen, depth: number): Tokens {
  if (chance(g, 0.4)) return [pick(g, INDICES), pick(g, ['-', '+']), pick(g, ['1', '2'])];
  return paren(expr(g, depth + 1));
}

function element(g: Gen): Tokens {
  switch (count(g, 0, 3)) {
    case 0: return [...(chance(g, 0.3) ? ['-'] : []), pick(g, NUMBERS)];
    case 1: return [pick(g, [...NAMES, ...INDICES])];
    case 2: return [pick(g, STRINGS)];
    default: return ['(', ...sepList(g, count(g, 1, 3), () => [pick(g, ['1', 'a', '"b"', '-2'])]), ')'];
  }
}

function domain(g: Gen, depth: number, named = false): Tokens {
  const binding = (first: boolean): Tokens => {
    const r = count(g, 0, 2);
    if (r === 0 && !(first && named)) return paren(setExpr(g, depth + 1));
    if (r === 1) return ['(', ...sepList(g, count(g, 2, 3), () => [pick(g, INDICES)]), ')', 'in', ...paren(setExpr(g, depth + 1))];
    return [pick(g, INDICES), 'in', ...paren(setExpr(g, depth + 1))];
  };
  const out: Tokens = [];
  for (let i = 0; i < count(g, 1, 2); i++) {
    if (i > 0) out.push(',');
    out.push(...binding(i === 0));
  }
  if (chance(g, 0.4)) out.push('where', ...cond(g, depth + 1).t);
  return out;
}

function setExpr(g: Gen, depth: number): E {
  switch (depth > 3 ? 0 : count(g, 0, 5)) {
    case 0: return { t: [pick(g, ['G', 'T', 'S'])], atomic: true };
    case 1: return { t: [...paren(atom(g, depth)), '..', ...paren(atom(g, depth))], atomic: false };
    case 2: return { t: ['{', ...sepList(g, count(g, 0, 3), () => element(g)), '}'], atomic: true };
    case 3: return { t: ['{', ...domain(g, depth, true), '}'], atomic: true };
    case 4: return { t: [pick(g, ['G', 'T']), pick(g, ['union', 'inter', 'diff', '*']), pick(g, ['S', 'G'])], atomic: false };
    default: return { t: ['keys', '(', pick(g, NAMES), ')'], atomic: true };
  }
}

function cond(g: Gen, depth: number): E {
  switch (depth > 3 ? 4 : count(g, 0, 4)) {
    case 0: return { t: [...paren(arith(g, depth)), pick(g, ['==', '!=', '<', '<=', '>', '>=']), ...paren(arith(g, depth))], atomic: false };
    case 1: return { t: [...paren(cond(g, depth + 1)), pick(g, ['and', 'or']), ...paren(cond(g, depth + 1))], atomic: false };
    case 2: return { t: ['not', ...paren(cond(g, depth + 1))], atomic: false };
    case 3: return { t: [...paren(atom(g, depth)), 'in', ...paren(setExpr(g, depth + 1))], atomic: false };
    default: return { t: [pick(g, ['true', 'b'])], atomic: true };
  }
}

function arith(g: Gen, depth: number): E {
  if (depth > 3) return atom(g, depth);
  switch (count(g, 0, 8)) {
    case 0: case 1: return atom(g, depth);
    case 2: {
      // Quantities before `/` or `^` are parenthesised: `5 MW / h` would be the unit MW/h.
      const l = arith(g, depth + 1);
      const op = pick(g, ['+', '-', '*', '/', '^']);
      const left = l.quantity && (op === '/' || op === '^') ? ['(', ...l.t, ')'] : paren(l);
      return { t: [...left, op, ...paren(arith(g, depth + 1))], atomic: false };
    }
    case 3: {
      const n = count(g, 2, 4);
      const t: Tokens = [];
      for (let i = 0; i < n; i++) {
        if (i > 0) t.push(pick(g, ['+', '-']));
        const e = arith(g, depth + 2);
        t.push(...paren(e));
      }
      return { t, atomic: false };
    }
    case 4: return { t: ['-', ...paren(arith(g, depth + 1))], atomic: false };
    case 5: return { t: ['sum', '(', ...domain(g, depth), ')', ...paren(arith(g, depth + 1))], atomic: false };
    case 6: return { t: [pick(g, ['min', 'max']), '(', ...domain(g, depth, true), ')', ...paren(arith(g, depth + 1))], atomic: false };
    case 7: return { t: ['if', ...cond(g, depth + 1).t, 'then', ...paren(arith(g, depth + 1)), 'else', ...paren(arith(g, depth + 1))], atomic: false };
    default: return { t: [pick(g, ['min', 'max', 'abs']), '(', ...sepList(g, count(g, 1, 3), () => arith(g, depth + 1).t), ')'], atomic: true };
  }
}

function expr(g: Gen, depth: number): E {
  const r = count(g, 0, 5);
  if (r === 0) return cond(g, depth);
  if (r === 1) return setExpr(g, depth);
  return arith(g, depth);
}

/** An additive expression (`add` in the grammar): every arithmetic expression is one. */
function add(g: Gen, depth = 0): Tokens {
  return arith(g, depth).t;
}

// ------------------------------------------------------------------ declarations

function declDomain(g: Gen): Tokens {
  return chance(g, 0.5) ? ['[', ...domain(g, 1), ']'] : [];
}

function unitPart(g: Gen): Tokens {
  return chance(g, 0.5) ? [':', ...declUnit(g)] : [];
}

function relation(g: Gen): Tokens {
  const part = () => paren(arith(g, 1));
  const rel = () => pick(g, ['==', '<=', '>=']);
  const t = [...part(), rel(), ...part()];
  if (chance(g, 0.2)) t.push(rel(), ...part());
  return t;
}

function inlineValue(g: Gen): Tokens {
  switch (count(g, 0, 3)) {
    case 0: return ['{', ...sepList(g, count(g, 1, 3), () => [...element(g), ':', ...add(g, 2)]), '}'];
    case 1: return ['[', ...sepList(g, count(g, 0, 4), () => add(g, 2)), ']'];
    case 2: {
      const cols = count(g, 1, 3);
      const t: Tokens = ['[', ':'];
      for (let c = 0; c < cols; c++) t.push(pick(g, ['1', '2', 'c1', '"c 2"']));
      t.push(':=');
      for (let r = 0; r < count(g, 0, 3); r++) {
        t.push(pick(g, ['g1', 'g2', '3', '"r"']));
        for (let c = 0; c < cols; c++) t.push(pick(g, ['1', '-2', '0.5', '.', '10']));
      }
      return [...t, ']'];
    }
    default: return expr(g, 0).t;
  }
}

function decl(g: Gen, inComponent: boolean): Tokens {
  const name = () => pick(g, NAMES);
  const r = count(g, 0, inComponent ? 8 : 12);
  switch (r) {
    case 0: return ['set', name(), '=', ...expr(g, 0).t];
    case 1: {
      const t = ['param', name(), ...declDomain(g), ...unitPart(g)];
      if (chance(g, 0.2)) t.push('in', ...paren(setExpr(g, 1)));
      if (chance(g, 0.8)) t.push('=', ...inlineValue(g));
      if (chance(g, 0.3)) t.push('default', ...add(g));
      return t;
    }
    case 2: {
      const t = ['var', name(), ...declDomain(g), ...unitPart(g)];
      if (chance(g, 0.3)) t.push(pick(g, ['integer', 'binary', 'continuous']));
      switch (count(g, 0, 4)) {
        case 0: t.push('in', '[', ...add(g), ',', ...add(g), ']'); break;
        case 1: t.push('>=', ...add(g)); break;
        case 2: t.push('<=', ...add(g), '>=', ...add(g)); break;
        case 3: t.push('>=', ...add(g), '<=', ...add(g)); break;
        default: break;
      }
      return t;
    }
    case 3: {
      const t = ['constraint', name(), ...declDomain(g), ':'];
      if (chance(g, 0.3)) {
        t.push('if', ...cond(g, 1).t, 'then', ...relation(g));
        if (chance(g, 0.5)) t.push('else', ...relation(g));
      } else t.push(...relation(g));
      return t;
    }
    case 4: return ['expr', name(), ...declDomain(g), ...unitPart(g), '=', ...expr(g, 0).t];
    case 5: return ['cost', name(), ...unitPart(g), '=', ...expr(g, 0).t];
    case 6: return ['table', name(), '=', 'csv', '(', '"data/f.csv"', ...(chance(g, 0.5) ? [',', 'key', '=', '(', 'a', ',', 'b', ')'] : []), ')'];
    case 7: case 8: {
      const t = ['instance', name(), ...declDomain(g), '=', pick(g, ['Battery', 'Dev']), '('];
      t.push(...sepList(g, count(g, 0, 3), () => [pick(g, NAMES), ...(chance(g, 0.2) ? ['[', 't', ']'] : []), '=', ...expr(g, 1).t]));
      if (t[t.length - 1] !== '(' && chance(g, 0.3)) t.push(',');
      t.push(')');
      return t;
    }
    case 9: return ['horizon', 'T', '=', ...add(g), 'steps', 'of', ...add(g)];
    case 10: return [pick(g, ['minimize', 'maximize']), name(), ...unitPart(g), '=', ...expr(g, 0).t];
    case 11: return chance(g, 0.5) ? ['import', '"lib/x.evg"'] : ['import', 'stdlib', '.', 'devices'];
    default: {
      const params = sepList(g, count(g, 0, 4), () => {
        const p = chance(g, 0.2) ? [DOC, pick(g, NAMES)] : [pick(g, NAMES)];
        if (chance(g, 0.2)) p.push('[', ...sepList(g, count(g, 1, 2), () => paren(setExpr(g, 1))), ']');
        const k = count(g, 0, 3);
        if (k === 0) p.push(':', 'set', ...(chance(g, 0.3) ? ['(', '2', ')'] : []));
        else if (k === 1) p.push(':', ...declUnit(g));
        if (chance(g, 0.15)) p.push('in', ...paren(setExpr(g, 1)));
        if (chance(g, 0.4)) p.push('=', ...expr(g, 1).t);
        return p;
      }, '\u0000sep');
      // Parameters are separated by commas, after which a doc comment may follow.
      for (let i = 0; i < params.length; i++) {
        if (params[i] !== '\u0000sep') continue;
        params.splice(i, 1, ...(chance(g, 0.4) ? [',', TRAILING_DOC] : [',']));
      }
      const t = ['component', pick(g, ['Battery', 'Dev']), '(', ...params];
      if (params.length && chance(g, 0.4)) t.push(',');
      t.push(')', '{');
      for (let i = 0; i < count(g, 0, 3); i++) t.push(...(chance(g, 0.3) ? [DOC] : []), ...decl(g, true), END);
      t.push('}');
      return t;
    }
  }
}

export function model(g: Gen): Tokens {
  const t: Tokens = [];
  for (let i = 0; i < count(g, 1, 3); i++) {
    if (i > 0 && chance(g, 0.1)) t.push(';');
    if (chance(g, 0.3)) t.push(DOC);
    t.push(...decl(g, false), END);
  }
  return t;
}

let commentId = 0;

/**
 * Joins tokens with random white space and, now and then (`commentRate`), comments: in any gap
 * between two tokens (`anywhere`), or only where people write them (`lines`): on lines of their
 * own above declarations, at the end of a declaration's line, and after commas.
 */
export function layout(g: Gen, tokens: Tokens, commentRate: number, where: 'anywhere' | 'lines' = 'anywhere'): string {
  let out = '';
  let afterDoc = false;
  tokens.forEach((tok, i) => {
    if (tok === END) {
      if (where === 'lines' && chance(g, commentRate * 3)) out += ` // e${++commentId}\n`;
      return;
    }
    if (tok === DOC || tok === TRAILING_DOC) {
      if (commentRate > 0) {
        if (tok === DOC && where === 'lines' && chance(g, 0.3)) out += `\n// o${++commentId}\n${pick(g, ['', '\n'])}`;
        out += tok === DOC ? `\n/// d${++commentId}\n` : ` /// t${++commentId}\n`;
        afterDoc = true;
      }
      return;
    }
    if (i > 0 && !afterDoc) {
      let sep = pick(g, [' ', ' ', ' ', '\n', '\n  ', '  ', '\n\n']);
      const prev = tokens[i - 1];
      // A doc comment after a parameter's comma documents it only if the comma is on its line.
      if (tok === ',' && tokens[i + 1] === TRAILING_DOC) sep = ' ';
      else if ((where === 'anywhere' || prev === ',') && chance(g, commentRate)) {
        const n = ++commentId;
        sep = chance(g, 0.5) ? ` /* c${n} */ ` : ` // c${n}\n`;
      }
      out += sep;
    } else if (afterDoc) out += pick(g, ['', '  ']);
    afterDoc = false;
    out += tok;
  });
  return `${out}\n`;
}
