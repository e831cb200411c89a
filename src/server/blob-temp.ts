import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { processState, processStartTime } from '../core/fs/process-state.ts';

/** Where a folder blob store writes a blob before renaming it into place (same file system, so the rename is atomic). */
export const TEMP_DIR = '.tmp';

/** A writer's temporary file of another host, or one whose process cannot be checked, is removed after this long. */
const ABANDONED_MS = 60 * 60_000;

/** This host, short and safe in a file name: instances on several hosts may share the folder. */
const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
const START = processStartTime() ?? 'x';

/** `<key>.<host>.<pid>.<start>.<random>.tmp`: enough to tell whether its writer still runs. */
export function tempName(key: string): string {
  return `${key}.${HOST}.${process.pid}.${START}.${randomBytes(6).toString('hex')}.tmp`;
}

/**
 * Removes the temporary files of writers that are gone: on this host, when
 * their process no longer runs (or is a zombie, or its pid now names another
 * process); from other hosts, or of an unknown form, once they are an hour
 * old. A live writer's file is left alone — another instance may be writing.
 */
export async function sweepTemporaryFiles(dir: string): Promise<number> {
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const [, host, pid, start] = /^[0-9a-f]{64}\.([0-9a-f]{8})\.(\d+)\.(\d+|x)\.[0-9a-f]+\.tmp$/.exec(name) ?? [];
    let gone: boolean;
    if (host === HOST) gone = processState(Number(pid), start === 'x' ? undefined : start) !== 'alive';
    else {
      const info = await stat(join(dir, name)).catch(() => undefined);
      gone = info !== undefined && Date.now() - info.mtimeMs > ABANDONED_MS;
    }
    if (gone) {
      await rm(join(dir, name), { force: true });
      removed++;
    }
  }
  return removed;
}
