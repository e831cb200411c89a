import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import type { ConditionalCache } from './http-registry.ts';

/**
 * A client's conditional-request cache in a folder (the evidence cache's
 * mirror of a registry): each answer with its ETag, one file per URL. What
 * is kept is only ever what the registry served; a 304 means it serves the
 * same now, and everything read from here is checked as if fresh.
 */
export function folderConditionalCache(dir: string): ConditionalCache {
  const file = (url: string) => join(dir, `${createHash('sha256').update(url).digest('hex').slice(0, 40)}.json`);
  return {
    async get(url) {
      const text = await readFile(file(url), 'utf8').catch(() => undefined);
      if (!text) return undefined;
      try {
        const kept = JSON.parse(text) as { url?: unknown; etag?: unknown; body?: unknown };
        if (kept.url !== url || typeof kept.etag !== 'string' || typeof kept.body !== 'string') return undefined;
        return { etag: kept.etag, body: Buffer.from(kept.body, 'base64') };
      } catch {
        return undefined;
      }
    },
    async put(url, etag, body) {
      await writeFileAtomic(file(url), JSON.stringify({ url, etag, body: body.toString('base64') }));
    },
  };
}
