// The treatments of uncertainty applied to rows built in several worlds (src/uncertainty/worlds.ts):
// which reformulation represents an expectation, a chance constraint or a robust row under the
// model's method. Each reformulation returns U with `U <= 0` equivalent to the treated row
// (src/lower/dro-*.ts, chance-*.ts, robust-*.ts, worst-case.ts hold the math).
//
//   expected value  E_q[h] <= 0       sp: sum_s q_s h_s;  dro: the worst case over the phi-ball
//                                     (variation, Hellinger, chi-square duals);  ro: max_s h_s
//   chance          P[r <= 0] >= 1-e  saa (binaries), cvar, moment (a cone); dro: saa or cvar at
//                                     the adjusted level e' (Jiang and Guan); ro: every scenario
//   robust row      a0 + sum xi_k a_k <= 0 for xi in a box or budget set: nominal row plus the
//                                     dual terms of the deviations
import { fail, type Span } from '../diagnostics/diagnostic.js';
import { combine, constant, type Affine, type AuxSink } from './aux.js';
import type { LoweringOptions } from './lower.js';
import type { Plan } from '../uncertainty/worlds.js';
import { adjustedRisk } from '../uncertainty/radius.js';
import { variationWorstCase } from './dro-variation.js';
import { hellingerWorstCase } from './dro-hellinger.js';
import { chi2WorstCase } from './dro-chi2.js';
import { chanceSaa, ChanceError } from './chance-saa.js';
import { chanceCvar } from './chance-cvar.js';
import { chanceMoment } from './chance-moment.js';
import { robustBox } from './robust-box.js';
import { robustBudget } from './robust-budget.js';
import { worstCase } from './worst-case.js';

export interface Track {
  <T>(form: string, terms: number, f: () => T, extra?: (out: T) => { eps?: number; bigM?: number }): T;
}

export interface TreatContext {
  readonly sink: AuxSink;
  readonly options: LoweringOptions;
  readonly plan: Plan;
  readonly track: Track;
  readonly bounds: { lower: ArrayLike<number>; upper: ArrayLike<number> };
  readonly columnName: (j: number) => string;
  /** Reports a warning (once per family). */
  readonly warn: (code: 'W0802', message: string, span: Span, hint?: string) => void;
}

const cone = (o: LoweringOptions) => ({ accuracy: o.coneAccuracy, mode: o.coneMode });

/** sup (or, for the stochastic program, the plain expectation) of E[h] over the plan's distributions; `U <= 0` bounds it. */
export function expectationBound(t: TreatContext, h: readonly Affine[], label: string): Affine {
  const { plan } = t;
  const q = plan.worlds.map((w) => w.prob);
  const m = plan.method!;
  if (m.kind === 'ro') return t.track('worst case over the scenarios (epigraph, LP)', 1, () => worstCase(t.sink, h, label));
  if (m.kind !== 'dro') {
    let u: Affine = constant(0);
    h.forEach((x, s) => { u = combine(1, u, q[s]!, x); });
    return u;
  }
  const rho = plan.radius!;
  switch (m.divergence) {
    case 'variation':
      return t.track(`DRO, variation distance ${fmtR(rho)}: dual (LP)`, 1, () => variationWorstCase(t.sink, q, h, rho, label));
    case 'hellinger':
      return t.track(`DRO, Hellinger distance ${fmtR(rho)}: dual with rotated cones, polyhedral (${t.options.coneMode})`, 1,
        () => hellingerWorstCase(t.sink, q, h, rho, cone(t.options), label), (o) => ({ eps: o.eps })).bound;
    case 'chi2':
      return t.track(`DRO, chi-square divergence ${fmtR(rho)}: dual with cones, polyhedral (${t.options.coneMode})`, 1,
        () => chi2WorstCase(t.sink, q, h, rho, cone(t.options), label), (o) => ({ eps: o.eps })).bound;
  }
}

const fmtR = (rho: number) => `radius ${Number(rho.toPrecision(3))}`;

/** `P[r_s <= 0] >= 1 - eps` over the worlds: U with `U <= 0`. */
export function chanceBound(t: TreatContext, r: readonly Affine[], eps: number, label: string, span: Span): Affine {
  const { plan } = t;
  const m = plan.method!;
  const p = plan.worlds.map((w) => w.prob);
  let level = eps;
  if (m.kind === 'dro' && m.chance !== 'moment') {
    level = adjustedRisk(m.divergence, eps, plan.radius!);
    if (!(level > 0)) {
      fail('E0808', `${label}: with the ambiguity radius ${Number(plan.radius!.toPrecision(3))} (${m.divergence}), no risk level below ${Number(eps.toPrecision(6))} makes the chance constraint hold for every distribution in the ball`, span,
        'use a smaller radius (more samples, or a lower confidence level) or allow a larger probability of violation');
    }
  }
  switch (m.chance) {
    case 'cvar':
      return t.track(`chance, CVaR approximation at ${fmtE(level)} (LP)`, 1, () => chanceCvar(t.sink, r, p, level, label));
    case 'moment':
      return t.track(`chance, moment-based distributionally robust at ${fmtE(eps)}: second-order cone, polyhedral (${t.options.coneMode})`, 1,
        () => chanceMoment(t.sink, r, p, eps, cone(t.options), label), (o) => ({ eps: o.eps })).U;
    case 'saa': {
      const smallest = Math.min(...p);
      if (level < smallest * (1 - 1e-9)) {
        t.warn('W0802', `${label}: at risk ${Number(level.toPrecision(4))} not even one of the ${p.length} scenarios (the least likely has probability ${Number(smallest.toPrecision(4))}) may be violated, so the chance constraint must hold in every scenario`, span,
          'more scenarios (samples) let the sample average use the allowed risk; or use --chance cvar or moment');
      }
      try {
        return t.track(`chance, sample average with a binary per scenario at ${fmtE(level)} (MILP)`, 1,
          () => chanceSaa(t.sink, r, p, level, t.bounds, label), (o) => ({ bigM: o.bigM })).U;
      } catch (e) {
        if (!(e instanceof ChanceError)) throw e;
        fail('E0412', `${label}: the sample-average chance constraint needs a big-M per scenario, but ${e.message}`, span,
          'give the variables of the row finite bounds (`in [lo, hi]`), or use --chance cvar (no big-M)');
      }
    }
  }
}

const fmtE = (e: number) => `risk ${Number(e.toPrecision(4))}`;

/**
 * The robust counterpart of `nominal + sum_k dev_k <= 0` over the plan's sets: `devs[k]` is the
 * row's change when dimension k moves by its deviation (undefined: the row does not depend on it).
 */
export function robustBound(t: TreatContext, nominal: Affine, devs: readonly (Affine | undefined)[], label: string): Affine {
  const rp = t.plan.robust!;
  const byParam = new Map<number, Affine[]>();
  devs.forEach((d, k) => {
    if (!d) return;
    const p = rp.dims[k]!.param;
    let a = byParam.get(p);
    if (!a) { a = []; byParam.set(p, a); }
    a.push(d);
  });
  let U = nominal;
  const box: Affine[] = [];
  for (const [p, ds] of byParam) {
    const set = rp.sets[p]!;
    if (set.kind === 'box' || set.gamma >= ds.length) box.push(...ds);
    else U = t.track(`robust, budget set (gamma ${set.gamma}): dual (LP)`, ds.length, () => robustBudget(t.sink, U, ds, set.gamma, label));
  }
  if (box.length) U = t.track('robust, box set: dual (LP)', box.length, () => robustBox(t.sink, U, box, label));
  return U;
}
