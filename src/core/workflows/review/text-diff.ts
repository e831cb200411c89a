import { createTwoFilesPatch, structuredPatch } from 'diff';
import { createHash } from 'node:crypto';
import { textOf } from '../../content/scan.ts';

/** A file's two sides as text, or a line saying why they cannot be shown as text (binary content). */
export interface FileSides {
  path: string;
  before: Uint8Array | undefined;
  after: Uint8Array | undefined;
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

/**
 * A unified diff of one file (jsdiff's, as `git diff` writes it, three lines
 * of context), labelled `a/…` and `b/…`; a binary file is one line with both
 * digests.
 */
export function unifiedDiff(file: FileSides, label = file.path): string {
  const before = file.before === undefined ? '' : textOf(file.before);
  const after = file.after === undefined ? '' : textOf(file.after);
  if (before === undefined || after === undefined)
    return `Binary file ${label} differs (${file.before ? sha(file.before) : 'none'} → ${file.after ? sha(file.after) : 'none'})\n`;
  return createTwoFilesPatch(
    file.before === undefined ? '/dev/null' : `a/${label}`,
    file.after === undefined ? '/dev/null' : `b/${label}`,
    before,
    after,
    undefined,
    undefined,
    { context: 3 },
  )
    .split('\n')
    .slice(1) // jsdiff's "Index:"/separator header; the ---/+++ lines follow
    .filter((line) => !/^={10,}$/.test(line))
    .join('\n');
}

/** The lines a change adds and removes: 1-based numbers of the new file's first added line, and counts. */
export function lineChanges(file: FileSides): { added: number; removed: number; firstLine: number } {
  const before = file.before === undefined ? '' : (textOf(file.before) ?? '');
  const after = file.after === undefined ? '' : (textOf(file.after) ?? '');
  const patch = structuredPatch('a', 'b', before, after, undefined, undefined, { context: 0 });
  let added = 0;
  let removed = 0;
  let firstLine = 0;
  for (const hunk of patch.hunks) {
    for (const line of hunk.lines) {
      if (line.startsWith('+')) added++;
      else if (line.startsWith('-')) removed++;
    }
    if (!firstLine) firstLine = Math.max(1, hunk.newStart);
  }
  return { added, removed, firstLine: firstLine || 1 };
}
