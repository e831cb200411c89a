import { join, normalize, sep } from 'node:path';
import { toFsName } from '../model/names.ts';

/** Paths of an AAM workspace: a project folder, or the home folder for global installs. */
export interface WorkspacePaths {
  root: string;
  aamDir: string;
  lockFile: string;
  packagesDir: string;
}

export function workspacePaths(root: string): WorkspacePaths {
  const aamDir = join(root, '.aam');
  return { root, aamDir, lockFile: join(aamDir, 'aam-lock.yaml'), packagesDir: join(aamDir, 'packages') };
}

/** Where an installed package's files are (`.aam/packages/<fs-name>`). */
export function installedDirOf(workspace: WorkspacePaths, name: string): string {
  let fsName: string;
  try {
    fsName = toFsName(name);
  } catch {
    // A name that cannot be a folder is never installed: the check finds nothing there.
    fsName = '\u0000invalid';
  }
  return childPath(workspace.packagesDir, fsName);
}

/**
 * `join(dir, name)` for a name of one plain segment (letters, digits, `-`,
 * `_`, a dot not first) in a folder already in normal form: the same string,
 * without normalising the whole path again — `verify NAME` forms two such
 * paths for every installed package, and `join` was a tenth of its run.
 */
export function childPath(dir: string, name: string): string {
  return PLAIN_SEGMENT.test(name) && isNormal(dir) ? `${dir}${sep}${name}` : join(dir, name);
}

const PLAIN_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const normalDirs = new Map<string, boolean>();

/** A folder `join` leaves as it is (and does not end with a separator, as only a root does). */
function isNormal(dir: string): boolean {
  let normal = normalDirs.get(dir);
  if (normal === undefined) {
    // A plain child of a folder known to be normal is normal (an installed package's folder).
    const cut = dir.lastIndexOf(sep);
    if (cut > 0 && normalDirs.get(dir.slice(0, cut)) === true && PLAIN_SEGMENT.test(dir.slice(cut + 1))) return true;
    normal = dir !== '' && dir !== '.' && !dir.endsWith(sep) && !dir.endsWith('/') && normalize(dir) === dir;
    if (normalDirs.size < 64) normalDirs.set(dir, normal);
  }
  return normal;
}
