// Compilation context of one declaration: the scope names resolve in, the index variables bound
// so far, the allocator of their slots, and whether decision variables may appear.
import type { Binder, ScopeDef } from './program.js';

export class SlotAlloc {
  n = 0;
  next(): number {
    return this.n++;
  }
}

export class Ctx {
  constructor(
    readonly scope: ScopeDef,
    readonly slots: SlotAlloc,
    /** What the expression is (for "variables not allowed in ..." messages); undefined: variables allowed. */
    readonly noVars?: string,
    /** Index names in scope, innermost last; shared by the contexts derived from one another. */
    private readonly binderStack: Map<string, Binder>[] = [],
    /** What the expression is, when it must not depend on uncertain parameters (a distribution's arguments, ...). */
    readonly noUncertain?: string,
  ) {}

  /** A context whose expression must be known before any scenario is drawn. */
  deterministic(what: string): Ctx {
    return new Ctx(this.scope, this.slots, this.noVars ?? what, this.binderStack, what);
  }

  /**
   * A context for a sub-expression that must not contain variables (bounds, conditions, ...).
   * Messages name the innermost such part: a variable in the `where` of a constraint's domain is
   * "not allowed in a `where` condition", not "in an index domain".
   */
  constant(what: string): Ctx {
    return new Ctx(this.scope, this.slots, what, this.binderStack, this.noUncertain);
  }

  push(): Map<string, Binder> {
    const m = new Map<string, Binder>();
    this.binderStack.push(m);
    return m;
  }

  pop(): void {
    this.binderStack.pop();
  }

  binder(name: string): Binder | undefined {
    for (let i = this.binderStack.length - 1; i >= 0; i--) {
      const b = this.binderStack[i]!.get(name);
      if (b) return b;
    }
    return undefined;
  }

  binderNames(): string[] {
    return this.binderStack.flatMap((m) => [...m.keys()]);
  }
}
