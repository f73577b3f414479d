// Free MPS writer.
//
// Column-major, so the CSR rows are transposed once (counting sort, linear in the nonzeros; 8
// bytes per nonzero: the row and the CSR position of each entry). Ranged rows use the RANGES
// section; integer columns sit between MARKER lines and always get explicit bounds (some readers
// give unbounded integer columns an upper bound of 1). Readers disagree on the sign of a
// right-hand side on the objective row (GLPK: +, CPLEX/HiGHS/CBC: -), so an objective constant is
// the coefficient of a column fixed at 1, as in the LP writer.
// MPS files describe minimisations; a maximisation is written with its objective negated.
//
// The NAME line ends in FREE: CBC otherwise guesses fixed format from the first lines and misreads
// short names (`    x obj -3` as one 8-character field); glpsol --freemps and HiGHS accept it.
// The objective row is `evg~obj`, which no escaped model name can equal (see ir/names.ts).
import type { Model } from '../ir/model.js';
import { Namer, type ByteOut } from '../ir/names.js';
import { ByteWriter, commentText, type Sink } from './sink.js';
import { CONSTANT, OBJECTIVE } from './lp.js';

const NL = 10, SP = 32;

export function writeMps(model: Model, out: Sink, title = 'evg'): void {
  const namer = new Namer(model);
  const w = new ByteWriter(out);
  const { rowStart, rowIndex, rowValue, rowLower, rowUpper, numRows, numCols } = model;

  // Transpose CSR -> CSC: for each column, its rows and the CSR positions of its values.
  const colStart = new Int32Array(numCols + 1);
  for (let k = 0; k < rowIndex.length; k++) colStart[rowIndex[k]! + 1]!++;
  for (let j = 0; j < numCols; j++) colStart[j + 1]! += colStart[j]!;
  const fill = colStart.slice(0, numCols);
  const cscRow = new Int32Array(rowIndex.length);
  const cscPos = new Int32Array(rowIndex.length);
  for (let i = 0; i < numRows; i++) {
    for (let k = rowStart[i]!; k < rowStart[i + 1]!; k++) {
      const p = fill[rowIndex[k]!]!++;
      cscRow[p] = i;
      cscPos[p] = k;
    }
  }

  const name = commentText(title, 200).replace(/\s+/g, '_') || 'evg';
  w.text(`* ${commentText(`${title}: ${numRows} rows, ${numCols} columns, ${model.stats.nonzeros} nonzeros`, 250)}\n`);
  w.text(`NAME ${name} FREE\n`);
  // MPS has no portable way to say "maximize" (GLPK rejects OBJSENSE): a maximisation is written
  // as the minimisation of the negated objective, and the header says so.
  const sign = model.objective.sense === 'maximize' ? -1 : 1;
  if (sign < 0) w.text(`* maximisation written as minimisation: objective value = -(value of ${OBJECTIVE})\n`);
  w.text(`ROWS\n N ${OBJECTIVE}\n`);
  for (let i = 0; i < numRows; i++) {
    const lo = rowLower[i]!, hi = rowUpper[i]!;
    w.room();
    w.ascii(lo === hi ? ' E ' : lo === -Infinity ? ' L ' : hi === Infinity ? ' G ' : ' L ');
    namer.writeRow(w, i);
    w.byte(NL);
  }

  w.text('COLUMNS\n');
  // Each column's name is formatted once and copied into every line of the column.
  const col: ByteOut = { buf: new Uint8Array(256), pos: 0 };
  const colName = () => {
    const b = w.buf;
    let p = w.pos;
    b[p++] = SP; b[p++] = SP; b[p++] = SP; b[p++] = SP;
    for (let q = 0; q < col.pos; q++) b[p++] = col.buf[q]!;
    b[p++] = SP;
    w.pos = p;
  };
  let inInt = false;
  let marker = 0;
  for (let j = 0; j < numCols; j++) {
    const isInt = model.colType[j] !== 0;
    if (isInt !== inInt) {
      w.room();
      w.ascii(`    MARKER${marker++} 'MARKER' '${isInt ? 'INTORG' : 'INTEND'}'\n`);
      inInt = isInt;
    }
    col.pos = 0;
    namer.writeCol(col, j);
    const c = model.colCost[j]!;
    // A column in no row still has to be declared: with a zero objective coefficient.
    if (c !== 0 || colStart[j] === colStart[j + 1]) {
      w.room();
      colName();
      w.ascii(OBJECTIVE);
      w.byte(SP);
      w.num(sign * c);
      w.byte(NL);
    }
    for (let p = colStart[j]!; p < colStart[j + 1]!; p++) {
      w.room();
      colName();
      namer.writeRow(w, cscRow[p]!);
      w.byte(SP);
      w.num(rowValue[cscPos[p]!]!);
      w.byte(NL);
    }
  }
  if (inInt) w.text(`    MARKER${marker++} 'MARKER' 'INTEND'\n`);
  if (model.objOffset !== 0) { w.text(`    ${CONSTANT} ${OBJECTIVE} `); w.num(sign * model.objOffset); w.byte(NL); }

  w.text('RHS\n');
  for (let i = 0; i < numRows; i++) {
    const lo = rowLower[i]!, hi = rowUpper[i]!;
    const rhs = lo === hi ? lo : hi === Infinity ? lo : hi;
    if (rhs === 0) continue;
    w.room();
    w.ascii('    RHS ');
    namer.writeRow(w, i);
    w.byte(SP);
    w.num(rhs);
    w.byte(NL);
  }
  let rangesHeader = false;
  for (let i = 0; i < numRows; i++) {
    const lo = rowLower[i]!, hi = rowUpper[i]!;
    if (lo === hi || lo === -Infinity || hi === Infinity) continue;
    if (!rangesHeader) { w.text('RANGES\n'); rangesHeader = true; }
    w.room();
    w.ascii('    RNG ');
    namer.writeRow(w, i);
    w.byte(SP);
    w.num(hi - lo);
    w.byte(NL);
  }

  w.text('BOUNDS\n');
  if (model.objOffset !== 0) w.text(` FX BND ${CONSTANT} 1\n`);
  const bound = (kind: string, j: number, v?: number) => {
    w.room();
    w.ascii(kind);
    namer.writeCol(w, j);
    if (v !== undefined) { w.byte(SP); w.num(v); }
    w.byte(NL);
  };
  for (let j = 0; j < numCols; j++) {
    const lo = model.colLower[j]!, hi = model.colUpper[j]!;
    const type = model.colType[j];
    if (type === 2 && lo === 0 && hi === 1) { bound(' BV BND ', j); continue; }
    if (lo === hi) { bound(' FX BND ', j, lo); continue; }
    if (lo === -Infinity && hi === Infinity) { bound(' FR BND ', j); continue; }
    if (lo === -Infinity) bound(' MI BND ', j);
    // A negative upper bound alone makes some readers drop the lower bound 0: state it.
    else if (lo !== 0 || type !== 0 || hi < 0) bound(type !== 0 ? ' LI BND ' : ' LO BND ', j, lo);
    if (hi !== Infinity) bound(type !== 0 ? ' UI BND ' : ' UP BND ', j, hi);
    else if (type !== 0) bound(' PL BND ', j);
  }
  if (model.hessian) {
    // The lower triangle of Q (objective + (1/2) x'Qx), negated with the objective of a maximisation.
    w.text('QUADOBJ\n');
    const { start: hs, index: hi, value: hv } = model.hessian;
    for (let j = 0; j < numCols; j++) {
      for (let k = hs[j]!; k < hs[j + 1]!; k++) {
        w.room();
        w.ascii('    ');
        namer.writeCol(w, hi[k]!);
        w.byte(SP);
        namer.writeCol(w, j);
        w.byte(SP);
        w.num(sign * hv[k]!);
        w.byte(NL);
      }
    }
  }
  w.text('ENDATA\n');
  w.flush();
}
