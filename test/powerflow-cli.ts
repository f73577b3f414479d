// `evg powerflow ARGS` run in-process, for test/powerflow.test.ts and test/powerflow-model.test.ts.
import { Command, CommanderError } from 'commander';
import { addPowerflowCommand, PowerflowExit } from '../src/cli/powerflow-command.js';

/** The exit code and what `evg powerflow ARGS` printed to stdout and stderr. */
export async function runPowerflow(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const io = { out: (s: string) => { out += s; }, err: (s: string) => { err += s; } };
  const program = new Command().exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  addPowerflowCommand(program, io);
  try {
    await program.parseAsync(['node', 'evg', 'powerflow', ...args]);
    return { code: 0, out, err };
  } catch (e) {
    if (e instanceof CommanderError) {
      if (!(e instanceof PowerflowExit) && e.code === 'evg.usage') err += e.message;
      return { code: e.exitCode, out, err };
    }
    throw e;
  }
}
