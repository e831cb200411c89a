import { join } from 'node:path';
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
  return join(workspace.packagesDir, fsName);
}
