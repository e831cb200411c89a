import { lstatSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { AamError } from '../../errors.ts';
import type { Journal } from '../../fs/journal.ts';
import type { WorkspacePaths } from '../../lockfile/lockfile.ts';
import { recordPathOf } from '../../record/trust-record.ts';

/** A staging folder of one install (`commitInstall`), beside the packages. */
const STAGING = /^\.staging-[0-9a-f]{12}$/;
/** A package's folder name (`toFsName`): never a path, never `.` or `..`. */
const FOLDER = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * The check an install journal must pass before it is rolled forward: every
 * step is one `commitInstall` writes — a package moved from a staging folder
 * to its own folder under `.aam/packages/`, the lock file and trust record
 * written, a staging folder removed — in this workspace's `.aam`, which is a
 * real folder (not a link to one) unless it is the home's own `~/.aam`. Anything else is not this tool's journal:
 * a repository can commit `.aam/.install-journal.json`, and replaying it would
 * write or delete wherever it says before anything is verified.
 */
export function installJournalCheck(
  workspace: WorkspacePaths,
  journalPath: string,
  home: string,
): (journal: Journal) => void {
  const written = new Set([workspace.lockFile, recordPathOf(workspace.aamDir)]);
  const staging = (path: string) => {
    const rel = relative(workspace.aamDir, path);
    return STAGING.test(rel) && path === join(workspace.aamDir, rel);
  };
  const moved = (from: string, to: string) => {
    const [folder, name, ...rest] = relative(workspace.aamDir, from).split(sep);
    return (
      rest.length === 0 &&
      STAGING.test(folder ?? '') &&
      FOLDER.test(name ?? '') &&
      from === join(workspace.aamDir, folder!, name!) &&
      to === join(workspace.packagesDir, name!)
    );
  };
  return (journal) => {
    const foreign = [
      ...(journal.renames ?? []).filter(({ from, to }) => !moved(from, to)).map((r) => `rename ${r.from} to ${r.to}`),
      ...journal.writes.filter(({ path }) => !written.has(path)).map(({ path }) => `write ${path}`),
      ...journal.removes.filter((path) => !staging(path)).map((path) => `remove ${path}`),
      ...linkedFolders(workspace, home),
      ...(journal.renames ?? []).flatMap(({ from }) => linkedStaging(from)),
    ];
    if (foreign.length > 0)
      throw new AamError(
        'INSTALL_REFUSED',
        `${journalPath} is not a journal of an install: it would ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? `, and ${foreign.length - 3} more` : ''}. It was not replayed, and nothing was installed.`,
        {
          hint: `An install of yours writes only the lock file, the trust record and folders under ${workspace.packagesDir}. If you did not put this file there (a repository can commit it), delete it and run the install again.`,
        },
      );
  };
}

/** A project's `.aam` and `.aam/packages` must be real folders for a journal to be replayed into them (the home's `~/.aam` is the user's own). */
function linkedFolders(workspace: WorkspacePaths, home: string): string[] {
  return (workspace.root === home ? [workspace.packagesDir] : [workspace.aamDir, workspace.packagesDir])
    .filter((path) => lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink())
    .map((path) => `write through ${path}, a symbolic link`);
}

/**
 * A staging folder, and what is moved out of it, must be what an install made: a real folder and no link.
 * A repository can commit `.aam/.staging-…` as a link to `~/.ssh`; a move "from" it would take the user's
 * files out of their folder, and a second move to the same place would delete them.
 */
function linkedStaging(from: string): string[] {
  const folder = lstatSync(dirname(from), { throwIfNoEntry: false });
  if (folder && !folder.isDirectory()) return [`move from ${dirname(from)}, which is not a folder (a symbolic link?)`];
  return lstatSync(from, { throwIfNoEntry: false })?.isSymbolicLink() ? [`move ${from}, a symbolic link`] : [];
}
