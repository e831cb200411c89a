import { sha256 } from '../archive/hash.ts';
import { readArchive } from '../archive/read.ts';
import { hiddenFiles } from '../content/scan.ts';
import { AamError } from '../errors.ts';
import type { FailureMode } from '../policy/decision.ts';
import { manifestMismatch } from '../package/manifest.ts';
import { describeSigner } from '../policy/trust-match.ts';
import type { Signer } from '../policy/trust-match.ts';
import type { SignatureRecord } from '../registry/metadata.ts';
import type { Registry } from '../registry/registry.ts';
import type { SignatureVerifier } from '../signature/verifier.ts';
import { refuseHidden, signAll } from './publish.ts';
import type { Signing } from './publish.ts';

export interface CosignOptions {
  registry: Registry;
  name: string;
  version: string;
  signing: readonly Signing[];
  verifier: SignatureVerifier;
  onLine?: (line: string) => void;
  signal?: AbortSignal;
  /** security.hidden_content: unless `ignore`, a version whose files hide text is not signed (as at publish). */
  hiddenContent?: FailureMode | undefined;
  /**
   * The archive the signer reviewed (`sha256:…`): what the registry serves must be it. A registry can change
   * the archive and its checksum of a version at once, between the review and the signing.
   */
  expectedChecksum?: string | undefined;
}

/**
 * A second person signs a version already published (`aam-trust sign
 * NAME@VERSION`, AAM: Co-sign a Published Version…): the archive is
 * downloaded, its checksum must be the registry's and its manifest the
 * version's, the signatures it carries are shown, and each new signature is
 * checked before it is added beside the others. A signer who signed it
 * already is refused: the same signer twice adds nothing; so is a version
 * whose files hold hidden content (unless hidden_content: ignore), as a
 * publish is.
 */
export async function cosignVersion(
  options: CosignOptions,
): Promise<{ checksum: string; signatures: SignatureRecord[]; existing: Signer[] }> {
  const line = options.onLine ?? (() => undefined);
  const { registry, name, version } = options;
  const label = `${name}@${version}`;
  const checkCancel = () => {
    if (options.signal?.aborted)
      throw new AamError('CANCELLED', `Signing was cancelled; nothing was added to ${label}.`);
  };
  if (options.signing.length === 0) throw new AamError('USAGE', `Nothing to sign ${label} with.`);
  // Before anything is signed (and logged publicly): a signature the registry will not take is not made.
  const unauthorized = await registry.credentialRefusal?.(
    `Adding a signature to ${label} on registry "${registry.name}"`,
  );
  if (unauthorized) throw unauthorized;
  // The exact version, also one waiting for approval: a co-signature may be what its approvers wait for.
  const entry = (await registry.metadata(name))?.versions.find((v) => v.version === version);
  if (!entry) throw new AamError('VERSION_NOT_FOUND', `${label} is not in registry "${registry.name}".`);
  const archive = await registry.readArchive(name, version);
  const checksum = sha256(archive);
  if (checksum !== entry.checksum)
    throw new AamError(
      'CHECKSUM_MISMATCH',
      `Registry "${registry.name}" serves other bytes for ${label} than it describes.`,
      {
        expected: entry.checksum,
        actual: checksum,
        hint: 'Nothing was signed. Report it to the registry owner.',
      },
    );
  if (options.expectedChecksum !== undefined && checksum !== options.expectedChecksum.toLowerCase())
    throw new AamError(
      'CHECKSUM_MISMATCH',
      `Registry "${registry.name}" now serves other bytes for ${label} than the archive you reviewed.`,
      {
        expected: options.expectedChecksum,
        actual: checksum,
        hint: 'Nothing was signed. The registry changed the version after you reviewed it: review what it serves now (install or verify it again) before you sign it, and report the change to the registry owner.',
      },
    );
  const contents = await readArchive(archive);
  const mismatch = manifestMismatch(contents.manifestText, name, version);
  if (mismatch)
    throw new AamError('CHECKSUM_MISMATCH', `The archive of ${label} is not that package: ${mismatch}.`, {
      hint: 'Nothing was signed. Report it to the registry owner.',
    });
  // As at publish: a signature would vouch for text the signer cannot see (and was published by a tool that did not look).
  if ((options.hiddenContent ?? 'warn') !== 'ignore') refuseHidden(hiddenFiles(contents.files), label, 'co-signed');
  line(`Signing ${label} (${checksum})`);
  const existing: Signer[] = [];
  for (const stored of await registry.readSignatures(name, version)) {
    const check = await options.verifier.verify(stored.type, stored.bytes, archive);
    if (check.state === 'valid') existing.push(check.signer);
    line(
      `→ Already signed: ${stored.file} — ${check.state === 'valid' ? describeSigner(check.signer) : `not valid (${check.state === 'invalid' ? check.reason : 'none'})`}`,
    );
  }
  checkCancel();
  const signed = await signAll(archive, options.signing, options.verifier, {
    line,
    checkCancel,
    what: `Nothing was added to ${label}.`,
    already: existing,
  });
  checkCancel();
  const records: SignatureRecord[] = [];
  for (const signature of signed) records.push(await registry.addSignature(name, version, signature));
  line(
    `✓ Added ${records.length === 1 ? 'a signature' : `${records.length} signatures`} to ${label} in registry ${registry.name}: ${records.map((r) => r.file).join(', ')}`,
  );
  return { checksum, signatures: records, existing };
}
