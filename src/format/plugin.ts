// The Prettier 3 plugin: `parsers.evg` (the project's parser) and the `evg-ast` printer.
// Usable from Prettier itself: `prettier --plugin ./dist/format/plugin.js model.evg`.
import type { Parser, Plugin, Printer, SupportLanguage } from 'prettier';
import { buildRoot, type PNode } from './tree.js';
import { printer as basePrinter } from './printer.js';
import { handleComments } from './comments.js';

export const languages: SupportLanguage[] = [
  { name: 'evg', parsers: ['evg'], extensions: ['.evg'], vscodeLanguageIds: ['evg'] },
];

const locStart = (node: PNode): number => (node as { span: { start: number } }).span.start;
const locEnd = (node: PNode): number => (node as { span: { end: number } }).span.end;

export const parsers: Record<string, Parser<PNode>> = {
  evg: {
    astFormat: 'evg-ast',
    parse: (text, options) => buildRoot(text, (options as { filepath?: string }).filepath ?? 'input.evg'),
    locStart,
    locEnd,
  },
};

export const printers: Record<string, Printer<PNode>> = {
  'evg-ast': { ...basePrinter, handleComments: handleComments as Printer<PNode>['handleComments'] },
};

/** The language's defaults: 100 columns, two spaces. */
export const defaultOptions = { printWidth: 100, tabWidth: 2, useTabs: false };

const plugin: Plugin<PNode> = { languages, parsers, printers, defaultOptions };
export default plugin;
