import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

const CHUNK = 1024 * 1024;

/** `sha256:<hex>` of a file, read in fixed chunks into one reused buffer (constant memory). */
export async function sha256File(path: string): Promise<string> {
  return `sha256:${await sha256FileHex(path)}`;
}

export async function sha256FileHex(path: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await open(path, 'r');
  // Two buffers, used in turn: the next chunk is read (on libuv's thread pool) while this one is hashed.
  let current = Buffer.allocUnsafe(CHUNK);
  let next = Buffer.allocUnsafe(CHUNK);
  let pending: Promise<{ bytesRead: number }> | undefined;
  try {
    pending = handle.read(current, 0, CHUNK, null);
    for (;;) {
      const { bytesRead } = await pending;
      pending = undefined;
      if (bytesRead === 0) break;
      // Issued after the last read completed, so it continues where that one ended.
      pending = handle.read(next, 0, CHUNK, null);
      hash.update(bytesRead === CHUNK ? current : current.subarray(0, bytesRead));
      [current, next] = [next, current];
    }
  } finally {
    // A read still under way (hashing threw) finishes before the file is closed.
    await pending?.catch(() => undefined);
    await handle.close();
  }
  return hash.digest('hex');
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sha256(data: Uint8Array): string {
  return `sha256:${sha256Hex(data)}`;
}

/**
 * A checksum as written by hand or by another tool — `SHA256:` or upper-case
 * hex, spaces around it — in its one form, `sha256:<64 lowercase hex>`; the
 * same digest either way. Anything else is returned as it is (and is not a
 * checksum): comparing two spellings of one digest as text would call the
 * same bytes different, and print one hash as both expected and actual.
 */
export function canonicalChecksum(text: unknown): string {
  const raw = typeof text === 'string' ? text.trim() : String(text ?? '');
  const lower = raw.toLowerCase();
  return isChecksum(lower) ? lower : raw;
}

/** Whether `text` is a well-formed `sha256:<64 lowercase hex>` checksum. */
export function isChecksum(text: unknown): text is string {
  return typeof text === 'string' && /^sha256:[0-9a-f]{64}$/.test(text);
}
