import { signaturesOf } from './checks.ts';
import type { AttestationFact, Checks, IntegrityCheck } from './checks.ts';
import type { PolicyContext, SecurityPolicy } from './policy.ts';
import { blockedBy, thresholdFor } from './name-pattern.ts';
import { decideSigned } from './signed.ts';
import { installedUnverified } from './unverified.ts';
import { attestedVerdict, rule, verdict } from './verdict.ts';
import type { Verdict } from './verdict.ts';

export { DEFAULT_POLICY, failureRank } from './policy.ts';
export type { FailureMode, PolicyContext, SecurityPolicy, SignatureThreshold } from './policy.ts';
export type {
  AttestationFact,
  Checks,
  Delegate,
  DelegationFact,
  IntegrityCheck,
  RevocationFact,
  SignatureCheck,
  SignatureEntry,
} from './checks.ts';
export type { Verdict, VerdictAction, VerdictCode, VerdictStatus } from './verdict.ts';

/**
 * SPEC §2 "Trust decision", in its order. Pure: no I/O, no clock (the time
 * comes with the context). A package installed without verification says so
 * over any verdict but a failed integrity check (tampered stays tampered);
 * checks taken from an earlier verification say so in the message.
 */
export function decide(checks: Checks, context: PolicyContext): Verdict {
  // Whatever its signatures say, a package the policy blocks must not be there (spec3-review E1: a blocked
  // package committed with its lock entry passed verification, as only install read the list).
  // (A policy stored before the setting existed has none.)
  const blocked = checks.name && blockedBy(checks.name, context.policy.blocked_packages ?? []);
  if (checks.name && blocked) return blockedVerdict(checks.name, blocked, context);
  // So is one from a registry the policy does not allow: the lock entry is the pull request's to write, and
  // pointing it at a registry of its own was a way round the rest (spec3-review A, E1).
  const allowed = context.policy.allowed_registries ?? [];
  if (allowed.length > 0 && checks.from !== undefined && !allowed.includes(checks.from))
    return notAllowedVerdict(checks.name, checks.from, allowed, context);
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

function blockedVerdict(name: string, entry: string, context: PolicyContext): Verdict {
  return verdict('blocked', 'fail', 'PACKAGE_BLOCKED', `${name} is blocked by blocked_packages ("${entry}").`, {
    expected: 'no package that blocked_packages names',
    actual: `${name} is installed`,
    hint: `Uninstall it (aam uninstall ${name}); remove "${entry}" from blocked_packages only if you are sure it is safe.`,
    rule: rule(context, 'blocked_packages'),
  });
}

function notAllowedVerdict(name: string, from: string, allowed: string[], context: PolicyContext): Verdict {
  const expected = `a package from ${allowed.map((r) => `"${r}"`).join(' or ')}`;
  const rules = { expected, rule: rule(context, 'allowed_registries') };
  // `source: local` is a .aam file's install (only one this machine made is exempt), or a registry of that name:
  // which one, the verdict is the same, so the message names both ways out (diff15-review L2).
  if (from === 'local')
    return verdict(
      'blocked',
      'fail',
      'REGISTRY_NOT_ALLOWED',
      `${name} says source: local: no registry of that name is in allowed_registries (${allowed.join(', ')}), and this machine did not install it from a .aam file.`,
      {
        ...rules,
        actual: 'the lock file says source: local',
        hint: `Install it from an allowed registry (aam-trust install ${name}); if it came from a .aam file you trust, run "aam-trust install FILE.aam --force" so this machine keeps that fact; if "local" is a registry you trust, add it to allowed_registries.`,
      },
    );
  return verdict(
    'blocked',
    'fail',
    'REGISTRY_NOT_ALLOWED',
    `${name} comes from registry "${from}", which is not in allowed_registries (${allowed.join(', ')}).`,
    {
      ...rules,
      actual: `the lock file says registry "${from}"`,
      hint: `Install it from an allowed registry (aam-trust install ${name}), or add "${from}" to allowed_registries if you trust it.`,
    },
  );
}

function decideChecked(checks: Checks, context: PolicyContext): Verdict {
  const { policy } = context;
  const { integrity } = checks;
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
  if (signaturesOf(checks).length === 0) {
    // None of the trusted signers a threshold above 1 asks for: fewer than a package with one, which fails.
    const threshold = thresholdFor(policy.signature_threshold, checks.name);
    if (threshold.value > 1) return unsignedUnderThreshold(threshold, context);
    if (!attested) return unsigned(context, checks.source);
    // The registry says it takes only signed packages and serves this one unsigned: it contradicts itself, attestation and all.
    return checks.source?.requiresSignatures ? unsignedOnSignedRegistry(checks.source.name) : attestedVerdict(attested);
  }
  return decideSigned(checks, context, attested);
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
    LOCKFILE_INVALID:
      'An entry must name a package (name or @scope/name) with a version and source free of control characters: restore .aam/aam-lock.yaml from version control, or remove the entry and what was installed under it, then install the package again.',
    NOT_LOCKED:
      'Nothing vouches for it: remove the folder, or install the package with aam (or aam-trust install) so that the lock file records it.',
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
  // Whoever published it (aam pkg publish ignores the setting), the registry said every package is signed.
  if (source?.requiresSignatures && !context.policy.require_signature) return unsignedOnSignedRegistry(source.name);
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

function unsignedUnderThreshold(threshold: { value: number; pattern?: string }, context: PolicyContext): Verdict {
  const setting = `signature_threshold${threshold.pattern ? ` for ${threshold.pattern}` : ''}`;
  return verdict(
    'unsigned',
    'fail',
    'THRESHOLD_NOT_MET',
    `Package is not signed, and ${setting} asks for ${threshold.value} distinct trusted signers.`,
    {
      expected: `${threshold.value} distinct trusted signers`,
      actual: 'no signature',
      hint: 'Ask the publisher and a co-signer you trust to sign it (AAM: Publish Signed, aam-trust sign NAME@VERSION), or remove the package.',
      rule: rule(context, 'signature_threshold'),
    },
  );
}

function unsignedOnSignedRegistry(registry: string): Verdict {
  return verdict(
    'unsigned',
    'fail',
    'UNSIGNED',
    `Package is not signed, and registry "${registry}" requires signatures (require_signatures: true).`,
    {
      expected: `a signature, as registry "${registry}" requires`,
      actual: 'no signature',
      hint: 'Ask the publisher to sign it (AAM: Publish Signed), or remove the package; the registry should not have accepted it.',
    },
  );
}
