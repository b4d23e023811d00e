/**
 * CPU time and RSS of a process and every process below it, read from Linux's /proc — so a
 * program that starts helpers (a `ping`, a worker process) is charged for them too. CPU of a
 * descendant that already exited counts only once its parent waited for it (cutime/cstime).
 */
import { readFileSync, readdirSync } from 'node:fs';

const CLOCK_TICKS = 100;

const statFields = (pid: number): string[] | undefined => {
  try {
    // Fields after the command name (which may hold spaces and parentheses): state is [0].
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(') ') + 2).split(' ');
  } catch {
    return undefined; // exited between the listing and the read
  }
};

/** The pid and all its living descendants. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(Number(entry));
    if (!f) continue;
    const ppid = Number(f[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!) ?? []));
  return out;
}

/** User + system CPU milliseconds of the tree (and of the root's waited-for children). */
export function treeCpuMs(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) {
    const f = statFields(pid);
    if (!f) continue;
    ticks += Number(f[11]) + Number(f[12]);
    if (pid === root) ticks += Number(f[13]) + Number(f[14]);
  }
  return (ticks * 1000) / CLOCK_TICKS;
}

/** When the process started, in clock ticks since boot (compare with {@link uptimeTicks}). */
export function startTicks(pid: number): number | undefined {
  const f = statFields(pid);
  return f ? Number(f[19]) : undefined;
}

/** Clock ticks since boot, now. */
export function uptimeTicks(): number {
  return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * CLOCK_TICKS;
}

/** Resident memory of the tree, MiB (shared pages counted once per process). */
export function treeRssMiB(root: number): number {
  let kib = 0;
  for (const pid of processTree(root)) {
    try {
      kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // exited
    }
  }
  return Math.round(kib / 1024);
}
