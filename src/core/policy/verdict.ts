import type { AttestationFact, IntegrityCheck, SignatureCheck } from './checks.ts';
import type { JudgedSignature } from './delegation.ts';
import type { PolicyContext, SecurityPolicy } from './policy.ts';
import { describeSigner } from './trust-match.ts';
import type { Signer, TrustMatch } from './trust-match.ts';

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
  | 'skipped'
  | 'blocked';
export type VerdictAction = 'pass' | 'warn' | 'fail';
export type VerdictCode =
  | 'VERIFIED'
  | 'SIGNED_NO_POLICY'
  | 'UNSIGNED'
  | 'SKIPPED'
  | Extract<IntegrityCheck, { ok: false }>['code']
  | Extract<SignatureCheck, { state: 'invalid' }>['code']
  | 'ISSUER_NOT_ALLOWED'
  | 'UNTRUSTED_SIGNER'
  | 'DELEGATION_REFUSED'
  | 'THRESHOLD_NOT_MET'
  | 'ATTESTED'
  | 'ATTESTATION_REQUIRED'
  | 'INSTALLED_WITHOUT_VERIFICATION'
  | 'PACKAGE_BLOCKED'
  | 'REGISTRY_NOT_ALLOWED';

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
  /** Every signature as the policy judged it, the first first; empty when none was looked at. */
  signatures: JudgedSignature[];
}

export interface VerdictExtras {
  hint?: string;
  expected?: string;
  actual?: string;
  signer?: Signer;
  trustedBy?: TrustMatch;
  rule?: Verdict['rule'];
  signatures?: JudgedSignature[];
}

/** A signature problem or an untrusted signer: a warning or a failure, as on_signature_failure says. */
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
    signatures: extras.signatures ?? [],
  };
}

export function attestedVerdict(fact: Extract<AttestationFact, { state: 'valid' }>, signer?: Signer): Verdict {
  return verdict(
    'verified',
    'pass',
    'ATTESTED',
    `Attested by registry ${fact.registry} (key ${fact.keyId.slice(0, 16)}…), published by ${fact.publisher}${signer ? `; signed by ${describeSigner(signer)}, who is not in your trust lists` : ''}.`,
    {
      signer,
      trustedBy: {
        list: 'trusted_registries',
        pattern: fact.registry,
        explanation: `attestations of registry ${fact.registry} (trust_registry_attestations: true)`,
      },
    },
  );
}
