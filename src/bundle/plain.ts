// `evg run FILE.lp|FILE.mps`: a plain LP or MPS file, read by HiGHS's own readers (WebAssembly,
// in-process) into the arrays of a sparse model, with every column and row a family of its own
// named as in the file, no units, and no scaling. The constraints are checked at the solution like
// a model's (report/verify.ts), each row as a linear family. GLPK (glpk.js) has no LP or MPS
// reader, so it gets the arrays that HiGHS read.
//
// A reader error aborts a WebAssembly runtime, so files are read with a runtime of their own,
// never the one that solves.
import { readFileSync } from 'node:fs';
import loadHighsModule from 'highs';
import type { Highs } from 'highs';
import { ONE } from '../check/units.js';
import type { Span } from '../diagnostics/diagnostic.js';
import type { ColFamily, Model, RowFamily } from '../ir/model.js';
import type { SourceFamily, SourceModel } from '../ir/source.js';
import { Indexed } from '../lower/values.js';

const loadRuntime = loadHighsModule as unknown as () => Promise<Highs>;

/** A problem with a plain file: E0101 (cannot read), E0715 (not a valid LP/MPS file, or one evg cannot take). */
export class PlainFileError extends Error {
  constructor(readonly code: 'E0101' | 'E0715', message: string, readonly hint?: string) {
    super(message);
  }
}

export interface PlainModel {
  readonly elaboration: { readonly model: Model };
  readonly source: () => SourceModel;
  readonly times: Record<string, number>;
  readonly main: string;
}

/** Reads an LP (`format` 'lp') or free/fixed MPS file into a model named as in the file. */
export async function readPlainFile(path: string, format: 'lp' | 'mps', show: (p: string) => string = (p) => p): Promise<PlainModel> {
  const t0 = performance.now();
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new PlainFileError('E0101', `cannot read \`${show(path)}\`: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message}`);
  }
  const what = format === 'lp' ? 'a CPLEX LP file' : 'an MPS file';
  const h = await loadRuntime();
  let m: ReturnType<Highs['createModel']>;
  try {
    m = h.createModel(format === 'lp' ? { format, data: bytes.toString('latin1') } : { format, data: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) });
  } catch (e) {
    throw new PlainFileError('E0715', `HiGHS cannot read \`${show(path)}\` as ${what}${(e as Error).message && !/^Aborted/.test((e as Error).message) ? `: ${(e as Error).message}` : ''}`,
      `check the file's syntax${format === 'lp' ? ' (or, if it is an MPS file, name it FILE.mps)' : ' (or, if it is an LP file, name it FILE.lp)'}`);
  }
  try {
    const d = m.getModel('csr');
    const n = d.numCols, rows = d.numRows;
    // HiGHS's readers pass over text they do not understand: nothing read from a file with text is an error.
    if (n === 0 && rows === 0 && /\S/.test(bytes.toString('latin1'))) {
      throw new PlainFileError('E0715', `HiGHS read no rows and no columns from \`${show(path)}\`: it is not ${what} it can read`,
        format === 'lp' ? 'an LP file has sections such as `Minimize`, `Subject To`, `Bounds` and `End`' : 'an MPS file has sections such as `ROWS`, `COLUMNS`, `RHS` and `ENDATA`');
    }
    const colType = new Uint8Array(n);
    let integers = 0, binaries = 0;
    for (let j = 0; j < n; j++) {
      const t = d.integrality[j] ?? 0;
      if (t === 0) continue;
      if (t !== 1 && t !== 4) throw new PlainFileError('E0715', `\`${show(path)}\` has a semi-continuous or semi-integer column (\`${m.getColName(j)}\`), which evg does not take`, 'write it with a binary variable and two bounds');
      const bin = d.colLower[j] === 0 && d.colUpper[j] === 1;
      colType[j] = bin ? 2 : 1;
      if (bin) binaries++; else integers++;
    }
    const span: Span = { file: path, start: 0, end: 0, line: 1, col: 1 };
    const none = new Indexed([]);
    const noKeys = new Int32Array(0);
    const colFamilies: ColFamily[] = new Array(n);
    for (let j = 0; j < n; j++) colFamilies[j] = { name: m.getColName(j) || `C${j + 1}`, first: j, count: 1, unit: ONE, type: colType[j] as 0 | 1 | 2, span, index: none };
    const rowFamilies: RowFamily[] = new Array(rows);
    for (let i = 0; i < rows; i++) rowFamilies[i] = { name: m.getRowName(i) || `R${i + 1}`, first: i, count: 1, unit: ONE, span, sets: [], arities: [], keys: noKeys };
    const { starts, indices, values } = d.matrix;
    // Ranges of the coefficients, bounds and right-hand sides, as the model builder reports them.
    let mMin = Infinity, mMax = 0, mMinRow = -1, mMaxRow = -1;
    for (let i = 0; i < rows; i++) {
      for (let k = starts[i]!; k < starts[i + 1]!; k++) {
        const a = Math.abs(values[k]!);
        if (a === 0) continue;
        if (a < mMin) { mMin = a; mMinRow = i; }
        if (a > mMax) { mMax = a; mMaxRow = i; }
      }
    }
    let bMin = Infinity, bMax = 0, oMin = Infinity, oMax = 0, rMin = Infinity, rMax = 0;
    const span2 = (v: number, lo: number, hi: number): [number, number] => {
      const a = Math.abs(v);
      return a > 0 && a !== Infinity ? [Math.min(lo, a), Math.max(hi, a)] : [lo, hi];
    };
    for (let j = 0; j < n; j++) {
      [bMin, bMax] = span2(d.colLower[j]!, bMin, bMax);
      [bMin, bMax] = span2(d.colUpper[j]!, bMin, bMax);
      [oMin, oMax] = span2(d.colCost[j]!, oMin, oMax);
    }
    for (let i = 0; i < rows; i++) {
      [rMin, rMax] = span2(d.rowLower[i]!, rMin, rMax);
      [rMin, rMax] = span2(d.rowUpper[i]!, rMin, rMax);
    }
    const range = (lo: number, hi: number): [number, number] => (lo === Infinity ? [0, 0] : [lo, hi]);
    const hessian = d.hessian && d.hessian.values.length ? { start: d.hessian.starts, index: d.hessian.indices, value: d.hessian.values } : undefined;
    const model: Model = {
      name: path,
      objective: { name: 'objective', sense: d.sense === h.constants.objectiveSense.maximize ? 'maximize' : 'minimize' },
      ...(hessian ? { hessian } : {}),
      lowering: [],
      objectiveError: 0,
      numCols: n,
      colLower: d.colLower,
      colUpper: d.colUpper,
      colType,
      colCost: d.colCost,
      objOffset: d.offset,
      objScale: 1,
      numRows: rows,
      rowStart: starts,
      rowIndex: indices,
      rowValue: values,
      rowLower: d.rowLower,
      rowUpper: d.rowUpper,
      rowScale: new Float64Array(rows).fill(1),
      colFamilies,
      rowFamilies,
      stats: {
        nonzeros: indices.length,
        integers,
        binaries,
        matrixRange: range(mMin, mMax),
        matrixRangeRows: [mMinRow, mMaxRow],
        objectiveRange: range(oMin, oMax),
        boundsRange: range(bMin, bMax),
        rhsRange: range(rMin, rMax),
        trivialRows: 0,
      },
    };
    // Every row is checked at the solution as a linear family of one row, in the file's terms.
    const unit = { text: '1', factor: 1 };
    const families: SourceFamily[] = rowFamilies.map((f, i) => ({ name: f.name, span, unit, rowFamily: i }));
    const source: SourceModel = { families, costs: [] };
    return { elaboration: { model }, source: () => source, times: { read: performance.now() - t0 }, main: path };
  } finally {
    m.dispose();
  }
}
