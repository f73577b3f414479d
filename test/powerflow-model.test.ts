// `evg powerflow MODEL.evg`: the AC power flow of the dispatch a model finds with LinDistFlow,
// DistFlow, LinDist3Flow or SensitivityFlow (src/network/check-dispatch.ts), against values that
// do not come from that code: the file-based AC power flow with the same injections and load
// scale, Baran & Wu's published case33bw results, LinDistFlow's closed form on a radial network
// (v_j = v_i - 2 (r P + x Q), P and Q the net loads downstream), the two-bus quadratic, and
// PowerModelsDistribution's figures for its three-phase test feeders (shared/data/PROVENANCE.md).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileText, rendered } from './helpers.js';
import { solveHighs } from '../src/solve/highs.js';
import { interpret } from '../src/report/results.js';
import { colTuple } from '../src/ir/model.js';
import { readMatpower } from '../src/network/matpower.js';
import { powerFlow, type PowerFlowInjection, type PowerFlowResult } from '../src/network/powerflow.js';
import type { NetworkData } from '../src/network/model.js';
import { checkDispatch, findFormulations, type InstanceCheck, type PeriodCheck } from '../src/network/check-dispatch.js';
import { sharedData } from './shared-data.js';
import { runPowerflow } from './powerflow-cli.js';

const CASE33 = sharedData('matpower', 'case33bw.m');
const PMD = (f: string) => sharedData('pmd', f);
const haveCase33 = existsSync(CASE33);
const case33 = haveCase33 ? readMatpower(CASE33).network! : (undefined as unknown as NetworkData);

/** Compiles and solves a model, then checks its dispatch. */
async function checked(text: string, opts: Parameters<typeof checkDispatch>[2] = {}): Promise<{ checks: InstanceCheck[]; x: Float64Array; comp: ReturnType<typeof compileText> }> {
  const comp = compileText(text);
  if (comp.diags.hasErrors || !comp.elaboration) throw new Error(`model has errors:\n${rendered(comp)}`);
  const out = await solveHighs(comp.elaboration.model, {});
  expect(out.status).toBe('optimal');
  const r = interpret(comp, out);
  return { checks: checkDispatch(findFormulations(comp), r.x!, opts), x: r.x!, comp };
}

/** A single-period case33bw model with `formulation` and every device injection but `extra` fixed at 0. */
function case33Model(formulation: string, extra = '', pinned: string[] = []): string {
  const free = pinned.map((b) => ` and b != ${b}`).join('');
  return `
network feeder = matpower("${CASE33}")
horizon T = 1 steps of 1 h
instance pf = ${formulation}
constraint no_p[b in feeder.Bus, t in T where b != feeder.root${free}]: pf.p_inj[b, t] == 0 MW
constraint no_q[b in feeder.Bus, t in T where b != feeder.root${free}]: pf.q_inj[b, t] == 0 Mvar
${extra}
minimize cost = sum(t in T) pf.p_inj[feeder.root, t] * 50 $/MWh * step(T)
`;
}

/**
 * LinDistFlow in closed form on a radial single-phase network: each branch carries the net load
 * (load times scale, minus injections) of the buses below it, and v_j = v_i - 2 (r P + x Q) in kV^2
 * (ohm * kW = 1e-3 kV^2). |V| in p.u. of the root's kvBase.
 */
function linDistFlowClosedForm(net: NetworkData, o: { loadScale?: number; injections?: readonly PowerFlowInjection[]; vRootPu?: number } = {}): Map<string, number> {
  const scale = o.loadScale ?? 1;
  const kv = net.buses.find((b) => b.name === net.root)!.kvBase!;
  const netP = new Map(net.buses.map((b) => [b.name, 0])), netQ = new Map(net.buses.map((b) => [b.name, 0]));
  for (const l of net.loads) {
    netP.set(l.bus, netP.get(l.bus)! + scale * l.p.reduce((a, b) => a + b, 0));
    netQ.set(l.bus, netQ.get(l.bus)! + scale * l.q.reduce((a, b) => a + b, 0));
  }
  for (const i of o.injections ?? []) {
    netP.set(i.bus, netP.get(i.bus)! - i.p);
    netQ.set(i.bus, netQ.get(i.bus)! - (i.q ?? 0));
  }
  const closed = net.branches.filter((b) => !b.open);
  const order = [net.root];
  const parent = new Map<string, { from: string; r: number; x: number }>();
  for (let k = 0; k < order.length; k++) {
    for (const b of closed) {
      const other = b.from === order[k] ? b.to : b.to === order[k] ? b.from : undefined;
      if (other === undefined || other === net.root || parent.has(other)) continue;
      parent.set(other, { from: order[k]!, r: b.r[0]![0]!, x: b.x[0]![0]! });
      order.push(other);
    }
  }
  expect(order).toHaveLength(net.buses.length);
  const P = new Map(netP), Q = new Map(netQ);
  for (let k = order.length - 1; k > 0; k--) {
    const b = order[k]!, p = parent.get(b)!.from;
    P.set(p, P.get(p)! + P.get(b)!);
    Q.set(p, Q.get(p)! + Q.get(b)!);
  }
  const v = new Map([[net.root, ((o.vRootPu ?? net.vRootPu) * kv) ** 2]]);
  for (const b of order.slice(1)) {
    const e = parent.get(b)!;
    v.set(b, v.get(e.from)! - 2 * (e.r * P.get(b)! + e.x * Q.get(b)!) * 1e-3);
  }
  return new Map([...v].map(([b, x]) => [b, Math.sqrt(x) / kv]));
}

/** The check's AC result is `direct` (the file-based power flow with the same inputs). */
function expectSameAc(p: PeriodCheck, direct: PowerFlowResult): void {
  expect(p.ac.converged).toBe(true);
  expect(direct.converged).toBe(true);
  expect(p.ac.losses.p).toBeCloseTo(direct.losses.p, 6);
  expect(p.ac.losses.q).toBeCloseTo(direct.losses.q, 6);
  expect(p.ac.source.p).toBeCloseTo(direct.source.p, 6);
  expect(p.ac.source.q).toBeCloseTo(direct.source.q, 6);
  expect(p.ac.vMin!.bus).toBe(direct.vMin!.bus);
  let dv = 0;
  for (const b of direct.buses) {
    const a = p.ac.buses.find((x) => x.name === b.name)!;
    b.vm.forEach((vm, i) => { dv = Math.max(dv, Math.abs(a.vm[i]! - vm)); });
  }
  expect(dv).toBeLessThan(1e-9);
}

/** The model's voltages (and the AC - model differences) against the closed form. */
function expectClosedForm(p: PeriodCheck, closed: Map<string, number>): void {
  expect(p.buses).toHaveLength(closed.size);
  let worst = { abs: -1, bus: '' };
  for (const b of p.buses) {
    expect(Math.abs(b.model - closed.get(b.bus)!)).toBeLessThan(1e-8);
    const ac = p.ac.buses.find((x) => x.name === b.bus)!.vm[0]!;
    expect(b.ac).toBeCloseTo(ac, 12);
    expect(Math.abs(b.diff - (ac - closed.get(b.bus)!))).toBeLessThan(1e-8);
    if (Math.abs(ac - closed.get(b.bus)!) > worst.abs) worst = { abs: Math.abs(ac - closed.get(b.bus)!), bus: b.bus };
  }
  expect(p.maxDiff!.bus).toBe(worst.bus);
  expect(Math.abs(p.maxDiff!.abs - worst.abs)).toBeLessThan(1e-8);
  const minModel = [...closed].reduce((m, [bus, v]) => (v < m.v ? { bus, v } : m), { bus: '', v: Infinity });
  expect(p.model.vMin!.bus).toBe(minModel.bus);
  expect(p.model.vMin!.pu).toBeCloseTo(minModel.v, 8);
}

describe.skipIf(!haveCase33)('evg powerflow MODEL.evg on case33bw', () => {
  it('LinDistFlow without devices: the AC result is the file\'s (202.67 kW, 0.9131 p.u. at bus 18), the difference the closed form\'s', async () => {
    const { checks } = await checked(case33Model('LinDistFlow(net = feeder, v_min = 0.9)'));
    expect(checks).toHaveLength(1);
    const c = checks[0]!;
    expect(c.instance.kind).toBe('LinDistFlow');
    expect(c.instance.netName).toBe('feeder');
    expect(c.notes).toEqual([]);
    expect(c.periods).toHaveLength(1);
    const p = c.periods[0]!;
    expect(p.injections).toEqual([]);
    expect(p.loadScale).toBe(1);
    expect(p.vRootPu).toBe(1);
    expectSameAc(p, powerFlow(case33, {}));
    // Baran & Wu (1989), as the file-based test has them.
    expect(Math.abs(p.ac.losses.p - 202.67)).toBeLessThan(0.5);
    expect(Math.abs(p.ac.losses.q - 135.14)).toBeLessThan(0.5);
    expect(p.acVMin!.bus).toBe('18');
    expect(Math.abs(p.acVMin!.pu - 0.9131)).toBeLessThan(1e-4);
    // The model: lossless, the substation supplies the load (3715 kW, 2300 kvar).
    expect(p.model.losses).toEqual({ p: 0, q: 0 });
    expect(p.model.root.p).toBeCloseTo(3715, 6);
    expect(p.model.root.q).toBeCloseTo(2300, 6);
    expectClosedForm(p, linDistFlowClosedForm(case33));
    // LinDistFlow's voltages are too high by at most 0.28 % here (the file-based test's bound), at bus 18.
    expect(p.maxDiff!.diff).toBeLessThan(0);
    expect(p.maxDiff!.abs).toBeLessThan(0.0029);
    // Flows: the root branch carries the load plus the losses in AC, the load in the model.
    const root = p.branches.find((b) => b.from === '1' && b.to === '2')!;
    expect(root.pModel).toBeCloseTo(3715, 6);
    expect(root.pAc).toBeCloseTo(p.ac.source.p, 6);
    expect(p.maxFlowDiff!.from).toBe('1');
    expect(p.maxFlowDiff!.diff).toBeCloseTo(p.ac.losses.p, 6);
    // Every closed branch is compared, and its AC losses add up.
    expect(p.branches).toHaveLength(32);
    expect(p.branches.reduce((s, b) => s + b.lossAc, 0)).toBeCloseTo(p.ac.losses.p, 6);
    expect(p.violations).toEqual({ below: 0, above: 0, modelBelow: 0, modelAbove: 0 });
  });

  it('a generator at bus 18 (a variable tied to p_inj, fixed): the AC losses fall as powerFlow with that injection says', async () => {
    const { checks } = await checked(case33Model('LinDistFlow(net = feeder, v_min = 0.9)', `
var g[T] : MW
constraint fixed[t in T]: g[t] == 1 MW
constraint gen_p[t in T]: pf.p_inj[18, t] == g[t]
constraint gen_q[t in T]: pf.q_inj[18, t] == 0.3 Mvar
`, ['18']));
    const p = checks[0]!.periods[0]!;
    expect(p.injections).toHaveLength(1);
    expect(p.injections[0]!.bus).toBe('18');
    expect(p.injections[0]!.phase).toBe(1);
    expect(p.injections[0]!.p).toBeCloseTo(1000, 6);
    expect(p.injections[0]!.q).toBeCloseTo(300, 6);
    const inj = [{ bus: '18', phase: 1 as const, p: 1000, q: 300 }];
    const direct = powerFlow(case33, { injections: inj });
    expectSameAc(p, direct);
    // 1 MW and 0.3 Mvar at the far end of the feeder take more than a third off the losses (measured 128.48 kW).
    expect(p.ac.losses.p).toBeLessThan(202.67 - 70);
    expect(p.ac.losses.p).toBeGreaterThan(100);
    expect(p.ac.injected.p).toBeCloseTo(1000, 6);
    expect(p.model.root.p).toBeCloseTo(2715, 6);
    expect(p.ac.source.p).toBeCloseTo(2715 + p.ac.losses.p, 6);
    expectClosedForm(p, linDistFlowClosedForm(case33, { injections: inj }));
  });

  it('several periods with load_scale[T]: each period is powerFlow at that load scale; --period picks one', async () => {
    const text = `
network feeder = matpower("${CASE33}")
horizon T = 3 steps of 1 h
param scale[T] = [0.5, 1, 1.25]
instance pf = LinDistFlow(net = feeder, load_scale[t] = scale[t], v_min = 0.8)
constraint no_p[b in feeder.Bus, t in T where b != feeder.root]: pf.p_inj[b, t] == 0 MW
constraint no_q[b in feeder.Bus, t in T where b != feeder.root]: pf.q_inj[b, t] == 0 Mvar
minimize cost = sum(t in T) pf.p_inj[feeder.root, t] * 50 $/MWh * step(T)
`;
    const { checks, comp, x } = await checked(text);
    const c = checks[0]!;
    expect(c.periods.map((p) => p.period)).toEqual([1, 2, 3]);
    const scales = [0.5, 1, 1.25];
    c.periods.forEach((p, k) => {
      expect(p.loadScale).toBe(scales[k]);
      expectSameAc(p, powerFlow(case33, { loadScale: scales[k]! }));
      expect(p.model.root.p).toBeCloseTo(3715 * scales[k]!, 6);
      expectClosedForm(p, linDistFlowClosedForm(case33, { loadScale: scales[k]! }));
    });
    // Losses grow with the square of the load, roughly.
    expect(c.periods[2]!.ac.losses.p / c.periods[0]!.ac.losses.p).toBeGreaterThan(6);
    const one = checkDispatch(findFormulations(comp), x, { period: 3 });
    expect(one[0]!.periods.map((p) => p.period)).toEqual([3]);
    expect(one[0]!.periods[0]!.ac.losses.p).toBe(c.periods[2]!.ac.losses.p);
  });

  it('a free root voltage (fixed_root = 0, a TapChanger): the AC power flow starts from the model\'s root voltage', async () => {
    const text = `
import stdlib.grid
network feeder = matpower("${CASE33}")
horizon T = 1 steps of 1 h
instance pf = LinDistFlow(net = feeder, v_min = 0.9, fixed_root = 0)
instance oltc = TapChanger(v_nom = 12.66 kV, c_move = 1 $)
constraint root_v[t in T]: pf.v[feeder.root, t] == oltc.v_sq[t]
constraint high[t in T]: oltc.tap[t] >= 1.03
constraint no_p[b in feeder.Bus, t in T where b != feeder.root]: pf.p_inj[b, t] == 0 MW
constraint no_q[b in feeder.Bus, t in T where b != feeder.root]: pf.q_inj[b, t] == 0 Mvar
minimize cost = sum(t in T) pf.p_inj[feeder.root, t] * 50 $/MWh * step(T) + oltc.moves
`;
    const { checks } = await checked(text);
    const c = checks[0]!;
    expect(c.fixedRoot).toBe(false);
    const p = c.periods[0]!;
    // Steps of 0.005 from 0.95; the cheapest step at or above 1.03 is 1.03.
    expect(p.vRootPu).toBeCloseTo(1.03, 9);
    expectSameAc(p, powerFlow({ ...case33, vRootPu: 1.03 }, {}));
    expect(p.ac.buses.find((b) => b.name === '1')!.vm[0]).toBeCloseTo(1.03, 9);
    expectClosedForm(p, linDistFlowClosedForm(case33, { vRootPu: 1.03 }));
  });

  it('SensitivityFlow (v, P and Q are expressions) gives LinDistFlow\'s closed form; DistFlow reports its `losses`', async () => {
    const s = await checked(case33Model('SensitivityFlow(net = feeder, v_min = 0.9)', `
constraint gen_p[t in T]: pf.p_inj[33, t] == 0.5 MW
constraint gen_q[t in T]: pf.q_inj[33, t] == 0 Mvar
`, ['33']));
    const p = s.checks[0]!.periods[0]!;
    expect(s.checks[0]!.instance.kind).toBe('SensitivityFlow');
    const inj = [{ bus: '33', phase: 1 as const, p: 500, q: 0 }];
    expectSameAc(p, powerFlow(case33, { injections: inj }));
    expectClosedForm(p, linDistFlowClosedForm(case33, { injections: inj }));
    expect(p.model.root.p).toBeCloseTo(3215, 6);
    // The flows are the expressions: the net load below each branch.
    expect(p.branches.find((b) => b.from === '1' && b.to === '2')!.pModel).toBeCloseTo(3215, 6);

    const d = await checked(case33Model('DistFlow(net = feeder, v_min = 0.9)'));
    const q = d.checks[0]!.periods[0]!;
    expectSameAc(q, powerFlow(case33, {}));
    // The model's losses are sum r1 l over the branches, read here from the columns of pf.l.
    const model = d.comp.elaboration!.model;
    const l = model.colFamilies.find((f) => f.name === 'pf.l')!;
    let losses = 0;
    for (let j = l.first; j < l.first + l.count; j++) {
      const [from, to] = colTuple(l, j);
      const br = case33.branches.find((b) => !b.open && ((b.from === String(from) && b.to === String(to)) || (b.from === String(to) && b.to === String(from))))!;
      losses += br.r[0]![0]! * d.x[j]! * 1e3; // ohm * kA^2 = MW: kW
    }
    expect(q.model.losses.p).toBeCloseTo(losses, 6);
    expect(q.model.losses.p).toBeGreaterThan(150);
    // The substation supplies the load plus the model's losses.
    expect(q.model.root.p).toBeCloseTo(3715 + q.model.losses.p, 4);
  });
});

describe('a network built in the model (instance n = Network(...))', () => {
  it('two buses: |V2| is the larger root of |V2|^4 - (|V1|^2 - 2(RP + XQ)) |V2|^2 + |Z|^2 |S|^2 = 0', async () => {
    const { checks } = await checked(`
import stdlib.network
horizon T = 1 steps of 1 h
instance n = Network(
  Bus = {1, 2}, Phase = {1}, BusPhase = {(1, 1), (2, 1)},
  Branch = {(1, 2)}, BranchPhase = {(1, 2, 1)}, Coupling = {(1, 2, 1, 1)}, Below = {(1, 2, 2)},
  root = 1, v_base[b] = 12.66 kV,
  r[i, j, p, q] = 2 ohm, x[i, j, p, q] = 1.5 ohm, r1[i, j] = 2 ohm, x1[i, j] = 1.5 ohm,
  p_load[b, p] = if b == 2 then 2000 kW else 0 kW, q_load[b, p] = if b == 2 then 800 kvar else 0 kvar,
)
instance pf = LinDistFlow(net = n, v_min = 0.8)
constraint no_p[t in T]: pf.p_inj[2, t] == 0 MW
constraint no_q[t in T]: pf.q_inj[2, t] == 0 Mvar
minimize cost = sum(t in T) pf.p_inj[1, t] * 50 $/MWh * step(T)
`);
    const p = checks[0]!.periods[0]!;
    expect(checks[0]!.instance.source).toBeUndefined();
    // In V, W and ohm: a = V1^2 - 2 (R P + X Q), V2^2 = (a + sqrt(a^2 - 4 |Z|^2 |S|^2)) / 2.
    const V1 = 12660, R = 2, X = 1.5, P = 2e6, Q = 0.8e6;
    const a = V1 ** 2 - 2 * (R * P + X * Q);
    const v2 = Math.sqrt((a + Math.sqrt(a * a - 4 * (R * R + X * X) * (P * P + Q * Q))) / 2);
    const bus2 = p.buses.find((b) => b.bus === '2')!;
    expect(bus2.ac).toBeCloseTo(v2 / V1, 9);
    expect(bus2.model).toBeCloseTo(Math.sqrt(a) / V1, 9);
    // Losses R |I|^2 with |I| = |S| / |V2|.
    expect(p.ac.losses.p).toBeCloseTo((R * (P * P + Q * Q)) / v2 ** 2 / 1e3, 6);
    expect(p.ac.source.p).toBeCloseTo(2000 + p.ac.losses.p, 6);
    expect(p.model.root.p).toBeCloseTo(2000, 6);
  });
});

// The OpenDSS importer is being finished; if it cannot read the PMD feeders, these tests say so.
function readsPmd(): string | undefined {
  try {
    const c = compileText(`network feeder = opendss("${PMD('case3_unbalanced.dss')}")\n`);
    if (c.diags.hasErrors) return rendered(c).split('\n')[0];
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
const pmdProblem = existsSync(PMD('case3_unbalanced.dss')) ? readsPmd() : 'shared/data/pmd is missing';
if (pmdProblem) console.warn(`skipping the three-phase model tests: the OpenDSS importer cannot read case3_unbalanced.dss (${pmdProblem})`);

describe.skipIf(!!pmdProblem)(`three-phase: LinDist3Flow on PowerModelsDistribution's feeders${pmdProblem ? ` (SKIPPED: the OpenDSS importer fails: ${pmdProblem})` : ''}`, () => {
  const model = (file: string) => `
network feeder = opendss("${PMD(file)}")
horizon T = 1 steps of 1 h
instance pf = LinDist3Flow(net = feeder, v_min = 0.8)
constraint no_p[(b, p) in feeder.BusPhase, t in T where b != feeder.root]: pf.p_inj[b, p, t] == 0 MW
constraint no_q[(b, p) in feeder.BusPhase, t in T where b != feeder.root]: pf.q_inj[b, p, t] == 0 Mvar
minimize cost = sum((b, p) in feeder.BusPhase, t in T where b == feeder.root) pf.p_inj[b, p, t] * 50 $/MWh * step(T)
`;

  it('case3_unbalanced: AC 21.4812 kW and 9.27263 kvar from the substation, the model 21 and 9 (PMD)', async () => {
    const { checks } = await checked(model('case3_unbalanced.dss'));
    const c = checks[0]!;
    expect(c.instance.kind).toBe('LinDist3Flow');
    expect(c.instance.perPhase).toBe(true);
    const p = c.periods[0]!;
    expectSameAc(p, powerFlow(c.instance.network!, {}));
    expect(Math.abs(p.ac.source.p - 21.4812)).toBeLessThan(1e-3);
    expect(Math.abs(p.ac.source.q - 9.27263)).toBeLessThan(1e-3);
    expect(p.model.root.p).toBeCloseTo(21, 6);
    expect(p.model.root.q).toBeCloseTo(9, 6);
    expect(p.model.losses).toEqual({ p: 0, q: 0 });
    // Per bus and phase: 3 buses x 3 phases, the root at the source's 0.9959 p.u. in both.
    expect(p.buses).toHaveLength(9);
    for (const b of p.buses.filter((x) => x.bus.toLowerCase() === 'sourcebus')) {
      expect(b.ac).toBeCloseTo(0.9959, 9);
      expect(b.model).toBeCloseTo(0.9959, 9);
    }
    // Phase 1 carries the largest load (9 kW): its voltage falls most, in AC and in the model.
    expect(p.acVMin!.phase).toBe(1);
    expect(p.model.vMin!.phase).toBe(1);
    expect(p.maxDiff!.bus.toLowerCase()).toBe('loadbus');
  });

  it('case3_unbalanced_missingedge: the model\'s load-bus voltages are PMD\'s LinDist3Flow 0.96038 and 0.97866 p.u.', async () => {
    const { checks } = await checked(model('case3_unbalanced_missingedge.dss'));
    const p = checks[0]!.periods[0]!;
    const load = p.buses.filter((b) => b.bus.toLowerCase() === 'loadbus');
    expect(load.map((b) => b.phase)).toEqual([1, 2]);
    expect(Math.abs(load[0]!.model - 0.96038)).toBeLessThan(1e-4);
    expect(Math.abs(load[1]!.model - 0.97866)).toBeLessThan(1e-4);
    expectSameAc(p, powerFlow(checks[0]!.instance.network!, {}));
  });
});

// IEEE 13 with LinDist3Flow's regulating taps (`regulate = 1`, being added to stdlib/network.evg).
const IEEE13 = sharedData('opendss', 'IEEETestCases', '13Bus', 'IEEE13Nodeckt.dss');
const ieee13Model = `
network feeder = opendss("${IEEE13}")
horizon T = 1 steps of 1 h
instance pf = LinDist3Flow(net = feeder, v_min = 0.9, v_max = 1.1, regulate = 1)
constraint no_p[(b, p) in feeder.BusPhase, t in T where b != feeder.root]: pf.p_inj[b, p, t] == 0 MW
constraint no_q[(b, p) in feeder.BusPhase, t in T where b != feeder.root]: pf.q_inj[b, p, t] == 0 Mvar
minimize cost = sum((b, p) in feeder.BusPhase, t in T where b == feeder.root) pf.p_inj[b, p, t] * 50 $/MWh * step(T)
`;
const ieee13Problem = !existsSync(IEEE13) ? 'shared/data/opendss is missing' : (() => {
  try {
    const c = compileText(ieee13Model);
    return c.diags.hasErrors ? rendered(c).split('\n')[0] : undefined;
  } catch (e) {
    return (e as Error).message;
  }
})();
if (ieee13Problem) console.warn(`skipping the IEEE 13 regulator test: ${ieee13Problem}`);

describe.skipIf(!!ieee13Problem)(`IEEE 13 with regulating taps${ieee13Problem ? ` (SKIPPED: ${ieee13Problem})` : ''}`, () => {
  it('the AC power flow takes the ratios the model chose: across the regulators AC and model agree', async () => {
    const { checks } = await checked(ieee13Model);
    const c = checks[0]!;
    const p = c.periods[0]!;
    expect(p.ac.converged).toBe(true);
    expect(Object.keys(p.taps).sort()).toEqual(['Transformer.Reg1', 'Transformer.Reg2', 'Transformer.Reg3']);
    // The model moves the taps (without them, the AC voltages below the regulator differ by ~6 %).
    expect(Math.max(...Object.values(p.taps).map((t) => Math.abs(t[0]! - 1)))).toBeGreaterThan(0.005);
    const v = (bus: string, phase: number) => p.buses.find((b) => b.bus === bus && b.phase === phase)!;
    for (const [name, ph] of [['Transformer.Reg1', 1], ['Transformer.Reg2', 2], ['Transformer.Reg3', 3]] as const) {
      // Each regulator's tap is (up to the drop across its small impedance) the model's voltage ratio rg60 / 650 ...
      expect(Math.abs(p.taps[name]![0]! - v('rg60', ph).model / v('650', ph).model)).toBeLessThan(2e-3);
      // ... and the AC voltages on both sides are the model's.
      expect(Math.abs(v('650', ph).diff)).toBeLessThan(1e-4);
      expect(Math.abs(v('rg60', ph).diff)).toBeLessThan(2e-3);
    }
    expect(c.notes.some((n) => /regulate/.test(n))).toBe(true);
    // The feeder's two capacitors are not in LinDist3Flow, and so not in the AC power flow either.
    expect(c.notes.some((n) => /2 shunt capacitors/.test(n))).toBe(true);
    expect(p.ac.capacitorQ).toBe(0);
    // LinDist3Flow is within about 1.5 % of the AC voltages on this feeder.
    expect(p.maxDiff!.abs).toBeLessThan(0.015);
  });
});

describe.skipIf(!haveCase33)('the command line', () => {
  it('prints one line per period and the worst period\'s buses, and writes JSON and CSV', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evg-pfm-'));
    const file = join(dir, 'pf.evg');
    writeFileSync(file, `
network feeder = matpower("${CASE33}")
horizon T = 2 steps of 1 h
instance pf = LinDistFlow(net = feeder, load_scale[t] = if t == 1 then 0.5 else 1, v_min = 0.9)
constraint no_p[b in feeder.Bus, t in T where b != feeder.root]: pf.p_inj[b, t] == 0 MW
constraint no_q[b in feeder.Bus, t in T where b != feeder.root]: pf.q_inj[b, t] == 0 Mvar
minimize cost = sum(t in T) pf.p_inj[feeder.root, t] * 50 $/MWh * step(T)
`);
    const r = await runPowerflow([file, '--json', join(dir, 'out.json'), '--csv', join(dir, 'csv')]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^status {6}optimal/);
    expect(r.out).toMatch(/pf = LinDistFlow\(net = feeder\): .*case33bw\.m \(MATPOWER, 33 buses, root 1\), 2 periods checked by the AC power flow/);
    // Period 2 at full load: Baran & Wu's 202.68 kW and 0.91309 p.u. at bus 18.
    const line2 = r.out.split('\n').find((l) => /^ +2 +1 +ok /.test(l))!;
    expect(line2).toMatch(/0\.91309 +18 +0\.91593 +18 +0\.00284 +18 +202\.677\d* +0 +3917\.6\d* +3715 /);
    expect(r.out).toMatch(/worst period 2: the largest voltage differences \(10 of 33; --csv DIR writes them all\)/);
    expect(r.out).toMatch(/\n {2}18 +0\.91309 +0\.91593 +-0\.00284 /);
    const json = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { solve: { status: string }; formulations: { instance: string; periods: { period: number; ac: { losses: { p: number } }; buses: unknown[] }[] }[] };
    expect(json.solve.status).toBe('optimal');
    expect(json.formulations[0]!.instance).toBe('pf');
    expect(json.formulations[0]!.periods).toHaveLength(2);
    expect(Math.abs(json.formulations[0]!.periods[1]!.ac.losses.p - 202.67)).toBeLessThan(0.5);
    expect(json.formulations[0]!.periods[1]!.buses).toHaveLength(33);
    const v = readFileSync(join(dir, 'csv', 'voltages.csv'), 'utf8').trim().split('\n');
    expect(v[0]).toBe('instance,period,bus,phase,vm_ac_pu,vm_model_pu,dv_pu,va_ac_deg');
    expect(v).toHaveLength(1 + 2 * 33);
    const b18 = v.find((l) => l.startsWith('pf,2,18,'))!.split(',');
    expect(Math.abs(Number(b18[4]) - 0.9131)).toBeLessThan(1e-4);
    const per = readFileSync(join(dir, 'csv', 'periods.csv'), 'utf8').trim().split('\n');
    expect(per).toHaveLength(3);
    expect(readFileSync(join(dir, 'csv', 'branches.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + 2 * 32);
    // --period: only that one.
    const one = await runPowerflow([file, '--period', '1']);
    expect(one.code).toBe(0);
    expect(one.out).toMatch(/1 period checked/);
    expect(one.out).not.toMatch(/^ +2 +1 +ok /m);
  });

  it('exit codes: 1 for model errors or no formulation, 2 for usage, 3 for an infeasible model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evg-pfm-'));
    const put = (name: string, text: string) => { writeFileSync(join(dir, name), text); return join(dir, name); };
    const none = await runPowerflow([put('none.evg', 'horizon T = 2 steps of 1 h\nvar x[T] : MW >= 0 MW\nminimize c = sum(t in T) x[t] * 1 $/MWh * step(T)\n')]);
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/has no instance of LinDistFlow, DistFlow, LinDist3Flow or SensitivityFlow/);
    const bad = await runPowerflow([put('bad.evg', 'var x : MW >= 0 MW\nminimize c = y\n')]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/error\[E\d+\]/);
    // v_min = 0.95 cannot hold at the end of the feeder without devices.
    const inf = await runPowerflow([put('inf.evg', case33Model('LinDistFlow(net = feeder, v_min = 0.95)'))]);
    expect(inf.code).toBe(3);
    expect(inf.out).toMatch(/status {6}infeasible/);
    expect(inf.err).toMatch(/the model is infeasible: there is no dispatch to check/);
    const ok = put('ok.evg', case33Model('LinDistFlow(net = feeder, v_min = 0.9)'));
    const period = await runPowerflow([ok, '--period', '9']);
    expect(period.code).toBe(2);
    expect(period.err).toMatch(/--period 9 is not a period of pf; pf's periods are 1/);
    const solver = await runPowerflow([ok, '--solver', 'cbc']);
    expect(solver.code).toBe(2);
    const fileOnly = await runPowerflow([CASE33, '--period', '1']);
    expect(fileOnly.code).toBe(2);
    expect(fileOnly.err).toMatch(/--period is for a model \(\.evg\)/);
    // Four times the load: LinDistFlow still finds voltages (v_min = 0.05), the AC sweep collapses: 4.
    const heavy = await runPowerflow([put('heavy.evg', `
network feeder = matpower("${CASE33}")
horizon T = 2 steps of 1 h
instance pf = LinDistFlow(net = feeder, load_scale[t] = if t == 1 then 1 else 4, v_min = 0.05)
constraint no_p[b in feeder.Bus, t in T where b != feeder.root]: pf.p_inj[b, t] == 0 MW
constraint no_q[b in feeder.Bus, t in T where b != feeder.root]: pf.q_inj[b, t] == 0 Mvar
minimize cost = sum(t in T) pf.p_inj[feeder.root, t] * 50 $/MWh * step(T)
`)]);
    expect(heavy.code).toBe(4);
    expect(heavy.out).toMatch(/^ +2 +4 +NO CONV +- +- +0\.59\d+ +18 /m);
    expect(heavy.out).toMatch(/worst period 1:/);
    expect(heavy.err).toMatch(/the AC power flow did not converge in 1 period \(pf period 2\)/);
    // The file-based mode is unchanged.
    const file = await runPowerflow([CASE33]);
    expect(file.code).toBe(0);
    expect(file.out).toMatch(/losses {6}202\.67/);
  });
});
