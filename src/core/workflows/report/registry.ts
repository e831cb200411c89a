import { describeMatch, matchLevel } from '../../config/levels.ts';
import type { LoadedConfig } from '../../config/load.ts';
import { messageOf } from '../../errors.ts';
import { decide } from '../../policy/decision.ts';
import type { AttestationFact, Checks, Verdict } from '../../policy/decision.ts';
import type { RecordedRegistry } from '../../record/trust-record.ts';
import type { AuditEntry } from '../../registry/audit-log.ts';
import { HttpRegistry } from '../../registry/http-registry.ts';
import type { Listing, VersionEntry } from '../../registry/metadata.ts';
import type { Registry } from '../../registry/registry.ts';
import { checkRegistryLog } from '../../registry/registry-check.ts';
import type { SignatureVerifier } from '../../signature/verifier.ts';
import { hiddenFindings, outcomeOf } from '../../verify/verdict/findings.ts';
import type { Finding } from '../../verify/verdict/findings.ts';
import { publishFinding } from '../../verify/verdict/log-findings.ts';
import { fetchAndVerify } from '../install/fetch-verify.ts';
import type { PackageSource } from '../install/fetch-verify.ts';
import { attestationsOf } from '../install/registry-trust.ts';
import { methodOf, signerLabel } from './model.ts';
import { signersOfVerdict } from './signers.ts';
import { totalsOf } from './totals.ts';
import type { ComplianceReport, ComplianceRow, UncheckedScope } from './model.ts';

export interface RegistryReportOptions {
  config: LoadedConfig;
  verifier: SignatureVerifier;
  /** The registry's key and audit-log head as this project recorded them (an HTTP registry). */
  recorded?: RecordedRegistry | undefined;
  /** The keys this machine pinned for the registry's URL. */
  machinePins?: readonly string[] | undefined;
  /** Versions fetched and checked at once. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * The signing-compliance report over a registry: every package and every
 * version, signed or not, judged as installing it would judge it — the
 * archive against its checksum, every signature verified here, an HTTP
 * registry's attestation checked with its key and its audit log checked,
 * each package's entries proven in it: a version whose publish the log does
 * not record with its checksum, or records twice with different archives,
 * is not compliant (REGISTRY_LOG, as verify says). What the registry says is input.
 */
export async function reportRegistry(registry: Registry, options: RegistryReportOptions): Promise<ComplianceReport> {
  const unchecked: UncheckedScope[] = [];
  // Every package the registry has: one whose metadata cannot be read, or a listing that stops short, is
  // not checked, and fails the report (never left out silently).
  const listing = await registry.listing();
  const packages = listing.packages;
  const http =
    registry instanceof HttpRegistry
      ? await httpFacts(
          registry,
          packages.map((p) => p.name),
          options,
          unchecked,
        )
      : undefined;
  unchecked.push(...listingUnchecked(registry.name, listing));
  const requires = (await registry.settings()).requireSignatures;
  let delegations: Promise<{ name: string; bytes: Buffer }[]> | undefined;
  const source: PackageSource = {
    name: registry.name,
    readArchive: (n, v) => registry.readArchive(n, v),
    readSignatures: (n, v) => registry.readSignatures(n, v),
    requiresSignatures: async () => requires,
    // The registry's delegations, read once for every version: a delegate's signature counts as install counts it.
    readDelegations: () => (delegations ??= registry.readDelegations()),
    ...(http?.attestation ? { attestation: http.attestation } : {}),
  };
  const context = options.config.policyContext();
  const jobs = packages.flatMap((metadata) => metadata.versions.map((entry) => ({ name: metadata.name, entry })));
  const rows: ComplianceRow[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  const work = async () => {
    for (let i = next++; i < jobs.length; i = next++) {
      const { name, entry } = jobs[i]!;
      rows[i] = await versionRow(name, entry, source, options, context, http);
      options.onProgress?.(++done, jobs.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, work));
  return {
    generatedAt: new Date().toISOString(),
    scope: { kind: 'registry', registry: registry.name, url: registry.location },
    policy: describeMatch(matchLevel(options.config.merged)),
    unchecked,
    totals: totalsOf(rows, unchecked.length),
    rows,
  };
}

interface HttpFacts {
  attestation: PackageSource['attestation'];
  publishers: Map<string, string>;
  requireApproval: boolean;
  /** The entries about every listed package, each proven in the signed log; undefined when the log does not verify. */
  proven: AuditEntry[] | undefined;
}

/**
 * What only an HTTP registry has: its key and audit log (checked, with the
 * entries about each of `packages` proven in it), who published each
 * version, approvals.
 */
async function httpFacts(
  registry: HttpRegistry,
  packages: readonly string[],
  options: RegistryReportOptions,
  unchecked: UncheckedScope[],
): Promise<HttpFacts> {
  const pinned = options.config.registries.find((r) => r.name === registry.name)?.keyId;
  const log = await checkRegistryLog(registry, options.recorded, pinned, {
    packages,
    machinePins: options.machinePins,
  }).catch((error: unknown) => ({
    ok: false as const,
    reason: messageOf(error),
    entries: [],
    next: undefined,
    keyChanged: undefined,
    unreachable: true,
  }));
  // Who published each version and its attestations stand on the log: unchecked, the report fails.
  if (!log.ok)
    unchecked.push({
      where: `registry "${registry.name}"`,
      what: 'registry audit log',
      status: 'not checked',
      reason: `${(log.reason ?? 'unknown reason').replace(/\.$/, '')}.`,
      next:
        'unreachable' in log
          ? 'Check that the registry answers (its URL, your network and token), then run the report again.'
          : log.keyChanged
            ? 'If the registry rotated its key, confirm it with its operator, then pin it (key_id in its config entry) and run the report again.'
            : `The registry changed what it had recorded: report it to its operator ("aam-trust audit NAME --registry ${registry.name}" shows the log).`,
    });
  const publishers = new Map<string, string>();
  for (const entry of log.ok ? log.entries : [])
    if (entry.event === 'package.publish' && entry.version)
      publishers.set(`${entry.package}@${entry.version}`, entry.actor);
  const requireApproval = await registry.publishPolicy().then(
    (p) => p.requireApproval,
    () => false,
  );
  return {
    // Attestations are checked only with a key this client pins: an unverified log pins nothing.
    attestation: log.ok && log.next ? attestationsOf(registry, { next: log.next }) : undefined,
    publishers,
    requireApproval,
    proven: log.ok ? log.entries : undefined,
  };
}

async function versionRow(
  name: string,
  entry: VersionEntry,
  source: PackageSource,
  options: RegistryReportOptions,
  context: ReturnType<LoadedConfig['policyContext']>,
  http: HttpFacts | undefined,
): Promise<ComplianceRow> {
  const plan = { name, version: entry.version, entry, requestedBy: undefined, dependencies: {} };
  try {
    const verified = await fetchAndVerify(plan, source, {
      verifier: options.verifier,
      context,
      platforms: [],
      roots: { project: '', home: '' },
    });
    // What verify would find beside the verdict: a broken extra signature, a log that does not vouch for the archive.
    const logged =
      http?.proven &&
      publishFinding(source.name, { name, version: entry.version, checksum: entry.checksum }, http.proven);
    // Hidden content in what agents would load: install refuses it under hidden_content: error, verify fails it.
    const hidden = hiddenFindings(verified.hidden, context.policy.hidden_content, `${name}@${entry.version}`);
    const findings = [...verified.findings, ...hidden, ...(logged ? [logged] : [])];
    return row(name, entry, source.name, verified.checks, verified.attestation?.fact, verified.verdict, http, findings);
  } catch (error) {
    const checks: Checks = {
      name,
      integrity: {
        ok: false,
        code: 'ARCHIVE_UNAVAILABLE',
        expected: entry.checksum,
        actual: 'no archive',
        detail: `${name}@${entry.version} could not be fetched from "${source.name}": ${messageOf(error)}.`,
      },
      signature: { state: 'none' },
    };
    return row(name, entry, source.name, checks, undefined, decide(checks, context), http);
  }
}

function row(
  name: string,
  entry: VersionEntry,
  where: string,
  checks: Checks,
  attestation: AttestationFact | undefined,
  verdict: Verdict,
  http: HttpFacts | undefined,
  findings: readonly Finding[] = [],
): ComplianceRow {
  const signature = checks.signature;
  const signer = verdict.signer ?? (signature.state === 'valid' ? signature.signer : undefined);
  const action = outcomeOf(verdict.action, findings);
  return {
    where,
    name,
    version: entry.version,
    source: where,
    status: verdict.status,
    compliant: action !== 'fail',
    outcome: action,
    // An archive that failed its checksum, or could not be fetched, had no signature checked: "not checked", not "none".
    method: methodOf(checks, verdict),
    signer: signerLabel(signer),
    ...signersOfVerdict(verdict, signer),
    attested: attestation ? attestation.state === 'valid' : http ? false : undefined,
    approval: entry.approval ?? (http?.requireApproval ? 'approved' : undefined),
    yanked: entry.yanked === true,
    publishedBy:
      http?.publishers.get(`${name}@${entry.version}`) ??
      (attestation?.state === 'valid' ? attestation.publisher : undefined),
    code: verdict.code,
    message: verdict.message,
    findings: findings.map((f) => f.code),
  };
}

/** What a registry's listing could not give: each unreadable package, and a listing that stopped short. */
function listingUnchecked(name: string, listing: Listing): UncheckedScope[] {
  const where = `registry "${name}"`;
  // The notices that are not about one unreadable package come first: the listing's own (it stopped short).
  const short = listing.notices.slice(0, listing.notices.length - listing.unreadable.length);
  return [
    ...short.map((reason): UncheckedScope => ({
      where,
      what: 'registry listing',
      status: 'not checked',
      reason,
      next: `Ask the registry's operator to upgrade it (a listing after a name has no cap), then run the report again.`,
    })),
    ...listing.unreadable.map((u): UncheckedScope => ({
      where,
      what: 'registry package',
      status: 'not checked',
      reason: `package ${u.name} could not be read, so none of its versions is counted: ${u.reason.replace(/\.$/, '')}.`,
      next: `Check that the registry serves ${u.name} ("aam-trust info ${u.name} --registry ${name}"), then run the report again.`,
    })),
  ];
}
