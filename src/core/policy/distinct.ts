import type { DelegationFact, SignatureCheck } from './checks.ts';
import type { JudgedSignature } from './delegation.ts';
import { normalizedIdentity, pinnedIssuerOf } from './identity.ts';
import type { SecurityPolicy } from './policy.ts';
import { findTrust, signerKeyOf } from './trust-match.ts';
import type { SigstoreSigner } from './trust-match.ts';

/**
 * Who counts as one signer toward `signature_threshold` (SPEC §2: "how many
 * distinct trusted signers"); a second signature by the same signer adds nobody.
 *
 * An OpenPGP signer is its primary key. A Sigstore signer is its identity as
 * trust matching compares it (`Alice@Example.com` is `alice@example.com`,
 * `github.com/ACME/tool` is `github.com/acme/tool`): a difference the matcher
 * ignores never makes a second signer.
 *
 * The issuer: the same address at another OIDC issuer is another account, and
 * a policy says it means that account by pinning the issuer (a `{identity,
 * issuer}` entry, or a delegation with `issuer`). An unpinned entry trusts the
 * address whichever issuer vouches for it, so it stands for one signer however
 * many issuers sign as it — else whoever has the address verified at two
 * issuers would meet a threshold of 2 alone. So signers of one identity count
 * once per distinct issuer they are pinned to, and once if none is pinned: an
 * unpinned one adds nobody beside another of the same identity.
 */
export function distinctSigners(
  judged: readonly JudgedSignature[],
  policy: SecurityPolicy,
  delegations: readonly DelegationFact[],
): JudgedSignature[] {
  const groups = new Map<string, { counted: number; pinned: Set<string> }>();
  return judged.filter((j) => {
    const signer = (j.check as Extract<SignatureCheck, { state: 'valid' }>).signer;
    const key = signer.type === 'sigstore' ? `sigstore:${normalizedIdentity(signer.identity)}` : signerKeyOf(signer);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { counted: 0, pinned: new Set() }));
    const pinned = signer.type === 'sigstore' ? pinnedIssuer(j, signer, policy, delegations) : undefined;
    if (pinned !== undefined) group.pinned.add(pinned);
    if (group.counted >= Math.max(1, group.pinned.size)) return false;
    group.counted += 1;
    return true;
  });
}

/** The issuer a signer is trusted at by an issuer-pinned entry or delegation, if it is. */
function pinnedIssuer(
  j: JudgedSignature,
  signer: SigstoreSigner,
  policy: SecurityPolicy,
  delegations: readonly DelegationFact[],
): string | undefined {
  const issuer = signer.identity.issuer;
  if (j.standing.state === 'trusted') {
    const pinnedEntries = policy.trusted_identities.filter((e) => pinnedIssuerOf(e) !== undefined);
    return findTrust(signer, { trusted_identities: pinnedEntries, trusted_keys: [] }) ? issuer : undefined;
  }
  if (j.standing.state === 'delegated') {
    // The delegation the signature counts through is the chain's first link; it named this signer.
    const through = j.standing.links[0]?.id;
    const first = delegations.find((d) => d.id === through);
    return first && 'identity' in first.delegate && first.delegate.issuer ? issuer : undefined;
  }
  return undefined;
}
