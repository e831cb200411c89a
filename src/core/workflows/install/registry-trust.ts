import type { LoadedConfig } from '../../config/load.ts';
import { AamError } from '../../errors.ts';
import type { AttestationFact } from '../../policy/decision.ts';
import type { RecordedRegistry, TrustRecord } from '../../record/trust-record.ts';
import type { HttpRegistry } from '../../registry/http-registry.ts';
import { attestationFactOf, verifyAttestation } from '../../registry/attestation.ts';
import { checkApprovals } from '../../registry/approval.ts';
import { checkRegistryLog } from '../../registry/registry-check.ts';
import type { SignatureVerifier } from '../../signature/verifier.ts';
import type { Verified } from './fetch-verify.ts';

/** What an install from an HTTP registry depends on: its key and its audit log, checked before anything else. */
export interface RegistryTrust {
  next: Omit<RecordedRegistry, 'recorded_at'>;
  /** Where the registry is: this machine pins its key by URL (registry-pins.ts). */
  url: string;
  /**
   * The key is pinned on this machine beside the ones it holds: it was accepted (--accept-signer-change) or
   * configured (key_id). Otherwise it is pinned only where the machine holds no key for the URL yet.
   */
  pinAnother: boolean;
}

/**
 * An HTTP registry before anything is installed from it: its key is the one
 * configured or recorded (first use records it), and its audit log extends
 * the head recorded before. Either failing refuses the install.
 */
export async function registryTrust(
  registry: HttpRegistry,
  record: TrustRecord,
  config: LoadedConfig,
  acceptChanges: boolean,
  machinePins: readonly string[] = [],
): Promise<RegistryTrust> {
  const recorded = record.registries?.[registry.name];
  const configured = config.registries.find((r) => r.name === registry.name)?.keyId;
  const check = await checkRegistryLog(registry, recorded, configured, {
    acceptKeyChange: acceptChanges && !configured,
    machinePins,
  });
  if (!check.ok || !check.next)
    throw new AamError('INSTALL_REFUSED', `Registry "${registry.name}" cannot be trusted: ${check.reason}.`, {
      hint: check.keyChanged
        ? 'Nothing was installed. If the registry rotated its key, check it with its operator, then install with --accept-signer-change (or set key_id in its config entry).'
        : 'Nothing was installed. The registry changed what it recorded before; report it to its operator (aam-trust audit NAME shows the log).',
    });
  return { next: check.next, url: registry.url, pinAnother: acceptChanges || !!configured };
}

/**
 * publish_policy.require_approval on the client: every version from the HTTP
 * registry needs an approval signed by one of the client's own approvers,
 * checked here — the registry's "approved" is a claim, the signature is proof.
 */
export async function requireApprovals(
  registry: HttpRegistry,
  trust: RegistryTrust,
  verified: readonly Verified[],
  options: {
    config: LoadedConfig;
    verifier: SignatureVerifier;
    onStep?: ((message: string) => void) | undefined;
  },
): Promise<void> {
  const problems: string[] = [];
  for (const item of verified) {
    if (item.source !== registry.name) continue;
    options.onStep?.(`Checking the approvals of ${item.plan.name}@${item.plan.version}`);
    const approvals = await registry.approvals(item.plan.name, item.plan.version);
    const verdict = await checkApprovals(
      approvals.approvals,
      {
        registry: trust.next.name,
        name: item.plan.name,
        version: item.plan.version,
        sha256: item.plan.entry.checksum.replace(/^sha256:/, ''),
      },
      options.config.security.publish_policy.approvers,
      options.verifier,
    );
    if (!verdict.ok) problems.push(`${item.plan.name}@${item.plan.version}: ${verdict.reason}`);
  }
  if (problems.length > 0)
    throw new AamError('APPROVAL_MISSING', `Not approved:\n${problems.join('\n')}`, {
      hint: 'Nothing was installed. Your policy (publish_policy.require_approval) installs only versions approved by one of publish_policy.approvers; ask one of them to run "aam-trust approve NAME@VERSION".',
    });
}

/** Attestations of `registry`, each checked against its pinned key (the registry's self-name is part of what is signed). */
export function attestationsOf(registry: HttpRegistry, trust: Pick<RegistryTrust, 'next'>) {
  return async (name: string, version: string, sha256: string): Promise<{ fact: AttestationFact; bytes?: Buffer }> => {
    const bytes = await registry.attestation(name, version);
    if (!bytes)
      return {
        fact: {
          registry: registry.name,
          state: 'none',
          reason: `registry "${registry.name}" has no attestation of ${name}@${version}`,
        },
      };
    const check = verifyAttestation(bytes, {
      sha256,
      name,
      version,
      registry: trust.next.name,
      publicKey: trust.next.public_key,
    });
    return {
      bytes,
      fact: attestationFactOf(registry.name, check),
    };
  };
}
