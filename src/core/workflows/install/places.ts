import { checkDeployPlaces } from '../../deploy/places.ts';
import { assertRealFolders } from '../../fs/real-folders.ts';
import type { WorkspacePaths } from '../../lockfile/lockfile.ts';
import type { Verified } from './fetch-verify.ts';

/**
 * Refuses an install, with nothing written, when anything it would write
 * cannot be written where it belongs: `.aam` or `.aam/packages` a symbolic
 * link (or not a folder), or a deployed copy's place (see
 * `checkDeployPlaces`). Run when the install is prepared and again just
 * before it commits, since a review may stand open in between.
 */
export async function refuseUnwritablePlaces(
  workspace: WorkspacePaths,
  verified: readonly Verified[],
  home: string,
): Promise<void> {
  if (verified.length === 0) return;
  // A global install's ~/.aam is the user's own (it may be a link into their dotfiles): only below it is checked.
  await assertRealFolders(workspace.root === home ? workspace.aamDir : workspace.root, workspace.packagesDir);
  for (const item of verified) await checkDeployPlaces(item.targets);
}
