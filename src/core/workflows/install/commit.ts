import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeDeployed } from '../../deploy/write.ts';
import { extractArchive, fileChecksumsOf } from '../../archive/extract.ts';
import { commitJournal } from '../../fs/journal.ts';
import { makeRealFolders } from '../../fs/real-folders.ts';
import { lockFileText } from '../../lockfile/lockfile.ts';
import type { WorkspacePaths } from '../../lockfile/lockfile.ts';
import { toFsName } from '../../model/names.ts';
import { recordPathOf, trustRecordText } from '../../record/trust-record.ts';
import type { EvidenceCache } from '../../verify/evidence/evidence-cache.ts';
import { pinRegistryKey } from '../../verify/evidence/registry-pins.ts';
import { keepReplaced } from './left-places.ts';
import { refuseUnwritablePlaces } from './places.ts';
import type { PreparedInstall } from './prepare.ts';
import { delegationEvidence, lockEntry, recordedEntry } from './records.ts';

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
 *
 * Before anything is written, every place is checked again (a review may
 * have stood open since it was prepared): `.aam` and `.aam/packages` real
 * folders, and every deployed copy's place writable (`refuseUnwritablePlaces`),
 * so a refusal leaves nothing installed.
 */
export async function commitInstall(prepared: PreparedInstall, options: CommitOptions): Promise<void> {
  const { workspace } = options;
  const { verified } = prepared;
  if (verified.length === 0) return;
  await refuseUnwritablePlaces(workspace, verified, prepared.home);
  const now = (options.now ?? (() => new Date()))();
  // What the deployed copies will replace of the user's is copied aside first: a failure here writes nothing.
  await keepReplaced(
    verified,
    workspace,
    { project: workspace.root, home: prepared.home },
    prepared.platforms,
    (name) => prepared.base.lock.packages[name]?.version,
    now,
  );
  const lock = structuredClone(prepared.base.lock);
  const record = structuredClone(prepared.base.record);
  const staging = join(workspace.aamDir, `.staging-${randomBytes(6).toString('hex')}`);
  const renames: { from: string; to: string }[] = [];
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
  // Made folder by folder and checked: a link planted meanwhile would carry the journal's `rm -rf` and renames out.
  await makeRealFolders(workspace.root === prepared.home ? workspace.aamDir : workspace.root, workspace.packagesDir);
  await commitJournal(options.journal, {
    renames,
    writes: [
      { path: workspace.lockFile, content: lockFileText(lock) },
      { path: recordPathOf(workspace.aamDir), content: trustRecordText(record) },
    ],
    removes: [staging],
  });
  // The registry's key, as this install took it from the registry: this machine's pin, beside the project's record.
  if (prepared.trust)
    await pinRegistryKey(options.cache.dir, prepared.trust.url, prepared.trust.next.key_id, prepared.trust.pinAnother);
  const kept = await options.cache.delegationIds();
  for (const item of verified) {
    const digest = await options.cache.put(item.archive).catch(() => undefined);
    if (digest && item.fromFile) await options.cache.markFromFile(digest).catch(() => undefined);
    for (const signature of item.signatures) await options.cache.put(signature.bytes).catch(() => undefined);
    for (const file of delegationEvidence(item, kept)) await options.cache.putDelegation(file).catch(() => undefined);
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
