import type { ConfigFileState, LoadedConfig } from '../../config/load.ts';
import { mergeConfigFiles } from '../../config/load.ts';
import { validateConfigText } from '../../config/validate.ts';
import type { LockedPackage } from '../../lockfile/lockfile.ts';
import { compareVersions, isValidVersion, parseVersion } from '../../model/versions.ts';
import { decide } from '../../policy/decision.ts';
import type { PolicyContext, SignatureCheck, Verdict, VerdictAction, VerdictStatus } from '../../policy/decision.ts';
import type { Checks } from '../../policy/checks.ts';
import type { Signer } from '../../policy/trust-match.ts';
import type { PackageReport } from '../../verify/verdict/report.ts';
import { signerOfReport } from '../../verify/verdict/report.ts';
import type { ProjectState } from './state.ts';
import { describePolicyChange, policyChanges } from './policy-changes.ts';
import type { PolicyChange } from './policy-changes.ts';
import { recordedRegistryChanges, registryChanges } from './registry-changes.ts';
import { comparedKeys, kindWords, setChange, setOfJudged, setOfRecorded, setWords } from './signer-set.ts';
import type { SignerSet } from './signer-set.ts';
import { signatureRecorded, signaturesRecorded, signerOfRecord } from './recorded.ts';
import type { RecordedDelegations } from './recorded-delegations.ts';

export type { PolicyChange } from './policy-changes.ts';
export { describePolicyChange } from './policy-changes.ts';

/** A package on one side of a diff: its version, who signed it, and its verdict under the current policy. */
export interface PackageSide {
  version: string;
  checksum: string;
  /** Who signed it, in words — every signer, "A and B" —; `unsigned`; undefined when that state does not say. */
  signer: string | undefined;
  /** Every distinct signer in words, the first first (empty when unsigned or not known). */
  signers: string[];
  /** The kinds of signature: `sigstore`, `gpg`, `sigstore + gpg`, or `unsigned`; undefined when not known. */
  kind: string | undefined;
  /** The delegations its signers sign through, in words. */
  delegations: string[];
  status: VerdictStatus | undefined;
  action: VerdictAction | undefined;
  /** The set of signers as one key (their record keys, sorted), `unsigned`, or undefined when not known. */
  signerKey: string | undefined;
  /** Each signer's record key, in the order of `signers`. */
  signerKeys: string[];
  /** The verdict fails on the package's files (tampered, evidence missing), which records alone cannot tell for a base. */
  integrityFailure: boolean;
  /** Why its files fail, as verify says it (which copy agents load differs from the signed archive). */
  failure?: string | undefined;
}

export interface PackageChange {
  name: string;
  change: 'added' | 'removed' | 'upgraded' | 'downgraded' | 'changed' | 'unchanged';
  before: PackageSide | undefined;
  after: PackageSide | undefined;
  /** Signers one side has and the other lacks, when both are signed and the set changed. */
  signerChange?: { added: string[]; removed: string[] } | undefined;
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
  /** The head's verdicts where it was verified without reports (an update review's prepared install). */
  headVerdicts?: ReadonlyMap<string, Verdict>;
  /** The delegations the base's lock file names, as documents (`recordedDelegations`): a delegate's signer is judged through them. */
  baseDelegations?: RecordedDelegations;
  /**
   * The policy the head was verified under, which both sides are judged under: with Restricted Mode or
   * `--restricted`, only what the project tightens. Without it, the head's own merged policy — which, in a
   * pull request, the pull request wrote (newuser-review 5: the base was judged by it under --restricted).
   */
  policy?: LoadedConfig['security'];
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
  const was = configOf(base, options);
  const now = configOf(head, options);
  const [before, after] = [was.security, now.security];
  const context: PolicyContext = { policy: options.policy ?? after, now: new Date().toISOString() };
  const reports = new Map((options.headReports ?? []).map((r) => [r.name, r]));
  // The head's verification also reports what no lock entry names (an installed folder, NOT_LOCKED): a change too.
  const names = [
    ...new Set([...Object.keys(base.lock.packages), ...Object.keys(head.lock.packages), ...reports.keys()]),
  ].sort();
  const packages = names.map((name) =>
    packageChange(
      name,
      side(base, name, context, undefined, options.baseDelegations?.get(name)),
      reports.get(name)
        ? reportSide(head.lock.packages[name], reports.get(name)!)
        : side(head, name, context, options.headVerdicts?.get(name)),
    ),
  );
  const policy = [
    ...policyChanges(before, after, headSigners(head, reports)),
    ...registryChanges(was.registries, now.registries, after.trusted_registries),
    ...recordedRegistryChanges(base.record, head.record),
  ];
  const reasons = [
    ...packages.flatMap((p) => p.problems.map((x) => `${p.name}: ${x.message}`)),
    ...policy.filter((c) => c.weaker).map((c) => `policy: ${describePolicyChange(c)}`),
  ];
  return { base: base.label, head: head.label, packages, policy, reasons };
}

function configOf(state: ProjectState, options: DiffOptions): Pick<LoadedConfig, 'security' | 'registries'> {
  const validation = validateConfigText(state.configText);
  const project: ConfigFileState = {
    layer: 'project',
    path: `${state.label}:.aam/config.yaml`,
    exists: state.configText.trim() !== '',
    diagnostics: validation.diagnostics,
    value: validation.value,
  };
  return mergeConfigFiles([options.globalConfig, project], false, options.homeDir);
}

/**
 * A package as a state's records describe it, judged under the current policy (or as it was verified); a
 * delegate's signer through the delegations given, as documents, when the lock file names some.
 */
function side(
  state: ProjectState,
  name: string,
  context: PolicyContext,
  verified?: Verdict,
  delegated?: Pick<Checks, 'delegations' | 'revocations' | 'delegationsUnread'>,
): PackageSide | undefined {
  const entry = state.lock.packages[name];
  if (!entry) return undefined;
  const recorded = signatureRecorded(state.record, name, entry);
  const base = { version: entry.version, checksum: entry.checksum };
  if (recorded === undefined && !verified)
    return {
      ...base,
      ...sideOf(undefined),
      status: undefined,
      action: undefined,
      integrityFailure: false,
    };
  // Every recorded signer counts toward a threshold, as verification counts them.
  const all = signaturesRecorded(state.record, name, entry) ?? [];
  const signatures = all.map((r) => ({
    file: '',
    check: { state: 'valid' as const, signer: signerOfRecord(r, entry) },
  }));
  const signature: SignatureCheck = signatures[0]?.check ?? { state: 'none' };
  const verdict = verified ?? decide({ name, integrity: { ok: true }, signature, signatures, ...delegated }, context);
  const judged = verified ?? (delegated && verdict);
  return {
    ...base,
    ...sideOf(judged ? setOfJudged(judged.signatures, judged.signer) : setOfRecorded(all, entry)),
    status: verdict.status,
    action: verdict.action,
    integrityFailure: false,
  };
}

/** The signer fields of a side: every signer of the set, `unsigned` for an empty one, unknown without one. */
function sideOf(
  set: SignerSet | undefined,
): Pick<PackageSide, 'signer' | 'signers' | 'kind' | 'delegations' | 'signerKey' | 'signerKeys'> {
  if (!set)
    return { signer: undefined, signers: [], kind: undefined, delegations: [], signerKey: undefined, signerKeys: [] };
  if (set.keys.length === 0)
    return {
      signer: 'unsigned',
      signers: [],
      kind: 'unsigned',
      delegations: [],
      signerKey: 'unsigned',
      signerKeys: [],
    };
  return {
    signer: setWords(set),
    signers: set.signers,
    kind: kindWords(set),
    delegations: set.delegations,
    signerKey: [...set.keys].sort().join(','),
    signerKeys: set.keys,
  };
}

function reportSide(entry: LockedPackage | undefined, report: PackageReport): PackageSide {
  const signer = signerOfReport(report);
  const unsigned =
    report.checks.signature.state === 'none' &&
    (report.checks.integrity.ok || report.checks.integrity.code === 'DEPLOYED_MODIFIED');
  const set = setOfJudged(report.verdict.signatures, signer);
  return {
    version: report.version,
    checksum: entry?.checksum ?? report.checksum,
    ...sideOf(set.keys.length > 0 || unsigned ? set : undefined),
    status: report.verdict.status,
    // The verdict's own action: a changed signer or a removed signature is a problem of its own here.
    action: report.verdict.action,
    integrityFailure: !report.checks.integrity.ok,
    ...(report.checks.integrity.ok ? {} : { failure: report.checks.integrity.detail }),
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
  let signerChange: PackageChange['signerChange'];
  const [keysBefore, keysAfter] = comparedKeys(before, after);
  if (before && after && keysBefore && keysAfter && keysBefore.joined !== keysAfter.joined) {
    if (after.signerKey === 'unsigned')
      problems.push({ code: 'SIGNATURE_REMOVED', message: `was signed by ${before.signer}, is now unsigned` });
    else if (before.signerKey !== 'unsigned') {
      // A set of signers: none kept is a new signer; one gone while others stay is a removed signature (as signer
      // continuity judges it); one added to those kept is shown, and is no problem.
      const { added, removed, kept } = setChange(
        { signers: before.signers, keys: keysBefore.keys },
        { signers: after.signers, keys: keysAfter.keys },
      );
      signerChange = { added, removed };
      if (kept.length === 0)
        problems.push({ code: 'SIGNER_CHANGED', message: `signer changed from ${before.signer} to ${after.signer}` });
      else
        for (const gone of removed)
          problems.push({
            code: 'SIGNATURE_REMOVED',
            message: `the signature by ${gone} is gone (still signed by ${kept.join(' and ')})`,
          });
    }
  }
  // A package the change touched that fails now; an untouched one when its trust fails where it did not, or when
  // its files are not as signed (a deployed copy edited in place, as verify finds it): a base's records cannot say
  // whether its files were, so that fails whatever the base's verdict. An archive that cannot be fetched here is
  // this machine's lack, not the change's.
  const tampered = after?.integrityFailure === true && after.status === 'tampered';
  if (
    after?.action === 'fail' &&
    (tampered || (before?.action !== 'fail' && (change !== 'unchanged' || !after.integrityFailure)))
  )
    problems.push({ code: 'NEWLY_FAILING', message: failingWords(before, after, tampered) });
  return { name, change, before, after, ...(signerChange ? { signerChange } : {}), problems };
}

/** Why a package fails now: what is wrong with its files, as verify says it, or its status under the current policy. */
function failingWords(before: PackageSide | undefined, after: PackageSide, tampered: boolean): string {
  const was = before ? ` (was ${before.status ?? 'unknown'})` : '';
  return tampered && after.failure
    ? `${after.status}${was}: ${after.failure}`
    : `${after.status ?? 'fails'} under the current policy${was}`;
}

/** Who signed each package of the head, every signer: the verification's when there is one, else the records'. */
function headSigners(
  head: ProjectState,
  reports: ReadonlyMap<string, PackageReport>,
): { name: string; signer: Signer }[] {
  return Object.keys(head.lock.packages).flatMap((name) => {
    const report = reports.get(name);
    if (report) {
      const valid = report.verdict.signatures.flatMap((j) => (j.check.state === 'valid' ? [j.check.signer] : []));
      const first = signerOfReport(report);
      return (valid.length > 0 ? valid : first ? [first] : []).map((signer) => ({ name, signer }));
    }
    const recorded = signaturesRecorded(head.record, name, head.lock.packages[name]!) ?? [];
    return recorded.map((r) => ({ name, signer: signerOfRecord(r) }));
  });
}
