import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { LoadedConfig } from '../config/load.ts';
import { readArchive } from '../archive/read.ts';
import { sha256 } from '../archive/hash.ts';
import { AamError } from '../errors.ts';
import { withFileLock } from '../fs/file-lock.ts';
import type { LockedPackage, WorkspacePaths } from '../lockfile/lockfile.ts';
import { parseManifest } from '../package/manifest.ts';
import { readTrustRecord, recordPathOf } from '../record/trust-record.ts';
import type { EvidenceCache } from '../verify/evidence/evidence-cache.ts';
import type { SignatureVerifier } from '../signature/verifier.ts';
import { verifyWorkspace } from '../verify/workspace.ts';
import { gatherEvidence } from '../verify/evidence/sources.ts';
import type { PackageReport } from '../verify/workspace.ts';
import { deployTargets } from '../deploy/platforms.ts';
import type { Platform, SourceFile } from '../deploy/platforms.ts';
import { writeDeployed } from '../deploy/write.ts';

export interface RestoreOptions {
  workspace: WorkspacePaths;
  config: LoadedConfig;
  verifier: SignatureVerifier;
  cache: EvidenceCache;
  homeDir?: string;
  /** Restore on these platforms (default: where copies were found, or recorded). */
  platforms?: readonly Platform[];
}

/**
 * Rewrites the deployed copies of a package from its archive — only when
 * that archive verifies: the package is verified again first, and anything
 * failing besides the deployed copies themselves (a tampered archive or
 * installed copy, an invalid or untrusted signature under `error`) refuses
 * the restore. Only the archive that verification judged is written, and
 * the whole restore holds the install lock, so an install cannot change the
 * package under it. Returns the report after restoring.
 */
export async function restoreDeployed(name: string, options: RestoreOptions): Promise<PackageReport> {
  const { workspace } = options;
  // Without .aam there is no lock to take, and nothing installed.
  await access(workspace.aamDir).catch(() => {
    throw notInstalled(name, workspace);
  });
  return withFileLock(join(workspace.aamDir, '.install.lock'), () => restoreLocked(name, options));
}

async function restoreLocked(name: string, options: RestoreOptions): Promise<PackageReport> {
  const home = options.homeDir ?? homedir();
  // Without `recordSigners`: learning the trust record takes the install lock, which restore holds already.
  const verify = () =>
    verifyWorkspace({
      workspace: options.workspace,
      config: options.config,
      verifier: options.verifier,
      cache: options.cache,
      only: [name],
      force: true,
      homeDir: home,
      workers: 0,
    });
  const [before] = await verify();
  if (!before) throw notInstalled(name, options.workspace);
  const blocking = before.verdict.action === 'fail' && before.verdict.code !== 'DEPLOYED_MODIFIED';
  if (blocking) {
    throw new AamError(
      'INSTALL_REFUSED',
      `${name} is not restored: its archive does not verify (${before.verdict.message})`,
      { hint: 'Restore only ever writes from a verified archive. Re-install the package from a registry you trust.' },
    );
  }
  const record = (await readTrustRecord(recordPathOf(options.workspace.aamDir))).packages[name];
  const archive = verifiedArchive(before, options);
  const contents = await readArchive(archive);
  const manifest = parseManifest(contents.manifestText, `aam.yaml of ${name}`);
  const files = new Map<string, SourceFile>(
    contents.files.map((f) => [f.path, { data: f.data, executable: f.executable }]),
  );
  const platforms = options.platforms ?? defaultPlatforms(before, record?.platforms, options.workspace.root === home);
  if (platforms.length === 0 && before.deployed.some((c) => HOME_PLATFORMS.includes(c.platform)))
    throw new AamError(
      'USAGE',
      `${name} is deployed only in your home folder (~/.codex), which agents load in every project: a project's restore writes there only when asked.`,
      { hint: `aam-trust restore ${name} --platform codex` },
    );
  if (platforms.length === 0)
    throw new AamError('NOT_INSTALLED', `${name} is not deployed to any platform.`, {
      hint: 'Name a platform to deploy it to (cursor, claude, copilot, codex).',
    });
  await writeDeployed(
    platforms.flatMap((platform) =>
      deployTargets(manifest, files, platform, { project: options.workspace.root, home }),
    ),
  );
  const [after] = await verify();
  return after!;
}

/**
 * Where a restore writes unless told: where copies were found, or recorded. For a project, never the user's
 * home (Codex's ~/.codex): the record's platforms are the repository's to write, and a file there may be the
 * user's own, loaded in every project. Those copies are restored only when asked (`--platform codex`).
 */
export function defaultPlatforms(
  report: Pick<PackageReport, 'deployed'>,
  recorded: readonly Platform[] | undefined,
  globalWorkspace: boolean,
): Platform[] {
  const found = [...new Set([...report.deployed.map((c) => c.platform), ...(recorded ?? [])])];
  return globalWorkspace ? found : found.filter((platform) => !HOME_PLATFORMS.includes(platform));
}

/** Platforms whose copies live in the user's home, whatever the project. */
export const HOME_PLATFORMS: readonly Platform[] = ['codex'];

/**
 * The archive the verification in `report` judged. It is found by the version
 * and checksum that verification read, never by the lock file as it is now
 * (another process may have rewritten it since), and its bytes must hash to
 * that checksum: anything else was never verified.
 */
function verifiedArchive(report: PackageReport, options: RestoreOptions): Buffer {
  // Only the archive is used: the signatures were judged already, by the verification that passed.
  const entry: LockedPackage = {
    version: report.version,
    source: report.source,
    checksum: report.checksum,
    dependencies: {},
  };
  const evidence = gatherEvidence(report.name, entry, {
    workspace: options.workspace,
    config: options.config,
    cache: options.cache,
  });
  if (!evidence.archive)
    throw new AamError(
      'ARCHIVE_UNAVAILABLE',
      `The archive of ${report.name} is not available: ${evidence.archiveOrigin}.`,
    );
  return requireChecksum(report.name, evidence.archive, report.checksum);
}

/** `archive`, when its SHA-256 is the checksum verification judged; refused otherwise, before anything is written. */
export function requireChecksum(name: string, archive: Buffer, checksum: string): Buffer {
  const actual = sha256(archive);
  if (actual === checksum) return archive;
  throw new AamError(
    'CHECKSUM_MISMATCH',
    `${name} is not restored: the archive found is ${actual}, not the verified ${checksum}; nothing was restored.`,
    {
      expected: checksum,
      actual,
      hint: 'The archive changed after it was verified. Run restore again, or re-install the package.',
    },
  );
}

function notInstalled(name: string, workspace: WorkspacePaths): AamError {
  return new AamError('NOT_INSTALLED', `${name} is not installed in ${workspace.lockFile}.`);
}
