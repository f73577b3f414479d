// Offsets <-> LSP positions. Both count UTF-16 code units, as JavaScript strings do; LSP lines and
// characters are 0-based where evg's spans have 1-based lines and columns.
import type { Position, Range } from 'vscode-languageserver';
import type { Span } from '../diagnostics/diagnostic.js';

export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0, hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid; else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo]! };
  }
  offset(p: Position): number {
    const start = this.starts[Math.max(0, Math.min(p.line, this.starts.length - 1))]!;
    const end = p.line + 1 < this.starts.length ? this.starts[p.line + 1]! - 1 : this.text.length;
    return Math.min(start + p.character, end);
  }
  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }
}

/**
 * The range of a span: its start from the span's 1-based line and column, its end from the end
 * offset when the text is known. A span of the whole file (0..0) is the file's first position.
 */
export function spanRange(span: Span, index?: LineIndex): Range {
  if (span.start === 0 && span.end === 0) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const start: Position = { line: Math.max(0, span.line - 1), character: Math.max(0, span.col - 1) };
  const end = index ? index.position(span.end) : { line: start.line, character: start.character + Math.max(0, span.end - span.start) };
  return { start, end: end.line < start.line || (end.line === start.line && end.character < start.character) ? start : end };
}
