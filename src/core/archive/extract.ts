import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readArchive } from './read.ts';
import type { ArchiveContents } from './read.ts';

/**
 * Extracts a validated archive into `destination`, which must not exist yet.
 * Validation happens before the first write; a failure while writing removes
 * the destination again, so nothing half-extracted remains.
 */
export async function extractArchive(bytes: Uint8Array, destination: string): Promise<ArchiveContents> {
  const contents = await readArchive(bytes);
  await mkdir(dirname(destination), { recursive: true });
  await mkdir(destination);
  try {
    for (const dir of contents.directories) await mkdir(join(destination, dir), { recursive: true });
    for (const file of contents.files) {
      const target = join(destination, file.path);
      await mkdir(dirname(target), { recursive: true });
      // 'wx' never follows or replaces anything that is already there.
      await writeFile(target, file.data, { flag: 'wx', mode: file.executable ? 0o755 : 0o644 });
    }
  } catch (error) {
    await rm(destination, { recursive: true, force: true });
    throw error;
  }
  return contents;
}

/** The `file_checksums.files` map of an archive: relative path → SHA-256 hex. */
export function fileChecksumsOf(contents: ArchiveContents): Record<string, string> {
  return Object.fromEntries(contents.files.map((f) => [f.path, f.sha256]));
}
