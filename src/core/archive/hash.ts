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
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      hash.update(bytesRead === CHUNK ? buffer : buffer.subarray(0, bytesRead));
    }
  } finally {
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

/** Whether `text` is a well-formed `sha256:<64 lowercase hex>` checksum. */
export function isChecksum(text: unknown): text is string {
  return typeof text === 'string' && /^sha256:[0-9a-f]{64}$/.test(text);
}
