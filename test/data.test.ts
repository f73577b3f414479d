// The data-file readers of src/data: the CSV reader (papaparse) against csv-parse (the library the
// project used first, kept as a dev dependency for this comparison only) on random files, on the
// inputs where the documented rules of both agree, and hand-counted cases where they differ; cell
// values and positions against what the generator wrote where; the JSON reader against JSON.parse;
// and the cost of reading and filling a large table.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as csvParse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EvgError, type Span } from '../src/diagnostics/diagnostic.js';
import { readTable, type DataTable } from '../src/data/table.js';
import { canonicalNumber } from '../src/data/csv.js';
import { normElem } from '../src/lower/values.js';
import { compile } from '../src/driver.js';
import { tempDir } from './helpers.js';

const DECL: Span = { file: 'model.evg', start: 0, end: 1, line: 1, col: 1 };

/** The table, or the diagnostic it fails with. */
function read(text: string, format: 'csv' | 'json' = 'csv', delimiter?: string, keys: string[] = []): DataTable | EvgError {
  try {
    return readTable('d', text, format, { keys, delimiter, declSpan: DECL });
  } catch (e) {
    if (e instanceof EvgError) return e;
    throw e;
  }
}

/** All cells as text, row by row. */
function cells(t: DataTable): string[][] {
  const out: string[][] = [];
  for (let r = 0; r < t.rowCount; r++) out.push(t.columns.map((_, c) => String(t.cell(r, c))));
  return out;
}

const at = (s: Span) => `${s.line}:${s.col}`;

// ==================================================================================== numbers

describe('numbers stored without their text', () => {
  it('canonicalNumber reads exactly the texts that String(number) writes', () => {
    // Any double printed without an exponent and with at most 15 significant digits is read back
    // to the same double, and anything else is left as text (NaN).
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
      const s = String(v);
      const digits = s.replace(/^-/, '').replace('.', '').replace(/^0+/, '').length;
      const expected = /e/.test(s) || digits > 15 ? NaN : Number(s);
      expect(canonicalNumber(s, 0, s.length)).toBe(expected);
    }), { numRuns: 5000 });
    // Short decimals, the usual content of data files.
    fc.assert(fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 6 }), (m, k) => {
      const s = String(m / 10 ** k);
      expect(canonicalNumber(s, 0, s.length)).toBe(/e/.test(s) ? NaN : Number(s));
    }), { numRuns: 5000 });
  });

  it('whatever the text, a number is returned only when String() gives the text back', () => {
    const text = fc.stringMatching(/^-?[0-9]{0,18}(\.[0-9]{0,8})?$/);
    fc.assert(fc.property(text, (s) => {
      const v = canonicalNumber(s, 0, s.length);
      if (!Number.isNaN(v)) {
        expect(String(v)).toBe(s);
        expect(v).toBe(Number(s));
      }
    }), { numRuns: 5000 });
    for (const s of ['1.0', '01', '+1', '1e3', '.5', '5.', '-0', '0.0000001', '1234567890123456', '']) {
      expect(canonicalNumber(s, 0, s.length), s).toBeNaN();
    }
    expect(canonicalNumber('x0.25y', 1, 5)).toBe(0.25);
    expect(canonicalNumber('0.000001', 0, 8)).toBe(0.000001);
  });

  it('cells keep their text, their number and their set element', () => {
    const texts = ['1', '1.0', '1.50', '-3', '007', '1e3', '+2', 'g1', '42.653', '999999999999999', '-999999999999999', '12345678901234567'];
    const t = read(`k,v\n${texts.map((s, i) => `${i},${s}`).join('\n')}\n`) as DataTable;
    texts.forEach((s, r) => {
      expect(t.cell(r, 1)).toBe(s);
      expect(t.elem(r, 1)).toBe(normElem(s));
      const n = Number(s);
      if (Number.isFinite(n)) expect(t.number(r, 1)).toBe(n);
    });
    // A quoted cell is text, and reads as a number all the same.
    const q = read('k,v\na," 2.5 "\n') as DataTable;
    expect(q.cell(0, 1)).toBe(' 2.5 ');
    expect(q.number(0, 1)).toBe(2.5);
  });
});

// ==================================================================================== CSV vs csv-parse

/**
 * Random CSV-like texts: fields with quotes, spaces, delimiters, comment and empty lines; either
 * lines of any number of fields, or (`shaped`) a header and rows of its width with distinct keys
 * `k0`, `k1`, ... in the first column, so that most files are valid and their cells get compared.
 */
function csvText(delim: string, shaped = false): fc.Arbitrary<string> {
  const piece = fc.constantFrom('a', 'b', '1', '2.5', '-0', ' ', '\t', '\u00a0', '"', '""', '#', delim, ',', ';', 'x y', '0.10', '', '\n');
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const field = fc.oneof(
    fc.array(piece, { maxLength: 4 }).map((ps) => ps.join('')),
    fc.array(piece, { maxLength: 4 }).map((ps) => quote(ps.join(''))),
    fc.array(piece, { maxLength: 3 }).map((ps) => `${quote(ps.join(''))}  `),
  );
  const skipped = fc.constantFrom('', '  ', '# comment', '  # indented comment', `#${delim}x`);
  const finish = ([ls, crlf, finalNl, bom]: [string[], boolean, boolean, boolean]) => {
    let t = ls.join('\n') + (finalNl ? '\n' : '');
    if (crlf) t = t.replace(/\n/g, '\r\n');
    return (bom ? '\ufeff' : '') + t;
  };
  if (!shaped) {
    const line = fc.oneof(
      { weight: 6, arbitrary: fc.array(field, { minLength: 1, maxLength: 4 }).map((fs) => fs.join(delim)) },
      { weight: 1, arbitrary: skipped },
    );
    return fc.tuple(fc.array(line, { maxLength: 6 }), fc.boolean(), fc.boolean(), fc.boolean()).map(finish);
  }
  /** A name or key, written plainly, quoted, or with spaces around it. */
  const named = (name: string) => fc.constantFrom(name, quote(name), ` ${name}${delim === '\t' ? ' ' : '\t'}`, `${quote(name)} `);
  return fc.integer({ min: 1, max: 4 }).chain((w) => {
    const header = fc.tuple(...Array.from({ length: w }, (_, c) => named(`c${c}`))).map((fs) => fs.join(delim));
    const rows = fc.array(fc.oneof({ weight: 4, arbitrary: fc.array(field, { minLength: w - 1, maxLength: w - 1 }).map((fs) => [true, fs] as const) },
      { weight: 1, arbitrary: skipped.map((l) => [false, l] as const) }), { maxLength: 6 });
    return fc.tuple(fc.array(skipped, { maxLength: 2 }), header, rows).chain(([before, h, rs]) => {
      let k = 0;
      const keys = rs.map(([isRow]) => (isRow ? named(`k${k++}`) : fc.constant('')));
      return fc.tuple(fc.tuple(...keys), fc.boolean(), fc.boolean(), fc.boolean()).map(([ks, crlf, finalNl, bom]) => {
        const ls = rs.map(([isRow, x], i) => (isRow ? [ks[i]!, ...(x as readonly string[])].join(delim) : (x as string)));
        return finish([[...before, h, ...ls], crlf, finalNl, bom]);
      });
    });
  });
}

describe('the CSV reader agrees with csv-parse', () => {
  for (const delim of [',', ';', '\t', '|']) {
    it(`on random files (delimiter ${JSON.stringify(delim)})`, () => {
      fc.assert(fc.property(fc.oneof(csvText(delim), csvText(delim, true)), (text) => {
        let want: { record: string[]; info: { lines: number } }[] | undefined;
        try {
          want = csvParse(text, {
            info: true, trim: true, skip_empty_lines: true, comment: '#', comment_no_infix: true,
            delimiter: delim, relax_column_count: true, bom: true,
          }) as unknown as typeof want;
        } catch {
          want = undefined;
        }
        // Two quirks of csv-parse are not followed: after an empty quoted field `""` it accepts some
        // text (`""#`, `"" ""`), where any other closing quote followed by text is an error for both;
        // and it drops non-ASCII spaces around fields, but not after a closing quote.
        const d = delim === '|' ? '\\|' : delim;
        fc.pre(!new RegExp(`(^|\\n|${d})[ \\t\\u00a0\\ufeff]*""[ \\t\\u00a0]*[^ \\t\\u00a0\\r\\n${d}]`).test(text));
        fc.pre(!/"[ \t]*\u00a0/.test(text));
        // Two rules of evg differ from csv-parse's (see src/data/csv.ts and the tests below): spaces
        // before an opening quote, and spaces before the `#` of a comment line, are errors.
        const sp = `[${[' ', '\\t', '\\u00a0', '\\ufeff'].filter((c) => c !== (delim === '\t' ? '\\t' : delim)).join('')}]`;
        const body = text.replace(/^\ufeff/, '');
        fc.pre(!new RegExp(`(^|\\n|${d})${sp}+"`).test(body));
        fc.pre(!new RegExp(`(^|\\n)${sp}+#`).test(body));
        const got = read(text, 'csv', delim);
        const shown = JSON.stringify(text).replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
        if (!want) {
          // csv-parse rejects the file: so does evg, with a data-file diagnostic.
          expect(got, shown).toBeInstanceOf(EvgError);
          expect((got as EvgError).diagnostic.code).toBe('E0506');
          return;
        }
        if (want.length === 0) {
          expect((got as EvgError).diagnostic?.message).toContain('is empty');
          return;
        }
        const width = want[0]!.record.length;
        const ragged = want.findIndex((r) => r.record.length !== width);
        const multiLine = want.some((r) => r.record.some((f) => f.includes('\n')));
        // Column names are trimmed even when quoted.
        const columns = want[0]!.record.map((h) => h.trim());
        const dupColumn = columns.some((c, i) => columns.indexOf(c) !== i);
        if (ragged >= 0) {
          expect(got).toBeInstanceOf(EvgError);
          const d = (got as EvgError).diagnostic;
          expect(d.code).toBe('E0506');
          expect(d.message).toBe(`row has ${want[ragged]!.record.length} field${want[ragged]!.record.length === 1 ? '' : 's'} but the header has ${width}`);
          // csv-parse counts the line where a record ends; it is the line where it starts when no field spans lines.
          if (!multiLine) expect(d.span!.line).toBe(want[ragged]!.info.lines);
          return;
        }
        if (dupColumn) {
          expect((got as EvgError).diagnostic.message).toMatch(/appears twice in the header/);
          return;
        }
        // The first column is the key by default: duplicate values there are an error of their own.
        const keys = want.slice(1).map((r) => String(normElem(r.record[0]!)));
        if (new Set(keys).size !== keys.length) {
          expect((got as EvgError).diagnostic.code).toBe('E0505');
          return;
        }
        expect(got, (got as EvgError).message).not.toBeInstanceOf(EvgError);
        const t = got as DataTable;
        expect(t.columns).toEqual(columns);
        expect(cells(t)).toEqual(want.slice(1).map((r) => r.record));
      }), { numRuns: 3000 });
    });
  }
});

describe('CSV rules where the reader differs from csv-parse, or papaparse from both', () => {
  /** The diagnostic's code and line:col, or the table's cells. */
  const outcome = (text: string, delim = ','): string | string[][] => {
    const t = read(text, 'csv', delim);
    return t instanceof EvgError ? `${t.diagnostic.code}@${at(t.diagnostic.span!)}` : cells(t);
  };
  const diag = (text: string) => (read(text) as EvgError).diagnostic;
  const byCsvParse = (text: string) => (csvParse(text, { trim: true, skip_empty_lines: true, comment: '#', comment_no_infix: true, bom: true }) as string[][]).slice(1);

  it('spaces before an opening quote are an error at the quote (csv-parse drops them)', () => {
    const text = 'g,name\ng1, "x, y"\n';
    expect(byCsvParse(text)).toEqual([['g1', 'x, y']]);
    expect(outcome(text)).toBe('E0506@2:5');
    expect(diag(text).message).toContain('does not start with a quote');
    expect(diag(text).hint).toContain('remove the spaces before the quote');
    // Also at the start of a line, and before a tab delimiter's field.
    expect(outcome('g,v\n  "g1",1\n')).toBe('E0506@2:3');
    expect(outcome('g\tv\ng1\t "1"\n', '\t')).toBe('E0506@2:5');
  });

  it('a comment line starts with `#` in the first column; indented, it is an error at the `#`', () => {
    const text = 'g,v\n  # note\ng1,1\n';
    expect(byCsvParse(text)).toEqual([['g1', '1']]);
    expect(outcome(text)).toBe('E0506@2:3');
    expect(diag(text).hint).toContain('remove the spaces before `#`');
    expect(outcome('\t# note\ng,v\ng1,1\n')).toBe('E0506@1:2');
    // Not a comment, and no error: `#` in a quoted field, after the first column, or quoted after spaces.
    expect(outcome('g,v\ng1,"a\n  # b"\n')).toEqual([['g1', 'a\n  # b']]);
    expect(outcome('g,v\ng1,#5\n#g2,2\n')).toEqual([['g1', '#5']]);
    expect(outcome('g,v\n" #x",1\n')).toEqual([[' #x', '1']]);
  });

  it('spaces after a closing quote are dropped, also at the end of a file without a final line break', () => {
    expect(outcome('g,v\n"g1"  ,1\n"g2"\t,2\r\n')).toEqual([['g1', '1'], ['g2', '2']]);
    expect(outcome('g,v\ng1,"a"  ')).toEqual([['g1', 'a']]);
    // Non-breaking spaces too (csv-parse rejects those after a quote).
    expect(outcome('g,v\ng1,"a"\u00a0\n')).toEqual([['g1', 'a']]);
    expect(outcome('g,v\ng1,"a"  b\n')).toBe('E0506@2:9');
    expect(diag('g,v\ng1,"a"  b\n').message).toContain('`b` after the closing quote');
  });

  it('empty lines are skipped, a quoted empty field is a row', () => {
    expect(outcome('k\n""\n\n   \n\r\n')).toEqual([['']]);
    expect(outcome('k\n\n \u00a0\n')).toEqual([]);
  });

  it('the first quoting problem of a row is reported, wherever papaparse stopped', () => {
    // papaparse reports the unclosed quote at 2:8; the stray `"` at 2:5 comes first.
    expect(outcome('g,a,b\ng1,x"y,"z\n')).toBe('E0506@2:5');
    expect(outcome('g,a,b\ng1,xy,"z\n')).toBe('E0506@2:7');
    expect(diag('g,a,b\ng1,xy,"z\n').message).toContain('Quote not closed');
  });

  it('a byte-order mark does not shift positions (papaparse drops it before parsing)', () => {
    expect(outcome('\ufeff"g",v\n"g1",1\n')).toEqual([['g1', '1']]);
    expect(outcome('\ufeffg,v\ng1,"a\n')).toBe('E0506@2:4');
    expect(outcome('\ufeffg,"v"x\n')).toBe('E0506@1:6');
    expect(outcome('\ufeffg, "v"\n')).toBe('E0506@1:4');
    expect(outcome('\ufeffg,v\ng1,1,\n')).toBe('E0506@2:1');
  });

  it('a delimiter that papaparse cannot take is rejected, not replaced by a comma', () => {
    const t = read('g\ufeffv\ng1\ufeff1\n', 'csv', '\ufeff');
    expect(t).toBeInstanceOf(EvgError);
    expect((t as EvgError).diagnostic.code).toBe('E0508');
  });

  it('csv-parse is a dev dependency, used by this test only', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect(pkg.dependencies!['csv-parse']).toBeUndefined();
    expect(pkg.devDependencies!['csv-parse']).toBeDefined();
    expect(pkg.dependencies!.papaparse).toBeDefined();
    const src = join(root, 'src');
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) expect(readFileSync(join(src, f), 'utf8'), f).not.toMatch(/['"]csv-parse/);
  });
});

// ==================================================================================== positions

describe('cell positions', () => {
  /** A cell as written: leading and trailing spaces, quoted or not, its value. */
  const cellArb = fc.record({
    value: fc.constantFrom('g1', '1', '2.5', 'x y', '', 'a;b', 'a,b', 'say "hi"', 'two\nlines', '#5', '-0.125'),
    quote: fc.boolean(),
    pre: fc.constantFrom('', ' ', '  ', '\t'),
    post: fc.constantFrom('', ' ', '\t'),
  });
  /** Spaces around a cell, unless they are the delimiter. */
  const spaces = (s: string, delim: string) => s.split(delim).join('');

  for (const delim of [',', ';', '\t']) {
    it(`CSV: every cell is where the generator wrote it (delimiter ${JSON.stringify(delim)})`, () => {
      const tableArb = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 5 })).chain(([w, h]) =>
        fc.tuple(fc.array(fc.array(cellArb, { minLength: w, maxLength: w }), { minLength: h, maxLength: h }),
          fc.array(fc.constantFrom('', '# note', '   '), { minLength: h + 1, maxLength: h + 1 }), fc.boolean(), fc.boolean())
          .map(([rows, between, crlf, bom]) => ({ w, rows, between, crlf, bom })));
      fc.assert(fc.property(tableArb, ({ w, rows, between, crlf, bom }) => {
        const nl = crlf ? '\r\n' : '\n';
        let text = bom ? '\ufeff' : '';
        let line = 1;
        let col = 1;
        const write = (s: string) => {
          for (const ch of s) {
            if (ch === '\n') { line++; col = 1; } else if (ch !== '\ufeff') col++;
          }
          text += s;
        };
        write(Array.from({ length: w }, (_, c) => `c${c}`).join(delim) + nl);
        const where: string[][] = [];
        const values: string[][] = [];
        rows.forEach((row, r) => {
          if (between[r]) write(between[r] + nl);
          where.push([]);
          values.push([]);
          row.forEach((cell, c) => {
            // A value that holds a delimiter, a quote, a line break or a leading `#` must be quoted.
            const quote = cell.quote || /[",;\t\n#]/.test(cell.value) || (c === 0 && cell.value === '');
            if (c > 0) write(delim);
            // A quoted field starts with its quote: spaces before it are an error (see the tests of the rules above).
            const pre = quote ? '' : spaces(cell.pre, delim);
            // An empty cell is where it starts; any other where its text starts.
            if (!quote && cell.value === '') where[r]!.push(`${line}:${col}`);
            write(pre);
            if (quote || cell.value !== '') where[r]!.push(`${line}:${col}`);
            write(quote ? `"${cell.value.replace(/"/g, '""').replace(/\n/g, nl)}"` : cell.value);
            write(spaces(cell.post, delim));
            values[r]!.push(cell.value.replace(/\n/g, nl));
          });
          write(nl);
        });
        // Unique keys in the first column, so that the table is valid.
        const keys = values.map((v) => String(normElem(v[0]!)));
        fc.pre(new Set(keys).size === keys.length);
        const t = read(text, 'csv', delim);
        expect(t, (t as EvgError).message).not.toBeInstanceOf(EvgError);
        const tab = t as DataTable;
        expect(cells(tab)).toEqual(values);
        for (let r = 0; r < rows.length; r++) for (let c = 0; c < w; c++) expect(at(tab.cellSpan(r, c)), JSON.stringify(text)).toBe(where[r]![c]);
      }), { numRuns: 1500 });
    });
  }

  it('JSON: every value is where the generator wrote it, in both layouts', () => {
    const value = fc.oneof(fc.constantFrom('g1', 'x y', '', 'q"uote', 'ünï'), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((v) => (v === 0 ? 0 : v)), fc.constant(null), fc.boolean());
    const space = fc.constantFrom('', ' ', '\n', '\r\n  ', '\t');
    const arb = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 4 })).chain(([w, h]) =>
      fc.tuple(fc.array(fc.array(value, { minLength: w, maxLength: w }), { minLength: h, maxLength: h }),
        fc.array(space, { minLength: 8 * (w + 1) * (h + 1), maxLength: 8 * (w + 1) * (h + 1) }), fc.boolean())
        .map(([rows, spaces, byColumn]) => ({ w, rows, spaces, byColumn })));
    fc.assert(fc.property(arb, ({ w, rows, spaces, byColumn }) => {
      let text = '';
      let k = 0;
      const sp = () => { text += spaces[k++ % spaces.length]; };
      const pos = (): string => {
        const before = text.split('\n');
        return `${before.length}:${before[before.length - 1]!.length + 1}`;
      };
      const where: string[][] = rows.map(() => []);
      // Unique keys: the row number in column 0.
      const table = rows.map((r, i) => [`k${i}`, ...r.slice(1)]);
      const names = Array.from({ length: w }, (_, c) => `c${c}`);
      if (!byColumn) {
        text += '['; sp();
        table.forEach((row, r) => {
          if (r) { text += ','; sp(); }
          text += '{'; sp();
          row.forEach((v, c) => {
            if (c) { text += ','; sp(); }
            text += JSON.stringify(names[c]); sp(); text += ':'; sp();
            where[r]![c] = pos();
            text += JSON.stringify(v); sp();
          });
          text += '}'; sp();
        });
        text += ']';
      } else {
        text += '{'; sp();
        names.forEach((name, c) => {
          if (c) { text += ','; sp(); }
          text += JSON.stringify(name); sp(); text += ':'; sp(); text += '['; sp();
          table.forEach((row, r) => {
            if (r) { text += ','; sp(); }
            where[r]![c] = pos();
            text += JSON.stringify(row[c]); sp();
          });
          text += ']'; sp();
        });
        text += '}';
      }
      const t = read(text, 'json');
      expect(t, (t as EvgError).message).not.toBeInstanceOf(EvgError);
      const tab = t as DataTable;
      expect(tab.rowCount).toBe(rows.length);
      if (rows.length) expect(tab.columns).toEqual(names);
      table.forEach((row, r) => row.forEach((v, c) => {
        expect(tab.cell(r, c)).toBe(typeof v === 'boolean' ? (v ? 1 : 0) : v);
        expect(at(tab.cellSpan(r, c))).toBe(where[r]![c]);
      }));
    }), { numRuns: 1500 });
  });
});

// ==================================================================================== JSON vs JSON.parse

describe('the JSON reader accepts what JSON.parse accepts', () => {
  it('on random texts made of JSON tokens', () => {
    const tok = fc.constantFrom('[', ']', '{', '}', ',', ':', '"g"', '"v"', '"a\\"b"', '1', '-2.5e3', '01', '1.', '.5', 'true', 'null', 'nul', ' ', '\n', '// c', '/* c */', '\u00a0', '\ufeff', "'x'", '"\\x"', '"\\u00e9"', 'NaN', '"tab\there"');
    const text = fc.oneof(
      fc.array(tok, { maxLength: 14 }).map((ts) => ts.join('')),
      // Mostly well-formed tables with one token changed.
      fc.tuple(fc.nat(), tok).map(([i, t]) => {
        const base = ['[', '{', '"g"', ':', '"g1"', ',', '"v"', ':', '1', '}', ',', '{', '"g"', ':', '"g2"', ',', '"v"', ':', '2', '}', ']'];
        base[i % base.length] = t;
        return base.join('');
      }),
    );
    fc.assert(fc.property(text, (s) => {
      let ok = true;
      // A byte-order mark is read as a space (editors write one); JSON.parse does not skip it.
      try { JSON.parse(s.replace(/^\ufeff/, '')); } catch { ok = false; }
      const got = read(s, 'json');
      const malformed = got instanceof EvgError && /^malformed JSON file/.test(got.diagnostic.message);
      expect(malformed, `${JSON.stringify(s)}: ${(got as EvgError).message}`).toBe(!ok);
      if (got instanceof EvgError) {
        const sp = got.diagnostic.span!;
        expect(sp.line >= 1 && sp.col >= 1 && sp.start <= s.length).toBe(true);
      }
    }), { numRuns: 4000 });
  });
});

// ==================================================================================== duplicate keys

describe('duplicate keys', () => {
  it('the first row whose key was seen before is reported, with a note at the earlier row', () => {
    const arb = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.array(fc.array(fc.constantFrom('1', '2', '01', 'a', 'b'), { minLength: 3, maxLength: 3 }), { maxLength: 12 }));
    fc.assert(fc.property(arb, ([arity, rows]) => {
      const names = ['k1', 'k2', 'k3'].slice(0, arity);
      const text = `k1,k2,k3,v\n${rows.map((r) => `${r.join(',')},0`).join('\n')}\n`;
      const t = read(text, 'csv', ',', names);
      // The oracle: keys as set elements ('01' is the number 1), compared as JSON.
      const seen = new Map<string, number>();
      let dup: [number, number] | undefined;
      rows.forEach((r, i) => {
        const k = JSON.stringify(r.slice(0, arity).map(normElem));
        if (dup) return;
        if (seen.has(k)) dup = [seen.get(k)!, i];
        else seen.set(k, i);
      });
      if (!dup) {
        expect(t).not.toBeInstanceOf(EvgError);
        return;
      }
      const d = (t as EvgError).diagnostic;
      expect(d.code).toBe('E0505');
      expect(d.span!.line).toBe(dup[1] + 2);
      expect(d.notes![0]!.span!.line).toBe(dup[0] + 2);
    }), { numRuns: 3000 });
  });
});

// ==================================================================================== speed

describe('cost of large tables', () => {
  // Reading and filling used to compute every cell's position from the start of the file: at 200 000
  // rows that took minutes. Linear, it takes a fraction of a second; the bound leaves room for slow machines.
  it('a 200 000-row CSV table is read and fills a parameter in well under 10 s', () => {
    const N = 400, T = 500;
    const lines = ['node,t,MW'];
    for (let n = 1; n <= N; n++) for (let t = 1; t <= T; t++) lines.push(`${n},${t},${((n * 7 + t * 13) % 1000) / 8}`);
    const dir = tempDir({
      'demand.csv': `${lines.join('\n')}\n`,
      'model.evg': [
        'set N = 1..400',
        'set T = 1..500',
        'table dem = csv("demand.csv", key = (node, t))',
        'param demand[N, T] : MW = dem.MW',
        'var x[n in N] : MW in [0, demand[n, 1]]',
        'minimize m = sum(n in N) x[n] * 1 $/MW',
        '',
      ].join('\n'),
    });
    const t0 = performance.now();
    const c = compile(join(dir, 'model.evg'));
    const ms = performance.now() - t0;
    expect(c.diags.list.filter((d) => d.severity === 'error')).toEqual([]);
    expect(c.elaboration!.model.numCols).toBe(N);
    expect(ms).toBeLessThan(10_000);
  });

  it('a 200 000-record JSON table is read in well under 10 s, its last value at its own line and column', () => {
    const n = 200_000;
    const recs: string[] = [];
    for (let i = 1; i <= n; i++) recs.push(`{"k": ${i}, "v": ${i % 97}.5}`);
    const text = `[\n${recs.join(',\n')}\n]\n`;
    const t0 = performance.now();
    const t = read(text, 'json') as DataTable;
    const ms = performance.now() - t0;
    expect(t.rowCount).toBe(n);
    // Record i is on line i + 1; its value starts after `{"k": i, "v": `.
    const last = t.cellSpan(n - 1, 1);
    expect(at(last)).toBe(`${n + 1}:${`{"k": ${n}, "v": `.length + 1}`);
    expect(t.number(n - 1, 1)).toBe((n % 97) + 0.5);
    expect(ms).toBeLessThan(10_000);
  });
});
