/**
 * `rampart import har|artillery <file> [-o scenario.yaml]`: a scenario from a browser recording or
 * an Artillery script. What it does lives in import-run.ts, loaded when the command runs.
 */
import type { RegisterCommand } from '../main.js';
import type { ImportFlags } from './import-run.js';

/** Registers `rampart import`. */
export const registerImport: RegisterCommand = (program, io, setExit) => {
  const cmd = program
    .command('import')
    .description('Write a scenario from a browser recording (HAR) or an Artillery script; the result is validated before the command exits 0.');
  cmd
    .command('har')
    .description('A scenario from a HAR recording: pages as groups, correlated values as captures, credentials as secrets.')
    .argument('<recording>', 'the HAR file (DevTools, Firefox, Charles, mitmproxy: "Save all as HAR with content")')
    .option('-o, --output <file>', 'write the scenario here (default: standard output)')
    .option('--keep-static', 'keep static assets (scripts, styles, images, fonts) as parallel requests')
    .option('--no-correlate', 'write every value as recorded (no captures): a replay of the recording')
    .option('--name <name>', 'the scenario name (default: the recording file name)')
    .action(async (file: string, flags: ImportFlags) => {
      const { importCommand } = await import('./import-run.js');
      setExit(await importCommand('har', file, flags, io));
    });
  cmd
    .command('artillery')
    .description('A scenario from an Artillery script: phases, payloads, flows, captures; JavaScript hooks are listed, not run.')
    .argument('<script>', 'the Artillery YAML script')
    .option('-o, --output <file>', 'write the scenario here (default: standard output)')
    .option('--name <name>', 'the scenario name (default: the script file name)')
    .action(async (file: string, flags: ImportFlags) => {
      const { importCommand } = await import('./import-run.js');
      setExit(await importCommand('artillery', file, flags, io));
    });
};
