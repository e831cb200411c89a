import type { SearchQuery } from './store/search.ts';

/** Anything that says whether its change notifications are heard, and calls back on every change. */
export interface ChangeSource {
  readonly usable: boolean;
  onChange(listener: () => void): void;
}

/**
 * What one instance keeps of the search answers it gave (issue #28): a
 * common word costs the database thousands of row reads, and people ask for
 * the same words again and again. Kept by the normalised query, its filter
 * and its page; any change to any package (a publish, a yank, a deletion,
 * new keywords, anything the database's triggers notify) drops every answer,
 * as any answer may list that package. A change this instance makes drops
 * them before its own answer is sent; one made elsewhere, when its
 * notification arrives. An answer read before a change and finished after it
 * is not kept (the generation moved), and while the notifications are not
 * heard nothing is kept or served. Bounded in answers and in bytes, least
 * recently used dropped first, so a flood of distinct queries only turns the
 * oldest answers over.
 */
export class SearchCache<Answer = unknown> {
  private readonly entries = new Map<string, { answer: Answer; bytes: number }>();
  private generation = 0;
  private size = 0;
  hits = 0;
  misses = 0;

  private readonly changes: ChangeSource;
  readonly maxEntries: number;
  readonly maxBytes: number;

  constructor(changes: ChangeSource, maxEntries = 2_000, maxBytes = 16 * 1024 * 1024) {
    this.changes = changes;
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    changes.onChange(() => this.clear());
  }

  /** How many answers and bytes (their JSON) are kept now. */
  get stats(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.size };
  }

  /** The key of a query: what its answer depends on, as search reads it (trimmed, lowercased). */
  static key(query: SearchQuery): string {
    return JSON.stringify([(query.q ?? '').trim().toLowerCase(), query.type ?? '', query.page, query.limit]);
  }

  get(key: string): Answer | undefined {
    if (!this.changes.usable) return undefined;
    const entry = this.entries.get(key);
    if (!entry) {
      this.misses++;
      return undefined;
    }
    // Most recently used last: the first is the one dropped when full.
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.hits++;
    return entry.answer;
  }

  /** Where the cache stands before an answer is read: it is kept only if nothing changed meanwhile. */
  stamp(): number {
    return this.generation;
  }

  put(key: string, stamp: number, answer: Answer): void {
    if (!this.changes.usable || stamp !== this.generation) return;
    const bytes = JSON.stringify(answer).length;
    if (bytes > this.maxBytes / 16) return;
    this.drop(key);
    this.entries.set(key, { answer, bytes });
    this.size += bytes;
    while (this.entries.size > this.maxEntries || this.size > this.maxBytes)
      this.drop(this.entries.keys().next().value!);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.size = 0;
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.size -= entry.bytes;
  }
}
