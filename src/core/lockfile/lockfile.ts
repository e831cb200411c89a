import { canonicalChecksum } from '../archive/hash.ts';
import { parseYamlMapping, readYamlMapping, toYamlText } from '../yaml/io.ts';

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
    const entry = value as Record<string, unknown>;
    packages[name] = {
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
  return { lockfile_version: Number(raw.lockfile_version ?? 1), resolved_at: String(raw.resolved_at ?? ''), packages };
}

export function lockFileText(lock: LockFile): string {
  return toYamlText({
    lockfile_version: lock.lockfile_version,
    resolved_at: lock.resolved_at,
    packages: lock.packages,
  });
}
