import { AamError, messageOf } from '../../errors.ts';
import type { Checks } from '../../policy/decision.ts';
import { OTHER_TRUST } from '../../verify/store/verified-ledger.ts';
import type { VerifiedLedger } from '../../verify/cached-verification.ts';
import type { EvidenceCache } from '../../verify/evidence/evidence-cache.ts';
import type { PlannedPackage } from './plan.ts';

/**
 * `install --use-cached-verification`: where an earlier verification on this
 * machine may stand in for evidence that cannot be reached now — the archive
 * (then read from the evidence cache, and still checked against the checksum
 * the registry lists) or its signatures and attestation.
 */
export interface CachedVerification {
  ledger: VerifiedLedger;
  cache: EvidenceCache;
  /** The verifier's trust digest: an earlier verification stands in only if it was judged under the same. */
  trust: string;
}

/** The errors that say evidence cannot be reached (a registry down or failing), not that it is wrong. */
const UNREACHABLE = new Set(['REGISTRY_UNREACHABLE', 'REGISTRY_ERROR', 'ARCHIVE_UNAVAILABLE', 'IO']);

export function unreachable(error: unknown): error is AamError {
  return error instanceof AamError && UNREACHABLE.has(error.code);
}

/** The archive from the evidence cache, when the source cannot give it; the source's error when neither can. */
export async function cachedArchive(
  plan: PlannedPackage,
  cached: CachedVerification,
  error: AamError,
): Promise<Buffer> {
  const kept = await cached.cache.get(plan.entry.checksum);
  if (!kept) throw refusal(plan, error, 'nor is the archive in the evidence cache');
  return kept;
}

/**
 * The checks of `plan` as this machine's earlier verification of the same
 * archive found them (its signature and attestation), saying when and why
 * they were used; refused when there was none.
 */
export function checksFromLedger(
  plan: PlannedPackage,
  cached: CachedVerification,
  error: AamError,
  source: string,
): Checks {
  const earlier = cached.ledger.lookup(plan.entry.checksum);
  if (!earlier || earlier.name !== plan.name || earlier.version !== plan.version)
    throw refusal(plan, error, 'and this machine has not verified this archive before');
  if (earlier.trust !== cached.trust)
    throw refusal(plan, error, `and this machine verified this archive ${OTHER_TRUST}`);
  return {
    name: plan.name,
    integrity: { ok: true },
    signature: earlier.signature,
    // Another registry's attestation of the same bytes does not say this one vouched for them.
    ...(earlier.attestation?.registry === source ? { attestation: earlier.attestation } : {}),
    cached: { at: earlier.at, reason: messageOf(error) },
  };
}

function refusal(plan: PlannedPackage, error: AamError, missing: string): AamError {
  return new AamError(
    error.code,
    `${plan.name}@${plan.version}: its evidence cannot be reached (${messageOf(error).replace(/\.$/, '')}), ${missing}: --use-cached-verification has no earlier result to use.`,
    {
      hint: 'Nothing was installed. Install when the registry can be reached; a verification then is what --use-cached-verification uses later.',
      cause: error,
    },
  );
}
