import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { readRegularFile } from '../fs/safe-read.ts';
import type { DeployTarget, Platform } from './platforms.ts';
import { readText, upsertSection } from './transform.ts';

/** One file an agent loads, as it is now and as writing `targets` would leave it (undefined: no file). */
export interface DeployedFileChange {
  platform: Platform;
  /** The artifact that puts it there ("skill code-review"). */
  artifact: string;
  path: string;
  before: Uint8Array | undefined;
  after: Uint8Array | undefined;
  change: 'added' | 'removed' | 'modified';
}

/**
 * What writing these deployed copies would change on disk, file by file —
 * the same files `writeDeployed` writes (a skill folder replaced whole, so a
 * file the new version does not have is removed; sections upserted into the
 * shared file as they stand now). Reads only; unchanged files are left out.
 */
export async function deployChanges(targets: readonly DeployTarget[]): Promise<DeployedFileChange[]> {
  const out: DeployedFileChange[] = [];
  const shared = new Map<string, { target: DeployTarget; before: Uint8Array | undefined; text: string | undefined }>();
  const push = (target: DeployTarget, path: string, before: Uint8Array | undefined, after: Uint8Array | undefined) => {
    if (before && after && Buffer.compare(Buffer.from(before), Buffer.from(after)) === 0) return;
    if (!before && !after) return;
    const change = !before ? 'added' : !after ? 'removed' : 'modified';
    out.push({ platform: target.platform, artifact: `${target.type} ${target.name}`, path, before, after, change });
  };
  for (const target of targets) {
    switch (target.kind) {
      case 'file':
        push(target, target.path, await read(target.path), target.file.data);
        break;
      case 'tree': {
        const existing = await filesUnder(target.path);
        for (const [rel, file] of target.files) push(target, join(target.path, rel), existing.get(rel), file.data);
        for (const [rel, bytes] of existing)
          if (!target.files.has(rel)) push(target, join(target.path, rel), bytes, undefined);
        break;
      }
      case 'section': {
        // Several artifacts may write sections into one shared file: they apply in order, as writeDeployed does.
        let entry = shared.get(target.path);
        if (!entry) {
          const before = await read(target.path);
          entry = { target, before, text: before === undefined ? undefined : readText(before, target.path) };
          shared.set(target.path, entry);
        }
        entry.text = upsertSection(entry.text, target.name, target.section, target.content, target.path);
        break;
      }
    }
  }
  for (const [path, { target, before, text }] of shared) push(target, path, before, Buffer.from(text ?? '', 'utf8'));
  return out.sort((a, b) => a.platform.localeCompare(b.platform) || a.path.localeCompare(b.path));
}

async function read(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readRegularFile(path, 'deployed');
  } catch {
    return undefined;
  }
}

/** The regular files of a folder, by path relative to it (empty when there is no folder). */
async function filesUnder(dir: string): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  let entries: string[];
  try {
    entries = (await readdir(dir, { recursive: true })) as string[];
  } catch {
    return out;
  }
  for (const entry of entries) {
    const bytes = await read(join(dir, entry));
    if (bytes) out.set(relative(dir, join(dir, entry)).split('\\').join('/'), bytes);
  }
  return out;
}
