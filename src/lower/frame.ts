// Frames: the values of one model or component instance during model building.
//
// Sets, parameters, tables and instances are evaluated lazily on first use (so declarations may
// appear in any order), with cycle detection; variable families are filled in by the elaborator.
import type { Member, ScopeDef } from '../check/program.js';
import { DependentFailure, EvgError, fail } from '../diagnostics/diagnostic.js';

/** State of a member whose evaluation failed. */
const FAILED = 3;
import type { EvSet } from './values.js';

export interface InstanceValue {
  /** The instance's index set, when it is indexed. */
  readonly set?: EvSet;
  readonly frames: Frame[];
}

/** Evaluates a member's value in a frame (supplied by the elaborator). */
export interface MemberEvaluator {
  evaluate(member: Member, frame: Frame): unknown;
}

export class Frame {
  readonly values: unknown[];
  private readonly state: Uint8Array;
  /** The scenario (world) a model frame is built for: 0 for a model without uncertainty (see src/uncertainty/worlds.ts). */
  world = 0;

  constructor(
    readonly ctx: MemberEvaluator,
    readonly scope: ScopeDef,
    readonly parent: Frame | null,
    /** Prefix for names of members of this frame in reports: '' for the model, `bess[b1].` for an instance. */
    readonly prefix: string,
  ) {
    this.values = new Array(scope.list.length);
    this.state = new Uint8Array(scope.list.length);
  }

  /** Sets a value directly (component arguments, variable families). */
  put(slot: number, value: unknown): void {
    this.values[slot] = value;
    this.state[slot] = 2;
  }

  has(slot: number): boolean {
    return this.state[slot] === 2;
  }

  /** Marks a member whose value could not be built (the error is reported by the caller). */
  markFailed(slot: number): void {
    this.state[slot] = FAILED;
  }

  /** The value of a member, evaluating it on first use. */
  get<T>(member: Member): T {
    const slot = member.slot;
    const st = this.state[slot];
    if (st === 2) return this.values[slot] as T;
    if (st === FAILED) throw new DependentFailure(`${this.prefix}${member.name}`);
    if (st === 1) {
      fail('E0205', `\`${this.prefix}${member.name}\` is defined in terms of itself`, member.span, 'break the cycle between the declarations involved');
    }
    this.state[slot] = 1;
    try {
      const v = this.ctx.evaluate(member, this);
      this.values[slot] = v;
      this.state[slot] = 2;
      return v as T;
    } catch (e) {
      // A failed member is not evaluated again: its error is reported once, and what depends on
      // it fails silently (DependentFailure).
      this.state[slot] = e instanceof EvgError || e instanceof DependentFailure ? FAILED : 0;
      throw e;
    }
  }
}
