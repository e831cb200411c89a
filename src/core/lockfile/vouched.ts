import { readdir } from 'node:fs/promises';
import { isValidPackageName, toFsName } from '../model/names.ts';

/*
 * What a lock file vouches for, before anything is verified. Its names,
 * versions and sources are printed in CI logs, where a line break in one
 * starts a line the runner reads as a command (`::add-mask::…`): an entry aam
 * could not have written is reported as such, its name quoted, and never
 * verified. aam writes names of SPEC §1's grammar for what it installs from a
 * registry (from a manifest, which it validates), versions that parse as
 * versions and registry names as sources; none holds a control character. An
 * artifact installed from a git source keeps its own name (source "source",
 * no archive): nothing can verify it, and one outside the grammar fails here.
 */

/** What no version or source aam writes holds: C0 and C1 controls, DEL, line and paragraph separators, bidi controls. */
// oxlint-disable-next-line no-control-regex -- these controls are what is refused
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** What JSON.stringify leaves as it is but a terminal or a log acts on. */
const UNQUOTED = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * A package as a line of text names it: `name@version`; the name alone when no version is known (a folder not in
 * the lock file); quoted, alone, when it is not a package name (a lock entry aam could not have written).
 */
export function packageLabel(entry: { name: string; version: string }): string {
  if (!isValidPackageName(entry.name)) return quoted(entry.name);
  return entry.version ? `${entry.name}@${entry.version}` : entry.name;
}

/** Why an entry cannot be verified, as an integrity check says it. */
export interface EntryProblem {
  detail: string;
  expected: string;
  actual: string;
}

/** A datum in double quotes, on one line, every control character escaped as JSON escapes it. */
export function quoted(text: string): string {
  return JSON.stringify(text).replace(UNQUOTED, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Why a lock entry is not one aam writes (its name, version or source), or undefined. */
export function lockEntryProblem(
  name: string,
  entry: { version: string; source: string } | undefined,
): EntryProblem | undefined {
  if (!isValidPackageName(name))
    return {
      detail: `The lock file has an entry ${quoted(name)}, which is not a package name, so nothing was verified for it.`,
      expected: 'a package name: "name" or "@scope/name" (lowercase letters, digits, hyphens)',
      actual: quoted(name),
    };
  for (const field of ['version', 'source'] as const) {
    const value = entry?.[field];
    if (value !== undefined && CONTROL.test(value))
      return {
        detail: `The lock file's entry ${quoted(name)} has the ${field} ${quoted(value)}, which holds control characters or line breaks, so nothing was verified for it.`,
        expected: `a ${field} without control characters or line breaks`,
        actual: quoted(value),
      };
  }
  return undefined;
}

/**
 * The folder of `.aam/packages` a lock entry's package is in: `toFsName`, or,
 * for a name outside the grammar, the name itself (aam installs an artifact
 * of a git source under its own name, and an entry that is reported invalid
 * is not to be reported again as an unlocked folder).
 */
function folderOfEntry(name: string): string {
  try {
    return toFsName(name);
  } catch {
    return name;
  }
}

/**
 * The folders (or links) in `.aam/packages` that no lock entry names, by
 * name, sorted: one readdir. Files and dot-entries are not packages (aam
 * downloads into `.downloads` there, and removes it); a missing folder holds none.
 */
export async function unlockedFolders(packagesDir: string, names: readonly string[]): Promise<string[]> {
  const entries = await readdir(packagesDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [];
    throw error;
  });
  if (entries.length === 0) return [];
  const locked = new Set(names.map(folderOfEntry));
  return entries
    .filter((e) => (e.isDirectory() || e.isSymbolicLink()) && !e.name.startsWith('.') && !locked.has(e.name))
    .map((e) => e.name)
    .sort();
}
