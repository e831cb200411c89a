import { sha256Hex } from '../archive/hash.ts';
import { AamError } from '../errors.ts';
import { approvalDocument } from '../registry/approval.ts';
import type { HttpRegistry } from '../registry/http-registry.ts';

/**
 * The approval document an approver is about to sign (aam-trust approve,
 * AAM: Approve or Reject a Version…): it names the archive as downloaded and
 * hashed here — not the checksum the registry states, which must agree — and
 * the registry by the name it signs its log with. `expectedChecksum`
 * (`sha256:…`): the archive the approver was shown, which the registry must
 * still serve (it can change a pending version's archive and checksum at once).
 */
export async function prepareApproval(
  registry: HttpRegistry,
  name: string,
  version: string,
  decision: { status: 'approved' | 'rejected'; comment: string },
  expectedChecksum?: string,
): Promise<{ document: Buffer; sha256: string; registryName: string }> {
  const described = await registry.apiVersion(name, version);
  if (!described) throw new AamError('VERSION_NOT_FOUND', `${name}@${version} is not in registry "${registry.name}".`);
  const sha256 = sha256Hex(await registry.readArchive(name, version));
  if (sha256 !== described.checksum?.sha256)
    throw new AamError(
      'CHECKSUM_MISMATCH',
      `Registry "${registry.name}" serves ${name}@${version} with SHA-256 ${sha256}, but describes it as ${String(described.checksum?.sha256)}.`,
      { hint: 'Nothing was signed. Report it to the registry operator.' },
    );
  if (expectedChecksum !== undefined && `sha256:${sha256}` !== expectedChecksum.toLowerCase())
    throw new AamError(
      'CHECKSUM_MISMATCH',
      `Registry "${registry.name}" now serves ${name}@${version} with SHA-256 ${sha256}, not the archive you were shown (${expectedChecksum}).`,
      {
        hint: 'Nothing was signed. Look at what it serves now before you decide, and report the change to the registry operator.',
      },
    );
  const { name: registryName } = await registry.identity();
  const document = approvalDocument({
    registry: registryName,
    package: name,
    version,
    sha256,
    status: decision.status,
    comment: decision.comment,
    at: new Date().toISOString(),
  });
  return { document, sha256, registryName };
}
