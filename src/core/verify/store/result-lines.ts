import { readSync } from 'node:fs';
import { isStoredResult } from './workspace-record.ts';
import type { RecordHeader, StoredResult } from './workspace-record.ts';

/**
 * The result store's file (see result-store.ts), line by line: a first line
 * of JSON, the record's header; then one line a result — its name as JSON, a
 * tab, the result as JSON (JSON text holds no raw tab or newline). A result
 * is parsed when first asked for, and a save copies the lines nothing
 * changed as they were read.
 */

export const NEWLINE = 0x0a;
const TAB = 0x09;

/** A result's line in the file (and in a spill): its name, a tab, the result; JSON each. */
export function lineOf(name: string, stored: StoredResult): string {
  return `${JSON.stringify(name)}\t${JSON.stringify(stored)}\n`;
}

export interface Spill {
  fd: number;
  file: string;
  names: Set<string>;
  size: number;
}

/**
 * A workspace's record: its header, and its results — the lines of the file
 * as read (each parsed when first asked for), and what was remembered or
 * forgotten since.
 */
export class Loaded {
  readonly header: RecordHeader;
  private raw: Buffer;
  /** Where each result's line is in `raw`: its start, its tab, and past its newline. The last line of a name wins. */
  private readonly lines = new Map<string, [number, number, number]>();
  /** Results parsed from their line (`null`: not a result this build wrote) or remembered. */
  private readonly held = new Map<string, StoredResult | null>();
  /** Names whose line in `raw` no longer says what is stored: remembered since, written out, or forgotten. */
  private readonly superseded = new Set<string>();

  constructor(header: RecordHeader, raw: Buffer = Buffer.alloc(0), from = 0) {
    this.header = header;
    this.raw = raw;
    for (let start = from; start < raw.length;) {
      const end = raw.indexOf(NEWLINE, start);
      if (end === -1) break; // a line cut short is no result
      // Looked for within the line only: a line without a tab costs its own length, not the rest of the file's.
      const tab = start + raw.subarray(start, end).indexOf(TAB);
      if (tab >= start) {
        try {
          const name: unknown = JSON.parse(raw.toString('utf8', start, tab));
          if (typeof name === 'string') this.lines.set(name, [start, tab, end + 1]);
        } catch {
          // Not a name: no result.
        }
      }
      start = end + 1;
    }
  }

  get(name: string): StoredResult | undefined {
    let stored = this.held.get(name);
    if (stored === undefined && !this.superseded.has(name)) {
      const line = this.lines.get(name);
      if (!line) return undefined;
      try {
        const value: unknown = JSON.parse(this.raw.toString('utf8', line[1] + 1, line[2] - 1));
        stored = isStoredResult(value) ? value : null;
      } catch {
        stored = null;
      }
      this.held.set(name, stored);
    }
    return stored ?? undefined;
  }

  set(name: string, stored: StoredResult): void {
    this.held.set(name, stored);
    this.superseded.add(name);
  }

  /** No longer held here: forgotten, or written out to a spill (which the file then takes it from). */
  forget(name: string): void {
    this.held.delete(name);
    this.superseded.add(name);
  }

  /**
   * Once every line is parsed (see the store's `all`: the extension's view
   * at start-up), the bytes read are let go and a save writes each result
   * from memory: a long-running host does not keep the file beside its
   * results.
   */
  release(): void {
    for (const name of this.lines.keys()) if (!this.superseded.has(name) && !this.held.has(name)) return;
    for (const [name, stored] of this.held) if (stored) this.superseded.add(name);
    this.lines.clear();
    this.raw = Buffer.alloc(0);
  }

  /** The names of the results held or read (some may turn out unreadable). */
  names(): string[] {
    const names = new Set<string>();
    for (const name of this.lines.keys()) if (!this.superseded.has(name)) names.add(name);
    for (const [name, stored] of this.held) if (stored) names.add(name);
    return [...names];
  }

  /**
   * The file's text: the header; the lines of results nothing changed, as
   * read (runs of them in one piece); the results written out to `spill`,
   * as written; then those held that were remembered. A name written out and
   * then remembered again comes twice, and its later line wins when read.
   */
  *pieces(spill: Spill | undefined): Generator<string | Uint8Array> {
    yield `${JSON.stringify(this.header)}\n`;
    let run: [number, number] | undefined;
    for (const [name, [start, , end]] of this.lines) {
      if (this.superseded.has(name) || this.held.get(name) === null) continue;
      if (run && run[1] === start) run[1] = end;
      else {
        if (run) yield this.raw.subarray(run[0], run[1]);
        run = [start, end];
      }
    }
    if (run) yield this.raw.subarray(run[0], run[1]);
    for (let at = 0; spill && at < spill.size;) {
      const buffer = Buffer.allocUnsafe(Math.min(65536, spill.size - at));
      const read = readSync(spill.fd, buffer, 0, buffer.length, at);
      if (read === 0) throw new Error('the results written out are shorter than they were');
      yield buffer.subarray(0, read);
      at += read;
    }
    let piece = '';
    for (const [name, stored] of this.held) {
      if (!stored || !this.superseded.has(name)) continue;
      piece += lineOf(name, stored);
      if (piece.length >= 65536) {
        yield piece;
        piece = '';
      }
    }
    if (piece) yield piece;
  }
}
