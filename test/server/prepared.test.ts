import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepared } from '../../src/server/db.ts';

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
