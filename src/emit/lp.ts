// CPLEX LP writer.
//
// Readable: one constraint per line (wrapped before 255 characters, continuation lines indented),
// names from the source (`bal(3)`, `p(g1,3)`), a header comment with units and scaling. Ranged rows
// (`lo <= e <= hi`) become two rows, `name~lo` and `name~hi`, as the LP format has no ranges.
// Variables that appear nowhere are listed in the bounds section so that readers keep them. An
// objective constant becomes the coefficient of a column fixed at 1 (not every reader takes a
// constant term).
import type { Model } from '../ir/model.js';
import { Namer } from '../ir/names.js';
import { num, type Sink } from './sink.js';

const WRAP = 250;
/** Name of the column carrying the objective constant; `~` cannot start an escape here, so no model name equals it. */
export const CONSTANT = 'evg~constant';

export function writeLp(model: Model, out: Sink, title = 'evg model'): void {
  const names = new Namer(model).allColFiles();
  const namer = new Namer(model);
  const n = model.numCols;
  const used = new Uint8Array(n);
  out.write(`\\ ${title}\n`);
  out.write(`\\ ${model.numRows} rows, ${n} columns, ${model.stats.nonzeros} nonzeros; rows are scaled by powers of ten (see evg compile --explain).\n`);
  out.write(`\\ objective ${model.objective.name}${model.objective.unit ? ` in ${model.objective.unit.text}` : ''} = (this objective) / ${num(model.objScale)}\n`);
  out.write(model.objective.sense === 'maximize' ? 'Maximize\n' : 'Minimize\n');
  let line = ` obj:`;
  let any = false;
  for (let j = 0; j < n; j++) {
    const c = model.colCost[j]!;
    if (c === 0) continue;
    used[j] = 1;
    const term = ` ${term1(c, any)}${names[j]}`;
    any = true;
    if (line.length + term.length > WRAP) { out.write(`${line}\n`); line = '  '; }
    line += term;
  }
  // GLPK's LP reader takes no constant in the objective: it multiplies a column fixed at 1.
  if (model.objOffset !== 0) {
    const t = ` ${term1(model.objOffset, any)}${CONSTANT}`;
    if (line.length + t.length > WRAP) { out.write(`${line}\n`); line = '  '; }
    line += t;
    any = true;
  }
  if (!any) line += ' 0';
  out.write(`${line}\n`);
  out.write('Subject To\n');
  const { rowStart, rowIndex, rowValue, rowLower, rowUpper } = model;
  for (let i = 0; i < model.numRows; i++) {
    const lo = rowLower[i]!, hi = rowUpper[i]!;
    const rname = namer.rowFile(i);
    let body = '';
    let l = 0;
    let first = true;
    for (let k = rowStart[i]!; k < rowStart[i + 1]!; k++) {
      const j = rowIndex[k]!;
      used[j] = 1;
      const term = ` ${term1(rowValue[k]!, !first)}${names[j]}`;
      first = false;
      if (l + term.length > WRAP) { body += '\n  '; l = 2; }
      body += term;
      l += term.length;
    }
    if (lo === hi) out.write(` ${rname}:${body} = ${num(lo)}\n`);
    else if (lo === -Infinity) out.write(` ${rname}:${body} <= ${num(hi)}\n`);
    else if (hi === Infinity) out.write(` ${rname}:${body} >= ${num(lo)}\n`);
    else {
      out.write(` ${rname}~lo:${body} >= ${num(lo)}\n`);
      out.write(` ${rname}~hi:${body} <= ${num(hi)}\n`);
    }
  }
  out.write('Bounds\n');
  const { colLower, colUpper, colType } = model;
  for (let j = 0; j < n; j++) {
    const lo = colLower[j]!, hi = colUpper[j]!;
    const name = names[j]!;
    if (colType[j] === 2 && lo === 0 && hi === 1) {
      continue;
    }
    if (lo === hi) out.write(` ${name} = ${num(lo)}\n`);
    else if (lo === -Infinity && hi === Infinity) out.write(` ${name} free\n`);
    else if (lo === 0 && hi === Infinity) { if (!used[j]) out.write(` ${name} >= 0\n`); }
    else if (hi === Infinity) out.write(` ${name} >= ${num(lo)}\n`);
    else out.write(` ${num(lo)} <= ${name} <= ${num(hi)}\n`);
  }
  if (model.objOffset !== 0) out.write(` ${CONSTANT} = 1\n`);
  writeList(out, 'Generals', model, names, 1);
  writeList(out, 'Binaries', model, names, 2);
  out.write('End\n');
}

function term1(c: number, notFirst: boolean): string {
  const sign = c < 0 ? '- ' : notFirst ? '+ ' : '';
  const a = Math.abs(c);
  return a === 1 ? sign : `${sign}${num(a)} `;
}

function writeList(out: Sink, title: string, model: Model, names: string[], type: number): void {
  let line = '';
  let header = false;
  for (let j = 0; j < model.numCols; j++) {
    if (model.colType[j] !== type) continue;
    if (!header) { out.write(`${title}\n`); header = true; }
    if (line.length + names[j]!.length + 1 > WRAP) { out.write(`${line}\n`); line = ''; }
    line += ` ${names[j]}`;
  }
  if (line) out.write(`${line}\n`);
}
