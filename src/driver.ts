// The compiler pipeline: read the model and its imports, parse, check, build the sparse model.
// Every phase is timed; every problem ends up in `diags` (never an exception to the caller).
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, resolve as resolvePath, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseText } from './syntax/parse.js';
import type * as A from './syntax/ast.js';
import { DependentFailure, Diagnostics, SourceTexts, EvgError, type Span } from './diagnostics/diagnostic.js';
import { Checker } from './check/checker.js';
import { DataLoader } from './data/table.js';
import { elaborate, type Elaboration } from './lower/elaborate.js';
import { DEFAULT_LOWERING, type LoweringOptions } from './lower/lower.js';
import { buildSourceModel } from './lower/source.js';
import type { SourceModel } from './ir/source.js';
import type { MethodOptions } from './uncertainty/method.js';
import type { WorldOverride } from './uncertainty/worlds.js';

export const STDLIB_DIR = fileURLToPath(new URL('../stdlib/', import.meta.url));

export interface PhaseTimes {
  parse: number;
  check: number;
  build: number;
  [phase: string]: number;
}

export interface Compilation {
  readonly diags: Diagnostics;
  readonly sources: SourceTexts;
  readonly files: readonly A.ModelFile[];
  readonly checker?: Checker;
  readonly elaboration?: Elaboration;
  readonly times: PhaseTimes;
  /** Absolute path of the main model file. */
  readonly main: string;
  /** The model as written, as data (built on first use): for the post-solve check and the cost terms. */
  readonly source?: () => SourceModel;
}

export interface CompileOptions {
  /** Source text to use instead of reading the main file (editors, tests). */
  readonly text?: string;
  /** Stop after checking (no model building). */
  readonly checkOnly?: boolean;
  /** How nonlinear terms are lowered (cone accuracy and mode, quadratic objectives). */
  readonly lowering?: Partial<LoweringOptions>;
  /** The treatment of the uncertainty (`--method` and its options), over the model's `treatment`. */
  readonly uncertainty?: MethodOptions;
  /** Replaces the model's scenarios (out-of-sample evaluation: one world per held-out scenario). */
  readonly worlds?: WorldOverride;
}

/** Parses the main file and, transitively, everything it imports (each file once). */
export function loadFiles(main: string, diags: Diagnostics, sources: SourceTexts, mainText?: string): A.ModelFile[] {
  const files: A.ModelFile[] = [];
  const seen = new Set<string>();
  const visit = (path: string, from?: Span, text?: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    let src = text;
    if (src === undefined) {
      try {
        src = readFileSync(path, 'utf8');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        diags.report('E0101', `cannot read \`${path}\`: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message}`, from,
          from ? 'import paths are relative to the importing file' : undefined);
        return;
      }
    }
    sources.set(path, src);
    const parsed = parseText(path, src, diags);
    files.push(parsed.file);
    // A network declaration needs the standard library's `Network` component.
    if (parsed.file.decls.some((d) => d.kind === 'network')) visit(resolvePath(STDLIB_DIR, 'network.evg'));
    for (const d of parsed.file.decls) {
      if (d.kind !== 'import') continue;
      if (d.path !== undefined) {
        visit(resolvePath(dirname(path), d.path), d.span);
      } else if (d.module) {
        const mod = d.module.map((m) => m.name);
        const name = mod[0] === 'stdlib' ? mod.slice(1).join('/') : mod.join('/');
        const file = resolvePath(STDLIB_DIR, `${name}.evg`);
        if (mod[0] !== 'stdlib' || !name || !existsSync(file)) {
          const available = existsSync(STDLIB_DIR) ? readdirSync(STDLIB_DIR).filter((f) => f.endsWith('.evg')).map((f) => `stdlib.${f.slice(0, -4)}`) : [];
          diags.report('E0102', `unknown standard-library module \`${mod.join('.')}\``, d.span,
            available.length ? `available: ${available.join(', ')}` : 'write `import stdlib.NAME`');
          continue;
        }
        visit(file, d.span);
      }
    }
  };
  visit(main, undefined, mainText);
  return files;
}

export function compile(mainPath: string, opts: CompileOptions = {}): Compilation {
  const main = resolvePath(mainPath);
  const diags = new Diagnostics();
  const sources = new SourceTexts();
  const times: PhaseTimes = { parse: 0, check: 0, build: 0 };
  let t0 = performance.now();
  const files = loadFiles(main, diags, sources, opts.text);
  times.parse = performance.now() - t0;
  const result: Compilation = { diags, sources, files, times, main };
  if (diags.hasErrors) return result;
  t0 = performance.now();
  const checker = new Checker(diags, new DataLoader(sources));
  for (const f of files) checker.addDecls(f.decls);
  checker.checkAll();
  times.check = performance.now() - t0;
  if (diags.hasErrors || opts.checkOnly) return { ...result, checker };
  t0 = performance.now();
  let elaboration: Elaboration | undefined;
  try {
    elaboration = elaborate(checker, diags, { ...DEFAULT_LOWERING, ...opts.lowering }, sources, { method: opts.uncertainty, worlds: opts.worlds });
  } catch (e) {
    if (e instanceof EvgError) diags.add(e.diagnostic);
    else if (!(e instanceof DependentFailure)) throw e;
  }
  times.build = performance.now() - t0;
  if (elaboration && !checker.objective && !diags.hasErrors) {
    diags.report('W0607', 'the model has no objective: it is solved as a feasibility problem (objective 0)', { file: main, start: 0, end: 0, line: 1, col: 1 },
      'add `minimize NAME = ...` or `maximize NAME = ...` if some solutions are better than others');
  }
  let source: SourceModel | undefined;
  const el = elaboration;
  return { ...result, checker, elaboration, ...(el ? { source: () => (source ??= buildSourceModel(el, checker)) } : {}) };
}

/** Paths in messages are shown relative to the working directory when that is shorter. */
export function displayPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && rel.length < p.length ? rel : p;
}
