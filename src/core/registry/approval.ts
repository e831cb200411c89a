import { describeSigner, findTrust } from '../policy/trust-match.ts';
import type { SignatureVerifier } from '../signature/verifier.ts';
import type { ApiApproval } from './http-api.ts';
import type { Signer } from '../policy/trust-match.ts';
import { normalizeFingerprint, parseIdentityPattern } from '../policy/identity.ts';
import { parseShallowJson } from '../model/json-depth.ts';
import { canonicalJson } from './audit-log.ts';

/**
 * Approvals (seeds: publish_policy.require_approval): an approver signs a
 * small document naming the registry, package, version, archive digest and
 * decision — with Sigstore or OpenPGP, like a package — so a client can
 * check who approved what without trusting the registry.
 */
export const APPROVAL_TYPE = 'aam-approval/v1';

export interface ApprovalDocument {
  type: typeof APPROVAL_TYPE;
  registry: string;
  package: string;
  version: string;
  /** SHA-256 (hex) of the archive approved. */
  sha256: string;
  status: 'approved' | 'rejected';
  comment: string;
  at: string;
}

/** An approval document's size at most: its fields, and a comment of 4,096 characters each escaped. */
const MAX_APPROVAL_BYTES = 64 * 1024;

export function approvalDocument(fields: Omit<ApprovalDocument, 'type'>): Buffer {
  return Buffer.from(canonicalJson({ type: APPROVAL_TYPE, ...fields }), 'utf8');
}

export function parseApprovalDocument(bytes: Uint8Array): ApprovalDocument | undefined {
  // One flat object, its comment at most 4,096 characters: anything larger or nested is no approval, unparsed.
  if (bytes.byteLength > MAX_APPROVAL_BYTES) return undefined;
  try {
    const value = parseShallowJson(Buffer.from(bytes).toString('utf8'), 1) as Partial<ApprovalDocument>;
    if (
      value.type !== APPROVAL_TYPE ||
      typeof value.registry !== 'string' ||
      typeof value.package !== 'string' ||
      typeof value.version !== 'string' ||
      typeof value.sha256 !== 'string' ||
      (value.status !== 'approved' && value.status !== 'rejected') ||
      typeof value.comment !== 'string' ||
      typeof value.at !== 'string'
    )
      return undefined;
    // Only the canonical form is accepted, so what was signed is what is read.
    return Buffer.from(bytes).equals(approvalDocument(value as ApprovalDocument))
      ? (value as ApprovalDocument)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The approvers entry a signer matches: identity patterns (as in
 * trusted_identities) and full OpenPGP fingerprints, matched exactly as trust
 * lists are.
 */
export function approverMatch(signer: Signer, approvers: readonly string[]): string | undefined {
  const keys = approvers.filter((a) => normalizeFingerprint(a) !== undefined);
  const identities = approvers.filter((a) => normalizeFingerprint(a) === undefined);
  return findTrust(signer, { trusted_identities: identities, trusted_keys: keys })?.pattern;
}

/** Why an approvers entry can never match anyone, or undefined when it is well formed. */
export function approverProblem(entry: string): string | undefined {
  if (normalizeFingerprint(entry) !== undefined) return undefined;
  const parsed = parseIdentityPattern(entry);
  return parsed.ok ? undefined : `"${entry}" ${parsed.reason}`;
}

/** What a client concluded from a version's approvals, checked against its own approvers. */
export type ApprovalVerdict =
  | { ok: true; approver: string; signer: Signer; at: string; comment: string }
  | { ok: false; reason: string; rejectedBy?: string };

/**
 * Checks a version's approvals the way a client must: only a document that
 * names this registry, package, version and archive digest counts, only when
 * its signature verifies with the client's own trust material (an OpenPGP
 * approval may bring its key, whose fingerprint must then be one of the
 * approvers), and only when its signer is one of the client's approvers —
 * what the server says about the approval status is not evidence. The most
 * recent decision of those approvers decides.
 */
export async function checkApprovals(
  approvals: readonly ApiApproval[],
  expected: { registry: string; name: string; version: string; sha256: string },
  approvers: readonly string[],
  verifier: SignatureVerifier,
): Promise<ApprovalVerdict> {
  if (approvers.length === 0)
    return { ok: false, reason: 'publish_policy.require_approval is on, but publish_policy.approvers names no one' };
  const decisions: { document: ApprovalDocument; signer: Signer; approver: string }[] = [];
  const refused: string[] = [];
  for (const approval of approvals) {
    const bytes = Buffer.from(approval.document, 'base64');
    const document = parseApprovalDocument(bytes);
    if (
      !document ||
      document.registry !== expected.registry ||
      document.package !== expected.name ||
      document.version !== expected.version ||
      document.sha256 !== expected.sha256
    ) {
      refused.push(`an approval by ${approval.approver} is about something else`);
      continue;
    }
    const signature = Buffer.from(approval.signature, 'base64');
    let check = await verifier.verify(approval.signature_type, signature, bytes);
    if (
      check.state === 'invalid' &&
      check.code === 'KEY_UNKNOWN' &&
      approval.signature_type === 'gpg' &&
      approval.public_key
    ) {
      check = await verifier.verifyWithBroughtKey(signature, bytes, approval.public_key);
    }
    if (check.state !== 'valid') {
      refused.push(
        `the approval by ${approval.approver} does not verify (${check.state === 'invalid' ? check.reason : 'no signature'})`,
      );
      continue;
    }
    const approver = approverMatch(check.signer, approvers);
    if (!approver) {
      refused.push(`${describeSigner(check.signer)} is not one of your approvers`);
      continue;
    }
    decisions.push({ document, signer: check.signer, approver });
  }
  const last = decisions.sort((a, b) => a.document.at.localeCompare(b.document.at)).at(-1);
  if (!last)
    return {
      ok: false,
      reason: `no approval signed by one of your approvers (${approvers.join(', ')})${refused.length > 0 ? `: ${refused.join('; ')}` : ''}`,
    };
  if (last.document.status === 'rejected')
    return {
      ok: false,
      reason: `rejected by ${describeSigner(last.signer)}${last.document.comment ? `: "${last.document.comment}"` : ''}`,
      rejectedBy: describeSigner(last.signer),
    };
  return {
    ok: true,
    approver: last.approver,
    signer: last.signer,
    at: last.document.at,
    comment: last.document.comment,
  };
}
