import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { assertRealFolders, assertResolvesInside, makeRealFolders } from '../fs/real-folders.ts';
import { readRegularFile } from '../fs/safe-read.ts';
import type { DeployTarget } from './platforms.ts';
import { readText, upsertSection } from './transform.ts';

/**
 * Writes deployed copies as `aam install` does (same files, same bytes, same
 * modes; sections upserted into shared files), each one atomically: a reader
 * sees the old copy or the new one. A skill folder is built beside its place
 * and swapped in, so no file of the old copy survives in the new one.
 *
 * No write goes through a symbolic link on the way (`.cursor/prompts -> ~/.ssh`
 * committed to a repository): each folder from the project (or from the
 * user's own `~/.codex`) down is checked, again just before the copy is renamed into
 * place, and a link refuses the write with INSTALL_REFUSED.
 */
export async function writeDeployed(targets: readonly DeployTarget[]): Promise<void> {
  for (const target of targets) {
    const within = { root: target.checkedFrom, consequence: NOT_WRITTEN };
    // The user's own platform folder (~/.codex) is made as aam makes it, following a link they keep there.
    if (within.root === target.root) await mkdir(within.root, { recursive: true });
    switch (target.kind) {
      case 'file':
        await writeFileAtomic(target.path, target.file.data, target.file.executable ? 0o755 : 0o644, { within });
        break;
      case 'tree':
        await replaceFolder(target.path, target.files, within.root);
        break;
      case 'section': {
        // The shared file is the user's too: only a regular file is read, and text outside the markers is kept.
        await assertRealFolders(within.root, dirname(target.path), NOT_WRITTEN);
        const existing = await readRegularFile(target.path, 'deployed');
        const text = existing === undefined ? undefined : readText(existing, target.path);
        // Markers not as aam writes them (a stray END, a second section) refuse the write: see upsertSection.
        const next = upsertSection(text, target.name, target.section, target.content, target.path);
        await writeFileAtomic(target.path, next, 0o644, { within });
        break;
      }
    }
  }
}

const NOT_WRITTEN = 'This copy was not written.';

async function replaceFolder(
  path: string,
  files: ReadonlyMap<string, { data: Uint8Array; executable: boolean }>,
  root: string,
): Promise<void> {
  const parent = dirname(path);
  const token = randomBytes(4).toString('hex');
  const staging = join(parent, `.${basename(path)}.aam-${token}`);
  const old = join(parent, `.${basename(path)}.aam-old-${token}`);
  await makeRealFolders(root, parent, NOT_WRITTEN);
  await mkdir(staging);
  try {
    for (const [rel, file] of files) {
      await mkdir(dirname(join(staging, rel)), { recursive: true });
      await writeFile(join(staging, rel), file.data, { mode: file.executable ? 0o755 : 0o644 });
    }
    // Time passed while the files were written: the folders on the way are checked again before anything moves.
    await assertRealFolders(root, parent, NOT_WRITTEN);
    await assertResolvesInside(root, parent, NOT_WRITTEN);
    const hadOld = await rename(path, old).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    );
    await rename(staging, path);
    if (hadOld) await rm(old, { recursive: true, force: true });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
