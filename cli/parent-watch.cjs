// Preloaded (NODE_OPTIONS=--require) into the dashboard processes `faultline serve` starts.
// If serve dies without stopping them (SIGKILL, a crash), they are re-parented: exit then,
// so no orphaned Next.js server keeps a port and a database open. Plain CommonJS because it
// runs inside Next.js's own processes, which know nothing of TypeScript.
'use strict';
const parent = process.ppid;
const timer = setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1000);
timer.unref();
