import type { AuditEntry } from '../../registry/audit-log.ts';
import { publishProblem } from '../../registry/audit-publishes.ts';
import type { HeldArchive } from '../../registry/audit-publishes.ts';
import type { RegistryLogCheck } from '../../registry/registry-check.ts';
import type { Finding } from './findings.ts';

/*
 * What an HTTP registry's audit log says about a package, as a finding:
 * said once, here, so verify, the compliance report and info judge a log
 * the same way and in the same words.
 */

/**
 * The held archive's publish, as the log recorded it (with its checksum),
 * must be among the entries proven about its package, and no version of it
 * may be recorded with two archives: a log that leaves the publish out,
 * says another archive was published, or forked a version fails.
 */
export function publishFinding(
  registry: string,
  held: HeldArchive,
  proven: readonly AuditEntry[],
): Finding | undefined {
  const problem = publishProblem(held, proven);
  if (!problem) return undefined;
  return {
    code: 'REGISTRY_LOG',
    action: 'fail',
    message: `The audit log of registry "${registry}" ${problem.reason}.`,
    expected: held.checksum,
    actual: problem.recorded.join(', ') || undefined,
    hint:
      problem.kind === 'equivocation'
        ? `A registry never publishes a version twice: this one logged different archives for it, as if serving different bytes to different clients. Do not trust ${held.name} from it; report it to its operator ("aam-trust audit ${held.name}" shows the entries).`
        : 'The registry dropped or changed the record of this publish. Report it to its operator; "aam-trust audit NAME" shows the log.',
  };
}

/** A log that failed its check (rewritten, forked, downgraded, or signed by another key), as a failing finding. */
export function logFinding(check: RegistryLogCheck, recordedHead: string | undefined): Finding {
  return {
    code: 'REGISTRY_LOG',
    action: 'fail',
    message: `${check.reason}.`,
    expected: check.keyChanged ? check.keyChanged.was : recordedHead,
    actual: check.keyChanged ? check.keyChanged.now : check.head?.head_hash,
    hint: check.keyChanged
      ? 'Do not install from it until its operator confirms the new key; then pin it (key_id in its config entry) or install with --accept-signer-change.'
      : check.downgraded
        ? "The registry stopped signing its log's Merkle root, which switches off the proofs. Report it to its operator; the recorded root is kept."
        : 'The registry rewrote what it had recorded. Report it to its operator; "aam-trust audit NAME" shows the log.',
  };
}
