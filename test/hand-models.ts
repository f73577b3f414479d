// Small models with optima derived by hand, shared by the round-trip tests of bundles
// (test/bundle.test.ts) and of the external solvers (test/external.test.ts).
import { m } from './dedent.js';

/**
 * Unit commitment with one period (as in test/roundtrip.test.ts): demand 6.5 MW from a (3 MW),
 * b (4 MW), c (5 MW), start costs 10, 12, 15 $, energy 2, 3, 1 $/MW, and 1 $ per unit of the
 * counter n >= number on. {a,b}: 22 + 6 + 10.5 + 2 = 40.5; {a,c}: 25 + 3 + 5 + 2 = 35;
 * {b,c}: 27 + 4.5 + 5 + 2 = 38.5; {a,b,c}: 37 + 5 + 3 + 3 = 48. Optimum {a,c}: 35 $, p[a] = 1.5, p[c] = 5.
 */
export const MILP = m`
  set G = {a, b, c}
  param cap[G] : MW = {a: 3, b: 4, c: 5}
  param start[G] : $ = {a: 10, b: 12, c: 15}
  param energy[G] : $/MW = {a: 2, b: 3, c: 1}
  var on[G] binary
  var units_on integer in [0, 7]
  var p[g in G] : MW in [0, cap[g]]
  constraint lim[g in G]: p[g] <= cap[g] * on[g]
  constraint demand: sum(g in G) p[g] >= 6.5 MW
  constraint count: units_on >= sum(g in G) on[g]
  minimize spend = sum(g in G) (start[g] * on[g] + energy[g] * p[g]) + 1 $ * units_on
`;

/** max 3a + 2b, a <= 4, b <= 3, a + b <= 5: a = 4, b = 1, 14; the dual of `cap` is 2 (one more unit of b). */
export const MAX = m`
  var a in [0, 4]
  var b in [0, 3]
  constraint cap: a + b <= 5
  maximize v = 3 * a + 2 * b
`;
