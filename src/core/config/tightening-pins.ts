import type { SecuritySettings } from './settings.ts';
import type { SignatureThreshold } from '../policy/decision.ts';
import { entryText, isTrustedIdentity, patternOf, pinnedIssuerOf } from '../policy/identity.ts';
import type { TrustedIdentity } from '../policy/identity.ts';

/**
 * Issuer pins a project adds may narrow whom a pattern trusts, but not how many signers one person is.
 * A signer counts toward `signature_threshold` once for each issuer an entry pins it to (distinct.ts), so a
 * project that pins a pattern the global policy trusts unpinned to two issuers made one address, verified
 * at Google and at GitHub, two trusted signers: a threshold of 2 met by one person, in Restricted Mode too
 * (spec3-review D2). When the global policy asks for more than one signer and the project's pinned
 * entries name more than one issuer, each pin the global policy does not have is taken back to its
 * pattern, unpinned, as the global policy trusts it (the pins it has stay): what is kept, and why.
 */
export function pinsAdded(global: SecuritySettings, list: unknown): { message: string; kept: unknown[] } | undefined {
  if (!asksSeveral(global.signature_threshold) || !Array.isArray(list)) return undefined;
  const pinned = list.filter((e): e is TrustedIdentity => isTrustedIdentity(e) && pinnedIssuerOf(e) !== undefined);
  if (new Set(pinned.map(pinnedIssuerOf)).size < 2) return undefined;
  const added = pinned.filter(
    (e) =>
      !global.trusted_identities.some((g) => patternOf(g) === patternOf(e) && pinnedIssuerOf(g) === pinnedIssuerOf(e)),
  );
  if (added.length === 0) return undefined;
  const seen = new Set<string>();
  return {
    message: `pins ${added.map((e) => `"${entryText(e)}"`).join(', ')}, where the global policy does not: one signer would count once for each issuer toward signature_threshold`,
    kept: list
      .map((e: unknown) => (added.includes(e as TrustedIdentity) ? patternOf(e as TrustedIdentity) : e))
      .filter((e) => typeof e !== 'string' || (!seen.has(e) && seen.add(e))),
  };
}

/** Whether a threshold asks more than one signer of some package. */
function asksSeveral(threshold: SignatureThreshold): boolean {
  return typeof threshold === 'number' ? threshold > 1 : Object.values(threshold).some((value) => value > 1);
}
