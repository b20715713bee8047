import { Command, CommanderError } from 'commander';
import { processIo, type CliIo } from './io.js';
import { registerValidate } from './commands/validate.js';
import { registerMocks } from './commands/mocks.js';
import { registerImport } from './commands/import.js';
import { registerCollect, registerCompare, registerReport, registerRun } from './commands/register.js';
import { VERSION } from '../version.js';
import { EXIT } from '../exit-codes.js';

// bin/rampart.js takes the exit codes from here too: one module for it to load, the bundle.
export { EXIT };
export { processIo };

/** One command module: adds itself to the program; its action resolves to the exit code. */
export type RegisterCommand = (program: Command, io: CliIo, setExit: (code: number) => void) => void;

const commands: readonly RegisterCommand[] = [registerValidate, registerRun, registerMocks, registerReport, registerCompare, registerCollect, registerImport];

/** Runs the CLI and resolves to the process exit code (DESIGN.md). Never calls process.exit. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = EXIT.OK;
  const program = new Command()
    .name('rampart')
    .description('Declarative load testing: YAML journeys, thresholds that gate a release.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError('(run `rampart --help` for usage)');
  for (const register of commands) register(program, io, (code) => (exitCode = code));
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; every other parse error is bad usage: exit 2, nothing sent.
      return err.exitCode === EXIT.OK ? EXIT.OK : EXIT.INVALID;
    }
    throw err;
  }
  return exitCode;
}
