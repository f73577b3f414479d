// Buffered text output: writers produce many small strings; a sink joins them into large chunks
// and hands those to a file descriptor (or keeps them, for tests and in-memory use).
import { closeSync, openSync, writeSync } from 'node:fs';

export interface Sink {
  write(s: string): void;
  close(): void;
}

const CHUNK = 1 << 20;

export class FileSink implements Sink {
  private readonly fd: number;
  private buf = '';
  bytes = 0;
  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }
  write(s: string): void {
    this.buf += s;
    if (this.buf.length >= CHUNK) this.flush();
  }
  private flush(): void {
    if (!this.buf) return;
    this.bytes += writeSync(this.fd, this.buf);
    this.buf = '';
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

export class StringSink implements Sink {
  private readonly parts: string[] = [];
  private buf = '';
  write(s: string): void {
    this.buf += s;
    if (this.buf.length >= CHUNK) { this.parts.push(this.buf); this.buf = ''; }
  }
  close(): void {
    if (this.buf) this.parts.push(this.buf);
    this.buf = '';
  }
  toString(): string {
    return this.parts.join('') + this.buf;
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
  return String(p);
}
