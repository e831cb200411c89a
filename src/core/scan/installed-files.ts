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

export function describeDifferences(diff: FileDifferences): string {
  const parts: string[] = [];
  const list = (files: string[]) =>
    `${files.slice(0, 3).join(', ')}${files.length > 3 ? ` and ${files.length - 3} more` : ''}`;
  if (diff.modified.length > 0) parts.push(`modified: ${list(diff.modified)}`);
  if (diff.missing.length > 0) parts.push(`missing: ${list(diff.missing)}`);
  if (diff.added.length > 0) parts.push(`added: ${list(diff.added)}`);
  return parts.join('; ');
}
