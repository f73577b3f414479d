// What every solver back-end takes and returns. Values are in the emitted (scaled) model's terms;
// report/ converts them to the model's own names and units.
export type SolveStatus = 'optimal' | 'infeasible' | 'unbounded' | 'infeasible-or-unbounded' | 'time-limit' | 'iteration-limit' | 'error';

export interface SolveOptions {
  readonly timeLimit?: number;
  /** Relative MIP gap. */
  readonly gap?: number;
  readonly verbose?: boolean;
  /** Where solver log lines go when verbose. */
  readonly log?: (line: string) => void;
}

export interface SolverOutput {
  readonly solver: string;
  readonly status: SolveStatus;
  /** Whether a primal solution (optimal, or an incumbent at a limit) is available. */
  readonly hasSolution: boolean;
  readonly isMip: boolean;
  /** Objective of the emitted model (including its constant). */
  readonly objective?: number;
  readonly colValue?: Float64Array;
  /** Row activities of the emitted model. */
  readonly rowValue?: Float64Array;
  /** d(objective)/d(row bound) of the emitted model, LPs only. */
  readonly rowDual?: Float64Array;
  readonly colDual?: Float64Array;
  /** Relative gap reached, for MIPs. */
  readonly mipGap?: number;
  readonly seconds: number;
  readonly message?: string;
}

export const EXIT = { ok: 0, diagnostics: 1, usage: 2, infeasible: 3 } as const;
