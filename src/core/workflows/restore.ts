import { homedir } from 'node:os';
import type { LoadedConfig } from '../config/load.ts';
import { readArchive } from '../archive/read.ts';
import { AamError } from '../errors.ts';
import { readLockFile } from '../lockfile/lockfile.ts';
import type { WorkspacePaths } from '../lockfile/lockfile.ts';
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
 * the restore. Returns the report after restoring.
 */
export async function restoreDeployed(name: string, options: RestoreOptions): Promise<PackageReport> {
  const home = options.homeDir ?? homedir();
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
  if (!before) throw new AamError('NOT_INSTALLED', `${name} is not installed in ${options.workspace.lockFile}.`);
  const blocking = before.verdict.action === 'fail' && before.verdict.code !== 'DEPLOYED_MODIFIED';
  if (blocking) {
    throw new AamError(
      'INSTALL_REFUSED',
      `${name} is not restored: its archive does not verify (${before.verdict.message})`,
      { hint: 'Restore only ever writes from a verified archive. Re-install the package from a registry you trust.' },
    );
  }
  const entry = (await readLockFile(options.workspace.lockFile)).packages[name]!;
  const record = (await readTrustRecord(recordPathOf(options.workspace.aamDir))).packages[name];
  const evidence = gatherEvidence(
    name,
    entry,
    { workspace: options.workspace, config: options.config, cache: options.cache },
    record,
  );
  if (!evidence.archive)
    throw new AamError('ARCHIVE_UNAVAILABLE', `The archive of ${name} is not available: ${evidence.archiveOrigin}.`);
  const contents = await readArchive(evidence.archive);
  const manifest = parseManifest(contents.manifestText, `aam.yaml of ${name}`);
  const files = new Map<string, SourceFile>(
    contents.files.map((f) => [f.path, { data: f.data, executable: f.executable }]),
  );
  const platforms = options.platforms ?? [
    ...new Set([...before.deployed.map((c) => c.platform), ...(record?.platforms ?? [])]),
  ];
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
