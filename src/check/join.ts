// Indexed iteration for filtered domains ("joins"), which keeps model building linear.
//
// A power balance per bus written `sum(g in G where bus[g] == b) p[g, t]`, or a flow balance
// `sum((i, n) in A) f[i, n, t]` with `n` bound outside, would otherwise scan all of G (or A) for
// every bus: quadratic in the network size. When a `where` conjunct has the form
// `key(x) == probe` — `key` depends only on the binding's own names and on parameters, `probe`
// only on names bound earlier — the loop looks the probe up in an index from key values to
// positions, built once per set (and frame) and cached. The full `where` is still evaluated for
// every visited element, so the index only skips elements that would fail it.
import type * as A from '../syntax/ast.js';
import type { CBinding, ElemFn, Env } from './program.js';
import type { Frame } from '../lower/frame.js';
import type { Elem, EvSet } from '../lower/values.js';

export interface JoinSpec {
  /** Evaluated with the binding's names bound to an element: the value to index by. */
  readonly key: ElemFn;
  /** Evaluated before the loop over the binding: the value to look up. */
  readonly probe: ElemFn;
}

type KeyIndex = Map<Elem, Int32Array>;

const cache = new WeakMap<Frame, Map<JoinSpec, WeakMap<EvSet, KeyIndex>>>();

/** The index of `S`'s positions by `spec.key`, built on first use for this frame and set. */
export function joinIndex(spec: JoinSpec, S: EvSet, env: Env, bind: (p: number) => void): KeyIndex {
  let perFrame = cache.get(env.frame);
  if (!perFrame) { perFrame = new Map(); cache.set(env.frame, perFrame); }
  let perSpec = perFrame.get(spec);
  if (!perSpec) { perSpec = new WeakMap(); perFrame.set(spec, perSpec); }
  let idx = perSpec.get(S);
  if (idx) return idx;
  const lists = new Map<Elem, number[]>();
  for (let p = 0; p < S.size; p++) {
    bind(p);
    let k: Elem;
    try {
      k = spec.key(env);
    } catch {
      // An element whose key cannot be evaluated is left to the full `where` to report.
      k = NaN;
    }
    let l = lists.get(k);
    if (!l) { l = []; lists.set(k, l); }
    l.push(p);
  }
  idx = new Map();
  for (const [k, l] of lists) idx.set(k, Int32Array.from(l));
  perSpec.set(S, idx);
  return idx;
}

/** Names referenced by an expression (not member names or function names). Undefined if it binds names itself. */
export function freeNames(e: A.Expr): Set<string> | undefined {
  const out = new Set<string>();
  let ok = true;
  const visit = (x: A.Expr): void => {
    switch (x.kind) {
      case 'name': out.add(x.name); return;
      case 'index': visit(x.target); x.indices.forEach(visit); return;
      case 'member': visit(x.target); return;
      case 'call': x.args.forEach(visit); x.named.forEach((n) => visit(n.value)); return;
      case 'unary': visit(x.operand); return;
      case 'binary': visit(x.left); visit(x.right); return;
      case 'cond': visit(x.test); visit(x.then); visit(x.else); return;
      case 'tuple': x.elems.forEach(visit); return;
      case 'range': visit(x.lo); visit(x.hi); return;
      case 'num': case 'str': case 'bool': case 'symbol': return;
      default: ok = false;
    }
  };
  visit(e);
  return ok ? out : undefined;
}

/** Splits `a and b and c` into its conjuncts. */
export function conjuncts(e: A.Expr): A.Expr[] {
  return e.kind === 'binary' && e.op === 'and' ? [...conjuncts(e.left), ...conjuncts(e.right)] : [e];
}

export type { CBinding };
