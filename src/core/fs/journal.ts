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

/** Rolls a leftover journal forward; returns whether there was one. */
export async function recoverJournal(journalPath: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(journalPath, 'utf8');
  } catch {
    return false;
  }
  let journal: Journal | undefined;
  try {
    journal = JSON.parse(text) as Journal;
  } catch {
    journal = undefined; // written atomically, so unreadable means not ours; drop it
  }
  if (journal && Array.isArray(journal.writes) && Array.isArray(journal.removes)) await apply(journal);
  await rm(journalPath, { force: true });
  return true;
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
