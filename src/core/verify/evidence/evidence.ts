import { join } from 'node:path';
import { isChecksum, sha256Hex } from '../../archive/hash.ts';
import { readRegularFileSync } from '../../fs/safe-read.ts';
import type { ReadKind } from '../../fs/safe-read.ts';
import { messageOf } from '../../errors.ts';
import type { LockedPackage } from '../../lockfile/lockfile.ts';
import { signatureFileName } from '../../registry/layout.ts';
import type { StoredSignature } from '../../registry/local-registry.ts';
import { fromFilePath } from './evidence-cache.ts';
import { delegationFiles, perRun, registryFiles } from './registry-files.ts';
import type { RegistryFile, StampedRead } from './registry-files.ts';
import { stampOf, stampOfStats } from '../../scan/stamps.ts';
import type { FileStamp } from '../../scan/stamps.ts';

/** What verification has to go on for one installed package. */
export interface PackageEvidence {
  name: string;
  entry: LockedPackage;
  /** Bytes whose SHA-256 is the lock file's checksum, from the registry or the evidence cache; undefined when neither has them. */
  archive: Buffer | undefined;
  /** Where the archive came from (registry path or cache), or why it is missing. */
  archiveOrigin: string;
  signatures: StoredSignature[];
  /** Signatures captured at install whose bytes neither the registry nor the cache still has. */
  capturedMissing: CapturedSignature[];
  /** The files of the registry's and the evidence cache's `delegations/`, and the other registries' (revocations only). */
  delegationFiles: DelegationEvidenceFile[];
  /** Why no delegation can be trusted: a `delegations/` holds more files than are read. */
  delegationsUnread?: string | undefined;
  /** Why a configured registry's revocations are not known: a delegation that would trust a signer does not. */
  revocationsUnknown?: string | undefined;
  /** The registry the lock entry names, which `allowed_registries` judges; undefined for a `.aam` file's install. */
  from: string | undefined;
  /** What the registry now serves that differs from what was installed. */
  registryChanges: RegistryChange[];
  /** The source registry's registry.yaml says `require_signatures: true`. */
  registryRequiresSignatures: boolean;
  installedDir: string;
}

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
  /**
   * The folders of the other registries configured here: a revocation any of them holds counts, so a lock
   * entry naming a copy of its registry without the revocation does not trust a revoked delegation again
   * (spec3-review A). Their delegations do not count: only the source registry's and the cache's do.
   */
  otherRegistries?: string[] | undefined;
  /** Why some configured registry's revocations are not known this run: then no delegation is trusted. */
  revocationsUnread?: string | undefined;
  /** Installed from a `.aam` file (`source: local`, and no registry of that name configured here). */
  fromFile?: true | undefined;
  /** The verification run it belongs to: what all its packages read alike is read once a run (see perRun). */
  run?: string | undefined;
}

/** A file of a `delegations/` folder; `revocationOnly`: from another registry, where only a revocation counts. */
export interface DelegationEvidenceFile {
  name: string;
  bytes: Buffer;
  revocationOnly?: true;
}

/** A content-addressed blob's path in the offline evidence cache. */
export function cachePath(cacheDir: string, digest: string): string {
  return join(cacheDir, 'sha256', digest.replace(/^sha256:/, ''));
}

/** A signature an installed package was captured with: its kind, the digest of its file, and its name beside the archive. */
export interface CapturedSignature {
  type: 'sigstore' | 'gpg';
  digest: string;
  /** Absent: the first of its kind (`<version>.aam.sigstore.json`, `<version>.aam.asc`). */
  file?: string;
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
 * whose SHA-256 the lock file records and the signatures those captured at
 * install (their digests): bytes with those digests are the same bytes
 * wherever they come from, so the registry copy is used when it still
 * matches and the content-addressed evidence cache when it does not. A
 * registry that serves something else is reported as a change of its own,
 * and never changes what the package is judged by. A signature the registry
 * gained since (a co-signer's) is read too, and judged like any other.
 * Delegations come from the registry's `delegations/` and the evidence
 * cache's. Every path consulted is stamped before it is read, into
 * `stamps`: a later verification may trust an earlier result only while
 * those stamps hold.
 */
export function gatherEvidence(
  name: string,
  entry: LockedPackage,
  installedDir: string,
  source: EvidenceSource,
  stamps: Record<string, FileStamp | null> = {},
  captured: readonly CapturedSignature[] = capturedSignaturesOf(entry),
): PackageEvidence {
  const readInto =
    (into: Record<string, FileStamp | null>): StampedRead =>
    (path, kind) => {
      const file = readStamped(path, kind);
      into[path] = file.stamp;
      return file.stamp === null ? undefined : file.read;
    };
  const read = readInto(stamps);
  const fromCache = (digest: string, kind: ReadKind) => {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) return undefined;
    const blob = read(cachePath(source.cacheDir, digest), kind);
    // A blob is only ever used when its bytes still hash to the name it was asked by.
    return blob && 'bytes' in blob && evidenceDigest(blob.bytes) === digest ? blob.bytes : undefined;
  };
  // Only an archive this machine installed from a .aam file is exempt from allowed_registries as `source: local`.
  const keptFromFile = (digest: string) => 'bytes' in (read(fromFilePath(source.cacheDir, digest), 'marker') ?? {});
  const registry = registryFiles(name, entry, source, readInto, stamps);
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
    from: source.fromFile && (!named || keptFromFile(entry.checksum)) ? undefined : entry.source,
    capturedMissing: [] as CapturedSignature[],
    delegationFiles: [] as DelegationEvidenceFile[],
    delegationsUnread: undefined as string | undefined,
    revocationsUnknown: source.revocationsUnread,
  };
  if (!archive) return { ...base, signatures: [] };
  const delegations = new Map<string, DelegationEvidenceFile>();
  const roots = [...(source.registry ? [source.registry.root] : []), source.cacheDir];
  for (const root of [...roots, ...(source.otherRegistries ?? [])]) {
    const { files, unread } = perRun(source.run, `delegations\0${root}`, stamps, (into) =>
      delegationFiles(root, readInto(into), into),
    );
    const own = roots.includes(root);
    // A folder holding more than are read could hide a revocation: no delegation is trusted. Another
    // registry's too: leaving its files out unsaid let a revocation there go unread (diff11-review R5), so a
    // configured registry over-full refuses every delegation, by name (diff10-review R1's cost, taken).
    base.delegationsUnread ??= unread;
    for (const { name, bytes } of files)
      if (own || !delegations.has(name))
        delegations.set(name, own ? { name, bytes } : { name, bytes, revocationOnly: true });
  }
  base.delegationFiles = [...delegations.values()];

  const served = registry.signatures.filter((f) => f.bytes);
  const digestOf = (f: RegistryFile) => evidenceDigest(f.bytes!);
  const asStored = (f: RegistryFile): StoredSignature => ({
    type: f.type as CapturedSignature['type'],
    file: basename(f.path),
    path: f.path,
    bytes: f.bytes!,
  });
  // Nothing captured at install: whatever the registry stores beside the archive is the evidence.
  if (captured.length === 0) return { ...base, signatures: served.map(asStored) };
  const signatures: StoredSignature[] = [];
  for (const c of captured) {
    const file = c.file ?? signatureFileName(entry.version, c.type);
    const found = served.find((f) => digestOf(f) === c.digest);
    if (found) {
      signatures.push(asStored(found));
      continue;
    }
    // The registry still has the version: it should still serve each signature captured with it.
    if (registry.archive?.bytes) {
      const there = registry.signatures.find((f) => basename(f.path) === file);
      const path = there?.path ?? join(registry.archive.path, '..', file);
      changes.push(
        changeOf('signature', there ?? { path, type: c.type, bytes: undefined, problem: undefined }, c.digest)!,
      );
    }
    const bytes = fromCache(c.digest, 'signature');
    if (bytes) signatures.push({ type: c.type, file, path: cachePath(source.cacheDir, c.digest), bytes });
    else base.capturedMissing.push(c);
  }
  // A signature the registry gained since install (a co-signer's) is judged too; other bytes where a captured
  // one was are the registry's change, reported above, not a signature of their own.
  const known = new Set(captured.map((c) => c.digest));
  const replaced = new Set(captured.map((c) => c.file ?? signatureFileName(entry.version, c.type)));
  for (const f of served) if (!known.has(digestOf(f)) && !replaced.has(basename(f.path))) signatures.push(asStored(f));
  return { ...base, signatures };
}

const digests = new WeakMap<Uint8Array, string>();

/**
 * `sha256:<hex>` of bytes read as evidence, hashed once however often it is
 * asked (a signature's digest is compared with what was captured, then
 * reported with its check). Evidence bytes are never written to.
 */
export function evidenceDigest(bytes: Uint8Array): string {
  let digest = digests.get(bytes);
  if (digest === undefined) digests.set(bytes, (digest = `sha256:${sha256Hex(bytes)}`));
  return digest;
}

/** The signatures the lock file recorded at install, when they name kinds this tool knows: the first, then co-signatures. */
export function capturedSignaturesOf(entry: LockedPackage): CapturedSignature[] {
  const records = [entry.signature, ...(Array.isArray(entry.cosignatures) ? entry.cosignatures : [])] as unknown[];
  return records.flatMap((record): CapturedSignature[] => {
    const s = record as { type?: unknown; bundle_digest?: unknown; file?: unknown } | undefined;
    if ((s?.type !== 'sigstore' && s?.type !== 'gpg') || typeof s.bundle_digest !== 'string') return [];
    return [{ type: s.type, digest: s.bundle_digest, ...(typeof s.file === 'string' ? { file: s.file } : {}) }];
  });
}

/** How a registry file differs from the digest captured at install, if it does. */
function changeOf(what: RegistryChange['what'], file: RegistryFile, expected: string): RegistryChange | undefined {
  if (file.bytes) {
    const actual = evidenceDigest(file.bytes);
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
