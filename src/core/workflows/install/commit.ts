import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Platform } from '../../model/platform.ts';
import { writeDeployed } from '../../deploy/write.ts';
import { sha256Hex } from '../../archive/hash.ts';
import { extractArchive, fileChecksumsOf } from '../../archive/extract.ts';
import { commitJournal } from '../../fs/journal.ts';
import { lockFileText } from '../../lockfile/lockfile.ts';
import type { LockedPackage, LockSignature, WorkspacePaths } from '../../lockfile/lockfile.ts';
import { toFsName } from '../../model/names.ts';
import { recordedSignatureOf, recordPathOf, trustRecordText } from '../../record/trust-record.ts';
import type { RecordedPackage } from '../../record/trust-record.ts';
import type { SignatureCheck } from '../../policy/decision.ts';
import type { StoredSignature } from '../../registry/registry.ts';
import type { EvidenceCache } from '../../verify/evidence/evidence-cache.ts';
import type { Verified } from './fetch-verify.ts';
import type { PreparedInstall } from './prepare.ts';

export interface CommitOptions {
  workspace: WorkspacePaths;
  cache: EvidenceCache;
  onStep?: ((message: string) => void) | undefined;
  now?: (() => Date) | undefined;
  journal: string;
}

/**
 * Writes a prepared install: the packages extracted beside their place, the
 * lock file and trust record, all through the journal (a crash leaves the old
 * state or the new one once recovered); then the evidence cache and the
 * deployed copies. The caller holds the install lock.
 */
export async function commitInstall(prepared: PreparedInstall, options: CommitOptions): Promise<void> {
  const { workspace } = options;
  const { verified } = prepared;
  if (verified.length === 0) return;
  const lock = structuredClone(prepared.base.lock);
  const record = structuredClone(prepared.base.record);
  const staging = join(workspace.aamDir, `.staging-${randomBytes(6).toString('hex')}`);
  const renames: { from: string; to: string }[] = [];
  const now = (options.now ?? (() => new Date()))();
  for (const item of verified) {
    options.onStep?.(`Extracting ${item.plan.name}@${item.plan.version}`);
    const target = join(staging, toFsName(item.plan.name));
    const contents = await extractArchive(item.archive, target);
    lock.packages[item.plan.name] = lockEntry(item, fileChecksumsOf(contents));
    record.packages[item.plan.name] = recordedEntry(item, prepared.platforms, now, prepared.unverifiedAt);
    if (prepared.trust && prepared.registryName)
      record.registries = {
        ...record.registries,
        [prepared.registryName]: { ...prepared.trust.next, recorded_at: now.toISOString() },
      };
    renames.push({ from: target, to: join(workspace.packagesDir, toFsName(item.plan.name)) });
  }
  lock.resolved_at = now.toISOString();
  await mkdir(workspace.packagesDir, { recursive: true });
  await commitJournal(options.journal, {
    renames,
    writes: [
      { path: workspace.lockFile, content: lockFileText(lock) },
      { path: recordPathOf(workspace.aamDir), content: trustRecordText(record) },
    ],
    removes: [staging],
  });
  for (const item of verified) {
    await options.cache.put(item.archive).catch(() => undefined);
    if (item.signature) await options.cache.put(item.signature.bytes).catch(() => undefined);
    if (item.attestation?.bytes) await options.cache.put(item.attestation.bytes).catch(() => undefined);
  }
  for (const item of verified) {
    if (item.targets.length > 0)
      options.onStep?.(
        `Deploying ${item.plan.name}@${item.plan.version} to ${[...new Set(item.targets.map((t) => t.platform))].join(', ')}`,
      );
    await writeDeployed(item.targets);
  }
}

export function lockEntry(item: Verified, files: Record<string, string>): LockedPackage {
  const entry: LockedPackage = {
    version: item.plan.version,
    source: item.source,
    checksum: item.plan.entry.checksum,
    dependencies: item.plan.dependencies,
    // aam verify looks for a scoped package in .aam/packages/@scope/name (it installs to scope--name), so
    // for those the lock file says what aam itself writes for a registry install: no file checksums.
    file_checksums: item.plan.name.startsWith('@') ? null : { algorithm: 'sha256', files },
    source_name: null,
    source_commit: null,
  };
  if (item.signature && item.check.state === 'valid') entry.signature = lockSignature(item.signature, item.check);
  return entry;
}

function lockSignature(file: StoredSignature, check: Extract<SignatureCheck, { state: 'valid' }>): LockSignature {
  const signer = check.signer;
  const base = { bundle_digest: `sha256:${sha256Hex(file.bytes)}`, signed_at: signer.signedAt };
  if (signer.type === 'gpg')
    return { type: 'gpg', fingerprint: signer.fingerprint, identity: signer.userIds[0], ...base };
  return {
    type: 'sigstore',
    identity: signer.identity.san,
    issuer: signer.identity.issuer,
    ...(signer.tlog ? { transparency_log: { log_index: signer.tlog.logIndex, url: signer.tlog.url } } : {}),
    ...base,
  };
}

/** What the trust record keeps of an installed package: its digest, who signed it (null: unsigned), where it was deployed. */
export function recordedEntry(
  item: Verified,
  platforms: readonly Platform[],
  now: Date,
  unverifiedAt?: string,
): RecordedPackage {
  const base = {
    ...(unverifiedAt ? { installed_without_verification: unverifiedAt } : {}),
    version: item.plan.version,
    checksum: item.plan.entry.checksum,
    source: item.source,
    ...(item.sourceRequiresSignatures ? { source_requires_signatures: true as const } : {}),
    platforms: [...platforms],
    recorded_at: now.toISOString(),
  };
  const attestation =
    item.attestation?.bytes && item.attestation.fact.state === 'valid'
      ? { attestation: { digest: `sha256:${sha256Hex(item.attestation.bytes)}`, key_id: item.attestation.fact.keyId } }
      : {};
  if (!item.signature || item.check.state !== 'valid') return { ...base, ...attestation, signature: null };
  return {
    ...base,
    ...attestation,
    signature: recordedSignatureOf(item.check.signer, `sha256:${sha256Hex(item.signature.bytes)}`),
  };
}
