// Semantics of the language's constructs, each checked on a model whose optimum is derived by hand
// (in the comment above the assertion), not taken from evg.
import { describe, expect, it } from 'vitest';
import { codesAt, compileText, rendered, solveText } from './helpers.js';

describe('time and components', () => {
  it('a battery arbitrages between a cheap and an expensive period', async () => {
    // Two hours, prices 10 and 50 $/MWh, load 1 MW each hour. Battery: 1 MWh, starts empty,
    // 1 MW charge/discharge, charging efficiency 0.8, discharging 1. Charging 1 MW in hour 1
    // stores 0.8 MWh, discharged in hour 2: hour 1 buys 2 MWh (20 $), hour 2 buys 0.2 MWh (10 $).
    // Total 30 $ (vs 60 $ without the battery).
    const s = await solveText(`
      horizon T = 2 steps of 1 h
      param price[T] : $/MWh = [10, 50]
      component Store(T : set = horizon, e_max : MWh, p_max : MW, eta_ch = 1, e0 : MWh = 0 MWh) {
        var ch[t in T] : MW in [0, p_max]
        var dis[t in T] : MW in [0, p_max]
        var e[t in T] : MWh in [0, e_max]
        constraint dyn[t in T]: e[t] == (if t == first(T) then e0 else e[t-1]) + (eta_ch * ch[t] - dis[t]) * step(T)
        expr net[t in T] : MW = dis[t] - ch[t]
      }
      instance s = Store(e_max = 1, p_max = 1, eta_ch = 0.8)
      var buy[t in T] : MW >= 0
      constraint bal[t in T]: buy[t] + s.net[t] == 1 MW
      minimize total = sum(t in T) price[t] * buy[t] * step(T)
    `);
    expect(s.json.objective).toBeCloseTo(30, 9);
    expect(s.json.variables['s.ch[1]']).toBeCloseTo(1, 9);
    expect(s.json.variables['s.e[1]']).toBeCloseTo(0.8, 9);
    expect(s.json.variables['buy[2]']).toBeCloseTo(0.2, 9);
  });

  it('indexed instances take whole parameters and per-index arguments', async () => {
    // Two sites with capacities 2 and 3 MW; site profile[t] = share[t] * cap, share = [0.5, 1].
    // Maximise total output: (0.5 + 1) * (2 + 3) = 7.5 MW summed over the two periods.
    const s = await solveText(`
      horizon T = 2 steps of 1 h
      set S = {a, b}
      param cap[S] : MW = {a: 2, b: 3}
      param share[T] = [0.5, 1]
      component Site(T : set = horizon, avail[T] : MW, weight[T]) {
        var p[t in T] : MW in [0, avail[t]]
        expr out = sum(t in T) weight[t] * p[t]
      }
      param ones[T] = [1, 1]
      instance site[s in S] = Site(avail[t] = share[t] * cap[s], weight = ones)
      maximize total = sum(s in S) site[s].out * 1 $/MW
    `);
    expect(s.json.objective).toBeCloseTo(7.5, 9);
    expect(s.json.variables['site[b].p[1]']).toBeCloseTo(1.5, 9);
  });

  it('handles 15-minute steps: energy is power times 0.25 h', async () => {
    // Four quarter-hours at 2 MW: 2 MWh at 30 $/MWh = 60 $.
    const s = await solveText(`
      horizon T = 4 steps of 15 min
      var p[t in T] : MW >= 2 MW
      minimize c = sum(t in T) 30 $/MWh * p[t] * step(T)
    `);
    expect(s.json.objective).toBeCloseTo(60, 9);
  });

  it('reports an index outside its set with the index value and a hint', () => {
    const c = compileText(`horizon T = 3 steps of 1 h
var s[t in T] : MWh >= 0
constraint dyn[t in T]: s[t] == s[t-1]
`);
    expect(codesAt(c)).toEqual(['E0302@3:35']);
    const text = rendered(c);
    expect(text).toContain('index [0] of `s` is outside its domain');
    expect(text).toContain('while building `dyn[1]`');
    expect(text).toContain('first(T)');
  });

  it('prev and next step through an ordered set and stop at its ends', async () => {
    // x[t] >= x[prev(t)] + 1 from t = 2, x[1] >= 0: minimal x = 0, 1, 2, sum 3.
    const s = await solveText(`
      set T = {a, b, c}
      var x[t in T] >= 0
      constraint up[t in T where t != first(T)]: x[t] >= x[prev(t, T)] + 1
      minimize total = sum(t in T) x[t] * 1 $
    `);
    expect(s.json.objective).toBeCloseTo(3, 9);
    const c = compileText('set T = {a, b}\nvar x[t in T]\nconstraint c[t in T]: x[next(t, T)] >= 0\n');
    expect(codesAt(c)).toContain('E0302@3:25');
  });
});

describe('sets, joins and conditions', () => {
  it('sums over arcs ending at a node with a tuple binding that reuses a bound name', async () => {
    // Path 1 -> 2 -> 3 with demand 1 at node 3 and 2 at node 2, supply only at node 1:
    // flows f(1,2) = 3, f(2,3) = 1; cost 3 + 1 = 4 $ at 1 $/MW per arc.
    const s = await solveText(`
      set N = 1..3
      set A = {(1, 2), (2, 3)}
      param d[N] : MW = [0, 2, 1]
      var f[(i, j) in A] : MW >= 0
      var s[n in N] : MW in [0, if n == 1 then 10 MW else 0 MW]
      constraint bal[n in N]: s[n] + sum((i, n) in A) f[i, n] - sum((n, j) in A) f[n, j] == d[n]
      minimize c = sum((i, j) in A) f[i, j] * 1 $/MW
    `);
    expect(s.json.objective).toBeCloseTo(4, 9);
    expect(s.json.variables['f[1,2]']).toBeCloseTo(3, 9);
  });

  it('filters by an element-valued parameter (devices at a bus)', async () => {
    // Generators at buses 1, 1, 2; loads 3 MW at bus 1 and 1 MW at bus 2; no network:
    // bus 1 uses its cheap unit (cost 1) up to 2 MW and the dearer (2) for 1 MW; bus 2 its own (5).
    const s = await solveText(`
      set B = {1, 2}
      set G = {a, b, c}
      param at[G] in B = {a: 1, b: 1, c: 2}
      param cap[G] : MW = {a: 2, b: 5, c: 5}
      param cost[G] : $/MW = {a: 1, b: 2, c: 5}
      param load[B] : MW = [3, 1]
      var p[g in G] : MW in [0, cap[g]]
      constraint bal[n in B]: sum(g in G where at[g] == n) p[g] == load[n]
      minimize total = sum(g in G) cost[g] * p[g]
    `);
    expect(s.json.objective).toBeCloseTo(2 + 2 + 5, 9);
  });

  it('builds sets with ranges, literals, products, comprehensions and set operations', () => {
    const c = compileText(`
      set A = 1..5
      set Odd = {a in A where a - 2 * floor(a / 2) == 1}
      set Even = A diff Odd
      set Both = Odd union Even
      set Some = Odd inter {1, 2}
      set P = {x, y} * {1, 2}
      var v[P]
      var w[Even]
      constraint c: sum((s, k) in P) v[s, k] + sum(e in Even) w[e] >= card(Both) + card(Some) - 1
      minimize total = sum((s, k) in P) v[s, k]
    `);
    expect(rendered(c)).toBe('');
    const m = c.elaboration!.model;
    expect(m.colFamilies.map((f) => [f.name, f.count])).toEqual([['v', 4], ['w', 2]]);
    // 5 + 1 - 1 on the right-hand side
    expect(m.rowLower[0]! / m.rowScale[0]!).toBeCloseTo(5, 12);
    // A computed set that comes out empty is reported; the literal {} is not.
    const e = compileText('set A = {1, 3}\nset B = {2}\nset None = A inter B\nset Empty = {}\n');
    expect(codesAt(e)).toEqual(['E0305@3:12']);
  });

  it('uses if-then-else on parameters and range constraints', async () => {
    // x in [2, 4] by a range constraint, y = 3 - x, minimise y cost 1 -> x = 4, y = -1.
    const s = await solveText(`
      var x
      var y
      param hi = 4
      constraint r: 2 <= x <= (if hi > 3 then hi else 3)
      constraint link: y == 3 - x
      minimize o = y * 1 $
    `);
    expect(s.json.objective).toBeCloseTo(-1, 9);
  });

  it('evaluates min and max over domains and functions of parameters', () => {
    const c = compileText(`
      set I = 1..4
      param a[i in I] = i * i - 5 * i
      param lo = min(i in I) a[i]
      param hi = max(i in I) a[i]
      param s = sqrt(16) + abs(-2) + max(1, 3) + ord(3, I) + card(I)
      var x >= lo <= hi + s
      minimize o = x * 1 $
    `);
    expect(rendered(c)).toBe('');
    const m = c.elaboration!.model;
    // a = -4, -6, -6, -4: lo = -6, hi = -4; s = 4 + 2 + 3 + 3 + 4 = 16
    expect(m.colLower[0]).toBe(-6);
    expect(m.colUpper[0]).toBe(12);
  });
});

describe('data', () => {
  it('reads tables from CSV and JSON, with keys, columns as sets and defaults', async () => {
    // Capacities a: 2, b: 3 (CSV), costs from JSON a: 1, b: 4, c missing -> default 9.
    // Demand 4 MW: a at 2 MW (2 $) + b at 2 MW (8 $) = 10 $.
    const s = await solveText(`
      table caps = csv("data/caps.csv", key = unit)
      table costs = json("data/costs.json", key = unit)
      set U = keys(caps)
      set Zones = caps.zone
      param cap[U] : MW = caps.cap_MW
      param cost[U] : $/MWh = costs.cost default 9 $/MWh
      var p[u in U] : MW in [0, cap[u]]
      constraint demand: sum(u in U) p[u] == 4 MW
      minimize c = sum(u in U) cost[u] * p[u] * 1 h + card(Zones) * 0 $
    `, {
      'data/caps.csv': '# units and their capacity\nunit,zone,cap_MW\na,north,2\nb,south,3\n"c",north,0\n',
      'data/costs.json': JSON.stringify([{ unit: 'a', cost: 1 }, { unit: 'b', cost: 4 }]),
    });
    expect(s.json.objective).toBeCloseTo(10, 9);
  });

  it('reads inline maps, lists and two-dimensional tables', async () => {
    // c[g, t]: g1 = [5, 6], g2 = [1, 9]; cheapest per period: t1 -> g2 (1), t2 -> g1 (6); 1 MW each.
    const s = await solveText(`
      set G = {g1, g2}
      set T = 1..2
      param c[G, T] : $/MW = [: 1 2 := g1 5 6  g2 1 9]
      var p[G, T] : MW >= 0
      constraint d[t in T]: sum(g in G) p[g, t] == 1 MW
      minimize o = sum(g in G, t in T) c[g, t] * p[g, t]
    `);
    expect(s.json.objective).toBeCloseTo(7, 9);
  });

  it('resolves data paths relative to the file that names them', async () => {
    const s = await solveText(`
      import "lib/part.evg"
      var x >= lo
      minimize o = x * 1 $
    `, { 'lib/part.evg': 'table t = csv("t.csv", key = k)\nparam lo = t.v\n', 'lib/t.csv': 'k,v\nonly,7\n' });
    expect(s.json.objective).toBeCloseTo(7, 9);
  });
});

describe('units written k$ and elements written as strings', () => {
  it('k$ converts: 2 k$/MWh x 1.5 MW x 1 h + 1 k$ = 4 k$', async () => {
    const s = await solveText(`
      param price : k$/MWh = 2
      var p : MW in [0, 3]
      constraint need: p >= 1.5 MW
      minimize total : k$ = price * p * 1 h + 1 k$
    `);
    expect(s.results.objective!.unit).toBe('k$');
    expect(s.json.objective).toBeCloseTo(4, 9);
  });

  it('a set element in an index is written as a string; a bare name says so', async () => {
    // p["g1", t] >= load[t] with load = [1, 2]: the cheapest is p[g1,t] = load[t], p[g2,t] = 0: 3 $.
    const model = (el: string) => `
      horizon T = 2 steps of 1 h
      set G = {g1, g2}
      param load[T] : MW = [1, 2]
      var p[g in G, t in T] : MW in [0, 5]
      expr net[t in T] : MW = p[${el}, t] - load[t]
      constraint c[t in T]: net[t] >= 0 MW
      minimize total = sum(g in G, t in T) p[g, t] * 1 $/MW
    `;
    const s = await solveText(model('"g1"'));
    expect(s.json.objective).toBeCloseTo(3, 9);
    const bad = compileText(model('g1'));
    expect(codesAt(bad)).toEqual(['E0201@6:33']);
    expect(bad.diags.list[0]!.hint).toContain('write it as a string: `"g1"`');
  });
});
