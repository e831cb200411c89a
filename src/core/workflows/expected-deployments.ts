import { homedir } from 'node:os';
import type { LoadedConfig } from '../config/load.ts';
import { readArchive } from '../archive/read.ts';
import { readLockFile } from '../lockfile/lockfile.ts';
import type { WorkspacePaths } from '../lockfile/lockfile.ts';
import { parseManifest } from '../package/manifest.ts';
import { readTrustRecord, recordPathOf } from '../record/trust-record.ts';
import type { EvidenceCache } from '../verify/evidence/evidence-cache.ts';
import { gatherEvidence } from '../verify/evidence/sources.ts';
import { deployTargets, PLATFORMS } from '../deploy/platforms.ts';
import type { DeployTarget, SourceFile } from '../deploy/platforms.ts';

/**
 * What every deployed copy of an installed package must be, from its
 * authentic archive (the bytes whose digest the lock file records); undefined
 * when that archive is not available. For an editor that compares an open
 * deployed file with what was signed.
 */
export async function expectedDeployments(
  name: string,
  options: { workspace: WorkspacePaths; config: LoadedConfig; cache: EvidenceCache; homeDir?: string },
): Promise<DeployTarget[] | undefined> {
  const entry = (await readLockFile(options.workspace.lockFile)).packages[name];
  if (!entry) return undefined;
  const recorded = (await readTrustRecord(recordPathOf(options.workspace.aamDir))).packages[name];
  const evidence = gatherEvidence(name, entry, options, recorded);
  if (!evidence.archive) return undefined;
  const contents = await readArchive(evidence.archive);
  const manifest = parseManifest(contents.manifestText, `aam.yaml of ${name}`);
  const files = new Map<string, SourceFile>(
    contents.files.map((f) => [f.path, { data: f.data, executable: f.executable }]),
  );
  const roots = { project: options.workspace.root, home: options.homeDir ?? homedir() };
  return PLATFORMS.flatMap((platform) => deployTargets(manifest, files, platform, roots));
}

/** The expected content at `path` (a deployed file, a file in a deployed skill folder, or a shared file's sections). */
export function expectedAt(
  targets: readonly DeployTarget[],
  path: string,
): { bytes: Buffer } | { sections: { name: string; kind: string; content: string }[] } | undefined {
  const sections: { name: string; kind: string; content: string }[] = [];
  for (const target of targets) {
    if (target.kind === 'file' && target.path === path) return { bytes: Buffer.from(target.file.data) };
    if (target.kind === 'tree' && path.startsWith(`${target.path}/`)) {
      const file = target.files.get(path.slice(target.path.length + 1));
      return file ? { bytes: Buffer.from(file.data) } : undefined;
    }
    if (target.kind === 'section' && target.path === path)
      sections.push({ name: target.name, kind: target.section, content: target.content });
  }
  return sections.length > 0 ? { sections } : undefined;
}
