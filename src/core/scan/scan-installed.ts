import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { MAX_UNPACKED_BYTES } from '../archive/limits.ts';
import type { FileDifferences } from './installed-files.ts';
import { nowNs, settled, stampOf, stampOfStats } from './stamps.ts';
import type { FileStamp } from './stamps.ts';

/** Stamps and hashes of an installed package folder: what the next scan may skip. */
export interface InstalledScan {
  /** When the scan started (ns since the epoch): stamps changed shortly before it are not trusted. */
  at: string;
  dirs: Record<string, FileStamp | null>;
  files: Record<string, { stamp: FileStamp; sha256: string }>;
}

/**
 * Compares an installed package folder with `expected` (path → SHA-256),
 * synchronously (it runs in verification workers). A file whose stamp is
 * unchanged since the previous scan, and was settled then, is not re-read.
 * With the archive's `contents` at hand, a file is compared byte for byte
 * with its entry, whose hash is `expected`, instead of being hashed again.
 * A symbolic link is never followed, to a file or a folder (`dir` itself
 * included): what is expected there is reported modified, as a link.
 */
export function scanInstalled(
  dir: string,
  expected: Record<string, string>,
  previous?: InstalledScan,
  contents?: ReadonlyMap<string, Uint8Array>,
  links?: Readonly<Record<string, string>>,
): { diff: FileDifferences; scan: InstalledScan } {
  const scan: InstalledScan = { at: String(nowNs()), dirs: {}, files: {} };
  const diff: FileDifferences = { modified: [], missing: [], added: [], example: undefined };
  const modified = (path: string, expectedHash: string, actual: string) => {
    diff.modified.push(path);
    diff.example ??= { path, expected: expectedHash, actual };
  };
  const seen = new Set<string>();
  // A folder that is a symbolic link is not entered, as a file that is one is not read: readdir would
  // follow it while its stamp (lstat) is the link's, so a file added where it leads would change no stamp.
  const linked = (rel: string) => {
    const under = rel ? `${rel}/` : '';
    const actual = `not read, as ${rel || 'the folder itself'} is a symbolic link (a link to a folder is not followed)`;
    let refused = false;
    for (const path in expected) {
      if (!path.startsWith(under) || seen.has(path)) continue;
      seen.add(path);
      modified(path, expected[path]!, actual);
      refused = true;
    }
    // Nothing expected there: an extra entry inside, and the whole folder unread at the root.
    if (!refused && rel) diff.added.push(rel);
    else if (!refused) modified('.', 'a folder', actual);
  };
  // aam installs an archive's symbolic link as that link (tarfile), where AAM Trust writes a copy: the same
  // link, to the same target as signed, is the file itself (its target is checked where it lies, as a file).
  const linkedFile = (path: string, want: string, target: string) => {
    const stamp = stampOf(join(dir, path));
    let actual: string | undefined;
    try {
      actual = readlinkSync(join(dir, path));
    } catch {
      actual = undefined;
    }
    if (stamp && actual === target) scan.files[path] = { stamp, sha256: want };
    else
      modified(path, want, `a symbolic link to ${JSON.stringify(actual)}, not to ${JSON.stringify(target)} as signed`);
  };
  const walk = (rel: string) => {
    const full = rel ? join(dir, rel) : dir;
    const stats = lstatOf(full);
    scan.dirs[rel] = stats ? stampOfStats(stats) : null;
    if (stats?.isSymbolicLink()) return linked(rel);
    let entries;
    try {
      entries = readdirSync(full, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory() || (entry.isSymbolicLink() && expected[path] === undefined)) {
        walk(path);
        continue;
      }
      seen.add(path);
      const want = expected[path];
      if (want === undefined) {
        diff.added.push(path);
        continue;
      }
      if (entry.isSymbolicLink() && links?.[path] !== undefined) {
        linkedFile(path, want, links[path]);
        continue;
      }
      const before = previous?.files[path];
      if (
        before &&
        entry.isFile() &&
        settled(before.stamp, previous!.at) &&
        before.stamp === stampOf(join(dir, path))
      ) {
        scan.files[path] = before;
        if (before.sha256 !== want) modified(path, want, before.sha256);
        continue;
      }
      const read = hashRegularFile(join(dir, path), contents?.get(path), want);
      if ('problem' in read) {
        modified(path, want, read.problem);
        continue;
      }
      scan.files[path] = read;
      if (read.sha256 !== want) modified(path, want, read.sha256);
    }
  };
  walk('');
  for (const path of Object.keys(expected)) if (!seen.has(path)) diff.missing.push(path);
  diff.modified.sort();
  diff.added.sort();
  return { diff, scan };
}

/**
 * Whether nothing in the folder changed since `scan`: same folders (so no
 * file added or removed), same files. Only meaningful for a scan whose
 * stamps had all settled (`scanSettled`).
 */
export function unchanged(dir: string, scan: InstalledScan): boolean {
  // Paths are joined by hand: the scan's relative paths are already normal, and this runs for every file on every check.
  for (const rel in scan.dirs) if (stampOf(rel ? `${dir}/${rel}` : dir) !== scan.dirs[rel]) return false;
  for (const rel in scan.files) if (stampOf(`${dir}/${rel}`) !== scan.files[rel]!.stamp) return false;
  return true;
}

/** Whether every stamp of a scan had settled when it was taken, so that an unchanged stamp means unchanged content. */
export function scanSettled(scan: InstalledScan): boolean {
  for (const rel in scan.dirs) if (!settled(scan.dirs[rel]!, scan.at)) return false;
  for (const rel in scan.files) if (!settled(scan.files[rel]!.stamp, scan.at)) return false;
  return true;
}

function lstatOf(path: string): BigIntStats | undefined {
  try {
    return lstatSync(path, { bigint: true, throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

const CHUNK = 1024 * 1024;
let chunk: Buffer | undefined;

/**
 * SHA-256 of a regular file, with the stamp of what was read. The file is
 * opened without following links and without blocking, and checked on the
 * open descriptor, so a FIFO or link swapped in after listing cannot hang or
 * redirect the read; a file larger than any archive can unpack is not read.
 * A file that reads exactly as `same` (bytes whose SHA-256 is `sameHash`)
 * is not hashed; from the first difference on, it is.
 */
function hashRegularFile(
  path: string,
  same?: Uint8Array,
  sameHash?: string,
): { stamp: FileStamp; sha256: string } | { problem: string } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    return {
      problem:
        (error as NodeJS.ErrnoException).code === 'ELOOP' ? 'a symbolic link, which is not followed' : 'unreadable',
    };
  }
  try {
    const stats = fstatSync(fd, { bigint: true });
    if (!stats.isFile()) return { problem: 'not a regular file' };
    if (stats.size > BigInt(MAX_UNPACKED_BYTES))
      return { problem: `${stats.size} bytes, larger than any package can unpack` };
    let equal = same !== undefined && sameHash !== undefined && BigInt(same.byteLength) === stats.size;
    let hash = equal ? undefined : createHash('sha256');
    let offset = 0;
    chunk ??= Buffer.allocUnsafe(CHUNK);
    // Up to the size the stamp records: bytes appended later change the stamp, and the next scan reads again.
    const size = Number(stats.size);
    while (offset < size) {
      const n = readSync(fd, chunk, 0, Math.min(CHUNK, size - offset), null);
      if (n === 0) break;
      const piece = n === CHUNK ? chunk : chunk.subarray(0, n);
      if (equal && !piece.equals(same!.subarray(offset, offset + n))) {
        equal = false;
        hash = createHash('sha256').update(same!.subarray(0, offset));
      }
      hash?.update(piece);
      offset += n;
    }
    if (equal && offset !== same!.byteLength) hash = createHash('sha256').update(same!.subarray(0, offset));
    return { stamp: stampOfStats(stats), sha256: hash ? hash.digest('hex') : sameHash! };
  } catch {
    return { problem: 'unreadable' };
  } finally {
    closeSync(fd);
  }
}
