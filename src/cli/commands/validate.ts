import type { RegisterCommand } from '../main.js';

/** Placeholder: replaced by the real `rampart validate` command. */
export const registerValidate: RegisterCommand = (program, io, setExit) => {
  program.command('validate').description('(not built yet)').action(() => {
    io.stderr.write('rampart validate: not built yet\n');
    setExit(3);
  });
};
