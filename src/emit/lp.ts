// CPLEX LP writer.
//
// Readable: one constraint per line, wrapped so that no line exceeds 255 characters (continuation
// lines indented; the wrap counts the row name and the right-hand side too), names from the source
// (`bal(3)`, `p(g1,3)`, escaped as described in ir/names.ts: at most 100 characters, so a term or
// a bound always fits on a line), a header comment with units and scaling. Ranged rows
// (`lo <= e <= hi`) become two rows, `name~lo` and `name~hi`, as the LP format has no ranges.
// Variables that appear nowhere are listed in the bounds section so that readers keep them. An
// objective constant becomes the coefficient of a column fixed at 1 (not every reader takes a
// constant term). The objective is labelled `evg~obj`, which no escaped model name can equal.
//
// Speed: the text is produced as bytes in a reused buffer (emit/sink.ts ByteWriter), names are
// written straight into it by the Namer, numbers through a small cache.
import type { Model } from '../ir/model.js';
import { Namer } from '../ir/names.js';
import { ByteWriter, commentText, num, type Sink } from './sink.js';

/** Longest line the writer produces (CPLEX's limit; also the safe limit for glpsol and CBC). */
export const MAX_LINE = 255;
/** Name of the column carrying the objective constant; `~c` followed by `o` is no escape, so no model name equals it. */
export const CONSTANT = 'evg~constant';
/** Label of the objective in LP files and name of the objective row in MPS files. */
export const OBJECTIVE = 'evg~obj';

const NL = 10, SP = 32;

export function writeLp(model: Model, out: Sink, title = 'evg model'): void {
  const namer = new Namer(model);
  const w = new ByteWriter(out);
  const n = model.numCols;
  const used = new Uint8Array(n);
  const comment = (s: string) => { w.text(`\\ ${commentText(s, MAX_LINE - 2)}\n`); };
  comment(title);
  comment(`${model.numRows} rows, ${n} columns, ${model.stats.nonzeros} nonzeros; rows are scaled by powers of ten (see evg compile --explain).`);
  comment(`objective ${model.objective.name}${model.objective.unit ? ` in ${model.objective.unit.text}` : ''} = (this objective) / ${num(model.objScale)}`);
  w.text(model.objective.sense === 'maximize' ? 'Maximize\n' : 'Minimize\n');

  // A line being written: where it starts in the buffer (moves back when the buffer is flushed).
  let lineStart = 0;
  const room = () => { lineStart -= w.room(); };
  /** Moves the piece written since `start` to a continuation line if the current line got too long. */
  const wrap = (start: number) => {
    if (w.pos - lineStart <= MAX_LINE) return;
    w.buf.copyWithin(start + 3, start, w.pos);
    w.buf[start] = NL;
    w.buf[start + 1] = SP;
    w.buf[start + 2] = SP;
    w.pos += 3;
    lineStart = start + 1;
  };
  const term = (c: number, notFirst: boolean, j: number) => {
    room();
    const start = w.pos;
    w.byte(SP);
    if (c < 0) { w.byte(45); w.byte(SP); } else if (notFirst) { w.byte(43); w.byte(SP); }
    const a = Math.abs(c);
    if (a !== 1) { w.num(a); w.byte(SP); }
    if (j < 0) w.ascii(CONSTANT); else namer.writeCol(w, j);
    wrap(start);
  };

  room();
  lineStart = w.pos;
  w.ascii(` ${OBJECTIVE}:`);
  let any = false;
  for (let j = 0; j < n; j++) {
    const c = model.colCost[j]!;
    if (c === 0) continue;
    used[j] = 1;
    term(c, any, j);
    any = true;
  }
  // GLPK's LP reader takes no constant in the objective: it multiplies a column fixed at 1.
  if (model.objOffset !== 0) { term(model.objOffset, any, -1); any = true; }
  if (model.hessian) {
    // A QP: `[ Q_ii x_i ^ 2 + 2 Q_ij x_i * x_j ... ] / 2` is (1/2) x'Qx (CPLEX, HiGHS; not glpsol).
    const piece = (text: string) => { room(); const start = w.pos; w.ascii(text); wrap(start); };
    piece(any ? ' + [' : ' [');
    let first = true;
    const { start: hs, index: hi, value: hv } = model.hessian;
    for (let j = 0; j < n; j++) {
      for (let k = hs[j]!; k < hs[j + 1]!; k++) {
        const i = hi[k]!, q = i === j ? hv[k]! : 2 * hv[k]!;
        if (q === 0) continue;
        room();
        const start = w.pos;
        w.byte(SP);
        if (q < 0) { w.byte(45); w.byte(SP); } else if (!first) { w.byte(43); w.byte(SP); }
        if (Math.abs(q) !== 1) { w.num(Math.abs(q)); w.byte(SP); }
        namer.writeCol(w, j);
        if (i === j) w.ascii(' ^ 2');
        else { w.ascii(' * '); namer.writeCol(w, i); }
        wrap(start);
        first = false;
        used[i] = 1;
        used[j] = 1;
      }
    }
    piece(' ] / 2');
    any = true;
  }
  if (!any) w.ascii(' 0');
  w.byte(NL);

  w.text('Subject To\n');
  const { rowStart, rowIndex, rowValue, rowLower, rowUpper } = model;
  const row = (i: number, suffix: string, op: string, rhs: number) => {
    room();
    lineStart = w.pos;
    w.byte(SP);
    namer.writeRow(w, i);
    w.ascii(suffix);
    for (let k = rowStart[i]!, first = true; k < rowStart[i + 1]!; k++, first = false) {
      const j = rowIndex[k]!;
      used[j] = 1;
      term(rowValue[k]!, !first, j);
    }
    room();
    const start = w.pos;
    w.ascii(op);
    w.num(rhs);
    wrap(start);
    w.byte(NL);
  };
  for (let i = 0; i < model.numRows; i++) {
    const lo = rowLower[i]!, hi = rowUpper[i]!;
    if (lo === hi) row(i, ':', ' = ', lo);
    else if (lo === -Infinity) row(i, ':', ' <= ', hi);
    else if (hi === Infinity) row(i, ':', ' >= ', lo);
    else {
      row(i, '~lo:', ' >= ', lo);
      row(i, '~hi:', ' <= ', hi);
    }
  }

  // Names are at most 100 characters and numbers at most 24: a bound line fits in 255.
  w.text('Bounds\n');
  const { colLower, colUpper } = model;
  for (let j = 0; j < n; j++) {
    const lo = colLower[j]!, hi = colUpper[j]!;
    if (isBinary(model, j)) continue;
    if (lo === 0 && hi === Infinity && used[j]) continue;
    room();
    w.byte(SP);
    if (lo === hi) { namer.writeCol(w, j); w.ascii(' = '); w.num(lo); }
    else if (lo === -Infinity && hi === Infinity) { namer.writeCol(w, j); w.ascii(' free'); }
    else if (hi === Infinity) { namer.writeCol(w, j); w.ascii(' >= '); w.num(lo); }
    else { w.num(lo); w.ascii(' <= '); namer.writeCol(w, j); w.ascii(' <= '); w.num(hi); }
    w.byte(NL);
  }
  if (model.objOffset !== 0) w.text(` ${CONSTANT} = 1\n`);
  writeList(w, namer, 'Generals', model, false);
  writeList(w, namer, 'Binaries', model, true);
  w.text('End\n');
  w.flush();
}

/** Whether column j goes to the Binaries section (binary with bounds 0 and 1) or to Generals (other integers). */
export function isBinary(model: Model, j: number): boolean {
  return model.colType[j] === 2 && model.colLower[j] === 0 && model.colUpper[j] === 1;
}

function writeList(w: ByteWriter, namer: Namer, title: string, model: Model, binaries: boolean): void {
  let header = false;
  let lineStart = 0;
  for (let j = 0; j < model.numCols; j++) {
    if (model.colType[j] === 0 || isBinary(model, j) !== binaries) continue;
    if (!header) { w.text(`${title}\n`); header = true; lineStart = w.pos; }
    lineStart -= w.room();
    const start = w.pos;
    w.byte(SP);
    namer.writeCol(w, j);
    if (w.pos - lineStart > MAX_LINE) {
      w.buf.copyWithin(start + 1, start, w.pos);
      w.buf[start] = NL;
      w.pos++;
      lineStart = start + 1;
    }
  }
  if (header) w.byte(NL);
}
