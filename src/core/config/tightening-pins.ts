import type { SecuritySettings } from './settings.ts';
import type { SignatureThreshold } from '../policy/decision.ts';
import { entryText, isTrustedIdentity, parseIdentityPattern, patternOf, pinnedIssuerOf } from '../policy/identity.ts';
import type { IdentityPattern, TrustedIdentity } from '../policy/identity.ts';

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
  // A pin the global policy does not have, beside a pin to another issuer that one signer may also match
  // (alice at Google and bob at GitHub are two people: diff10-review P1).
  const added = pinned.filter(
    (e) =>
      !global.trusted_identities.some(
        (g) => patternOf(g) === patternOf(e) && pinnedIssuerOf(g) === pinnedIssuerOf(e),
      ) && pinned.some((f) => pinnedIssuerOf(f) !== pinnedIssuerOf(e) && mayShareSigner(patternOf(e), patternOf(f))),
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

/** Whether one signer may match both patterns (an address and its domain, an owner and its repository). */
function mayShareSigner(a: string, b: string): boolean {
  const [p, q] = [parseIdentityPattern(a), parseIdentityPattern(b)];
  if (!p.ok || !q.ok) return true;
  return covers(p.pattern, q.pattern) || covers(q.pattern, p.pattern);
}

function covers(p: IdentityPattern, q: IdentityPattern): boolean {
  switch (p.kind) {
    case 'email':
      return (
        (q.kind === 'email' && q.email === p.email) || (q.kind === 'email-domain' && p.email.endsWith(`@${q.domain}`))
      );
    case 'email-domain':
      return q.kind === 'email-domain' && q.domain === p.domain;
    case 'github':
      return (
        q.kind === 'uri' ||
        (q.kind === 'github' &&
          q.owner === p.owner &&
          (p.repo === undefined || q.repo === undefined || p.repo === q.repo))
      );
    case 'gitlab':
      return (
        q.kind === 'uri' ||
        (q.kind === 'gitlab' &&
          (q.path === p.path || q.path.startsWith(`${p.path}/`) || p.path.startsWith(`${q.path}/`)))
      );
    case 'uri':
      return q.kind === 'uri' && q.uri === p.uri;
  }
}
