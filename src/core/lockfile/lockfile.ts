import { canonicalChecksum } from '../archive/hash.ts';
import { UNBUILT } from '../yaml/block-mapping.ts';
import { parseYamlMapping, readYamlMapping, readYamlMappingLazily, toYamlText } from '../yaml/io.ts';

/** The signature an installed package was verified with (ignored by the Python CLI). */
export interface LockSignature {
  type: 'sigstore' | 'gpg';
  identity?: string | undefined;
  issuer?: string | undefined;
  fingerprint?: string | undefined;
  bundle_digest: string;
  transparency_log?: { log_index: string; url: string | undefined } | undefined;
  signed_at?: string | undefined;
  /** Its file beside the archive, when it is not the first of its kind (`1.0.0.aam.2.asc`). */
  file?: string | undefined;
  /** The delegations (by `sha256:` id) through which its signer was trusted at install. */
  delegations?: string[] | undefined;
}

/** A lock-file entry; keys this tool does not know are kept as they are. */
export interface LockedPackage {
  version: string;
  source: string;
  checksum: string;
  dependencies: Record<string, string>;
  file_checksums?: { algorithm: 'sha256'; files: Record<string, string> } | null;
  signature?: LockSignature;
  /** The signatures besides the first, when a version carries several (co-signers). */
  cosignatures?: LockSignature[];
  [key: string]: unknown;
}

export interface LockFile {
  lockfile_version: number;
  resolved_at: string;
  packages: Record<string, LockedPackage>;
}

export { workspacePaths } from './paths.ts';
export type { WorkspacePaths } from './paths.ts';

export const EMPTY_LOCK: LockFile = { lockfile_version: 1, resolved_at: '', packages: {} };

export async function readLockFile(path: string): Promise<LockFile> {
  return lockOf(await readYamlMapping(path, 'LOCKFILE_INVALID', 'lock'));
}

/** A lock file's text (from git, say), read as `readLockFile` reads the file. */
export function parseLockText(text: string, where: string): LockFile {
  return lockOf(text.trim() ? parseYamlMapping(text, where, 'LOCKFILE_INVALID') : undefined);
}

function lockOf(raw: Record<string, unknown> | undefined): LockFile {
  if (!raw) return { ...EMPTY_LOCK, packages: {} };
  const packages: Record<string, LockedPackage> = {};
  const rawPackages =
    raw.packages && typeof raw.packages === 'object' && !Array.isArray(raw.packages)
      ? (raw.packages as Record<string, unknown>)
      : {};
  for (const [name, value] of Object.entries(rawPackages)) {
    if (!value || typeof value !== 'object') continue;
    packages[name] = lockedPackage(value as Record<string, unknown>);
  }
  return { lockfile_version: Number(raw.lockfile_version ?? 1), resolved_at: String(raw.resolved_at ?? ''), packages };
}

function lockedPackage(entry: Record<string, unknown>): LockedPackage {
  return {
    ...entry,
    version: String(entry.version ?? ''),
    source: String(entry.source ?? ''),
    checksum: canonicalChecksum(entry.checksum ?? ''),
    dependencies:
      entry.dependencies && typeof entry.dependencies === 'object'
        ? (entry.dependencies as Record<string, string>)
        : {},
  };
}

/** A lock file's package names, with each entry built when asked for (as `readLockFile` builds it). */
export interface LazyLock {
  names: string[];
  entry(name: string): LockedPackage | undefined;
}

/**
 * `readLockFile` for a caller that wants a few entries of many: the same
 * names and entries, and the same errors for a text that cannot be read
 * (anywhere in it), but only the entries asked for are built.
 */
export async function readLockLazily(path: string): Promise<LazyLock> {
  const read = await readYamlMappingLazily(path, 'LOCKFILE_INVALID', 'lock', 'packages');
  const raw = read?.root.packages;
  const listed = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const names = Object.keys(listed).filter((name) => {
    const value = listed[name];
    return value === UNBUILT || (!!value && typeof value === 'object');
  });
  const built = new Map<string, LockedPackage>();
  return {
    names,
    entry(name) {
      if (!read || !Object.hasOwn(listed, name)) return undefined;
      let entry = built.get(name);
      if (!entry) {
        const value = read.entry(name);
        if (!value || typeof value !== 'object') return undefined;
        built.set(name, (entry = lockedPackage(value as Record<string, unknown>)));
      }
      return entry;
    },
  };
}

export function lockFileText(lock: LockFile): string {
  return toYamlText({
    lockfile_version: lock.lockfile_version,
    resolved_at: lock.resolved_at,
    packages: lock.packages,
  });
}
