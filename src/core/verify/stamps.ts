import { lstatSync } from 'node:fs';
import type { BigIntStats } from 'node:fs';

/**
 * What a file looked like when it was last read: size, inode, and mtime and
 * ctime in nanoseconds. ctime cannot be set from user space (touch -d moves
 * mtime, and bumps ctime), so an unchanged stamp means unchanged content —
 * once the file has settled (see `settled`).
 */
export interface FileStamp {
  size: string;
  ino: string;
  mtime: string;
  ctime: string;
}

/** A stamp, or null for a path that does not exist (its appearing is a change too). */
export function stampOf(path: string): FileStamp | null {
  const stats = lstatSync(path, { bigint: true, throwIfNoEntry: false });
  return stats ? stampOfStats(stats) : null;
}

export function stampOfStats(stats: BigIntStats): FileStamp {
  return { size: String(stats.size), ino: String(stats.ino), mtime: String(stats.mtimeNs), ctime: String(stats.ctimeNs) };
}

export function sameStamp(a: FileStamp | null | undefined, b: FileStamp | null | undefined): boolean {
  if (a === null || b === null) return a === b;
  return !!a && !!b && a.size === b.size && a.ino === b.ino && a.mtime === b.mtime && a.ctime === b.ctime;
}

export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/**
 * File-system timestamps are coarse (a clock tick, not a nanosecond): a write
 * in the same tick as the read leaves the stamp unchanged. Like git's "racy
 * clean" rule, a stamp this close to when it was taken proves nothing.
 */
const RACY_NS = 2_000_000_000n;

/** Whether a stamp taken at `takenAtNs` can vouch for "unchanged since" (otherwise: re-read). */
export function settled(stamp: FileStamp | null, takenAtNs: bigint): boolean {
  return stamp === null || takenAtNs - BigInt(stamp.ctime) > RACY_NS;
}
