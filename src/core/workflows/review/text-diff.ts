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
 * The most line edits a diff looks for. Finding a diff takes time that grows with the file's length times the
 * edits, so two wholly different files of 10,000 lines took 12 s each (and a CI diff job its whole time); past
 * this, a file's change is told by its line counts (about 0.3 s for such a pair).
 */
const MAX_EDITS = 2000;
const lineCount = (text: string) => (text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0));

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
  const [from, to] = [
    file.before === undefined ? '/dev/null' : `a/${label}`,
    file.after === undefined ? '/dev/null' : `b/${label}`,
  ];
  const patch = createTwoFilesPatch(from, to, before, after, undefined, undefined, {
    context: 3,
    maxEditLength: MAX_EDITS,
  });
  if (patch === undefined)
    return `--- ${from}\n+++ ${to}\n@@ more than ${MAX_EDITS} lines changed (${lineCount(before)} lines → ${lineCount(after)}): too many to show; compare the files themselves @@\n`;
  return patch
    .split('\n')
    .slice(1) // jsdiff's "Index:"/separator header; the ---/+++ lines follow
    .filter((line) => !/^={10,}$/.test(line))
    .join('\n');
}

/** The lines a change adds and removes: 1-based numbers of the new file's first added line, and counts. */
export function lineChanges(file: FileSides): { added: number; removed: number; firstLine: number } {
  const before = file.before === undefined ? '' : (textOf(file.before) ?? '');
  const after = file.after === undefined ? '' : (textOf(file.after) ?? '');
  const patch = structuredPatch('a', 'b', before, after, undefined, undefined, {
    context: 0,
    maxEditLength: MAX_EDITS,
  });
  // Too many to find one by one: every line of each side counted as changed.
  if (patch === undefined) return { added: lineCount(after), removed: lineCount(before), firstLine: 1 };
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
