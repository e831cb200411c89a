import { isTrustedIdentity } from '../../policy/identity.ts';
import type { LockedPackage } from '../../lockfile/lockfile.ts';
import type { FileStamp } from '../../scan/stamps.ts';
import type { JobResult } from '../checks/job.ts';
import type { LostSetting } from './policy-memory.ts';
import type { PolicySnapshot } from './policy-snapshot.ts';

/**
 * What the result store keeps per workspace, and how a record read back from
 * disk is checked: only what has the shape this build writes is kept, field
 * by field, so a damaged or hand-edited file costs re-verification and never
 * a verdict from garbage. The store itself (when a result is reused, when a
 * record is written) is in result-store.ts.
 */

export const FORMAT = 'aam-trust/verification-results';

/** What a report needs from the lock entry, so a stored result can be shown without parsing the lock file. */
export interface EntrySummary {
  version: string;
  source: string;
  checksum: string;
  fileCount: number;
}

/** The summary of a lock entry that a stored result keeps. */
export function summaryOf(entry: LockedPackage): EntrySummary {
  return {
    version: entry.version,
    source: entry.source,
    checksum: entry.checksum,
    fileCount: Object.keys(entry.file_checksums?.files ?? {}).length,
  };
}

export interface StoredResult {
  /** Everything the result depends on besides the files it stamps: lock entry, trust material, settings. */
  key: string;
  summary: EntrySummary;
  result: JobResult;
}

/** The lock file as last read: its stamp, and a digest per entry (unchanged stamp: no need to parse it again). */
export interface LockState {
  stamp: FileStamp;
  at: string;
  digests: Record<string, string>;
}

/** What the store keeps of a workspace besides its results: the first line of its file. */
export interface RecordHeader {
  format: typeof FORMAT;
  revision: number;
  salt: string;
  lockFile: string;
  lock: LockState | undefined;
  policy: PolicySnapshot | undefined;
  checkedAt: string | undefined;
  /** What the policy lost since earlier verifications, until it has it again or the user lets it go. */
  lost?: LostSetting[] | undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const stringsOnly = (value: unknown) => isObject(value) && Object.values(value).every(isString);
const stampsOnly = (value: unknown) => isObject(value) && Object.values(value).every((v) => v === null || isString(v));

/**
 * A header read from disk keeps only what has the shape this build writes:
 * a damaged or hand-edited file costs re-verification, never an exception
 * or a verdict from garbage. (Each result is checked when it is read, by
 * `isStoredResult`.)
 */
export function sanitizedHeader(header: RecordHeader): RecordHeader {
  const lock =
    isObject(header.lock) && isString(header.lock.stamp) && isString(header.lock.at) && stringsOnly(header.lock.digests)
      ? header.lock
      : undefined;
  const policy = isPolicySnapshot(header.policy) ? header.policy : undefined;
  const lost = Array.isArray(header.lost)
    ? header.lost.filter((l) => isObject(l) && isString(l.key) && isString(l.was))
    : undefined;
  return {
    format: header.format,
    revision: header.revision,
    salt: header.salt,
    lockFile: header.lockFile,
    lock,
    policy,
    checkedAt: isString(header.checkedAt) ? header.checkedAt : undefined,
    lost,
  };
}

export function isStoredResult(value: unknown): value is StoredResult {
  if (!isObject(value) || !isString(value.key) || !isObject(value.summary) || !isObject(value.result)) return false;
  const { summary, result } = value;
  if (
    !isString(summary.version) ||
    !isString(summary.source) ||
    !isString(summary.checksum) ||
    typeof summary.fileCount !== 'number'
  )
    return false;
  if (!isString(result.name) || !isString(result.at) || !isString(result.archiveOrigin) || !stampsOnly(result.evidence))
    return false;
  if (!Array.isArray(result.claims) || !result.claims.every(isString)) return false;
  if (!Array.isArray(result.hidden) || !result.hidden.every(isHiddenFile)) return false;
  if (
    !Array.isArray(result.deployed) ||
    !result.deployed.every(
      (c) =>
        isObject(c) &&
        isString(c.path) &&
        isString(c.platform) &&
        isString(c.name) &&
        ['ok', 'modified', 'missing'].includes(c.state as string),
    )
  )
    return false;
  if (
    !Array.isArray(result.continuity) ||
    !result.continuity.every((c) => isObject(c) && isString(c.code) && isString(c.message))
  )
    return false;
  if (
    !Array.isArray(result.registryChanges) ||
    !result.registryChanges.every(
      (c) =>
        isObject(c) &&
        isString(c.path) &&
        isString(c.expected) &&
        isString(c.actual) &&
        (c.what === 'archive' || c.what === 'signature') &&
        (c.change === 'replaced' || c.change === 'removed'),
    )
  )
    return false;
  if (
    result.signatureFile !== undefined &&
    !(isObject(result.signatureFile) && isString(result.signatureFile.file) && isString(result.signatureFile.path))
  )
    return false;
  if (
    result.scan !== undefined &&
    !(
      isObject(result.scan) &&
      isString(result.scan.at) &&
      stampsOnly(result.scan.dirs) &&
      isObject(result.scan.files) &&
      Object.values(result.scan.files).every((f) => isObject(f) && isString(f.stamp) && isString(f.sha256))
    )
  )
    return false;
  const checks = result.checks;
  if (
    !isObject(checks) ||
    !isObject(checks.integrity) ||
    typeof checks.integrity.ok !== 'boolean' ||
    !isObject(checks.signature)
  )
    return false;
  const signature = checks.signature;
  if (signature.state === 'none') return true;
  if (signature.state === 'invalid')
    return (
      isString(signature.code) &&
      isString(signature.reason) &&
      (signature.signer === undefined || isSigner(signature.signer))
    );
  return signature.state === 'valid' && isSigner(signature.signer);
}

function isHiddenFile(value: unknown): boolean {
  const position = (p: unknown) => isObject(p) && typeof p.line === 'number' && typeof p.character === 'number';
  return (
    isObject(value) &&
    isString(value.path) &&
    typeof value.count === 'number' &&
    Array.isArray(value.items) &&
    value.items.every(
      (i) =>
        isObject(i) &&
        isString(i.kind) &&
        isString(i.decoded) &&
        isString(i.context) &&
        position(i.start) &&
        position(i.end) &&
        Array.isArray(i.characters) &&
        i.characters.every(isString),
    )
  );
}

function isSigner(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (value.type === 'gpg')
    return isString(value.fingerprint) && Array.isArray(value.userIds) && value.userIds.every(isString);
  return value.type === 'sigstore' && isObject(value.identity) && isString(value.identity.san);
}

function isPolicySnapshot(value: unknown): value is PolicySnapshot {
  if (
    !isObject(value) ||
    !isObject(value.policy) ||
    !stringsOnly(value.sources) ||
    typeof value.restricted !== 'boolean'
  )
    return false;
  const p = value.policy;
  const list = (v: unknown) => Array.isArray(v) && v.every(isString);
  if (p.on_signer_change === undefined) p.on_signer_change = 'error';
  // Snapshots stored before these settings existed decided without them.
  if (p.trust_registry_attestations === undefined) p.trust_registry_attestations = false;
  if (p.trusted_registries === undefined) p.trusted_registries = [];
  if (p.require_registry_attestation === undefined) p.require_registry_attestation = false;
  if (p.hidden_content === undefined) p.hidden_content = 'warn';
  return (
    typeof p.require_signature === 'boolean' &&
    typeof p.verify_transparency_log === 'boolean' &&
    ['warn', 'error', 'ignore'].includes(p.on_signature_failure as string) &&
    Array.isArray(p.trusted_identities) &&
    p.trusted_identities.every(isTrustedIdentity) &&
    list(p.trusted_keys) &&
    list(p.allowed_issuers)
  );
}
