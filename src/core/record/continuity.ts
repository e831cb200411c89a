import { signaturesOf } from '../policy/checks.ts';
import type { Checks } from '../policy/checks.ts';
import { signerKeyOf } from '../policy/trust-match.ts';
import type { Signer } from '../policy/trust-match.ts';
import { compareVersions, isValidVersion, parseVersion } from '../model/versions.ts';
import { recordedSignatureOf } from './trust-record.ts';
import type { RecordedPackage, RecordedSignature } from './trust-record.ts';
import type { CONTINUITY_CODES } from './continuity-codes.ts';

/**
 * What trust on first use (as ssh does for host keys) finds when a package
 * is compared with what the trust record says about it: a signature that is
 * gone, a signer that is not the recorded one, a version lower than the
 * recorded one. Each is a finding of its own; the trust lists still decide
 * whether the signer is trusted.
 */
export interface ContinuityChange {
  code: (typeof CONTINUITY_CODES)[number];
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
export const keyOfSigner: (signer: Signer) => string = signerKeyOf;

/** A recorded signer in words, with its log entry: "alice@example.com (issuer …, log entry 12)". */
export function describeRecorded(signature: RecordedSignature | null): string {
  if (!signature) return 'unsigned';
  if (signature.type === 'gpg')
    return `${signature.identity ? `${signature.identity}, ` : ''}OpenPGP key ${signature.fingerprint}`;
  return `${signature.identity} (issuer ${signature.issuer ?? 'unknown'}${ranBy(signature.identity, signature.source_repository)}${signature.log_index ? `, log entry ${signature.log_index}` : ''})`;
}

/** ", run by REPOSITORY" where a CI run's repository is not already what the SAN names. */
function ranBy(san: string, repository: string | undefined): string {
  const elsewhere = ranElsewhere(san, repository);
  return elsewhere ? `, run by ${elsewhere}` : '';
}

/**
 * The repository whose CI run signed, where it is not the one the SAN names (a shared reusable workflow):
 * what tells two such signers apart beside their key.
 */
export function ranElsewhere(san: string, repository: string | undefined): string | undefined {
  return repository && !san.toLowerCase().startsWith(`${repository.toLowerCase()}/`) ? repository : undefined;
}

function describeCurrent(signer: Signer): string {
  if (signer.type === 'gpg')
    return `${signer.userIds[0] ? `${signer.userIds[0]}, ` : ''}OpenPGP key ${signer.fingerprint}`;
  return `${signer.identity.san} (issuer ${signer.identity.issuer ?? 'unknown'}${ranBy(signer.identity.san, signer.identity.sourceRepository)}${signer.tlog ? `, log entry ${signer.tlog.logIndex}` : ''})`;
}

/**
 * The changes since the record, for a package now at `version` with these
 * signatures. Nothing is compared without a record (first use), nor when no
 * signature could be judged (invalid: that is a verdict already). A version
 * that carries several signatures keeps its set of signers: one that drops
 * out is a removed signature, and none of them left is a change of signer.
 */
export function continuityChanges(
  recorded: RecordedPackage | undefined,
  version: string,
  current: CurrentSignatures,
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
  if (!was) return changes;
  const entries = signaturesOf(current);
  if (entries.length === 0) {
    changes.push({
      code: 'SIGNATURE_REMOVED',
      message: `it was signed by ${describeRecorded(was)} and is now unsigned`,
      before: describeRecorded(was),
      after: 'unsigned',
    });
    return changes;
  }
  const valid = validSigners(current);
  if (valid.length === 0) return changes;
  const set = [was, ...(recorded.cosignatures ?? [])];
  // A signer whose signature is there but no longer verifies has not dropped out: its invalid signature says so.
  const present = entries.flatMap((e) => (e.check.state !== 'none' && e.check.signer ? [e.check.signer] : []));
  const unknown = entries.some((e) => e.check.state === 'invalid' && !e.check.signer);
  const dropped = set.filter((r) => !present.some((signer) => isRecorded(r, signer)));
  const now = valid.map(describeCurrent).join(' and ');
  if (dropped.length === set.length && !unknown) {
    const before = set.map((r) => describeRecorded(r)).join(' and ');
    changes.push({
      code: 'SIGNER_CHANGED',
      message: `the signer changed from ${before} to ${now}`,
      before,
      after: now,
    });
  } else if (!unknown)
    for (const gone of dropped)
      changes.push({
        code: 'SIGNATURE_REMOVED',
        message: `the signature by ${describeRecorded(gone)} is gone (still signed by ${now})`,
        before: describeRecorded(gone),
        after: `signed by ${now}`,
      });
  return changes;
}

/**
 * Whether `signer` is the recorded one: the same key, and for a Sigstore certificate of a CI run the same
 * repository that ran (a shared reusable workflow gives every caller one SAN: diff10-review S2). A record
 * written before the repository was kept does not know it, and is not held to it.
 */
function isRecorded(recorded: RecordedSignature, signer: Signer): boolean {
  if (signerKey(recorded) !== keyOfSigner(signer)) return false;
  if (recorded.type !== 'sigstore' || signer.type !== 'sigstore' || recorded.source_repository === undefined)
    return true;
  return recorded.source_repository === signer.identity.sourceRepository;
}

/** A package's signatures as checked: the first, and all of them (see policy/checks.ts). */
export type CurrentSignatures = Pick<Checks, 'signature' | 'signatures'>;

/** The distinct valid signers, the first first. */
function validSigners(current: CurrentSignatures): Signer[] {
  const seen = new Set<string>();
  return signaturesOf(current).flatMap((e) => {
    if (e.check.state !== 'valid' || seen.has(keyOfSigner(e.check.signer))) return [];
    seen.add(keyOfSigner(e.check.signer));
    return [e.check.signer];
  });
}

/** A verified package as it is now: what its record entry is made from. */
export interface PackageState {
  version: string;
  checksum: string;
  source: string;
  signatures: CurrentSignatures;
  signatureDigest: string | undefined;
  platforms: string[];
}

/**
 * The record entry a verified package should now have, when the record may
 * learn it without asking: first use, a new version by the same signers (or
 * still unsigned), or a signer added to the set. Undefined when nothing is
 * to be recorded — a change is recorded only when the user accepts it.
 */
export function recordUpdate(
  recorded: RecordedPackage | undefined,
  current: PackageState,
  now: string,
): RecordedPackage | undefined {
  if (current.signatures.signature.state === 'invalid' && validSigners(current.signatures).length === 0)
    return undefined;
  if (recorded && continuityChanges(recorded, current.version, current.signatures).length > 0) return undefined;
  const next = recordedState(current, recorded, now);
  // The set of signers only grows by learning: one missing now (say its signature no longer verifies) is kept
  // until the user accepts the change.
  const keys = (p: RecordedPackage) =>
    [p.signature, ...(p.cosignatures ?? [])].flatMap((r) => (r ? [signerKey(r)] : []));
  if (recorded && keys(recorded).some((k) => !keys(next).includes(k))) return undefined;
  const samePlatforms = (recorded?.platforms ?? []).join() === current.platforms.join();
  if (
    recorded &&
    recorded.checksum === current.checksum &&
    recorded.version === current.version &&
    samePlatforms &&
    keys(recorded).join() === keys(next).join()
  )
    return undefined;
  // Learning is not accepting: an install without verification stays one until the user accepts it.
  if (recorded?.installed_without_verification && recorded.checksum === current.checksum)
    next.installed_without_verification = recorded.installed_without_verification;
  return next;
}

/** The record entry for a package as it is now (what accepting a change writes): every valid signer, once. */
export function recordedState(
  current: PackageState,
  recorded: RecordedPackage | undefined,
  now: string,
): RecordedPackage {
  const seen = new Set<string>();
  const signatures = signaturesOf(current.signatures).flatMap((e, i) => {
    if (e.check.state !== 'valid' || seen.has(keyOfSigner(e.check.signer))) return [];
    seen.add(keyOfSigner(e.check.signer));
    const digest = e.digest ?? (i === 0 ? current.signatureDigest : undefined);
    if (!digest) return [];
    const first = e.file === '' || !e.file || /\.aam\.(sigstore\.json|asc)$/.test(e.file);
    return [recordedSignatureOf(e.check.signer, digest, first ? undefined : e.file)];
  });
  const [signature, ...cosignatures] = signatures;
  return {
    version: current.version,
    checksum: current.checksum,
    source: current.source,
    ...(recorded?.source_requires_signatures && recorded.checksum === current.checksum
      ? { source_requires_signatures: true as const }
      : {}),
    signature: signature ?? null,
    ...(cosignatures.length > 0 ? { cosignatures } : {}),
    ...(current.platforms.length > 0 ? { platforms: current.platforms as RecordedPackage['platforms'] } : {}),
    // The attestation captured at install belongs to those bytes: kept while they are the same.
    ...(recorded?.attestation && recorded.checksum === current.checksum ? { attestation: recorded.attestation } : {}),
    recorded_at: now,
  };
}
