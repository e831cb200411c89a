import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openDatabase } from '../../src/server/db.ts';
import { ApiFailure } from '../../src/server/errors.ts';
import { SearchCache } from '../../src/server/search-cache.ts';
import { searchPackages } from '../../src/server/store/search.ts';
import type { RunningRegistry } from '../../src/server/serve.ts';
import type { TestPostgres } from '../helpers/postgres.ts';
import { ENGINES, packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

interface Found {
  packages: { name: string; latest_version: string | null; keywords: string[] }[];
  total: number;
}

/** A search: its answer and whether it came from the instance's cache. */
async function search(base: string, query: string): Promise<{ hit: boolean; found: Found }> {
  const response = await fetch(`${base}/api/v1/packages?${query}`);
  assert.equal(response.status, 200);
  return { hit: response.headers.get('x-cache') === 'hit', found: (await response.json()) as Found };
}

const names = (found: Found) => found.packages.map((p) => p.name);

/**
 * Asks until `ok` holds (a change made elsewhere arrives as a notification), at most ten seconds: a
 * notification is quick, but a loaded machine may hold it up; waiting longer costs only a failing run.
 */
async function eventually<T>(ask: () => Promise<T>, ok: (answer: T) => boolean): Promise<T> {
  const until = Date.now() + 10_000;
  for (;;) {
    const answer = await ask();
    if (ok(answer) || Date.now() > until) return answer;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the search answer cache', () => {
  const source = (usable = true) => {
    const listeners: (() => void)[] = [];
    return { usable, onChange: (l: () => void) => void listeners.push(l), change: () => listeners.forEach((l) => l()) };
  };

  it('holds no more answers and bytes than its bounds, whatever a flood of distinct queries asks', () => {
    const cache = new SearchCache(source(), 100, 64 * 1024);
    for (let i = 0; i < 10_000; i++) {
      const key = SearchCache.key({ q: `word${i} ${Math.random()}`, page: 1, limit: 20 });
      cache.put(key, cache.stamp(), { packages: [{ name: `p${i}`, description: 'x'.repeat(i % 2000) }], total: 1 });
      assert.ok(cache.stats.entries <= 100 && cache.stats.bytes <= 64 * 1024, JSON.stringify(cache.stats));
    }
    // The most recently used stay; the first are gone.
    assert.equal(cache.get(SearchCache.key({ q: 'word0', page: 1, limit: 20 })), undefined);
    assert.ok(cache.stats.entries > 0);
  });

  it('keeps nothing read before a change, and serves nothing while changes are not heard', () => {
    const changes = source();
    const cache = new SearchCache(changes);
    const key = SearchCache.key({ q: ' React ', page: 1, limit: 20 });
    assert.equal(
      key,
      SearchCache.key({ q: 'react', page: 1, limit: 20 }),
      'the query is normalised as search reads it',
    );
    assert.notEqual(key, SearchCache.key({ q: 'react', page: 2, limit: 20 }));
    assert.notEqual(key, SearchCache.key({ q: 'react', type: 'skill', page: 1, limit: 20 }));
    const stamp = cache.stamp();
    changes.change();
    cache.put(key, stamp, { total: 0 });
    assert.equal(cache.get(key), undefined, 'read before the change, finished after it: not kept');
    cache.put(key, cache.stamp(), { total: 1 });
    assert.deepEqual(cache.get(key), { total: 1 });
    changes.change();
    assert.equal(cache.get(key), undefined, 'any change drops every answer');

    const deaf = new SearchCache(source(false));
    deaf.put(key, deaf.stamp(), { total: 1 });
    assert.equal(deaf.get(key), undefined);
  });
});

for (const engine of ENGINES)
  describe(`search answers from memory, never after a change (${engine.name})`, { skip: engine.skip }, () => {
    let postgres: TestPostgres | undefined;
    let registry: TestRegistry;
    let token: string;
    before(async () => {
      postgres = await engine.start();
      registry = await startTestRegistry({ postgres });
      token = await registry.token('alice', ['publish', 'yank']);
      await registry
        .client(token)
        .publish(await packPackage('widget', '1.0.0', { manifest: 'keywords: [gears]\n' }), []);
    });
    after(async () => {
      await registry?.close();
      await postgres?.stop();
    });

    it('answers a query asked again from memory, and the first ask after a publish, yank or new keywords from the database', async () => {
      const first = await search(registry.url, 'q=widget');
      assert.deepEqual([first.hit, names(first.found)], [false, ['widget']]);
      // The publish before may still be notifying (a notification arrives after its answer): a
      // change drops the kept answer, so the repeat is a hit once those have arrived.
      const again = await eventually(
        () => search(registry.url, 'q=%20WIDGET'),
        (a) => a.hit,
      );
      assert.deepEqual([again.hit, again.found], [true, first.found]);

      await registry.client(token).publish(await packPackage('widget-two', '1.0.0'), []);
      const published = await search(registry.url, 'q=widget');
      assert.deepEqual([published.hit, names(published.found)], [false, ['widget', 'widget-two']]);

      // New keywords, with a new version: the old keyword no longer finds it, the new one does.
      assert.deepEqual(names((await search(registry.url, 'q=gears')).found), ['widget']);
      await registry
        .client(token)
        .publish(await packPackage('widget', '1.1.0', { manifest: 'keywords: [cogs]\n' }), []);
      assert.deepEqual(names((await search(registry.url, 'q=gears')).found), []);
      assert.deepEqual(names((await search(registry.url, 'q=cogs')).found), ['widget']);
      assert.equal((await search(registry.url, 'q=widget')).found.packages[0]!.latest_version, '1.1.0');

      const yank = await fetch(`${registry.url}/api/v1/packages/widget/1.1.0`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(yank.status, 200);
      const yanked = await search(registry.url, 'q=widget');
      assert.equal(yanked.hit, false);
      assert.equal(yanked.found.packages[0]!.latest_version, '1.0.0');
    });

    it('drops its answers on a change made in the database by anyone, through its notification', async () => {
      const kept = await eventually(
        () => search(registry.url, 'q=gadget'),
        (a) => a.hit,
      );
      assert.deepEqual([kept.hit, kept.found.total], [true, 0]);
      await registry.server.db.query(`UPDATE packages SET description = 'renamed gadget' WHERE name = 'widget-two'`);
      const after = await eventually(
        () => search(registry.url, 'q=gadget'),
        (a) => a.found.total === 1,
      );
      assert.deepEqual(names(after.found), ['widget-two']);
    });
  });

describe(
  'two instances on one PostgreSQL database: a search on one sees a publish on the other',
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

    it('refuses a search that runs past its statement timeout (503), and frees its connection', async () => {
      // A lock held on the table stands for a statement that would not end: the search waits on it.
      const locker = new pg.Client({ connectionString: registry.databaseUrl! });
      await locker.connect();
      try {
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE packages IN ACCESS EXCLUSIVE MODE');
        const db = await openDatabase({ url: registry.databaseUrl!, dataDir: registry.root, boundedMs: 100 });
        try {
          const started = Date.now();
          await assert.rejects(
            searchPackages(db, { q: 'anything', page: 1, limit: 20 }),
            (error: unknown) => error instanceof ApiFailure && error.status === 503 && error.code === 'search_timeout',
          );
          assert.ok(Date.now() - started < 1_500, `${Date.now() - started} ms`);
          // Other statements have no such bound: this one waits for the lock.
          const waiting = db.query('SELECT COUNT(*) FROM packages');
          const late = await Promise.race([waiting, new Promise((resolve) => setTimeout(() => resolve('waits'), 300))]);
          assert.equal(late, 'waits');
          await locker.query('ROLLBACK');
          await waiting;
          await locker.query('BEGIN');
          await locker.query('LOCK TABLE packages IN ACCESS EXCLUSIVE MODE');
        } finally {
          await db.close();
        }
        // Through HTTP, with the registry's own bound (2 s).
        const response = await fetch(`${other.url}/api/v1/packages?q=anything`);
        assert.equal(response.status, 503);
        assert.equal(((await response.json()) as { error: string }).error, 'search_timeout');
      } finally {
        await locker.query('ROLLBACK');
        await locker.end();
      }
      assert.equal((await search(other.url, 'q=anything')).found.total, 0);
    });

    it('drops the answers it kept when the other instance publishes or yanks, and never serves the old one again', async () => {
      const token = await registry.token('alice', ['publish', 'yank']);
      await registry.client(token).publish(await packPackage('sprocket', '1.0.0'), []);
      const kept = await eventually(
        () => search(other.url, 'q=sprocket'),
        (a) => a.hit,
      );
      assert.deepEqual([kept.hit, names(kept.found)], [true, ['sprocket']]);

      await registry.client(token).publish(await packPackage('sprocket-two', '1.0.0'), []);
      const published = await eventually(
        () => search(other.url, 'q=sprocket'),
        (a) => a.found.total === 2,
      );
      assert.deepEqual(names(published.found), ['sprocket', 'sprocket-two']);
      for (let i = 0; i < 20; i++)
        assert.deepEqual(names((await search(other.url, 'q=sprocket')).found), ['sprocket', 'sprocket-two']);

      await registry.client(token).publish(await packPackage('sprocket', '1.1.0'), []);
      await eventually(
        () => search(other.url, 'q=sprocket'),
        (a) => a.found.packages[0]!.latest_version === '1.1.0',
      );
      const yank = await fetch(`${registry.url}/api/v1/packages/sprocket/1.1.0`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(yank.status, 200);
      const yanked = await eventually(
        () => search(other.url, 'q=sprocket'),
        (a) => a.found.packages[0]!.latest_version === '1.0.0',
      );
      assert.equal(yanked.found.packages[0]!.latest_version, '1.0.0');
      for (let i = 0; i < 20; i++)
        assert.equal((await search(other.url, 'q=sprocket')).found.packages[0]!.latest_version, '1.0.0');
    });
  },
);
