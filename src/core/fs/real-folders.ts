import { lstat, mkdir, readlink, realpath } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { AamError } from '../errors.ts';

/**
 * Install writes where a cloned repository decides what the folders are: a
 * `.aam/packages`, `.cursor/prompts` or `.claude/skills` committed as a
 * symbolic link would carry every write, rename and `rm -rf` below it out of
 * the project (into `~/`, `~/.ssh`…). Verification refuses to read through
 * linked folders; these checks make install refuse to write through them.
 * Every folder from a root (the project, or the home for `~/.codex`) down to
 * where a write happens must be a real folder, or not there yet. The root
 * itself is the user's choice and is not checked.
 */

/** The first sentence of a refusal's hint, when nothing was written yet. */
export const NOTHING_INSTALLED = 'Nothing was installed.';

/** Refuses unless every folder below `root` down to `folder` is a real folder or absent; creates nothing. */
export async function assertRealFolders(root: string, folder: string, consequence = NOTHING_INSTALLED): Promise<void> {
  for (const path of foldersBelow(root, folder, consequence)) {
    const stats = await lstatOf(path);
    if (!stats) return; // absent, and so is everything below it
    await refuseUnlessFolder(path, stats, consequence);
  }
}

/**
 * `mkdir -p` that refuses a link on the way: each missing folder is made on
 * its own (never `recursive`, which follows links), and each folder is
 * checked after it exists, so one a link replaced meanwhile is refused.
 */
export async function makeRealFolders(root: string, folder: string, consequence = NOTHING_INSTALLED): Promise<void> {
  for (const path of foldersBelow(root, folder, consequence)) {
    let stats = await lstatOf(path);
    if (!stats) {
      await mkdir(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      stats = await lstat(path);
    }
    await refuseUnlessFolder(path, stats, consequence);
  }
}

/**
 * Refuses unless `folder` resolves to where its path says, below `root`
 * resolved. Node has no `openat`: this runs after a temporary file is made
 * and before it is renamed into place, narrowing the time a swapped-in link
 * has to carry the write elsewhere.
 */
export async function assertResolvesInside(
  root: string,
  folder: string,
  consequence = NOTHING_INSTALLED,
): Promise<void> {
  const [real, realRoot] = await Promise.all([realpath(folder), realpath(root)]);
  const expected = join(realRoot, relative(root, folder));
  if (!samePath(real, expected))
    throw refused(folder, `leads to ${real} through a symbolic link, not to ${expected}`, consequence);
}

/** The folders below `root` down to `folder`, outermost first. */
function foldersBelow(root: string, folder: string, consequence: string): string[] {
  const rel = relative(root, folder);
  if (rel === '') return [];
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel))
    throw refused(folder, `is not inside ${root}`, consequence);
  const out: string[] = [];
  let at = root;
  for (const part of rel.split(sep)) out.push((at = join(at, part)));
  return out;
}

async function refuseUnlessFolder(path: string, stats: Stats, consequence: string): Promise<void> {
  if (stats.isSymbolicLink()) {
    const to = await readlink(path).catch(() => undefined);
    throw refused(path, `is a symbolic link${to === undefined ? '' : ` to ${to}`}`, consequence);
  }
  if (!stats.isDirectory()) throw refused(path, 'is not a folder', consequence);
}

/** The path's own stats (a link's, not its target's), or undefined when nothing is there. */
export async function lstatOf(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Paths compared as the file system does: case-insensitively where it usually is (macOS, Windows). */
function samePath(a: string, b: string): boolean {
  return process.platform === 'linux' ? a === b : a.toLowerCase() === b.toLowerCase();
}

function refused(path: string, why: string, consequence: string): AamError {
  return new AamError('INSTALL_REFUSED', `${path} ${why}: AAM Trust does not write through it.`, {
    hint: `${consequence} Make ${path} a real folder (or remove it), then try again.`,
    actual: why,
  });
}
