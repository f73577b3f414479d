import { it } from 'vitest';
import { compileText, rendered } from './helpers.js';
import { writeLp } from '../src/emit/lp.js';
import { writeMps } from '../src/emit/mps.js';
import { StringSink } from '../src/emit/sink.js';
import { writeFileSync } from 'node:fs';
import { loadHighs, solveHighs } from '../src/solve/highs.js';
import { solveGlpk } from '../src/solve/glpk.js';
import { interpret } from '../src/report/results.js';
import { toJson } from '../src/report/output.js';

const models: Record<string, string> = {
  objrow: `
    var x in [0, 4]
    var y in [0, 5]
    constraint obj: x + y <= 3
    maximize total = 2 * x + y
  `,
  kw: `
    var x in [-inf, 4]
    var y in [0, 5]
    constraint c: x + y <= 3
    constraint d: x >= -10
    maximize total = 2 * x + y
  `,
  kwords: `
    var inf in [0, 4]
    var free in [0, 5]
    var st in [0, 5]
    var end in [0, 5]
    var bounds in [0,5]
    var binary binary
    var e12 in [0, 3]
    constraint subject: inf + free + st + end + bounds + binary + e12 <= 3
    maximize total = 2 * inf + free + st + end + bounds + binary + e12
  `,
  unusedglpk: `
    var x in [0, 4]
    var u in [1, 2]
    var w in [-3, -1]
    constraint c: x <= 3
    maximize total = x
  `,
  binfix: `
    var b binary in [1, 1]
    var x in [0, 4]
    constraint c: x <= 3 * b
    maximize total = x - b
  `,
  units: `
    horizon T = 2 steps of 1 h
    param load[T] : MW = [1, 2]
    var p[t in T] : kW in [0, 5000]
    var q[t in T] : MW in [0, 5]
    constraint bal[t in T]: p[t] + q[t] == load[t]
    minimize total = sum(t in T) (30 $/MWh * p[t] + 50 $/MWh * q[t]) * step(T)
  `,
  longrow: `
    set I = 1..500
    var averyveryverylongvariablename_for_wrapping[i in I] in [0, 1]
    constraint a_rather_long_constraint_name_that_goes_on_and_on_and_on_and_on_and_on: sum(i in I) 1.23456789012345 * averyveryverylongvariablename_for_wrapping[i] <= 123.456789012345
    maximize total = sum(i in I) averyveryverylongvariablename_for_wrapping[i]
  `,
};
it('scratch', async () => {
  const h = await loadHighs();
  for (const [k, t] of Object.entries(models)) {
    const c = compileText(t);
    if (!c.elaboration) { console.log(k, rendered(c)); continue; }
    const m = c.elaboration.model;
    const s = new StringSink(); writeLp(m, s); s.close();
    const s2 = new StringSink(); writeMps(m, s2); s2.close();
    writeFileSync(`/tmp/scr/${k}.lp`, s.toString());
    writeFileSync(`/tmp/scr/${k}.mps`, s2.toString());
    const lens = s.toString().split('\n').map((l) => l.length);
    console.log(k, 'scale', m.objScale, 'off', m.objOffset, 'maxline', Math.max(...lens));
    for (const fmt of ['lp', 'mps'] as const) {
      try {
        const hm = h.createModel({ format: fmt, data: fmt === 'lp' ? s.toString() : new TextEncoder().encode(s2.toString()) });
        hm.options.set({ output_flag: false } as never);
        hm.run();
        console.log(k, fmt, 'highs', hm.getModelStatus(), hm.getObjectiveValue());
        hm.dispose();
      } catch (e) { console.log(k, fmt, 'ERR', (e as Error).message); }
    }
    for (const [nm, f] of [['highs', solveHighs], ['glpk', solveGlpk]] as const) {
      const out = await f(m, {});
      const r = interpret(c, out);
      const j = toJson(c, r, {}) as any;
      console.log(k, nm, j.status, j.objective, j.objectiveUnit, JSON.stringify(j.variables).slice(0, 300), JSON.stringify(j.constraints).slice(0, 300), JSON.stringify(j.units));
    }
  }
});
