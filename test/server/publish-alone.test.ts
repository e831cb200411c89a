import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestPostgres } from '../helpers/postgres.ts';
import { ENGINES, packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

/**
 * A package without owners (left so by an operator's edit) has its version stored alone (not in a
 * batch), with the batch's statement for its rows; a new package, in no scope or in one nobody has
 * claimed yet, is created in a batch. Both give the same rows as a version stored in a batch —
 * keywords (in lower case), artifacts, the package's fields and "latest" (column and tag).
 */
for (const engine of ENGINES) {
  describe(`a publish stored alone, on ${engine.name}`, { skip: engine.skip }, () => {
    let postgres: TestPostgres | undefined;
    let registry: TestRegistry;
    before(async () => {
      postgres = await engine.start();
      registry = await startTestRegistry({ postgres });
    });
    after(async () => {
      await registry?.close();
      await postgres?.stop();
    });

    const rowsOf = async (name: string) => {
      const db = registry.server.db;
      const pkg = (
        await db.query<{ id: string; latest_version: string | null; description: string; artifact_types: string[] }>(
          `SELECT id, latest_version, description, artifact_types FROM packages WHERE name = $1`,
          [name],
        )
      ).rows[0]!;
      const keywords = (
        await db.query<{ keyword: string }>(
          'SELECT keyword FROM package_keywords WHERE package_id = $1 ORDER BY keyword',
          [pkg.id],
        )
      ).rows.map((r) => r.keyword);
      const tags = (
        await db.query<{ tag: string; version: string }>('SELECT tag, version FROM dist_tags WHERE package_id = $1', [
          pkg.id,
        ])
      ).rows;
      const artifacts = (
        await db.query<{ version: string; artifact_type: string; name: string }>(
          `SELECT v.version, a.artifact_type, a.name FROM artifacts a JOIN package_versions v ON v.id = a.version_id
            WHERE v.package_id = $1 ORDER BY v.version, a.name`,
          [pkg.id],
        )
      ).rows;
      return { ...pkg, keywords, tags, artifacts };
    };

    for (const [full, bare, how] of [
      ['alone-kit', 'alone-kit', 'created in a batch'],
      ['@alone/kit', 'kit', 'in an unclaimed scope, claimed and created in a batch'],
      ['orphan-kit', 'orphan-kit', 'a package row without owners, stored alone'],
    ] as const)
      it(`writes a new package’s version, keywords, artifacts, fields and latest (${how}); the next version moves them`, async () => {
        const client = registry.client(await registry.token('alice'));
        // No owner: the batch leaves it to the alone path, which makes its first publisher the owner.
        if (full === 'orphan-kit')
          await registry.server.db.query(`INSERT INTO packages (scope, name, description) VALUES ('', $1, '')`, [full]);
        await client.publish(
          await packPackage(full, '1.0.0', {
            description: 'First',
            manifest: 'keywords: [Prompt, Eval]\n',
          }),
          [],
        );
        const first = await rowsOf(bare);
        const owners = await registry.server.db.query<{ username: string }>(
          `SELECT u.username FROM package_owners o JOIN users u ON u.id = o.user_id WHERE o.package_id = $1`,
          [first.id],
        );
        assert.deepEqual(
          owners.rows.map((r) => r.username),
          ['alice'],
        );
        if (full.startsWith('@')) {
          const members = await registry.server.db.query<{ username: string; role: string }>(
            `SELECT u.username, m.role FROM scope_members m JOIN users u ON u.id = m.user_id WHERE m.scope = 'alone'`,
          );
          assert.deepEqual(members.rows, [{ username: 'alice', role: 'owner' }]);
        }
        assert.equal(first.latest_version, '1.0.0');
        assert.equal(first.description, 'First');
        assert.deepEqual(first.keywords, ['eval', 'prompt']);
        assert.deepEqual(first.tags, [{ tag: 'latest', version: '1.0.0' }]);
        assert.equal(first.artifacts.length, 1);
        assert.deepEqual(first.artifact_types, [first.artifacts[0]!.artifact_type]);
        await client.publish(
          await packPackage(full, '1.1.0', { description: 'Second', manifest: 'keywords: [eval]\n' }),
          [],
        );
        const second = await rowsOf(bare);
        assert.equal(second.latest_version, '1.1.0');
        assert.equal(second.description, 'Second');
        assert.deepEqual(second.keywords, ['eval']);
        assert.deepEqual(second.tags, [{ tag: 'latest', version: '1.1.0' }]);
        assert.deepEqual(
          second.artifacts.map((a) => a.version),
          ['1.0.0', '1.1.0'],
        );
      });
  });
}
