import type { HiddenFile, HiddenItem } from '../../content/scan.ts';
import { scanBytes } from '../../content/scan.ts';
import { deployChanges } from '../../deploy/changes.ts';
import type { DeployedFileChange } from '../../deploy/changes.ts';
import { fileChecksumsOf } from '../../archive/extract.ts';
import { readArchive } from '../../archive/read.ts';
import { describeSigner } from '../../policy/trust-match.ts';
import type { AttestationFact, Verdict } from '../../policy/decision.ts';
import { HttpRegistry } from '../../registry/http-registry.ts';
import type { Finding } from '../../verify/verdict/findings.ts';
import { STATUS_LABEL } from '../../verify/verdict/vocabulary.ts';
import { trustDiff } from '../diff/trust-diff.ts';
import type { PackageChange, PackageSide } from '../diff/trust-diff.ts';
import type { ProjectState } from '../diff/state.ts';
import { lockEntry, recordedEntry } from '../install/records.ts';
import { prepareInstall } from '../install/prepare.ts';
import type { InstallOptions, PreparedInstall } from '../install/prepare.ts';
import { recordedDelegations } from '../diff/recorded-delegations.ts';

/** One changed file an agent loads, with the hidden content of its new text (items by the new file's lines). */
export interface ReviewedFile extends DeployedFileChange {
  hidden: HiddenItem[];
}

/** What an update does to one package: its trust picture before and after, and every file agents will load differently. */
export interface PackageReview {
  name: string;
  from: string | undefined;
  to: string;
  verdict: Verdict;
  /** Signer, signature kind and verdict before and after, as Trust Diff says them. */
  trust: PackageChange;
  /** The registry attestation of the new version, in words ("attested by team, published by alice"). */
  attestation: string;
  /** What the registry's approvals say of the new version. */
  approvals: string;
  /** Signer continuity: another signer, a removed signature, a lower version (installing accepts it). */
  changes: Finding[];
  /**
   * What the install says of itself beside the verdict, before anything is written: a file it replaces that no
   * version of this package deployed (another package's, or the user's), an old copy it leaves that agents keep
   * loading, a signature beside the others that does not verify.
   */
  findings: Finding[];
  files: ReviewedFile[];
  hidden: HiddenFile[];
}

export interface UpdateReview {
  packages: PackageReview[];
  /** What the install would write, as prepared: `installReviewed` writes exactly this. */
  prepared: PreparedInstall;
}

/**
 * An update review: everything an install would do, prepared and verified,
 * with nothing written — per package the trust changes (signer, signature,
 * attestation, approvals, verdict) and every deployed file, per platform,
 * as `aam install` would write it, against what agents load now.
 */
export async function reviewUpdate(specs: readonly string[], options: InstallOptions): Promise<UpdateReview> {
  const prepared = await prepareInstall(specs, { ...options, force: true });
  const head = await nextState(prepared);
  const global = options.config.files.find((f) => f.layer === 'global');
  const diff = trustDiff(prepared.base, head, {
    globalConfig: global ?? { layer: 'global', path: '', exists: false, diagnostics: [], value: undefined },
    homeDir: options.homeDir ?? '',
    policy: options.config.security,
    // The new versions as verified: their signers, and the delegations those sign through.
    headVerdicts: new Map(prepared.verified.map((item) => [item.plan.name, item.verdict])),
    // The installed versions as recorded, a delegate's signer judged through the delegations it was installed by.
    baseDelegations: await recordedDelegations(prepared.base, {
      verifier: options.verifier,
      cacheDir: options.cache.dir,
      registries: options.config.registries,
    }),
  });
  const packages: PackageReview[] = [];
  for (const item of prepared.verified) {
    const files = await deployChanges(item.targets);
    packages.push({
      name: item.plan.name,
      from: prepared.base.lock.packages[item.plan.name]?.version,
      to: item.plan.version,
      verdict: item.verdict,
      trust: diff.packages.find((p) => p.name === item.plan.name)!,
      attestation: attestationWords(item.attestation?.fact),
      approvals: await approvalWords(options, prepared, item.plan.name, item.plan.version),
      changes: prepared.changes.filter((c) => c.name === item.plan.name).map((c) => c.finding),
      findings: item.findings,
      files: files.map((file) => ({ ...file, hidden: hiddenIn(file) })),
      hidden: item.hidden,
    });
  }
  return { packages, prepared };
}

/** The project as the install would leave it (lock file and trust record), for Trust Diff. */
async function nextState(prepared: PreparedInstall): Promise<ProjectState> {
  const lock = structuredClone(prepared.base.lock);
  const record = structuredClone(prepared.base.record);
  const now = new Date();
  for (const item of prepared.verified) {
    lock.packages[item.plan.name] = lockEntry(item, fileChecksumsOf(await readArchive(item.archive)));
    record.packages[item.plan.name] = recordedEntry(item, prepared.platforms, now, prepared.unverifiedAt);
  }
  return { ...prepared.base, label: 'after the update', lock, record };
}

function hiddenIn(file: DeployedFileChange): HiddenItem[] {
  return file.after === undefined || file.after.length === 0 ? [] : scanBytes(file.after, file.path);
}

function attestationWords(fact: AttestationFact | undefined): string {
  if (!fact) return 'none (only an HTTP registry attests what it publishes)';
  return fact.state === 'valid'
    ? `attested by ${fact.registry} (key ${fact.keyId.slice(0, 16)}…), published by ${fact.publisher}`
    : `${fact.registry}: ${fact.reason}`;
}

async function approvalWords(
  options: InstallOptions,
  prepared: PreparedInstall,
  name: string,
  version: string,
): Promise<string> {
  const registry = options.registry;
  if (!(registry instanceof HttpRegistry) || prepared.registryName !== registry.name)
    return 'none (a file registry or a local file has no approvals)';
  const { approval_status: status, approvals } = await registry.approvals(name, version).catch(() => ({
    approval_status: 'unknown',
    approvals: [],
  }));
  const who = approvals.map((a) => `${a.status} by ${a.approver} (${a.created_at.slice(0, 10)})`).join(', ');
  const checked = options.config.security.publish_policy.require_approval
    ? 'checked against your approvers'
    : 'as the registry says (your policy does not require approval)';
  return `${status}${who ? `: ${who}` : ''} — ${checked}`;
}

/** A package's verdict in a line, as the CLI and the review view say it. */
export function verdictWords(verdict: Verdict): string {
  // Every signer the verdict counted (trusted, or through a delegation), as a threshold counts them.
  const counted = verdict.signatures.flatMap((j) =>
    j.check.state === 'valid' && (j.standing.state === 'trusted' || j.standing.state === 'delegated')
      ? [describeSigner(j.check.signer)]
      : [],
  );
  const signers = [...new Set(counted.length > 0 ? counted : verdict.signer ? [describeSigner(verdict.signer)] : [])];
  return `${STATUS_LABEL[verdict.status]}${signers.length > 0 ? `, signed by ${signers.join(' and ')}` : ''}`;
}

/**
 * A package's signers in a review, as label and text: every signer before →
 * after, the signers that came and went, the kinds of signature, and the
 * delegations the new version's signers sign through.
 */
export function signerFacts(trust: PackageChange): { label: string; text: string; warn: boolean }[] {
  const { before, after } = trust;
  const words = (s: PackageSide | undefined, key: 'signer' | 'kind') => (s ? (s[key] ?? 'unknown') : '—');
  const several = (before?.signers.length ?? 0) > 1 || (after?.signers.length ?? 0) > 1;
  const changed = !!before?.signerKey && !!after?.signerKey && before.signerKey !== after.signerKey;
  const facts = [
    {
      label: several ? 'Signers' : 'Signer',
      text: `${words(before, 'signer')} → ${words(after, 'signer')}`,
      warn: changed,
    },
  ];
  for (const added of trust.signerChange?.added ?? []) facts.push({ label: 'Signer added', text: added, warn: false });
  for (const removed of trust.signerChange?.removed ?? [])
    facts.push({ label: 'Signer gone', text: removed, warn: true });
  facts.push({ label: 'Signature', text: `${words(before, 'kind')} → ${words(after, 'kind')}`, warn: false });
  for (const delegation of after?.delegations ?? []) facts.push({ label: 'Delegation', text: delegation, warn: false });
  return facts;
}
