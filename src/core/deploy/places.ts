import { dirname } from 'node:path';
import { AamError, messageOf } from '../errors.ts';
import { assertRealFolders, lstatOf, NOTHING_INSTALLED } from '../fs/real-folders.ts';
import { readRegularFile } from '../fs/safe-read.ts';
import type { DeployTarget } from './platforms.ts';
import { findSection, readText } from './transform.ts';

/**
 * Refuses, before anything is written, every deployed copy `writeDeployed`
 * could not write: a symbolic link or a file on the way to it (from the
 * project, or the home for `~/.codex`), and a place that holds the wrong
 * thing. A section's shared file (CLAUDE.md, AGENTS.md) must be absent or a
 * regular file within the read limit, in UTF-8, with each section's markers
 * as aam writes them or none (upsertSection refuses any other arrangement); a
 * file's place absent or a regular file; a skill's place absent or a real
 * folder. Found only while deploying, after the lock file and trust record were
 * committed, each would leave a "refused" install half done.
 */
export async function checkDeployPlaces(targets: readonly DeployTarget[]): Promise<void> {
  const shared = new Map<string, string | undefined>();
  for (const target of targets) {
    if (!shared.has(target.path)) shared.set(target.path, await checkPlace(target));
    const text = shared.get(target.path);
    if (target.kind !== 'section' || text === undefined) continue;
    const section = findSection(text, target.name, target.section);
    if (section.state === 'malformed') throw refused(target.path, section.problem);
  }
}

/** One place's checks; for a section's shared file, its text (undefined: no file yet). */
async function checkPlace(target: DeployTarget): Promise<string | undefined> {
  await assertRealFolders(target.checkedFrom, dirname(target.path));
  const stats = await lstatOf(target.path);
  if (!stats) return undefined;
  if (stats.isSymbolicLink()) throw refused(target.path, 'is a symbolic link');
  if (target.kind === 'tree') {
    if (!stats.isDirectory()) throw refused(target.path, 'is not a folder (a skill is deployed as one)');
    return undefined;
  }
  if (!stats.isFile()) throw refused(target.path, 'is not a regular file');
  return target.kind === 'section' ? readSharedFile(target.path) : undefined;
}

/** The shared file as `writeDeployed` reads it before upserting its section: refused here, not halfway through. */
async function readSharedFile(path: string): Promise<string | undefined> {
  try {
    const bytes = await readRegularFile(path, 'deployed');
    return bytes ? readText(bytes, path) : undefined;
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
