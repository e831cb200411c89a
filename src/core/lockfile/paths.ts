import { join } from 'node:path';

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
