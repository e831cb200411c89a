import type { Signer, TrustMatch } from './trust-match.ts';
import type { TrustedIdentity } from './identity.ts';

/**
 * What the trust decision reads and what it says: the policy's keys, the
 * checks verification established, and the verdict with its evidence. Types
 * and constructors only; the decision itself is decision.ts.
 */
export type FailureMode = 'warn' | 'error' | 'ignore';

/** The effective values of the `security:` keys the trust decision reads. */
export interface SecurityPolicy {
  require_signature: boolean;
  on_signature_failure: FailureMode;
  trusted_identities: TrustedIdentity[];
  trusted_keys: string[];
  allowed_issuers: string[];
  verify_transparency_log: boolean;
  /** A package's signer differs from the one recorded (trust on first use): fail, or warn. */
  on_signer_change: 'error' | 'warn';
  /** A valid attestation of a registry in `trusted_registries` makes a package verified (seeds: Registry Attestation). */
  trust_registry_attestations: boolean;
  trusted_registries: string[];
  /** A package from an HTTP registry must carry a valid attestation of a trusted registry (SPEC §2). */
  require_registry_attestation: boolean;
  /** Hidden content in the files a package deploys (content/): a warning, a failure, or not looked at. */
  hidden_content: FailureMode;
}

export const DEFAULT_POLICY: SecurityPolicy = {
  require_signature: false,
  on_signature_failure: 'warn',
  trusted_identities: [],
  trusted_keys: [],
  allowed_issuers: [],
  verify_transparency_log: true,
  on_signer_change: 'error',
  trust_registry_attestations: false,
  trusted_registries: [],
  require_registry_attestation: false,
  hidden_content: 'warn',
};

/** A policy plus where each of its values came from (a file path, or "default"). */
export interface PolicyContext {
  policy: SecurityPolicy;
  sourceOf?: (key: keyof SecurityPolicy) => string | undefined;
}

export type IntegrityCheck =
  | { ok: true }
  | {
      ok: false;
      code: 'CHECKSUM_MISMATCH' | 'FILES_MODIFIED' | 'DEPLOYED_MODIFIED' | 'ARCHIVE_UNAVAILABLE' | 'PACKAGE_MISMATCH';
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
    }
  | { state: 'valid'; signer: Signer };

/** What the verifier established about one package, before policy. */
export interface Checks {
  integrity: IntegrityCheck;
  signature: SignatureCheck;
  /** The registry it came from refuses unsigned packages (`require_signatures: true` in its registry.yaml). */
  source?: { name: string; requiresSignatures: true } | undefined;
  /** Its registry attestation, checked with the registry's pinned key; absent: nothing attests it (not from an HTTP registry). */
  attestation?: AttestationFact | undefined;
  /** Installed with `--no-verify` (the trust record says when): shown as such until it is verified and accepted. */
  installedWithoutVerification?: { at: string } | undefined;
  /** These checks are an earlier verification's on this machine, used because the evidence could not be reached now. */
  cached?: { at: string; reason: string } | undefined;
}

/** What a registry attestation established (the registry by its name in the config). */
export type AttestationFact =
  | { registry: string; state: 'valid'; keyId: string; publisher: string }
  | { registry: string; state: 'invalid' | 'none'; reason: string };

export type VerdictStatus =
  | 'verified'
  | 'signed-no-policy'
  | 'signed-untrusted'
  | 'unsigned'
  | 'invalid'
  | 'tampered'
  | 'unavailable'
  | 'unattested'
  | 'unverified'
  | 'skipped';
export type VerdictAction = 'pass' | 'warn' | 'fail';
export type VerdictCode =
  | 'VERIFIED'
  | 'SIGNED_NO_POLICY'
  | 'UNSIGNED'
  | 'SKIPPED'
  | 'CHECKSUM_MISMATCH'
  | 'FILES_MODIFIED'
  | 'DEPLOYED_MODIFIED'
  | 'ARCHIVE_UNAVAILABLE'
  | 'PACKAGE_MISMATCH'
  | 'SIGNATURE_INVALID'
  | 'BUNDLE_INVALID'
  | 'TLOG_MISSING'
  | 'KEY_UNKNOWN'
  | 'ISSUER_NOT_ALLOWED'
  | 'UNTRUSTED_SIGNER'
  | 'ATTESTED'
  | 'ATTESTATION_REQUIRED'
  | 'INSTALLED_WITHOUT_VERIFICATION';

/** The outcome of the trust decision for one package, with the evidence and the next step. */
export interface Verdict {
  status: VerdictStatus;
  action: VerdictAction;
  code: VerdictCode;
  message: string;
  hint: string | undefined;
  expected: string | undefined;
  actual: string | undefined;
  signer: Signer | undefined;
  trustedBy: TrustMatch | undefined;
  /** The policy key that decided a warn or fail, and the file it came from. */
  rule: { key: keyof SecurityPolicy; source: string | undefined } | undefined;
}

export interface VerdictExtras {
  hint?: string;
  expected?: string;
  actual?: string;
  signer?: Signer;
  trustedBy?: TrustMatch;
  rule?: Verdict['rule'];
}

export function onFailure(
  context: PolicyContext,
  status: VerdictStatus,
  code: VerdictCode,
  message: string,
  extras: VerdictExtras & { ruleKey: keyof SecurityPolicy },
): Verdict {
  const mode = context.policy.on_signature_failure;
  const action: VerdictAction = mode === 'error' ? 'fail' : 'warn';
  return verdict(status, action, code, message, { ...extras, rule: rule(context, extras.ruleKey) });
}

export function rule(context: PolicyContext, key: keyof SecurityPolicy): Verdict['rule'] {
  return { key, source: context.sourceOf?.(key) };
}

export function verdict(
  status: VerdictStatus,
  action: VerdictAction,
  code: VerdictCode,
  message: string,
  extras: VerdictExtras = {},
): Verdict {
  return {
    status,
    action,
    code,
    message,
    hint: extras.hint,
    expected: extras.expected,
    actual: extras.actual,
    signer: extras.signer,
    trustedBy: extras.trustedBy,
    rule: extras.rule,
  };
}
