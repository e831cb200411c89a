import { closeSync, constants, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '../archive/hash.ts';
import { MAX_ARCHIVE_BYTES } from '../archive/limits.ts';
import { messageOf } from '../errors.ts';
import type { LockedPackage } from '../lockfile/lockfile.ts';
import { archivePathIn, SIGNATURE_SUFFIX } from '../registry/layout.ts';
import type { StoredSignature } from '../registry/local-registry.ts';
import type { PackageEvidence } from './check-package.ts';
import { sizeOf, stampOf, stampOfStats } from './stamps.ts';
import type { FileStamp } from './stamps.ts';

/**
 * Where a package's archive and signatures are to be found, as plain data
 * (verification workers receive it): its source registry's folder, and the
 * offline evidence cache to fall back on.
 */
export interface EvidenceSource {
  registry: { name: string; root: string } | undefined;
  /** Why the registry is not consulted (offline, not configured, not local). */
  registryProblem: string | undefined;
  cacheDir: string;
}

/** A content-addressed blob's path in the offline evidence cache. */
export function cachePath(cacheDir: string, digest: string): string {
  return join(cacheDir, 'sha256', digest.replace(/^sha256:/, ''));
}

/**
 * Reads the archive and signature files an installed package was installed
 * from: its source registry first, else the offline evidence cache. Every
 * path consulted is stamped before it is read, into `stamps`: a later
 * verification may trust an earlier result only while those stamps hold.
 */
export function gatherEvidence(name: string, entry: LockedPackage, installedDir: string, source: EvidenceSource, stamps: Record<string, FileStamp | null> = {}): PackageEvidence {
  const base = { name, entry, installedDir };
  const read = (path: string): { bytes: Buffer } | { problem: string } | undefined => {
    const file = readStamped(path);
    stamps[path] = file.stamp;
    return file.stamp === null ? undefined : file.read;
  };
  let registryProblem = source.registryProblem;
  if (source.registry) {
    let archivePath: string | undefined;
    try {
      archivePath = archivePathIn(source.registry.root, name, entry.version);
    } catch (error) {
      registryProblem = messageOf(error);
    }
    if (archivePath) {
      const archive = read(archivePath);
      if (archive && 'problem' in archive) return { ...base, archive: undefined, archiveRefused: archive.problem, archiveOrigin: archivePath, signatures: [] };
      if (archive) {
        const signatures: StoredSignature[] = [];
        // With a signature recorded at install, only a file of that kind can be the one it names.
        for (const type of recordedType(entry) ? [recordedType(entry)!] : (['sigstore', 'gpg'] as const)) {
          const path = `${archivePath}${SIGNATURE_SUFFIX[type]}`;
          const signature = read(path);
          if (signature && 'bytes' in signature) signatures.push({ type, file: path.split(/[/\\]/).pop()!, path, bytes: signature.bytes });
        }
        return { ...base, archive: archive.bytes, archiveOrigin: archivePath, signatures };
      }
      registryProblem = `the archive of ${name}@${entry.version} is missing from registry "${source.registry.name}"`;
    }
  }
  const fromCache = (digest: string) => {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) return undefined;
    const blob = read(cachePath(source.cacheDir, digest));
    // A blob is only ever used when its bytes still hash to the name it was asked by.
    return blob && 'bytes' in blob && `sha256:${sha256Hex(blob.bytes)}` === digest ? blob.bytes : undefined;
  };
  const archive = fromCache(entry.checksum);
  if (!archive) {
    return { ...base, archive: undefined, archiveOrigin: registryProblem ? `${registryProblem}, and it is not in the offline cache` : 'it is not in the offline cache (run Prepare Offline Verification while the registry is reachable)', signatures: [] };
  }
  const signatures: StoredSignature[] = [];
  const type = recordedType(entry);
  if (type && typeof entry.signature!.bundle_digest === 'string') {
    const bytes = fromCache(entry.signature!.bundle_digest);
    if (bytes) signatures.push({ type, file: `${entry.version}.aam${SIGNATURE_SUFFIX[type]}`, path: cachePath(source.cacheDir, entry.signature!.bundle_digest), bytes });
  }
  return { ...base, archive, archiveOrigin: `offline cache ${cachePath(source.cacheDir, entry.checksum)}`, signatures };
}

/**
 * A registry or cache file's bytes, with the stamp of what was read (null:
 * nothing there). The file is opened without following links and without
 * blocking, and stamped on the open descriptor, so the stamp and the bytes are
 * of one file and a FIFO or device in its place cannot hang the read. A link
 * is stamped as a link and read through, as registries may link versions.
 */
function readStamped(path: string): { stamp: FileStamp | null; read?: { bytes: Buffer } | { problem: string } } {
  const tooLarge = (size: number) => ({ problem: `${path} is ${size} bytes, more than any archive or signature may be` });
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { stamp: null };
    const stamp = stampOf(path);
    if (!stamp || code !== 'ELOOP') return { stamp, read: { problem: messageOf(error) } };
    if (sizeOf(stamp) > MAX_ARCHIVE_BYTES) return { stamp, read: tooLarge(sizeOf(stamp)) };
    try {
      return { stamp, read: { bytes: readFileSync(path) } };
    } catch (linked) {
      return { stamp, read: { problem: messageOf(linked) } };
    }
  }
  try {
    const stats = fstatSync(fd, { bigint: true });
    const stamp = stampOfStats(stats);
    if (!stats.isFile()) return { stamp, read: { problem: `${path} is not a regular file` } };
    const size = Number(stats.size);
    if (size > MAX_ARCHIVE_BYTES) return { stamp, read: tooLarge(size) };
    // Up to the size stamped: bytes appended later change the stamp, and the next check reads again.
    const bytes = Buffer.allocUnsafeSlow(size);
    let offset = 0;
    while (offset < size) {
      const n = readSync(fd, bytes, offset, size - offset, null);
      if (n === 0) break;
      offset += n;
    }
    return { stamp, read: { bytes: offset === size ? bytes : bytes.subarray(0, offset) } };
  } catch (error) {
    return { stamp: stampOf(path), read: { problem: messageOf(error) } };
  } finally {
    closeSync(fd);
  }
}

/** The kind of signature the lock file recorded at install, when it names one this tool knows. */
function recordedType(entry: LockedPackage): 'sigstore' | 'gpg' | undefined {
  const type = (entry.signature as { type?: unknown } | undefined)?.type;
  return type === 'sigstore' || type === 'gpg' ? type : undefined;
}
