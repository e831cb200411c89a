import { AamError } from '../../errors.ts';
import type { LockFile } from '../../lockfile/lockfile.ts';
import { toFsName } from '../../model/names.ts';

/**
 * Refuses an install that would put a package into another package's
 * folder. aam stores `@scope/name` as `scope--name` (SPEC §1), and names may
 * hold `--` themselves, so `@acme/tool` and `acme--tool` are one folder,
 * `.aam/packages/acme--tool/`: installing one would overwrite the other's
 * files without a word, and verification would then blame the one
 * overwritten. Checked before any archive is fetched, against the lock file's
 * other packages and among the packages of this install.
 */
export function refuseSharedFolders(names: readonly string[], lock: Pick<LockFile, 'packages'>): void {
  const installed = new Set(Object.keys(lock.packages));
  const byFolder = new Map<string, Set<string>>();
  for (const name of [...installed, ...names]) {
    const folder = folderOf(name);
    if (folder !== undefined) byFolder.set(folder, (byFolder.get(folder) ?? new Set()).add(name));
  }
  for (const name of names) {
    const folder = folderOf(name);
    const other = folder === undefined ? undefined : [...byFolder.get(folder)!].find((n) => n !== name);
    if (other !== undefined) throw sharedFolder(name, other, folder!, installed.has(other));
  }
}

function sharedFolder(name: string, other: string, folder: string, installed: boolean): AamError {
  const where = `.aam/packages/${folder}/`;
  const why = "aam stores @scope/name as scope--name, so one package's files would overwrite the other's";
  const same = `${name} and ${other} are different packages, perhaps from different publishers: check which one you meant.`;
  return installed
    ? new AamError(
        'INSTALL_REFUSED',
        `${name} would be installed in ${where}, the folder of ${other}, which is installed: ${why}.`,
        {
          hint: `Nothing was installed. ${same} To use ${name} instead, uninstall ${other} first (aam uninstall ${other}), then install again.`,
          expected: `${where} holding ${other}`,
          actual: `${name} installed there too`,
        },
      )
    : new AamError('INSTALL_REFUSED', `${name} and ${other} would both be installed in ${where}: ${why}.`, {
        hint: `Nothing was installed. ${same} Install only that one (and see which package asks for the other).`,
        expected: `one package in ${where}`,
        actual: `${name} and ${other}`,
      });
}

/** The folder a name is installed in; none for a name that cannot be one (never installed). */
function folderOf(name: string): string | undefined {
  try {
    return toFsName(name);
  } catch {
    return undefined;
  }
}
