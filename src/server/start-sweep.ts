import { readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { processState } from '../core/fs/process-state.ts';

/** A temporary file whose writer cannot be checked (its pid now names another process) is removed after this long. */
const ABANDONED_MS = 60 * 60_000;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Removes, at start-up, the temporary files that a start or a lock update
 * killed midway left in the registry's data folder: `registry-key.pem.<pid>.<hex>.tmp`
 * (keys.ts) and `serving.json.<pid>.<hex>.tmp` (serve-lock.ts). Only files of
 * exactly that form, only in `dataDir` (not its subfolders), and only when
 * their writer is gone (or a zombie), or the file is an hour old: an instance
 * starting beside this one may be writing its own right now. How many it removed.
 */
export async function sweepStartFiles(dataDir: string, keyFile: string): Promise<number> {
  const bases = ['serving.json'];
  if (resolve(dirname(keyFile)) === resolve(dataDir)) bases.push(basename(keyFile));
  const form = new RegExp(`^(?:${bases.map(escape).join('|')})\\.(\\d+)\\.[0-9a-f]{8}\\.tmp$`);
  let removed = 0;
  for (const name of await readdir(dataDir).catch(() => [] as string[])) {
    const pid = form.exec(name)?.[1];
    if (pid === undefined) continue;
    const path = join(dataDir, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) continue;
    const gone =
      Number(pid) !== process.pid &&
      (processState(Number(pid)) !== 'alive' || Date.now() - info.mtimeMs > ABANDONED_MS);
    if (gone) {
      await rm(path, { force: true });
      removed++;
    }
  }
  return removed;
}
