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
