import type { VerdictAction, VerdictStatus } from '../../policy/decision.ts';
import { outcomeOf } from './findings.ts';
import type { Finding } from './findings.ts';

/**
 * The words for verification states, defined once: the Verification view,
 * hovers, the status bar, notifications, the log and the CLI all say these.
 */
export const STATUS_LABEL: Record<VerdictStatus, string> = {
  verified: 'verified',
  'signed-no-policy': 'signed (no trust policy)',
  'signed-untrusted': 'signed, untrusted',
  unsigned: 'unsigned',
  invalid: 'invalid signature',
  tampered: 'tampered',
  unavailable: 'evidence missing',
  unattested: 'no trusted attestation',
  unverified: 'installed without verification',
  skipped: 'skipped',
  blocked: 'blocked',
};

/** The words for findings beside a verdict (a package row says them after its status). */
export const FINDING_LABEL: Record<Finding['code'], string> = {
  REGISTRY_CHANGED: 'registry changed',
  REGISTRY_LOG: 'registry log broken',
  SIGNATURE_REMOVED: 'signature removed',
  SIGNER_CHANGED: 'signer changed',
  DOWNGRADE: 'downgrade',
  DEPLOY_COLLISION: 'deployed path shared',
  SECTION_UNOWNED: 'a section nobody deploys beside it',
  DEPLOY_LEFT: 'an old copy left',
  DEPLOY_REPLACES: 'replaces a file',
  FOLDER_SHARED: 'installed folder shared',
  EXTRA_SIGNATURE_INVALID: 'a signature is invalid',
  EXTRA_SIGNATURE_UNKNOWN_KEY: 'a signature by an unknown key',
  HIDDEN_CONTENT: 'hidden content',
};

/** What a package counts as in a summary: every failure is "failed", whatever its status; the rest by status. */
export type Bucket = 'failed' | Exclude<VerdictStatus, 'tampered' | 'unavailable' | 'unattested' | 'blocked'>;

/** Summary order: failures first, then what needs a look, then what passed. */
const BUCKETS: readonly Bucket[] = [
  'failed',
  'unverified',
  'signed-untrusted',
  'invalid',
  'unsigned',
  'signed-no-policy',
  'skipped',
  'verified',
];

const BUCKET_LABEL: Record<Bucket, string> = { ...STATUS_LABEL, failed: 'failed' };

interface Reported {
  verdict: { status: VerdictStatus; action: VerdictAction };
  findings: readonly Finding[];
}

/** The worst of the verdict and the findings: what decides an exit code, an icon, a count. */
export function outcome(report: Reported): VerdictAction {
  return outcomeOf(report.verdict.action, report.findings);
}

export function bucketOf(report: Reported): Bucket {
  const status = report.verdict.status;
  return outcome(report) === 'fail' ||
    status === 'tampered' ||
    status === 'unavailable' ||
    status === 'unattested' ||
    status === 'blocked'
    ? 'failed'
    : status;
}

/** Where a package sorts in a list: failures first, verified last, by name within each. */
export function rankOf(report: Reported): number {
  return BUCKETS.indexOf(bucketOf(report));
}

export interface Tally {
  total: number;
  failed: number;
  /** Packages that pass with a warning (an untrusted signer under on_signature_failure: warn, …). */
  warnings: number;
  counts: Record<Bucket, number>;
  /** The non-zero counts in summary order, e.g. ["3 verified", "1 unsigned", "2 failed"]; they add up to `total`. */
  parts: string[];
  /** "7 packages: 2 failed, 1 signed, untrusted, 1 unsigned, 3 verified" */
  line: string;
}

export function tally(reports: readonly Reported[]): Tally {
  const counts = Object.fromEntries(BUCKETS.map((b) => [b, 0])) as Record<Bucket, number>;
  let warnings = 0;
  for (const report of reports) {
    counts[bucketOf(report)]++;
    if (outcome(report) === 'warn') warnings++;
  }
  const parts = BUCKETS.filter((b) => counts[b] > 0).map((b) => `${counts[b]} ${BUCKET_LABEL[b]}`);
  const total = reports.length;
  const noun = `${total} package${total === 1 ? '' : 's'}`;
  return {
    total,
    failed: counts.failed,
    warnings,
    counts,
    parts,
    line: parts.length > 0 ? `${noun}: ${parts.join(', ')}` : noun,
  };
}
