import type { LoadedConfig } from '../config/load.ts';
import { AamError, messageOf } from '../errors.ts';
import type { AttestationFact, Checks, Verdict } from '../policy/decision.ts';
import type { DelegationLink, JudgedSignature } from '../policy/delegation.ts';
import { whyStanding } from '../policy/signed.ts';
import { describeSigner, signerName } from '../policy/trust-match.ts';
import { HttpRegistry } from '../registry/http-registry.ts';
import type { Registry } from '../registry/registry.ts';
import type { RecordedRegistry } from '../record/trust-record.ts';
import type { HeldArchive } from '../registry/audit-publishes.ts';
import { checkRegistryLog } from '../registry/registry-check.ts';
import type { RegistryLogCheck } from '../registry/registry-check.ts';
import type { SignatureVerifier } from '../signature/verifier.ts';
import { hiddenFindings } from '../verify/verdict/findings.ts';
import type { Finding } from '../verify/verdict/findings.ts';
import { logFinding, publishFinding } from '../verify/verdict/log-findings.ts';
import { fetchAndVerify } from './install/fetch-verify.ts';
import { attestationsOf } from './install/registry-trust.ts';

/** One signature of a package as `aam-trust info` shows it (seeds: "Show Package Signatures"). */
export interface SignatureInfo {
  type: 'sigstore' | 'gpg';
  file: string;
  /** Sigstore: the certificate's identity; OpenPGP: the key's first user ID. */
  identity: string | undefined;
  issuer: string | undefined;
  /** OpenPGP: the primary key's fingerprint. */
  key: string | undefined;
  issued: string | undefined;
  transparency_log: { log_index: string; url: string | undefined } | undefined;
  valid: boolean;
  /** trusted, delegated, untrusted, issuer-not-allowed or invalid, and why in words. */
  standing: JudgedSignature['standing']['state'];
  reason: string;
}

export interface PackageInfo {
  name: string;
  version: string;
  checksum: string;
  /** installed: judged by what was captured at install; registry: as the registry serves it now. */
  from: 'installed' | 'registry';
  registry: string;
  verdict: Pick<Verdict, 'status' | 'action' | 'code' | 'message'>;
  signatures: SignatureInfo[];
  delegations: (Omit<DelegationLink, 'delegator'> & { delegator: string })[];
  attestation: AttestationFact | undefined;
  findings: Pick<Finding, 'code' | 'action' | 'message'>[];
}

export function infoOf(
  base: Pick<PackageInfo, 'name' | 'version' | 'checksum' | 'from' | 'registry'>,
  verdict: Verdict,
  checks: Checks,
  findings: readonly Finding[] = [],
): PackageInfo {
  const delegations = new Map<string, PackageInfo['delegations'][number]>();
  const signatures = verdict.signatures.map((j): SignatureInfo => {
    const check = j.check;
    if (j.standing.state === 'delegated')
      for (const link of j.standing.links)
        delegations.set(link.id, { ...link, delegator: describeSigner(link.delegator) });
    if (check.state !== 'valid')
      return {
        type: check.state === 'invalid' ? check.type : 'sigstore',
        file: j.file,
        identity: check.state === 'invalid' && check.signer ? signerName(check.signer) : undefined,
        issuer: undefined,
        key: check.state === 'invalid' ? check.key : undefined,
        issued: undefined,
        transparency_log: undefined,
        valid: false,
        standing: 'invalid',
        reason: check.state === 'invalid' ? check.reason : 'no signature',
      };
    const signer = check.signer;
    const reason =
      j.standing.state === 'untrusted' && !j.standing.refused ? 'not trusted by your policy' : whyStanding(j);
    return {
      type: signer.type,
      file: j.file,
      identity: signer.type === 'sigstore' ? signer.identity.san : signer.userIds[0],
      issuer: signer.type === 'sigstore' ? signer.identity.issuer : undefined,
      key: signer.type === 'gpg' ? signer.fingerprint : undefined,
      issued: signer.signedAt,
      transparency_log:
        signer.type === 'sigstore' && signer.tlog
          ? { log_index: signer.tlog.logIndex, url: signer.tlog.url }
          : undefined,
      valid: true,
      standing: j.standing.state,
      reason,
    };
  });
  return {
    ...base,
    verdict: { status: verdict.status, action: verdict.action, code: verdict.code, message: verdict.message },
    signatures,
    delegations: [...delegations.values()],
    attestation: checks.attestation,
    findings: findings.map(({ code, action, message }) => ({ code, action, message })),
  };
}

/**
 * A version as its registry serves it now, judged under the policy as an
 * install would judge it (every signature, the delegations, an HTTP
 * registry's attestation). As install does, an HTTP registry's key must be
 * the one configured (`key_id`) or recorded, and its audit log must extend
 * the head recorded before: only a key so proven checks the attestation, and
 * a served key other than the pinned one is a REGISTRY_LOG finding. With
 * `auditLog`, the log must also prove the version's publish with its
 * checksum, and no version of the package logged twice with different
 * archives, as verify and install require (a REGISTRY_LOG finding otherwise).
 */
export async function registryPackageInfo(options: {
  registry: Registry;
  name: string;
  version: string | undefined;
  config: LoadedConfig;
  verifier: SignatureVerifier;
  recorded?: RecordedRegistry | undefined;
  /** The keys this machine pinned for the registry's URL. */
  machinePins?: readonly string[] | undefined;
  auditLog?: boolean | undefined;
}): Promise<PackageInfo> {
  const { registry, name } = options;
  const { entry } = await registry.resolve(name, options.version);
  const log = registry instanceof HttpRegistry ? await pinnedLog(registry, name, options) : undefined;
  const context = options.config.policyContext();
  const verified = await fetchAndVerify(
    { name, version: entry.version, entry, requestedBy: undefined, dependencies: {} },
    {
      name: registry.name,
      readArchive: (n, v) => registry.readArchive(n, v),
      readSignatures: (n, v) => registry.readSignatures(n, v),
      readDelegations: () => registry.readDelegations(),
      requiresSignatures: async () => (await registry.settings()).requireSignatures,
      ...(registry instanceof HttpRegistry ? { attestation: pinnedAttestations(registry, log) } : {}),
    },
    {
      verifier: options.verifier,
      context,
      platforms: [],
      roots: { project: '', home: '' },
    },
  );
  if (verified.verdict.code === 'CHECKSUM_MISMATCH' || verified.verdict.code === 'PACKAGE_MISMATCH')
    throw new AamError('CHECKSUM_MISMATCH', `${name}@${entry.version}: ${verified.verdict.message}`, {
      expected: verified.verdict.expected,
      actual: verified.verdict.actual,
    });
  const held = { name, version: entry.version, checksum: entry.checksum };
  return infoOf({ ...held, from: 'registry', registry: registry.name }, verified.verdict, verified.checks, [
    ...verified.findings,
    // As install judges it: hidden content in what agents would load warns or, under hidden_content: error, fails.
    ...hiddenFindings(verified.hidden, context.policy.hidden_content, `${name}@${entry.version}`),
    ...logFindings(registry.name, held, log, options),
  ]);
}

/**
 * The registry's log checked under the key configured for it, else the one
 * recorded (as install checks it), proving the package's entries with
 * `auditLog`. A log that cannot be read fails info only with `auditLog`;
 * otherwise it leaves the attestation unchecked, and why is kept to say so.
 */
async function pinnedLog(
  registry: HttpRegistry,
  name: string,
  options: {
    config: LoadedConfig;
    recorded?: RecordedRegistry | undefined;
    machinePins?: readonly string[] | undefined;
    auditLog?: boolean | undefined;
  },
): Promise<RegistryLogCheck | { unread: string }> {
  const configured = options.config.registries.find((r) => r.name === registry.name)?.keyId;
  const check = checkRegistryLog(registry, options.recorded, configured, {
    ...(options.auditLog ? { packages: [name] } : {}),
    machinePins: options.machinePins,
  });
  return options.auditLog ? check : check.catch((error: unknown) => ({ unread: messageOf(error) }));
}

/** Attestations checked only with a key the log check proved pinned; otherwise one found counts for nothing, and says why. */
function pinnedAttestations(registry: HttpRegistry, log: RegistryLogCheck | { unread: string } | undefined) {
  if (log && 'ok' in log && log.ok && log.next) return attestationsOf(registry, { next: log.next });
  const why =
    log && 'ok' in log
      ? (log.reason ?? `the audit log of registry "${registry.name}" proved no key`)
      : `the key and audit log of registry "${registry.name}" could not be checked (${log?.unread ?? 'no answer'})`;
  return async (n: string, v: string): Promise<{ fact: AttestationFact }> =>
    (await registry.attestation(n, v))
      ? {
          fact: {
            registry: registry.name,
            state: 'invalid',
            reason: `it is checked only under a key this client pins, and ${why}`,
          },
        }
      : {
          fact: {
            registry: registry.name,
            state: 'none',
            reason: `registry "${registry.name}" has no attestation of ${n}@${v}`,
          },
        };
}

/** What the log says of the held archive: a served key other than the pinned one always, the rest with `auditLog`. */
function logFindings(
  registry: string,
  held: HeldArchive,
  log: RegistryLogCheck | { unread: string } | undefined,
  options: { recorded?: RecordedRegistry | undefined; auditLog?: boolean | undefined },
): Finding[] {
  if (!log || !('ok' in log) || (!options.auditLog && !log.keyChanged)) return [];
  if (!log.ok) return [logFinding(log, options.recorded?.audit_head)];
  const finding = publishFinding(registry, held, log.entries);
  return finding ? [finding] : [];
}
