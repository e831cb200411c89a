import type { Signer } from './trust-match.ts';

/** What verification established before policy: the facts the trust decision is made from. */

export type IntegrityCheck =
  | { ok: true }
  | {
      ok: false;
      code:
        | 'CHECKSUM_MISMATCH'
        | 'FILES_MODIFIED'
        | 'DEPLOYED_MODIFIED'
        | 'ARCHIVE_UNAVAILABLE'
        | 'PACKAGE_MISMATCH'
        // Before any check: a lock entry that cannot name a package, or an installed folder no entry names.
        | 'LOCKFILE_INVALID'
        | 'NOT_LOCKED';
      expected: string;
      actual: string;
      detail: string;
    };

export type SignatureCheck =
  | { state: 'none' }
  | {
      state: 'invalid';
      type: Signer['type'];
      code: 'SIGNATURE_INVALID' | 'TLOG_MISSING' | 'KEY_UNKNOWN' | 'BUNDLE_INVALID';
      reason: string;
      signer?: Signer;
      /** KEY_UNKNOWN: the key the signature names (a fingerprint, or a 16-hex key id), to fetch it. */
      key?: string | undefined;
    }
  | { state: 'valid'; signer: Signer };

/** One signature stored with a package, checked on its own. */
export interface SignatureEntry {
  /** Its file name beside the archive (`1.0.0.aam.sigstore.json`, `1.0.0.aam.2.asc`…). */
  file: string;
  check: SignatureCheck;
  /** `sha256:` of the signature file (what the lock file and the trust record keep). */
  digest?: string | undefined;
}

/** Who a delegation lets sign: a Sigstore identity pattern (optionally issuer-pinned), or an OpenPGP key. */
export type Delegate = { identity: string; issuer?: string | undefined } | { fingerprint: string };

/**
 * A delegation document found with a package (its registry's `delegations/`,
 * or captured at install): "DELEGATE may sign packages matching PATTERN
 * until UNTIL", with the signer its signature verifies for. One whose
 * signature does not verify carries `problem` and no signer: it never trusts
 * anyone, and a refusal that meets it says why.
 */
export interface DelegationFact {
  /** `sha256:` of the signed document: what revocations and lock files name it by. */
  id: string;
  pattern: string;
  delegate: Delegate;
  until: string;
  issuedAt: string;
  /** How many further delegations below this one may hang (0: the delegate may not delegate). */
  maxDepth: number;
  signer?: Signer | undefined;
  problem?: string | undefined;
}

/** A verified revocation of a delegation; it counts when its signer is the delegator or one the policy trusts. */
export interface RevocationFact {
  id: string;
  delegation: string;
  signer: Signer;
  at: string;
  reason: string;
}

/** What a registry attestation established (the registry by its name in the config). */
export type AttestationFact =
  | { registry: string; state: 'valid'; keyId: string; publisher: string; at?: string | undefined }
  | { registry: string; state: 'invalid' | 'none'; reason: string };

/** What the verifier established about one package, before policy. */
export interface Checks {
  /** The package these checks are about: delegations and per-package thresholds are judged for its name. */
  name: string;
  integrity: IntegrityCheck;
  /** The first signature (Sigstore before OpenPGP, as one signature was always read): what one-signature readers see. */
  signature: SignatureCheck;
  /** Every signature stored with the package, each checked on its own; absent: just `signature`. */
  signatures?: SignatureEntry[] | undefined;
  /** Delegations and revocations that cover the package's name. */
  delegations?: DelegationFact[] | undefined;
  revocations?: RevocationFact[] | undefined;
  /** Why no delegation can be trusted: its registry holds more delegation files than are read (a revocation could be hidden). */
  delegationsUnread?: string | undefined;
  /** Why the revocations of some configured registry are not known: a delegation chain that would trust a signer does not. */
  revocationsUnknown?: string | undefined;
  /** The registry the lock entry says it came from (its `source`), which `allowed_registries` judges; undefined for a `.aam` file's install. */
  from?: string | undefined;
  /** The registry it came from refuses unsigned packages (`require_signatures: true` in its registry.yaml). */
  source?: { name: string; requiresSignatures: true } | undefined;
  /** Its registry attestation, checked with the registry's pinned key; absent: nothing attests it (not from an HTTP registry). */
  attestation?: AttestationFact | undefined;
  /** Installed with `--no-verify` (the trust record says when): shown as such until it is verified and accepted. */
  installedWithoutVerification?: { at: string } | undefined;
  /** These checks are an earlier verification's on this machine, used because the evidence could not be reached now. */
  cached?: { at: string; reason: string } | undefined;
}

/** Every signature of a package's checks, the first one first. */
export function signaturesOf(checks: Pick<Checks, 'signature' | 'signatures'>): SignatureEntry[] {
  if (checks.signatures && checks.signatures.length > 0) return checks.signatures;
  return checks.signature.state === 'none' ? [] : [{ file: '', check: checks.signature }];
}
