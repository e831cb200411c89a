import { join } from 'node:path';
import { isChecksum, sha256Hex } from '../../archive/hash.ts';
import { readRegularFileSync } from '../../fs/safe-read.ts';
import type { ReadKind } from '../../fs/safe-read.ts';
import { messageOf } from '../../errors.ts';
import type { LockedPackage } from '../../lockfile/lockfile.ts';
import { parseYamlMapping } from '../../yaml/io.ts';
import { archivePathIn, SIGNATURE_SUFFIX } from '../../registry/layout.ts';
import type { StoredSignature } from '../../registry/local-registry.ts';
import { stampOf, stampOfStats } from '../../scan/stamps.ts';
import type { FileStamp } from '../../scan/stamps.ts';

/**
 * Where a package's archive and signatures are to be found, as plain data
 * (verification workers receive it): its source registry's folder, and the
 * offline evidence cache to fall back on.
 */
/** What verification has to go on for one installed package. */
export interface PackageEvidence {
  name: string;
  entry: LockedPackage;
  /** Bytes whose SHA-256 is the lock file's checksum, from the registry or the evidence cache; undefined when neither has them. */
  archive: Buffer | undefined;
  /** Where the archive came from (registry path or cache), or why it is missing. */
  archiveOrigin: string;
  signatures: StoredSignature[];
  /** The signature captured at install, when neither the registry nor the cache still has its bytes. */
  capturedMissing?: CapturedSignature | undefined;
  /** What the registry now serves that differs from what was installed. */
  registryChanges: RegistryChange[];
  /** The source registry's registry.yaml says `require_signatures: true`. */
  registryRequiresSignatures: boolean;
  installedDir: string;
}

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

/** The signature an installed package was captured with: its kind and the digest of its file. */
export interface CapturedSignature {
  type: 'sigstore' | 'gpg';
  digest: string;
}

/**
 * A registry that no longer serves what was installed from it: other bytes,
 * or nothing, where a published version's archive or signature was. A
 * finding of its own: the installed package is judged by what was captured.
 */
export interface RegistryChange {
  what: 'archive' | 'signature';
  path: string;
  /** `replaced`: other bytes (or something that is not a file) are there; `removed`: nothing is. */
  change: 'replaced' | 'removed';
  expected: string;
  actual: string;
}

/**
 * Gathers what an installed package is verified with. The archive is the one
 * whose SHA-256 the lock file records and the signature the one captured at
 * install (its digest): bytes with those digests are the same bytes wherever
 * they come from, so the registry copy is used when it still matches and the
 * content-addressed evidence cache when it does not. A registry that serves
 * something else is reported as a change of its own, and never changes what
 * the package is judged by. Every path consulted is stamped before it is read,
 * into `stamps`: a later verification may trust an earlier result only while
 * those stamps hold.
 */
export function gatherEvidence(
  name: string,
  entry: LockedPackage,
  installedDir: string,
  source: EvidenceSource,
  stamps: Record<string, FileStamp | null> = {},
  captured = capturedSignatureOf(entry),
): PackageEvidence {
  const read = (path: string, kind: ReadKind): { bytes: Buffer } | { problem: string } | undefined => {
    const file = readStamped(path, kind);
    stamps[path] = file.stamp;
    return file.stamp === null ? undefined : file.read;
  };
  const fromCache = (digest: string, kind: ReadKind) => {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) return undefined;
    const blob = read(cachePath(source.cacheDir, digest), kind);
    // A blob is only ever used when its bytes still hash to the name it was asked by.
    return blob && 'bytes' in blob && `sha256:${sha256Hex(blob.bytes)}` === digest ? blob.bytes : undefined;
  };
  // With a signature captured at install, only a file of that kind can be the one it names.
  const registry = registryFiles(name, entry, source, read, captured ? [captured.type] : ['sigstore', 'gpg']);
  const changes: RegistryChange[] = [];
  // A lock checksum that is no SHA-256 digest names no bytes: nothing the registry serves can match
  // it, and that says nothing about the registry.
  const named = isChecksum(entry.checksum);
  const archiveFrom = (file: RegistryFile | undefined): Buffer | undefined => {
    if (!file || !named) return undefined;
    const seen = changeOf('archive', file, entry.checksum);
    if (!seen) return file.bytes;
    changes.push(seen);
    return undefined;
  };
  let archive = archiveFrom(registry.archive);
  let archiveOrigin = registry.archive?.path ?? '';
  if (!archive) {
    archive = fromCache(entry.checksum, 'archive');
    archiveOrigin = archive
      ? `offline cache ${cachePath(source.cacheDir, entry.checksum)}`
      : !named && entry.checksum
        ? `the lock file's checksum "${entry.checksum}" is not a SHA-256 digest (sha256: and 64 hex digits), so no archive can be found by it`
        : `${registry.problem ?? (changes.length > 0 ? `registry "${source.registry!.name}" serves other bytes` : 'the registry was not consulted')}, and it is not in the offline cache${registry.problem || changes.length > 0 ? '' : ' (run Prepare Offline Verification while the registry is reachable)'}`;
  }
  const base = {
    name,
    entry,
    installedDir,
    archive,
    archiveOrigin,
    registryChanges: changes,
    registryRequiresSignatures: registry.requiresSignatures,
  };
  if (!archive) return { ...base, signatures: [] };

  if (!captured) {
    // Nothing captured at install: whatever the registry stores beside the archive is the evidence.
    return {
      ...base,
      signatures: registry.signatures.flatMap((file) =>
        file.bytes && file.type !== 'archive'
          ? [{ type: file.type, file: basename(file.path), path: file.path, bytes: file.bytes }]
          : [],
      ),
    };
  }
  if (registry.archive?.bytes) {
    // The registry still has the version: it should still serve the signature captured with it.
    const path = `${registry.archive.path}${SIGNATURE_SUFFIX[captured.type]}`;
    const served = registry.signatures.find((file) => file.type === captured.type) ?? {
      path,
      type: captured.type,
      bytes: undefined,
      problem: undefined,
    };
    const seen = changeOf('signature', served, captured.digest);
    if (!seen)
      return {
        ...base,
        signatures: [{ type: captured.type, file: basename(served.path), path: served.path, bytes: served.bytes! }],
      };
    changes.push(seen);
  }
  const bytes = fromCache(captured.digest, 'signature');
  const file = `${entry.version}.aam${SIGNATURE_SUFFIX[captured.type]}`;
  return {
    ...base,
    signatures: bytes ? [{ type: captured.type, file, path: cachePath(source.cacheDir, captured.digest), bytes }] : [],
    capturedMissing: bytes ? undefined : captured,
  };
}

/** The signature the lock file recorded at install, when it names one this tool knows. */
export function capturedSignatureOf(entry: LockedPackage): CapturedSignature | undefined {
  const signature = entry.signature as { type?: unknown; bundle_digest?: unknown } | undefined;
  if ((signature?.type !== 'sigstore' && signature?.type !== 'gpg') || typeof signature.bundle_digest !== 'string')
    return undefined;
  return { type: signature.type, digest: signature.bundle_digest };
}

interface RegistryFile {
  path: string;
  type: 'archive' | 'sigstore' | 'gpg';
  bytes: Buffer | undefined;
  problem: string | undefined;
}

/**
 * The archive and signature files of a version in its source registry, read
 * when the registry is consulted (not offline, configured, and there at all:
 * a registry that is unreachable is not a registry that changed).
 */
function registryFiles(
  name: string,
  entry: LockedPackage,
  source: EvidenceSource,
  read: (path: string, kind: ReadKind) => { bytes: Buffer } | { problem: string } | undefined,
  types: readonly ('sigstore' | 'gpg')[],
): {
  archive: RegistryFile | undefined;
  signatures: RegistryFile[];
  problem: string | undefined;
  requiresSignatures: boolean;
} {
  const none = (problem: string | undefined) => ({
    archive: undefined,
    signatures: [],
    problem,
    requiresSignatures: false,
  });
  if (!source.registry) return none(source.registryProblem);
  let archivePath: string;
  try {
    archivePath = archivePathIn(source.registry.root, name, entry.version);
  } catch (error) {
    return none(messageOf(error));
  }
  const file = (path: string, type: RegistryFile['type']): RegistryFile | undefined => {
    const found = read(path, type === 'archive' ? 'archive' : 'signature');
    if (!found) return undefined;
    return 'bytes' in found
      ? { path, type, bytes: found.bytes, problem: undefined }
      : { path, type, bytes: undefined, problem: found.problem };
  };
  // Its registry.yaml tells a registry that lost a version from one that is not there (unmounted, moved),
  // and whether it refuses unsigned packages.
  const settings = read(join(source.registry.root, 'registry.yaml'), 'registry');
  const requiresSignatures = !!settings && 'bytes' in settings && requireSignaturesIn(settings.bytes);
  const archive = file(archivePath, 'archive');
  if (!archive) {
    const problem = `the archive of ${name}@${entry.version} is missing from registry "${source.registry.name}"${settings ? '' : ' (the registry is not reachable)'}`;
    if (!settings) return none(problem);
    return {
      archive: { path: archivePath, type: 'archive', bytes: undefined, problem: undefined },
      signatures: [],
      problem,
      requiresSignatures,
    };
  }
  const signatures = types.flatMap((type) => file(`${archivePath}${SIGNATURE_SUFFIX[type]}`, type) ?? []);
  return { archive, signatures, problem: undefined, requiresSignatures };
}

function requireSignaturesIn(bytes: Buffer): boolean {
  try {
    return parseYamlMapping(bytes.toString('utf8'), 'registry.yaml', 'REGISTRY_INVALID').require_signatures === true;
  } catch {
    return false;
  }
}

/** How a registry file differs from the digest captured at install, if it does. */
function changeOf(what: RegistryChange['what'], file: RegistryFile, expected: string): RegistryChange | undefined {
  if (file.bytes) {
    const actual = `sha256:${sha256Hex(file.bytes)}`;
    return actual === expected ? undefined : { what, path: file.path, change: 'replaced', expected, actual };
  }
  return {
    what,
    path: file.path,
    change: file.problem ? 'replaced' : 'removed',
    expected,
    actual: file.problem ?? 'nothing',
  };
}

function basename(path: string): string {
  return path.split(/[/\\]/).pop()!;
}

/**
 * A registry or cache file's bytes, with the stamp of what was read (null:
 * nothing there). Only a regular file is read, opened without following
 * links and without blocking, and stamped on the open descriptor: a link, a
 * FIFO or a device in its place is refused at once with the reason, and its
 * stamp is kept so the next check notices when it is replaced.
 */
function readStamped(
  path: string,
  kind: ReadKind,
): { stamp: FileStamp | null; read?: { bytes: Buffer } | { problem: string } } {
  try {
    const file = readRegularFileSync(path, kind);
    return file ? { stamp: stampOfStats(file.stats), read: { bytes: file.bytes } } : { stamp: null };
  } catch (error) {
    return { stamp: stampOf(path), read: { problem: messageOf(error) } };
  }
}
