// Unit algebra and conversions: the dimension rules themselves, and models whose optimum is
// computed by hand in other units.
import { describe, expect, it } from 'vitest';
import { div, mul, pow, sameDims, unitByName, kindConflict, resolveUnit } from '../src/check/units.js';
import { Diagnostics } from '../src/diagnostics/diagnostic.js';
import { parseText } from '../src/syntax/parse.js';
import type { ParamDecl } from '../src/syntax/ast.js';
import { codesAt, compileText, rendered, solveText } from './helpers.js';

const u = (n: string) => unitByName(n)!;

function declared(unit: string) {
  const diags = new Diagnostics();
  const f = parseText('u.evg', `param x : ${unit} = 1`, diags);
  const r = resolveUnit((f.file.decls[0] as ParamDecl).unit!, diags);
  return { unit: r, diags };
}

describe('unit algebra', () => {
  it('kW * h is kWh and $/kWh * kWh is $', () => {
    const kwh = mul(u('kW'), u('h'));
    expect(kwh.text).toBe('kWh');
    expect(kwh.factor).toBe(3.6e6);
    expect(sameDims(kwh, u('kWh'))).toBe(true);
    const price = div(u('$'), u('kWh'));
    const money = mul(price, kwh);
    expect(sameDims(money, u('$'))).toBe(true);
    expect(money.factor).toBeCloseTo(1, 12);
    expect(money.text).toBe('$');
  });

  it('MW/h is a ramp rate and MW/h * h is MW', () => {
    const ramp = div(u('MW'), u('h'));
    expect(sameDims(mul(ramp, u('h')), u('MW'))).toBe(true);
    expect(mul(ramp, u('h')).factor).toBeCloseTo(1e6, 6);
  });

  it('ohm * kW / kV^2 is dimensionless, as physics says', () => {
    const x = div(mul(u('ohm'), u('kW')), pow(u('kV'), 2));
    expect(x.isDimensionless).toBe(true);
    expect(x.factor).toBeCloseTo(1e-3, 15);
  });

  it('V * A is a power and kV / kA is an impedance', () => {
    expect(sameDims(mul(u('V'), u('A')), u('VA'))).toBe(true);
    expect(sameDims(div(u('kV'), u('kA')), u('ohm'))).toBe(true);
  });

  it('keeps active, reactive and apparent power apart', () => {
    expect(sameDims(u('kW'), u('kvar'))).toBe(true);
    expect(kindConflict(u('kW'), u('kvar'))).toBe(true);
    expect(kindConflict(u('MW'), u('kW'))).toBe(false);
    expect(kindConflict(u('kWh'), mul(u('kW'), u('h')))).toBe(false);
  });

  it('converts lengths and percentages', () => {
    expect(u('mi').factor).toBeCloseTo(1609.344, 9);
    expect(u('kft').factor / u('ft').factor).toBeCloseTo(1000, 9);
    expect(u('%').factor).toBe(0.01);
    expect(u('p.u.').isDimensionless).toBe(true);
  });

  it('parses compound units in declarations', () => {
    const a = declared('$/MW^2h');
    expect(a.diags.list).toEqual([]);
    expect(sameDims(a.unit!, div(u('$'), mul(pow(u('MW'), 2), u('h'))))).toBe(true);
    expect(a.unit!.factor).toBeCloseTo(1 / (1e12 * 3600), 25);
    expect(declared('MW/h').unit!.dims).toEqual([1, 0, -1, 0, 0]);
    expect(declared('kV^2').unit!.factor).toBe(1e6);
    const bad = declared('Mwh');
    expect(bad.unit).toBeUndefined();
    expect(bad.diags.list[0]!.code).toBe('E0004');
    expect(bad.diags.list[0]!.hint).toContain('MWh');
  });
});

describe('units in models', () => {
  it('converts kW, MW and kWh automatically', async () => {
    // Load 1500 kW for 2 steps of 30 min; one generator in MW at 40 $/MWh, a battery-free bus.
    // Energy = 1.5 MW * 0.5 h * 2 = 1.5 MWh -> 60 $.
    const s = await solveText(`
      horizon T = 2 steps of 30 min
      param load : kW = 1500
      var p[t in T] : MW >= 0
      constraint bal[t in T]: p[t] == load
      minimize total = sum(t in T) 40 $/MWh * p[t] * step(T)
    `);
    expect(s.json.objective).toBeCloseTo(60, 9);
    expect(s.json.variables['p[1]']).toBeCloseTo(1.5, 12);
  });

  it('reports each variable in its declared unit and each dual per the constraint unit', async () => {
    // grid in kW, gen in MW, price 0.1 $/kWh = 100 $/MWh, gen 80 $/MWh capped at 1 MW; load 2.5 MW.
    // gen = 1 MW, grid = 1500 kW; cost = 80 + 150 = 230 $ over 1 h. Dual of the balance (in MW):
    // the marginal source is the grid at 100 $/MWh, times 1 h -> 100 $/MW.
    const s = await solveText(`
      horizon T = 1 steps of 1 h
      var gen[t in T] : MW in [0, 1 MW]
      var grid[t in T] : kW >= 0
      constraint bal[t in T]: gen[t] + grid[t] == 2.5 MW
      minimize total = sum(t in T) (80 $/MWh * gen[t] + 0.1 $/kWh * grid[t]) * step(T)
    `);
    expect(s.json.objective).toBeCloseTo(230, 9);
    expect(s.json.variables['gen[1]']).toBeCloseTo(1, 12);
    expect(s.json.variables['grid[1]']).toBeCloseTo(1500, 9);
    expect(s.json.constraints['bal[1]']!.dual).toBeCloseTo(100, 9);
    expect(s.json.constraints['bal[1]']!.activity).toBeCloseTo(2.5, 12);
  });

  it('treats percentages as fractions', async () => {
    // Efficiency 90 %: to deliver 9 MWh we must put in 10 MWh.
    const s = await solveText(`
      param eta : % = 90
      var e_in : MWh >= 0
      constraint deliver: eta * e_in >= 9 MWh
      minimize x = e_in * 1 $/MWh
    `);
    expect(s.json.objective).toBeCloseTo(10, 9);
  });

  it('names both units when they do not match', () => {
    const c = compileText('var p : kW\nvar e : kWh\nconstraint c: p + e <= 5 kW\n');
    expect(codesAt(c)).toContain('E0401@3:15');
    const text = rendered(c);
    expect(text).toContain('kW (active power)');
    expect(text).toContain('kWh (energy)');
  });

  it('refuses to add active and reactive power', () => {
    const c = compileText('var p : kW\nvar q : kvar\nconstraint c: p + q <= 5 kW\n');
    expect(codesAt(c)).toContain('E0404@3:15');
  });

  it('asks for a unit on bare numbers compared with quantities, but accepts 0', () => {
    const c = compileText('var p : MW\nconstraint a: p <= 5\nconstraint b: p >= 0\n');
    expect(codesAt(c)).toEqual(['E0402@2:20']);
    expect(rendered(c)).toContain('write `5 MW`');
  });

  it('reads bare data numbers in the declared unit', async () => {
    const s = await solveText(`
      table d = csv("d.csv", key = g)
      set G = keys(d)
      param cap[G] : kW = d.cap
      var p[g in G] : MW in [0, cap[g]]
      maximize total = sum(g in G) p[g] * 1 $/MW
    `, { 'd.csv': 'g,cap\na,500\nb,1500\n' });
    expect(s.json.objective).toBeCloseTo(2, 12);
    expect(s.json.variables['p[b]']).toBeCloseTo(1.5, 12);
  });
});
