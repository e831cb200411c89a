import type { ConfigFileState } from '../../config/load.ts';
import { mergeConfigFiles } from '../../config/load.ts';
import type { SecuritySettings } from '../../config/settings.ts';
import { validateConfigText } from '../../config/validate.ts';
import type { LockedPackage } from '../../lockfile/lockfile.ts';
import { compareVersions, isValidVersion, parseVersion } from '../../model/versions.ts';
import { decide } from '../../policy/decision.ts';
import type { PolicyContext, SignatureCheck, VerdictAction, VerdictStatus } from '../../policy/decision.ts';
import type { Signer } from '../../policy/trust-match.ts';
import { describeRecorded, keyOfSigner, signerKey } from '../../record/continuity.ts';
import type { RecordedSignature, TrustRecord } from '../../record/trust-record.ts';
import type { PackageReport } from '../../verify/verdict/report.ts';
import { signerOfReport } from '../../verify/verdict/report.ts';
import type { ProjectState } from './state.ts';
import { describePolicyChange, policyChanges } from './policy-changes.ts';
import type { PolicyChange } from './policy-changes.ts';

export type { PolicyChange } from './policy-changes.ts';
export { describePolicyChange } from './policy-changes.ts';

/** A package on one side of a diff: its version, who signed it, and its verdict under the current policy. */
export interface PackageSide {
  version: string;
  checksum: string;
  /** Who signed it, in words; `unsigned`; undefined when that state does not say. */
  signer: string | undefined;
  kind: 'sigstore' | 'gpg' | 'unsigned' | undefined;
  status: VerdictStatus | undefined;
  action: VerdictAction | undefined;
  signerKey: string | undefined;
  /** The verdict fails on the package's files (tampered, evidence missing), which records alone cannot tell for a base. */
  integrityFailure: boolean;
}

export interface PackageChange {
  name: string;
  change: 'added' | 'removed' | 'upgraded' | 'downgraded' | 'changed' | 'unchanged';
  before: PackageSide | undefined;
  after: PackageSide | undefined;
  /** What the change introduces that a reviewer must look at; any of these makes the diff fail. */
  problems: { code: 'SIGNER_CHANGED' | 'SIGNATURE_REMOVED' | 'DOWNGRADE' | 'NEWLY_FAILING'; message: string }[];
}

export interface TrustDiff {
  base: string;
  head: string;
  packages: PackageChange[];
  policy: PolicyChange[];
  /** Why the change should not go in as it is (failing packages, signer changes, a weaker policy). */
  reasons: string[];
}

export interface DiffOptions {
  /** The user's global config, merged under both states' project configs. */
  globalConfig: ConfigFileState;
  homeDir: string;
  /** The head's real verification (when the head is the working tree); otherwise judged from its records. */
  headReports?: readonly PackageReport[];
}

/**
 * Compares two states of a project's trust picture: per package, added,
 * removed, upgraded or downgraded, signer and signature kind before and
 * after, verdict before and after under the current policy; and the policy
 * changes of the project config, with the packages each trusts or stops
 * trusting. The signers come from the trust record (the lock file's records
 * when it has none), and for a verified working tree from the verification.
 */
export function trustDiff(base: ProjectState, head: ProjectState, options: DiffOptions): TrustDiff {
  const before = policyOf(base, options);
  const after = policyOf(head, options);
  const context: PolicyContext = { policy: after };
  const names = [...new Set([...Object.keys(base.lock.packages), ...Object.keys(head.lock.packages)])].sort();
  const reports = new Map((options.headReports ?? []).map((r) => [r.name, r]));
  const packages = names.map((name) =>
    packageChange(
      name,
      side(base, name, context),
      reports.get(name) ? reportSide(head.lock.packages[name], reports.get(name)!) : side(head, name, context),
    ),
  );
  const policy = policyChanges(before, after, headSigners(head, reports));
  const reasons = [
    ...packages.flatMap((p) => p.problems.map((x) => `${p.name}: ${x.message}`)),
    ...policy.filter((c) => c.weaker).map((c) => `policy: ${describePolicyChange(c)}`),
  ];
  return { base: base.label, head: head.label, packages, policy, reasons };
}

function policyOf(state: ProjectState, options: DiffOptions): SecuritySettings {
  const validation = validateConfigText(state.configText);
  const project: ConfigFileState = {
    layer: 'project',
    path: `${state.label}:.aam/config.yaml`,
    exists: state.configText.trim() !== '',
    diagnostics: validation.diagnostics,
    value: validation.value,
  };
  return mergeConfigFiles([options.globalConfig, project], false, options.homeDir).security;
}

/** A package as a state's records describe it, judged under the current policy. */
function side(state: ProjectState, name: string, context: PolicyContext): PackageSide | undefined {
  const entry = state.lock.packages[name];
  if (!entry) return undefined;
  const recorded = signatureRecorded(state.record, name, entry);
  const base = { version: entry.version, checksum: entry.checksum };
  if (recorded === undefined)
    return {
      ...base,
      signer: undefined,
      kind: undefined,
      status: undefined,
      action: undefined,
      signerKey: undefined,
      integrityFailure: false,
    };
  // Every recorded signer counts toward a threshold, as verification counts them.
  const signatures = (signaturesRecorded(state.record, name, entry) ?? []).map((r) => ({
    file: '',
    check: { state: 'valid' as const, signer: signerOfRecord(r) },
  }));
  const signature: SignatureCheck = signatures[0]?.check ?? { state: 'none' };
  const verdict = decide({ name, integrity: { ok: true }, signature, signatures }, context);
  return {
    ...base,
    signer: describeRecorded(recorded),
    kind: recorded?.type ?? 'unsigned',
    status: verdict.status,
    action: verdict.action,
    signerKey: recorded ? signerKey(recorded) : 'unsigned',
    integrityFailure: false,
  };
}

function reportSide(entry: LockedPackage | undefined, report: PackageReport): PackageSide {
  const signer = signerOfReport(report);
  const unsigned =
    report.checks.signature.state === 'none' &&
    (report.checks.integrity.ok || report.checks.integrity.code === 'DEPLOYED_MODIFIED');
  return {
    version: report.version,
    checksum: entry?.checksum ?? report.checksum,
    signer: signer ? describeRecorded(recordOfSigner(signer)) : unsigned ? 'unsigned' : undefined,
    kind: signer?.type ?? (unsigned ? 'unsigned' : undefined),
    status: report.verdict.status,
    // The verdict's own action: a changed signer or a removed signature is a problem of its own here.
    action: report.verdict.action,
    signerKey: signer ? keyOfSigner(signer) : unsigned ? 'unsigned' : undefined,
    integrityFailure: !report.checks.integrity.ok,
  };
}

/** The recorded signature for the lock entry's archive: null when recorded unsigned, undefined when nothing says. */
function signatureRecorded(
  record: TrustRecord,
  name: string,
  entry: LockedPackage,
): RecordedSignature | null | undefined {
  return (
    signaturesRecorded(record, name, entry)?.[0] ??
    (record.packages[name]?.checksum === entry.checksum ? null : undefined)
  );
}

/** Every signer the records name for a package, the first first (null: recorded unsigned; undefined: not known). */
function signaturesRecorded(record: TrustRecord, name: string, entry: LockedPackage): RecordedSignature[] | undefined {
  const recorded = record.packages[name];
  if (recorded && recorded.checksum === entry.checksum)
    return recorded.signature ? [recorded.signature, ...(recorded.cosignatures ?? [])] : [];
  const fromLock = [entry.signature, ...(entry.cosignatures ?? [])].flatMap((lock): RecordedSignature[] => {
    if (lock?.type === 'sigstore' && lock.identity)
      return [
        {
          type: 'sigstore',
          digest: lock.bundle_digest,
          identity: lock.identity,
          issuer: lock.issuer,
          log_index: lock.transparency_log?.log_index,
        },
      ];
    if (lock?.type === 'gpg' && lock.fingerprint)
      return [{ type: 'gpg', digest: lock.bundle_digest, fingerprint: lock.fingerprint, identity: lock.identity }];
    return [];
  });
  return fromLock.length > 0 ? fromLock : undefined;
}

function signerOfRecord(recorded: RecordedSignature): Signer {
  if (recorded.type === 'gpg')
    return {
      type: 'gpg',
      fingerprint: recorded.fingerprint,
      signingKeyFingerprint: recorded.fingerprint,
      userIds: recorded.identity ? [recorded.identity] : [],
      signedAt: undefined,
    };
  const uri = /^https?:\/\//.test(recorded.identity);
  return {
    type: 'sigstore',
    identity: { san: recorded.identity, sanType: uri ? 'uri' : 'email', issuer: recorded.issuer },
    tlog: recorded.log_index ? { logIndex: recorded.log_index, url: undefined, integratedTime: undefined } : undefined,
    signedAt: undefined,
  };
}

function recordOfSigner(signer: Signer): RecordedSignature {
  if (signer.type === 'gpg')
    return { type: 'gpg', digest: '', fingerprint: signer.fingerprint, identity: signer.userIds[0] };
  return {
    type: 'sigstore',
    digest: '',
    identity: signer.identity.san,
    issuer: signer.identity.issuer,
    log_index: signer.tlog?.logIndex,
  };
}

function packageChange(name: string, before: PackageSide | undefined, after: PackageSide | undefined): PackageChange {
  const problems: PackageChange['problems'] = [];
  let change: PackageChange['change'] = 'unchanged';
  if (!before) change = 'added';
  else if (!after) change = 'removed';
  else if (isValidVersion(before.version) && isValidVersion(after.version) && before.version !== after.version) {
    change = compareVersions(parseVersion(after.version), parseVersion(before.version)) < 0 ? 'downgraded' : 'upgraded';
  } else if (before.checksum !== after.checksum) change = 'changed';
  if (change === 'downgraded')
    problems.push({ code: 'DOWNGRADE', message: `downgraded from ${before!.version} to ${after!.version}` });
  if (before && after && before.signerKey && after.signerKey && before.signerKey !== after.signerKey) {
    if (after.signerKey === 'unsigned')
      problems.push({ code: 'SIGNATURE_REMOVED', message: `was signed by ${before.signer}, is now unsigned` });
    else if (before.signerKey !== 'unsigned')
      problems.push({ code: 'SIGNER_CHANGED', message: `signer changed from ${before.signer} to ${after.signer}` });
  }
  // A package the change touched that fails now; an untouched one only when its trust (not its files, which a
  // base's records cannot speak for) fails where it did not.
  if (after?.action === 'fail' && before?.action !== 'fail' && (change !== 'unchanged' || !after.integrityFailure))
    problems.push({
      code: 'NEWLY_FAILING',
      message: `${after.status ?? 'fails'} under the current policy${before ? ` (was ${before.status ?? 'unknown'})` : ''}`,
    });
  return { name, change, before, after, problems };
}

/** Who signed each package of the head: the verification's signer when there is one, else the records'. */
function headSigners(
  head: ProjectState,
  reports: ReadonlyMap<string, PackageReport>,
): { name: string; signer: Signer }[] {
  return Object.keys(head.lock.packages).flatMap((name) => {
    const report = reports.get(name);
    const verified = report ? signerOfReport(report) : undefined;
    if (verified) return [{ name, signer: verified }];
    const recorded = report ? undefined : signatureRecorded(head.record, name, head.lock.packages[name]!);
    return recorded ? [{ name, signer: signerOfRecord(recorded) }] : [];
  });
}
