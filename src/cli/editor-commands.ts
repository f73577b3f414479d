// `evg fmt` and `evg lsp`: the formatter and the language server on the command line.
// Registered on the main program by `addEditorCommands(program, io)` (src/cli/main.ts). Both load
// their modules (Prettier, vscode-languageserver) only when run, so other commands start as fast
// as before.
import { CommanderError, type Command } from 'commander';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Io } from './main.js';

/** Raised to end a command with an exit status; `evg.exit` errors carry no message of their own. */
export class CommandExit extends CommanderError {
  constructor(exitCode: number) {
    super(exitCode, 'evg.exit', '');
  }
}

export interface FmtFlags {
  readonly check?: boolean;
  readonly write?: boolean;
  readonly printWidth?: string;
}

export function addEditorCommands(program: Command, io: Io): void {
  program
    .command('fmt')
    .description('format .evg files (print the result, or --check / --write)')
    .argument('<files...>', 'model files or directories (all .evg files below them); - reads standard input')
    .option('--check', 'list the files that are not formatted; exit status 1 if there are any')
    .option('--write', 'rewrite the files in place')
    .option('--print-width <columns>', 'line width to fit', '100')
    .action(async (files: string[], o: FmtFlags) => {
      const code = await runFmt(files, o, io);
      if (code !== 0) throw new CommandExit(code);
    });

  program
    .command('lsp')
    .description('run the language server on standard input and output (for editors)')
    .option('--stdio', 'communicate over standard input and output (the default and only transport)')
    .allowUnknownOption()
    .action(async () => {
      const { runStdioServer } = await import('../lsp/server.js');
      await runStdioServer();
    });
}

/** Every `.evg` file named, or below a directory named, in a stable order. */
export function expandFiles(args: readonly string[]): string[] {
  const out: string[] = [];
  const visit = (p: string, explicit: boolean) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      out.push(p); // reported as unreadable later
      return;
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (name === 'node_modules' || name.startsWith('.')) continue;
        const child = join(p, name);
        if (statSync(child).isDirectory() || name.endsWith('.evg')) visit(child, false);
      }
    } else if (explicit || p.endsWith('.evg')) out.push(p);
  };
  for (const a of args) {
    if (a === '-') out.push(a);
    else visit(a, true);
  }
  return out;
}

/** `evg fmt`: 0 when every file is (or now is) formatted, 1 for unformatted files under --check or syntax errors, 2 for usage errors. */
export async function runFmt(args: readonly string[], o: FmtFlags, io: Io): Promise<number> {
  const width = Number(o.printWidth ?? '100');
  if (!Number.isInteger(width) || width < 10) {
    io.err(`error[E0703]: --print-width needs a whole number of columns (at least 10), not \`${o.printWidth}\`\n`);
    return 2;
  }
  if (o.check && o.write) {
    io.err('error[E0703]: use either --check or --write, not both\n');
    return 2;
  }
  const { formatText, EvgSyntaxError } = await import('../format/format.js');
  const { renderDiagnostic, SourceTexts } = await import('../diagnostics/diagnostic.js');
  const files = expandFiles(args);
  let failed = 0, unformatted = 0, written = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (e) {
      io.err(`error[E0101]: cannot read \`${file}\`: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}\n`);
      failed++;
      continue;
    }
    let formatted: string;
    try {
      formatted = await formatText(text, { printWidth: width, filepath: file });
    } catch (e) {
      if (!(e instanceof EvgSyntaxError)) throw e;
      const sources = new SourceTexts();
      sources.set(file, text);
      for (const d of e.diagnostics) io.err(`${renderDiagnostic({ ...d, span: d.span ? { ...d.span, file } : undefined }, sources)}\n`);
      io.err(`${file}: not formatted: it has syntax errors\n`);
      failed++;
      continue;
    }
    if (o.check) {
      if (formatted !== text) {
        io.err(`${file}: not formatted\n`);
        unformatted++;
      }
    } else if (o.write && file !== '-') {
      if (formatted !== text) {
        writeFileSync(file, formatted);
        io.out(`formatted ${file}\n`);
        written++;
      }
    } else {
      io.out(formatted);
    }
  }
  if (o.check) {
    if (unformatted) io.err(`${unformatted} of ${files.length} file${files.length === 1 ? '' : 's'} not formatted; run evg fmt --write to format ${unformatted === 1 ? 'it' : 'them'}\n`);
    else if (!failed) io.out(`${files.length} file${files.length === 1 ? '' : 's'} formatted\n`);
  } else if (o.write && !failed && written === 0) {
    io.out(`${files.length} file${files.length === 1 ? '' : 's'} already formatted\n`);
  }
  return failed || unformatted ? 1 : 0;
}
