// Chevrotain, loaded from its single-file ES module build.
//
// The package's main entry point (lib/src/api.js) pulls in some 400 small modules of its own and
// of lodash-es; loading them takes ~0.4 s, longer than parsing a model. The package ships the
// same code bundled as lib/chevrotain.mjs (~15 ms to load), but its `exports` map does not expose
// that file, so it is located from the resolved main entry. Types come from the package as usual.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Chevrotain from 'chevrotain';

const main = createRequire(import.meta.url).resolve('chevrotain');
const bundle = join(dirname(main), '..', 'chevrotain.mjs');

const chevrotain = (await import(pathToFileURL(bundle).href)) as typeof Chevrotain;

export const { createToken, Lexer, EmbeddedActionsParser, EOF, tokenMatcher } = chevrotain;
export type { IRecognitionException, IToken, ParserMethod, TokenType } from 'chevrotain';
