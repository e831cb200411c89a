import { describeSigner, findTrust } from './trust-match.ts';
import type { Signer } from './trust-match.ts';
import { entryText } from './identity.ts';
import { installedUnverified } from './unverified.ts';
import { onFailure, rule, verdict } from './verdict.ts';
import type {
  AttestationFact,
  Checks,
  IntegrityCheck,
  PolicyContext,
  SecurityPolicy,
  SignatureCheck,
  Verdict,
} from './verdict.ts';

export { DEFAULT_POLICY } from './verdict.ts';
export type {
  AttestationFact,
  Checks,
  FailureMode,
  IntegrityCheck,
  PolicyContext,
  SecurityPolicy,
  SignatureCheck,
  Verdict,
  VerdictAction,
  VerdictCode,
  VerdictStatus,
} from './verdict.ts';

/**
 * SPEC §2 "Trust decision", in its order. Pure: no I/O, no clock. A package
 * installed without verification says so over any verdict but a failed
 * integrity check (tampered stays tampered); checks taken from an earlier
 * verification say so in the message.
 */
export function decide(checks: Checks, context: PolicyContext): Verdict {
  const decided = decideChecked(checks, context);
  const shown =
    checks.installedWithoutVerification && checks.integrity.ok
      ? installedUnverified(decided, checks.installedWithoutVerification, context)
      : decided;
  // An earlier verification stood in for evidence that could not be reached: the verdict says whose and why.
  return checks.cached
    ? {
        ...shown,
        message: `${shown.message} (From this machine's verification of ${checks.cached.at}, as asked with --use-cached-verification: ${checks.cached.reason})`,
      }
    : shown;
}

function decideChecked(checks: Checks, context: PolicyContext): Verdict {
  const { policy } = context;
  const { integrity, signature } = checks;
  if (!integrity.ok) return integrityFailure(integrity);
  // An attestation never makes a tampered package pass (above); where one is required, nothing else stands in for it.
  const attested = trustedAttestation(checks.attestation, policy);
  // SPEC §2: every package, wherever it came from; a file registry or a local .aam file carries none.
  if (policy.require_registry_attestation && !attested)
    return attestationRequired(checks.attestation ?? NO_ATTESTATION, context);
  if (policy.on_signature_failure === 'ignore') {
    return verdict(
      'skipped',
      'pass',
      'SKIPPED',
      'Checksum verified; signature verification is skipped (on_signature_failure: ignore).',
      {
        rule: rule(context, 'on_signature_failure'),
        hint: 'Set on_signature_failure to warn or error to verify signatures.',
      },
    );
  }
  if (signature.state === 'none') return attested ? attestedVerdict(attested) : unsigned(context, checks.source);
  if (signature.state === 'invalid') return invalid(signature, context);
  const { signer } = signature;
  if (
    signer.type === 'sigstore' &&
    policy.allowed_issuers.length > 0 &&
    !policy.allowed_issuers.includes(signer.identity.issuer ?? '')
  ) {
    return onFailure(
      context,
      'invalid',
      'ISSUER_NOT_ALLOWED',
      `Signed by ${describeSigner(signer)}, but its issuer is not in allowed_issuers.`,
      {
        signer,
        expected: `one of ${policy.allowed_issuers.join(', ')}`,
        actual: signer.identity.issuer ?? '(no issuer)',
        hint: `If you trust ${signer.identity.issuer ?? 'this issuer'}, add it to allowed_issuers.`,
        ruleKey: 'allowed_issuers',
      },
    );
  }
  const match = findTrust(signer, policy);
  if (match) {
    return verdict(
      'verified',
      'pass',
      'VERIFIED',
      `Signed by ${describeSigner(signer)}, trusted by "${match.pattern}".`,
      {
        signer,
        trustedBy: { ...match, source: context.sourceOf?.(match.list) },
      },
    );
  }
  // A signer nobody listed, on a package its registry attests: the registry's word is the policy's choice.
  if (attested) return attestedVerdict(attested, signer);
  if (policy.trusted_identities.length === 0 && policy.trusted_keys.length === 0 && !policy.require_signature) {
    return verdict(
      'signed-no-policy',
      'pass',
      'SIGNED_NO_POLICY',
      `Signed by ${describeSigner(signer)}; no trust policy is set, so any valid signer passes.`,
      {
        signer,
        hint: 'Add trusted_identities or trusted_keys to decide whom to trust.',
      },
    );
  }
  const list = signer.type === 'sigstore' ? 'trusted_identities' : 'trusted_keys';
  const trusted = policy[list];
  return onFailure(
    context,
    'signed-untrusted',
    'UNTRUSTED_SIGNER',
    `Signed by ${describeSigner(signer)}, who is not in ${list}.`,
    {
      signer,
      expected:
        trusted.length > 0
          ? `a signer matching one of: ${trusted.map((t) => (typeof t === 'string' ? t : entryText(t))).join(', ')}`
          : `a signer listed in ${list} (the list is empty)`,
      actual: signer.type === 'sigstore' ? signer.identity.san : signer.fingerprint,
      hint: `If you trust this signer, add ${signer.type === 'sigstore' ? `"${signer.identity.san}"${signer.identity.issuer ? ` with issuer ${signer.identity.issuer}` : ''} to trusted_identities` : `${signer.fingerprint} to trusted_keys`} (AAM: Trust Signer).`,
      ruleKey: list,
    },
  );
}

/** The attestation, when it is valid and its registry is one the policy trusts for attestations. */
function trustedAttestation(
  fact: AttestationFact | undefined,
  policy: SecurityPolicy,
): Extract<AttestationFact, { state: 'valid' }> | undefined {
  return fact?.state === 'valid' &&
    policy.trust_registry_attestations &&
    policy.trusted_registries.includes(fact.registry)
    ? fact
    : undefined;
}

function attestedVerdict(fact: Extract<AttestationFact, { state: 'valid' }>, signer?: Signer): Verdict {
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

const NO_ATTESTATION: AttestationFact = {
  registry: '',
  state: 'none',
  reason: 'it does not come from an HTTP registry, so no registry attests it',
};

function attestationRequired(fact: AttestationFact, context: PolicyContext): Verdict {
  const why =
    fact.state === 'valid'
      ? `registry ${fact.registry} is not in trusted_registries${context.policy.trust_registry_attestations ? '' : ' (and trust_registry_attestations is false)'}`
      : fact.reason;
  return verdict('unattested', 'fail', 'ATTESTATION_REQUIRED', `No attestation of a trusted registry: ${why}.`, {
    expected: `a valid attestation of one of: ${context.policy.trusted_registries.join(', ') || '(trusted_registries is empty)'}`,
    actual:
      fact.state === 'valid'
        ? `an attestation of ${fact.registry}`
        : fact.state === 'none'
          ? 'none'
          : 'an invalid attestation',
    hint: 'Install it from a registry you trust for attestations, or add that registry to trusted_registries (with trust_registry_attestations: true).',
    rule: rule(context, 'require_registry_attestation'),
  });
}

function integrityFailure(integrity: Extract<IntegrityCheck, { ok: false }>): Verdict {
  const hints = {
    CHECKSUM_MISMATCH:
      'The archive differs from what was published: it may have been tampered with or corrupted. Re-install the package; if it persists, contact the registry owner.',
    FILES_MODIFIED:
      'Installed files were changed after installation. Review the changes, then re-install the package to restore it.',
    DEPLOYED_MODIFIED:
      'A copy that an agent loads (.cursor/, .claude/, .github/, CLAUDE.md, AGENTS.md, ~/.codex/) differs from the signed archive. Review it, then restore it from the verified archive (AAM: Restore Deployed Copies, or aam-trust restore NAME).',
    ARCHIVE_UNAVAILABLE:
      'The archive is needed to prove integrity. Make the registry reachable, or run Prepare Offline Verification while it is.',
    PACKAGE_MISMATCH:
      'The archive is another package or version than the lock file names (a rollback or a swap). Do not use it; re-install the package from a registry you trust.',
  } as const;
  return verdict(
    integrity.code === 'ARCHIVE_UNAVAILABLE' ? 'unavailable' : 'tampered',
    'fail',
    integrity.code,
    integrity.detail,
    {
      expected: integrity.expected,
      actual: integrity.actual,
      hint: hints[integrity.code],
    },
  );
}

function unsigned(context: PolicyContext, source: Checks['source']): Verdict {
  if (source?.requiresSignatures && !context.policy.require_signature) {
    // Whoever published it (aam pkg publish ignores the setting), the registry said every package is signed.
    return verdict(
      'unsigned',
      'fail',
      'UNSIGNED',
      `Package is not signed, and registry "${source.name}" requires signatures (require_signatures: true).`,
      {
        expected: `a signature, as registry "${source.name}" requires`,
        actual: 'no signature',
        hint: 'Ask the publisher to sign it (AAM: Publish Signed), or remove the package; the registry should not have accepted it.',
      },
    );
  }
  if (!context.policy.require_signature) {
    return verdict('unsigned', 'pass', 'UNSIGNED', 'Checksum verified; the package is not signed.', {
      hint: 'Set require_signature: true to reject unsigned packages.',
    });
  }
  return verdict('unsigned', 'fail', 'UNSIGNED', 'Package is not signed, and require_signature is true.', {
    expected: 'a Sigstore bundle or OpenPGP signature beside the archive',
    actual: 'no signature',
    hint: 'Ask the publisher to sign it (AAM: Publish Signed), or remove the package.',
    rule: rule(context, 'require_signature'),
  });
}

function invalid(signature: Extract<SignatureCheck, { state: 'invalid' }>, context: PolicyContext): Verdict {
  const hints = {
    SIGNATURE_INVALID:
      'The signature does not match this archive or its certificate chain is not trusted. Do not use this package; re-install it from a registry you trust.',
    BUNDLE_INVALID: 'The signature file is malformed. Re-install the package, or ask the publisher to sign it again.',
    TLOG_MISSING:
      'The signature has no verifiable transparency-log entry. Only for air-gapped setups, set verify_transparency_log: false.',
    KEY_UNKNOWN:
      "The signer's public key is not in your keyring. Import it (AAM: Import OpenPGP Public Key…) after checking its fingerprint, then verify again.",
  } as const;
  const kind = signature.type === 'sigstore' ? 'Sigstore' : 'OpenPGP';
  return onFailure(context, 'invalid', signature.code, `${kind} signature is not valid: ${signature.reason}`, {
    signer: signature.signer,
    hint: hints[signature.code],
    ruleKey: signature.code === 'TLOG_MISSING' ? 'verify_transparency_log' : 'on_signature_failure',
  });
}
