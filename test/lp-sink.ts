// A small LP for testing reformulations on their own: columns and rows collected through the
// AuxSink interface, solved in-process by HiGHS from arrays (no evg model involved).
import { loadHighs } from '../src/solve/highs.js';
import type { AuxSink, ColType } from '../src/lower/aux.js';

export class TestLp implements AuxSink {
  readonly lower: number[] = [];
  readonly upper: number[] = [];
  readonly types: ColType[] = [];
  readonly labels: string[] = [];
  readonly rows: { cols: number[]; vals: number[]; lo: number; hi: number; label: string }[] = [];

  column(lo: number, hi: number, type: ColType, label: string): number {
    this.lower.push(lo);
    this.upper.push(hi);
    this.types.push(type);
    this.labels.push(label);
    return this.lower.length - 1;
  }

  row(cols: readonly number[], vals: readonly number[], lo: number, hi: number, label: string): void {
    this.rows.push({ cols: [...cols], vals: [...vals], lo, hi, label });
  }

  /** Minimises (or maximises) `cost . x`; returns the status, objective and x. */
  async solve(cost: Record<number, number>, sense: 'minimize' | 'maximize' = 'minimize'): Promise<{ status: string; objective: number; x: Float64Array }> {
    const h = await loadHighs();
    const inf = h.infinity;
    const c = (v: number) => (v === Infinity ? inf : v === -Infinity ? -inf : v);
    const n = this.lower.length;
    const starts = [0];
    const indices: number[] = [];
    const values: number[] = [];
    for (const r of this.rows) {
      r.cols.forEach((j, k) => { indices.push(j); values.push(r.vals[k]!); });
      starts.push(indices.length);
    }
    const colCost = new Float64Array(n);
    for (const [j, v] of Object.entries(cost)) colCost[Number(j)] = v;
    const isMip = this.types.some((t) => t !== 0);
    const m = h.createModel({
      numCols: n,
      numRows: this.rows.length,
      sense: sense === 'maximize' ? h.constants.objectiveSense.maximize : h.constants.objectiveSense.minimize,
      offset: 0,
      colCost,
      colLower: Float64Array.from(this.lower, c),
      colUpper: Float64Array.from(this.upper, c),
      rowLower: Float64Array.from(this.rows, (r) => c(r.lo)),
      rowUpper: Float64Array.from(this.rows, (r) => c(r.hi)),
      matrix: { format: 'csr', numRows: this.rows.length, numCols: n, starts: Int32Array.from(starts), indices: Int32Array.from(indices), values: Float64Array.from(values) },
      ...(isMip ? { integrality: Int32Array.from(this.types, (t) => (t === 0 ? 0 : 1)) } : {}),
    } as never);
    try {
      m.options.set({ output_flag: false, log_to_console: false, primal_feasibility_tolerance: 1e-9, dual_feasibility_tolerance: 1e-9 } as never);
      m.run();
      const st = m.getModelStatus();
      const status = st === h.constants.modelStatus.optimal ? 'optimal' : st === h.constants.modelStatus.infeasible ? 'infeasible' : `status ${st}`;
      if (status !== 'optimal') return { status, objective: NaN, x: new Float64Array(n) };
      return { status, objective: m.getObjectiveValue(), x: Float64Array.from(m.getSolution().colValue) };
    } finally {
      m.dispose();
    }
  }
}
