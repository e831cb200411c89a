import { messageOf } from '../errors.ts';
import type { LockedPackage, WorkspacePaths } from '../lockfile/lockfile.ts';
import { readTrustRecord, recordPathOf, writeTrustRecord } from '../record/trust-record.ts';
import { recordUpdate } from '../record/continuity.ts';
import { withFileLock } from '../fs/file-lock.ts';
import { join } from 'node:path';
import type { RecordedPackage } from '../record/trust-record.ts';
import type { JobResult } from './checks/job.ts';

/**
 * What the packages just verified teach the trust record: first use, or a
 * new version by the signer already recorded. A change of signer, a removed
 * signature or a downgrade is never learned, only accepted. Each result's
 * lesson is worked out as it comes in (while other threads still verify);
 * `write` records them all at once, under the install lock, into the record
 * as it is on disk then.
 */
export class RecordLessons {
  private readonly updates = new Map<string, RecordedPackage>();

  get size(): number {
    return this.updates.size;
  }

  learn(name: string, recorded: RecordedPackage | undefined, entry: LockedPackage, result: JobResult): void {
    if (!result.checks.integrity.ok) return;
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
      '', // the time of the write (below), as each entry is recorded at it
    );
    if (update) this.updates.set(name, update);
  }

  async write(workspace: WorkspacePaths, onNotice: ((message: string) => void) | undefined): Promise<void> {
    if (this.updates.size === 0) return;
    const now = new Date().toISOString();
    try {
      await withFileLock(join(workspace.aamDir, '.install.lock'), async () => {
        const path = recordPathOf(workspace.aamDir);
        const record = await readTrustRecord(path);
        for (const [name, update] of this.updates) record.packages[name] = { ...update, recorded_at: now };
        await writeTrustRecord(path, record);
      });
    } catch (error) {
      onNotice?.(`The trust record could not be written: ${messageOf(error)}`);
    }
    this.updates.clear();
  }
}
