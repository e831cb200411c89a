import { hostname } from 'node:os';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { AamError } from '../errors.ts';

export interface LockOptions {
  /** How long to keep trying before giving up, in milliseconds. */
  timeoutMs?: number;
  /** A lock older than this whose owner cannot be checked is taken over. */
  staleMs?: number;
}

interface LockRecord {
  pid: number;
  host: string;
  at: number;
}

/**
 * Runs `work` while holding an exclusive lock file. The lock survives only
 * while its owner lives: a lock left by a killed process on this host is
 * detected by its pid and taken over, so a crash never wedges the registry.
 */
export async function withFileLock<T>(lockPath: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const staleMs = options.staleMs ?? 10 * 60_000;
  let delay = 5;
  for (;;) {
    if (await tryAcquire(lockPath)) break;
    if (await isStale(lockPath, staleMs)) {
      await rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new AamError('REGISTRY_BUSY', `Another process holds ${lockPath}.`, {
        hint: 'Wait for the other publish or install to finish, then try again.',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 200);
  }
  try {
    return await work();
  } finally {
    await rm(lockPath, { force: true });
  }
}

async function tryAcquire(lockPath: string): Promise<boolean> {
  try {
    const handle = await open(lockPath, 'wx');
    const record: LockRecord = { pid: process.pid, host: hostname(), at: Date.now() };
    await handle.writeFile(JSON.stringify(record));
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  let record: Partial<LockRecord>;
  try {
    record = JSON.parse(await readFile(lockPath, 'utf8')) as Partial<LockRecord>;
  } catch {
    // Empty or half-written: the owner died between open and write, or is
    // writing right now. Give it a moment by age.
    return ageOf(lockPath).then((age) => age > 2_000);
  }
  if (record.host === hostname() && typeof record.pid === 'number') return !isAlive(record.pid);
  return Date.now() - (record.at ?? 0) > staleMs;
}

async function ageOf(path: string): Promise<number> {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return 0;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
