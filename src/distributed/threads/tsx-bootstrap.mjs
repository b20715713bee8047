// Runs a worker entry written in TypeScript (tests and `tsx` runs): registers tsx's loader in this
// thread, then imports the worker entry next to it (a fixed name: no module is loaded by a computed
// string). The compiled package never uses this file.
import { register } from 'tsx/esm/api';

register();
await import('./worker-main.ts');
