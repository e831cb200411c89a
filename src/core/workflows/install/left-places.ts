import { lstatSync } from 'node:fs';
import { cp, mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { placesOf } from '../../deploy/platforms.ts';
import type { DeployRoots } from '../../deploy/platforms.ts';
import { readRegularFileSync } from '../../fs/safe-read.ts';
import type { WorkspacePaths } from '../../lockfile/lockfile.ts';
import { placeKey } from '../../model/platform.ts';
import type { Platform } from '../../model/platform.ts';
import { toFsName } from '../../model/names.ts';
import { parseManifest } from '../../package/manifest.ts';
import type { Finding } from '../../verify/verdict/findings.ts';
import type { Verified } from './fetch-verify.ts';
import { AamError, messageOf } from '../../errors.ts';

/**
 * What an install does to files agents load that its own copies do not
 * account for, said before anything is written (and in a review): a copy of
 * the version installed now that this version no longer has stays where it
 * is, and agents go on loading it (as `aam install` leaves it); and a file or
 * folder at one of its places that no version of the package deployed —
 * the user's own, or another package's — is replaced. Both warn.
 */
export function leftAndReplaced(
  item: Verified,
  workspace: WorkspacePaths,
  roots: DeployRoots,
  platforms: readonly Platform[],
  installedVersion: string | undefined,
): Finding[] {
  const { name, version } = item.plan;
  // On the platforms deployed to now: a copy elsewhere is not this install's to speak of (nor --no-deploy's).
  const before = new Set(placesOfInstalled(join(workspace.packagesDir, toFsName(name)), platforms, roots));
  const now = new Set(
    item.targets.map((t) => placeKey(t.path, t.kind === 'section' ? `${t.name} ${t.section}` : undefined)),
  );
  const shown = (path: string) => relative(roots.project, path) || path;
  const findings: Finding[] = [];
  for (const key of before) {
    const [path, section] = key.split('\u0000') as [string, string];
    // A section of a shared file (CLAUDE.md) is left too, but the file is the user's as well: not said here.
    if (section !== '' || now.has(key) || !lstatSync(path, { throwIfNoEntry: false })) continue;
    findings.push({
      code: 'DEPLOY_LEFT',
      action: 'warn',
      message: `${name}${installedVersion ? `@${installedVersion}` : ''} deployed ${shown(path)}, which ${version} no longer has: it stays, and agents go on loading it.`,
      expected: undefined,
      actual: path,
      hint: `Remove ${path} if you no longer want it (aam install leaves it too).`,
    });
  }
  for (const target of item.targets) {
    const key = placeKey(target.path, undefined);
    if (target.kind === 'section' || before.has(key) || !lstatSync(target.path, { throwIfNoEntry: false })) continue;
    findings.push({
      code: 'DEPLOY_REPLACES',
      action: 'warn',
      message: `Installing ${name}@${version} replaces ${shown(target.path)}, which no version of it deployed before (a file of your own, or another package's); a copy of what is there now is kept in ~/.aam/replaced/ first.`,
      expected: undefined,
      actual: target.path,
      hint: `Take back what you need from the copy in ~/.aam/replaced/ if ${shown(target.path)} was yours; install --review shows this before anything is written.`,
    });
  }
  return findings;
}

/** The places the installed version's aam.yaml sends its artifacts to (none when it cannot be read). */
function placesOfInstalled(dir: string, platforms: readonly Platform[], roots: DeployRoots): string[] {
  try {
    const read = readRegularFileSync(join(dir, 'aam.yaml'), 'manifest');
    return read ? placesOf(parseManifest(read.bytes.toString('utf8')), platforms, roots) : [];
  } catch {
    return [];
  }
}

/**
 * Keeps a copy of every file or folder an install replaces that no version
 * of the package deployed (DEPLOY_REPLACES), before anything is written:
 * under `~/.aam/replaced/STAMP/`, by its path in the project (or `home/` and
 * its path in the home folder), links copied as links. What is replaced is
 * worked out again now, not taken from the review, which may have stood open
 * while a file was made or removed there (diff7-review I1 and suspicion):
 * the item's findings then say what is replaced now, each naming its copy. A
 * copy that cannot be made (a socket, a file it may not read) stops the
 * install before anything is written.
 */
export async function keepReplaced(
  items: readonly Verified[],
  workspace: WorkspacePaths,
  roots: DeployRoots,
  platforms: readonly Platform[],
  installedVersion: (name: string) => string | undefined,
  now: Date,
): Promise<void> {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  for (const item of items) {
    const replaced = leftAndReplaced(item, workspace, roots, platforms, installedVersion(item.plan.name)).filter(
      (finding) => finding.code === 'DEPLOY_REPLACES',
    );
    const kept: Finding[] = [];
    for (const finding of replaced) {
      const path = finding.actual!;
      const inProject = relative(roots.project, path);
      const outside = inProject === '..' || inProject.startsWith(`..${sep}`) || isAbsolute(inProject);
      const copy = join(
        roots.home,
        '.aam',
        'replaced',
        stamp,
        outside ? join('home', relative(roots.home, path)) : inProject,
      );
      try {
        await mkdir(dirname(copy), { recursive: true });
        await cp(path, copy, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
      } catch (error) {
        // Gone since it was looked at: nothing of it to keep, nor to replace.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !lstatSync(path, { throwIfNoEntry: false })) continue;
        throw new AamError(
          'INSTALL_REFUSED',
          `Could not keep a copy of ${path} before replacing it: ${messageOf(error)}.`,
          {
            hint: `Nothing was installed. Move ${path} away (it is not from any version of ${item.plan.name}), then install again.`,
          },
        );
      }
      kept.push({ ...finding, hint: `What was there is kept at ${copy}: take back what you need.` });
    }
    item.findings = [...item.findings.filter((finding) => finding.code !== 'DEPLOY_REPLACES'), ...kept];
  }
}
