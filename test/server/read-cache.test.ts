import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../../src/server/db.ts';
import { ReadCache } from '../../src/server/read-cache.ts';

test('a kept answer holds memory of its own size, not a slice of a shared pool chunk', async () => {
  const reads = new ReadCache();
  // Only the listening matters here: a database that hears every change (none come).
  const stop = await reads.listen({ listen: async () => async () => undefined } as unknown as Database);
  try {
    const bodies = ['{"name":"a"}', `{"description":"${'é'.repeat(600)}"}`];
    bodies.forEach((body, i) => reads.put(`/p/${i}`, `p${i}`, '/p/:name', reads.stamp(`p${i}`), body));
    bodies.forEach((body, i) => {
      const kept = reads.get(`/p/${i}`)!.body;
      assert.equal(kept.toString('utf8'), body);
      assert.equal(kept.buffer.byteLength, Buffer.byteLength(body), 'no larger memory behind it');
    });
  } finally {
    await stop();
  }
});

test('what is kept is bounded in bytes: a flood of URLs for one large answer turns the oldest over', async () => {
  const reads = new ReadCache(50_000, 1024 * 1024);
  const stop = await reads.listen({ listen: async () => async () => undefined } as unknown as Database);
  try {
    const large = JSON.stringify({ versions: 'v'.repeat(60_000) });
    reads.put('/p/hot', 'hot', '/p/:name', reads.stamp('hot'), large);
    for (let i = 0; i < 200; i++) {
      reads.put(`/p/big-${i}`, `big-${i}`, '/p/:name', reads.stamp(`big-${i}`), large);
      assert.ok(reads.stats.bytes <= 1024 * 1024, `${reads.stats.bytes} bytes kept after ${i + 1}`);
    }
    assert.equal(reads.stats.entries, Math.floor((1024 * 1024) / (Buffer.byteLength(large) + 4 * 10 + 300)));
    assert.equal(reads.get('/p/hot'), undefined, 'the least recently used went first');
    assert.ok(reads.get('/p/big-199'), 'the newest is kept');

    // An answer over a sixteenth of the budget is not kept at all.
    const huge = JSON.stringify({ versions: 'v'.repeat(70_000) });
    reads.put('/p/huge', 'huge', '/p/:name', reads.stamp('huge'), huge);
    assert.equal(reads.get('/p/huge'), undefined);

    // A change to the package gives its bytes back.
    for (let i = 0; i < 200; i++) reads.changed(`big-${i}`);
    assert.deepEqual(reads.stats, { entries: 0, bytes: 0 });
    reads.put('/p/small', 'small', '/p/:name', reads.stamp('small'), '{}');
    assert.deepEqual(reads.stats, { entries: 1, bytes: 2 + 4 * '/p/small'.length + 300 });
    reads.clear();
    assert.deepEqual(reads.stats, { entries: 0, bytes: 0 });
  } finally {
    await stop();
  }
});

test('a client cannot make keys of its own: answers to URLs with a query string, percent-encoded or long, are not kept', async () => {
  const reads = new ReadCache(2_000, 64 * 1024 * 1024);
  const stop = await reads.listen({ listen: async () => async () => undefined } as unknown as Database);
  try {
    reads.put('/p/hot', 'hot', '/p/:name', reads.stamp('hot'), '{"name":"hot"}');
    // What the routes ignore, 15 KB of it a request: each would have been a key the bound did not count.
    for (let i = 0; i < 2_000; i++)
      reads.put(`/p/hot?${i}=${'a'.repeat(15_000)}`, 'hot', '/p/:name', reads.stamp('hot'), '{"name":"hot"}');
    reads.put(`/p/${'a'.repeat(600)}`, 'long', '/p/:name', reads.stamp('long'), '{}');
    // Every spelling of one name: each would be a key of its own.
    for (let i = 0; i < 2_000; i++)
      reads.put(`/p/h%6Ft${'%20'.repeat(i % 50)}`, 'hot', '/p/:name', reads.stamp('hot'), '{"name":"hot"}');
    assert.equal(reads.stats.entries, 1);
    assert.ok(reads.get('/p/hot'), 'the real answer is still kept');
  } finally {
    await stop();
  }
});
