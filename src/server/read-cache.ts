import { createHash } from 'node:crypto';
import type { Database } from './db.ts';

/** The channel the database's triggers notify, with a package's name, when what it shows changes. */
export const CHANGE_CHANNEL = 'aam_package_changed';

export interface Entry {
  name: string;
  /** The pattern of the route that made the answer (its metrics label): what the fast path counts it under. */
  route: string;
  etag: string;
  /** The answer's bytes, encoded once: sending a kept string encoded it again on every hit. */
  body: Buffer;
}

/** The longest URL whose answer is kept: a package's name and version fit many times over. */
const MAX_KEPT_URL = 512;
/** Only a URL's one plain spelling: a query string the routes ignore, or a percent-encoded name, would be another key for the same answer. */
const keepable = (url: string) => url.length <= MAX_KEPT_URL && !url.includes('?') && !url.includes('%');
/** What one kept answer holds: its bytes, its URL (twice: the entries and its package's set) and about 300 bytes of maps and objects. */
const costOf = (url: string, size: number) => size + 4 * url.length + 300;

/**
 * What one instance keeps of the metadata it answered: each answer's exact
 * bytes and their ETag, by URL, until its package changes. A change is
 * known two ways: a write this instance makes drops the package at once
 * (before its own answer is sent), and every commit that changes a package,
 * from any instance or an operator's SQL, arrives as a notification from
 * the database's triggers. While notifications cannot be trusted (the
 * listening connection dropped), nothing is kept. Bounded in answers and in
 * bytes (each answer's, its URL's and what keeping one costs besides), least
 * recently used dropped first. The key is the raw URL: an answer to a URL
 * with a query string (which the cached routes ignore), a percent-encoded
 * one or a long one is not kept, so each answer has one key, and a client
 * cannot make keys of its own to fill the cache with.
 */
export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  private readonly byName = new Map<string, Set<string>>();
  /** Bumped when a package changes: an answer computed before is not kept. */
  private readonly generations = new Map<string, number>();
  private epoch = 0;
  private enabled = false;
  /** Told of every change (and every clearing): caches of answers that any package may change. */
  private readonly listeners: (() => void)[] = [];
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  /** What every kept answer costs (costOf). */
  private held = 0;
  hits = 0;
  misses = 0;

  constructor(maxEntries = 50_000, maxBytes = 64 * 1024 * 1024) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
  }

  /** How many answers and bytes are kept now. */
  get stats(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.held };
  }

  /** Whether anything may be kept now (the notifications are being heard). */
  get usable(): boolean {
    return this.enabled;
  }

  get(url: string): Entry | undefined {
    if (!this.enabled) return undefined;
    const entry = this.entries.get(url);
    if (entry) {
      // Most recently used last: the first is the one to drop when full.
      this.entries.delete(url);
      this.entries.set(url, entry);
      this.hits++;
    } else this.misses++;
    return entry;
  }

  /** `get` for the fast path in front of Fastify: a miss is not counted (Fastify, which then gets the request, counts it). */
  hit(url: string): Entry | undefined {
    const entry = this.enabled ? this.entries.get(url) : undefined;
    return entry && this.get(url);
  }

  /** Where a package's answers stand now: an answer is kept only if this has not moved while it was made. */
  stamp(name: string): string {
    return `${this.epoch}:${this.generations.get(name) ?? 0}`;
  }

  put(url: string, name: string, route: string, stamp: string, body: string): string {
    const etag = etagOf(body);
    const size = Buffer.byteLength(body);
    if (!this.enabled || stamp !== this.stamp(name) || size > this.maxBytes / 16 || !keepable(url)) return etag;
    this.drop(url);
    // Memory of its own, of its exact size: Buffer.from would slice a small answer out of a shared 8 KB
    // pool, and a kept slice keeps the whole pool chunk.
    const bytes = Buffer.allocUnsafeSlow(size);
    bytes.write(body);
    this.entries.set(url, { name, route, etag, body: bytes });
    this.held += costOf(url, size);
    let urls = this.byName.get(name);
    if (!urls) this.byName.set(name, (urls = new Set()));
    urls.add(url);
    while (this.entries.size > this.maxEntries || this.held > this.maxBytes)
      this.drop(this.entries.keys().next().value!);
    return etag;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  changed(name: string): void {
    for (const listener of this.listeners) listener();
    this.generations.set(name, (this.generations.get(name) ?? 0) + 1);
    for (const url of this.byName.get(name) ?? []) this.drop(url);
    this.byName.delete(name);
    if (this.generations.size > 4 * this.maxEntries) this.clear();
  }

  clear(): void {
    for (const listener of this.listeners) listener();
    this.epoch++;
    this.entries.clear();
    this.held = 0;
    this.byName.clear();
    this.generations.clear();
  }

  private drop(url: string): void {
    const entry = this.entries.get(url);
    if (!entry) return;
    this.entries.delete(url);
    this.held -= costOf(url, entry.body.length);
    this.byName.get(entry.name)?.delete(url);
  }

  /**
   * Listens for the database's change notifications; until it listens, and
   * whenever the listening connection is lost (then it listens again), the
   * cache keeps nothing.
   */
  async listen(db: Database): Promise<() => Promise<void>> {
    let stop: (() => Promise<void>) | undefined;
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const start = async (): Promise<void> => {
      try {
        stop = await db.listen(CHANGE_CHANNEL, (name) => this.changed(name), lost);
        this.clear();
        this.enabled = !closed;
      } catch {
        if (!closed) timer = setTimeout(() => void start(), 2_000).unref();
      }
    };
    const lost = () => {
      this.enabled = false;
      this.clear();
      if (!closed) timer = setTimeout(() => void start(), 1_000).unref();
    };
    await start();
    return async () => {
      closed = true;
      this.enabled = false;
      clearTimeout(timer);
      await stop?.();
    };
  }
}

/** A strong ETag: the answer's own SHA-256 (so equal bytes, on any instance, have one tag). */
export function etagOf(body: string | Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

/** Whether an If-None-Match header names `etag` (a list, or `*`; weak tags compare by their value). */
export function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
