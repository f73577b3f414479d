// `m` template tag for test models: strips the first newline and the common indentation, so that
// the line:col positions asserted in the tests are those of the text as it reads in the test.
export function m(strings: TemplateStringsArray, ...vals: unknown[]): string {
  let s = strings.reduce((acc, str, i) => acc + str + (i < vals.length ? String(vals[i]) : ''), '');
  s = s.replace(/^\n/, '').replace(/\n[ \t]*$/, '\n');
  const lines = s.split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join('\n');
}
