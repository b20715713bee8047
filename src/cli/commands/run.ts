import type { RegisterCommand } from '../main.js';

/** Placeholder: replaced by the real `rampart run` command. */
export const registerRun: RegisterCommand = (program, io, setExit) => {
  program.command('run').description('(not built yet)').action(() => {
    io.stderr.write('rampart run: not built yet\n');
    setExit(3);
  });
};
