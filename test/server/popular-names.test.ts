import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/server/db.ts';
import type { Database } from '../../src/server/db.ts';
import { popularPackages } from '../../src/server/name-policy.ts';
import { migrate } from '../../src/server/schema.ts';
import type { TestPostgres } from '../helpers/postgres.ts';
import { ENGINES } from '../helpers/registry.ts';

/** The query before migration 9: every package scored and ranked (a new name is compared with the first 1,000). */
const EVERY_PACKAGE = `WITH dependents AS (
       SELECT d.dependency_name, COUNT(DISTINCT v.package_id) AS n
         FROM dependencies d JOIN package_versions v ON v.id = d.version_id GROUP BY d.dependency_name),
     named AS (
       SELECT p.id, p.scope, p.downloads_total,
              CASE WHEN p.scope = '' THEN p.name ELSE '@' || p.scope || '/' || p.name END AS full_name
         FROM packages p)
     SELECT n.full_name, n.downloads_total + $2 * COALESCE(dep.n, 0) AS score,
            EXISTS (SELECT 1 FROM package_owners o WHERE o.package_id = n.id AND o.user_id = $1)
         OR EXISTS (SELECT 1 FROM scope_members m WHERE m.scope = n.scope AND m.user_id = $1) AS own
       FROM named n LEFT JOIN dependents dep ON dep.dependency_name = n.full_name
      ORDER BY score DESC, n.full_name LIMIT $3`;

for (const engine of ENGINES)
  describe(`the popular packages a new name is compared with, on ${engine.name}`, { skip: engine.skip }, () => {
    let postgres: TestPostgres | undefined;
    let db: Database;
    let dir: string;
    const users: Record<string, string> = {};
    before(async () => {
      postgres = await engine.start();
      dir = await mkdtemp(join(tmpdir(), 'aam-popular-'));
      db = await openDatabase({ url: await postgres?.createDatabase(), dataDir: dir });
      await migrate(db);
      for (const name of ['alice', 'bob']) {
        const { rows } = await db.query<{ id: string }>('INSERT INTO users (username) VALUES ($1) RETURNING id', [
          name,
        ]);
        users[name] = rows[0]!.id;
      }
    });
    after(async () => {
      await db?.close();
      await postgres?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    const before9 = async (userId: string) =>
      (
        await db.query<{ full_name: string; score: number | string; own: boolean }>(EVERY_PACKAGE, [userId, 100, 1000])
      ).rows
        .filter((row) => Number(row.score) >= 100)
        .map((row) => [row.full_name, Number(row.score), row.own]);
    const now = async (userId: string) =>
      (await popularPackages(db, userId)).map((row) => [row.full_name, Number(row.score), row.own]);

    it('is the list ranking every package gave: ties at the thousandth, dependents, scopes, owners', async () => {
      // 1,600 packages, a third in scopes; downloads in steps of 5 (ties, also at the thousandth), many under 100.
      await db.query(`INSERT INTO packages (scope, name, downloads_total)
        SELECT CASE WHEN i % 3 = 0 THEN 's' || (i % 7) ELSE '' END, 'pkg-' || i, ((i * 7919) % 400) * 5
          FROM generate_series(1, 1600) AS i`);
      const id = async (scope: string, name: string) =>
        (await db.query<{ id: string }>('SELECT id FROM packages WHERE scope = $1 AND name = $2', [scope, name]))
          .rows[0]!.id;
      // Dependents lift packages with few downloads into the list (a package counted once however many of its
      // versions depend), one of them with downloads below zero (an operator's edit): its score stays under 100.
      const dependent = async (from: [string, string], version: string, on: string[]) => {
        const { rows } = await db.query<{ id: string }>(
          `INSERT INTO package_versions (package_id, version, checksum_sha256, archive_size, archive_key, manifest_json)
           VALUES ($1, $2, repeat('0', 64), 1, 'k', '{}') RETURNING id`,
          [await id(...from), version],
        );
        for (const name of on)
          await db.query(
            'INSERT INTO dependencies (version_id, dependency_name, version_constraint) VALUES ($1, $2, $3)',
            [rows[0]!.id, name, '*'],
          );
      };
      await db.query(`UPDATE packages SET downloads_total = -50 WHERE scope = '' AND name = 'pkg-2'`);
      await db.query(`UPDATE packages SET downloads_total = 1900 WHERE scope = '' AND name = 'pkg-4'`);
      await dependent(['', 'pkg-1'], '1.0.0', ['pkg-2', '@s1/pkg-15', 'pkg-4', 'no-such-package', '@s1', 'a/b']);
      await dependent(['', 'pkg-1'], '1.1.0', ['pkg-4']);
      await dependent(['', 'pkg-5'], '1.0.0', ['pkg-4', '@s1/pkg-15']);
      await db.query('INSERT INTO package_owners (package_id, user_id) VALUES ($1, $2)', [
        await id('', 'pkg-4'),
        users.alice,
      ]);
      await db.query(`INSERT INTO scopes (name) VALUES ('s3')`);
      await db.query(`INSERT INTO scope_members (scope, user_id, role) VALUES ('s3', $1, 'owner')`, [users.alice]);
      for (const user of [users.alice!, users.bob!]) {
        const expected = await before9(user);
        assert.equal(expected.length, 1000, 'more than a thousand packages score 100 or more');
        assert.deepEqual(await now(user), expected);
      }
      const list = await now(users.alice!);
      assert.deepEqual(
        list.find(([name]) => name === 'pkg-4'),
        ['pkg-4', 2100, true],
        'downloads and two dependents (one with two versions depending)',
      );
      assert.ok(!list.some(([name]) => name === 'pkg-2'), 'a dependent does not lift a score below zero to 100');
      assert.ok(
        list.some(([name, , own]) => String(name).startsWith('@s3/') && own),
        "a scope's member owns its packages",
      );
      // Fewer packages above 100 than a thousand: every one of them, and no other.
      await db.query('UPDATE packages SET downloads_total = downloads_total / 10');
      for (const user of [users.alice!, users.bob!]) {
        const expected = await before9(user);
        assert.ok(expected.length > 0 && expected.length < 1000);
        assert.deepEqual(await now(user), expected);
      }
    });
  });
