/**
 * CPU time of processes, from /proc (Linux): what a measured slice cost the
 * registry's processes and the PostgreSQL server, whatever else the machine
 * was doing — on a shared machine, the figure that does not depend on the
 * other jobs' load. Elsewhere: undefined.
 */
import { readdir, readFile } from 'node:fs/promises';

const TICK_MS = 10;

/** utime + stime (+ the children it waited for), in ms; undefined when there is no such process. */
async function cpuOf(pid: number, withChildren = false): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat) return undefined;
  // Fields after the command (which may hold spaces): state is field 3, utime 14, stime 15, cutime 16, cstime 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]) + (withChildren ? Number(fields[13]) + Number(fields[14]) : 0);
  return ticks * TICK_MS;
}

async function parentOf(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : undefined;
}

/** The PostgreSQL server listening on `port`: its postmaster's pid (found by its command line). */
export async function postmasterOn(port: number): Promise<number | undefined> {
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    if (/postgres$/.test(args[0] ?? '') && args.includes('-p') && args[args.indexOf('-p') + 1] === String(port))
      return Number(entry);
  }
  return undefined;
}

/** CPU ms of the processes `pids`, plus a PostgreSQL server's (its postmaster, its backends and those that ended). */
export async function cpuNow(
  pids: readonly number[],
  postmaster?: number,
): Promise<{ server: number; database: number }> {
  let server = 0;
  for (const pid of pids) server += (await cpuOf(pid)) ?? 0;
  let database = 0;
  if (postmaster !== undefined) {
    database += (await cpuOf(postmaster, true)) ?? 0;
    for (const entry of await readdir('/proc').catch(() => [] as string[]))
      if (/^\d+$/.test(entry) && (await parentOf(Number(entry))) === postmaster)
        database += (await cpuOf(Number(entry))) ?? 0;
  }
  return { server, database };
}

/**
 * The whole machine's busy CPU time (every core, every process: user, nice,
 * system, interrupts, steal), in ms, from /proc/stat: over a slice, with the
 * slice's wall time, how many of the cores were in use. Elsewhere: undefined.
 */
export async function machineBusyMs(): Promise<number | undefined> {
  const stat = await readFile('/proc/stat', 'utf8').catch(() => undefined);
  const total = stat?.split('\n', 1)[0];
  if (!total?.startsWith('cpu ')) return undefined;
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  const [user, nice, system, , , irq, softirq, steal] = total.trim().split(/\s+/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) * TICK_MS;
}
