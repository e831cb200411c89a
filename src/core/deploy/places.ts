import { dirname } from 'node:path';
import { AamError, messageOf } from '../errors.ts';
import { assertRealFolders, lstatOf, NOTHING_INSTALLED } from '../fs/real-folders.ts';
import { readRegularFile } from '../fs/safe-read.ts';
import type { DeployTarget } from './platforms.ts';
import { readText } from './transform.ts';

/**
 * Refuses, before anything is written, every deployed copy `writeDeployed`
 * could not write: a symbolic link or a file on the way to it (from the
 * project, or the home for `~/.codex`), and a place that holds the wrong
 * thing. A section's shared file (CLAUDE.md, AGENTS.md) must be absent or a
 * regular file within the read limit, in UTF-8; a file's place absent or a
 * regular file; a skill's place absent or a real folder. Found only while
 * deploying, after the lock file and trust record were committed, each would
 * leave a "refused" install half done.
 */
export async function checkDeployPlaces(targets: readonly DeployTarget[]): Promise<void> {
  const seen = new Set<string>();
  for (const target of targets) {
    if (seen.has(target.path)) continue;
    seen.add(target.path);
    await assertRealFolders(target.checkedFrom, dirname(target.path));
    const stats = await lstatOf(target.path);
    if (!stats) continue;
    if (stats.isSymbolicLink()) throw refused(target.path, 'is a symbolic link');
    if (target.kind === 'tree') {
      if (!stats.isDirectory()) throw refused(target.path, 'is not a folder (a skill is deployed as one)');
      continue;
    }
    if (!stats.isFile()) throw refused(target.path, 'is not a regular file');
    if (target.kind === 'section') await readSharedFile(target.path);
  }
}

/** The shared file as `writeDeployed` reads it before upserting its section: refused here, not halfway through. */
async function readSharedFile(path: string): Promise<void> {
  try {
    const bytes = await readRegularFile(path, 'deployed');
    if (bytes) readText(bytes, path);
  } catch (error) {
    throw refused(path, `cannot be read as text: ${messageOf(error)}`);
  }
}

function refused(path: string, why: string): AamError {
  return new AamError('INSTALL_REFUSED', `${path} ${why}: a deployed copy cannot be written there.`, {
    hint: `${NOTHING_INSTALLED} Move it out of the way (or make it what AAM Trust deploys there), then install again.`,
    actual: why,
  });
}
