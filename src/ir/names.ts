// Names of rows and columns: the source form (`p[g1,3]`, `bess[b1].soc[3]`) used in reports and
// JSON, and the sanitized form (`p(g1,3)`, `bess(b1).soc(3)`) written to LP and MPS files.
//
// The file form must use only characters CPLEX LP allows in names. Disallowed characters are
// escaped as `~` plus two hex digits (and `~` itself as `~7e`), which keeps the mapping injective:
// distinct source names give distinct file names without a table of every name in memory.
import type { Elem } from '../lower/values.js';
import { colTuple, familyOf, rowTuple, type ColFamily, type Model, type RowFamily } from './model.js';

export function sourceName(family: string, tuple: readonly Elem[]): string {
  return tuple.length ? `${family}[${tuple.join(',')}]` : family;
}

// Letters, digits and the CPLEX LP specials  ! " # $ % & ( ) / , . ; ? @ _ ` ' { } | ~ ; we keep
// `(`, `)`, `,` and `.` for structure, so they are escaped when they occur inside an element.
const SAFE_IN_ELEMENT = /^[A-Za-z0-9_!#$%&/;?@'{}|]*$/;

const NUMBER_CHARS = /^[0-9.]*$/;

function escapeText(s: string, safe: RegExp): string {
  if (safe.test(s)) return s;
  let out = '';
  for (const ch of s) {
    if (safe.test(ch) && ch !== '~') out += ch;
    else {
      const code = ch.codePointAt(0)!;
      out += code < 256 ? `~${code.toString(16).padStart(2, '0')}` : `~u${code.toString(16)}~`;
    }
  }
  return out;
}

/** `bess[b1].soc` -> `bess(b1).soc`; element text inside brackets is escaped. */
function fileFamily(name: string): string {
  return name.replace(/\[([^\]]*)\]/g, (_, inner: string) => `(${inner.split(',').map((e) => escapeText(e, SAFE_IN_ELEMENT)).join(',')})`);
}

export function fileName(family: string, tuple: readonly Elem[]): string {
  let base = fileFamily(family);
  // A name that starts like a number or exponent confuses LP readers.
  if (/^[eE][0-9+-]/.test(base)) base = `_${base}`;
  if (!tuple.length) return base;
  let s = `${base}(`;
  for (let i = 0; i < tuple.length; i++) {
    if (i) s += ',';
    const e = tuple[i]!;
    s += typeof e === 'number' ? escapeText(String(e), NUMBER_CHARS) : escapeText(e, SAFE_IN_ELEMENT);
  }
  return `${s})`;
}

/** Streams names of all columns (or rows) in order without materialising them all at once. */
export class Namer {
  constructor(private readonly model: Model) {}

  colFamily(j: number): ColFamily {
    return familyOf(this.model.colFamilies, j)!;
  }
  rowFamily(i: number): RowFamily {
    return familyOf(this.model.rowFamilies, i)!;
  }
  colSource(j: number): string {
    const f = this.colFamily(j);
    return sourceName(f.name, colTuple(f, j));
  }
  rowSource(i: number): string {
    const f = this.rowFamily(i);
    return sourceName(f.name, rowTuple(f, i));
  }
  colFile(j: number): string {
    const f = this.colFamily(j);
    return fileName(f.name, colTuple(f, j));
  }
  rowFile(i: number): string {
    const f = this.rowFamily(i);
    return fileName(f.name, rowTuple(f, i));
  }
  /** All column file names in order, computed family by family (fast path for writers). */
  allColFiles(): string[] {
    const out = new Array<string>(this.model.numCols);
    for (const f of this.model.colFamilies) {
      for (let k = 0; k < f.count; k++) out[f.first + k] = fileName(f.name, f.index.tupleAt(k));
    }
    return out;
  }
}
