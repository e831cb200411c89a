import type { Delegate, DelegationFact, RevocationFact, SignatureCheck } from './checks.ts';
import { matchesNamePattern } from './name-pattern.ts';
import type { SecurityPolicy } from './policy.ts';
import { describeSigner, findTrust, signerKeyOf, signerName } from './trust-match.ts';
import type { Signer, TrustMatch } from './trust-match.ts';

/**
 * Signature delegation (seeds: "authorize others to sign on your behalf"),
 * after TUF's delegated roles: a signer the policy trusts signs "DELEGATE may
 * sign packages matching PATTERN until UNTIL"; a delegate's signature then
 * counts as trusted — through that document only, and only while it holds.
 *
 * The time a delegation is judged at is the signature's signing time as a
 * third party vouches for it: for Sigstore the transparency log's integrated
 * time (the certificate must have been valid then too). An OpenPGP
 * signature's creation time is written by its own signer, who could backdate
 * it into a delegation's window, so an OpenPGP delegate's signature also
 * needs the delegation to hold now. A revocation ends a delegation for every
 * signature, whenever it was made: revoking is what one does about a
 * delegate's lost key.
 */

/** Delegations below a directly trusted signer, at most: a chain is short, and its cost bounded. */
export const MAX_DELEGATION_DEPTH = 3;

/** One delegation of a chain that trusts a signature, the delegate's own first. */
export interface DelegationLink {
  id: string;
  pattern: string;
  until: string;
  delegator: Signer;
  delegate: string;
}

/** A signature as the policy judged it. */
export interface JudgedSignature {
  file: string;
  check: SignatureCheck;
  standing:
    | { state: 'trusted'; match: TrustMatch }
    | { state: 'delegated'; match: TrustMatch; links: DelegationLink[]; roots: Signer[] }
    | { state: 'untrusted'; refused?: string | undefined }
    | { state: 'issuer-not-allowed' }
    | { state: 'invalid' };
}

export type ChainResult =
  { ok: true; links: DelegationLink[]; root: TrustMatch; roots: Signer[] } | { ok: false; reason: string };

interface Judging {
  name: string | undefined;
  delegations: readonly DelegationFact[];
  revocations: readonly RevocationFact[];
  /** Set when the delegations could not all be read: none is trusted, and a refusal says why. */
  unread?: string | undefined;
  /** Set when a registry's revocations are not known: a chain found is refused with this reason. */
  revocationsUnknown?: string | undefined;
  policy: SecurityPolicy;
  now: string | undefined;
}

/** The delegate of a document in words: `bob@example.com`, `bob@example.com (issuer …)`, or `key FPR`. */
export function describeDelegate(delegate: Delegate): string {
  if ('fingerprint' in delegate) return `key ${delegate.fingerprint}`;
  return delegate.issuer ? `${delegate.identity} (issuer ${delegate.issuer})` : delegate.identity;
}

/** Whether a delegation names this signer. */
export function delegateNames(delegate: Delegate, signer: Signer): boolean {
  if ('fingerprint' in delegate)
    return !!findTrust(signer, { trusted_identities: [], trusted_keys: [delegate.fingerprint] });
  const entry = delegate.issuer ? { identity: delegate.identity, issuer: delegate.issuer } : delegate.identity;
  return !!findTrust(signer, { trusted_identities: [entry], trusted_keys: [] });
}

/** A signer the trust lists name, whose issuer (Sigstore) allowed_issuers accepts. */
export function trustedDirectly(signer: Signer, policy: SecurityPolicy): TrustMatch | undefined {
  if (!issuerAllowed(signer, policy)) return undefined;
  return findTrust(signer, policy);
}

export function issuerAllowed(signer: Signer, policy: SecurityPolicy): boolean {
  return (
    signer.type !== 'sigstore' ||
    policy.allowed_issuers.length === 0 ||
    policy.allowed_issuers.includes(signer.identity.issuer ?? '')
  );
}

/**
 * Whether a valid signer that the trust lists do not name is trusted through
 * delegations: undefined when no delegation names it at all, else the chain
 * up to a directly trusted signer, or why every candidate was refused.
 */
export function delegationFor(signer: Signer, judging: Judging): ChainResult | undefined {
  const mentioned = judging.delegations.some((d) => delegateNames(d.delegate, signer));
  // Delegations left unread may name the signer, or revoke one that does: none is trusted.
  if (judging.unread && judging.policy.allow_delegation) return { ok: false, reason: judging.unread };
  if (!mentioned) return undefined;
  if (!judging.policy.allow_delegation)
    return {
      ok: false,
      reason: `${describeSigner(signer)} signs only through a delegation, and allow_delegation is false`,
    };
  const chain = climb(signer, signer, judging, [], [signerKeyOf(signer)]);
  if (!chain.ok) return { ok: false, reason: chain.reason };
  // Any delegation of the chain could be revoked where the revocations could not be read (sources.ts).
  if (judging.revocationsUnknown) return { ok: false, reason: judging.revocationsUnknown };
  return { ...chain, roots: rootsOf(signer, chain, judging) };
}

/**
 * What the searches of one judging have learnt: the delegations that name
 * each signer, and the climbs that failed whatever path led to them. Any
 * document whose signature verifies is a delegation here, and its delegate
 * is its author's to choose: without this, files naming a victim's delegate,
 * their delegators and theirs made the search re-explore every path, as the
 * cube of their number (delegation-review F3: 29 s a package at 511 files).
 */
interface Search {
  named: Map<string, DelegationFact[]>;
  failed: Map<string, string>;
}
const searches = new WeakMap<Judging, Search>();

function searchOf(judging: Judging): Search {
  let search = searches.get(judging);
  if (!search) searches.set(judging, (search = { named: new Map(), failed: new Map() }));
  return search;
}

/** The delegations that name a signer, found once a judging. */
function namedBy(signer: Signer, judging: Judging): DelegationFact[] {
  const { named } = searchOf(judging);
  const key = signerKeyOf(signer);
  let facts = named.get(key);
  if (!facts) named.set(key, (facts = judging.delegations.filter((d) => delegateNames(d.delegate, signer))));
  return facts;
}

/**
 * Every directly trusted signer at the top of a chain that holds for
 * `signer`, the chain found first's own first. A delegate's signature counts
 * toward a threshold for one of them, never as a signer of its own: the
 * authority behind it is theirs (TUF: a delegated role's keys never add to the
 * top-level threshold), so one trusted signer who delegates to a second
 * identity still counts once.
 */
function rootsOf(signer: Signer, found: Extract<ChainResult, { ok: true }>, judging: Judging): Signer[] {
  const first = found.links.at(-1)!.delegator;
  const roots = [first];
  const seen = new Set([signerKeyOf(first)]);
  for (const fact of judging.delegations) {
    const candidate = fact.signer;
    if (!candidate || seen.has(signerKeyOf(candidate)) || !trustedDirectly(candidate, judging.policy)) continue;
    seen.add(signerKeyOf(candidate));
    if (climb(signer, signer, judging, [], [signerKeyOf(signer)], signerKeyOf(candidate)).ok) roots.push(candidate);
  }
  return roots;
}

/** The first chain that holds from `signer` up to a directly trusted signer (to `root` alone, when given). */
function climb(
  signer: Signer,
  original: Signer,
  judging: Judging,
  below: DelegationLink[],
  path: string[],
  root?: string,
): ChainResult | { ok: false; reason: string; looped: boolean } {
  // A failure that met no loop is the same by any path to this signer at this depth.
  const { failed } = searchOf(judging);
  const memo = [signerKeyOf(signer), signerKeyOf(original), below.length, root ?? ''].join('\0');
  const known = failed.get(memo);
  if (known !== undefined) return { ok: false, reason: known, looped: false };
  const reasons: string[] = [];
  let looped = false;
  for (const fact of namedBy(signer, judging)) {
    const refused = refusalOf(fact, original, judging, below.length);
    if (refused) {
      reasons.push(refused);
      continue;
    }
    const delegator = fact.signer!;
    const link: DelegationLink = {
      id: fact.id,
      pattern: fact.pattern,
      until: fact.until,
      delegator,
      delegate: describeDelegate(fact.delegate),
    };
    const chain = [...below, link];
    const direct = trustedDirectly(delegator, judging.policy);
    if (direct && (root === undefined || signerKeyOf(delegator) === root))
      return { ok: true, links: chain, root: direct, roots: [delegator] };
    if (path.includes(signerKeyOf(delegator))) {
      looped = true;
      reasons.push(
        `a delegation loop: ${[...chain].map((l) => describeSigner(l.delegator)).join(' → ')} signs for itself`,
      );
      continue;
    }
    if (chain.length >= MAX_DELEGATION_DEPTH) {
      reasons.push(`the delegation chain is longer than ${MAX_DELEGATION_DEPTH} delegations`);
      continue;
    }
    if (namedBy(delegator, judging).length === 0) {
      reasons.push(
        `delegation ${short(fact.id)} is signed by ${describeSigner(delegator)}, who is not in your trust lists`,
      );
      continue;
    }
    const up = climb(delegator, original, judging, chain, [...path, signerKeyOf(delegator)], root);
    if (up.ok) return up;
    looped ||= 'looped' in up && up.looped;
    reasons.push(up.reason);
  }
  // Every delegation that names the signer was refused: each says why (in the order of their ids, which is arbitrary).
  const unique = [...new Set(reasons)];
  const reason = unique.length > 0 ? unique.join('; ') : `no delegation names ${describeSigner(signer)}`;
  if (!looped) failed.set(memo, reason);
  return { ok: false, reason, looped };
}

/** Why one delegation cannot stand behind `original`'s signature, `depth` delegations below it. */
function refusalOf(fact: DelegationFact, original: Signer, judging: Judging, depth: number): string | undefined {
  const id = short(fact.id);
  // The pattern first: a delegation for other packages is not even checked (its signature is not verified).
  if (judging.name === undefined || !matchesNamePattern(fact.pattern, judging.name))
    return `delegation ${id} is for ${fact.pattern}, not ${judging.name ?? 'this package'}`;
  if (!fact.signer) return `delegation ${id} is not validly signed (${fact.problem ?? 'no signature'})`;
  // Every Sigstore certificate that carries trust must come from an allowed issuer (SPEC §2), in the middle of a chain too.
  if (!issuerAllowed(fact.signer, judging.policy))
    return `delegation ${id} (for ${fact.pattern}) is signed by ${signerName(fact.signer)}, whose issuer ${issuerOf(fact.signer)} is not in allowed_issuers`;
  if (depth > 0 && fact.maxDepth < depth)
    return `delegation ${id} (by ${describeSigner(fact.signer)} for ${fact.pattern}) does not allow re-delegation${fact.maxDepth > 0 ? ` deeper than ${fact.maxDepth}` : ''}`;
  const revoked = judging.revocations.find(
    (r) =>
      r.delegation === fact.id &&
      (signerKeyOf(r.signer) === signerKeyOf(fact.signer!) || trustedDirectly(r.signer, judging.policy)),
  );
  if (revoked)
    return `delegation ${id} (by ${describeSigner(fact.signer)} for ${fact.pattern}) was revoked by ${describeSigner(revoked.signer)} on ${revoked.at}${revoked.reason ? `: ${revoked.reason}` : ''}`;
  const signedAt = original.signedAt;
  if (!signedAt) return `the signature has no trusted signing time to judge delegation ${id} at`;
  if (Date.parse(signedAt) > Date.parse(fact.until))
    return `delegation ${id} (by ${describeSigner(fact.signer)} for ${fact.pattern}) expired on ${fact.until}, before the signature was made (${signedAt})`;
  if (original.type === 'gpg') {
    if (!judging.now)
      return `an OpenPGP signature counts through delegation ${id} only while it holds, and no time was given`;
    if (Date.parse(judging.now) > Date.parse(fact.until))
      return `delegation ${id} (by ${describeSigner(fact.signer)} for ${fact.pattern}) expired on ${fact.until}; an OpenPGP signature's own date cannot show it was made before`;
  }
  return undefined;
}

function issuerOf(signer: Signer): string {
  return (signer.type === 'sigstore' && signer.identity.issuer) || '(none)';
}

function short(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** A chain in words: "delegated by alice@example.com for @acme/* until 2027-01-01" (then "via …" further up). */
export function describeChain(links: readonly DelegationLink[]): string {
  return links
    .map(
      (l, i) =>
        `${i === 0 ? 'delegated' : 'via a delegation'} by ${signerName(l.delegator)} for ${l.pattern} until ${l.until.slice(0, 10)}`,
    )
    .join(', ');
}
