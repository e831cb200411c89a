import { join } from 'node:path';
import { isChecksum } from '../archive/hash.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { isKeyOf } from '../model/key-id.ts';
import { PLATFORMS } from '../model/platform.ts';
import type { Platform } from '../model/platform.ts';
import type { Signer } from '../policy/trust-match.ts';
import {
  parseYamlMapping,
  readYamlMapping,
  readYamlMappingLazily,
  toYamlText,
  WRITTEN_BY_AAM_LIMIT,
} from '../yaml/io.ts';

/**
 * What AAM Trust remembers about the packages of a workspace (SPEC §6), in
 * `.aam/trust-record.yaml` beside the lock file: committed with the project,
 * never rewritten by the `aam` CLI (which drops what it does not know from
 * the lock file). Per package: the version and archive digest last verified,
 * and who signed it — or that it was unsigned.
 */
export interface TrustRecord {
  record_version: 1;
  packages: Record<string, RecordedPackage>;
  /** Per HTTP registry (by its name in the config): its key, pinned on first use, and the audit-log head last seen. */
  registries?: Record<string, RecordedRegistry>;
}

export interface RecordedRegistry {
  /** The name the registry gives itself (attestations and signed heads carry it). */
  name: string;
  key_id: string;
  /** PEM; an entry whose key is not the one `key_id` names is never read (see recordedRegistry). */
  public_key: string;
  audit_size: number;
  audit_head: string;
  /** The root of the log's Merkle tree at `audit_size` (absent from records made before the tree). */
  audit_root?: string | undefined;
  recorded_at: string;
}

export interface RecordedPackage {
  version: string;
  checksum: string;
  source: string;
  /** The source registry refused unsigned packages when it was installed (its `require_signatures`). */
  source_requires_signatures?: true;
  /** null: the package was recorded unsigned. */
  signature: RecordedSignature | null;
  /** The other signers of a version that carries several: the set a later state must keep. */
  cosignatures?: RecordedSignature[];
  /** The platforms AAM Trust deployed it to: a copy missing there is a finding. */
  platforms?: Platform[];
  /** Its HTTP registry's attestation, captured at install (in the evidence cache by digest), and the key that signed it. */
  attestation?: { digest: string; key_id: string };
  /** Installed with `--no-verify`, at this time: every verification says so until the package is accepted. */
  installed_without_verification?: string;
  recorded_at: string;
}

export type RecordedSignature = (
  | {
      type: 'sigstore';
      digest: string;
      identity: string;
      issuer: string | undefined;
      log_index?: string | undefined;
      /** The repository whose CI run signed (SignerIdentity.sourceRepository), which `github:` patterns match. */
      source_repository?: string | undefined;
    }
  | { type: 'gpg'; digest: string; fingerprint: string; identity?: string | undefined }
) & {
  /** Its file beside the archive, when it is not the first of its kind. */
  file?: string | undefined;
};

export const RECORD_FILE = 'trust-record.yaml';

export function recordPathOf(aamDir: string): string {
  return join(aamDir, RECORD_FILE);
}

const HEADER = `# AAM Trust record: who signed each installed package (written by aam-trust; commit it
# with the lock file). A later state that loses a signature or changes a signer is a finding.
`;

/** Reads the record; a missing file is an empty record, and malformed entries are left out (never trusted). */
export async function readTrustRecord(path: string): Promise<TrustRecord> {
  return recordOf(await readYamlMapping(path, 'LOCKFILE_INVALID', 'record', { fullLimit: WRITTEN_BY_AAM_LIMIT }));
}

/**
 * The record's entry of a package, as `readTrustRecord(path).packages[name]`
 * gives it, for a caller that wants a few of many: the whole file is read (a
 * text that cannot be read is the same error), only the entries asked for are built.
 */
export async function readRecordedPackages(path: string): Promise<(name: string) => RecordedPackage | undefined> {
  const read = await readYamlMappingLazily(path, 'LOCKFILE_INVALID', 'record', 'packages', WRITTEN_BY_AAM_LIMIT);
  const listed = read?.root.packages;
  if (!read || !listed || typeof listed !== 'object' || Array.isArray(listed)) return () => undefined;
  return (name) => recordedPackage(read.entry(name));
}

/** A trust record's text (from git, say), read as `readTrustRecord` reads the file. */
export function parseTrustRecordText(text: string, where: string): TrustRecord {
  return recordOf(text.trim() ? parseYamlMapping(text, where, 'LOCKFILE_INVALID', WRITTEN_BY_AAM_LIMIT) : undefined);
}

function recordOf(raw: Record<string, unknown> | undefined): TrustRecord {
  const packages = entriesOf(raw?.packages, recordedPackage);
  const registries = entriesOf(raw?.registries, recordedRegistry);
  return { record_version: 1, packages, ...(Object.keys(registries).length > 0 ? { registries } : {}) };
}

/**
 * A mapping's readable entries, each an own property: the record comes from the repository, and
 * a `__proto__:` entry assigned by name would become the map's prototype instead.
 */
function entriesOf<T>(listed: unknown, read: (value: unknown) => T | undefined): Record<string, T> {
  if (!listed || typeof listed !== 'object' || Array.isArray(listed)) return {};
  return Object.fromEntries(
    Object.entries(listed).flatMap(([name, value]) => {
      const entry = read(value);
      return entry ? [[name, entry] as const] : [];
    }),
  );
}

/**
 * A registry's entry, or nothing when it is malformed. The file is project
 * input (a pull request edits it), so a `public_key` that is no key, or not
 * the key its `key_id` names, is left out: whatever reads the record then
 * treats the registry as unpinned, never checks an attestation with that key.
 */
function recordedRegistry(value: unknown): RecordedRegistry | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (
    typeof v.name !== 'string' ||
    typeof v.key_id !== 'string' ||
    !/^[0-9a-f]{64}$/.test(v.key_id) ||
    typeof v.public_key !== 'string' ||
    !isKeyOf(v.public_key, v.key_id) ||
    typeof v.audit_size !== 'number' ||
    !Number.isSafeInteger(v.audit_size) ||
    v.audit_size < 0 ||
    typeof v.audit_head !== 'string' ||
    !/^[0-9a-f]{64}$/.test(v.audit_head)
  )
    return undefined;
  return {
    name: v.name,
    key_id: v.key_id,
    public_key: v.public_key,
    audit_size: v.audit_size,
    audit_head: v.audit_head,
    ...(typeof v.audit_root === 'string' && /^[0-9a-f]{64}$/.test(v.audit_root) ? { audit_root: v.audit_root } : {}),
    recorded_at: typeof v.recorded_at === 'string' ? v.recorded_at : '',
  };
}

export async function writeTrustRecord(path: string, record: TrustRecord): Promise<void> {
  await writeFileAtomic(path, trustRecordText(record));
}

/** The file's text: packages sorted by name, so that a diff shows only what changed. */
export function trustRecordText(record: TrustRecord): string {
  const packages = Object.fromEntries(
    Object.keys(record.packages)
      .sort()
      .map((name) => [name, compact(record.packages[name]!)]),
  );
  const registries =
    record.registries && Object.keys(record.registries).length > 0
      ? Object.fromEntries(
          Object.keys(record.registries)
            .sort()
            .map((name) => [name, record.registries![name]]),
        )
      : undefined;
  return `${HEADER}${toYamlText({ record_version: 1, packages, ...(registries ? { registries } : {}) })}`;
}

function compact(entry: RecordedPackage): Record<string, unknown> {
  const defined = (signature: RecordedSignature) =>
    Object.fromEntries(Object.entries(signature).filter(([, v]) => v !== undefined));
  return {
    version: entry.version,
    checksum: entry.checksum,
    source: entry.source,
    ...(entry.source_requires_signatures ? { source_requires_signatures: true } : {}),
    signature: entry.signature && defined(entry.signature),
    ...(entry.cosignatures && entry.cosignatures.length > 0 ? { cosignatures: entry.cosignatures.map(defined) } : {}),
    ...(entry.platforms ? { platforms: entry.platforms } : {}),
    ...(entry.attestation ? { attestation: entry.attestation } : {}),
    ...(entry.installed_without_verification
      ? { installed_without_verification: entry.installed_without_verification }
      : {}),
    recorded_at: entry.recorded_at,
  };
}

function recordedPackage(value: unknown): RecordedPackage | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.version !== 'string' || !isChecksum(v.checksum) || typeof v.source !== 'string') return undefined;
  const signature = v.signature === null || v.signature === undefined ? null : recordedSignature(v.signature);
  if (signature === undefined) return undefined;
  const cosignatures = signature && Array.isArray(v.cosignatures) ? v.cosignatures.map(recordedSignature) : [];
  // One unreadable co-signature makes the whole entry unreadable: a set with a hole would let a signer drop out unseen.
  if (cosignatures.some((c) => c === undefined)) return undefined;
  const platforms = Array.isArray(v.platforms)
    ? v.platforms.filter((p): p is Platform => (PLATFORMS as readonly unknown[]).includes(p))
    : undefined;
  return {
    version: v.version,
    checksum: v.checksum,
    source: v.source,
    ...(v.source_requires_signatures === true ? { source_requires_signatures: true as const } : {}),
    signature,
    ...(cosignatures.length > 0 ? { cosignatures: cosignatures as RecordedSignature[] } : {}),
    ...(platforms ? { platforms } : {}),
    ...(attestationOf(v.attestation) ? { attestation: attestationOf(v.attestation)! } : {}),
    ...(typeof v.installed_without_verification === 'string'
      ? { installed_without_verification: v.installed_without_verification }
      : {}),
    recorded_at: typeof v.recorded_at === 'string' ? v.recorded_at : '',
  };
}

function attestationOf(value: unknown): RecordedPackage['attestation'] {
  if (!value || typeof value !== 'object') return undefined;
  const a = value as Record<string, unknown>;
  return isChecksum(a.digest) && typeof a.key_id === 'string' && /^[0-9a-f]{64}$/.test(a.key_id)
    ? { digest: a.digest, key_id: a.key_id }
    : undefined;
}

function recordedSignature(value: unknown): RecordedSignature | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const s = value as Record<string, unknown>;
  const text = (key: string) => (typeof s[key] === 'string' ? (s[key] as string) : undefined);
  if (!isChecksum(s.digest)) return undefined;
  const file = text('file') ? { file: text('file') } : {};
  if (s.type === 'sigstore' && text('identity'))
    return {
      type: 'sigstore',
      digest: s.digest,
      identity: text('identity')!,
      issuer: text('issuer'),
      log_index: text('log_index'),
      ...(text('source_repository') ? { source_repository: text('source_repository') } : {}),
      ...file,
    };
  if (s.type === 'gpg' && text('fingerprint') && /^[0-9A-F]{40}$/.test(text('fingerprint')!))
    return { type: 'gpg', digest: s.digest, fingerprint: text('fingerprint')!, identity: text('identity'), ...file };
  return undefined;
}

/** How a valid signature's signer is recorded, with the digest of the signature file (and its name, when not the first of its kind). */
export function recordedSignatureOf(signer: Signer, digest: string, file?: string): RecordedSignature {
  const named = file ? { file } : {};
  if (signer.type === 'gpg')
    return { type: 'gpg', digest, fingerprint: signer.fingerprint, identity: signer.userIds[0], ...named };
  return {
    type: 'sigstore',
    digest,
    identity: signer.identity.san,
    issuer: signer.identity.issuer,
    log_index: signer.tlog?.logIndex,
    ...(signer.identity.sourceRepository ? { source_repository: signer.identity.sourceRepository } : {}),
    ...named,
  };
}
