import type { LoadedConfig } from '../config/load.ts';
import { AamError } from '../errors.ts';
import type { AttestationFact, Checks, Verdict } from '../policy/decision.ts';
import type { DelegationLink, JudgedSignature } from '../policy/delegation.ts';
import { whyStanding } from '../policy/signed.ts';
import { describeSigner, signerName } from '../policy/trust-match.ts';
import { attestationFactOf, verifyAttestation } from '../registry/attestation.ts';
import { HttpRegistry } from '../registry/http-registry.ts';
import type { Registry } from '../registry/registry.ts';
import type { RecordedRegistry } from '../record/trust-record.ts';
import type { HeldArchive } from '../registry/audit-publishes.ts';
import { checkRegistryLog } from '../registry/registry-check.ts';
import type { SignatureVerifier } from '../signature/verifier.ts';
import type { Finding } from '../verify/verdict/findings.ts';
import { logFinding, publishFinding } from '../verify/verdict/log-findings.ts';
import { fetchAndVerify } from './install/fetch-verify.ts';

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
 * registry's attestation — checked with the key recorded for it, else the
 * one it names now, which is then said). With `auditLog`, an HTTP
 * registry's audit log must prove the version's publish with its checksum,
 * and no version of the package logged twice with different archives, as
 * verify and install require (a REGISTRY_LOG finding otherwise).
 */
export async function registryPackageInfo(options: {
  registry: Registry;
  name: string;
  version: string | undefined;
  config: LoadedConfig;
  verifier: SignatureVerifier;
  recorded?: RecordedRegistry | undefined;
  auditLog?: boolean | undefined;
}): Promise<PackageInfo> {
  const { registry, name } = options;
  const { entry } = await registry.resolve(name, options.version);
  const attestation =
    registry instanceof HttpRegistry
      ? async (n: string, v: string, sha256: string) => {
          const bytes = await registry.attestation(n, v);
          if (!bytes)
            return {
              fact: {
                registry: registry.name,
                state: 'none' as const,
                reason: `registry "${registry.name}" has no attestation of ${n}@${v}`,
              },
            };
          const identity = options.recorded ?? (await registry.identity());
          return {
            fact: attestationFactOf(
              registry.name,
              verifyAttestation(bytes, {
                sha256,
                name: n,
                version: v,
                registry: identity.name,
                publicKey: identity.public_key,
              }),
            ),
          };
        }
      : undefined;
  const verified = await fetchAndVerify(
    { name, version: entry.version, entry, requestedBy: undefined, dependencies: {} },
    {
      name: registry.name,
      readArchive: (n, v) => registry.readArchive(n, v),
      readSignatures: (n, v) => registry.readSignatures(n, v),
      readDelegations: () => registry.readDelegations(),
      requiresSignatures: async () => (await registry.settings()).requireSignatures,
      ...(attestation ? { attestation } : {}),
    },
    {
      verifier: options.verifier,
      context: options.config.policyContext(),
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
  const logged = options.auditLog && registry instanceof HttpRegistry ? await logFindings(registry, held, options) : [];
  return infoOf({ ...held, from: 'registry', registry: registry.name }, verified.verdict, verified.checks, [
    ...verified.findings,
    ...logged,
  ]);
}

/** What the registry's audit log, checked against the head recorded before, says of the held archive. */
async function logFindings(
  registry: HttpRegistry,
  held: HeldArchive,
  options: { config: LoadedConfig; recorded?: RecordedRegistry | undefined },
): Promise<Finding[]> {
  const pinned = options.config.registries.find((r) => r.name === registry.name)?.keyId;
  const check = await checkRegistryLog(registry, options.recorded, pinned, { packages: [held.name] });
  if (!check.ok) return [logFinding(check, options.recorded?.audit_head)];
  const finding = publishFinding(registry.name, held, check.entries);
  return finding ? [finding] : [];
}
