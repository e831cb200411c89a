import { lstatSync } from 'node:fs';
import type { BigIntStats } from 'node:fs';

/**
 * What a file looked like when it was last read, as `size:inode:mtime:ctime`
 * (times in nanoseconds). ctime cannot be set from user space (touch -d
 * moves mtime, and bumps ctime), so an unchanged stamp means unchanged
 * content — once the file has settled (see `settled`).
 */
export type FileStamp = string;

/**
 * A stamp, or null for a path that does not exist or cannot be looked at
 * (its appearing is a change too). Links are stamped, never followed.
 */
export function stampOf(path: string): FileStamp | null {
  try {
    const stats = lstatSync(path, { bigint: true, throwIfNoEntry: false });
    return stats ? stampOfStats(stats) : null;
  } catch {
    return null;
  }
}

export function stampOfStats(stats: BigIntStats): FileStamp {
  return `${stats.size}:${stats.ino}:${stats.mtimeNs}:${stats.ctimeNs}`;
}

export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/**
 * File-system timestamps are coarse (a clock tick, not a nanosecond): a write
 * in the same tick as the read leaves the stamp unchanged. Like git's "racy
 * clean" rule, a stamp this close to when it was taken proves nothing.
 */
const RACY_MS = 2_000;

/** Whether a stamp taken at `takenAtNs` can vouch for "unchanged since" (otherwise: re-read). */
export function settled(stamp: FileStamp | null, takenAtNs: string): boolean {
  if (stamp === null) return true;
  const ctimeMs = Number(stamp.slice(stamp.lastIndexOf(':') + 1)) / 1e6;
  return Number(takenAtNs) / 1e6 - ctimeMs > RACY_MS;
}

/** The file size a stamp records. */
export function sizeOf(stamp: FileStamp): number {
  return Number(stamp.slice(0, stamp.indexOf(':')));
}
