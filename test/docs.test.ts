// The examples of the documentation are compiled: every ```evg block of docs/language.md and of
// the README must build without errors, except those marked `<!-- expect: CODE -->` above it,
// which must report exactly that code (and no other error). `<!-- prelude: DECLS -->` above a
// block puts declarations before it (`;` separates them). Files the examples read or import are
// the code blocks introduced by a line "`path`:" anywhere in the same document.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileText, rendered } from './helpers.js';

interface Block { readonly doc: string; readonly line: number; readonly text: string; readonly expect?: string }

function blocks(path: string): { blocks: Block[]; files: Record<string, string> } {
  const doc = fileURLToPath(new URL(path, import.meta.url));
  const lines = readFileSync(doc, 'utf8').split('\n');
  const out: Block[] = [];
  const files: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const m = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!m) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    // The markers above the block (comments and an empty line may sit between them).
    const above: string[] = [];
    for (let k = start - 1; k >= 0 && above.length < 4; k--) {
      const l = lines[k]!.trim();
      if (l === '') continue;
      if (/^<!--.*-->$/.test(l) || /^`[\w./-]+`:$/.test(l)) { above.push(l); continue; }
      break;
    }
    const file = above.map((l) => /^`([\w./-]+)`:$/.exec(l)?.[1]).find(Boolean);
    if (file) { files[file] = body.join('\n') + '\n'; continue; }
    if (m[1] !== 'evg') continue;
    const e = above.map((l) => /<!-- expect: (\w+) -->/.exec(l)?.[1]).find(Boolean);
    const prelude = above.map((l) => /<!-- prelude: (.*) -->/.exec(l)?.[1]).find(Boolean);
    out.push({ doc: path.replace(/^.*\//, ''), line: start + 1, text: `${prelude ? `${prelude.replace(/;\s*(?=[a-z]+ )/g, '\n')}\n` : ''}${body.join('\n')}\n`, expect: e });
  }
  return { blocks: out, files };
}

for (const doc of ['../docs/language.md', '../README.md']) {
  const { blocks: bs, files } = blocks(doc);
  describe(`the examples of ${doc.replace(/^.*\//, '')}`, () => {
    it('has examples', () => expect(bs.length).toBeGreaterThan(0));
    for (const b of bs) {
      it(`${b.doc}:${b.line}${b.expect ? ` reports ${b.expect}` : ' builds'}`, () => {
        const c = compileText(b.text, files);
        const errs = c.diags.list.filter((d) => d.severity === 'error').map((d) => d.code);
        if (b.expect) {
          const all = c.diags.list.map((d) => d.code);
          expect(all, rendered(c)).toContain(b.expect);
          expect(errs.filter((x) => x !== b.expect), rendered(c)).toEqual([]);
        } else {
          expect(errs, rendered(c)).toEqual([]);
        }
      });
    }
  });
}
