import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Hex } from '../../src/core/archive/hash.ts';
import { folderConditionalCache } from '../../src/core/registry/http-cache.ts';
import { HttpRegistry } from '../../src/core/registry/http-registry.ts';
import type { RunningRegistry } from '../../src/server/serve.ts';
import type { TestPostgres } from '../helpers/postgres.ts';
import { ENGINES, packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { tempDir } from '../helpers/temp.ts';

/** A GET, conditional when `etag` is given: status, ETag, Cache-Control and the body. */
async function get(url: string, etag?: string) {
  const response = await fetch(url, { headers: etag ? { 'if-none-match': etag } : {} });
  const body = Buffer.from(await response.arrayBuffer());
  return {
    status: response.status,
    etag: response.headers.get('etag') ?? '',
    cache: response.headers.get('cache-control') ?? '',
    body,
    json: () => JSON.parse(body.toString('utf8')) as Record<string, unknown>,
  };
}

/**
 * Asks until `ok` holds (a change made elsewhere arrives as a notification), at most ten seconds: a
 * notification is quick, but a loaded machine may hold it up; waiting longer costs only a failing run.
 */
async function eventually<T>(ask: () => Promise<T>, ok: (answer: T) => boolean): Promise<T> {
  const until = Date.now() + 10_000;
  for (;;) {
    const answer = await ask();
    if (ok(answer) || Date.now() > until) return answer;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const engine of ENGINES)
  describe(`conditional requests and cached reads (${engine.name})`, { skip: engine.skip }, () => {
    let postgres: TestPostgres | undefined;
    let registry: TestRegistry;
    let token: string;
    const api = (path: string) => `${registry.url}/api/v1/packages/@acme/cached${path}`;

    before(async () => {
      postgres = await engine.start();
      registry = await startTestRegistry({ postgres });
      token = await registry.token('alice', ['publish', 'yank']);
      await registry.client(token).publish(await packPackage('@acme/cached', '1.0.0'), []);
    });
    after(async () => {
      await registry?.close();
      await postgres?.stop();
    });

    it('answers an unchanged package with 304, and never with 304 after a publish or a yank', async () => {
      const first = await get(api(''));
      assert.equal(first.status, 200);
      assert.match(first.etag, /^"[\w-]{32}"$/);
      assert.equal(first.cache, 'no-cache');
      const again = await get(api(''), first.etag);
      assert.deepEqual([again.status, again.body.length], [304, 0]);
      const version = await get(api('/1.0.0'));
      assert.equal((await get(api('/1.0.0'), version.etag)).status, 304);

      await registry.client(token).publish(await packPackage('@acme/cached', '1.1.0'), []);
      const published = await get(api(''), first.etag);
      assert.equal(published.status, 200);
      assert.notEqual(published.etag, first.etag);
      assert.deepEqual(
        (published.json().versions as { version: string }[]).map((v) => v.version),
        ['1.0.0', '1.1.0'],
      );

      const yank = await fetch(api('/1.0.0'), { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
      assert.equal(yank.status, 200);
      const yanked = await get(api('/1.0.0'), version.etag);
      assert.equal(yanked.status, 200);
      assert.equal(yanked.json().yanked, true);
      const list = await get(api('/versions'), published.etag);
      assert.equal((list.json().versions as { yanked: boolean }[])[0]!.yanked, true);
    });

    it('sees a change made in the database by anyone, through its notification', async () => {
      const before = await get(api(''));
      await registry.server.db.query(
        `UPDATE packages SET description = 'changed by the operator' WHERE name = 'cached'`,
      );
      const after = await eventually(
        () => get(api(''), before.etag),
        (a) => a.status === 200,
      );
      assert.equal(after.status, 200);
      assert.equal(after.json().description, 'changed by the operator');
    });

    it('serves an archive as immutable: a strong ETag of its SHA-256, a year of caching, 304 when asked again', async () => {
      const archive = await get(api('/1.1.0/download'));
      assert.equal(archive.status, 200);
      assert.equal(archive.etag, `"${sha256Hex(archive.body)}"`);
      assert.equal(archive.cache, 'public, max-age=31536000, immutable');
      const again = await get(api('/1.1.0/download'), archive.etag);
      assert.deepEqual([again.status, again.body.length], [304, 0]);
      assert.equal(
        (await get(api('/1.0.0/download'), archive.etag)).status,
        200,
        "another version's tag is not this one",
      );
    });

    it('a client asks again conditionally: an unchanged answer costs a 304 and is read from what it kept', async () => {
      const client = new HttpRegistry(registry.name, registry.url, {
        attempts: 1,
        conditional: folderConditionalCache(await tempDir('aam-conditional-')),
      });
      const statuses: number[] = [];
      const original = globalThis.fetch;
      globalThis.fetch = async (input, init) => {
        const response = await original(input, init);
        statuses.push(response.status);
        return response;
      };
      try {
        const first = await client.metadata('@acme/cached');
        const second = await client.metadata('@acme/cached');
        assert.deepEqual(second, first);
        const head = await client.auditHead();
        assert.deepEqual(await client.auditHead(), head, 'the head kept, signature and all');
        assert.deepEqual(statuses, [200, 304, 200, 304]);
        await registry.client(token).publish(await packPackage('@acme/cached', '1.2.0'), []);
        const third = await client.metadata('@acme/cached');
        assert.equal(statuses.at(-1), 200);
        assert.deepEqual(
          third!.versions.map((v) => v.version),
          ['1.0.0', '1.1.0', '1.2.0'],
        );
        await client.auditHead();
        assert.equal(statuses.at(-1), 200, 'a new head is a new tree');
      } finally {
        globalThis.fetch = original;
      }
    });

    it('counts downloads in batches: what was sent in full, not the 304s', async () => {
      await registry.restart();
      const before = await registry.server.db.query<{ downloads: number }>(
        `SELECT downloads FROM package_versions WHERE version = '1.1.0'`,
      );
      const archive = await get(api('/1.1.0/download'));
      await get(api('/1.1.0/download'));
      await get(api('/1.1.0/download'), archive.etag);
      // Stopping an instance writes what it counted.
      await registry.restart();
      const { rows } = await registry.server.db.query<{ downloads: number }>(
        `SELECT downloads FROM package_versions WHERE version = '1.1.0'`,
      );
      assert.equal(Number(rows[0]!.downloads) - Number(before.rows[0]!.downloads), 2);
    });
  });

describe(
  'two instances on one PostgreSQL database: a write on one is seen by the other',
  { skip: ENGINES[1]!.skip },
  () => {
    let postgres: TestPostgres;
    let registry: TestRegistry;
    let other: RunningRegistry;

    before(async () => {
      postgres = (await ENGINES[1]!.start())!;
      registry = await startTestRegistry({ postgres });
      other = await registry.secondInstance();
    });
    after(async () => {
      await registry?.close();
      await postgres?.stop();
    });

    it('never answers 304 for long after a publish or yank through the other instance', async () => {
      const token = await registry.token('alice', ['publish', 'yank']);
      await registry.client(token).publish(await packPackage('@acme/shared', '1.0.0'), []);
      const url = `${other.url}/api/v1/packages/@acme/shared`;
      const first = await get(url);
      assert.equal((await get(url, first.etag)).status, 304);
      await registry.client(token).publish(await packPackage('@acme/shared', '1.1.0'), []);
      const published = await eventually(
        () => get(url, first.etag),
        (a) => a.status === 200,
      );
      assert.equal(published.status, 200);
      assert.equal((published.json().versions as unknown[]).length, 2);
      const yank = await fetch(`${registry.url}/api/v1/packages/@acme/shared/1.1.0`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(yank.status, 200);
      const yanked = await eventually(
        () => get(url, published.etag),
        (a) => a.status === 200,
      );
      assert.equal((yanked.json().versions as { yanked: boolean }[])[1]!.yanked, true);
    });
  },
);
