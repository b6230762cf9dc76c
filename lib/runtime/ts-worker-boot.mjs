// Bootstrap for worker threads whose code is TypeScript: on Node 20, `--import tsx` in a
// worker's execArgv does not install the loader inside the worker, so register it here and
// then load the real entry (passed as workerData.__entry).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__entry);
