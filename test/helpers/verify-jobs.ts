import type { LoadedConfig } from '../../src/core/config/load.ts';
import type { LockedPackage, WorkspacePaths } from '../../src/core/lockfile/lockfile.ts';
import { installedDirOf } from '../../src/core/lockfile/paths.ts';
import type { JobResult, VerifyJob } from '../../src/core/verify/checks/job.ts';
import { capturedSignaturesOf } from '../../src/core/verify/evidence/evidence.ts';
import { evidenceSource } from '../../src/core/verify/evidence/sources.ts';

/** A verification job for one installed package, as a run makes it when the package has no trust record. */
export function jobFor(
  services: { config: LoadedConfig; cache: { dir: string }; workspace: WorkspacePaths },
  name: string,
  entry: LockedPackage,
): VerifyJob {
  return {
    name,
    entry,
    installedDir: installedDirOf(services.workspace, name),
    source: evidenceSource(entry, services.config.registries, services.cache.dir, false),
    skipSignature: false,
    previousScan: undefined,
    captured: capturedSignaturesOf(entry),
  };
}

/** A job's result without the times in it: what two runs of one job must agree on. */
export function withoutTimes(result: JobResult) {
  return { ...result, at: '', scan: result.scan && { ...result.scan, at: '' } };
}
