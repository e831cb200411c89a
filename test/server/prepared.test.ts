import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, prepared } from '../../src/server/db.ts';
import type { Database } from '../../src/server/db.ts';
import { postgresBin, startPostgres } from '../helpers/postgres.ts';
import type { TestPostgres } from '../helpers/postgres.ts';

test('a prepared statement must name its columns (a * could change its result under a migration)', () => {
  for (const sql of [
    'SELECT p.*, 1 AS x FROM packages p',
    'SELECT * FROM packages',
    'INSERT INTO t VALUES (1) RETURNING *',
  ])
    assert.throws(() => prepared(sql), /names its columns/, sql);
  for (const sql of ['SELECT COUNT(*) FROM packages', 'SELECT id, 2 * 3 AS six FROM packages WHERE id = $1'])
    assert.equal(prepared(sql), sql);
});

describe(
  'prepared statements on a PostgreSQL server',
  { skip: !(await postgresBin()) && 'no PostgreSQL server here' },
  () => {
    let postgres: TestPostgres;
    before(async () => (postgres = await startPostgres()));
    after(() => postgres.stop());

    /** The statements this session holds prepared, after running `sql` marked as prepared. */
    async function preparedAfter(db: Database, sql: string): Promise<string[]> {
      return db.transaction(async (tx) => {
        await tx.query(prepared(sql), [1]);
        const { rows } = await tx.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements');
        return rows.map((r) => r.statement);
      });
    }

    it('prepares a marked statement once per connection, and not with AAM_REGISTRY_PREPARED_STATEMENTS=off', async () => {
      const sql = 'SELECT $1::int AS one';
      const on = await openDatabase({ url: await postgres.createDatabase(), dataDir: '' });
      try {
        assert.deepEqual(await preparedAfter(on, sql), [sql]);
      } finally {
        await on.close();
      }
      process.env.AAM_REGISTRY_PREPARED_STATEMENTS = 'off';
      try {
        const off = await openDatabase({ url: await postgres.createDatabase(), dataDir: '' });
        try {
          assert.deepEqual(await preparedAfter(off, sql), []);
        } finally {
          await off.close();
        }
      } finally {
        delete process.env.AAM_REGISTRY_PREPARED_STATEMENTS;
      }
    });

    it('answers a marked statement whose result changed type under it (a migration by another instance)', async () => {
      const url = await postgres.createDatabase();
      const db = await openDatabase({ url, dataDir: '' });
      try {
        await db.exec('CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 7)');
        const sql = prepared('SELECT v FROM t WHERE id = $1');
        // One connection so far: the second ask runs on the connection that planned the first.
        assert.deepEqual((await db.query(sql, [1])).rows, [{ v: 7 }]);
        await db.exec('ALTER TABLE t ALTER COLUMN v TYPE text');
        assert.deepEqual((await db.query(sql, [1])).rows, [{ v: '7' }]);
      } finally {
        await db.close();
      }
    });
  },
);
