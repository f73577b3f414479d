// The compiled-bundle format (`.evgc`), version 1: constants, the header, sections, and the value
// tree that carries everything but the large numeric arrays. docs/bundle.md describes the same
// layout for readers in other languages; keep the two in step.
//
//   header (64 bytes)  magic, format version, header size, payload size, SHA-256 of the payload
//   payload            sections: INFO (sources and their hashes), MODL (the sparse model),
//                      SRCM (the model as written), ARRS (the typed arrays of MODL and SRCM)
//
// Everything is little-endian. A section is `tag (4 ASCII bytes), 4 zero bytes, body length
// (u64), body`, zero-padded to a multiple of 8, so that every section and every array in ARRS
// starts at a file offset divisible by 8 and can be used in place (zero copy) as a typed array.
//
// The value tree (INFO, MODL, SRCM) is a byte stream of tagged values, a superset of JSON: plain
// objects, arrays, strings (each distinct string written once, later occurrences by number),
// numbers, booleans, null and undefined, number arrays packed as int32 or float64, typed arrays
// as references into ARRS, and three classes of the compiler: units (check/units.ts), sets and
// index products (lower/values.ts), each set written once and referred to by number afterwards.
// A field that other parts of the compiler add to the model later is carried without any change
// here, as long as it holds such values; anything else (a function, a Map) is refused when the
// bundle is written, never silently dropped.
import { ONE, Unit } from '../check/units.js';
import { EvSet, Indexed, type Elem } from '../lower/values.js';

/** `\x89EVGC\r\n\x1a`: a non-ASCII first byte, the name, and bytes that text-mode transfers alter. */
export const MAGIC = Uint8Array.from([0x89, 0x45, 0x56, 0x47, 0x43, 0x0d, 0x0a, 0x1a]);
/** The format version this evg writes and reads. Increase it whenever the layout or the meaning of a field changes. */
export const FORMAT_VERSION = 1;
export const HEADER_SIZE = 64;

/** Header: byte offsets of its fields. */
export const H_MAGIC = 0, H_VERSION = 8, H_HEADER_SIZE = 12, H_PAYLOAD_SIZE = 16, H_SHA256 = 24, H_RESERVED = 56;

export const SECTION_INFO = 'INFO';
export const SECTION_MODEL = 'MODL';
export const SECTION_SOURCE = 'SRCM';
export const SECTION_ARRAYS = 'ARRS';
export const SECTION_HEADER = 16;

// ---- value tags -----------------------------------------------------------------------------
export const T_UNDEFINED = 0x00;
export const T_NULL = 0x01;
export const T_FALSE = 0x02;
export const T_TRUE = 0x03;
/** Integer in [-2^31, 2^31): zigzag LEB128. */
export const T_INT = 0x04;
/** Any other number: float64. */
export const T_F64 = 0x05;
/** A string met for the first time: byte length (LEB128) and UTF-8; it gets the next string number. */
export const T_STR = 0x06;
/** A string met before: its number (LEB128). */
export const T_STR_REF = 0x07;
export const T_ARRAY = 0x08;
/** Plain object: number of keys, then key (a string value) and value, in insertion order. */
export const T_OBJECT = 0x09;
/** Array of numbers, all integers in int32 range: count, then 4 bytes each. */
export const T_NUMS_I32 = 0x0a;
/** Array of numbers: count, then 8 bytes each. */
export const T_NUMS_F64 = 0x0b;
/** Typed array stored in ARRS: kind (1 byte), element count, byte offset in ARRS (LEB128 each). */
export const T_TYPED = 0x0c;
/** Unit: its own fields (dims, factor, text, kinds, ...), as an object's keys and values. */
export const T_UNIT = 0x0d;
/** A set met for the first time: name, arity, then range (1, first, size) or explicit (0, the elements, flat); then its other fields as an object's. */
export const T_SET = 0x0e;
export const T_SET_REF = 0x0f;
/** Product of sets (Indexed): an array value of sets. */
export const T_INDEXED = 0x10;

/** Fields of a set that its construction (EvSet.range, EvSet.of) determines. */
const SET_OWN = new Set(['flat', 'index', 'name', 'arity', 'size', 'numeric', 'rangeLo']);

/** Typed-array kinds of T_TYPED. */
const TYPED: readonly { readonly ctor: TypedCtor; readonly bytes: number }[] = [
  { ctor: Float64Array, bytes: 8 },
  { ctor: Int32Array, bytes: 4 },
  { ctor: Uint8Array, bytes: 1 },
  { ctor: Uint32Array, bytes: 4 },
  { ctor: Float32Array, bytes: 4 },
  { ctor: Int8Array, bytes: 1 },
  { ctor: Int16Array, bytes: 2 },
  { ctor: Uint16Array, bytes: 2 },
];

type Typed = Float64Array | Int32Array | Uint8Array | Uint32Array | Float32Array | Int8Array | Int16Array | Uint16Array;
type TypedCtor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): Typed; new (length: number): Typed; readonly BYTES_PER_ELEMENT: number };

function typedKind(v: object): number {
  for (let k = 0; k < TYPED.length; k++) if (v.constructor === TYPED[k]!.ctor) return k + 1;
  return 0;
}

export const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** A mistake found while reading a bundle; main.ts turns it into a diagnostic with its code. */
export class BundleError extends Error {
  constructor(readonly code: 'E0710' | 'E0711' | 'E0712' | 'E0713' | 'E0714' | 'E0101', message: string, readonly hint?: string) {
    super(message);
  }
}

/** A value that the bundle cannot carry (a bug in evg, not a user mistake). */
export class UnstorableValue extends Error {}

// ---- writing --------------------------------------------------------------------------------

/** Typed arrays to be written into ARRS, each at an 8-aligned offset; the same array is stored once. */
export class ArrayPool {
  readonly chunks: Uint8Array[] = [];
  size = 0;
  private readonly at = new Map<Typed, number>();

  add(a: Typed): number {
    const seen = this.at.get(a);
    if (seen !== undefined) return seen;
    const off = this.size;
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    if (bytes.length) this.chunks.push(bytes);
    this.size += bytes.length;
    const pad = (8 - (this.size % 8)) % 8;
    if (pad) { this.chunks.push(new Uint8Array(pad)); this.size += pad; }
    this.at.set(a, off);
    return off;
  }
}

const utf8 = new TextEncoder();

/** Encodes values as a tree (see the header comment); string and set numbers are shared by every tree of one bundle. */
export class TreeWriter {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  private pos = 0;
  private readonly strings = new Map<string, number>();
  private readonly sets = new Map<EvSet, number>();
  /** Where in the model a value sits, for the message when it cannot be stored. */
  private readonly path: (string | number)[] = [];

  constructor(private readonly pool: ArrayPool) {}

  /** Starts a new tree (a section); the string and set tables carry on. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.pos));
    this.buf = b;
    this.view = new DataView(b.buffer);
  }

  private byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  /** Unsigned LEB128 (n < 2^53). */
  uint(n: number): void {
    this.room(10);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  private f64(v: number): void {
    this.room(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  string(s: string): void {
    const k = this.strings.get(s);
    if (k !== undefined) { this.byte(T_STR_REF); this.uint(k); return; }
    this.strings.set(s, this.strings.size);
    this.byte(T_STR);
    const bytes = utf8.encode(s);
    this.uint(bytes.length);
    this.room(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  private number(v: number): void {
    if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff && !Object.is(v, -0)) {
      this.byte(T_INT);
      this.uint(v >= 0 ? v * 2 : -v * 2 - 1);
    } else {
      this.byte(T_F64);
      this.f64(v);
    }
  }

  private numbers(a: readonly number[]): void {
    let ints = true;
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (!(Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) || Object.is(v, -0)) { ints = false; break; }
    }
    this.byte(ints ? T_NUMS_I32 : T_NUMS_F64);
    this.uint(a.length);
    this.room(a.length * 8);
    if (ints) for (let i = 0; i < a.length; i++) { this.view.setInt32(this.pos, a[i]!, true); this.pos += 4; }
    else for (let i = 0; i < a.length; i++) { this.view.setFloat64(this.pos, a[i]!, true); this.pos += 8; }
  }

  private set(S: EvSet): void {
    const k = this.sets.get(S);
    if (k !== undefined) { this.byte(T_SET_REF); this.uint(k); return; }
    this.sets.set(S, this.sets.size);
    this.byte(T_SET);
    this.string(S.name);
    this.uint(S.arity);
    if (S.rangeLo !== undefined) {
      // A range: its first element and size, whatever its size.
      this.byte(1);
      this.value(S.rangeLo);
      this.uint(S.size);
    } else {
      this.byte(0);
      const flat: Elem[] = new Array<Elem>(S.size * S.arity);
      for (let i = 0, p = 0; i < S.size; i++) for (let c = 0; c < S.arity; c++) flat[p++] = S.at(i, c);
      this.value(flat);
    }
    // Fields set after construction (a horizon's step and step unit, ...).
    const extra = Object.keys(S).filter((k) => !SET_OWN.has(k));
    this.fields(S as unknown as Record<string, unknown>, extra);
  }

  /** Encodes any storable value. */
  value(v: unknown): void {
    switch (typeof v) {
      case 'undefined': this.byte(T_UNDEFINED); return;
      case 'boolean': this.byte(v ? T_TRUE : T_FALSE); return;
      case 'number': this.number(v); return;
      case 'string': this.string(v); return;
      case 'object': break;
      default: throw new UnstorableValue(`cannot store a ${typeof v} at ${this.where()}`);
    }
    if (v === null) { this.byte(T_NULL); return; }
    if (Array.isArray(v)) {
      if (v.length > 0 && v.every((x) => typeof x === 'number')) { this.numbers(v as number[]); return; }
      this.byte(T_ARRAY);
      this.uint(v.length);
      for (let i = 0; i < v.length; i++) { this.path.push(i); this.value(v[i]); this.path.pop(); }
      return;
    }
    if (ArrayBuffer.isView(v)) {
      const kind = typedKind(v);
      if (!kind) throw new UnstorableValue(`cannot store a ${v.constructor.name} at ${this.where()}`);
      const a = v as Typed;
      this.byte(T_TYPED);
      this.byte(kind);
      this.uint(a.length);
      this.uint(this.pool.add(a));
      return;
    }
    if (v instanceof Unit) {
      // Every own field (dims, factor, text, the power kinds, whatever the unit algebra adds).
      this.byte(T_UNIT);
      this.fields(v as unknown as Record<string, unknown>, Object.keys(v));
      return;
    }
    if (v instanceof EvSet) { this.set(v); return; }
    if (v instanceof Indexed) {
      // Variable families (VarFamily) are stored as their index product: the reports need no more.
      this.byte(T_INDEXED);
      this.byte(T_ARRAY);
      this.uint(v.factors.length);
      for (const S of v.factors) this.set(S);
      return;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new UnstorableValue(`cannot store a ${(v as object).constructor?.name ?? 'value'} at ${this.where()}`);
    }
    this.byte(T_OBJECT);
    this.fields(v as Record<string, unknown>, Object.keys(v));
  }

  /** Number of keys, then key and value for each. */
  private fields(v: Record<string, unknown>, keys: readonly string[]): void {
    this.uint(keys.length);
    for (const key of keys) {
      this.string(key);
      this.path.push(key);
      this.value(v[key]);
      this.path.pop();
    }
  }

  private where(): string {
    return this.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('') || 'the top';
  }
}

/** Deep equality of two small trees of plain values (units' fields). */
function sameFields(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameFields((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

// ---- reading --------------------------------------------------------------------------------

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes value trees; `arrays` is the ARRS section's body. */
export class TreeReader {
  private pos = 0;
  private end = 0;
  private readonly strings: string[] = [];
  private readonly sets: EvSet[] = [];
  private readonly typedSeen = new Map<string, Typed>();
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array, private readonly arrays: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Decodes the tree at [start, end) of the buffer (one section's body). */
  tree(start: number, end: number): unknown {
    this.pos = start;
    this.end = end;
    const v = this.value();
    if (this.pos !== end) throw this.bad(`${end - this.pos} bytes left after the value`);
    return v;
  }

  private bad(what: string): BundleError {
    return new BundleError('E0713', `the bundle is malformed: ${what} (at byte ${this.pos})`, 'compile the model again: evg compile FILE.evg -o OUT.evgc');
  }

  private byte(): number {
    if (this.pos >= this.end) throw this.bad('a value runs past the end of its section');
    return this.buf[this.pos++]!;
  }

  private uint(): number {
    let n = 0, scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 0x80;
    }
    throw this.bad('an over-long number');
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw this.bad('a value runs past the end of its section');
  }

  private str(tag: number): string {
    if (tag === T_STR_REF) {
      const k = this.uint();
      const s = this.strings[k];
      if (s === undefined) throw this.bad(`string ${k} used before it is defined`);
      return s;
    }
    if (tag !== T_STR) throw this.bad(`a string expected, tag ${tag} found`);
    const n = this.uint();
    this.need(n);
    let s: string;
    try {
      s = utf8Decoder.decode(this.buf.subarray(this.pos, this.pos + n));
    } catch {
      throw this.bad('a string that is not UTF-8');
    }
    this.pos += n;
    this.strings.push(s);
    return s;
  }

  private typed(): Typed {
    const kind = this.byte();
    const t = TYPED[kind - 1];
    if (!t) throw this.bad(`unknown array kind ${kind}`);
    const n = this.uint();
    const off = this.uint();
    const bytes = n * t.bytes;
    if (off % 8 !== 0 || off + bytes > this.arrays.length) throw this.bad('an array outside the array section');
    // An array stored once for several fields is one array again.
    const key = `${kind}:${off}:${n}`;
    const seen = this.typedSeen.get(key);
    if (seen) return seen;
    const a = this.typedAt(t, n, off, bytes);
    this.typedSeen.set(key, a);
    return a;
  }

  private typedAt(t: (typeof TYPED)[number], n: number, off: number, bytes: number): Typed {
    const abs = this.arrays.byteOffset + off;
    if (LITTLE_ENDIAN && abs % t.bytes === 0) return new t.ctor(this.arrays.buffer, abs, n);
    // Unaligned buffer, or a big-endian machine: copy, element by element where bytes must be swapped.
    const out = new t.ctor(n);
    if (LITTLE_ENDIAN || t.bytes === 1) {
      new Uint8Array(out.buffer).set(this.arrays.subarray(off, off + bytes));
      return out;
    }
    const dv = new DataView(this.arrays.buffer, abs, bytes);
    for (let i = 0; i < n; i++) {
      const p = i * t.bytes;
      (out as { [i: number]: number })[i] =
        t.ctor === Float64Array ? dv.getFloat64(p, true) : t.ctor === Float32Array ? dv.getFloat32(p, true)
        : t.ctor === Int32Array ? dv.getInt32(p, true) : t.ctor === Uint32Array ? dv.getUint32(p, true)
        : t.ctor === Int16Array ? dv.getInt16(p, true) : dv.getUint16(p, true);
    }
    return out;
  }

  private set(tag: number): EvSet {
    if (tag === T_SET_REF) {
      const k = this.uint();
      const S = this.sets[k];
      if (!S) throw this.bad(`set ${k} used before it is defined`);
      return S;
    }
    if (tag !== T_SET) throw this.bad(`a set expected, tag ${tag} found`);
    const name = this.str(this.byte());
    const arity = this.uint();
    const range = this.byte();
    let S: EvSet;
    if (range === 1) {
      const lo = this.value();
      const size = this.uint();
      if (typeof lo !== 'number') throw this.bad('a range without a first element');
      S = EvSet.range(name, lo, lo + size - 1);
    } else {
      const flat = this.value();
      if (!Array.isArray(flat) || arity < 1 || flat.length % arity !== 0) throw this.bad(`the elements of set ${name}`);
      S = EvSet.of(name, arity, flat as Elem[]);
      if (S.size * arity !== flat.length) throw this.bad(`set ${name} has repeated elements`);
    }
    const extra = this.fields();
    for (const k of Object.keys(extra)) if (!SET_OWN.has(k)) (S as unknown as Record<string, unknown>)[k] = extra[k];
    this.sets.push(S);
    return S;
  }

  /** Number of keys, then key and value for each: a plain object. */
  private fields(): Record<string, unknown> {
    const n = this.uint();
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const key = this.str(this.byte());
      out[key] = this.value();
    }
    return out;
  }

  private value(): unknown {
    const tag = this.byte();
    switch (tag) {
      case T_UNDEFINED: return undefined;
      case T_NULL: return null;
      case T_FALSE: return false;
      case T_TRUE: return true;
      case T_INT: {
        const z = this.uint();
        return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      }
      case T_F64: {
        this.need(8);
        const v = this.view.getFloat64(this.pos, true);
        this.pos += 8;
        return v;
      }
      case T_STR: case T_STR_REF: return this.str(tag);
      case T_ARRAY: {
        const n = this.uint();
        if (n > this.end - this.pos) throw this.bad('an array longer than its section');
        const out = new Array<unknown>(n);
        for (let i = 0; i < n; i++) out[i] = this.value();
        return out;
      }
      case T_OBJECT: return this.fields();
      case T_NUMS_I32: case T_NUMS_F64: {
        const n = this.uint();
        const w = tag === T_NUMS_I32 ? 4 : 8;
        this.need(n * w);
        const out = new Array<number>(n);
        const dv = this.view;
        let p = this.pos;
        if (w === 4) for (let i = 0; i < n; i++, p += 4) out[i] = dv.getInt32(p, true);
        else for (let i = 0; i < n; i++, p += 8) out[i] = dv.getFloat64(p, true);
        this.pos = p;
        return out;
      }
      case T_TYPED: return this.typed();
      case T_UNIT: {
        const f = this.fields();
        if (!Array.isArray(f['dims']) || typeof f['factor'] !== 'number' || typeof f['text'] !== 'string') throw this.bad('a unit');
        // The dimensionless unit is compared by identity in the unit algebra (check/units.ts).
        if (sameFields(f, ONE as unknown as Record<string, unknown>)) return ONE;
        return Object.assign(Object.create(Unit.prototype) as Unit, f);
      }
      case T_SET: case T_SET_REF: return this.set(tag);
      case T_INDEXED: {
        if (this.byte() !== T_ARRAY) throw this.bad('an index product');
        const n = this.uint();
        const factors: EvSet[] = [];
        for (let i = 0; i < n; i++) factors.push(this.set(this.byte()));
        return new Indexed(factors);
      }
      default: throw this.bad(`unknown tag ${tag}`);
    }
  }
}
