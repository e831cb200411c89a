import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { sha256FileHex } from '../archive/hash.ts';

/** How an installed package folder differs from the file checksums it was installed with. */
export interface FileDifferences {
  modified: string[];
  missing: string[];
  added: string[];
  /** For the first modified file: the expected and actual SHA-256. */
  example: { path: string; expected: string; actual: string } | undefined;
}

export function isClean(diff: FileDifferences): boolean {
  return diff.modified.length === 0 && diff.missing.length === 0 && diff.added.length === 0;
}

/** Compares every file under `dir` with `expected` (relative path → SHA-256 hex). */
export async function compareInstalledFiles(dir: string, expected: Record<string, string>, hashFile: (path: string) => Promise<string> = sha256FileHex): Promise<FileDifferences> {
  const present = await listEntries(dir);
  const diff: FileDifferences = { modified: [], missing: [], added: [], example: undefined };
  const seen = new Set<string>();
  for (const { path, regular } of present) {
    seen.add(path);
    const want = expected[path];
    if (want === undefined) {
      diff.added.push(path);
      continue;
    }
    // A link, FIFO or device is never what was installed, and reading one could hang.
    const actual = regular ? await hashFile(join(dir, path)) : 'not a regular file';
    if (actual !== want) {
      diff.modified.push(path);
      diff.example ??= { path, expected: want, actual };
    }
  }
  for (const path of Object.keys(expected)) if (!seen.has(path)) diff.missing.push(path);
  return diff;
}

/** Every entry below `dir` that is not a folder; `regular` is false for links, FIFOs and devices. */
export async function listEntries(dir: string): Promise<{ path: string; regular: boolean }[]> {
  const out: { path: string; regular: boolean }[] = [];
  const walk = async (current: string) => {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out.push({ path: relative(dir, full).split(sep).join('/'), regular: entry.isFile() });
    }
  };
  await walk(dir);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function describeDifferences(diff: FileDifferences): string {
  const parts: string[] = [];
  const list = (files: string[]) => `${files.slice(0, 3).join(', ')}${files.length > 3 ? ` and ${files.length - 3} more` : ''}`;
  if (diff.modified.length > 0) parts.push(`modified: ${list(diff.modified)}`);
  if (diff.missing.length > 0) parts.push(`missing: ${list(diff.missing)}`);
  if (diff.added.length > 0) parts.push(`added: ${list(diff.added)}`);
  return parts.join('; ');
}
