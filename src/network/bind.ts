// From NetworkData (an imported feeder) to the arguments of the standard library's `Network`
// component (stdlib/network.evg), with the checks every formulation relies on: the closed
// branches form a tree rooted at the substation that reaches every bus, every branch is oriented
// away from the root, a branch's phases are present at both its ends (so a lateral's phases are
// a subset of its parent's), and impedance matrices are symmetric.
//
// Values are physical (kV, ohm, kW, kvar, kVA) and become canonical units here. The voltage base
// of a bus is the voltage whose square the formulations use: line-to-neutral for three-phase
// data (powers per phase), line-to-line for single-phase equivalents such as MATPOWER cases
// (powers in total) — the DistFlow equations have the same form in both.
import type { Elem } from '../lower/values.js';
import type { NetBranch, NetGenerator, NetworkData, PhaseNo } from './model.js';

export interface NetworkProblem {
  readonly message: string;
  readonly hint?: string;
  /** The element of the source the problem is about (for its file and line). */
  readonly element?: string;
  /** Where the problem is, when the element has no entry in the network's `origin`. */
  readonly at?: { readonly file: string; readonly line: number };
  readonly severity: 'error' | 'warning';
}

/** Arguments of `Network`: sets as flat element lists, parameters as (tuple, canonical value) lists. */
export interface NetworkArgs {
  readonly sets: ReadonlyMap<string, { readonly arity: number; readonly flat: readonly Elem[] }>;
  readonly elements: ReadonlyMap<string, Elem>;
  readonly scalars: ReadonlyMap<string, number>;
  readonly params: ReadonlyMap<string, { readonly keys: readonly (readonly Elem[])[]; readonly values: readonly number[] }>;
}

const KILO = 1e3;

export function bindNetwork(source: NetworkData, positiveSequence: boolean): { args?: NetworkArgs; problems: NetworkProblem[] } {
  const problems: NetworkProblem[] = [];
  const net = collapseSplitPhase(source, problems);
  const elem = (name: string): Elem => (/^-?\d+$/.test(name) && name.length < 16 ? Number(name) : name);
  const busByName = new Map(net.buses.map((b) => [b.name, b]));
  if (!busByName.has(net.root)) {
    problems.push({ message: `the network's root (substation) bus \`${net.root}\` is not among its buses`, severity: 'error' });
    return { problems };
  }
  // Symmetric matrices, phases present at both ends.
  for (const br of net.branches) {
    for (const [name, m] of [['r', br.r], ['x', br.x]] as const) {
      for (let i = 0; i < m.length; i++) for (let j = 0; j < i; j++) {
        const a = m[i]![j]!, b = m[j]![i]!;
        if (Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))) {
          problems.push({ message: `the ${name} matrix of ${br.name} is not symmetric (entry ${i + 1},${j + 1} is ${a} but ${j + 1},${i + 1} is ${b})`, element: br.name, severity: 'error' });
        }
      }
    }
    for (const end of [br.from, br.to]) {
      const bus = busByName.get(end);
      if (!bus) { problems.push({ message: `${br.name} connects to the unknown bus \`${end}\``, element: br.name, severity: 'error' }); continue; }
      const missing = br.phases.filter((p) => !bus.phases.includes(p));
      if (missing.length) problems.push({ message: `${br.name} has phase ${missing.join(', ')}, which bus \`${end}\` does not have`, element: br.name, severity: 'error' });
    }
  }
  // The tree: breadth-first from the root over the closed branches (banks of single-phase
  // regulators or transformers between the same two buses count as one branch).
  const closed = mergeBanks(net.branches.filter((b) => !b.open), problems);
  const adj = new Map<string, { br: NetBranch; other: string }[]>();
  for (const br of closed) {
    if (!adj.has(br.from)) adj.set(br.from, []);
    if (!adj.has(br.to)) adj.set(br.to, []);
    adj.get(br.from)!.push({ br, other: br.to });
    adj.get(br.to)!.push({ br, other: br.from });
  }
  const parent = new Map<string, { br: NetBranch; from: string }>();
  const order: string[] = [net.root];
  const seen = new Set([net.root]);
  const oriented: { br: NetBranch; from: string; to: string }[] = [];
  // A branch that closes a loop is met from both its ends: report it once.
  const closing = new Set<NetBranch>();
  for (let k = 0; k < order.length; k++) {
    const b = order[k]!;
    for (const { br, other } of adj.get(b) ?? []) {
      if (parent.get(b)?.br === br || closing.has(br)) continue;
      if (seen.has(other)) {
        closing.add(br);
        problems.push({ message: `the closed branches contain a loop: ${br.name} closes it (between \`${b}\` and \`${other}\`)`, hint: 'a radial network is a tree; open a switch or a tie line of the loop', element: br.name, severity: 'error' });
        continue;
      }
      seen.add(other);
      parent.set(other, { br, from: b });
      order.push(other);
      oriented.push({ br, from: b, to: other });
    }
  }
  // A lateral's phases are a subset of its parent's: the phases that reach `from` are those of
  // the branch feeding it (every phase of the root bus at the root). Naming a node at a bus does
  // not supply it.
  const phasesAt = (br: NetBranch, bus: string) => (bus === br.to ? br.phasesTo ?? br.phases : br.phases);
  for (const { br, from } of oriented) {
    const feeding = parent.get(from);
    const supplied = feeding ? phasesAt(feeding.br, from) : busByName.get(from)!.phases;
    const missing = phasesAt(br, from).filter((p) => !supplied.includes(p));
    if (missing.length) {
      problems.push({
        message: `${br.name} has phase${missing.length === 1 ? '' : 's'} ${missing.join(', ')}, which the branch feeding bus \`${from}\`${feeding ? ` (${feeding.br.name})` : ''} does not carry (it has ${supplied.join(', ')})`,
        hint: 'a lateral\'s phases must be a subset of its parent\'s: check the phases of both branches',
        element: br.name, severity: 'error',
      });
    }
  }
  const unreached = net.buses.filter((b) => !seen.has(b.name));
  if (unreached.length) {
    problems.push({ message: `${unreached.length} bus${unreached.length === 1 ? ' is' : 'es are'} not connected to the root \`${net.root}\` through closed branches: ${unreached.slice(0, 5).map((b) => `\`${b.name}\``).join(', ')}${unreached.length > 5 ? ', ...' : ''}`, severity: 'error' });
  }
  if (problems.some((p) => p.severity === 'error')) return { problems };

  // Voltage bases down the tree: the root's, changed by every transformer.
  const kvLL = new Map<string, number>();
  const rootBus = busByName.get(net.root)!;
  kvLL.set(net.root, rootBus.kvBase ?? oriented.find((o) => o.br.kvFrom)?.br.kvFrom ?? 1);
  for (const { br, from, to } of oriented) {
    const flipped = from !== br.from;
    let kvIn = flipped ? br.kvTo : br.kvFrom, kvOut = flipped ? br.kvFrom : br.kvTo;
    // Windings rated line to neutral (single-phase units: 14.376 kV on a 24.9 kV feeder).
    if (kvIn && kvOut && br.phases.length < 3 && Math.abs(kvIn * Math.sqrt(3) / kvLL.get(from)! - 1) < 0.03) { kvIn *= Math.sqrt(3); kvOut *= Math.sqrt(3); }
    const given = busByName.get(to)!.kvBase;
    kvLL.set(to, (br.kind === 'transformer' || br.kind === 'regulator') && kvOut ? kvOut : given ?? kvLL.get(from)!);
  }
  const vBase = (b: string) => (positiveSequence ? kvLL.get(b)! : kvLL.get(b)! / Math.sqrt(3));
  // As the Network component's seq_factor: every bus with one phase is a single-phase equivalent.
  const singleEquivalent = net.buses.every((b) => b.phases.length === 1);

  const sets = new Map<string, { arity: number; flat: Elem[] }>();
  const params = new Map<string, { keys: Elem[][]; values: number[] }>();
  const param = (name: string) => { const p = { keys: [] as Elem[][], values: [] as number[] }; params.set(name, p); return p; };
  const phases = [...new Set(net.buses.flatMap((b) => b.phases))].sort((a, b) => a - b) as PhaseNo[];
  sets.set('Bus', { arity: 1, flat: order.map(elem) });
  sets.set('Phase', { arity: 1, flat: phases });
  sets.set('BusPhase', { arity: 2, flat: order.flatMap((b) => busByName.get(b)!.phases.flatMap((p) => [elem(b), p])) });
  const branchKeys = oriented.map((o) => [elem(o.from), elem(o.to)] as const);
  sets.set('Branch', { arity: 2, flat: branchKeys.flat() });
  sets.set('BranchPhase', { arity: 3, flat: oriented.flatMap((o, k) => o.br.phases.flatMap((p) => [...branchKeys[k]!, p])) });
  const coupling: Elem[] = [];
  const r = param('r'), x = param('x'), r1 = param('r1'), x1 = param('x1'), ratio = param('ratio'), rating = param('rating');
  oriented.forEach((o, k) => {
    const [f, t] = branchKeys[k]!;
    const ph = o.br.phases;
    for (let i = 0; i < ph.length; i++) for (let j = 0; j < ph.length; j++) {
      coupling.push(f, t, ph[i]!, ph[j]!);
      r.keys.push([f, t, ph[i]!, ph[j]!]); r.values.push(o.br.r[i]![j]!);
      x.keys.push([f, t, ph[i]!, ph[j]!]); x.values.push(o.br.x[i]![j]!);
    }
    // Positive sequence: Z1 = Zs - Zm (the mean self minus the mean mutual impedance).
    const seq = (m: readonly (readonly number[])[]) => {
      const n = m.length;
      if (n === 1) return m[0]![0]!;
      let self = 0, mutual = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) (i === j ? (self += m[i]![j]!) : (mutual += m[i]![j]!));
      return self / n - mutual / (n * (n - 1));
    };
    // In the single-phase formulations on three-phase data (line-to-line bases, total powers) a
    // k-phase lateral carrying a total S has S / k on each phase and 3 / k times the drop in
    // squared line-to-line voltage of a balanced branch: its equivalent impedance is 3 / k times.
    const lateral = singleEquivalent ? 1 : 3 / ph.length;
    r1.keys.push([f, t]); r1.values.push(lateral * seq(o.br.r));
    x1.keys.push([f, t]); x1.values.push(lateral * seq(o.br.x));
    // Voltage ratio (to / from, of the bases) of transformers, times the tap.
    const flipped = o.from !== o.br.from;
    const rt = vBase(o.to) / vBase(o.from);
    const tap = o.br.tap ?? 1;
    // V_to = ratio V_from: the ratio of the bases, with the tap on the secondary winding.
    ratio.keys.push([f, t]); ratio.values.push(o.br.kind === 'transformer' || o.br.kind === 'regulator' ? rt * (flipped ? 1 / tap : tap) : 1);
    const amps = o.br.ampacity, kva = o.br.kva;
    // Per phase on three-phase data (V_LN I); in total in single-phase equivalents (sqrt(3) V_LL I).
    const limit = amps ? amps * vBase(o.to) * (positiveSequence ? Math.sqrt(3) : 1) : kva ? (positiveSequence ? kva : kva / o.br.phases.length) : undefined;
    if (limit !== undefined) { rating.keys.push([f, t]); rating.values.push(limit * KILO); }
  });
  sets.set('Coupling', { arity: 4, flat: coupling });
  // Below: (from, to, bus) for every bus downstream of a branch, by walking each bus's path up.
  const below: Elem[] = [];
  const branchTo = new Map(oriented.map((o, k) => [o.to, k]));
  for (const b of order) {
    let at = b;
    while (at !== net.root) {
      const k = branchTo.get(at)!;
      below.push(...branchKeys[k]!, elem(b));
      at = oriented[k]!.from;
    }
  }
  sets.set('Below', { arity: 3, flat: below });
  // Taps: transformers and regulators with a tap range.
  const tapKeys: Elem[] = [];
  const tmin = param('tap_min'), tmax = param('tap_max'), tsteps = param('tap_steps');
  oriented.forEach((o, k) => {
    if (o.br.tapMin === undefined || o.br.tapMax === undefined) return;
    tapKeys.push(...branchKeys[k]!);
    // As voltage ratios to/from: the base ratio times the tap's range (a reversed branch inverts both).
    const flipped = o.from !== o.br.from;
    const rt = vBase(o.to) / vBase(o.from);
    const [lo, hi] = flipped ? [1 / o.br.tapMax, 1 / o.br.tapMin] : [o.br.tapMin, o.br.tapMax];
    tmin.keys.push([...branchKeys[k]!]); tmin.values.push(rt * lo);
    tmax.keys.push([...branchKeys[k]!]); tmax.values.push(rt * hi);
    tsteps.keys.push([...branchKeys[k]!]); tsteps.values.push(o.br.tapSteps ?? 32);
  });
  sets.set('Tap', { arity: 2, flat: tapKeys });
  const vb = param('v_base');
  for (const b of order) { vb.keys.push([elem(b)]); vb.values.push(vBase(b) * KILO); }
  // Loads and capacitors per (bus, phase); a delta load's pair power is split between its two phases.
  const perPhase = (name: string) => {
    const acc = new Map<string, number>();
    return {
      add: (bus: string, p: PhaseNo, v: number) => { const key = `${bus}\u0000${p}`; acc.set(key, (acc.get(key) ?? 0) + v); },
      finish: () => {
        const out = param(name);
        for (const b of order) for (const p of busByName.get(b)!.phases) { out.keys.push([elem(b), p]); out.values.push((acc.get(`${b}\u0000${p}`) ?? 0) * KILO); }
      },
    };
  };
  const pl = perPhase('p_load'), ql = perPhase('q_load'), qc = perPhase('q_cap');
  // A delta load labelled p is between phases p and p + 1 (ab = 1, bc = 2, ca = 3).
  const next = (p: PhaseNo): PhaseNo => ((p % 3) + 1) as PhaseNo;
  for (const l of net.loads) {
    if (!busByName.has(l.bus)) { problems.push({ message: `load ${l.name} is at the unknown bus \`${l.bus}\``, element: l.name, severity: 'error' }); continue; }
    l.phases.forEach((p, i) => {
      if (l.conn === 'delta') {
        const q = next(p);
        if (!busByName.get(l.bus)!.phases.includes(q)) problems.push({ message: `delta load ${l.name} needs phases ${p} and ${q} at bus \`${l.bus}\``, element: l.name, severity: 'error' });
        pl.add(l.bus, p, l.p[i]! / 2); pl.add(l.bus, q, l.p[i]! / 2);
        ql.add(l.bus, p, l.q[i]! / 2); ql.add(l.bus, q, l.q[i]! / 2);
      } else {
        pl.add(l.bus, p, l.p[i]!);
        ql.add(l.bus, p, l.q[i]!);
      }
    });
  }
  for (const c of net.capacitors) {
    if (!busByName.has(c.bus)) { problems.push({ message: `capacitor ${c.name} is at the unknown bus \`${c.bus}\``, element: c.name, severity: 'error' }); continue; }
    c.phases.forEach((p, i) => qc.add(c.bus, p, c.q[i]!));
  }
  pl.finish(); ql.finish(); qc.finish();
  // Generators, PV systems and storage of an OpenDSS file are read (net.generators) but are not
  // Network data: the model connects its own devices. Say so rather than drop them quietly.
  // (MATPOWER's generators away from the root sit on PV buses, which the importer reports.)
  if (!net.positiveSequence) {
    const away = net.generators.filter((g) => g.bus !== net.root);
    const kinds: Record<NetGenerator['kind'], string> = { generator: 'Generator', pv: 'PVSystem', storage: 'Storage' };
    for (const kind of ['generator', 'pv', 'storage'] as const) {
      const gs = away.filter((g) => g.kind === kind);
      if (!gs.length) continue;
      const total = gs.reduce((a, g) => a + g.kw, 0);
      problems.push({
        message: `${gs.length} ${kinds[kind]} element${gs.length === 1 ? '' : 's'} (for example ${gs[0]!.name} at bus \`${gs[0]!.bus}\`, ${total} kW in all) ${gs.length === 1 ? 'is' : 'are'} not part of the network's data and ignored`,
        hint: 'model them as devices (stdlib.grid, stdlib.devices) whose output is added to the formulation\'s p_inj at their buses',
        element: gs[0]!.name, severity: 'warning',
      });
    }
  }
  for (const u of net.unsupported) {
    const command = /^command (.*)$/.exec(u.element)?.[1];
    const what = command !== undefined
      ? `the command ${command}${u.count === 1 ? '' : ` (${u.count} times)`} does not describe the network and is ignored`
      : `${u.count} ${u.element} element${u.count === 1 ? '' : 's'} (for example ${u.example}) ${u.count === 1 ? 'is' : 'are'} not modelled and ignored`;
    problems.push({ message: what, element: u.example, ...(u.at ? { at: u.at } : {}), severity: 'warning' });
  }
  const scalars = new Map<string, number>([['s_base', net.kvaBase * KILO], ['v_root', net.vRootPu]]);
  return { args: { sets, elements: new Map([['root', elem(net.root)]]), scalars, params }, problems };
}

/**
 * Banks of single-phase units (three regulators Reg1a..c between the same two buses, on phases
 * a, b, c): one branch over the union of their phases, with block-diagonal impedances (separate
 * units have no mutual coupling). The formulations take one ratio per branch: the bank's taps,
 * if they differ, are averaged, with a warning. Branches sharing a phase stay separate (a loop).
 */
function mergeBanks(branches: readonly NetBranch[], problems: NetworkProblem[]): NetBranch[] {
  const key = (b: NetBranch) => (b.from < b.to ? `${b.from}\u0000${b.to}` : `${b.to}\u0000${b.from}`);
  const groups = new Map<string, NetBranch[]>();
  for (const b of branches) { const k = key(b); const g = groups.get(k); if (g) g.push(b); else groups.set(k, [b]); }
  const out: NetBranch[] = [];
  for (const g of groups.values()) {
    const all = g.flatMap((b) => b.phases);
    if (g.length === 1 || new Set(all).size !== all.length || g.some((b) => b.phasesTo)) { out.push(...g); continue; }
    // Orient every unit like the first.
    const first = g[0]!;
    const units = g.map((b) => (b.from === first.from ? b : { ...b, from: b.to, to: b.from, kvFrom: b.kvTo, kvTo: b.kvFrom, connFrom: b.connTo, connTo: b.connFrom, tap: b.tap === undefined ? undefined : 1 / b.tap }));
    const phases = [...all].sort((a, b) => a - b) as PhaseNo[];
    const block = (which: 'r' | 'x') => phases.map((p) => phases.map((q) => {
      const u = units.find((b) => b.phases.includes(p))!;
      if (!u.phases.includes(q)) return 0;
      return u[which][u.phases.indexOf(p)]![u.phases.indexOf(q)]!;
    }));
    const taps = units.map((u) => u.tap ?? 1);
    const tap = taps.reduce((a, b) => a + b, 0) / taps.length;
    if (taps.some((t) => Math.abs(t - taps[0]!) > 1e-12)) {
      problems.push({ message: `the units of the bank ${units.map((u) => u.name).join(', ')} have different taps (${taps.join(', ')}); the formulations use one ratio per branch, here their mean ${Number(tap.toPrecision(6))}`, element: first.name, severity: 'warning' });
    }
    out.push({
      ...first, name: units.map((u) => u.name).join('+'), phases, r: block('r'), x: block('x'), tap,
      ...(units.every((u) => u.kva !== undefined) ? { kva: units.reduce((a, u) => a + u.kva!, 0) } : {}),
      ...(units.every((u) => u.ampacity !== undefined) ? { ampacity: Math.min(...units.map((u) => u.ampacity!)) } : {}),
    });
  }
  return out;
}

/**
 * Split-phase (centre-tapped) service transformers, as in the IEEE 8500-node feeder: a primary
 * phase feeds two 120 V legs in opposition. The formulations have one voltage per phase, so the
 * secondary circuit becomes one equivalent circuit on the primary's phase, at the leg-to-neutral
 * base: with balanced legs (I on one, -I on the other) the drop along a leg is (z11 - z12) I, the
 * same as an equivalent conductor carrying the total 2I through (z11 - z12) / 2; loads and
 * capacitors of the legs are added. Unbalanced legs are approximated by their mean (a warning says so).
 */
function collapseSplitPhase(net: NetworkData, problems: NetworkProblem[]): NetworkData {
  const centre = net.branches.filter((b) => b.phasesTo);
  if (centre.length === 0) return net;
  const phaseOf = new Map<string, PhaseNo>();
  const adj = new Map<string, NetBranch[]>();
  for (const b of net.branches) {
    if (b.phasesTo || b.open) continue;
    for (const e of [b.from, b.to]) { const a = adj.get(e); if (a) a.push(b); else adj.set(e, [b]); }
  }
  for (const t of centre) {
    const pp = t.phases[0]!;
    const stack = [t.to];
    while (stack.length) {
      const bus = stack.pop()!;
      if (phaseOf.has(bus)) continue;
      phaseOf.set(bus, pp);
      for (const b of adj.get(bus) ?? []) stack.push(b.from === bus ? b.to : b.from);
    }
  }
  const half = (m: readonly (readonly number[])[]) => (m.length === 2 ? [[(m[0]![0]! + m[1]![1]! - m[0]![1]! - m[1]![0]!) / 4]] : m.map((r) => [...r]));
  const branches = net.branches.map((b) => {
    if (b.phasesTo) return { ...b, phasesTo: undefined, r: half(b.r), x: half(b.x) };
    const pp = phaseOf.get(b.to) ?? phaseOf.get(b.from);
    if (pp === undefined) return b;
    return { ...b, phases: [pp], r: half(b.r), x: half(b.x), ...(b.b ? { b: half(b.b) } : {}) };
  });
  const sum = (xs: readonly number[]) => [xs.reduce((a, v) => a + v, 0)];
  const loads = net.loads.map((l) => { const pp = phaseOf.get(l.bus); return pp === undefined ? l : { ...l, conn: 'wye' as const, phases: [pp], p: sum(l.p), q: sum(l.q) }; });
  const capacitors = net.capacitors.map((c) => { const pp = phaseOf.get(c.bus); return pp === undefined ? c : { ...c, conn: 'wye' as const, phases: [pp], q: sum(c.q) }; });
  const buses = net.buses.map((b) => { const pp = phaseOf.get(b.name); return pp === undefined ? b : { ...b, phases: [pp] }; });
  problems.push({
    message: `${centre.length} split-phase (centre-tapped) service transformer${centre.length === 1 ? '' : 's'} (for example ${centre[0]!.name}) and the ${phaseOf.size} buses of their secondaries are modelled as one equivalent circuit on the primary's phase (balanced 120 V legs)`,
    element: centre[0]!.name, severity: 'warning',
  });
  return { ...net, buses, branches, loads, capacitors };
}
