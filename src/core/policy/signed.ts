import { signaturesOf } from './checks.ts';
import type { AttestationFact, Checks, SignatureCheck } from './checks.ts';
import { delegationFor, describeChain, issuerAllowed, trustedDirectly } from './delegation.ts';
import type { JudgedSignature } from './delegation.ts';
import { countsFor, distinctSigners } from './distinct.ts';
import { entryText } from './identity.ts';
import { thresholdFor } from './name-pattern.ts';
import type { PolicyContext, SecurityPolicy } from './policy.ts';
import { describeSigner, signerName } from './trust-match.ts';
import type { Signer } from './trust-match.ts';
import { attestedVerdict, onFailure, rule, verdict } from './verdict.ts';
import type { Verdict } from './verdict.ts';

/**
 * The trust decision for a package that carries signatures (SPEC §2, steps
 * 4–6), each judged on its own: invalid, its issuer not allowed, trusted by
 * the trust lists, trusted through a delegation, or untrusted. A package
 * needs `signature_threshold` distinct trusted signers (1 by default); one
 * signature that does not count never hides another that does.
 */
export function decideSigned(
  checks: Checks,
  context: PolicyContext,
  attested: Extract<AttestationFact, { state: 'valid' }> | undefined,
): Verdict {
  const { policy } = context;
  const judged = judgeSignatures(checks, context);
  const threshold = thresholdFor(policy.signature_threshold, checks.name);
  const distinct = (some: JudgedSignature[]) => distinctSigners(some, policy);
  const counted = distinct(judged.filter((j) => j.standing.state === 'trusted' || j.standing.state === 'delegated'));
  if (counted.length >= threshold.value) return verified(counted, judged, threshold, context);
  const open = noTrustPolicy(policy);
  if (threshold.value > 1) {
    const valid = distinct(
      judged.filter((j) => j.check.state === 'valid' && j.standing.state !== 'issuer-not-allowed'),
    );
    if (open && valid.length >= threshold.value) return signedNoPolicy(valid, judged);
    return thresholdNotMet(counted, judged, threshold, context);
  }
  // Nothing counts: the decision is about the signature that came closest (a valid one before an invalid one).
  const chosen =
    judged.find((j) => j.standing.state === 'untrusted') ??
    judged.find((j) => j.standing.state === 'issuer-not-allowed') ??
    judged[0]!;
  const { check, standing } = chosen;
  if (check.state !== 'valid') return invalid(check as Extract<SignatureCheck, { state: 'invalid' }>, context, judged);
  const signer = check.signer;
  if (standing.state === 'issuer-not-allowed') return issuerNotAllowed(signer, context, judged);
  // A signer nobody listed, on a package its registry attests: the registry's word is the policy's choice.
  if (attested) return { ...attestedVerdict(attested, signer), signatures: judged };
  if (open) return signedNoPolicy([chosen], judged);
  if (standing.state === 'untrusted' && standing.refused)
    return onFailure(
      context,
      'signed-untrusted',
      'DELEGATION_REFUSED',
      `Signed by ${describeSigner(signer)}, whose delegation is refused: ${standing.refused}.`,
      {
        signer,
        signatures: judged,
        expected:
          'a delegation that is validly signed by a signer you trust, covers this package, and is neither expired nor revoked',
        actual: standing.refused,
        hint: `Ask the delegator for a valid delegation (aam-trust delegate), or trust ${signerName(signer)} directly (AAM: Trust Signer).`,
        ruleKey: policy.allow_delegation
          ? signer.type === 'sigstore'
            ? 'trusted_identities'
            : 'trusted_keys'
          : 'allow_delegation',
      },
    );
  return untrusted(signer, context, judged);
}

/** Each signature of the package as the policy sees it. */
export function judgeSignatures(checks: Checks, context: PolicyContext): JudgedSignature[] {
  const judging = {
    name: checks.name,
    delegations: checks.delegations ?? [],
    revocations: checks.revocations ?? [],
    unread: checks.delegationsUnread,
    revocationsUnknown: checks.revocationsUnknown,
    policy: context.policy,
    now: context.now,
  };
  return signaturesOf(checks).map(({ file, check }): JudgedSignature => {
    if (check.state !== 'valid') return { file, check, standing: { state: 'invalid' } };
    if (!issuerAllowed(check.signer, context.policy)) return { file, check, standing: { state: 'issuer-not-allowed' } };
    const match = trustedDirectly(check.signer, context.policy);
    if (match) return { file, check, standing: { state: 'trusted', match } };
    const chain = delegationFor(check.signer, judging);
    if (chain?.ok)
      return {
        file,
        check,
        standing: { state: 'delegated', match: chain.root, links: chain.links, roots: chain.roots },
      };
    return { file, check, standing: { state: 'untrusted', refused: chain?.reason } };
  });
}

const noTrustPolicy = (policy: SecurityPolicy) =>
  policy.trusted_identities.length === 0 && policy.trusted_keys.length === 0 && !policy.require_signature;

const signerOf = (j: JudgedSignature): Signer => (j.check as Extract<SignatureCheck, { state: 'valid' }>).signer;

function verified(
  counted: JudgedSignature[],
  judged: JudgedSignature[],
  threshold: { value: number; pattern?: string },
  context: PolicyContext,
): Verdict {
  const first = counted[0]!;
  const standing = first.standing as Extract<JudgedSignature['standing'], { state: 'trusted' | 'delegated' }>;
  const signer = signerOf(first);
  const trustedBy = {
    ...standing.match,
    ...(standing.state === 'delegated' ? { explanation: `${standing.match.explanation}, through a delegation` } : {}),
    source: context.sourceOf?.(standing.match.list as 'trusted_identities' | 'trusted_keys'),
  };
  const message =
    counted.length === 1
      ? `Signed by ${describeSigner(signer)}${standing.state === 'delegated' ? ` — ${describeChain(standing.links)}` : ''}, trusted by "${standing.match.pattern}".`
      : `Signed by ${counted.map((j) => signerName(signerOf(j))).join(' and ')}: ${counted.length} trusted signers${threshold.value > 1 ? ` (signature_threshold ${threshold.value}${threshold.pattern ? ` for ${threshold.pattern}` : ''})` : ''}.`;
  return verdict('verified', 'pass', 'VERIFIED', message, { signer, trustedBy, signatures: judged });
}

function signedNoPolicy(valid: JudgedSignature[], judged: JudgedSignature[]): Verdict {
  const who = valid.map((j) => describeSigner(signerOf(j))).join(' and ');
  return verdict(
    'signed-no-policy',
    'pass',
    'SIGNED_NO_POLICY',
    `Signed by ${who}; no trust policy is set, so any valid signer passes.`,
    {
      signer: signerOf(valid[0]!),
      signatures: judged,
      hint: 'Add trusted_identities or trusted_keys to decide whom to trust.',
    },
  );
}

/** Why a judged signature counts or does not, in words: `trusted by "…"`, a delegation chain, or what it lacks. */
export function whyStanding(j: JudgedSignature): string {
  switch (j.standing.state) {
    case 'trusted':
      return `trusted by "${j.standing.match.pattern}"`;
    case 'delegated':
      return `${describeChain(j.standing.links)}, trusted by "${j.standing.match.pattern}"`;
    case 'issuer-not-allowed':
      return 'its issuer is not in allowed_issuers';
    case 'untrusted':
      return j.standing.refused ? `delegation refused: ${j.standing.refused}` : 'not trusted';
    default:
      return j.check.state === 'invalid' ? j.check.reason : 'no signature';
  }
}

/** A signature in a few words, with why it does or does not count. */
export function standingText(j: JudgedSignature): string {
  if (j.check.state !== 'valid')
    return `an invalid ${j.check.state === 'invalid' ? j.check.type : ''} signature (${whyStanding(j)})`;
  return `${signerName(j.check.signer)} (${whyStanding(j)})`;
}

/** A signature left out of the count, and why: what it lacks, or that whom it counts for counted already. */
function notCountedText(j: JudgedSignature): string {
  const text = standingText(j);
  if (j.standing.state !== 'trusted' && j.standing.state !== 'delegated') return text;
  const as = countsFor(j).map(signerName).join(' or ');
  return `${text.slice(0, -1)}; counts as ${as}, who counted already)`;
}

function thresholdNotMet(
  counted: JudgedSignature[],
  judged: JudgedSignature[],
  threshold: { value: number; pattern?: string },
  context: PolicyContext,
): Verdict {
  const others = judged.filter((j) => !counted.includes(j));
  const valid = judged.find((j) => j.check.state === 'valid');
  return verdict(
    valid ? 'signed-untrusted' : 'invalid',
    'fail',
    'THRESHOLD_NOT_MET',
    `${counted.length} of ${threshold.value} required trusted signers${threshold.pattern ? ` (signature_threshold for ${threshold.pattern})` : ''}: ${counted.length > 0 ? counted.map(standingText).join(', ') : 'none'}${others.length > 0 ? `; not counted: ${others.map(notCountedText).join(', ')}` : ''}.`,
    {
      signer: valid ? signerOf(valid) : undefined,
      signatures: judged,
      expected: `${threshold.value} distinct trusted signers`,
      actual: `${counted.length}${counted.length > 0 ? `: ${counted.map((j) => signerName(signerOf(j))).join(', ')}` : ''}`,
      hint: 'Ask another signer you trust to co-sign this version (aam-trust sign NAME@VERSION), or trust one of its other signers.',
      rule: rule(context, 'signature_threshold'),
    },
  );
}

function issuerNotAllowed(signer: Signer, context: PolicyContext, judged: JudgedSignature[]): Verdict {
  const allowed = context.policy.allowed_issuers;
  const issuer = signer.type === 'sigstore' ? signer.identity.issuer : undefined;
  return onFailure(
    context,
    'invalid',
    'ISSUER_NOT_ALLOWED',
    `Signed by ${describeSigner(signer)}, but its issuer is not in allowed_issuers.`,
    {
      signer,
      signatures: judged,
      expected: `one of ${allowed.join(', ')}`,
      actual: issuer ?? '(no issuer)',
      hint: `If you trust ${issuer ?? 'this issuer'}, add it to allowed_issuers.`,
      ruleKey: 'allowed_issuers',
    },
  );
}

function untrusted(signer: Signer, context: PolicyContext, judged: JudgedSignature[]): Verdict {
  const list = signer.type === 'sigstore' ? 'trusted_identities' : 'trusted_keys';
  const trusted = context.policy[list];
  return onFailure(
    context,
    'signed-untrusted',
    'UNTRUSTED_SIGNER',
    `Signed by ${describeSigner(signer)}, who is not in ${list}.`,
    {
      signer,
      signatures: judged,
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

function invalid(
  signature: Extract<SignatureCheck, { state: 'invalid' }>,
  context: PolicyContext,
  judged: JudgedSignature[],
): Verdict {
  const hints = {
    SIGNATURE_INVALID:
      'The signature does not match this archive or its certificate chain is not trusted. Do not use this package; re-install it from a registry you trust.',
    BUNDLE_INVALID: 'The signature file is malformed. Re-install the package, or ask the publisher to sign it again.',
    TLOG_MISSING:
      'The signature has no verifiable transparency-log entry. Only for air-gapped setups, set verify_transparency_log: false.',
    KEY_UNKNOWN: `The signer's public key is not in your keyring. Fetch it (aam-trust keys fetch ${signature.key ?? 'FINGERPRINT'}, or AAM: Fetch OpenPGP Key…) or import it (AAM: Import OpenPGP Public Key…) after checking its fingerprint, then verify again.`,
  } as const;
  const kind = signature.type === 'sigstore' ? 'Sigstore' : 'OpenPGP';
  return onFailure(context, 'invalid', signature.code, `${kind} signature is not valid: ${signature.reason}`, {
    signer: signature.signer,
    signatures: judged,
    // A revoked key's signature matches its archive: the advice is about the key (newuser-review 14).
    hint:
      signature.code === 'SIGNATURE_INVALID' && /\brevoked\b/i.test(signature.reason)
        ? 'The key that made this signature was revoked. Do not use this package until its publisher signs it again with a key you trust; remove the revoked key from trusted_keys.'
        : hints[signature.code],
    ruleKey: signature.code === 'TLOG_MISSING' ? 'verify_transparency_log' : 'on_signature_failure',
  });
}
