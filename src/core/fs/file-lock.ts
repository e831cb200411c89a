import { hostname } from 'node:os';
import { open, rm, stat } from 'node:fs/promises';
import { AamError } from '../errors.ts';
import { processState } from './process-state.ts';
import { readRegularFile } from './safe-read.ts';

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

/** In-process waiters queue here, first come first served, instead of racing each other for the file. */
const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `work` while holding an exclusive lock file. The lock survives only
 * while its owner lives: a lock left by a killed process on this host is
 * detected by its pid and taken over, so a crash never wedges the registry.
 * Waiting gives up (REGISTRY_BUSY) only when one holder keeps the lock for
 * `timeoutMs`; a lock that keeps changing hands means progress.
 */
export async function withFileLock<T>(lockPath: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const previous = queues.get(lockPath) ?? Promise.resolve();
  const mine = previous.then(
    () => holdFileLock(lockPath, work, options),
    () => holdFileLock(lockPath, work, options),
  );
  const tail = mine.catch(() => undefined);
  queues.set(lockPath, tail);
  try {
    return await mine;
  } finally {
    if (queues.get(lockPath) === tail) queues.delete(lockPath);
  }
}

async function holdFileLock<T>(lockPath: string, work: () => Promise<T>, options: LockOptions): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const staleMs = options.staleMs ?? 10 * 60_000;
  let deadline = Date.now() + timeoutMs;
  let holder: string | undefined;
  let delay = 5;
  for (;;) {
    if (await tryAcquire(lockPath)) break;
    if (await isStale(lockPath, staleMs)) {
      await takeOver(lockPath, staleMs);
      continue;
    }
    const current = (await readHolder(lockPath).catch(() => '')) ?? '';
    if (current !== holder) {
      holder = current;
      deadline = Date.now() + timeoutMs;
    }
    if (Date.now() > deadline) {
      throw new AamError(
        'REGISTRY_BUSY',
        `Another process has held ${lockPath} for ${Math.round(timeoutMs / 1000)} s.`,
        {
          hint: 'Wait for the other publish or install to finish, then try again.',
        },
      );
    }
    // Jitter, so processes polling the same lock do not move in step.
    await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
    delay = Math.min(delay * 2, 100);
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

/**
 * Removes a stale lock. Two waiters can both see it stale; a guard file lets
 * one of them re-check and remove it, so neither removes the fresh lock the
 * other may have taken meanwhile.
 */
async function takeOver(lockPath: string, staleMs: number): Promise<void> {
  const guard = `${lockPath}.takeover`;
  if (!(await tryAcquire(guard))) {
    // A takeover takes microseconds; a guard this old was left by a crash.
    if ((await ageOf(guard)) > 10_000) await rm(guard, { force: true });
    return;
  }
  try {
    if (await isStale(lockPath, staleMs)) await rm(lockPath, { force: true });
  } finally {
    await rm(guard, { force: true });
  }
}

async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  let record: Partial<LockRecord>;
  let text: string | undefined;
  try {
    text = await readHolder(lockPath);
  } catch {
    // A link, a FIFO, a device or a huge file: no lock this tool wrote (a repository can commit one), never held.
    return true;
  }
  try {
    record = JSON.parse(text ?? '') as Partial<LockRecord>;
  } catch {
    // Empty or half-written: the owner died between open and write, or is
    // writing right now. Give it a moment by age.
    return ageOf(lockPath).then((age) => age > 2_000);
  }
  // A zombie has exited (only its parent has not reaped it): it will never release the lock.
  if (record.host === hostname() && typeof record.pid === 'number') return processState(record.pid) !== 'alive';
  return Date.now() - (record.at ?? 0) > staleMs;
}

async function ageOf(path: string): Promise<number> {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return 0;
  }
}

/** A lock's holder record, read as a regular file of at most a few KB: never through a link (to /dev/zero…). */
async function readHolder(lockPath: string): Promise<string | undefined> {
  return (await readRegularFile(lockPath, 'holder'))?.toString('utf8');
}
