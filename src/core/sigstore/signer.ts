import { RFC3161Timestamp } from '@sigstore/core';
import type { Bundle, TransparencyLogEntry } from '@sigstore/bundle';
import type { SigstoreSigner } from '../policy/trust-match.ts';
import type { SignerIdentity } from '../policy/identity.ts';
import { tlogUrlOf } from './trusted-root.ts';
import type { TrustRootSource } from './trusted-root.ts';

/**
 * When a Sigstore bundle was signed, and where it is logged, as far as a third
 * party signed it. A bundle's author can write any top-level `integratedTime`
 * and `logIndex`: a Merkle inclusion proof and its checkpoint cover only the
 * entry's body. What does cover them is the log's signed entry timestamp
 * (SET, the `inclusionPromise`), and an RFC 3161 stamp covers its own time.
 * Both verifiers check every SET and every stamp a bundle carries, so once a
 * bundle verified, "has a SET" means "its time and index are the log's word".
 * On a bundle that did not verify these are only what it claims.
 */

/** The signer of a bundle whose certificate names `identity`. */
export function signerOf(bundle: Bundle, identity: SignerIdentity, root: TrustRootSource): SigstoreSigner {
  return {
    type: 'sigstore',
    identity,
    tlog: logEntryOf(bundle.verificationMaterial.tlogEntries, root),
    signedAt: latest(vouchedTimes(bundle))?.toISOString(),
  };
}

/**
 * The log entry to show: one with a SET (its index and time are signed),
 * else one with an inclusion proof, whose own index the Merkle proof
 * authenticates. That index counts within the checkpoint's tree, which for a
 * sharded Rekor v1 log is not the global index the SET signs, so it is only
 * the fallback (a Rekor v2 entry has no SET, and the two indexes agree).
 */
function logEntryOf(entries: TransparencyLogEntry[], root: TrustRootSource): SigstoreSigner['tlog'] {
  const promised = entries.find((entry) => entry.inclusionPromise);
  if (promised) {
    return {
      logIndex: String(Number(promised.logIndex)),
      url: urlOf(promised, root),
      integratedTime: integratedTimeOf(promised)?.toISOString(),
    };
  }
  const proven = entries.find((entry) => entry.inclusionProof);
  const index = proven && decimalOf(proven.inclusionProof!.logIndex);
  return proven && index !== undefined
    ? { logIndex: index, url: urlOf(proven, root), integratedTime: undefined }
    : undefined;
}

/** Every signing time a third party vouches for: SET-covered integrated times and RFC 3161 stamps. */
function vouchedTimes(bundle: Bundle): Date[] {
  const { timestampVerificationData } = bundle.verificationMaterial;
  const tlogEntries: TransparencyLogEntry[] = bundle.verificationMaterial.tlogEntries;
  const logged = tlogEntries.filter((entry) => entry.inclusionPromise).map(integratedTimeOf);
  const stamped = (timestampVerificationData?.rfc3161Timestamps ?? []).map((stamp) => {
    try {
      return RFC3161Timestamp.parse(Buffer.from(stamp.signedTimestamp)).signingTime;
    } catch {
      return undefined; // unreadable: the verifiers refuse the bundle
    }
  });
  return [...logged, ...stamped].filter((time): time is Date => time !== undefined && !Number.isNaN(time.getTime()));
}

/**
 * The latest of the vouched-for times. Each is an upper bound on when the
 * signature was made, from a different party (a log, a TSA); judging a
 * delegation at the latest means one party that backdates (a compromised key,
 * a wrong clock) cannot make a signature look older than the others say, so
 * it cannot bring an expired delegation back. The cost is small: both
 * verifiers require the short-lived certificate to be valid at every one of
 * these times, so they lie within minutes of each other.
 */
function latest(times: Date[]): Date | undefined {
  return times.reduce<Date | undefined>((last, time) => (last && last >= time ? last : time), undefined);
}

/** The entry's integrated time, read by value as the SET signs it (`Number`), when it is a date. */
function integratedTimeOf(entry: TransparencyLogEntry): Date | undefined {
  const time = new Date(Number(entry.integratedTime) * 1000);
  return time.getTime() > 0 ? time : undefined;
}

function urlOf(entry: TransparencyLogEntry, root: TrustRootSource): string | undefined {
  return tlogUrlOf(root, Buffer.from(entry.logId.keyId).toString('base64'));
}

/** An inclusion proof's index as the Merkle check reads it (`BigInt`), in decimal. */
function decimalOf(text: string): string | undefined {
  try {
    return BigInt(text).toString();
  } catch {
    return undefined;
  }
}
