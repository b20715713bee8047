// Runs a worker entry written in TypeScript (tests and `tsx` runs): registers tsx's loader in this
// thread, then imports the entry named by the spawner. The compiled package never uses this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
