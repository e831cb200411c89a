import { describeMatch, matchLevel } from '../../config/levels.ts';
import type { LoadedConfig } from '../../config/load.ts';
import { messageOf } from '../../errors.ts';
import { decide } from '../../policy/decision.ts';
import type { AttestationFact, SignatureCheck, Verdict } from '../../policy/decision.ts';
import type { RecordedRegistry } from '../../record/trust-record.ts';
import { HttpRegistry } from '../../registry/http-registry.ts';
import type { VersionEntry } from '../../registry/metadata.ts';
import type { Registry } from '../../registry/registry.ts';
import { checkRegistryLog } from '../../registry/registry-check.ts';
import type { SignatureVerifier } from '../../signature/verifier.ts';
import { fetchAndVerify } from '../install/fetch-verify.ts';
import type { PackageSource } from '../install/fetch-verify.ts';
import { attestationsOf } from '../install/registry-trust.ts';
import { methodOf, signerLabel } from './model.ts';
import { signersOfVerdict } from './signers.ts';
import { totalsOf } from './totals.ts';
import type { ComplianceReport, ComplianceRow } from './model.ts';

export interface RegistryReportOptions {
  config: LoadedConfig;
  verifier: SignatureVerifier;
  /** The registry's key and audit-log head as this project recorded them (an HTTP registry). */
  recorded?: RecordedRegistry | undefined;
  /** Versions fetched and checked at once. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * The signing-compliance report over a registry: every package and every
 * version, signed or not, judged as installing it would judge it — the
 * archive against its checksum, the signature verified here, an HTTP
 * registry's attestation checked with its key and its audit log (who
 * published, yanks) checked as a chain. What the registry says is input.
 */
export async function reportRegistry(registry: Registry, options: RegistryReportOptions): Promise<ComplianceReport> {
  const notices: string[] = [];
  const http = registry instanceof HttpRegistry ? await httpFacts(registry, options, notices) : undefined;
  // Every package the registry has; one whose metadata cannot be read is a notice, not left out.
  const listing = await registry.listing();
  notices.push(...listing.notices);
  const packages = listing.packages;
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
    notices,
    totals: totalsOf(rows),
    rows,
  };
}

interface HttpFacts {
  attestation: PackageSource['attestation'];
  publishers: Map<string, string>;
  requireApproval: boolean;
}

/** What only an HTTP registry has: its key and audit log (checked), who published each version, approvals. */
async function httpFacts(
  registry: HttpRegistry,
  options: RegistryReportOptions,
  notices: string[],
): Promise<HttpFacts> {
  const pinned = options.config.registries.find((r) => r.name === registry.name)?.keyId;
  const log = await checkRegistryLog(registry, options.recorded, pinned).catch((error: unknown) => ({
    ok: false as const,
    reason: messageOf(error),
    entries: [],
    next: undefined,
  }));
  if (!log.ok)
    notices.push(`The audit log of registry "${registry.name}" does not verify: ${log.reason ?? 'unknown reason'}.`);
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
    return row(name, entry, source.name, verified.check, verified.attestation?.fact, verified.verdict, http);
  } catch (error) {
    const verdict = decide(
      {
        integrity: {
          ok: false,
          code: 'ARCHIVE_UNAVAILABLE',
          expected: entry.checksum,
          actual: 'no archive',
          detail: `${name}@${entry.version} could not be fetched from "${source.name}": ${messageOf(error)}.`,
        },
        signature: { state: 'none' },
      },
      context,
    );
    return row(name, entry, source.name, { state: 'none' }, undefined, verdict, http);
  }
}

function row(
  name: string,
  entry: VersionEntry,
  where: string,
  signature: SignatureCheck,
  attestation: AttestationFact | undefined,
  verdict: Verdict,
  http: HttpFacts | undefined,
): ComplianceRow {
  const signer = verdict.signer ?? (signature.state === 'valid' ? signature.signer : undefined);
  const action = verdict.action;
  return {
    where,
    name,
    version: entry.version,
    source: where,
    status: verdict.status,
    compliant: action !== 'fail',
    outcome: action,
    method: methodOf({ integrity: { ok: true }, signature }, verdict),
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
    findings: [],
  };
}
