// Names of rows and columns: the source form (`p[g1,3]`, `bess[b1].soc[3]`) used in reports and
// JSON, and the file form (`p(g1,3)`, `bess(b1).soc(3)`) written to LP and MPS files.
//
// The file form must be read back the same way by CPLEX, glpsol, CBC and HiGHS, whose LP readers
// disagree on which characters end a name (`/` starts a comment for CBC, `-` `*` `^` `/` end a
// name for HiGHS, ...), so file names use only letters, digits and `_ . , ( ) ~`:
//
//  * A family name is written character by character: letters, digits, `_`, `.` and `,` as they
//    are, the brackets of instance labels (`bess[b1].soc`) as `(` `)` (a `]` at the very end
//    escaped, so that only a tuple ends a name with `)`), anything else escaped. Its index tuple
//    follows as `(e1,e2,...)`.
//  * In an element, letters, digits, `_` and `.` are kept; any other character is written `~hh`
//    (two lower-case hex digits, code < 256) or `~uhhhhhh` (six, other code points) — `~` itself
//    too, so every `~` that escaping produces is followed by a hex digit or `u`. Numbers are
//    written as JavaScript prints them (`-1` -> `~2d1`, `3.5`); a string element that reads as a
//    number (`"3.5"`) gets the marker `~s` in front, so that it differs from the number 3.5.
//  * The first character of a name is escaped where it would be read as something else: when the
//    whole name is an LP keyword in any case (`free`, `st`, `inf`, `bounds`, `end`, ... see
//    KEYWORDS), when it starts with `inf` or `nan` (HiGHS reads those with C's strtod, which takes
//    `information` for infinity followed by `ormation`), with `e`/`E` and a digit (an exponent),
//    or with a digit or a period. So `free` -> `~66ree`, `e12` -> `~6512`, `_e12` stays `_e12`.
//  * A name is at most NAME_LIMIT = 100 characters: CBC's LP reader replaces every name in the
//    file by a default one as soon as one is longer (CPLEX, glpsol and HiGHS take 255). A longer
//    name keeps as many leading characters as fit (whole escapes only) and ends in `~n` plus the
//    column's or row's number (0-based), which is unique in the file. Row names stay 3 characters
//    shorter still, leaving room for the `~lo`/`~hi` suffixes of ranged rows in LP files.
//
// The mapping is injective: a name that was not shortened is split at its last `(` if it ends
// with `)` (elements contain no `(`, `)` or `,`), and undoing the escapes (`(` `)` back to
// brackets in the family) gives back the family and the tuple; shortened names, the only ones
// with `~n`, differ in their number. Names the writers add themselves cannot equal model names:
// their `~` is followed by a letter escaping never puts there — `evg~obj` (objective row),
// `evg~constant` (objective constant column), the `~lo`/`~hi` suffixes of ranged LP rows, and
// the `~aux` families of the rows and columns that reformulations add (`c~aux(3)`).
//
// The writers ask for names one at a time (`writeCol`, `writeRow` into a byte buffer): each
// family's prefix and each set's element texts are encoded once (integer ranges of more than
// 65536 elements are printed digit by digit instead), and no name is materialised as a
// JavaScript string on that path.
import type { Elem, EvSet } from '../lower/values.js';
import { colTuple, familyOf, rowTuple, type ColFamily, type Model, type RowFamily } from './model.js';

export function sourceName(family: string, tuple: readonly Elem[]): string {
  return tuple.length ? `${family}[${tuple.join(',')}]` : family;
}

export const NAME_LIMIT = 100;
/** Row names leave room for the `~lo`/`~hi` suffix of ranged rows. */
const ROW_LIMIT = NAME_LIMIT - 3;

/** Names (compared in lower case) that some LP reader takes as a keyword when they stand alone. */
const KEYWORDS = new Set([
  'min', 'minimize', 'minimise', 'minimum', 'max', 'maximize', 'maximise', 'maximum',
  'st', 's.t.', 'st.', 'subject', 'such', 'bound', 'bounds', 'free', 'inf', 'infinity', 'nan',
  'gen', 'general', 'generals', 'int', 'integer', 'integers', 'bin', 'binary', 'binaries',
  'semi', 'semis', 'semi-continuous', 'sos', 'sos1', 'sos2', 's1', 's2', 'end', 'lazy', 'user', 'e',
]);

function keptInElement(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46;
}

function escapeChar(code: number): string {
  return code < 256 ? `~${code.toString(16).padStart(2, '0')}` : `~u${code.toString(16).padStart(6, '0')}`;
}

/** Element text: letters, digits, `_` and `.` kept, anything else escaped. */
function escapeElementText(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    out += keptInElement(c) ? ch : escapeChar(c);
  }
  return out;
}

/** File text of one index element. */
export function fileElem(e: Elem): string {
  if (typeof e === 'number') return escapeElementText(String(e));
  const text = escapeElementText(e);
  return String(Number(e)) === e ? `~s${text}` : text;
}

/** Suffix of the families of auxiliary rows and columns that reformulations add (`c~aux`). */
export const AUX_SUFFIX = '~aux';

/** File text of a family name, with the rules for a name's first character applied. */
export function fileFamily(name: string, indexed: boolean): string {
  // No model name ends in `~aux` (family names end in a member name), and escaping never writes
  // `~a` followed by `u`: the suffix is written as it is.
  if (name.endsWith(AUX_SUFFIX)) return fileFamily(name.slice(0, -AUX_SUFFIX.length), true) + AUX_SUFFIX;
  let out = '';
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    out += keptInElement(c) || c === 44 ? ch : c === 91 ? '(' : c === 93 ? ')' : escapeChar(c);
  }
  // Only a tuple may end a name with `)` (family names end in a member name anyway).
  if (out.endsWith(')')) out = `${out.slice(0, -1)}~5d`;
  const first = name.charCodeAt(0);
  if (out.length && out.charCodeAt(0) === first && (startsBadly(name) || (!indexed && KEYWORDS.has(name.toLowerCase())))) {
    out = escapeChar(first) + out.slice(1);
  }
  return out;
}

function startsBadly(name: string): boolean {
  return /^(?:inf|nan|[eE][0-9]|[0-9.])/i.test(name);
}

/** The file name of (family, tuple) before the length limit. */
export function fileName(family: string, tuple: readonly Elem[]): string {
  const base = fileFamily(family, tuple.length > 0);
  return tuple.length ? `${base}(${tuple.map(fileElem).join(',')})` : base;
}

/** Cuts `s` to at most `limit` characters ending in `~n<index>`, keeping escapes whole. */
export function shortenName(s: string, limit: number, index: number): string {
  if (s.length <= limit) return s;
  const suffix = `~n${index}`;
  const room = limit - suffix.length;
  let p = 0;
  for (;;) {
    const len = s.charCodeAt(p) !== 126 ? 1 : s[p + 1] === 'u' ? 8 : s[p + 1] === 's' ? 2 : 3;
    if (p + len > room) break;
    p += len;
  }
  return s.slice(0, p) + suffix;
}

/** Where the writers put bytes: the Namer writes at `pos` and advances it; the caller provides NAME_LIMIT bytes of room. */
export interface ByteOut {
  buf: Uint8Array;
  pos: number;
}

/** Encoded elements of one set (tuples as `a,b`): the bytes of position p are bytes[offsets[p] .. offsets[p + 1]). */
interface ElemTable {
  readonly bytes: Uint8Array;
  readonly offsets: Int32Array;
  readonly maxLen: number;
  /** First element of an integer range too large to tabulate (printed digit by digit), else NaN. */
  readonly rangeLo: number;
}

/** Integer ranges up to this size are tabulated like other sets; larger ones are printed. */
const TABULATE = 1 << 16;

interface FamilyNames {
  readonly first: number;
  readonly count: number;
  /** first + count */
  readonly end: number;
  readonly prefix: Uint8Array;
  /** Number of element tables; 0 for a name without a tuple. */
  readonly n: number;
  readonly tables: readonly ElemTable[];
  /** Column families: set sizes, last factor varying fastest (as in Indexed.tupleAt). */
  readonly sizes: Int32Array;
  /** Row families: per-row positions in each set. */
  readonly keys: Int32Array;
  /** Names are built as strings (slower): a row family with varying sets, or names that may exceed the limit. */
  readonly slow: boolean;
}

function ascii(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

function digits(n: number): number {
  let d = n < 0 ? 4 : 1;
  for (let a = Math.abs(n); a >= 10; a = Math.floor(a / 10)) d++;
  return d;
}

/** Writes an integer (|n| < 2^53) in decimal at p, a minus sign escaped as `~2d`; returns the new position. */
function writeInt(b: Uint8Array, p: number, n: number): number {
  if (n < 0) { b[p++] = 126; b[p++] = 50; b[p++] = 100; n = -n; }
  let end = p;
  for (let a = n; a >= 10; a = Math.floor(a / 10)) end++;
  const stop = end + 1;
  for (let a = n; end >= p; a = Math.floor(a / 10)) b[end--] = 48 + (a % 10);
  return stop;
}

/** Streams file names of columns and rows, family by family, without a table of all names. */
export class Namer {
  private readonly tables = new Map<EvSet, ElemTable>();
  private readonly cols: FamilyNames[];
  private readonly rows: FamilyNames[];
  private col: FamilyNames;
  private row: FamilyNames;
  /** Positions in each factor of the column being named. */
  private readonly at = new Int32Array(64);
  private readonly scratch: ByteOut = { buf: new Uint8Array(NAME_LIMIT), pos: 0 };

  constructor(private readonly model: Model) {
    this.cols = model.colFamilies.map((f) => this.names(f.first, f.count, f.name, f.index.factors, NAME_LIMIT, null, false));
    this.rows = model.rowFamilies.map((f) => this.names(f.first, f.count, f.name, f.sets, ROW_LIMIT, f.keys, !!f.values));
    const none = this.names(0, 0, '', [], NAME_LIMIT, null, true);
    this.col = this.cols[0] ?? none;
    this.row = this.rows[0] ?? none;
  }

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
  /** The file name of column j, exactly as the writers emit it. */
  colFile(j: number): string {
    this.scratch.pos = 0;
    this.writeCol(this.scratch, j);
    return latin1(this.scratch);
  }
  rowFile(i: number): string {
    this.scratch.pos = 0;
    this.writeRow(this.scratch, i);
    return latin1(this.scratch);
  }

  writeCol(out: ByteOut, j: number): void {
    let f = this.col;
    if (j < f.first || j >= f.end) f = this.col = familyOf(this.cols, j)!;
    if (f.slow) { writeAscii(out, shortenName(this.slowCol(j), NAME_LIMIT, j)); return; }
    const b = out.buf;
    let p = copy(b, out.pos, f.prefix, 0, f.prefix.length);
    const n = f.n;
    if (n) {
      // Mixed-radix digits of the offset, last factor fastest, in int32 arithmetic.
      const at = this.at, sizes = f.sizes;
      let off = j - f.first;
      for (let i = n - 1; i > 0; i--) {
        const s = sizes[i]!;
        const q = (off / s) | 0;
        at[i] = off - q * s;
        off = q;
      }
      at[0] = off;
      const tables = f.tables;
      for (let i = 0; i < n; i++) {
        if (i) b[p++] = 44;
        p = writeElem(b, p, tables[i]!, at[i]!);
      }
      b[p++] = 41;
    }
    out.pos = p;
  }

  writeRow(out: ByteOut, i: number): void {
    let f = this.row;
    if (i < f.first || i >= f.end) f = this.row = familyOf(this.rows, i)!;
    if (f.slow) { writeAscii(out, shortenName(this.slowRow(i), ROW_LIMIT, i)); return; }
    const b = out.buf;
    let p = copy(b, out.pos, f.prefix, 0, f.prefix.length);
    const n = f.n;
    if (n) {
      const tables = f.tables, keys = f.keys;
      const base = (i - f.first) * n;
      for (let k = 0; k < n; k++) {
        if (k) b[p++] = 44;
        p = writeElem(b, p, tables[k]!, keys[base + k]!);
      }
      b[p++] = 41;
    }
    out.pos = p;
  }

  private slowCol(j: number): string {
    const f = this.colFamily(j);
    return fileName(f.name, colTuple(f, j));
  }

  private slowRow(i: number): string {
    const f = this.rowFamily(i);
    return fileName(f.name, rowTuple(f, i));
  }

  private table(S: EvSet): ElemTable {
    let t = this.tables.get(S);
    if (t) return t;
    if (S.rangeLo !== undefined && Number.isInteger(S.rangeLo) && S.size > TABULATE) {
      const maxLen = Math.max(digits(S.rangeLo), digits(S.rangeLo + S.size - 1));
      t = { bytes: new Uint8Array(0), offsets: new Int32Array(0), maxLen, rangeLo: S.rangeLo };
    } else {
      const texts: string[] = [];
      let total = 0, maxLen = 0;
      for (let p = 0; p < S.size; p++) {
        let s = '';
        for (let c = 0; c < S.arity; c++) s += (c ? ',' : '') + fileElem(S.at(p, c));
        texts.push(s);
        total += s.length;
        maxLen = Math.max(maxLen, s.length);
      }
      const bytes = new Uint8Array(total);
      const offsets = new Int32Array(S.size + 1);
      let o = 0;
      texts.forEach((s, p) => {
        for (let q = 0; q < s.length; q++) bytes[o++] = s.charCodeAt(q);
        offsets[p + 1] = o;
      });
      t = { bytes, offsets, maxLen, rangeLo: NaN };
    }
    this.tables.set(S, t);
    return t;
  }

  private names(first: number, count: number, name: string, sets: readonly EvSet[], limit: number, keys: Int32Array | null, slow: boolean): FamilyNames {
    const arity = sets.reduce((a, S) => a + S.arity, 0);
    const prefixText = fileFamily(name, arity > 0) + (arity > 0 ? '(' : '');
    const used = arity > 0 ? sets.filter((S) => S.arity > 0) : [];
    const tables = used.map((S) => this.table(S));
    // Longest possible name: prefix, the longest element of each set, commas and `)`.
    const longest = prefixText.length + tables.reduce((a, t) => a + t.maxLen + 1, 0);
    return {
      first, count, end: first + count, prefix: ascii(prefixText), n: tables.length, tables,
      sizes: Int32Array.from(used, (S) => S.size), keys: keys ?? new Int32Array(0),
      slow: slow || longest > limit || tables.length > 64 || (keys !== null && used.length !== sets.length),
    };
  }
}

function copy(b: Uint8Array, p: number, src: Uint8Array, from: number, to: number): number {
  for (let q = from; q < to; q++) b[p++] = src[q]!;
  return p;
}

function writeElem(b: Uint8Array, p: number, t: ElemTable, at: number): number {
  if (t.rangeLo === t.rangeLo) return writeInt(b, p, t.rangeLo + at);
  return copy(b, p, t.bytes, t.offsets[at]!, t.offsets[at + 1]!);
}

function writeAscii(out: ByteOut, s: string): void {
  const b = out.buf;
  let p = out.pos;
  for (let q = 0; q < s.length; q++) b[p++] = s.charCodeAt(q);
  out.pos = p;
}

function latin1(out: ByteOut): string {
  let s = '';
  for (let q = 0; q < out.pos; q++) s += String.fromCharCode(out.buf[q]!);
  return s;
}
