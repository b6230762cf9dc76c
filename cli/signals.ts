// Long-running commands stop on Ctrl-C (SIGINT), SIGTERM, or — when a supervisor started them
// with an IPC channel — when that supervisor goes away, so no orphan keeps a port open.
export function waitForStop(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (why: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      process.off('disconnect', onDisconnect);
      resolve(why);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    const onDisconnect = () => stop('supervisor gone');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    if (process.send) process.on('disconnect', onDisconnect);
  });
}
