import { describe, expect, it } from 'vitest';
import { solveText } from './helpers.js';

describe('smoke', () => {
  it('solves a two-generator dispatch whose optimum is known by hand', async () => {
    // Merit order: g1 (10 $/MWh, 1 MW) first, g2 (20 $/MWh) for the rest.
    // Hour loads 0.5, 1.5, 2.5, 1 MW: cost 5 + (10 + 10) + (10 + 30) + 10 = 75 $.
    const s = await solveText(`
      horizon T = 4 steps of 1 h
      set G = {g1, g2}
      param pmax[G] : MW = {g1: 1, g2: 2}
      param c[G] : $/MWh = {g1: 10, g2: 20}
      param load[T] : kW = [500, 1500, 2500, 1000]
      var p[g in G, t in T] : MW in [0, pmax[g]]
      constraint bal[t in T]: sum(g in G) p[g, t] == load[t]
      minimize total = sum(g in G, t in T) c[g] * p[g, t] * step(T)
    `);
    expect(s.json.status).toBe('optimal');
    expect(s.json.objective).toBeCloseTo(75, 9);
    expect(s.json.variables['p[g2,3]']).toBeCloseTo(1.5, 9);
    // The balance's dual is the marginal generator's cost times one hour, in $/MW.
    expect(s.json.constraints['bal[3]']!.dual).toBeCloseTo(20, 9);
    expect(s.json.constraints['bal[1]']!.dual).toBeCloseTo(10, 9);
  });
});
