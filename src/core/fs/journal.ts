import { readFile, rename, rm } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write.ts';
import { exists } from './exists.ts';

/** File and folder changes that must all happen, or be completed after a crash. */
export interface Journal {
  /** Folders moved into place; whatever was at `to` is removed first. */
  renames?: { from: string; to: string }[];
  writes: { path: string; content: string }[];
  removes: string[];
}

/**
 * Commits several files as one step: the journal is written atomically, then
 * applied, then removed. If the process dies in between, `recoverJournal`
 * (run before the next read or write) finishes the job, so readers never see
 * one file updated and its partner not.
 */
export async function commitJournal(journalPath: string, journal: Journal): Promise<void> {
  await writeFileAtomic(journalPath, JSON.stringify(journal));
  await apply(journal);
  await rm(journalPath, { force: true });
}

/**
 * Rolls a leftover journal forward; returns whether there was one. A journal
 * lies where others can put one (a repository commits `.aam/`, a shared folder
 * is a registry), and replaying it writes, moves and deletes the paths it
 * names: so `check` must throw unless every path is one the caller's own
 * commit writes. A journal that is not well-formed is dropped unapplied.
 */
export async function recoverJournal(journalPath: string, check: (journal: Journal) => void): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(journalPath, 'utf8');
  } catch {
    return false;
  }
  let journal: unknown;
  try {
    journal = JSON.parse(text);
  } catch {
    journal = undefined; // written atomically, so unreadable means not ours; drop it
  }
  if (wellFormed(journal)) {
    check(journal);
    await apply(journal);
  }
  await rm(journalPath, { force: true });
  return true;
}

function wellFormed(value: unknown): value is Journal {
  if (typeof value !== 'object' || value === null) return false;
  const { renames, writes, removes } = value as Record<string, unknown>;
  const text = (v: unknown) => typeof v === 'string' && v.length > 0;
  const entries = (v: unknown, ok: (e: Record<string, unknown>) => boolean) =>
    Array.isArray(v) && v.every((e) => typeof e === 'object' && e !== null && ok(e as Record<string, unknown>));
  return (
    (renames === undefined || entries(renames, (e) => text(e.from) && text(e.to))) &&
    entries(writes, (e) => text(e.path) && typeof e.content === 'string') &&
    Array.isArray(removes) &&
    removes.every(text)
  );
}

async function apply(journal: Journal): Promise<void> {
  // Each step is idempotent, so replaying a half-applied journal is safe.
  for (const { from, to } of journal.renames ?? []) {
    if (!(await exists(from))) continue;
    await rm(to, { recursive: true, force: true });
    await rename(from, to);
  }
  for (const { path, content } of journal.writes) await writeFileAtomic(path, content);
  for (const path of journal.removes) await rm(path, { recursive: true, force: true });
}
