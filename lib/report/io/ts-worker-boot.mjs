// Boot file of the trace reader thread: the CLI's TypeScript runs through tsx, and on Node 20 a
// worker does not inherit the parent's loader, so register it here, then load the real entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
