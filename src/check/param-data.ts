// Filling parameter values: from an expression over the domain, a table column, inline data
// (`{k: v}`, `[v, ...]`, `[: cols := rows]`), then `default` for what is left. Missing values,
// non-numbers and keys outside the domain are reported with the place they come from.
import { dirname, resolve as resolvePath } from 'node:path';
import type * as A from '../syntax/ast.js';
import type { Diagnostics, Span } from '../diagnostics/diagnostic.js';
import { EvgError, fail } from '../diagnostics/diagnostic.js';
import type { CDomain, ElemFn, Env, NumFn } from './program.js';
import type { Loop } from './loops.js';
import type { Unit } from './units.js';
import { resolveUnit } from './units.js';
import type { DataTable } from '../data/table.js';
import type { Frame } from '../lower/frame.js';
import { ParamValue, normElem, elemText, formatTuple, type Elem, type EvSet } from '../lower/values.js';

export interface InlineEntry {
  /** Key tuple; undefined for positional list items. */
  readonly key?: readonly Elem[];
  readonly value: number | Elem;
  readonly span: Span;
}

export type ParamSource =
  | { readonly kind: 'inline'; readonly ast: A.Expr; readonly unit: Unit }
  | { readonly kind: 'column'; readonly table: (frame: Frame) => DataTable; readonly column: string; readonly span: Span }
  | { readonly kind: 'num'; readonly f: NumFn; readonly span: Span }
  | { readonly kind: 'elem'; readonly f: ElemFn; readonly span: Span }
  | { readonly kind: 'error' };

export interface BuildArgs {
  readonly name: string;
  readonly factors: EvSet[];
  readonly domain?: CDomain;
  readonly loop?: Loop;
  readonly env: Env;
  readonly unit: Unit;
  readonly isElem: boolean;
  readonly source?: ParamSource;
  readonly dflt?: ParamSource;
  readonly elementOf?: EvSet;
  readonly span: Span;
  readonly declSpan: Span;
  readonly diags?: Diagnostics;
}

export function buildParamValue(a: BuildArgs): ParamValue {
  const size = a.factors.reduce((s, f) => s * f.size, 1);
  const pv = new ParamValue(a.factors, a.name, a.isElem ? null : new Float64Array(size).fill(NaN), a.isElem ? new Array<Elem | undefined>(size) : null);
  if (a.source) fill(pv, a, a.source, false);
  if (a.dflt) fill(pv, a, a.dflt, true);
  // Every index needs a value.
  const missing: number[] = [];
  for (let i = 0; i < size && missing.length < 6; i++) {
    if (pv.num ? Number.isNaN(pv.num[i]!) : pv.elems![i] === undefined) missing.push(i);
  }
  if (missing.length) {
    let count = 0;
    for (let i = 0; i < size; i++) if (pv.num ? Number.isNaN(pv.num[i]!) : pv.elems![i] === undefined) count++;
    const keys = missing.slice(0, 5).map((i) => formatTuple(pv.tupleAt(i)));
    fail('E0504', `parameter \`${a.name}\` has no value for ${count} of its ${size} ${size === 1 ? 'index' : 'indices'}: ${keys.join(', ')}${count > 5 ? ', ...' : ''}`,
      a.source && a.source.kind !== 'error' && 'span' in a.source ? a.source.span : a.declSpan, 'add the missing rows to the data, or give the parameter a `default`');
  }
  return pv;
}

function fill(pv: ParamValue, a: BuildArgs, src: ParamSource, onlyMissing: boolean): void {
  const num = pv.num, elems = pv.elems;
  const isMissing = (i: number) => (num ? Number.isNaN(num[i]!) : elems![i] === undefined);
  /** `name[index]` of position i, for messages. */
  const at = (i: number): string => (pv.arity ? `${a.name}[${pv.tupleAt(i).map(elemText).join(', ')}]` : a.name);
  /** Stores a value; `span` is where it comes from (a function when computing it costs time: only errors need it). */
  const put = (i: number, v: number | Elem, span: Span | (() => Span)) => {
    if (onlyMissing && !isMissing(i)) return;
    if (num) {
      if (typeof v !== 'number' || !Number.isFinite(v)) fail('E0604', `parameter \`${at(i)}\` gets the value ${String(v)}, which is not a finite number`, spanOf(span));
      num[i] = v;
    } else {
      if (a.elementOf && a.elementOf.pos(v) < 0) fail('E0302', `\`${v}\` is not an element of ${a.elementOf.describe()}`, spanOf(span), `\`${at(i)}\` takes its values from that set`);
      elems![i] = v;
    }
  };
  switch (src.kind) {
    case 'error': return;
    case 'num': case 'elem': {
      const f = src.f;
      /** f for position i; an error inside names the index it was computed for (the code and span stay those of the error). */
      const value = (i: number): number | Elem => {
        try {
          return f(a.env);
        } catch (e) {
          if (!(e instanceof EvgError) || !pv.arity) throw e;
          const d = e.diagnostic;
          throw new EvgError({ ...d, notes: [...(d.notes ?? []), { message: `while computing \`${at(i)}\`` }] });
        }
      };
      if (!a.domain) { put(0, value(0), src.span); return; }
      let i = 0;
      a.loop!(a.env, () => {
        if (!onlyMissing || isMissing(i)) put(i, value(i), src.span);
        i++;
      });
      return;
    }
    case 'column': {
      const t = src.table(a.env.frame);
      const col = t.column(src.column);
      if (col < 0) fail('E0502', `data file \`${t.file}\` has no column \`${src.column}\``, src.span, `its columns are: ${t.columns.join(', ')}`);
      if (t.keyCols.length !== pv.arity && a.domain) {
        fail('E0508', `\`${a.name}\` has ${pv.arity} ${pv.arity === 1 ? 'index' : 'indices'} but the table's key has ${t.keyCols.length} column${t.keyCols.length === 1 ? '' : 's'}`, src.span,
          'declare the table with a matching key, for example `key = (from, to)`');
      }
      const factor = a.unit.factor;
      let outside = 0;
      let firstOutside = -1;
      const key = new Array<Elem>(t.keyCols.length);
      for (let r = 0; r < t.rowCount; r++) {
        let i = 0;
        if (a.domain) {
          t.keyInto(r, key);
          i = pv.offsetOf(key);
          if (i < 0) { outside++; if (firstOutside < 0) firstOutside = r; continue; }
        }
        if (onlyMissing && !isMissing(i)) continue;
        if (num) {
          let v = t.numOrNaN(r, col);
          if (v !== v) v = t.number(r, col); // fails with the cell's position
          v *= factor;
          if (!Number.isFinite(v)) put(i, v, () => t.cellSpan(r, col));
          num[i] = v;
        } else {
          put(i, t.elem(r, col), () => t.cellSpan(r, col));
        }
        if (!a.domain) break;
      }
      if (outside && a.diags) {
        const first = t.keyTuple(firstOutside);
        // Which index value of that row is outside: the first factor of the domain that lacks it.
        pv.offsetOf(first);
        const bad = Math.max(0, pv.badFactor);
        let k = 0;
        for (let j = 0; j < bad; j++) k += pv.factors[j]!.arity;
        const dom = pv.factors[bad]!;
        const value = dom.arity === 1 ? elemText(first[k]!) : formatTuple(first.slice(k, k + dom.arity));
        a.diags.report('W0501', `${outside} row${outside === 1 ? '' : 's'} of \`${t.file}\` ${outside === 1 ? 'has a key' : 'have keys'} outside the domain of \`${a.name}\` (first: ${formatTuple(first)}) and ${outside === 1 ? 'is' : 'are'} ignored`, src.span,
          undefined, [{ message: `the first such row: \`${value}\` is not in ${dom.describe(4)}`, span: t.cellSpan(firstOutside, t.keyCols[k]!) }]);
      }
      return;
    }
    case 'inline': {
      const entries = inlineEntries(src.ast, src.unit, a.isElem);
      const positional = entries.length > 0 && entries[0]!.key === undefined;
      if (positional) {
        if (entries.length !== pv.size) {
          fail('E0507', `\`${a.name}\` has ${pv.size} ${pv.size === 1 ? 'index' : 'indices'} but the list gives ${entries.length} value${entries.length === 1 ? '' : 's'}`, src.ast.span);
        }
        entries.forEach((en, i) => put(i, en.value, en.span));
        return;
      }
      for (const en of entries) {
        const i = a.domain ? pv.offsetOf(en.key!) : en.key!.length === 0 ? 0 : -1;
        if (i < 0) {
          fail('E0507', `key ${formatTuple(en.key!)} is not in the domain of \`${a.name}\``, en.span,
            a.factors.length ? `the domain is ${a.factors.map((f) => f.describe(4)).join(' x ')}` : undefined);
        }
        put(i, en.value, en.span);
      }
      return;
    }
  }
}

/** Reads inline data into key/value entries; numbers are converted to canonical units. */
function inlineEntries(e: A.Expr, unit: Unit, isElem: boolean): InlineEntry[] {
  const value = (v: A.Expr): number | Elem => {
    if (isElem) {
      if (v.kind === 'symbol') return normElem(v.name);
      if (v.kind === 'str') return normElem(v.value);
      if (v.kind === 'num') return v.value;
      if (v.kind === 'name') return normElem(v.name);
      fail('E0507', 'an element-valued parameter takes names or numbers', v.span);
    }
    return numberValue(v, unit);
  };
  switch (e.kind) {
    case 'listLit':
      return e.items.map((it) => ({ value: value(it), span: it.span }));
    case 'mapLit':
      return e.entries.map((en) => ({ key: en.key.map(keyElem), value: value(en.value), span: en.span }));
    case 'tableLit': {
      const cols = e.columns.map(keyElem);
      const out: InlineEntry[] = [];
      for (const row of e.rows) {
        if (row.values.length !== cols.length) {
          fail('E0507', `table row ${keyElem(row.key)} has ${row.values.length} value${row.values.length === 1 ? '' : 's'} but there are ${cols.length} columns`, row.span);
        }
        row.values.forEach((v, j) => {
          if (v.kind === 'error') return; // `.` marks "no value"
          out.push({ key: [keyElem(row.key), cols[j]!], value: value(v), span: v.span });
        });
      }
      return out;
    }
    default:
      return [];
  }
}

function spanOf(s: Span | (() => Span)): Span {
  return typeof s === 'function' ? s() : s;
}

function keyElem(e: A.Expr): Elem {
  switch (e.kind) {
    case 'num': return e.value;
    case 'symbol': return normElem(e.name);
    case 'str': return normElem(e.value);
    case 'name': return normElem(e.name);
    default: fail('E0507', 'a key is a number, a name or a string', e.span);
  }
}

function numberValue(v: A.Expr, unit: Unit): number {
  if (v.kind === 'unary' && v.op === '-') return -numberValue(v.operand, unit);
  if (v.kind !== 'num') fail('E0507', 'inline data holds numbers (with or without a unit)', v.span);
  if (!v.unit) return v.value * unit.factor;
  const silent = { report() {} } as unknown as Diagnostics;
  const u = resolveUnit(v.unit, silent);
  if (!u) fail('E0004', 'unknown unit in inline data', v.unit.span);
  if (u.dims.some((d, i) => d !== unit.dims[i])) fail('E0403', `the value is in ${u.text} but the parameter is in ${unit.text}`, v.span);
  return v.value * u.factor;
}

/** Reads `csv("path", key = k, delimiter = ";")` / `json("path", key = (a, b))`. */
export function tableSource(call: A.Expr & { kind: 'call' }, diags: Diagnostics): { path: string; format: 'csv' | 'json'; keys: string[]; delimiter?: string } | undefined {
  const format = call.callee.name as 'csv' | 'json';
  const p = call.args[0];
  if (!p || p.kind !== 'str' || call.args.length !== 1) {
    diags.report('E0508', `${format}(...) takes the file path as a string: ${format}("data/file.${format}", key = column)`, call.span);
    return undefined;
  }
  const keys: string[] = [];
  let delimiter: string | undefined;
  for (const n of call.named) {
    if (n.name.name === 'key') {
      const v = n.value;
      const one = (x: A.Expr): string | undefined => (x.kind === 'name' ? x.name : x.kind === 'str' ? x.value : undefined);
      const list = v.kind === 'tuple' ? v.elems : [v];
      for (const x of list) {
        const k = one(x);
        if (k === undefined) { diags.report('E0508', 'a key is a column name or a tuple of column names: key = gen, key = (from, to)', x.span); return undefined; }
        keys.push(k);
      }
    } else if (n.name.name === 'delimiter' && format === 'csv') {
      if (n.value.kind !== 'str' || n.value.value.length !== 1) { diags.report('E0508', 'delimiter is one character in quotes: delimiter = ";"', n.value.span); return undefined; }
      if ('"#\n\r'.includes(n.value.value)) {
        diags.report('E0508', `${JSON.stringify(n.value.value)} cannot be the delimiter: it already means ${n.value.value === '"' ? 'a quoted field' : n.value.value === '#' ? 'a comment line' : 'the end of a row'}`, n.value.span,
          'usual delimiters are delimiter = ";" and delimiter = "\\t"');
        return undefined;
      }
      delimiter = n.value.value;
    } else {
      diags.report('E0508', `${format}(...) has no option \`${n.name.name}\``, n.name.span, format === 'csv' ? 'options: key, delimiter' : 'options: key');
      return undefined;
    }
  }
  const path = resolvePath(dirname(call.span.file), p.value);
  return { path, format, keys, delimiter };
}
