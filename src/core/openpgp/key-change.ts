/** What importing a copy of a key did to the one in the AAM keyring. */
export interface KeyChange {
  /** `new`: there was none; `unchanged`: it had all the copy holds; `updated`: the copy added to it. */
  status: 'new' | 'unchanged' | 'updated';
  /** What the copy added, in words ("user ID …", "the revocation of the key", "2 self-signatures"). */
  added: string[];
  /** Revocations the stored key has and the copy lacks, in words: kept, as everything stored is. */
  kept: string[];
}

/**
 * The words for a key change, for the CLI and the extension alike: what
 * happened to the stored key, and — said plainly, as a warning — when the
 * copy lacked a revocation the keyring has (a stale or withholding
 * keyserver): it was kept.
 */
export function describeKeyChange(change: KeyChange): { summary: string; warning: string | undefined } {
  const summary =
    change.status === 'new'
      ? 'Added to the AAM keyring'
      : change.status === 'unchanged'
        ? 'Already in the AAM keyring, unchanged'
        : `Merged into the copy in the AAM keyring, which gained ${inWords(change.added)}`;
  const keyRevoked = change.kept.includes('the revocation of the key');
  const warning =
    change.kept.length > 0
      ? `This copy lacks ${inWords(change.kept)}, which your AAM keyring has: kept${keyRevoked ? ', and the key stays revoked' : ''}.`
      : undefined;
  return { summary, warning };
}

function inWords(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
