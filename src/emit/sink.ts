// Output of the writers. The writers produce ASCII bytes into one reusable buffer (ByteWriter)
// and hand full buffers to a Sink: a file descriptor (FileSink) or a list of strings
// (StringSink, for tests and in-memory use). No JavaScript string is built per term or per name.
import { closeSync, openSync, writeSync } from 'node:fs';

export interface Sink {
  /** Text (ASCII) to append. */
  write(s: string): void;
  /** Bytes to append; the sink must copy or consume them before returning (the buffer is reused). */
  writeBytes(b: Uint8Array): void;
  close(): void;
}

export class FileSink implements Sink {
  private readonly fd: number;
  bytes = 0;
  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }
  write(s: string): void {
    this.writeBytes(Buffer.from(s, 'latin1'));
  }
  writeBytes(b: Uint8Array): void {
    let off = 0;
    while (off < b.length) off += writeSync(this.fd, b, off, b.length - off);
    this.bytes += b.length;
  }
  close(): void {
    closeSync(this.fd);
  }
}

export class StringSink implements Sink {
  private readonly parts: string[] = [];
  write(s: string): void {
    this.parts.push(s);
  }
  writeBytes(b: Uint8Array): void {
    this.parts.push(Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1'));
  }
  close(): void {}
  toString(): string {
    return this.parts.join('');
  }
}

/** Shortest decimal text that keeps 15 significant digits (hides float noise such as 0.30000000000000004). */
export function num(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  const s = String(v);
  if (s.length <= 16) return s;
  const p = Number(v.toPrecision(15));
  // Rounding the largest doubles to 15 digits overflows to Infinity: keep those exact.
  return Number.isFinite(p) ? String(p) : s;
}

const SIZE = 1 << 18;
/** Callers keep lines and terms below this, so `room()` once per term or line is enough. */
export const MAX_PIECE = 512;

/**
 * An ASCII byte buffer in front of a Sink. `pos` is the write position in `buf`; writers may put
 * bytes there directly (names do, see ir/names.ts ByteOut) after asking for room.
 */
export class ByteWriter {
  readonly buf = Buffer.allocUnsafe(SIZE);
  pos = 0;
  /** Formatted non-integer numbers: coefficients repeat a lot (0.9, 1/0.9 ...), formatting them does not need to. */
  private readonly cacheKey = new Float64Array(1024).fill(NaN);
  private readonly cacheText: string[] = new Array<string>(1024).fill('');
  private readonly bits = new Float64Array(1);
  private readonly bitsLo = new Uint32Array(this.bits.buffer);

  constructor(private readonly sink: Sink) {}

  /** Makes sure MAX_PIECE bytes fit; returns how many bytes were flushed (positions before `pos` move back by that much). */
  room(): number {
    if (this.pos + MAX_PIECE <= SIZE) return 0;
    return this.flush();
  }

  flush(): number {
    const n = this.pos;
    if (n) this.sink.writeBytes(this.buf.subarray(0, n));
    this.pos = 0;
    return n;
  }

  /** ASCII text of any length (header lines); callers keep it free of line breaks where that matters. */
  text(s: string): void {
    for (let i = 0; i < s.length; i += MAX_PIECE) {
      this.room();
      const part = s.length <= MAX_PIECE ? s : s.slice(i, i + MAX_PIECE);
      this.pos += this.buf.write(part, this.pos, 'latin1');
    }
  }

  /** A short ASCII string (keywords, operators): no room check. */
  ascii(s: string): void {
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  byte(c: number): void {
    this.buf[this.pos++] = c;
  }

  /** `num(v)` without building a string for integers and short decimals, and cached for the rest. */
  num(v: number): void {
    const b = this.buf;
    if (Number.isInteger(v) && v < 1e15 && v > -1e15) {
      if (v < 0) { b[this.pos++] = 45; v = -v; }
      this.pos = writeDigits(b, this.pos, v, 0);
      return;
    }
    this.bits[0] = v;
    const h = (this.bitsLo[0]! ^ this.bitsLo[1]! ^ (this.bitsLo[1]! >>> 12)) & 1023;
    if (this.cacheKey[h] === v) { this.ascii(this.cacheText[h]!); return; }
    // A decimal with at most 6 digits after the point, between 1e-6 and 1e8 in magnitude: m / 10^d
    // is correctly rounded, so m / 10^d === v means the text "m with d decimals" reads back as v
    // exactly; with the smallest such d it is the text String(v) gives (at most 16 characters,
    // so num() would not round it), as checked on millions of random values.
    const a = Math.abs(v);
    if (a >= 1e-6 && a < 1e8) {
      for (let d = 1, s = 10; d <= 6; d++, s *= 10) {
        let m = a * s;
        if (Number.isInteger(m) && m / s === a) {
          while (d > 0 && m % 10 === 0) { m /= 10; d--; }
          if (v < 0) b[this.pos++] = 45;
          this.pos = writeDigits(b, this.pos, m, d);
          return;
        }
      }
    }
    const s = num(v);
    this.cacheKey[h] = v;
    this.cacheText[h] = s;
    this.ascii(s);
  }
}

/** Writes the non-negative integer m with a decimal point d digits from the right (`0.05` for m = 5, d = 2). */
function writeDigits(b: Uint8Array, p: number, m: number, d: number): number {
  if (m < 10 && d === 0) { b[p] = 48 + m; return p + 1; }
  let len = 1;
  for (let a = m; a >= 10; a = Math.floor(a / 10)) len++;
  if (len <= d) len = d + 1; // leading zero before the point
  const stop = p + len + (d ? 1 : 0);
  let q = stop - 1;
  let k = 0;
  if (m < 2147483648) {
    // int32 arithmetic: much faster than floating-point remainders.
    let a = m | 0;
    for (; q >= p; k++) {
      if (k === d && d) { b[q--] = 46; continue; }
      const t = (a / 10) | 0;
      b[q--] = 48 + a - t * 10;
      a = t;
    }
    return stop;
  }
  let a = m;
  for (; q >= p; k++) {
    if (k === d && d) { b[q--] = 46; continue; }
    b[q--] = 48 + (a % 10);
    a = Math.floor(a / 10);
  }
  return stop;
}

/** A header comment line: printable ASCII only, at most `max` characters. */
export function commentText(s: string, max: number): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return clean.length <= max ? clean : `${clean.slice(0, max - 3)}...`;
}
