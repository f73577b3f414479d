// Units as text: how the formatter and the language server write a unit expression of the AST.
import type * as A from '../syntax/ast.js';
import { assertNever } from './tree.js';

/** Where a unit stands in its parent: what decides whether it needs parentheses. */
export type UnitPos = 'top' | 'divRight' | 'mulLeft' | 'mulRight' | 'powBase';

/** Units parse as `uprod {/ uprod}`, `uprod = upow {[*] upow}`, `upow = atom [^ n]` (docs/language.md §21). */
export function unitNeedsParens(u: A.UnitExpr, pos: UnitPos, text?: string): boolean {
  switch (u.kind) {
    case 'unitName': case 'unitOne': return false;
    case 'unitPow': return pos === 'powBase';
    // `$/(MW*h)` keeps its parentheses for the reader (`$/MW*h` means the same).
    case 'unitMul': return pos === 'mulRight' || pos === 'powBase' || (pos === 'divRight' && mulSeparator(text, u) === '*');
    case 'unitDiv': return pos !== 'top';
    default: return assertNever(u);
  }
}

/**
 * How a product of units is written: `MW*h` and `MW^2h` stay as written (a `*`, or nothing after
 * an exponent), anything else is one space: `kW h`. `text` is the source the unit was parsed from.
 */
export function mulSeparator(text: string | undefined, u: Extract<A.UnitExpr, { kind: 'unitMul' }>): string {
  if (text === undefined) return ' ';
  const gap = text.slice(u.left.span.end, u.right.span.start).replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
  if (gap.includes('*')) return '*';
  if (gap === '' && text.slice(u.left.span.end, u.right.span.start) === '') {
    const l = unitText(u.left, undefined, 'mulLeft'), r = unitText(u.right, undefined, 'mulRight');
    const identEnd = /[A-Za-z0-9_]$/.test(l), identStart = /^[A-Za-z0-9_]/.test(r);
    if (!(identEnd && identStart) || (/[0-9]$/.test(l) && /^[A-DF-Za-df-z_]/.test(r))) return '';
  }
  return ' ';
}

/** The unit as text; `text` (the source) keeps the writer's `*` and `MW^2h` forms. */
export function unitText(u: A.UnitExpr, text?: string, pos: UnitPos = 'top'): string {
  let s: string;
  switch (u.kind) {
    case 'unitName': s = u.name; break;
    case 'unitOne': s = text !== undefined ? text.slice(u.span.start, u.span.end) || '1' : '1'; break;
    case 'unitPow': s = `${unitText(u.base, text, 'powBase')}^${u.exp}`; break;
    case 'unitMul': s = `${unitText(u.left, text, 'mulLeft')}${mulSeparator(text, u)}${unitText(u.right, text, 'mulRight')}`; break;
    case 'unitDiv': s = `${unitText(u.left, text, 'top')}/${unitText(u.right, text, 'divRight')}`; break;
    default: return assertNever(u);
  }
  return unitNeedsParens(u, pos, text) ? `(${s})` : s;
}
