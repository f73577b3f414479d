// Free MPS writer.
//
// Column-major, so the CSR rows are transposed once (counting sort, linear in the nonzeros).
// Ranged rows use the RANGES section; integer columns sit between MARKER lines and always get
// explicit bounds (some readers give unbounded integer columns an upper bound of 1). Readers
// disagree on the sign of a right-hand side on the objective row (GLPK: +, CPLEX/HiGHS/CBC: -), so
// an objective constant is the coefficient of a column fixed at 1, as in the LP writer.
// MPS files describe minimisations; a maximisation is written with its objective negated.
import type { Model } from '../ir/model.js';
import { Namer } from '../ir/names.js';
import { num, type Sink } from './sink.js';
import { CONSTANT } from './lp.js';

export function writeMps(model: Model, out: Sink, title = 'evg'): void {
  const namer = new Namer(model);
  const cols = namer.allColFiles();
  const rows = new Array<string>(model.numRows);
  for (let i = 0; i < model.numRows; i++) rows[i] = namer.rowFile(i);
  const { rowStart, rowIndex, rowValue, rowLower, rowUpper, numRows, numCols } = model;

  // Transpose CSR -> CSC.
  const colStart = new Int32Array(numCols + 1);
  for (let k = 0; k < rowIndex.length; k++) colStart[rowIndex[k]! + 1]!++;
  for (let j = 0; j < numCols; j++) colStart[j + 1]! += colStart[j]!;
  const fill = colStart.slice(0, numCols);
  const cscRow = new Int32Array(rowIndex.length);
  const cscVal = new Float64Array(rowIndex.length);
  for (let i = 0; i < numRows; i++) {
    for (let k = rowStart[i]!; k < rowStart[i + 1]!; k++) {
      const j = rowIndex[k]!;
      const p = fill[j]!++;
      cscRow[p] = i;
      cscVal[p] = rowValue[k]!;
    }
  }

  out.write(`* ${title}: ${numRows} rows, ${numCols} columns, ${model.stats.nonzeros} nonzeros\n`);
  out.write(`NAME ${title.replace(/\s+/g, '_')}\n`);
  // MPS has no portable way to say "maximize" (GLPK rejects OBJSENSE): a maximisation is written
  // as the minimisation of the negated objective, and the header says so.
  const sign = model.objective.sense === 'maximize' ? -1 : 1;
  if (sign < 0) out.write('* maximisation written as minimisation: objective value = -(value of obj)\n');
  out.write('ROWS\n N obj\n');
  for (let i = 0; i < numRows; i++) {
    const lo = rowLower[i]!, hi = rowUpper[i]!;
    const t = lo === hi ? 'E' : lo === -Infinity ? 'L' : hi === Infinity ? 'G' : 'L';
    out.write(` ${t} ${rows[i]}\n`);
  }
  out.write('COLUMNS\n');
  let inInt = false;
  let marker = 0;
  for (let j = 0; j < numCols; j++) {
    const isInt = model.colType[j] !== 0;
    if (isInt !== inInt) {
      out.write(`    MARKER${marker++} 'MARKER' '${isInt ? 'INTORG' : 'INTEND'}'\n`);
      inInt = isInt;
    }
    const name = cols[j]!;
    const c = model.colCost[j]!;
    let wrote = false;
    if (c !== 0) { out.write(`    ${name} obj ${num(sign * c)}\n`); wrote = true; }
    for (let p = colStart[j]!; p < colStart[j + 1]!; p++) {
      out.write(`    ${name} ${rows[cscRow[p]!]} ${num(cscVal[p]!)}\n`);
      wrote = true;
    }
    // A column in no row still has to be declared.
    if (!wrote) out.write(`    ${name} obj 0\n`);
  }
  if (inInt) out.write(`    MARKER${marker++} 'MARKER' 'INTEND'\n`);
  if (model.objOffset !== 0) out.write(`    ${CONSTANT} obj ${num(sign * model.objOffset)}\n`);
  out.write('RHS\n');
  for (let i = 0; i < numRows; i++) {
    const lo = rowLower[i]!, hi = rowUpper[i]!;
    const rhs = lo === hi ? lo : hi === Infinity ? lo : hi;
    if (rhs !== 0) out.write(`    RHS ${rows[i]} ${num(rhs)}\n`);
  }
  let rangesHeader = false;
  for (let i = 0; i < numRows; i++) {
    const lo = rowLower[i]!, hi = rowUpper[i]!;
    if (lo === hi || lo === -Infinity || hi === Infinity) continue;
    if (!rangesHeader) { out.write('RANGES\n'); rangesHeader = true; }
    out.write(`    RNG ${rows[i]} ${num(hi - lo)}\n`);
  }
  out.write('BOUNDS\n');
  if (model.objOffset !== 0) out.write(` FX BND ${CONSTANT} 1\n`);
  for (let j = 0; j < numCols; j++) {
    const lo = model.colLower[j]!, hi = model.colUpper[j]!;
    const name = cols[j]!;
    const type = model.colType[j];
    if (type === 2 && lo === 0 && hi === 1) { out.write(` BV BND ${name}\n`); continue; }
    if (lo === hi) { out.write(` FX BND ${name} ${num(lo)}\n`); continue; }
    if (lo === -Infinity && hi === Infinity) {
      out.write(` FR BND ${name}\n`);
      continue;
    }
    if (lo === -Infinity) out.write(` MI BND ${name}\n`);
    else if (lo !== 0 || type !== 0) out.write(` ${type !== 0 ? 'LI' : 'LO'} BND ${name} ${num(lo)}\n`);
    if (hi !== Infinity) out.write(` ${type !== 0 ? 'UI' : 'UP'} BND ${name} ${num(hi)}\n`);
    else if (type !== 0) out.write(` PL BND ${name}\n`);
  }
  out.write('ENDATA\n');
}
