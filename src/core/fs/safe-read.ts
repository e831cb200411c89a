import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { BigIntStats, Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { AamError } from '../errors.ts';

/**
 * What a file is read as, and the most bytes it may hold. Evidence comes from
 * places a pull request or a registry controls: a link to /dev/zero or a FIFO
 * there must be refused at once, not read until memory or patience runs out.
 */
export const READ_LIMITS = {
  archive: 50 * 1024 * 1024,
  signature: 1024 * 1024,
  lock: 8 * 1024 * 1024,
  record: 8 * 1024 * 1024,
  config: 1024 * 1024,
  registry: 256 * 1024,
  metadata: 8 * 1024 * 1024,
  index: 8 * 1024 * 1024,
  key: 1024 * 1024,
  'trusted-root': 4 * 1024 * 1024,
  /**
   * An installed aam.yaml, read for the places it claims: as large as an archive unpacks, since a run
   * over every package takes those claims from the archive's own text, which only that bounds.
   */
  manifest: 50 * 1024 * 1024,
  /** A signed delegation or revocation (a registry's delegations/). */
  delegation: 256 * 1024,
  /** A deployed copy, or a shared file (CLAUDE.md, AGENTS.md) that holds deployed sections. */
  deployed: 50 * 1024 * 1024,
  /** A lock file's holder (its pid, host and time), in `.aam/.install.lock` or a registry's `.publish.lock`. */
  holder: 4 * 1024,
  /** The evidence cache's note that an archive was installed from a `.aam` file (`from-file/<digest>`). */
  marker: 4 * 1024,
} as const;

export type ReadKind = keyof typeof READ_LIMITS;

export interface SafeReadOptions {
  /**
   * Follow a symbolic link at the last path component (the target must still
   * be a regular file within the limit). Only for the user's own files, such
   * as a global config kept in a dotfiles folder; never for evidence.
   */
  followLinks?: boolean;
}

/** Bytes of a regular file and its stats; undefined when nothing is there. Throws FILE_REFUSED for anything else. */
export async function readRegularFile(
  path: string,
  kind: ReadKind,
  options: SafeReadOptions = {},
): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await open(path, flags(options));
  } catch (error) {
    return missingOrRefused(path, error);
  }
  try {
    const stats = await handle.stat({ bigint: true });
    const size = checked(path, kind, stats);
    const bytes = Buffer.allocUnsafeSlow(size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(bytes, offset, size - offset, null);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return offset === size ? bytes : bytes.subarray(0, offset);
  } finally {
    await handle.close();
  }
}

/** The same, synchronously, with the stats of what was read (verification workers stamp evidence with them). */
export function readRegularFileSync(path: string, kind: ReadKind): { bytes: Buffer; stats: BigIntStats } | undefined {
  return openedSync(path, (fd) => {
    const stats = fstatSync(fd, { bigint: true });
    const size = checked(path, kind, stats);
    return { bytes: readAllSync(fd, Buffer.allocUnsafeSlow(size)), stats };
  });
}

/**
 * `readRegularFileSync`'s bytes alone, read into `scratch` when they fit (then a
 * view of it, good until its next use) and without the stamp's BigInt stats:
 * for reading many small files of which few are kept (the other packages'
 * manifests that `verify NAME` looks through). The same refusals.
 */
export function readRegularFileIntoSync(path: string, kind: ReadKind, scratch: Buffer): Buffer | undefined {
  return openedSync(path, (fd) => {
    const size = checked(path, kind, fstatSync(fd));
    return readAllSync(fd, size <= scratch.length ? scratch.subarray(0, size) : Buffer.allocUnsafeSlow(size));
  });
}

/** `read` on the file opened as the safe reads open it (no link followed, no FIFO waited for); undefined when nothing is there. */
function openedSync<T>(path: string, read: (fd: number) => T): T | undefined {
  let fd: number;
  try {
    fd = openSync(path, flags({}));
  } catch (error) {
    return missingOrRefused(path, error);
  }
  try {
    return read(fd);
  } finally {
    closeSync(fd);
  }
}

/** Fills `bytes` from `fd`, up to its length (the size stamped: bytes appended later change the stamp, and the next check reads again). */
function readAllSync(fd: number, bytes: Buffer): Buffer {
  let offset = 0;
  while (offset < bytes.length) {
    const n = readSync(fd, bytes, offset, bytes.length - offset, null);
    if (n === 0) break;
    offset += n;
  }
  return offset === bytes.length ? bytes : bytes.subarray(0, offset);
}

function flags(options: SafeReadOptions): number {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; the fstat below then refuses it.
  return constants.O_RDONLY | constants.O_NONBLOCK | (options.followLinks ? 0 : constants.O_NOFOLLOW);
}

function checked(path: string, kind: ReadKind, stats: BigIntStats | Stats): number {
  if (!stats.isFile()) throw refused(path, `is not a regular file (${describe(stats)})`);
  if (BigInt(stats.size) > BigInt(READ_LIMITS[kind]))
    throw refused(
      path,
      `is ${stats.size} bytes, more than any ${kind.replace('-', ' ')} file may be (${READ_LIMITS[kind]})`,
    );
  return Number(stats.size);
}

function missingOrRefused(path: string, error: unknown): undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
  if (code === 'ELOOP')
    throw refused(path, 'is a symbolic link; AAM Trust reads this file only when it is a regular file');
  throw new AamError('IO', `Cannot read ${path}: ${(error as Error).message}`, { cause: error });
}

function refused(path: string, why: string): AamError {
  return new AamError('FILE_REFUSED', `${path} ${why}.`, {
    hint: 'Replace it with the regular file it should be; links, FIFOs, devices and oversized files are never read.',
  });
}

function describe(stats: BigIntStats | Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}
