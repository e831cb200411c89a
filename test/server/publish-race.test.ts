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

    /**
     * The blob store's files and the keys versions name: the same set. No temporary file is left
     * either: a publish writes its archive under a temporary name before its transaction, and the
     * losers remove theirs before they are answered.
     */
    const assertOnlyReferencedBlobs = async () => {
      const paths = (await blobFiles(join(registry.dataDir, 'blobs'))).map((line) => line.split(' ')[0]!);
      assert.deepEqual(
        paths.filter((path) => path.includes('/.tmp/')),
        [],
        'temporary files left',
      );
      const files = paths.map((path) => path.split('/').at(-1)!).sort();
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

    /** Each name's versions and owners, and the scope's members, as rows to compare. */
    const scopeState = async (scope: string) => {
      const db = registry.server.db;
      const packages = await db.query<{ name: string; versions: number; owners: string[] }>(
        `SELECT p.name, (SELECT COUNT(*)::int FROM package_versions v WHERE v.package_id = p.id) AS versions,
                ARRAY(SELECT u.username FROM package_owners o JOIN users u ON u.id = o.user_id
                       WHERE o.package_id = p.id ORDER BY u.username) AS owners
           FROM packages p WHERE p.scope = $1 ORDER BY p.name`,
        [scope],
      );
      const members = await db.query<{ username: string; role: string }>(
        `SELECT u.username, m.role FROM scope_members m JOIN users u ON u.id = m.user_id WHERE m.scope = $1 ORDER BY u.username`,
        [scope],
      );
      return { packages: packages.rows, members: members.rows };
    };

    /** Each new name published by alice from three clients at once, over the instances: one 201 and two 409s a name. */
    const raceNewNames = async (names: string[]) => {
      const alice = await registry.token('alice');
      const racers = names.flatMap((name) => [0, 1, 2].map((r) => ({ name, r })));
      const statuses = await Promise.all(
        racers.map(async ({ name, r }, i) =>
          publish(urls[i % urls.length]!, alice, await packPackage(name, '1.0.0', { body: `# ${name} ${r}\n` })),
        ),
      );
      for (const name of names) {
        const mine = statuses.filter((_, i) => racers[i]!.name === name);
        assert.deepEqual([...mine].sort(), [201, 409, 409], `${name}: ${mine.join(', ')}`);
      }
    };

    it('new names in a claimed scope, each from three clients at once: created once, one 201 each, one owner', async () => {
      // @acme is alice's (the first test claimed it): its new names are created in batches.
      const names = Array.from({ length: 4 }, (_, i) => `@acme/fresh-${i}`);
      await raceNewNames(names);
      const { packages, members } = await scopeState('acme');
      assert.deepEqual(
        packages.filter((p) => p.name.startsWith('fresh-')),
        names.map((n) => ({ name: n.split('/')[1], versions: 1, owners: ['alice'] })),
      );
      assert.deepEqual(members, [{ username: 'alice', role: 'owner' }]);
      await assertOnlyReferencedBlobs();
    });

    it('new names in a scope nobody has claimed, each from three clients at once: one claim, one 201 each', async () => {
      const names = Array.from({ length: 6 }, (_, i) => `@dawn/new-${i}`);
      await raceNewNames(names);
      assert.deepEqual(await scopeState('dawn'), {
        packages: names.map((n) => ({ name: n.split('/')[1], versions: 1, owners: ['alice'] })),
        members: [{ username: 'alice', role: 'owner' }],
      });
      await assertOnlyReferencedBlobs();
    });

    it('one new scope from two users at once: one claims it and publishes all, the other is refused all', async () => {
      const users = ['dave', 'erin'];
      const tokens = await Promise.all(users.map((u) => registry.token(u)));
      for (let round = 0; round < 3; round++) {
        const scope = `land-${round}`;
        const racers = users.flatMap((user, u) => [0, 1, 2, 3].map((k) => ({ u, name: `@${scope}/${user}-${k}` })));
        const statuses = await Promise.all(
          racers.map(async ({ u, name }, i) =>
            publish(urls[i % urls.length]!, tokens[u]!, await packPackage(name, '1.0.0')),
          ),
        );
        const state = await scopeState(scope);
        assert.equal(state.members.length, 1, `members of @${scope}: ${JSON.stringify(state.members)}`);
        const winner = state.members[0]!.username;
        assert.equal(state.members[0]!.role, 'owner');
        for (const [i, { u, name }] of racers.entries())
          assert.equal(statuses[i], users[u] === winner ? 201 : 403, `${name} by ${users[u]}: ${statuses[i]}`);
        assert.deepEqual(
          state.packages,
          racers
            .filter(({ u }) => users[u] === winner)
            .map(({ name }) => ({ name: name.split('/')[1], versions: 1, owners: [winner] })),
        );
      }
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
