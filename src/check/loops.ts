// Iteration over compiled domains: nested loops built once as closures, and the factor sets a
// domain indexes (one set per binding, or one filtered set of tuples when there is a `where`).
import type { CBinding, CDomain, Env } from './program.js';
import { EvSet, type Elem } from '../lower/values.js';
import { joinIndex } from './join.js';

export type Loop = (env: Env, visit: () => void) => void;

function bind(b: CBinding, env: Env, S: EvSet, p: number): void {
  env.p[b.group] = p;
  if (b.whole) {
    if (b.slots.length) env.v[b.slots[0]!] = S.arity === 1 ? S.at(p) : S.tuple(p);
  } else {
    for (let k = 0; k < b.slots.length; k++) env.v[b.slots[k]!] = S.at(p, k);
  }
}

/** Nested loops over the bindings, calling `visit` for every tuple that passes the `where` filter. */
export function makeLoop(d: CDomain): Loop {
  const where = d.where;
  let inner: Loop = where ? (env, visit) => { if (where(env)) visit(); } : (_env, visit) => visit();
  for (let i = d.bindings.length - 1; i >= 0; i--) {
    const b = d.bindings[i]!;
    const next = inner;
    const setFn = b.set;
    const join = d.joins?.[i];
    if (join) {
      const probe = join.probe;
      inner = (env, visit) => {
        const S = setFn(env);
        env.s[b.group] = S;
        const want = probe(env);
        const idx = joinIndex(join, S, env, (p) => bind(b, env, S, p));
        const ps = idx.get(want);
        if (!ps) return;
        for (let k = 0; k < ps.length; k++) {
          bind(b, env, S, ps[k]!);
          next(env, visit);
        }
      };
      continue;
    }
    inner = (env, visit) => {
      const S = setFn(env);
      env.s[b.group] = S;
      const n = S.size;
      for (let p = 0; p < n; p++) {
        bind(b, env, S, p);
        next(env, visit);
      }
    };
  }
  return inner;
}

/** Appends the current tuple of the domain (flattened) to `out`. */
export function pushTuple(d: CDomain, env: Env, out: Elem[]): void {
  for (const b of d.bindings) {
    const S = env.s[b.group]!;
    const p = env.p[b.group]!;
    for (let k = 0; k < b.arity; k++) out.push(S.at(p, k));
  }
}

/**
 * The factor sets indexed by a declaration over this domain: the binding sets themselves, or, with
 * a `where` filter, the single set of tuples that pass it (in loop order).
 */
export function domainFactors(d: CDomain, env: Env, loop: Loop, name: string): EvSet[] {
  if (!d.where) return d.bindings.map((b) => b.set(env));
  const flat: Elem[] = [];
  loop(env, () => pushTuple(d, env, flat));
  return [EvSet.of(`${name}'s domain`, d.arity, flat)];
}

/** The arity of each factor of a declaration over the domain. */
export function factorArities(d: CDomain): number[] {
  return d.where ? [d.arity] : d.bindings.map((b) => b.arity);
}

/** Binds the domain's names from a flat index tuple (used when an indexed `expr` is referenced). */
export function bindFromTuple(d: CDomain, env: Env, values: readonly Elem[], sets: readonly EvSet[]): boolean {
  let k = 0;
  for (let i = 0; i < d.bindings.length; i++) {
    const b = d.bindings[i]!;
    const S = sets[i]!;
    const p = S.posTuple(values, k);
    if (p < 0) return false;
    env.s[b.group] = S;
    env.p[b.group] = p;
    if (b.whole) {
      if (b.slots.length) env.v[b.slots[0]!] = S.arity === 1 ? values[k] : values.slice(k, k + S.arity);
    } else {
      for (let c = 0; c < b.slots.length; c++) env.v[b.slots[c]!] = values[k + c];
    }
    k += b.arity;
  }
  return d.where ? d.where(env) : true;
}
