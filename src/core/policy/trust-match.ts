import {
  describePattern,
  entryText,
  matchesIdentity,
  normalizeFingerprint,
  parseIdentityPattern,
  patternOf,
  pinnedIssuerOf,
} from './identity.ts';
import type { SignerIdentity, TrustedIdentity } from './identity.ts';

/** Who made a valid Sigstore signature, with its transparency-log evidence. */
export interface SigstoreSigner {
  type: 'sigstore';
  identity: SignerIdentity;
  tlog: { logIndex: string; url: string | undefined; integratedTime: string | undefined } | undefined;
  signedAt: string | undefined;
}

/** Who made a valid OpenPGP signature. `fingerprint` is the primary key's. */
export interface GpgSigner {
  type: 'gpg';
  fingerprint: string;
  signingKeyFingerprint: string;
  userIds: string[];
  signedAt: string | undefined;
}

export type Signer = SigstoreSigner | GpgSigner;

/** The trust-list entry that trusted a signer. */
export interface TrustMatch {
  list: 'trusted_identities' | 'trusted_keys' | 'trusted_registries';
  /** The entry as one line of text (a pinned identity names its issuer). */
  pattern: string;
  explanation: string;
  source?: string | undefined;
}

/** The first entry of the trust lists that trusts `signer`; invalid entries never match. */
export function findTrust(
  signer: Signer,
  lists: { trusted_identities: readonly TrustedIdentity[]; trusted_keys: readonly string[] },
): TrustMatch | undefined {
  if (signer.type === 'sigstore') {
    for (const entry of lists.trusted_identities) {
      const parsed = parseIdentityPattern(patternOf(entry));
      const issuer = pinnedIssuerOf(entry);
      if (!parsed.ok || !matchesIdentity(parsed.pattern, signer.identity)) continue;
      if (issuer !== undefined && issuer !== signer.identity.issuer) continue;
      return {
        list: 'trusted_identities',
        pattern: entryText(entry),
        explanation: `${describePattern(parsed.pattern)}${issuer !== undefined ? `, issued by ${issuer}` : ''}`,
      };
    }
    return undefined;
  }
  const candidates = new Set([signer.fingerprint, signer.signingKeyFingerprint].map((f) => normalizeFingerprint(f)));
  for (const raw of lists.trusted_keys) {
    const normalized = normalizeFingerprint(raw);
    if (normalized !== undefined && candidates.has(normalized)) {
      return { list: 'trusted_keys', pattern: raw, explanation: `the OpenPGP key ${normalized}` };
    }
  }
  return undefined;
}

export function describeSigner(signer: Signer): string {
  if (signer.type === 'sigstore') {
    const { san, issuer, sourceRepository: source } = signer.identity;
    // A reusable workflow's SAN is its own repository's: whose run it was is said too.
    const run = source && !san.toLowerCase().startsWith(`${source.toLowerCase()}/`) ? ` (run by ${source})` : '';
    return `${san}${run}${issuer ? ` (issuer ${issuer})` : ''}`;
  }
  const who = signer.userIds[0];
  return `${who ? `${who}, ` : ''}key ${signer.fingerprint}`;
}

/** A signer in a few words: the Sigstore identity, or the OpenPGP key's first user ID (else its fingerprint). */
export function signerName(signer: Signer): string {
  return signer.type === 'sigstore' ? signer.identity.san : (signer.userIds[0] ?? signer.fingerprint);
}

/** A signer as one string, the same for every signature it makes: Sigstore identity and issuer, or the OpenPGP primary key. */
export function signerKeyOf(signer: Signer): string {
  return signer.type === 'gpg'
    ? `gpg:${signer.fingerprint}`
    : `sigstore:${signer.identity.san}|${signer.identity.issuer ?? ''}`;
}
