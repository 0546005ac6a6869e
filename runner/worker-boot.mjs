// Entry of each worker thread: registers tsx's loader in the thread, then loads the TypeScript
// worker. (Node 20 does not apply `execArgv: ['--import', 'tsx']` to a worker's .ts entry.)
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
