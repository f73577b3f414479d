// Formatting evg source text: Prettier with the evg plugin.
import * as prettier from 'prettier';
import plugin from './plugin.js';
import { EvgSyntaxError } from './tree.js';
import { evgLexer } from '../syntax/lexer.js';

export { EvgSyntaxError };

export interface FormatOptions {
  /** Line width to fit (default 100). */
  readonly printWidth?: number;
  /** File name, for messages. */
  readonly filepath?: string;
}

/** Formats a model; throws `EvgSyntaxError` if the text does not parse. */
export async function formatText(text: string, opts: FormatOptions = {}): Promise<string> {
  const normalized = text.replace(/\r\n?/g, '\n');
  const out = await prettier.format(normalized, {
    parser: 'evg',
    plugins: [plugin],
    printWidth: opts.printWidth ?? 100,
    tabWidth: 2,
    useTabs: false,
    endOfLine: 'lf',
    ...(opts.filepath ? { filepath: opts.filepath } : {}),
  });
  return splitMergedComments(normalized, out);
}

const commentTexts = (text: string): string[] =>
  (evgLexer.tokenize(text).groups['comments'] ?? []).map((t) => t.image.replace(/\s+$/, ''));

/**
 * Trailing comments of different nodes whose lines the printer joined can end up after one `//`
 * comment, where they would become part of it (`a // x // y`). They are put back: a comment that
 * follows a `//` comment starts a new line, as the printer does for two comments of one node.
 */
function splitMergedComments(input: string, output: string): string {
  const known = new Set(commentTexts(input));
  const tokens = evgLexer.tokenize(output).groups['comments'] ?? [];
  let result = output;
  for (const t of [...tokens].reverse()) {
    const image = t.image.replace(/\s+$/, '');
    if (image.startsWith('/*') || known.has(image)) continue;
    const parts = splitInto(image, known);
    if (!parts) continue;
    const lineStart = output.lastIndexOf('\n', t.startOffset - 1) + 1;
    const indent = /^[ \t]*/.exec(output.slice(lineStart))![0];
    const joined = parts.map((p, i) => (i === 0 ? p : `${parts[i - 1]!.startsWith('//') ? `\n${indent}` : ' '}${p}`)).join('');
    result = result.slice(0, t.startOffset) + joined + result.slice(t.startOffset + t.image.length);
  }
  return result;
}

/** `image` as a sequence of known comments separated by blanks, if it is one. */
function splitInto(image: string, known: ReadonlySet<string>): string[] | undefined {
  if (image === '') return [];
  for (const k of known) {
    if (!image.startsWith(k)) continue;
    const rest = image.slice(k.length);
    if (rest !== '' && !/^\s/.test(rest)) continue;
    const tail = splitInto(rest.replace(/^\s+/, ''), known);
    if (tail) return [k, ...tail];
  }
  return undefined;
}
