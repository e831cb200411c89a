import type { LockedPackage } from '../../lockfile/lockfile.ts';
import type { Signer } from '../../policy/trust-match.ts';
import type { RecordedSignature, TrustRecord } from '../../record/trust-record.ts';

/**
 * What a state's records (its trust record, else its lock file) say signed a
 * package: a side of a diff that was not verified is judged from these.
 */

/** The recorded signature for the lock entry's archive: null when recorded unsigned, undefined when nothing says. */
export function signatureRecorded(
  record: TrustRecord,
  name: string,
  entry: LockedPackage,
): RecordedSignature | null | undefined {
  return (
    signaturesRecorded(record, name, entry)?.[0] ??
    (record.packages[name]?.checksum === entry.checksum ? null : undefined)
  );
}

/** Every signer the records name for a package, the first first ([]: recorded unsigned; undefined: not known). */
export function signaturesRecorded(
  record: TrustRecord,
  name: string,
  entry: LockedPackage,
): RecordedSignature[] | undefined {
  const recorded = record.packages[name];
  if (recorded && recorded.checksum === entry.checksum)
    return recorded.signature ? [recorded.signature, ...(recorded.cosignatures ?? [])] : [];
  const fromLock = [entry.signature, ...(entry.cosignatures ?? [])].flatMap((lock): RecordedSignature[] => {
    if (lock?.type === 'sigstore' && lock.identity)
      return [
        {
          type: 'sigstore',
          digest: lock.bundle_digest,
          identity: lock.identity,
          issuer: lock.issuer,
          log_index: lock.transparency_log?.log_index,
        },
      ];
    if (lock?.type === 'gpg' && lock.fingerprint)
      return [{ type: 'gpg', digest: lock.bundle_digest, fingerprint: lock.fingerprint, identity: lock.identity }];
    return [];
  });
  return fromLock.length > 0 ? fromLock : undefined;
}

/**
 * A recorded signer as verification would have found it; its signing time is
 * the one the lock file kept for the same signature file (a delegation is
 * judged at it), when the lock entry is for the same archive.
 */
export function signerOfRecord(recorded: RecordedSignature, entry?: LockedPackage): Signer {
  const signedAt = [entry?.signature, ...(entry?.cosignatures ?? [])].find(
    (lock) => lock && recorded.digest && lock.bundle_digest === recorded.digest,
  )?.signed_at;
  if (recorded.type === 'gpg')
    return {
      type: 'gpg',
      fingerprint: recorded.fingerprint,
      signingKeyFingerprint: recorded.fingerprint,
      userIds: recorded.identity ? [recorded.identity] : [],
      signedAt,
    };
  const uri = /^https?:\/\//.test(recorded.identity);
  return {
    type: 'sigstore',
    identity: {
      san: recorded.identity,
      sanType: uri ? 'uri' : 'email',
      issuer: recorded.issuer,
      ...(recorded.source_repository ? { sourceRepository: recorded.source_repository } : {}),
    },
    tlog: recorded.log_index ? { logIndex: recorded.log_index, url: undefined, integratedTime: undefined } : undefined,
    signedAt,
  };
}
