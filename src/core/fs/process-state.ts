import { readFileSync } from 'node:fs';

/**
 * Whether a process that left a lock behind still runs. `zombie`: it has
 * exited but its parent has not reaped it — `kill(pid, 0)` still succeeds,
 * yet it will never release anything. `gone`: no such process, or the pid now
 * belongs to another process (its start time differs from the one recorded).
 */
export type ProcessState = 'alive' | 'zombie' | 'gone';

/** Where Linux describes a process; a parameter so tests can point it elsewhere. */
const PROC = '/proc';

/**
 * The state of `pid` on this host. With `startTime` (from `processStartTime`
 * when the lock was taken) a pid reused by a newer process counts as gone.
 * Without /proc (macOS, say) only `kill(pid, 0)` can answer: alive or gone.
 */
export function processState(pid: number, startTime?: string, proc = PROC): ProcessState {
  if (!Number.isInteger(pid) || pid <= 0) return 'gone';
  const stat = readStat(pid, proc);
  if (stat === null) return signalable(pid) ? 'alive' : 'gone';
  if (stat === undefined) return 'gone';
  // Z: zombie; X: dead (being reaped) — neither will ever release a lock.
  if (stat.state === 'Z' || stat.state === 'X') return 'zombie';
  if (startTime !== undefined && stat.startTime !== startTime) return 'gone';
  return 'alive';
}

/** This process's start time (clock ticks since boot, from /proc), to tell a reused pid apart; undefined without /proc. */
export function processStartTime(pid = process.pid, proc = PROC): string | undefined {
  return readStat(pid, proc)?.startTime;
}

/** /proc/PID/stat's state and start time; undefined when the process does not exist, null when /proc is not there. */
function readStat(pid: number, proc: string): { state: string; startTime: string } | undefined | null {
  let text: string;
  try {
    text = readFileSync(`${proc}/${pid}/stat`, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return readProcAvailable(proc) ? undefined : null;
    return null;
  }
  // "PID (COMM) STATE PPID …": COMM may hold spaces and parentheses, so fields count from the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After COMM: state is field 3 of the file, starttime field 22.
  return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
}

function readProcAvailable(proc: string): boolean {
  try {
    readFileSync(`${proc}/self/stat`);
    return true;
  } catch {
    return false;
  }
}

function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
