import type { SignatureCheck } from '../policy/decision.ts';
import type { Signer } from '../policy/trust-match.ts';
import { compareVersions, isValidVersion, parseVersion } from '../model/versions.ts';
import { recordedSignatureOf } from './trust-record.ts';
import type { RecordedPackage, RecordedSignature } from './trust-record.ts';

/**
 * What trust on first use (as ssh does for host keys) finds when a package
 * is compared with what the trust record says about it: a signature that is
 * gone, a signer that is not the recorded one, a version lower than the
 * recorded one. Each is a finding of its own; the trust lists still decide
 * whether the signer is trusted.
 */
export interface ContinuityChange {
  code: 'SIGNATURE_REMOVED' | 'SIGNER_CHANGED' | 'DOWNGRADE';
  message: string;
  /** The recorded state and the current one, side by side. */
  before: string;
  after: string;
}

/** A signer as the record keeps it: Sigstore identity and issuer, or the OpenPGP primary fingerprint. */
export function signerKey(
  signature: Pick<RecordedSignature, 'type'> & {
    identity?: string | undefined;
    issuer?: string | undefined;
    fingerprint?: string | undefined;
  },
): string {
  return signature.type === 'gpg'
    ? `gpg:${signature.fingerprint ?? ''}`
    : `sigstore:${signature.identity ?? ''}|${signature.issuer ?? ''}`;
}

/** A valid signer in the record's terms. */
export function keyOfSigner(signer: Signer): string {
  return signer.type === 'gpg'
    ? `gpg:${signer.fingerprint}`
    : `sigstore:${signer.identity.san}|${signer.identity.issuer ?? ''}`;
}

/** A recorded signer in words, with its log entry: "alice@example.com (issuer …, log entry 12)". */
export function describeRecorded(signature: RecordedSignature | null): string {
  if (!signature) return 'unsigned';
  if (signature.type === 'gpg')
    return `${signature.identity ? `${signature.identity}, ` : ''}OpenPGP key ${signature.fingerprint}`;
  return `${signature.identity} (issuer ${signature.issuer ?? 'unknown'}${signature.log_index ? `, log entry ${signature.log_index}` : ''})`;
}

function describeCurrent(signer: Signer): string {
  if (signer.type === 'gpg')
    return `${signer.userIds[0] ? `${signer.userIds[0]}, ` : ''}OpenPGP key ${signer.fingerprint}`;
  return `${signer.identity.san} (issuer ${signer.identity.issuer ?? 'unknown'}${signer.tlog ? `, log entry ${signer.tlog.logIndex}` : ''})`;
}

/**
 * The changes since the record, for a package now at `version` with
 * `signature`. Nothing is compared without a record (first use), nor when
 * the signature could not be judged (invalid: that is a verdict already).
 */
export function continuityChanges(
  recorded: RecordedPackage | undefined,
  version: string,
  signature: SignatureCheck,
): ContinuityChange[] {
  if (!recorded) return [];
  const changes: ContinuityChange[] = [];
  if (
    isValidVersion(version) &&
    isValidVersion(recorded.version) &&
    compareVersions(parseVersion(version), parseVersion(recorded.version)) < 0
  ) {
    changes.push({
      code: 'DOWNGRADE',
      message: `version ${version} is lower than ${recorded.version}, which was recorded`,
      before: recorded.version,
      after: version,
    });
  }
  const was = recorded.signature;
  if (was && signature.state === 'none') {
    changes.push({
      code: 'SIGNATURE_REMOVED',
      message: `it was signed by ${describeRecorded(was)} and is now unsigned`,
      before: describeRecorded(was),
      after: 'unsigned',
    });
  } else if (was && signature.state === 'valid' && signerKey(was) !== keyOfSigner(signature.signer)) {
    const now = describeCurrent(signature.signer);
    changes.push({
      code: 'SIGNER_CHANGED',
      message: `the signer changed from ${describeRecorded(was)} to ${now}`,
      before: describeRecorded(was),
      after: now,
    });
  }
  return changes;
}

/** A verified package as it is now: what its record entry is made from. */
export interface PackageState {
  version: string;
  checksum: string;
  source: string;
  signature: SignatureCheck;
  signatureDigest: string | undefined;
  platforms: string[];
}

/**
 * The record entry a verified package should now have, when the record may
 * learn it without asking: first use, or a new version by the same signer
 * (or still unsigned). Undefined when nothing is to be recorded — a change
 * is recorded only when the user accepts it.
 */
export function recordUpdate(
  recorded: RecordedPackage | undefined,
  current: PackageState,
  now: string,
): RecordedPackage | undefined {
  if (current.signature.state === 'invalid') return undefined;
  if (recorded && continuityChanges(recorded, current.version, current.signature).length > 0) return undefined;
  const samePlatforms = (recorded?.platforms ?? []).join() === current.platforms.join();
  if (recorded && recorded.checksum === current.checksum && recorded.version === current.version && samePlatforms)
    return undefined;
  const next = recordedState(current, recorded, now);
  // Learning is not accepting: an install without verification stays one until the user accepts it.
  if (recorded?.installed_without_verification && recorded.checksum === current.checksum)
    next.installed_without_verification = recorded.installed_without_verification;
  return next;
}

/** The record entry for a package as it is now (what accepting a change writes). */
export function recordedState(
  current: PackageState,
  recorded: RecordedPackage | undefined,
  now: string,
): RecordedPackage {
  const signature =
    current.signature.state === 'valid' && current.signatureDigest
      ? recordedSignatureOf(current.signature.signer, current.signatureDigest)
      : null;
  return {
    version: current.version,
    checksum: current.checksum,
    source: current.source,
    ...(recorded?.source_requires_signatures && recorded.checksum === current.checksum
      ? { source_requires_signatures: true as const }
      : {}),
    signature,
    ...(current.platforms.length > 0 ? { platforms: current.platforms as RecordedPackage['platforms'] } : {}),
    // The attestation captured at install belongs to those bytes: kept while they are the same.
    ...(recorded?.attestation && recorded.checksum === current.checksum ? { attestation: recorded.attestation } : {}),
    recorded_at: now,
  };
}
