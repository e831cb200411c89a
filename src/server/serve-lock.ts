import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AamError } from '../core/errors.ts';
import { processState, processStartTime } from '../core/fs/process-state.ts';
import type { ProcessState } from '../core/fs/process-state.ts';

/**
 * What a running instance with an embedded database keeps in its data folder
 * (0600): an embedded database opens in one process only, so this file says
 * which one, where it listens (once it does), and the key with which
 * `registry token create` on the same host asks it for a token.
 */
export interface ServeLock {
  pid: number;
  /** The process's start time (from /proc), so a pid reused by another process does not look like the holder. */
  start?: string | undefined;
  host: string;
  /** Empty until the instance listens. */
  url: string;
  admin_key: string;
}

export function lockPath(dataDir: string): string {
  return join(dataDir, 'serving.json');
}

async function readLock(dataDir: string): Promise<ServeLock | undefined> {
  try {
    const lock = JSON.parse(await readFile(lockPath(dataDir), 'utf8')) as Partial<ServeLock>;
    return typeof lock.pid === 'number' ? (lock as ServeLock) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the lock's holder still runs; a lock from another host cannot be checked, so it counts as held. */
function holderState(lock: ServeLock): ProcessState {
  if (lock.host !== undefined && lock.host !== hostname()) return 'alive';
  return processState(lock.pid, lock.start);
}

/** The instance serving `dataDir`'s embedded database, if one is alive and listening. */
export async function servingInstance(dataDir: string): Promise<ServeLock | undefined> {
  const lock = await readLock(dataDir);
  return lock && lock.url && holderState(lock) === 'alive' ? lock : undefined;
}

/**
 * Takes the data folder for this process before its database is opened: the
 * file is created exclusively, so of two instances starting at once one
 * wins. A lock whose process is gone (killed, or a zombie nobody reaped) is
 * taken over, and `notice` says so; a live holder is REGISTRY_BUSY.
 */
export async function acquireServeLock(
  dataDir: string,
  adminKey: string,
  notice: (message: string) => void,
): Promise<{ publish(url: string): Promise<void>; release(): Promise<void> }> {
  await mkdir(dataDir, { recursive: true });
  const path = lockPath(dataDir);
  const mine: ServeLock = {
    pid: process.pid,
    start: processStartTime(),
    host: hostname(),
    url: '',
    admin_key: adminKey,
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(mine));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (attempt >= 50)
        throw new AamError('REGISTRY_BUSY', `${path} keeps being taken by another starting instance.`, {
          cause: error,
        });
    }
    await takeOverIfStale(dataDir, notice);
  }
  return {
    // Replaced whole (written aside, renamed over), so a reader never sees half of it.
    async publish(url) {
      const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify({ ...mine, url }));
      } finally {
        await handle.close();
      }
      await rename(temp, path);
    },
    async release() {
      const current = await readLock(dataDir);
      if (current?.pid === process.pid) await rm(path, { force: true });
    },
  };
}

async function takeOverIfStale(dataDir: string, notice: (message: string) => void): Promise<void> {
  const path = lockPath(dataDir);
  const lock = await readLock(dataDir);
  if (!lock) {
    // Unreadable: a start killed between creating the file and writing it (or one writing right now).
    if ((await ageOf(path)) < 2_000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      return;
    }
    notice(`Taking over ${path}: it was left empty or unreadable by a start that did not finish.`);
    await rm(path, { force: true });
    return;
  }
  const state = holderState(lock);
  if (state === 'alive')
    throw new AamError(
      'REGISTRY_BUSY',
      `${dataDir} is already served by process ${lock.pid}${lock.host === hostname() ? '' : ` on ${lock.host}`}${lock.url ? ` at ${lock.url}` : ''}.`,
      {
        hint: 'An embedded database serves one process; for several instances use --database postgres://… .',
      },
    );
  notice(
    `Taking over ${path}: process ${lock.pid}, which held it, ${state === 'zombie' ? 'has exited (a zombie its parent has not reaped)' : 'is gone'}.`,
  );
  // Two instances may both find it stale: the guard lets one of them remove it, and the other then finds the new lock.
  const guard = `${path}.takeover`;
  try {
    const handle = await open(guard, 'wx');
    await handle.close();
  } catch {
    // A takeover takes a moment; a guard this old was left by a start killed during one.
    if ((await ageOf(guard)) > 10_000) await rm(guard, { force: true });
    await new Promise((resolve) => setTimeout(resolve, 100));
    return;
  }
  try {
    const again = await readLock(dataDir);
    if (again?.pid === lock.pid && again.start === lock.start) await rm(path, { force: true });
  } finally {
    await rm(guard, { force: true });
  }
}

async function ageOf(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  return info ? Date.now() - info.mtimeMs : 0;
}
