import { randomBytes } from 'node:crypto';
import { open, rename, rm, mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { assertResolvesInside, makeRealFolders } from './real-folders.ts';

/**
 * Replaces `path` with `data` so that a reader (or a crash) only ever sees the
 * old file or the new one: write a sibling temp file, fsync it, rename it over
 * the target, then fsync the directory so the rename itself is durable.
 * `data` may come in pieces (an iterable of strings or bytes), so that a large file is
 * never one string in memory.
 *
 * `cache`: the file is only a cache (verification results, the ledger of passing
 * verifications), so the rename need not survive a power failure — the old file
 * then stands, whole — and the directory is not synced (one `fsync` fewer on a
 * `verify NAME` run's path). The file itself is still synced before the rename:
 * never a torn file under the name.
 *
 * `within`: the file goes where others decide what the folders are (a deployed
 * copy in a cloned project): every folder below `within` is made and checked
 * one by one (`makeRealFolders`), and the folder must still resolve where its
 * path says once the temporary file is written, or nothing is renamed.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array | Iterable<string | Uint8Array>,
  mode = 0o644,
  options: { cache?: boolean; within?: { root: string; consequence?: string } } = {},
): Promise<void> {
  const dir = dirname(path);
  const within = options.within;
  if (within) await makeRealFolders(within.root, dir, within.consequence);
  else await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (within) await assertResolvesInside(within.root, dir, within.consequence);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  if (!options.cache) await syncDirectory(dir);
}

/** Makes directory entries (renames, links) durable; a no-op where unsupported. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some platforms and file systems do not allow fsync on directories.
  } finally {
    await handle?.close();
  }
}
