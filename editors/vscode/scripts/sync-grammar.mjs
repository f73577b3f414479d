// Copies the grammar and the language configuration from the repository's grammar/ folder into
// the extension (VS Code only reads files inside the extension). Run before packaging; the copies
// are checked in, and test/editors.test.ts checks that they are identical to the originals.
import { copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
copyFileSync(here('../../../grammar/evg.tmLanguage.json'), here('../syntaxes/evg.tmLanguage.json'));
copyFileSync(here('../../../grammar/language-configuration.json'), here('../language-configuration.json'));
console.log('copied grammar/evg.tmLanguage.json and grammar/language-configuration.json');
