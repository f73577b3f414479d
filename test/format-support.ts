// Helpers of the formatter tests: the parser's AST without source positions (what "meaning
// preserving" compares), and the comments of a text.
import { parseText } from '../src/syntax/parse.js';
import { Diagnostics } from '../src/diagnostics/diagnostic.js';
import type * as A from '../src/syntax/ast.js';

export interface Parsed {
  readonly ast: unknown;
  readonly comments: string[];
  readonly errors: string[];
}

/** Drops spans (and the file name); doc comments compared without trailing blanks on their lines. */
export function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === 'span' || k === 'file' || v === undefined) continue;
      out[k] = k === 'doc' && typeof v === 'string' ? v.replace(/[ \t]+$/gm, '') : strip(v);
    }
    return out;
  }
  return value;
}

export function parse(text: string): Parsed {
  const diags = new Diagnostics();
  const { file } = parseText('model.evg', text, diags);
  return {
    ast: strip(file.decls),
    comments: file.comments.map((c: A.Comment) => c.text.replace(/[ \t\r]+$/gm, '')).sort(),
    errors: diags.list.filter((d) => d.severity === 'error').map((d) => `${d.code}@${d.span?.line}:${d.span?.col} ${d.message}`),
  };
}
