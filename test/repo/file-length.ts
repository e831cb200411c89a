import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** How long a file in src/ may be before its opening comment must say why it is not split. */
export const LINE_LIMIT = 300;

/** The marker, at the start of a line of a file's first comment block, followed by the reason. */
export const MARKER = 'Over 300 lines:';

/** A file over the limit: where, how long, and whether its first comment block justifies it. */
export interface LongFile {
  path: string;
  lines: number;
  justified: boolean;
}

/** Every file under `root`/src longer than LINE_LIMIT lines, as a path from `root`, sorted. */
export async function longFiles(root: string): Promise<LongFile[]> {
  const entries = await readdir(join(root, 'src'), { withFileTypes: true, recursive: true });
  const found: LongFile[] = [];
  for (const entry of entries.filter((e) => e.isFile())) {
    const file = join(entry.parentPath, entry.name);
    const text = await readFile(file, 'utf8');
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (lines > LINE_LIMIT) found.push({ path: relative(root, file), lines, justified: justified(text) });
  }
  return found.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Whether the first block comment of the file (the opening comment, before or
 * after the imports) has a line that starts with MARKER and gives a reason.
 */
export function justified(text: string): boolean {
  const block = /\/\*[\s\S]*?\*\//.exec(text)?.[0];
  if (!block) return false;
  return block
    .split('\n')
    .map((line) => line.replace(/^\s*(\/\*\*?|\*)?\s*/, '').replace(/\*\/\s*$/, ''))
    .some((line) => line.startsWith(MARKER) && line.slice(MARKER.length).trim().length > 0);
}
