// Every device of the standard library (stdlib/devices.evg, grid.evg, ev.evg) in small models whose
// optimum is derived independently in the test: by hand (closed forms, stated in the comment of
// each test) or by brute-force enumeration written here. No expected value comes from evg itself.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { compile } from '../src/driver.js';
import type { LoweringOptions } from '../src/lower/lower.js';
import { solveHighs } from '../src/solve/highs.js';
import { interpret } from '../src/report/results.js';
import { toJson } from '../src/report/output.js';
import { rendered, tempDir } from './helpers.js';

interface Run {
  objective: number;
  costs: Record<string, number>;
  constraints: Record<string, { activity?: number; dual?: number }>;
  /** A variable's value in its declared unit (`g.p[1]`, `bat.e[4,1]`). */
  v(name: string): number;
}

/**
 * Compiles and solves model text with HiGHS at a (practically) zero MIP gap, so that the
 * brute-force optima below are compared with true optima and not with HiGHS's default 1e-4 gap.
 */
async function run(text: string, lowering: Partial<LoweringOptions> = {}): Promise<Run> {
  const dir = tempDir({ 'model.evg': text });
  const comp = compile(join(dir, 'model.evg'), { lowering });
  const errs = comp.diags.list.filter((d) => d.severity === 'error');
  expect(errs, rendered(comp)).toEqual([]);
  const out = await solveHighs(comp.elaboration!.model, { gap: 1e-9 });
  const results = interpret(comp, out);
  expect(results.status, out.message).toBe('optimal');
  const json = toJson(comp, results, {}) as {
    objective: number; variables: Record<string, number>; costs: Record<string, number>;
    constraints: Record<string, { activity?: number; dual?: number }>;
  };
  return {
    objective: json.objective, costs: json.costs, constraints: json.constraints,
    v: (name) => { const x = json.variables[name]; expect(x, `no variable ${name}`).toBeTypeOf('number'); return x!; },
  };
}

/** |actual - expected| <= tol * max(1, |expected|). */
function near(actual: number, expected: number, tol = 1e-6): void {
  expect(Math.abs(actual - expected), `${actual} vs expected ${expected}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
}

/** All tuples of the Cartesian product of the given value lists. */
function* product(lists: readonly (readonly number[])[]): Generator<number[]> {
  const idx = lists.map(() => 0);
  if (lists.some((l) => l.length === 0)) return;
  for (;;) {
    yield idx.map((i, d) => lists[d]![i]!);
    let d = lists.length - 1;
    while (d >= 0 && ++idx[d]! === lists[d]!.length) idx[d--] = 0;
    if (d < 0) return;
  }
}

/** lo, lo + step, ..., hi (rounded to avoid drift). */
function range(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  for (let k = 0; lo + k * step <= hi + 1e-9; k++) out.push(Math.round((lo + k * step) * 1e9) / 1e9);
  return out;
}

const list = (xs: readonly number[]): string => `[${xs.join(', ')}]`;
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

// ---------------------------------------------------------------------------------------------
describe('Generator', () => {
  // A generator at 20 $/MWh and an import at 50 $/MWh serve a load; import >= 0, so the generator
  // cannot exceed the load. Brute force: every output profile on a 0.5 MW grid (the LP's vertices
  // are whole MW: ramp rows are difference constraints with whole-MW data, a totally unimodular
  // system) that respects the ramp limit per step, ramp * step(T).
  function rampBrute(load: number[], ramp: number, dt: number): number {
    let best = Infinity;
    for (const p of product(load.map((l) => range(0, Math.min(10, l), 0.5)))) {
      let ok = true;
      for (let t = 1; t < p.length; t++) if (Math.abs(p[t]! - p[t - 1]!) > ramp * dt + 1e-9) ok = false;
      if (!ok) continue;
      best = Math.min(best, sum(p.map((x, t) => (20 * x + 50 * (load[t]! - x)) * dt)));
    }
    return best;
  }
  const rampModel = (steps: string) => `
import stdlib.devices
horizon T = 3 steps of ${steps}
param load[T] : MW = [8, 1, 7]
instance g = Generator(p_max = 10 MW, ramp_up = 2 MW/h, ramp_down = 2 MW/h, c_energy = 20 $/MWh)
var imp[t in T] : MW >= 0
constraint bal[t in T]: g.p[t] + imp[t] == load[t]
minimize cost = g.fuel + sum(t in T) 50 $/MWh * imp[t] * step(T)
`;

  it('ramp limits bind between hours (1 h steps)', async () => {
    // By hand: p2 <= load2 = 1 MW; ramping down 8 -> 1 is limited to 2 MW/h, so p1 <= 3, and
    // ramping up again p3 <= 3. Generation 3 + 1 + 3 = 7 MWh at 20, import 16 - 7 = 9 MWh at 50.
    const r = await run(rampModel('1 h'));
    expect(rampBrute([8, 1, 7], 2, 1)).toBeCloseTo(20 * 7 + 50 * 9, 9);
    near(r.objective, 20 * 7 + 50 * 9);
    near(r.v('g.p[1]'), 3); near(r.v('g.p[2]'), 1); near(r.v('g.p[3]'), 3);
    near(r.costs['g.fuel']!, 20 * 7);
  });

  it('ramp limits per step scale with step(T) (30 min steps)', async () => {
    // 2 MW/h over 30 min is 1 MW per step: p = 2, 1, 2 MW; energies are halved.
    const r = await run(rampModel('30 min'));
    const expected = (20 * 5 + 50 * (16 - 5)) * 0.5;
    expect(rampBrute([8, 1, 7], 2, 0.5)).toBeCloseTo(expected, 9);
    near(r.objective, expected);
    near(r.v('g.p[1]'), 2); near(r.v('g.p[3]'), 2);
  });

  it('quadratic costs: the two-generator economic dispatch equalises marginal costs', async () => {
    // Cost b2 P^2 + b1 P per hour; g1: b2 = 0.01 $/MW^2h, b1 = 20 $/MWh, g2: 0.02, 15. With
    // P1 + P2 = D and no binding limit, 2 b2_1 P1 + b1_1 = 2 b2_2 P2 + b1_2 = lambda gives
    // P1 = (2 b2_2 D + b1_2 - b1_1) / (2 b2_1 + 2 b2_2); the cost is convex along the line, so a
    // limit (g1's p_max = 300 MW at D = 700 MW) clamps P1. Steps of 30 min halve every cost.
    const D = [300, 240, 700];
    const [a1, b1, a2, b2, hi1] = [0.01, 20, 0.02, 15, 300];
    const P1 = D.map((d) => Math.min(hi1, Math.max(0, (2 * a2 * d + b2 - b1) / (2 * a1 + 2 * a2))));
    const P2 = D.map((d, t) => d - P1[t]!);
    const expected = sum(D.map((_, t) => 0.5 * (a1 * P1[t]! ** 2 + b1 * P1[t]! + a2 * P2[t]! ** 2 + b2 * P2[t]!)));
    const r = await run(`
import stdlib.devices
horizon T = 3 steps of 30 min
param demand[T] : MW = ${list(D)}
instance g1 = Generator(p_max = 300 MW, ramp_up = 2000 MW/h, ramp_down = 2000 MW/h, c_energy = 20 $/MWh, c_quad = 0.01 $/MW^2h)
instance g2 = Generator(p_max = 500 MW, ramp_up = 2000 MW/h, ramp_down = 2000 MW/h, c_energy = 15 $/MWh, c_quad = 0.02 $/MW^2h)
constraint bal[t in T]: g1.p[t] + g2.p[t] == demand[t]
minimize cost = g1.fuel + g2.fuel
`);
    near(P1[0]!, 350 / 3, 1e-12); // 116.67 MW: the hand value of the first hour
    near(r.objective, expected);
    for (let t = 0; t < 3; t++) { near(r.v(`g1.p[${t + 1}]`), P1[t]!, 1e-4); near(r.v(`g2.p[${t + 1}]`), P2[t]!, 1e-4); }
    // Marginal costs are equal where g1 is not at its limit: lambda = 2 * 0.01 * 116.67 + 20.
    near(2 * a1 * P1[0]! + b1, 2 * a2 * P2[0]! + b2, 1e-12);
    // The balance's dual is that marginal cost per period: lambda * 0.5 h in $/MW (hour 3: g2's).
    // (HiGHS's QP solution is accurate to about 1e-5 relative in the primal and dual values.)
    for (let t = 0; t < 3; t++) near(r.constraints[`bal[${t + 1}]`]!.dual!, (2 * a2 * P2[t]! + b2) * 0.5, 1e-4);
  });

  // g1: 20 $/MWh, g2: 50 $/MWh, both 100 MW, ramp_up 40 and 30 MW/h, up-reserve prices 2 and
  // 5 $/MWh; load 150 MW; sum of r_up >= R. The reserve a unit can hold is
  // r_up <= min(ramp_up * step(T), p_max - p). Brute force: P1 on a 0.5 MW grid (P2 = 150 - P1);
  // for each, the cheapest reserve split fills r_up1 (the cheaper reserve) first.
  function reserveBrute(R: number, dt: number): number {
    let best = Infinity;
    for (const x of range(50, 100, 0.5)) {
      const u1 = Math.min(40 * dt, 100 - x), u2 = Math.min(30 * dt, x - 50);
      const r1 = Math.min(u1, R), r2 = R - r1;
      if (r2 > u2 + 1e-9) continue;
      best = Math.min(best, (20 * x + 50 * (150 - x) + 2 * r1 + 5 * r2) * dt);
    }
    return best;
  }
  const reserveModel = (steps: string, req: string) => `
import stdlib.devices
horizon T = 1 steps of ${steps}
instance g1 = Generator(p_max = 100 MW, ramp_up = 40 MW/h, ramp_down = 40 MW/h, c_energy = 20 $/MWh, c_up = 2 $/MWh)
instance g2 = Generator(p_max = 100 MW, ramp_up = 30 MW/h, ramp_down = 30 MW/h, c_energy = 50 $/MWh, c_up = 5 $/MWh)
constraint bal[t in T]: g1.p[t] + g2.p[t] == 150 MW
constraint reserve_req[t in T]: g1.r_up[t] + g2.r_up[t] >= ${req}
minimize cost = g1.fuel + g2.fuel + g1.reserve + g2.reserve
`;

  it('an up-reserve requirement raises the cost by a computable amount', async () => {
    // By hand, 1 h: without reserves g1 = 100, g2 = 50 MW: 4500 $. With R = 45 MW, r_up2 <= 30
    // (its ramp), so r_up1 >= 15 and g1 must back down to 85 MW; g2 makes 65 MW: fuel 4950 $,
    // +450 = 15 MW * (50 - 20) $/MWh, and the reserve costs 2 * 15 + 5 * 30 = 180 $.
    expect(reserveBrute(45, 1)).toBeCloseTo(4950 + 180, 9);
    const none = await run(reserveModel('1 h', '0 MW'));
    near(none.objective, 4500);
    const r = await run(reserveModel('1 h', '45 MW'));
    near(r.objective, 5130);
    near(r.objective - none.objective, 450 + 180);
    near(r.v('g1.p[1]'), 85); near(r.v('g1.r_up[1]'), 15); near(r.v('g2.r_up[1]'), 30);
    near(r.costs['g1.reserve']! + r.costs['g2.reserve']!, 180);
  });

  it('the reserve a unit can hold is its ramp over one step (30 min steps)', async () => {
    // 30 min: r_up1 <= 20, r_up2 <= 15 MW. R = 34 MW: r_up1 >= 19, so g1 <= 81 MW:
    // 0.5 h * (20 * 81 + 50 * 69 + 2 * 19 + 5 * 15) = 2591.5 $.
    expect(reserveBrute(34, 0.5)).toBeCloseTo(2591.5, 9);
    const r = await run(reserveModel('30 min', '34 MW'));
    near(r.objective, 2591.5);
    near(r.v('g1.p[1]'), 81); near(r.v('g2.r_up[1]'), 15);
  });

  it('a down-reserve requirement keeps the output above p_min + r_down', async () => {
    // One generator (p_min 20 MW, 60 $/MWh) and an import at 50 $/MWh serve 50 MW. Without
    // reserves the generator sits at p_min: 60 * 20 + 50 * 30 = 2700 $. Holding r_down >= 15 MW
    // needs p - 15 >= p_min (footroom; r_down <= ramp_down * 1 h = 40 MW does not bind), so
    // p = 35 MW: +15 MW * (60 - 50) $/MWh = +150 $, plus 3 $/MWh * 15 MW for the reserve.
    const model = (req: string) => `
import stdlib.devices
horizon T = 1 steps of 1 h
instance g = Generator(p_min = 20 MW, p_max = 100 MW, ramp_up = 40 MW/h, ramp_down = 40 MW/h, c_energy = 60 $/MWh, c_down = 3 $/MWh)
var imp[t in T] : MW >= 0
constraint bal[t in T]: g.p[t] + imp[t] == 50 MW
constraint reserve_req[t in T]: g.r_down[t] >= ${req}
minimize cost = g.fuel + g.reserve + sum(t in T) 50 $/MWh * imp[t] * step(T)
`;
    near((await run(model('0 MW'))).objective, 2700);
    const r = await run(model('15 MW'));
    near(r.objective, 2700 + 150 + 45);
    near(r.v('g.p[1]'), 35);
  });

  it('reactive power stays within the power factor and q_max', async () => {
    // pf_min = 0.8: |q| <= tan(acos 0.8) p = 0.75 p. The generator serves the active load p
    // exactly (no export); a reactive demand Q is met by q and an import priced at 10 $/Mvarh
    // on its absolute value, so q = clamp(Q, -min(0.75 p, q_max), min(0.75 p, q_max)):
    // p = 4, 4, 4, 8 MW, Q = 5, -5, 2, 7 Mvar, q_max = 5 Mvar -> q = 3, -3, 2, 5.
    const p = [4, 4, 4, 8], Q = [5, -5, 2, 7];
    const q = Q.map((x, t) => Math.max(-Math.min(0.75 * p[t]!, 5), Math.min(x, Math.min(0.75 * p[t]!, 5))));
    expect(q).toEqual([3, -3, 2, 5]);
    const expected = sum(p.map((x) => 20 * x)) + 10 * sum(Q.map((x, t) => Math.abs(x - q[t]!)));
    const r = await run(`
import stdlib.devices
horizon T = 4 steps of 1 h
param load[T] : MW = ${list(p)}
param qload[T] : Mvar = ${list(Q)}
instance g = Generator(p_max = 10 MW, ramp_up = 10 MW/h, ramp_down = 10 MW/h, c_energy = 20 $/MWh, q_max = 5 Mvar, pf_min = 0.8)
var qimp[t in T] : Mvar in [-10 Mvar, 10 Mvar]
constraint bal[t in T]: g.p[t] == load[t]
constraint qbal[t in T]: g.q[t] + qimp[t] == qload[t]
minimize cost = g.fuel + sum(t in T) 10 $/Mvarh * abs(qimp[t]) * step(T)
`);
    near(r.objective, expected);
    for (let t = 0; t < 4; t++) near(r.v(`g.q[${t + 1}]`), q[t]!);
  });
});

// ---------------------------------------------------------------------------------------------
describe('ThermalUnit', () => {
  // One unit and a grid import (>= 0, so the unit's output is at most the load) at known prices.
  interface Unit { pmin: number; pmax: number; ce: number; noload: number; cstart: number; cstop: number; up: number; down: number; on0: number }

  /** Whether an on/off sequence keeps the minimum up and down times (in periods) after each start and stop. */
  function keepsMinTimes(on: number[], u: Unit): boolean {
    for (let t = 0; t < on.length; t++) {
      const prev = t === 0 ? u.on0 : on[t - 1]!;
      if (on[t] && !prev) for (let s = t; s < Math.min(on.length, t + u.up); s++) if (!on[s]) return false;
      if (!on[t] && prev) for (let s = t; s < Math.min(on.length, t + u.down); s++) if (on[s]) return false;
    }
    return true;
  }

  /**
   * Brute force over all 2^n on/off sequences; for a fixed sequence the dispatch is closed form:
   * when on, the unit makes min(p_max, load) if the grid price exceeds its energy cost, else only
   * p_min (loads are >= p_min here); when off the grid serves the whole load.
   */
  function bruteSequences(u: Unit, price: number[], load: number[], dt: number): { cost: number; on: number[][] } {
    let best = Infinity; let arg: number[][] = [];
    for (const on of product(price.map(() => [0, 1]))) {
      if (!keepsMinTimes(on, u)) continue;
      let c = 0;
      for (let t = 0; t < on.length; t++) {
        const prev = t === 0 ? u.on0 : on[t - 1]!;
        if (on[t] && !prev) c += u.cstart;
        if (!on[t] && prev) c += u.cstop;
        if (on[t]) {
          const p = price[t]! > u.ce ? Math.min(u.pmax, load[t]!) : u.pmin;
          c += (u.noload + u.ce * p + price[t]! * (load[t]! - p)) * dt;
        } else c += price[t]! * load[t]! * dt;
      }
      if (c < best - 1e-9) { best = c; arg = [on]; } else if (Math.abs(c - best) <= 1e-9) arg.push(on);
    }
    return { cost: best, on: arg };
  }

  // Prices and loads chosen (by trying the brute force) so that the minimum times bind: without
  // them the unit would stop in hours 4-5 and restart in hour 6.
  const price = [30, 90, 70, 30, 35, 70], load = [4, 5, 3, 6, 5, 2];
  const seqModel = (u: Unit, steps: string) => `
import stdlib.devices
horizon T = 6 steps of ${steps}
param price[T] : $/MWh = ${list(price)}
param load[T] : MW = ${list(load)}
instance th = ThermalUnit(p_min = ${u.pmin} MW, p_max = ${u.pmax} MW, ramp_up = 100 MW/h, ramp_down = 100 MW/h,
  c_energy = ${u.ce} $/MWh, c_noload = ${u.noload} $/h, c_start = ${u.cstart} $, c_stop = ${u.cstop} $,
  min_up = ${u.up} h, min_down = ${u.down} h, on0 = ${u.on0})
var imp[t in T] : MW >= 0
constraint bal[t in T]: th.p[t] + imp[t] == load[t]
minimize cost = th.operation + sum(t in T) price[t] * imp[t] * step(T)
`;
  const base: Unit = { pmin: 2, pmax: 6, ce: 40, noload: 10, cstart: 20, cstop: 10, up: 3, down: 2, on0: 0 };

  for (const [name, u, dt, steps] of [
    ['min up 3 h, min down 2 h, start, stop and no-load costs (1 h steps)', base, 1, '1 h'],
    ['without minimum times', { ...base, up: 0, down: 0 }, 1, '1 h'],
    ['on before the horizon (on0 = 1)', { ...base, on0: 1 }, 1, '1 h'],
    // Half the start and stop costs with half-hour energies: the same trade-off as in hours, so the
    // minimum times bind again (counted in periods: 1.5 h / 30 min = 3, 1 h / 30 min = 2).
    ['30 min steps: min up 1.5 h = 3 periods, min down 1 h = 2 periods', { ...base, cstart: 10, cstop: 5, up: 1.5, down: 1 }, 0.5, '30 min'],
  ] as const) {
    it(`matches a brute force over all on/off sequences: ${name}`, async () => {
      const periods = { ...u, up: u.up / dt, down: u.down / dt };
      const b = bruteSequences(periods, price, load, dt);
      const r = await run(seqModel(u, steps));
      near(r.objective, b.cost);
      if (b.on.length === 1) expect([1, 2, 3, 4, 5, 6].map((t) => Math.round(r.v(`th.on[${t}]`)))).toEqual(b.on[0]);
    });
  }

  it('the minimum up and down times change the optimum of this case (the brute force is not vacuous)', () => {
    const with_ = bruteSequences(base, price, load, 1), without = bruteSequences({ ...base, up: 0, down: 0 }, price, load, 1);
    expect(with_.cost).toBeGreaterThan(without.cost + 1);
  });

  /**
   * Brute force for a ramp-limited unit (p_min 2, p_max 8 MW, ramp 2 MW/h up and 3 MW/h down,
   * 10 $/MWh, 5 $/h no-load, 20 $ a start) and an import (>= 0) at the given prices: every output
   * profile p[t] in {0, 2, 3, ..., 8} MW (on iff p >= p_min; for a fixed on/off sequence the LP
   * has whole-MW vertices: bounds and ramp difference rows with whole-MW data are totally
   * unimodular). start and stop follow from the on/off sequence (a start is a change from off to
   * on, nothing else), and the documented ramp rows are
   *   p[t] - p[t-1] <= ramp_up step + p_min start[t],  p[t-1] - p[t] <= ramp_down step + p_min stop[t]:
   * a start or a stop may move by p_min more. Before the horizon the unit is off with output 0
   * when on0 = 0, so these rows hold in period 1 too; with on0 = 1 the earlier output is unknown
   * and period 1 is free.
   */
  function rampBrute(price: number[], load: number[], on0: number): { cost: number; p: number[] } {
    const u = { pmin: 2, ramp_up: 2, ramp_down: 3, ce: 10, noload: 5, cstart: 20 };
    let best = Infinity, arg: number[] = [];
    for (const p of product(price.map(() => [0, 2, 3, 4, 5, 6, 7, 8]))) {
      let c = 0, ok = true;
      for (let t = 0; t < p.length; t++) {
        const on = p[t]! >= u.pmin ? 1 : 0, prevOn = t === 0 ? on0 : p[t - 1]! >= u.pmin ? 1 : 0, prevP = t === 0 ? 0 : p[t - 1]!;
        const start = on && !prevOn ? 1 : 0, stop = !on && prevOn ? 1 : 0;
        if (t > 0 || on0 === 0) {
          if (p[t]! - prevP > u.ramp_up + u.pmin * start) ok = false;
          if (prevP - p[t]! > u.ramp_down + u.pmin * stop) ok = false;
        }
        if (p[t]! > load[t]!) ok = false;
        c += u.cstart * start + (on ? u.noload : 0) + u.ce * p[t]! + price[t]! * (load[t]! - p[t]!);
      }
      if (ok && c < best) { best = c; arg = p; }
    }
    return { cost: best, p: arg };
  }
  const rampModel = (price: number[], load: number[], on0: number) => `
import stdlib.devices
horizon T = 4 steps of 1 h
param price[T] : $/MWh = ${list(price)}
param load[T] : MW = ${list(load)}
instance th = ThermalUnit(p_min = 2 MW, p_max = 8 MW, ramp_up = 2 MW/h, ramp_down = 3 MW/h, c_energy = 10 $/MWh,
  c_noload = 5 $/h, c_start = 20 $, on0 = ${on0})
var imp[t in T] : MW >= 0
constraint bal[t in T]: th.p[t] + imp[t] == load[t]
minimize cost = th.operation + sum(t in T) price[t] * imp[t] * step(T)
`;

  it('ramp limits while on, with a start and a stop allowed p_min more (a unit on before the horizon)', async () => {
    // on0 = 1, load 3, 8, 8, 3 MW, import at 5 $/MWh in hour 1 and 100 $/MWh after. By hand: the
    // unit makes 3 MW in hour 1 (all the load), then ramps up 2 MW/h to 5 and 6 MW; 6, not 7, so
    // that it can come down by 3 MW/h to the 3 MW load of hour 4. Cost 5 + 30 | 5 + 50 + 300 |
    // 5 + 60 + 200 | 5 + 30 = 690 $. A "start" and "stop" in the same hour while staying on would
    // let it skip the ramp limits (for 20 $ each); the brute force does not allow that.
    const b = rampBrute([5, 100, 100, 100], [3, 8, 8, 3], 1);
    expect(b).toEqual({ cost: 690, p: [3, 5, 6, 3] });
    const r = await run(rampModel([5, 100, 100, 100], [3, 8, 8, 3], 1));
    near(r.objective, b.cost);
    expect([1, 2, 3, 4].map((t) => Math.round(r.v(`th.p[${t}]`)))).toEqual(b.p);
    for (let t = 1; t <= 4; t++) expect(r.v(`th.start[${t}]`) + r.v(`th.stop[${t}]`)).toBeLessThanOrEqual(1 + 1e-9);
  });

  it('a start from off (on0 = 0) in the first period is ramp-limited like any other start', async () => {
    // Load 8 MW, import 5 $/MWh in hours 1 and 4, 100 $/MWh in hours 2-3. Starting in hour 1 at
    // p_min + ramp = 4 MW (not 8: the unit was off, at 0 MW), then 6 and 8 MW, and 5 MW in hour 4
    // (8 - 3 by the ramp-down limit): 85 + 265 + 85 + 70 = 505 $ (brute force; by hand, waiting to
    // start in hour 2 would cap hours 2-3 at 4 and 6 MW and cost more).
    const b = rampBrute([5, 100, 100, 5], [8, 8, 8, 8], 0);
    expect(b).toEqual({ cost: 505, p: [4, 6, 8, 5] });
    const r = await run(rampModel([5, 100, 100, 5], [8, 8, 8, 8], 0));
    near(r.objective, b.cost);
    expect([1, 2, 3, 4].map((t) => Math.round(r.v(`th.p[${t}]`)))).toEqual(b.p);
  });
});

// ---------------------------------------------------------------------------------------------
describe('Battery', () => {
  // 2 MWh, 1 MW both ways, eta 0.9 / 0.9, e0 = 1 MWh (the default 0.5 e_max), 1 h steps; a
  // 0.5 MW load is served by the grid at the price of each hour (buying or selling).
  const arbitrage = (cdeg: number) => `
import stdlib.devices
horizon T = 3 steps of 1 h
param price[T] : $/MWh = [20, 100, 50]
instance bess = Battery(e_max = 2 MWh, p_ch_max = 1 MW, p_dis_max = 1 MW, eta_ch = 0.9, eta_dis = 0.9, c_deg = ${cdeg} $/MWh)
var grid[t in T] : MW
constraint bal[t in T]: grid[t] + bess.p_net[t] == 0.5 MW
minimize cost = sum(t in T) price[t] * grid[t] * step(T) + bess.degradation
`;
  /**
   * Brute force: charge and discharge in hours 1 and 2 on a 0.05 MW grid; hour 3 is then exact
   * (only the end condition soc3 >= e0 remains: discharge the surplus above e0 at 50 $/MWh if
   * that pays after degradation, or recharge the shortfall). The grid search yields feasible
   * schedules, so its minimum bounds the optimum from above; the closed form shows it is reached.
   */
  function arbitrageBrute(cdeg: number): number {
    const pr = [20, 100, 50], e = 0.9, base = 0.5 * (20 + 100 + 50);
    const deg = (c: number, d: number) => cdeg * (e * c + d / e);
    let best = Infinity;
    const g = range(0, 1, 0.05);
    for (const [c1, d1, c2, d2] of product([g, g, g, g])) {
      const s1 = 1 + e * c1! - d1! / e, s2 = s1 + e * c2! - d2! / e;
      if (s1 < -1e-12 || s1 > 2 + 1e-12 || s2 < -1e-12 || s2 > 2 + 1e-12) continue;
      let last: number;
      if (s2 >= 1) {
        const d3 = Math.min(1, (s2 - 1) * e); // selling down to e0 pays iff 50 > cdeg / e
        last = 50 > cdeg / e ? -50 * d3 + deg(0, d3) : 0;
      } else {
        const c3 = (1 - s2) / e;
        if (c3 > 1 + 1e-12) continue;
        last = 50 * c3 + deg(c3, 0);
      }
      best = Math.min(best, base + pr[0]! * (c1! - d1!) + pr[1]! * (c2! - d2!) + deg(c1!, d1!) + deg(c2!, d2!) + last);
    }
    return best;
  }

  it('arbitrage over three hours with efficiencies (closed form and brute force)', async () => {
    // By hand (c_deg = 0): a MWh bought at 20 and sold at 100 returns 0.81 * 100 = 81 > 20, so
    // charge 1 MW in hour 1 (soc 1.9 <= 2) and discharge 1 MW in hour 2 (soc 1.9 - 1/0.9 = 0.789);
    // refilling to e0 in hour 3 costs 50 / 0.81 = 61.7 per MWh sold, less than 100, so hour 3
    // recharges (1 - 0.789) / 0.9 = 0.2346 MW. Cost = 85 (load) + 20 - 100 + 50 * 0.2346.
    const s2 = 1 + 0.9 - 1 / 0.9, c3 = (1 - s2) / 0.9;
    const expected = 85 + 20 - 100 + 50 * c3;
    near(arbitrageBrute(0), expected, 1e-9);
    const r = await run(arbitrage(0));
    near(r.objective, expected);
    near(r.v('bess.soc[2]'), s2); near(r.v('bess.soc[3]'), 1);
    near(r.v('bess.p_ch[3]'), c3);
  });

  it('throughput degradation c_deg (eta_ch P_ch + P_dis / eta_dis) per MWh', async () => {
    // c_deg = 10 $/MWh of cell throughput: still profitable (per MWh bought in hour 1:
    // 81 - 20 - 10 * 0.9 - 10 * 0.81 / 0.9 = 43 > 0), same schedule, plus
    // 10 * (0.9 * 1 + 1 / 0.9 + 0.9 * 0.2346). c_deg = 40 $/MWh: cycling costs 40 * (0.9 + 0.81 / 0.9)
    // = 72 per MWh bought against a margin of 61, and selling the stored energy at 100 needs
    // a refill at (50 + 36) / 0.81 > 100: the battery stays idle, cost = the load's 85 $.
    const s2 = 1 + 0.9 - 1 / 0.9, c3 = (1 - s2) / 0.9;
    const exp10 = 85 + 20 - 100 + 50 * c3 + 10 * (0.9 + 1 / 0.9 + 0.9 * c3);
    near(arbitrageBrute(10), exp10, 1e-9);
    const r10 = await run(arbitrage(10));
    near(r10.objective, exp10);
    near(r10.costs['bess.degradation']!, 10 * (0.9 + 1 / 0.9 + 0.9 * c3));
    near(arbitrageBrute(40), 85, 1e-9);
    const r40 = await run(arbitrage(40));
    near(r40.objective, 85);
  });

  it('ends the horizon with at least e0 and never above e_max', async () => {
    // Prices 10, 10, 200 $/MWh: fill from e0 = 1 to e_max = 2 MWh in hours 1-2 (1/0.9 MWh bought
    // at 10), then discharge in hour 3 only down to e0: 0.9 MW delivered at 200.
    const r = await run(`
import stdlib.devices
horizon T = 3 steps of 1 h
param price[T] : $/MWh = [10, 10, 200]
instance bess = Battery(e_max = 2 MWh, p_ch_max = 1 MW, p_dis_max = 1 MW, eta_ch = 0.9, eta_dis = 0.9)
minimize cost = sum(t in T) price[t] * (-bess.p_net[t]) * step(T)
`);
    near(r.objective, 10 / 0.9 - 200 * 0.9);
    near(r.v('bess.soc[2]'), 2); near(r.v('bess.soc[3]'), 1); near(r.v('bess.p_dis[3]'), 0.9);
  });

  it('never goes below e_min', async () => {
    // e_min = 0.5 MWh, 2 MW discharge limit, prices 10, 200, 10 $/MWh: charge at the 1 MW limit
    // in hour 1 (soc 1 + 0.9 = 1.9 MWh), discharge down to e_min in hour 2 ((1.9 - 0.5) * 0.9 =
    // 1.26 MW delivered), refill to e0 in hour 3 ((1 - 0.5) / 0.9 MWh bought).
    const r = await run(`
import stdlib.devices
horizon T = 3 steps of 1 h
param price[T] : $/MWh = [10, 200, 10]
instance bess = Battery(e_max = 2 MWh, e_min = 0.5 MWh, p_ch_max = 1 MW, p_dis_max = 2 MW, eta_ch = 0.9, eta_dis = 0.9)
minimize cost = sum(t in T) price[t] * (-bess.p_net[t]) * step(T)
`);
    near(r.objective, 10 * 1 - 200 * 1.26 + 10 * 0.5 / 0.9);
    near(r.v('bess.soc[1]'), 1.9);
    near(r.v('bess.soc[2]'), 0.5);
  });

  it('the inverter cone p_net^2 + q^2 <= s_rated^2 limits active power when q is fixed', async () => {
    // s_rated = 1 MVA, q = 0.6 Mvar in both hours: |p_net| <= sqrt(1 - 0.36) = 0.8 MW. Lossless
    // battery (eta 1), prices 10 then 100 $/MWh: charge 0.8 MW, discharge 0.8 MW: -72 $. With the
    // inner approximation at accuracy 1e-7 every point is inside the cone and the optimum is
    // within about 1e-7 of the conic one (and on the conservative side).
    const r = await run(`
import stdlib.devices
horizon T = 2 steps of 1 h
param price[T] : $/MWh = [10, 100]
instance bess = Battery(e_max = 2 MWh, p_ch_max = 1 MW, p_dis_max = 1 MW, eta_ch = 1, eta_dis = 1, s_rated = 1 MVA)
constraint qfix[t in T]: bess.q[t] == 0.6 Mvar
minimize cost = sum(t in T) price[t] * (-bess.p_net[t]) * step(T)
`, { coneAccuracy: 1e-7, coneMode: 'inner' });
    near(r.objective, 10 * 0.8 - 100 * 0.8, 1e-6);
    expect(r.objective).toBeGreaterThanOrEqual(-72 - 1e-9);
    near(r.v('bess.p_dis[2]') - r.v('bess.p_ch[2]'), 0.8, 1e-6);
    near(r.v('bess.p_ch[1]') - r.v('bess.p_dis[1]'), 0.8, 1e-6);
  });
});

// ---------------------------------------------------------------------------------------------
describe('AgingBattery', () => {
  // 1 MWh, c_inv = 300 000 $ (300 $/kWh), a = 3000 cycles, b = 1.3, 4 slices: a full cycle costs
  // c_inv / a = 100 $, a cycle of depth D costs f(D) = c_inv D^b / a.
  const cInv = 300_000, a = 3000, b = 1.3, S = 4, eMax = 1;
  const f = (D: number) => (cInv * D ** b) / a;
  // Slice k (1 = bottom) spans the depths (S-k)/S .. (S-k+1)/S: draining it costs
  // f((S-k+1)/S) - f((S-k)/S) for e_max/S MWh. The header comment's formula, written out:
  const cPhysical = (k: number) => (f((S - k + 1) / S) - f((S - k) / S)) / (eMax / S);
  const cHeader = (k: number) => (cInv * S * (((S - k + 1) / S) ** b - ((S - k) / S) ** b)) / (a * eMax);
  /** Piecewise-linear interpolation of f through the depths j / S. */
  const fPwl = (D: number) => { const j = Math.min(S - 1, Math.floor(D * S)); const x0 = j / S, x1 = (j + 1) / S; return f(x0) + (f(x1) - f(x0)) * (D - x0) / (x1 - x0); };

  it('the header comment\'s marginal slice costs are the wear of each slice, increasing to the bottom', () => {
    for (let k = 1; k <= S; k++) near(cHeader(k), cPhysical(k), 1e-12);
    // f(0.25) = 16.49 $ for the top slice: 65.98 $/MWh; then 96.47, 112.75, 124.80 $/MWh.
    near(cPhysical(4), 4 * 100 * 0.25 ** 1.3, 1e-12);
    for (let k = 1; k < S; k++) expect(cPhysical(k)).toBeGreaterThan(cPhysical(k + 1));
  });

  for (const D of [0.1, 0.25, 0.6, 0.9, 1]) {
    it(`a cycle of depth ${D} from full costs the piecewise-linear interpolation of c_inv D^b / a`, async () => {
      // Start full (e0 = e_max), lossless; hour 1 must deliver D MWh, hour 2 refills (end
      // energy >= e0). The cheapest slices are the top ones, so they are drained first, and the
      // wear is sum over the drained slices = fPwl(D) (exact at D = j/4).
      const r = await run(`
import stdlib.devices
horizon T = 2 steps of 1 h
instance bat = AgingBattery(e_max = 1 MWh, p_ch_max = 1 MW, p_dis_max = 1 MW, eta_ch = 1, eta_dis = 1, e0 = 1 MWh,
  c_inv = 300000 $, a = 3000, b = 1.3, segments = 4)
constraint cycle: bat.p_net[1] == ${D} MW
minimize wear = bat.degradation
`);
      near(r.objective, fPwl(D));
      if (D * S === Math.round(D * S)) near(r.objective, f(D));
      // Which slices are drained: from the top down, e_max / S each.
      for (let k = 1; k <= S; k++) {
        const drained = Math.min(eMax / S, Math.max(0, D * eMax - (S - k) * eMax / S));
        near(r.v(`bat.e[${k},1]`), eMax / S - drained);
      }
    });
  }

  it('prices decide how deep to cycle: slices are drained while their wear is below the margin', async () => {
    // Start full, eta 0.95 / 0.95; sell in hour 1 at 150 $/MWh, buy back in hour 2 at 40 $/MWh.
    // A MWh taken out of storage earns 150 * 0.95 and costs 40 / 0.95 to put back: a margin of
    // 100.4 $/MWh, above the wear of slices 4 and 3 (65.98, 96.47) and below slices 2 and 1:
    // drain 0.5 MWh of storage, deliver 0.475 MW, buy back 0.5 / 0.95 MWh.
    const margin = 150 * 0.95 - 40 / 0.95;
    const drained = [1, 2, 3, 4].filter((k) => cPhysical(k) < margin);
    expect(drained).toEqual([3, 4]);
    const e = (drained.length * eMax) / S;
    const expected = -150 * e * 0.95 + 40 * e / 0.95 + sum(drained.map((k) => cPhysical(k) * eMax / S));
    const r = await run(`
import stdlib.devices
horizon T = 2 steps of 1 h
param price[T] : $/MWh = [150, 40]
instance bat = AgingBattery(e_max = 1 MWh, p_ch_max = 1 MW, p_dis_max = 1 MW, e0 = 1 MWh, c_inv = 300000 $, a = 3000, b = 1.3)
minimize cost = sum(t in T) price[t] * (-bat.p_net[t]) * step(T) + bat.degradation
`);
    near(r.objective, expected);
    near(r.v('bat.e[4,1]') + r.v('bat.e[3,1]'), 0); near(r.v('bat.e[2,1]') + r.v('bat.e[1,1]'), 0.5);
  });

  it('starts from the default e0 = e_max / 2 with the lower slices full', async () => {
    // e0 = 0.5 MWh: slices 1 and 2 full, 3 and 4 empty. Delivering 0.1 MWh (lossless) drains
    // slice 2 (the top non-empty one): 0.1 * c_2. The end condition refills 0.1 MWh for free.
    const r = await run(`
import stdlib.devices
horizon T = 2 steps of 1 h
instance bat = AgingBattery(e_max = 1 MWh, p_ch_max = 1 MW, p_dis_max = 1 MW, eta_ch = 1, eta_dis = 1, c_inv = 300000 $, a = 3000, b = 1.3)
constraint cycle: bat.p_net[1] == 0.1 MW
minimize wear = bat.degradation
`);
    near(r.objective, 0.1 * cPhysical(2));
  });
});

// ---------------------------------------------------------------------------------------------
describe('GridSupply', () => {
  it('buys and sells at their prices and pays for reactive power in either direction', async () => {
    // 30 min steps; net demand 2, -1, 0.5 MW (a PV surplus in the second period), reactive
    // demand 0.3, -0.4, 0 Mvar; buy 60/50/80, sell 20/25/30 $/MWh, reactive 12/10/16 $/Mvarh:
    // 0.5 h * (60*2 - 25*1 + 80*0.5) + 0.5 h * (12*0.3 + 10*0.4) = 67.5 + 3.8 = 71.3 $.
    const r = await run(`
import stdlib.grid
horizon T = 3 steps of 30 min
param net[T] : MW = [2, -1, 0.5]
param qd[T] : Mvar = [0.3, -0.4, 0]
param buy[T] : $/MWh = [60, 50, 80]
param sell[T] : $/MWh = [20, 25, 30]
param qp[T] : $/Mvarh = [12, 10, 16]
instance up = GridSupply(p_max = 5 MW, q_max = 2 Mvar, buy_price = buy, sell_price = sell, q_price = qp)
constraint bal[t in T]: up.p[t] == net[t]
constraint qbal[t in T]: up.q[t] == qd[t]
minimize cost = up.supply
`);
    near(r.objective, 71.3);
    near(r.v('up.buy[1]'), 2); near(r.v('up.sell[2]'), 1); near(r.v('up.buy[2]'), 0);
  });
});

// ---------------------------------------------------------------------------------------------
describe('Renewable', () => {
  it('curtails what the load cannot take, at its curtailment cost', async () => {
    // 30 min steps. Available 0.5, 1.2, 0.8 MW; load 1, 0.6, 1 MW, served by PV and an import
    // (>= 0) at 50 $/MWh: PV 0.5, 0.6, 0.8 (0.6 MW curtailed in period 2 at 20 $/MWh), import 0.5,
    // 0, 0.2 MW: 0.5 h * (50 * 0.7 + 20 * 0.6) = 23.5 $.
    const r = await run(`
import stdlib.grid
horizon T = 3 steps of 30 min
param load[T] : MW = [1, 0.6, 1]
param avail[T] : MW = [0.5, 1.2, 0.8]
instance pv = Renewable(p_avail = avail, s_rated = 2 MVA, c_curtail = 20 $/MWh)
var imp[t in T] : MW >= 0
constraint bal[t in T]: pv.p[t] + imp[t] == load[t]
minimize cost = pv.curtailment + sum(t in T) 50 $/MWh * imp[t] * step(T)
`);
    near(r.objective, 23.5);
    near(r.costs['pv.curtailment']!, 6);
    near(r.v('pv.p[2]'), 0.6);
  });

  it('the rating cone and the power factor bound the active and reactive output', async () => {
    // Revenue w_p p + w_q q per hour with s_rated = 1 MVA, pf_min = 0.8 (|q| <= 0.75 p):
    // hour 1 (w = 50, 30, p_avail 1 MW): on the circle, (p, q) = (50, 30) / sqrt(50^2 + 30^2)
    //   (Cauchy-Schwarz), q/p = 0.6 <= 0.75: revenue sqrt(3400) = 58.31 $;
    // hour 2 (w = 50, 60): the circle's optimum has q/p = 1.2 > 0.75, so the power factor binds:
    //   q = 0.75 p on the circle, p = 0.8, q = 0.6: 40 + 36 = 76 $;
    // hour 3 (w = 50, 30, p_avail 0.6 MW): p = 0.6, q = min(0.75 * 0.6, sqrt(1 - 0.36)) = 0.45:
    //   30 + 13.5 = 43.5 $;
    // hour 4 (w = 50, -60: absorbing reactive power pays): the mirror image of hour 2, p = 0.8,
    //   q = -0.6 (the power factor holds in both directions): 76 $.
    // Inner cones at 1e-7: within about 1e-7, and never above the true value.
    const expected = Math.sqrt(50 ** 2 + 30 ** 2) + 76 + 43.5 + 76;
    const r = await run(`
import stdlib.grid
horizon T = 4 steps of 1 h
param wq[T] : $/Mvarh = [30, 60, 30, -60]
param avail[T] : MW = [1, 1, 0.6, 1]
instance pv = Renewable(p_avail = avail, s_rated = 1 MVA, pf_min = 0.8)
maximize revenue = sum(t in T) (50 $/MWh * pv.p[t] + wq[t] * pv.q[t]) * step(T)
`, { coneAccuracy: 1e-7, coneMode: 'inner' });
    near(r.objective, expected, 1e-6);
    expect(r.objective).toBeLessThanOrEqual(expected + 1e-9);
    // On the circle the objective is flat to second order, so a cone accurate to 1e-7 places the
    // point only to about sqrt(2e-7) = 4.5e-4; the objective itself is checked to 1e-6 above.
    near(r.v('pv.p[1]'), 50 / Math.sqrt(3400), 1e-3); near(r.v('pv.q[1]'), 30 / Math.sqrt(3400), 1e-3);
    near(r.v('pv.p[2]'), 0.8, 1e-5); near(r.v('pv.q[2]'), 0.6, 1e-5);
    near(r.v('pv.q[3]'), 0.45, 1e-5);
    near(r.v('pv.p[4]'), 0.8, 1e-5); near(r.v('pv.q[4]'), -0.6, 1e-5);
  });
});

// ---------------------------------------------------------------------------------------------
describe('CapacitorBank', () => {
  it('integer steps and the switching cost with abs: brute force over all step sequences', async () => {
    // 4 steps of 100 kvar (n0 = 0), 1.5 $ per step switched; the rest of a reactive demand of
    // 150, 420, 280, 90 kvar comes from the grid at 10 $/Mvarh on its absolute value (1 $ per
    // 100 kvar for an hour). Brute force: all 5^4 sequences of steps in service.
    const qd = [150, 420, 280, 90];
    let best = Infinity; let arg: number[][] = [];
    for (const n of product(qd.map(() => [0, 1, 2, 3, 4]))) {
      let c = 0;
      for (let t = 0; t < n.length; t++) c += 1.5 * Math.abs(n[t]! - (t === 0 ? 0 : n[t - 1]!)) + 10 * Math.abs(qd[t]! - 100 * n[t]!) / 1000;
      if (c < best - 1e-9) { best = c; arg = [n]; } else if (Math.abs(c - best) <= 1e-9) arg.push(n);
    }
    const r = await run(`
import stdlib.grid
horizon T = 4 steps of 1 h
param qd[T] : kvar = ${list(qd)}
instance up = GridSupply(p_max = 5 MW, q_max = 2 Mvar, buy_price = 50, q_price = 10)
instance cap = CapacitorBank(q_step = 100 kvar, steps = 4, c_switch = 1.5 $)
constraint bal[t in T]: up.p[t] == 1 MW
constraint qbal[t in T]: up.q[t] + cap.q[t] == qd[t]
minimize cost = up.supply + cap.switching
`);
    near(r.objective, 4 * 50 + best);
    if (arg.length === 1) expect([1, 2, 3, 4].map((t) => Math.round(r.v(`cap.n[${t}]`)))).toEqual(arg[0]);
    near(r.costs['cap.switching']!, 1.5 * sum([1, 2, 3, 4].map((t) => Math.abs(r.v(`cap.n[${t}]`) - (t === 1 ? 0 : r.v(`cap.n[${t - 1}]`))))));
  });
});

// ---------------------------------------------------------------------------------------------
describe('TapChanger', () => {
  it('picks the steps that meet a voltage requirement at the least move and voltage cost: brute force', async () => {
    // 12.66 kV, ratios 0.95 .. 1.05 in 20 steps (0.005 each), k0 = 10 (ratio 1). Each hour the
    // secondary voltage must be at least vmin p.u.; every kV^2 above (0.95 v_nom)^2 costs 1 $
    // (a conservation-voltage-reduction incentive), every step moved 2 $. Brute force: all 21^4
    // step sequences.
    const vmin = [0.972, 1.012, 1.031, 0.958], vnom = 12.66, w = 1, cmove = 2;
    const vsq = (k: number) => ((0.95 + (0.1 * k) / 20) * vnom) ** 2;
    const ks = range(0, 20, 1);
    let best = Infinity; let arg: number[][] = [];
    for (const k of product(vmin.map(() => ks))) {
      if (k.some((kt, t) => 0.95 + 0.005 * kt < vmin[t]!)) continue;
      let c = 0;
      for (let t = 0; t < k.length; t++) c += cmove * Math.abs(k[t]! - (t === 0 ? 10 : k[t - 1]!)) + w * (vsq(k[t]!) - (0.95 * vnom) ** 2);
      if (c < best - 1e-9) { best = c; arg = [k]; } else if (Math.abs(c - best) <= 1e-9) arg.push(k);
    }
    // The smallest admissible steps would be 5, 13, 17, 2; the brute force trades moves against voltage.
    const r = await run(`
import stdlib.grid
horizon T = 4 steps of 1 h
param vmin[T] = ${list(vmin)}
instance oltc = TapChanger(v_nom = 12.66 kV, c_move = 2 $)
constraint req[t in T]: oltc.v_sq[t] >= (vmin[t] * 12.66 kV)^2
minimize cost = oltc.moves + sum(t in T) 1 $/kV^2 * (oltc.v_sq[t] - (0.95 * 12.66 kV)^2)
`);
    near(r.objective, best);
    expect(arg.length).toBe(1);
    const chosen = [1, 2, 3, 4].map((t) => ks.find((k) => r.v(`oltc.z[${k},${t}]`) > 0.5));
    expect(chosen).toEqual(arg[0]);
  });

  it('without a move cost, the chosen step is the lowest ratio meeting the requirement', async () => {
    // vmin = 1.012 p.u.: ratio 0.95 + 0.005 k >= 1.012 for k >= 12.4, so step 13 (ratio 1.015).
    const r = await run(`
import stdlib.grid
horizon T = 1 steps of 1 h
instance oltc = TapChanger(v_nom = 12.66 kV)
constraint req[t in T]: oltc.v_sq[t] >= (1.012 * 12.66 kV)^2
minimize cost = sum(t in T) 1 $/kV^2 * oltc.v_sq[t]
`);
    expect(r.v('oltc.z[13,1]')).toBeCloseTo(1, 9);
    near(r.objective, (1.015 * 12.66) ** 2);
  });
});

// ---------------------------------------------------------------------------------------------
describe('ChargingStation', () => {
  // Without a battery (e_bess = 0) and not trading (trade == 0), unless a test says otherwise.
  it('the cumulative energy window and the ports\' power: brute force', async () => {
    // 4 ports of 50 kW: at most 0.2 MW. Cumulative need by each hour 0, 0.1, 0.2, 0.5 MWh,
    // at most 0.05, 0.15, 0.6, 0.6 MWh; prices 100, 40, 60, 120 $/MWh. Brute force over charging
    // powers on a 0.05 MW grid (the window rows are intervals of consecutive periods: totally
    // unimodular, so with data on the grid the LP's vertices are on it). By hand: hours 1-2 may
    // take 0.15 MWh together, all in the cheaper hour 2; 0.2 in hour 3 (ports' limit), the
    // remaining 0.15 in hour 4: 6 + 12 + 18 = 36 $.
    const pr = [100, 40, 60, 120], lo = [0, 0.1, 0.2, 0.5], hi = [0.05, 0.15, 0.6, 0.6];
    let best = Infinity;
    for (const p of product(pr.map(() => range(0, 0.2, 0.05)))) {
      let cum = 0, ok = true;
      for (let t = 0; t < p.length; t++) { cum += p[t]!; if (cum < lo[t]! - 1e-9 || cum > hi[t]! + 1e-9) ok = false; }
      if (ok) best = Math.min(best, sum(p.map((x, t) => x * pr[t]!)));
    }
    near(best, 36, 1e-9);
    const r = await run(`
import stdlib.ev
horizon T = 4 steps of 1 h
param lo[T] : MWh = ${list(lo)}
param hi[T] : MWh = ${list(hi)}
param price[T] : $/MWh = ${list(pr)}
instance st = ChargingStation(ports = 4, p_port = 50 kW, e_min = lo, e_max = hi, e_bess = 0 MWh, p_bess = 0 MW, buy_price = price)
constraint no_trade[t in T]: st.trade[t] == 0 MW
minimize cost = st.operation
`);
    near(r.objective, best);
    near(r.v('st.p_ev[1]'), 0); near(r.v('st.p_ev[2]'), 0.15); near(r.v('st.p_ev[3]'), 0.2);
  });

  it('PV: sells the surplus within the connection\'s capacity and curtails the rest', async () => {
    // PV 0, 1.5, 0.3 MW; connection 1 MW; sell at 14 $/MWh (0.014 $/kWh, as in the P2P paper),
    // curtailment 5 $/MWh. Per hour, with EV power x and PV p: if p >= x the surplus is sold up to
    // 1 MW and the rest curtailed, else the shortfall is bought. Brute force over x on a 0.05 grid.
    const pr = [100, 40, 60], pv = [0, 1.5, 0.3], lo = [0, 0, 0.3], hi = [0.2, 0.4, 0.6];
    const hour = (x: number, t: number) => {
      const s = pv[t]! - x;
      if (s >= 0) { const sold = Math.min(1, s); return -14 * sold + 5 * (s - sold); }
      return pr[t]! * -s;
    };
    let best = Infinity;
    for (const p of product(pr.map(() => range(0, 0.2, 0.05)))) {
      let cum = 0, ok = true;
      for (let t = 0; t < p.length; t++) { cum += p[t]!; if (cum < lo[t]! - 1e-9 || cum > hi[t]! + 1e-9) ok = false; }
      if (ok) best = Math.min(best, sum(p.map(hour)));
    }
    // By hand: 0.2 MW in hour 2 (saves curtailment), 0.1 MW in hour 3 from PV; sold 1 + 0.2 MWh,
    // curtailed 0.3 MWh: -14 * 1.2 + 5 * 0.3 = -15.3 $.
    near(best, -15.3, 1e-9);
    const r = await run(`
import stdlib.ev
horizon T = 3 steps of 1 h
param lo[T] : MWh = ${list(lo)}
param hi[T] : MWh = ${list(hi)}
param pv[T] : MW = ${list(pv)}
param price[T] : $/MWh = ${list(pr)}
instance st = ChargingStation(ports = 4, p_port = 50 kW, e_min = lo, e_max = hi, pv_avail = pv, c_curtail = 5 $/MWh,
  e_bess = 0 MWh, p_bess = 0 MW, buy_price = price, sell_price = 14, grid_max = 1 MW)
constraint no_trade[t in T]: st.trade[t] == 0 MW
minimize cost = st.operation
`);
    near(r.objective, best);
    near(r.v('st.sell[2]'), 1); near(r.v('st.pv[2]'), 1.2);
  });

  for (const [cdeg, expected, why] of [
    [0, 20 * 0.1 + 200 * (0.1 - 0.095 * 0.95), 'no degradation'],
    [10, 20 * 0.1 + 200 * (0.1 - 0.095 * 0.95) + 10 * (0.095 + 0.095), '10 $/MWh of throughput'],
    [500, 200 * 0.1, 'degradation too expensive: the battery stays idle'],
  ] as const) {
    it(`its battery shifts cheap energy to the EVs (${why})`, async () => {
      // 0.2 MWh / 0.1 MW battery (eta 0.95 / 0.95, e0 = 0.1 MWh), prices 20 then 200 $/MWh, the
      // vehicles need 0.1 MWh in hour 2 only. By hand: charge 0.1 MW in hour 1 (stores 0.095),
      // discharge in hour 2 down to e0 (0.095 * 0.95 = 0.09025 MW delivered), buy the remaining
      // 0.00975 MW. It pays when 200 * 0.95 > 20 / 0.95 + 2 c_deg, i.e. c_deg < 84.5 $/MWh.
      const r = await run(`
import stdlib.ev
horizon T = 2 steps of 1 h
param need[T] : MWh = [0, 0.1]
param price[T] : $/MWh = [20, 200]
instance st = ChargingStation(ports = 4, p_port = 50 kW, e_min = need, e_max = need,
  e_bess = 0.2 MWh, p_bess = 0.1 MW, c_deg = ${cdeg} $/MWh, buy_price = price)
constraint no_trade[t in T]: st.trade[t] == 0 MW
minimize cost = st.operation
`);
      near(r.objective, expected);
    });
  }

  it('splits its network draw over its phases by share', async () => {
    // Phases a and b with shares 0.7 and 0.3, phase a limited to 0.1 MW: the draw is at most
    // 0.1 / 0.7 = 1/7 MW. The vehicles need 0.2 MWh by hour 2; prices 100 then 50 $/MWh: 1/7 MWh
    // in hour 2, the rest (0.2 - 1/7) in hour 1.
    const r = await run(`
import stdlib.ev
horizon T = 2 steps of 1 h
set Ph = {a, b}
param sh[Ph] = {a: 0.7, b: 0.3}
param lo[T] : MWh = [0, 0.2]
param price[T] : $/MWh = [100, 50]
instance st = ChargingStation(ports = 4, p_port = 50 kW, e_min = lo, e_max = 0.2 MWh,
  e_bess = 0 MWh, p_bess = 0 MW, buy_price = price, Phase = Ph, share = sh)
constraint no_trade[t in T]: st.trade[t] == 0 MW
constraint phase_limit[ph in Ph, t in T]: st.p_phase[ph, t] <= 0.1 MW
minimize cost = st.operation
`);
    near(r.objective, 100 * (0.2 - 1 / 7) + 50 / 7);
    near(r.v('st.buy[2]'), 1 / 7);
  });
});

// ---------------------------------------------------------------------------------------------
describe('PeerTrading', () => {
  for (const [fee, cap] of [[5, 1], [55, 1], [70, 1], [5, 0.1]] as const) {
    it(`two stations trade when the price gap exceeds the fee (fee ${fee} $/MWh, cap ${cap} MW)`, async () => {
      // Station a pays 100 $/MWh for grid energy, b pays 40; each needs 0.2 MWh in the hour.
      // Energy b buys and sells to a costs 40 + fee, so a buys x = min(cap, 0.2) from b iff
      // 40 + fee < 100: cost = 40 * (0.2 + x) + fee * x + 100 * (0.2 - x).
      const x = 40 + fee < 100 ? Math.min(cap, 0.2) : 0;
      const expected = 40 * (0.2 + x) + fee * x + 100 * (0.2 - x);
      const r = await run(`
import stdlib.ev
horizon T = 1 steps of 1 h
set S = {a, b}
param price[S] : $/MWh = {a: 100, b: 40}
instance st[s in S] = ChargingStation(ports = 4, p_port = 50 kW, e_min = 0.2, e_max = 0.2, e_bess = 0 MWh, p_bess = 0 MW,
  buy_price[t] = price[s], trade_max = 1 MW)
instance p2p = PeerTrading(S = S, cap = ${cap} MW, fee = ${fee} $/MWh)
constraint tie[s in S, t in T]: st[s].trade[t] == p2p.net[s, t]
minimize cost = sum(s in S) st[s].operation + p2p.fees
`);
      near(r.objective, expected);
      near(r.v('p2p.x[b,a,1]'), x);
      near(r.v('st[b].buy[1]'), 0.2 + x);
    });
  }
});
