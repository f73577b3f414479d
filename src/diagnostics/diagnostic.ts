// Diagnostics: what every phase reports instead of throwing, and how they are printed.
import { CODES, type Code } from './codes.js';

/**
 * A source range. `line` and `col` are 1-based; `start`/`end` are 0-based offsets (end exclusive).
 * An empty range at offset 0 stands for the whole file (printed without a source excerpt).
 */
export interface Span {
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly col: number;
}

export type Severity = 'error' | 'warning';

export interface Note {
  readonly message: string;
  readonly span?: Span;
}

export interface Diagnostic {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  readonly span?: Span;
  readonly hint?: string;
  readonly notes?: readonly Note[];
}

/** Thrown (and caught at phase boundaries) to abandon the current declaration with a diagnostic. */
export class EvgError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

/**
 * Thrown where a value is needed from a declaration whose evaluation already failed (and was
 * reported): it abandons the dependent work silently, so that one mistake gives one diagnostic
 * and not a cascade of misleading ones. Not an EvgError, so no handler turns it into a report.
 */
export class DependentFailure extends Error {
  constructor(readonly what: string) {
    super(`depends on \`${what}\`, which failed`);
  }
}

export function error(code: Code, message: string, span?: Span, hint?: string, notes?: Note[]): Diagnostic {
  return { code, severity: code.startsWith('W') ? 'warning' : 'error', message, span, hint, notes };
}

export function fail(code: Code, message: string, span?: Span, hint?: string, notes?: Note[]): never {
  throw new EvgError(error(code, message, span, hint, notes));
}

/** Collects diagnostics of one compilation; keeps the source texts so that they can be printed. */
export class Diagnostics {
  readonly list: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  add(d: Diagnostic): void {
    // The same problem reached twice (for example through two instances of one component) is reported once.
    const key = `${d.code}|${d.span?.file}|${d.span?.start}|${d.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(d);
  }
  report(code: Code, message: string, span?: Span, hint?: string, notes?: Note[]): void {
    this.add(error(code, message, span, hint, notes));
  }
  get errorCount(): number {
    return this.list.filter((d) => d.severity === 'error').length;
  }
  get hasErrors(): boolean {
    return this.list.some((d) => d.severity === 'error');
  }
  /** Errors first ordered by file and position, so that the output reads top to bottom. */
  sorted(): Diagnostic[] {
    return [...this.list].sort((a, b) => {
      const fa = a.span?.file ?? '', fb = b.span?.file ?? '';
      if (fa !== fb) return fa < fb ? -1 : 1;
      return (a.span?.start ?? 0) - (b.span?.start ?? 0);
    });
  }
}

/** The texts of every file read during a compilation (models and data), for printing source lines. */
export class SourceTexts {
  private readonly texts = new Map<string, string>();
  set(file: string, text: string): void {
    this.texts.set(file, text);
  }
  get(file: string): string | undefined {
    return this.texts.get(file);
  }
  /** Every file with its text, in reading order (the main file first). */
  entries(): IterableIterator<[string, string]> {
    return this.texts.entries();
  }
}

/** Renders `file:line:col: error[E0401]: message`, the source line with a caret, hints and notes. */
export function renderDiagnostic(d: Diagnostic, sources: SourceTexts, displayPath: (f: string) => string = (f) => f): string {
  const where = d.span ? `${displayPath(d.span.file)}:${d.span.line}:${d.span.col}: ` : '';
  const out: string[] = [`${where}${d.severity}[${d.code}]: ${d.message}`];
  if (d.span && !wholeFile(d.span)) out.push(...excerpt(d.span, sources));
  // `=` lines up with the `|` of the excerpt, whose width depends on the line number.
  const pad = ' '.repeat(d.span ? String(d.span.line).length : 1);
  if (d.hint) out.push(`${pad} = hint: ${d.hint}`);
  for (const n of d.notes ?? []) {
    const at = n.span ? `${displayPath(n.span.file)}:${n.span.line}:${n.span.col}: ` : '';
    out.push(`${pad} = note: ${at}${n.message}`);
    if (n.span) out.push(...excerpt(n.span, sources));
  }
  return out.join('\n');
}

function wholeFile(span: Span): boolean {
  return span.start === 0 && span.end === 0;
}

function excerpt(span: Span, sources: SourceTexts): string[] {
  const text = sources.get(span.file);
  if (text === undefined) return [];
  const lineStart = lineStartOffset(text, span.line);
  if (lineStart < 0) return [];
  let lineEnd = text.indexOf('\n', lineStart);
  if (lineEnd < 0) lineEnd = text.length;
  const line = text.slice(lineStart, lineEnd).replace(/\r$/, '').replace(/\t/g, ' ');
  const num = String(span.line);
  const pad = ' '.repeat(num.length);
  const caretLen = Math.max(1, Math.min(span.end - span.start, line.length - (span.col - 1)));
  return [`${pad} |`, `${num} | ${line}`, `${pad} | ${' '.repeat(Math.max(0, span.col - 1))}${'^'.repeat(caretLen)}`];
}

function lineStartOffset(text: string, line: number): number {
  let off = 0;
  for (let l = 1; l < line; l++) {
    off = text.indexOf('\n', off);
    if (off < 0) return -1;
    off++;
  }
  return off;
}

/** Builds a span from a 0-based offset range in a text. */
export function spanAt(file: string, text: string, start: number, end: number): Span {
  let line = 1, lastNl = -1;
  for (let i = 0; i < start && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) { line++; lastNl = i; }
  }
  return { file, start, end, line, col: start - lastNl };
}

export function codeSummary(code: Code): string {
  return CODES[code].summary;
}
