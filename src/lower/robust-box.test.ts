// Box robust counterpart against vertex enumeration: a row that is affine in xi holds on the whole
// box iff it holds at its 2^K vertices, so "the nominal row at every vertex" is an LP with the same
// feasible set; random small instances must give the same optimum.
import { describe, expect, it } from 'vitest';
import { affine, constant, emitRow } from './aux.js';
import { robustBox } from './robust-box.js';
import { TestLp } from '../../test/lp-sink.js';
import { rng, int } from '../../test/random.js';
import { boxVertices, devOf, lpOptimum, nominalOf, randomRows, rowAt } from '../../test/robust-rows.js';

describe('box robust counterpart', () => {
  it('random instances against the 2^K vertices of the box', async () => {
    let feasible = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const u = rng(seed);
      const n = int(u, 1, 3), K = int(u, 2, 4), m = int(u, 1, 3), B = int(u, 1, 4);
      const c = Array.from({ length: n }, () => int(u, -5, 5) || 1);
      const rows = randomRows(u, n, K, m);
      const robust = await lpOptimum(n, B, c, (lp) => rows.forEach((r, i) => emitRow(lp, robustBox(lp, nominalOf(r), devOf(r), `r${i}`), -Infinity, 0, `r${i}`)));
      const verts = await lpOptimum(n, B, c, (lp) => rows.forEach((r, i) => boxVertices(K).forEach((z, v) => emitRow(lp, rowAt(r, z), -Infinity, 0, `r${i}v${v}`))));
      if (verts.obj < Infinity) feasible++;
      if (verts.obj === Infinity) expect(robust.obj, `seed ${seed}`).toBe(Infinity);
      else expect(robust.obj, `seed ${seed}`).toBeCloseTo(verts.obj, 7);
    }
    expect(feasible).toBeGreaterThan(25);
  });

  it('a constant deviation needs no column; a zero one adds nothing', () => {
    const lp = new TestLp();
    const x = lp.column(0, 1, 0, 'x');
    const U = robustBox(lp, affine([x], [1], -2), [constant(-1.5), constant(0), affine([x], [2], 0)], 'r');
    expect(lp.lower.length).toBe(2); // x and one y
    expect(U.c).toBe(-0.5);
    expect(lp.rows.length).toBe(2);
  });
});
