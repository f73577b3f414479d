// The treatment of a model's uncertainty: which problem is built from the same model.
//
//   ev    the expected-value problem: every uncertain parameter at its mean, one scenario
//   sp    the two-stage stochastic program (extensive form): here-and-now variables shared,
//         recourse variables copied per scenario, the expected cost minimised
//   ro    robust: over the uncertainty sets of the parameters (`in box(...)`, `in budget(...)`),
//         by duality, every variable here-and-now; or, without sets, over the scenarios (every
//         scenario feasible with its own recourse, the worst scenario's cost minimised)
//   dro   distributionally robust over a phi-divergence ball around the scenarios' distribution:
//         the worst expected cost in the ball, chance constraints at an adjusted risk level
//
// Chance constraints (`with probability`) are lowered by the sample average with binaries (saa),
// the CVaR approximation (cvar) or the moment-based distributionally robust cone (moment).
// The model's `treatment` declaration gives the defaults; the command line overrides them.
import type { Span } from '../diagnostics/diagnostic.js';
import { EvgError } from '../diagnostics/diagnostic.js';
import type { TreatmentSpec } from '../check/program.js';

export type MethodKind = 'ev' | 'sp' | 'ro' | 'dro';
export type Divergence = 'variation' | 'hellinger' | 'chi2';
export type ChanceMethod = 'saa' | 'cvar' | 'moment';

export const METHODS: readonly MethodKind[] = ['ev', 'sp', 'ro', 'dro'];
export const DIVERGENCES: readonly Divergence[] = ['variation', 'hellinger', 'chi2'];
export const CHANCE_METHODS: readonly ChanceMethod[] = ['saa', 'cvar', 'moment'];

export interface Method {
  readonly kind: MethodKind;
  readonly divergence: Divergence;
  /** The ambiguity radius, given; otherwise computed from `confidence` and the sample size. */
  readonly radius?: number;
  readonly confidence: number;
  readonly chance: ChanceMethod;
}

/** Options as written: in the model's `treatment` or on the command line (strings there). */
export interface MethodOptions {
  readonly method?: string;
  readonly divergence?: string;
  readonly radius?: number | string;
  readonly confidence?: number | string;
  readonly chance?: string;
}

const OPTIONS = ['divergence', 'radius', 'confidence', 'chance'];

function bad(message: string, span: Span | undefined, hint?: string): never {
  throw new EvgError({ code: 'E0805', severity: 'error', message, span, hint });
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], what: string, span?: Span): T {
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  return bad(`${what} is one of ${allowed.join(', ')}, not \`${String(v)}\``, span);
}

function fraction(v: unknown, what: string, span?: Span, open = true): number {
  const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v.trim().replace(/%$/, '')) / (v.trim().endsWith('%') ? 100 : 1) : NaN;
  if (!(x > 0) || (open ? !(x < 1) : false) || !Number.isFinite(x)) return bad(`${what} must be ${open ? 'between 0 and 1' : 'a positive number'}, not ${String(v)}`, span);
  return x;
}

/**
 * The method to build: the command line's options over the model's `treatment`, over the
 * defaults (sp with scenarios, ro with only uncertainty sets). Throws E0805.
 */
export function resolveMethod(treatment: TreatmentSpec | undefined, cli: MethodOptions, hasScenarios: boolean): Method {
  const t = new Map<string, { value: number | string; span?: Span }>(treatment?.options ?? []);
  for (const [k, o] of t) if (!OPTIONS.includes(k)) bad(`a treatment has no option \`${k}\``, o.span, `options: ${OPTIONS.join(', ')}`);
  const pick = (k: keyof MethodOptions): { value: unknown; span?: Span } | undefined => {
    if (cli[k] !== undefined) return { value: cli[k] };
    return t.get(k);
  };
  const kindRaw = cli.method ?? treatment?.method ?? (hasScenarios ? 'sp' : 'ro');
  const kind = oneOf(kindRaw, METHODS, 'the method', cli.method === undefined ? treatment?.span : undefined);
  const div = pick('divergence');
  const divergence = div ? oneOf(div.value, DIVERGENCES, 'the divergence', div.span) : 'variation';
  const rad = pick('radius'), conf = pick('confidence');
  // The command line's radius replaces the model's confidence, and the other way round.
  const radiusGiven = cli.radius !== undefined || (cli.confidence === undefined && t.has('radius'));
  const confGiven = cli.confidence !== undefined || (cli.radius === undefined && t.has('confidence'));
  if (radiusGiven && confGiven) bad('give the ambiguity radius or the confidence level, not both', rad?.span ?? conf?.span);
  const radius = radiusGiven ? radiusValue(rad!.value, rad!.span) : undefined;
  const confidence = confGiven ? fraction(conf!.value, 'the confidence level', conf!.span) : 0.95;
  const ch = pick('chance');
  const chance = ch ? oneOf(ch.value, CHANCE_METHODS, 'the chance-constraint method', ch.span) : 'saa';
  if (!hasScenarios && (kind === 'sp' || kind === 'dro' || kind === 'ev')) {
    bad(`the method ${kind} needs scenarios, and the model declares none`, cli.method === undefined ? treatment?.span : undefined, 'declare `scenarios W = sample(...)` or `= csv(...)`, or use the robust method (ro) with uncertainty sets');
  }
  return { kind, divergence, radius, confidence, chance };
}

function radiusValue(v: unknown, span?: Span): number {
  const x = typeof v === 'number' ? v : Number(v);
  if (!(x >= 0) || !Number.isFinite(x)) bad(`the ambiguity radius must be a number >= 0, not ${String(v)}`, span);
  return x;
}

/** One line for reports: `dro (variation, radius 0.12 from 95 % confidence, N = 1000)`. */
export function describeMethod(m: Method, radius?: number, samples?: number): string {
  switch (m.kind) {
    case 'ev': return 'ev (expected value: every uncertain parameter at its mean)';
    case 'sp': return 'sp (two-stage stochastic program, extensive form)';
    case 'ro': return 'ro (robust)';
    case 'dro': {
      const r = radius ?? m.radius;
      const from = m.radius === undefined ? ` from ${m.confidence * 100} % confidence${samples ? ` and N = ${samples}` : ''}` : '';
      return `dro (${m.divergence} ball, radius ${r === undefined ? '?' : Number(r.toPrecision(4))}${from})`;
    }
  }
}
