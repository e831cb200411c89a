import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { messageOf } from '../../errors.ts';
import type { ReadKind } from '../../fs/safe-read.ts';
import type { LockedPackage } from '../../lockfile/lockfile.ts';
import { archivePathIn, delegationsDirIn, parseSignatureFileName, signatureFilesOf } from '../../registry/layout.ts';
import { delegationsUnread } from '../../registry/local-signatures.ts';
import { parseYamlMapping } from '../../yaml/io.ts';
import { stampOf } from '../../scan/stamps.ts';
import type { FileStamp } from '../../scan/stamps.ts';

/** How evidence reads a file: stamped, a regular file only (its bytes, or why it was refused), undefined when absent. */
export type StampedRead = (path: string, kind: ReadKind) => { bytes: Buffer } | { problem: string } | undefined;

export interface RegistryFile {
  path: string;
  type: 'archive' | 'sigstore' | 'gpg';
  bytes: Buffer | undefined;
  problem: string | undefined;
}

/** Where the files are: the source registry, or why it is not consulted; the run reading them. */
interface EvidenceSourceLike {
  registry: { name: string; root: string } | undefined;
  registryProblem: string | undefined;
  run?: string | undefined;
}

export interface RegistryFiles {
  archive: RegistryFile | undefined;
  /** Every signature file of the version, in reading order. */
  signatures: RegistryFile[];
  problem: string | undefined;
  requiresSignatures: boolean;
}

/**
 * The archive and signature files of a version in its source registry, read
 * when the registry is consulted (not offline, configured, and there at all:
 * a registry that is unreachable is not a registry that changed). The
 * folder's listing is stamped too: a signature added or removed is a change.
 */
export function registryFiles(
  name: string,
  entry: LockedPackage,
  { registry: source, registryProblem: sourceProblem, run }: EvidenceSourceLike,
  readInto: (stamps: Record<string, FileStamp | null>) => StampedRead,
  stamps: Record<string, FileStamp | null>,
): RegistryFiles {
  const read = readInto(stamps);
  const none = (problem: string | undefined) => ({
    archive: undefined,
    signatures: [],
    problem,
    requiresSignatures: false,
  });
  if (!source) return none(sourceProblem);
  let archivePath: string;
  try {
    archivePath = archivePathIn(source.root, name, entry.version);
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
  const { reachable, requiresSignatures } = perRun(run, `registry.yaml\0${source.root}`, stamps, (into) => {
    const found = readInto(into)(join(source.root, 'registry.yaml'), 'registry');
    return { reachable: !!found, requiresSignatures: !!found && 'bytes' in found && requireSignaturesIn(found.bytes) };
  });
  const archive = file(archivePath, 'archive');
  if (!archive) {
    const problem = `the archive of ${name}@${entry.version} is missing from registry "${source.name}"${reachable ? '' : ' (the registry is not reachable)'}`;
    if (!reachable) return none(problem);
    return {
      archive: { path: archivePath, type: 'archive', bytes: undefined, problem: undefined },
      signatures: [],
      problem,
      requiresSignatures,
    };
  }
  const dir = join(archivePath, '..');
  const signatures = signatureFilesOf(entry.version, listing(dir, stamps)).flatMap(
    (f) => file(join(dir, f), parseSignatureFileName(entry.version, f)!.type) ?? [],
  );
  return { archive, signatures, problem: undefined, requiresSignatures };
}

/** What a verification run has read once for all its packages, by run (the last few) and by what was read. */
const perRunReads = new Map<string, Map<string, { stamps: Record<string, FileStamp | null>; value: unknown }>>();
const RUNS_KEPT = 4;

/**
 * `read(stamps)` once per run (per thread: a worker keeps its own), its
 * stamps copied into every caller's: each package's result still names
 * every file it depended on, as stamped when first read in the run, so a
 * file changed during the run is seen by the next one. Without a run, read.
 */
export function perRun<T>(
  run: string | undefined,
  key: string,
  stamps: Record<string, FileStamp | null>,
  read: (stamps: Record<string, FileStamp | null>) => T,
): T {
  if (run === undefined) return read(stamps);
  let reads = perRunReads.get(run);
  if (!reads) {
    if (perRunReads.size >= RUNS_KEPT) perRunReads.delete(perRunReads.keys().next().value!);
    perRunReads.set(run, (reads = new Map()));
  }
  let kept = reads.get(key);
  if (!kept) {
    const own: Record<string, FileStamp | null> = {};
    kept = { stamps: own, value: read(own) };
    reads.set(key, kept);
  }
  Object.assign(stamps, kept.stamps);
  return kept.value as T;
}

/** The names in a folder, its stamp recorded (a file appearing or going changes it); none when it cannot be listed. */
function listing(dir: string, stamps: Record<string, FileStamp | null>): string[] {
  stamps[dir] = stampOf(dir);
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * The files of a `delegations/` folder (a registry's, or the evidence
 * cache's), stamped as they are read; `unread` says why none can be trusted
 * when it holds more than are read.
 */
export function delegationFiles(
  root: string,
  read: StampedRead,
  stamps: Record<string, FileStamp | null>,
): { files: { name: string; bytes: Buffer }[]; unread: string | undefined } {
  const dir = delegationsDirIn(root);
  const names = listing(dir, stamps).filter((n) => /^[0-9a-f]{64}\.json$/.test(n));
  const unread = delegationsUnread(dir, names.length);
  if (unread) return { files: [], unread };
  const files = names.sort().flatMap((name) => {
    const found = read(join(dir, name), 'delegation');
    return found && 'bytes' in found ? [{ name, bytes: found.bytes }] : [];
  });
  return { files, unread };
}

function requireSignaturesIn(bytes: Buffer): boolean {
  try {
    return parseYamlMapping(bytes.toString('utf8'), 'registry.yaml', 'REGISTRY_INVALID').require_signatures === true;
  } catch {
    return false;
  }
}
