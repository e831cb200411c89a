import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { TestPostgres } from '../helpers/postgres.ts';
import { ENGINES, packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { blobFiles } from '../helpers/snapshot.ts';

/**
 * Publishes that race (#25 H5): the same version from several clients at
 * once, or one new name from two users at once. Each is decided under its
 * package's row lock, so exactly one wins, and the losers — refused after
 * passing the early checks — leave no blob: the blob store holds exactly the
 * archives that versions name.
 */
for (const engine of ENGINES)
  describe(`racing publishes leave only the winner's blob, on ${engine.name}`, { skip: engine.skip }, () => {
    let postgres: TestPostgres | undefined;
    let registry: TestRegistry;
    /** Where each request goes: on PostgreSQL, half of them to a second instance (its own batches). */
    const urls: string[] = [];

    const publish = async (url: string, token: string, archive: Buffer): Promise<number> => {
      const body = new FormData();
      body.append('archive', new Blob([new Uint8Array(archive)]), 'package.aam');
      const response = await fetch(`${url}/api/v1/packages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body,
      });
      await response.arrayBuffer();
      return response.status;
    };

    /** The blob store's files (temporary ones aside) and the keys versions name: the same set. */
    const assertOnlyReferencedBlobs = async () => {
      const files = (await blobFiles(join(registry.dataDir, 'blobs')))
        .map((line) => line.split(' ')[0]!)
        .filter((path) => !path.includes('/.tmp/'))
        .map((path) => path.split('/').at(-1)!)
        .sort();
      const { rows } = await registry.server.db.query<{ archive_key: string }>(
        'SELECT DISTINCT archive_key FROM package_versions ORDER BY archive_key',
      );
      assert.deepEqual(
        files,
        rows.map((r) => r.archive_key),
      );
    };

    before(async () => {
      postgres = await engine.start();
      registry = await startTestRegistry({ postgres, name: 'corp' });
      urls.push(registry.url);
      if (registry.databaseUrl) urls.push((await registry.secondInstance()).url);
    });
    after(async () => {
      await registry?.close();
      await postgres?.stop();
    });

    it('the same version from six clients at once: one 201, five 409s, one blob', async () => {
      const alice = await registry.token('alice');
      // The package exists (so every racer passes the early checks and joins a batch).
      assert.equal(await publish(registry.url, alice, await packPackage('@acme/race', '0.1.0')), 201);
      const archives = await Promise.all(
        Array.from({ length: 6 }, (_, i) => packPackage('@acme/race', '1.0.0', { body: `# racer ${i}\n` })),
      );
      const statuses = await Promise.all(archives.map((a, i) => publish(urls[i % urls.length]!, alice, a)));
      assert.deepEqual([...statuses].sort(), [201, 409, 409, 409, 409, 409], `statuses: ${statuses.join(', ')}`);
      await assertOnlyReferencedBlobs();
    });

    it('one new name from two users at once: one wins, the other is refused and leaves no blob', async () => {
      const tokens = [await registry.token('bob'), await registry.token('carol')];
      for (let round = 0; round < 3; round++) {
        const name = `race-${round}-fresh`;
        const statuses = await Promise.all(
          tokens.map(async (token, i) =>
            publish(urls[i % urls.length]!, token, await packPackage(name, '1.0.0', { body: `# user ${i}\n` })),
          ),
        );
        assert.equal(statuses.filter((s) => s === 201).length, 1, `statuses: ${statuses.join(', ')}`);
        assert.ok(
          statuses.every((s) => s === 201 || s === 403 || s === 409),
          `statuses: ${statuses.join(', ')}`,
        );
      }
      await assertOnlyReferencedBlobs();
    });
  });
