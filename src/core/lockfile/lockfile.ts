import { canonicalChecksum } from '../archive/hash.ts';
import { AamError } from '../errors.ts';
import { UNBUILT } from '../yaml/block-mapping.ts';
import {
  parseYamlMapping,
  readYamlMapping,
  readYamlMappingLazily,
  toYamlText,
  WRITTEN_BY_AAM_LIMIT,
} from '../yaml/io.ts';
import { packageLabel, quoted } from './vouched.ts';

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
  return lockOf(await readYamlMapping(path, 'LOCKFILE_INVALID', 'lock', { fullLimit: WRITTEN_BY_AAM_LIMIT }), path);
}

/** A lock file's text (from git, say), read as `readLockFile` reads the file. */
export function parseLockText(text: string, where: string): LockFile {
  return lockOf(
    text.trim() ? parseYamlMapping(text, where, 'LOCKFILE_INVALID', WRITTEN_BY_AAM_LIMIT) : undefined,
    where,
  );
}

function lockOf(raw: Record<string, unknown> | undefined, where: string): LockFile {
  if (!raw) return { ...EMPTY_LOCK, packages: {} };
  // Each an own entry: a `__proto__:` name assigned would become the map's prototype (diff3-review 4).
  const packages: Record<string, LockedPackage> = Object.fromEntries(
    Object.entries(packagesOf(raw.packages, where)).map(([name, value]) => [
      name,
      lockedPackage(entryOf(name, value, where)),
    ]),
  );
  return { lockfile_version: Number(raw.lockfile_version ?? 1), resolved_at: String(raw.resolved_at ?? ''), packages };
}

/*
 * A lock whose `packages:` is not a mapping, or that names a package with an
 * entry that is not one, is refused: aam skips such an entry (it lists the
 * package as not installed), but what was installed under the name is still
 * on disk for agents to load, and a verification that skipped it would pass.
 */

function packagesOf(packages: unknown, where: string): Record<string, unknown> {
  if (packages === undefined || packages === null) return {};
  if (typeof packages !== 'object' || Array.isArray(packages))
    throw new AamError('LOCKFILE_INVALID', `${where}: "packages" must be a mapping of package names to their entries.`);
  return packages as Record<string, unknown>;
}

function entryOf(name: string, value: unknown, where: string): Record<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new AamError(
    'LOCKFILE_INVALID',
    `${where}: the entry of ${quoted(name)} is not a mapping (${JSON.stringify(value) ?? String(value)}), so what is installed under that name cannot be verified.`,
    {
      hint: `Install it again (aam-trust install ${packageLabel({ name, version: '' })}), or remove the entry and what was installed under the name.`,
    },
  );
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
  const read = await readYamlMappingLazily(path, 'LOCKFILE_INVALID', 'lock', 'packages', WRITTEN_BY_AAM_LIMIT);
  const listed = packagesOf(read?.root.packages, path);
  const names = Object.keys(listed);
  // An entry not yet built is a mapping or a sequence; any other value is refused now, as readLockFile would.
  for (const name of names) if (listed[name] !== UNBUILT) entryOf(name, listed[name], path);
  const built = new Map<string, LockedPackage>();
  return {
    names,
    entry(name) {
      if (!read || !Object.hasOwn(listed, name)) return undefined;
      let entry = built.get(name);
      if (!entry) {
        built.set(name, (entry = lockedPackage(entryOf(name, read.entry(name), path))));
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
