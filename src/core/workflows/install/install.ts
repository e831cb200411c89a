import { mkdir, readdir, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AamError } from '../../errors.ts';
import { withFileLock } from '../../fs/file-lock.ts';
import { makeRealFolders } from '../../fs/real-folders.ts';
import { recoverJournal } from '../../fs/journal.ts';
import type { WorkspacePaths } from '../../lockfile/lockfile.ts';
import type { Verdict } from '../../policy/decision.ts';
import type { HiddenFile } from '../../content/scan.ts';
import type { Finding } from '../../verify/verdict/findings.ts';
import { workingState } from '../diff/state.ts';
import { commitInstall } from './commit.ts';
import { installJournalCheck } from './journal-check.ts';
import { prepareInstall } from './prepare.ts';
import type { InstallOptions, PreparedInstall } from './prepare.ts';

export type { InstallOptions, PreparedInstall } from './prepare.ts';
export { NO_VERIFY_WARNING } from './prepare.ts';

export interface InstalledPackage {
  name: string;
  version: string;
  verdict: Verdict;
  /** What verify finds beside the verdict and only warns of (a failing one refuses the install): said as verify says it. */
  findings: Finding[];
  /** Hidden content in its files (installed with a warning under hidden_content: warn). */
  hidden: HiddenFile[];
  /** Judged by this machine's earlier verification (--use-cached-verification): when, and why. */
  cached?: { at: string; reason: string } | undefined;
}

/**
 * Installs packages from a registry (or `.aam` files), gated by the trust
 * decision, and deploys them to the agent platforms as `aam install` does.
 * Everything is fetched, verified and its deployment computed before
 * anything is written; if any package fails, nothing is written at all.
 * Writing goes through a journal, so a crash leaves either the old or the
 * new state once the next run recovers it; deployed copies follow.
 */
export async function installPackages(specs: readonly string[], options: InstallOptions): Promise<InstalledPackage[]> {
  await makeAamFolder(options.workspace, options.homeDir ?? homedir());
  return withFileLock(lockPath(options.workspace), async () => {
    await recoverInstall(options.workspace, options.homeDir ?? homedir());
    const prepared = await prepareInstall(specs, options);
    refuseChanges(prepared, options.acceptChanges ?? false);
    await commitInstall(prepared, { ...options, journal: journalPath(options.workspace) });
    await remember(prepared, options);
    return installed(prepared);
  });
}

/**
 * Installs what a review showed, exactly: the same verified archives and the
 * same deployed copies. Refused when the project's lock file, trust record or
 * config changed since it was prepared (another install, a checkout): the
 * review would no longer say what happens. `acceptChanges` is the reviewer's
 * acceptance of the signer changes the review showed.
 */
export async function installReviewed(
  prepared: PreparedInstall,
  options: Pick<InstallOptions, 'workspace' | 'cache' | 'onStep' | 'now' | 'ledger'> & { acceptChanges: boolean },
): Promise<InstalledPackage[]> {
  await makeAamFolder(options.workspace, prepared.home);
  return withFileLock(lockPath(options.workspace), async () => {
    await recoverInstall(options.workspace, prepared.home);
    const now = await workingState(options.workspace.root);
    const base = prepared.base;
    if (now.lockText !== base.lockText || now.configText !== base.configText || !sameRecord(now, base))
      throw new AamError('INSTALL_REFUSED', 'The project changed since this update was reviewed.', {
        hint: 'Nothing was installed. Review the update again.',
      });
    refuseChanges(prepared, options.acceptChanges);
    await commitInstall(prepared, { ...options, journal: journalPath(options.workspace) });
    await remember(prepared, options);
    return installed(prepared);
  });
}

/** The trust record as it matters here (verification may have stamped a registry head meanwhile: that is not a change). */
function sameRecord(a: PreparedInstall['base'], b: PreparedInstall['base']): boolean {
  return JSON.stringify(a.record.packages) === JSON.stringify(b.record.packages);
}

function refuseChanges(prepared: PreparedInstall, accepted: boolean): void {
  if (accepted || prepared.changes.length === 0) return;
  const first = prepared.changes[0]!.finding;
  throw new AamError(
    'INSTALL_REFUSED',
    prepared.changes.map((c) => `${c.name}@${c.version}: ${c.finding.message}`).join('\n'),
    {
      hint: 'Nothing was installed. If the change is expected, install with --accept-signer-change (it is recorded in .aam/trust-record.yaml).',
      expected: first.expected,
      actual: first.actual,
    },
  );
}

/** What was verified, kept for a later --use-cached-verification (never making an install fail). */
async function remember(prepared: PreparedInstall, options: Pick<InstallOptions, 'ledger' | 'now'>): Promise<void> {
  if (!options.ledger || prepared.unverifiedAt) return;
  const at = (options.now ?? (() => new Date()))().toISOString();
  options.ledger.rememberInstalled(
    prepared.verified.map((v) => ({ version: v.plan.version, checksum: v.plan.entry.checksum, checks: v.checks })),
    at,
    prepared.trustDigest,
  );
  await options.ledger.save().catch(() => undefined);
}

function installed(prepared: PreparedInstall): InstalledPackage[] {
  return prepared.verified.map((v) => ({
    name: v.plan.name,
    version: v.plan.version,
    verdict: v.verdict,
    findings: v.findings,
    hidden: v.hidden,
    ...(v.checks.cached ? { cached: v.checks.cached } : {}),
  }));
}

/**
 * `.aam`, made if missing: its lock, journal and staging folders are written
 * before anything else, so a project's is refused when it is a link. The home
 * folder's `~/.aam` (a global install) is the user's own, and may be one.
 */
async function makeAamFolder(workspace: WorkspacePaths, home: string): Promise<void> {
  if (workspace.root === home) await mkdir(workspace.aamDir, { recursive: true });
  else await makeRealFolders(workspace.root, workspace.aamDir);
}

function lockPath(workspace: WorkspacePaths): string {
  return join(workspace.aamDir, '.install.lock');
}

function journalPath(workspace: WorkspacePaths): string {
  return join(workspace.aamDir, '.install-journal.json');
}

/** Finishes an install a crash interrupted, and removes staging folders of installs that never committed. */
export async function recoverInstall(workspace: WorkspacePaths, home = homedir()): Promise<void> {
  await recoverJournal(journalPath(workspace), installJournalCheck(workspace, journalPath(workspace), home));
  let names: string[] = [];
  try {
    names = await readdir(workspace.aamDir);
  } catch {
    return;
  }
  for (const name of names)
    if (name.startsWith('.staging-')) await rm(join(workspace.aamDir, name), { recursive: true, force: true });
}
