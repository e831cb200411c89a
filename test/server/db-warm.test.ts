import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { warmList } from '../../src/server/db.ts';
import type { Database } from '../../src/server/db.ts';
import { openRegistryStorage } from '../../src/server/serve.ts';
// The modules whose statements a registry warms (a server imports them all before it warms).
import '../../src/server/app.ts';
import { postgresBin, startPostgres } from '../helpers/postgres.ts';
import type { TestPostgres } from '../helpers/postgres.ts';

/** What a warm-up must leave as it was: every row count of the publish path's tables, and the log's head. */
async function snapshot(db: Database): Promise<unknown> {
  const { rows } = await db.query(
    `SELECT (SELECT COUNT(*) FROM packages) AS packages, (SELECT COUNT(*) FROM package_versions) AS versions,
            (SELECT COUNT(*) FROM package_owners) AS owners, (SELECT COUNT(*) FROM artifacts) AS artifacts,
            (SELECT COUNT(*) FROM package_keywords) AS keywords, (SELECT COUNT(*) FROM dist_tags) AS tags,
            (SELECT COUNT(*) FROM audit_log) AS entries, (SELECT COUNT(*) FROM audit_nodes) AS nodes,
            (SELECT COUNT(*) FROM users) AS users,
            (SELECT row_to_json(h) FROM audit_head h) AS head,
            (SELECT json_agg(p ORDER BY p.id) FROM packages p) AS package_rows`,
  );
  return rows[0];
}

describe(
  'warming the pool on a PostgreSQL server',
  { skip: !(await postgresBin()) && 'no PostgreSQL server here' },
  () => {
    let postgres: TestPostgres;
    before(async () => (postgres = await startPostgres()));
    after(() => postgres.stop());

    it('opens every connection, prepares the publish path on each, and writes nothing', async () => {
      const db = await openRegistryStorage({ dataDir: '', databaseUrl: await postgres.createDatabase(), name: 't' });
      try {
        const { rows } = await db.query<{ id: string }>(`INSERT INTO users (username) VALUES ('someone') RETURNING id`);
        await db.query(`INSERT INTO packages (scope, name, description) VALUES ('s', 'p', 'd')`);
        await db.query(`INSERT INTO package_owners (package_id, user_id) SELECT id, $1 FROM packages`, [rows[0]!.id]);
        const statements = warmList();
        // The publish path: the token, the package check, the batch's lock, check and rows, the log's statements.
        assert.ok(statements.length >= 9, `${statements.length} statements`);
        assert.ok(statements.some(([, warm]) => warm.explain));
        const was = await snapshot(db);
        assert.equal(await db.warm(), 10);
        assert.deepEqual(await snapshot(db), was);
        // Each connection holds the statements run by name; any connection the pool hands out is a warmed one.
        const named = statements.filter(([, warm]) => !warm.explain).length;
        const held = await Promise.all(
          Array.from({ length: 10 }, () =>
            db.transaction(async (tx) => {
              const prepared = await tx.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM pg_prepared_statements');
              // Held until all ten ask: each answer comes from another connection.
              await new Promise((resolve) => setTimeout(resolve, 50));
              return prepared.rows[0]!.n;
            }),
          ),
        );
        assert.deepEqual(
          held,
          Array.from({ length: 10 }, () => named),
        );
      } finally {
        await db.close();
      }
    });

    it('refuses a statement that writes, and leaves nothing of it', async () => {
      const db = await openRegistryStorage({ dataDir: '', databaseUrl: await postgres.createDatabase() });
      try {
        await assert.rejects(
          db.warm([[`INSERT INTO users (username) VALUES ('writer')`, { params: [] }]]),
          /wrote to the database/,
        );
        assert.deepEqual((await db.query(`SELECT id FROM users WHERE username = 'writer'`)).rows, []);
      } finally {
        await db.close();
      }
    });
  },
);
