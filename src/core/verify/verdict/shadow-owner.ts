import { decide } from '../../policy/decision.ts';
import type { Checks, PolicyContext } from '../../policy/decision.ts';
import type { JobResult } from '../checks/job.ts';
import { continuityFindings, hiddenFindings, signatureFindings } from './findings.ts';

/** What judging the owner of a shared deployed place takes of its result: the same in verify NAME and verify-all. */
export type OwnerResult = Pick<JobResult, 'name' | 'deployed' | 'checks' | 'continuity' | 'hidden' | 'registryChanges'>;

/**
 * Why the package whose copy a shared place holds does not pass policy on
 * its own, or undefined when it does. A copy another package holds is only
 * a name clash (not an edit) when the text agents load there is what policy
 * accepts: an unsigned rival under require_signature is not. Its deployed
 * copies elsewhere are left out: this copy matches its archive byte for
 * byte, and which of its other places a third package holds is not known
 * when only its neighbours are verified. What only its HTTP registry says
 * (attestation, audit log) is not known either, as verify NAME asks the
 * registry about NAME alone: a policy that requires an attestation counts
 * the owner's as missing (fail closed, the same in both runs).
 */
export function ownerFailure(owner: OwnerResult, context: PolicyContext): string | undefined {
  const { policy } = context;
  const verdict = decide(ownChecks(owner.checks), context);
  if (verdict.action === 'fail') return `${verdict.code}: ${verdict.message}`;
  if (owner.registryChanges.length > 0) return 'REGISTRY_CHANGED: its registry changed the published version';
  const finding = [
    ...continuityFindings(owner.continuity, owner.name, policy.on_signer_change),
    ...signatureFindings(verdict, policy.on_signature_failure),
    ...hiddenFindings(owner.hidden, policy.hidden_content, owner.name),
  ].find((f) => f.action === 'fail');
  return finding && `${finding.code}: ${finding.message}`;
}

/** What ownerFailure depends on besides the policy: a decided report is reused only while it is the same. */
export function ownerKey(owner: OwnerResult): string {
  return JSON.stringify([
    owner.name,
    ownChecks(owner.checks),
    owner.continuity,
    owner.hidden.reduce((n, f) => n + f.count, 0),
    owner.registryChanges.length > 0,
  ]);
}

/** Its checks with its own deployed copies left out (a DEPLOYED_MODIFIED comes only after every other integrity check held). */
function ownChecks(checks: Checks): Checks {
  return checks.integrity.ok === false && checks.integrity.code === 'DEPLOYED_MODIFIED'
    ? { ...checks, integrity: { ok: true } }
    : checks;
}
