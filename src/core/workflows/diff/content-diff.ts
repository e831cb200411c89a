import type { LoadedConfig } from '../../config/load.ts';
import { deployPlatforms } from '../../config/settings.ts';
import { readArchive } from '../../archive/read.ts';
import { scanBytes } from '../../content/scan.ts';
import type { HiddenItem } from '../../content/scan.ts';
import { deployPlan } from '../../deploy/platforms.ts';
import type { DeployRoots, DeployTarget, Platform, SourceFile } from '../../deploy/platforms.ts';
import { expectedSectionBody } from '../../deploy/transform.ts';
import { messageOf } from '../../errors.ts';
import type { LockedPackage, WorkspacePaths } from '../../lockfile/lockfile.ts';
import { parseManifest } from '../../package/manifest.ts';
import type { EvidenceCache } from '../../verify/evidence/evidence-cache.ts';
import { gatherEvidence } from '../../verify/evidence/sources.ts';
import type { ProjectState } from './state.ts';

/** One deployed file (or a shared file's section) whose content a change of the lock file changes. */
export interface ContentFileChange {
  platform: Platform;
  /** The file, or `CLAUDE.md § name instruction` for a section. */
  path: string;
  before: Uint8Array | undefined;
  after: Uint8Array | undefined;
  change: 'added' | 'removed' | 'modified';
  /** Hidden content in the new text. */
  hidden: HiddenItem[];
}

export interface PackageContentChange {
  name: string;
  files: ContentFileChange[];
  /**
   * Why some of the content could not be compared (an archive neither the registry nor the evidence cache has,
   * an artifact whose copy cannot be computed). What could be computed of either side is in `files` still: with
   * the base's archive gone, the head's files are all there, as added.
   */
  unavailable: string | undefined;
}

export interface ContentDiffOptions {
  workspace: WorkspacePaths;
  config: LoadedConfig;
  cache: EvidenceCache;
  homeDir: string;
  offline?: boolean;
}

/**
 * What agents would load differently between two states of a project: for
 * every package whose archive the change replaces, adds or removes, each
 * deployed file as `aam install` writes it from the base's archive against
 * the head's, on the platforms the config deploys to. Archives come from the
 * registry or the evidence cache, by the digest each lock file records.
 */
export async function contentDiff(
  base: ProjectState,
  head: ProjectState,
  options: ContentDiffOptions,
): Promise<PackageContentChange[]> {
  const names = [...new Set([...Object.keys(base.lock.packages), ...Object.keys(head.lock.packages)])].sort();
  const roots = { project: options.workspace.root, home: options.homeDir };
  const platforms = deployPlatforms(options.config.merged);
  const out: PackageContentChange[] = [];
  for (const name of names) {
    const was = base.lock.packages[name];
    const now = head.lock.packages[name];
    if (was?.checksum === now?.checksum) continue;
    // Each side on its own: a registry that withholds the base's archive must not hide what the head deploys.
    const problems: string[] = [];
    const side = (entry: LockedPackage | undefined): Promise<Deployed> =>
      entry
        ? deployedOf(name, entry, options, roots, platforms, problems).catch((error: unknown) => {
            problems.push(messageOf(error));
            return new Map();
          })
        : Promise.resolve(new Map());
    const before = await side(was);
    const after = await side(now);
    out.push({
      name,
      files: compare(before, after),
      unavailable: problems.length > 0 ? problems.join('; ') : undefined,
    });
  }
  return out;
}

type Deployed = Map<string, { platform: Platform; data: Uint8Array }>;

/** Every deployed file of one lock entry's archive, by path (sections by `file § name kind`). */
async function deployedOf(
  name: string,
  entry: LockedPackage,
  options: ContentDiffOptions,
  roots: DeployRoots,
  platforms: readonly Platform[],
  problems: string[],
): Promise<Deployed> {
  const evidence = gatherEvidence(name, entry, options);
  if (!evidence.archive)
    throw new Error(`the archive of ${name}@${entry.version} is not available (${evidence.archiveOrigin})`);
  const contents = await readArchive(evidence.archive);
  const manifest = parseManifest(contents.manifestText, `aam.yaml of ${name}`);
  const files = new Map<string, SourceFile>(
    contents.files.map((f) => [f.path, { data: f.data, executable: f.executable }]),
  );
  const out: Deployed = new Map();
  const add = (target: DeployTarget) => {
    if (target.kind === 'file') out.set(target.path, { platform: target.platform, data: target.file.data });
    else if (target.kind === 'tree')
      for (const [rel, file] of target.files)
        out.set(`${target.path}/${rel}`, { platform: target.platform, data: file.data });
    else
      out.set(`${target.path} § ${target.name} ${target.section}`, {
        platform: target.platform,
        data: Buffer.from(expectedSectionBody(target.content).slice(1)),
      });
  };
  for (const platform of platforms)
    for (const target of deployPlan(manifest, files, platform, roots))
      if (target.kind !== 'uncomputable') add(target);
      else
        problems.push(`the ${target.type} ${target.name} of ${name}@${entry.version} on ${platform}: ${target.reason}`);
  return out;
}

function compare(before: Deployed, after: Deployed): ContentFileChange[] {
  const out: ContentFileChange[] = [];
  for (const path of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const was = before.get(path);
    const now = after.get(path);
    if (was && now && Buffer.compare(Buffer.from(was.data), Buffer.from(now.data)) === 0) continue;
    out.push({
      platform: (now ?? was)!.platform,
      path,
      before: was?.data,
      after: now?.data,
      change: !was ? 'added' : !now ? 'removed' : 'modified',
      hidden: now && now.data.length > 0 ? scanBytes(now.data, path.replace(/ § .*$/, '')) : [],
    });
  }
  return out;
}
