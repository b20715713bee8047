import type { RegisterCommand } from '../main.js';

/** Placeholder: replaced by the real `rampart mocks` command. */
export const registerMocks: RegisterCommand = (program, io, setExit) => {
  program.command('mocks').description('(not built yet)').action(() => {
    io.stderr.write('rampart mocks: not built yet\n');
    setExit(3);
  });
};
