import { AamError } from '../../errors.ts';
import type { TrustRecord } from '../../record/trust-record.ts';
import { unloggedPublishes } from '../../registry/audit-publishes.ts';
import type { HttpRegistry } from '../../registry/http-registry.ts';
import type { Verified } from './fetch-verify.ts';
import type { RegistryTrust } from './registry-trust.ts';

/**
 * The registry's signed audit log must prove the publish of every archive
 * about to be installed from it (that version, that checksum, and no other
 * archive for it), as `verify` checks later: otherwise the registry could
 * hand this client bytes its log never shows anyone. Refuses the install.
 */
export async function requireLoggedPublishes(
  registry: HttpRegistry,
  trust: RegistryTrust,
  verified: readonly Verified[],
  record: TrustRecord,
): Promise<void> {
  const archives = verified
    .filter((v) => v.source === registry.name)
    .map((v) => ({ name: v.plan.name, version: v.plan.version, checksum: v.plan.entry.checksum }));
  // A root recorded before stays required, even when the recorded head was set aside (--accept-signer-change).
  const downgraded =
    record.registries?.[registry.name]?.audit_root !== undefined && trust.next.audit_root === undefined;
  const check = downgraded
    ? { ok: false as const, reasons: [`registry "${registry.name}" no longer signs the Merkle root of its audit log`] }
    : await unloggedPublishes(registry, trust.next, archives);
  if (check.ok) return;
  throw new AamError('INSTALL_REFUSED', `Registry "${registry.name}" cannot be trusted: ${check.reasons.join('; ')}.`, {
    hint: 'Nothing was installed. Report it to its operator; "aam-trust audit NAME" shows what its log records.',
  });
}
