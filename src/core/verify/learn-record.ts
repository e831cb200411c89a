import { messageOf } from '../errors.ts';
import type { LockedPackage, WorkspacePaths } from '../lockfile/lockfile.ts';
import { readTrustRecord, recordPathOf, writeTrustRecord } from '../record/trust-record.ts';
import { recordUpdate } from '../record/continuity.ts';
import { withFileLock } from '../fs/file-lock.ts';
import { join } from 'node:path';
import type { RecordedPackage } from '../record/trust-record.ts';
import type { JobResult } from './checks/job.ts';

/**
 * Writes to the trust record what the packages just verified teach it: first
 * use, or a new version by the signer already recorded. A change of signer,
 * a removed signature or a downgrade is never learned, only accepted. Under
 * the install lock, from the record as it is on disk now.
 */
export async function learnRecord(
  workspace: WorkspacePaths,
  pending: ReadonlyMap<string, { recorded: RecordedPackage | undefined; entry: LockedPackage }>,
  collected: ReadonlyMap<string, { result: JobResult }>,
  onNotice: ((message: string) => void) | undefined,
): Promise<void> {
  const now = new Date().toISOString();
  const updates = new Map<string, RecordedPackage>();
  for (const [name, { recorded, entry }] of pending) {
    const result = collected.get(name)?.result;
    if (!result || !result.checks.integrity.ok) continue;
    const platforms = [...new Set(result.deployed.filter((c) => c.state !== 'missing').map((c) => c.platform))];
    const update = recordUpdate(
      recorded,
      {
        version: entry.version,
        checksum: entry.checksum,
        source: entry.source,
        signatures: result.checks,
        signatureDigest: result.signatureDigest,
        platforms,
      },
      now,
    );
    if (update) updates.set(name, update);
  }
  if (updates.size === 0) return;
  try {
    await withFileLock(join(workspace.aamDir, '.install.lock'), async () => {
      const path = recordPathOf(workspace.aamDir);
      const record = await readTrustRecord(path);
      for (const [name, update] of updates) record.packages[name] = update;
      await writeTrustRecord(path, record);
    });
  } catch (error) {
    onNotice?.(`The trust record could not be written: ${messageOf(error)}`);
  }
}
