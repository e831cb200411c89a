import { childPath, installedDirOf } from '../lockfile/paths.ts';
import type { WorkspacePaths } from '../lockfile/paths.ts';
import { lockEntryProblem, quoted, unlockedFolders } from '../lockfile/vouched.ts';
import type { EntryProblem } from '../lockfile/vouched.ts';
import { isValidPackageName } from '../model/names.ts';
import { decide } from '../policy/decision.ts';
import type { Checks, IntegrityCheck, PolicyContext } from '../policy/decision.ts';
import type { PackageReport } from './verdict/report.ts';

type Entry = { version: string; source: string; checksum: string };

/**
 * What a verification of a workspace sets aside, unverified, because the lock
 * file does not vouch for it: an entry aam could not have written (a name
 * outside the grammar is never looked up anywhere), and a folder in
 * `.aam/packages` that no entry names. Each is a failing report, decided
 * before any check runs; their checks hold the failure, so a policy preview
 * (what-if) decides them failing too.
 */
export class Unvouched {
  /** The names to verify: those asked for with a valid name, sorted. */
  readonly names: string[] = [];
  private readonly invalid = new Map<string, { problem: EntryProblem; entry?: Entry | undefined }>();
  private readonly unlocked: Promise<string[]>;
  private readonly workspace: WorkspacePaths;
  private readonly only: readonly string[] | undefined;

  constructor(workspace: WorkspacePaths, locked: readonly string[], only: readonly string[] | undefined) {
    this.workspace = workspace;
    this.only = only;
    for (const name of locked) {
      if (only && !only.includes(name)) continue;
      if (isValidPackageName(name)) this.names.push(name);
      else this.invalid.set(name, { problem: lockEntryProblem(name, undefined)! });
    }
    this.names.sort();
    // One readdir; for a few names, only when one of them is not in the lock file.
    this.unlocked =
      !only || only.some((name) => !locked.includes(name))
        ? unlockedFolders(workspace.packagesDir, locked)
        : Promise.resolve([]);
    this.unlocked.catch(() => undefined); // awaited in reports(); not an unhandled rejection meanwhile
  }

  /** Whether entries must be read for the reports: an entry set aside by its name has not been. */
  get misnamed(): boolean {
    return this.invalid.size > 0;
  }

  /** Sets an entry aside when its version or source is not one aam writes (`rejected` is told); true when it does. */
  rejects(name: string, entry: Entry, rejected?: () => void): boolean {
    const problem = lockEntryProblem(name, entry);
    if (!problem) return false;
    this.invalid.set(name, { problem, entry });
    rejected?.();
    return true;
  }

  /** The reports of what was set aside, by name; `entries` give an entry set aside by its name its version. */
  async reports(context: PolicyContext, entries: Readonly<Record<string, Entry>> = {}): Promise<PackageReport[]> {
    const { workspace, only } = this;
    return [
      ...[...this.invalid].map(([name, { problem, entry }]) =>
        invalidEntryReport(name, entry ?? entries[name], problem, context, workspace),
      ),
      ...(await this.unlocked)
        .filter((folder) => !only || only.includes(folder))
        .map((folder) => unlockedFolderReport(folder, context, workspace)),
    ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

function invalidEntryReport(
  name: string,
  entry: Entry | undefined,
  problem: EntryProblem,
  context: PolicyContext,
  workspace: WorkspacePaths,
): PackageReport {
  const integrity: IntegrityCheck = { ok: false, code: 'LOCKFILE_INVALID', ...problem };
  const shown = entry ?? { version: '', source: '', checksum: '' };
  return unvouched(name, shown, integrity, context, workspace, installedDirOf(workspace, name));
}

function unlockedFolderReport(folder: string, context: PolicyContext, workspace: WorkspacePaths): PackageReport {
  const integrity: IntegrityCheck = {
    ok: false,
    code: 'NOT_LOCKED',
    detail: `${quoted(folder)} is installed in .aam/packages but not in the lock file, so nothing says what it should hold and it was not verified.`,
    expected: `an entry in ${workspace.lockFile} for the package installed in .aam/packages/${quoted(folder).slice(1, -1)}/`,
    actual: 'none',
  };
  const none = { version: '', source: '', checksum: '' };
  return unvouched(folder, none, integrity, context, workspace, childPath(workspace.packagesDir, folder));
}

function unvouched(
  name: string,
  entry: Entry,
  integrity: Extract<IntegrityCheck, { ok: false }>,
  context: PolicyContext,
  workspace: WorkspacePaths,
  installedDir: string,
): PackageReport {
  const checks: Checks = { name, integrity, signature: { state: 'none' } };
  return {
    name,
    version: entry.version,
    source: entry.source,
    checksum: entry.checksum,
    verdict: decide(checks, context),
    findings: [],
    checks,
    rows: [{ id: 'checksum', state: 'fail', label: 'Lock entry', detail: integrity.detail }],
    deployed: [],
    signatureDigest: undefined,
    installedDir,
    lockFile: workspace.lockFile,
    signatureFile: undefined,
    checkedAt: new Date().toISOString(),
    hidden: [],
  };
}
