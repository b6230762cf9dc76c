// The process tree under a pid, read from /proc (Linux): what a test must find gone after a stop.
import { readdirSync, readFileSync } from 'node:fs';

export interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  cmd: string;
}

export function processes(): Proc[] {
  const out: Proc[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      // state, ppid, pgrp; zombies are gone for our purpose (their parent reaps them).
      if (fields[0] === 'Z') continue;
      out.push({ pid: Number(e), ppid: Number(fields[1]), pgid: Number(fields[2]), cmd: stat.slice(stat.indexOf('(') + 1, close) });
    } catch {
      // Exited while we looked.
    }
  }
  return out;
}

export function descendants(root: number): Proc[] {
  const all = processes();
  const found = new Map<number, Proc>();
  const self = all.find((p) => p.pid === root);
  if (self) found.set(root, self);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.set(p.pid, p);
        grew = true;
      }
    }
  }
  return [...found.values()];
}

/** Which of `procs` are still alive (zombies count as gone: their parent reaps them). */
export function stillAlive(procs: Iterable<Proc>): Proc[] {
  const live = new Set(processes().map((p) => p.pid));
  return [...procs].filter((p) => live.has(p.pid));
}
