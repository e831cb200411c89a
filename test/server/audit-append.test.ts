import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PACKAGE_PREVIOUS } from '../../src/core/registry/audit-log.ts';
import type { AuditEntry } from '../../src/core/registry/audit-log.ts';
import { appendAuditBatch } from '../../src/server/audit.ts';
import { openDatabase } from '../../src/server/db.ts';
import type { Database } from '../../src/server/db.ts';
import { migrate } from '../../src/server/schema.ts';
import { postgresBin, startPostgres } from '../helpers/postgres.ts';
import type { TestPostgres } from '../helpers/postgres.ts';

const publish = (pkg: string, version: string) => ({
  event: 'package.publish' as const,
  actor: 'alice',
  package: pkg,
  version,
});

/**
 * Appends to the log from two transactions at once, on a real server: the
 * head's lock makes the second wait for the first. Every entry must still name
 * the one before it about its package, the first's included. (A read of the
 * log in the statement that takes the lock would miss them: a statement's
 * snapshot is taken before it waits for a lock.)
 */
describe(
  'the audit log appended by two transactions at once (PostgreSQL)',
  { skip: !(await postgresBin()) && 'no PostgreSQL server here' },
  () => {
    let postgres: TestPostgres;
    let db: Database;
    before(async () => {
      postgres = await startPostgres();
      db = await openDatabase({ url: await postgres.createDatabase(), dataDir: '' });
      await migrate(db);
    });
    after(async () => {
      await db?.close();
      await postgres?.stop();
    });

    /** Whether some session waits for a lock now. */
    const someoneWaits = async () =>
      (await db.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'`))
        .rows[0]!.n !== '0';

    /** The first transaction appends and holds the head; the second starts, waits for it, then appends. */
    async function race(first: string[], second: string[]): Promise<[AuditEntry[], AuditEntry[]]> {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let appended!: () => void;
      const firstAppended = new Promise<void>((resolve) => (appended = resolve));
      const one = db.transaction(async (tx) => {
        const entries = await appendAuditBatch(
          tx,
          first.map((p, i) => publish(p, `1.0.${i}`)),
        );
        appended();
        await held;
        return entries;
      });
      // The first's failure ends the wait for its append (a test that fails, not one that hangs).
      await Promise.race([firstAppended, one]);
      const two = db.transaction((tx) =>
        appendAuditBatch(
          tx,
          second.map((p, i) => publish(p, `2.0.${i}`)),
        ),
      );
      try {
        const deadline = Date.now() + 10_000;
        while (!(await someoneWaits())) {
          assert.ok(Date.now() < deadline, 'the second transaction waits for the head');
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      } finally {
        release();
      }
      return [await one, await two];
    }

    it('an entry appended after a wait names the entry committed during that wait', async () => {
      const [one, two] = await race(['@a/x', '@a/y'], ['@a/x', '@a/z', '@a/x']);
      assert.deepEqual(
        two.map((e) => [e.package, e.metadata[PACKAGE_PREVIOUS]]),
        [
          ['@a/x', one[0]!.seq],
          ['@a/z', 0],
          ['@a/x', two[0]!.seq],
        ],
      );
      assert.equal(two[0]!.seq, one[1]!.seq + 1);
      assert.equal(two[0]!.prev_hash, one[1]!.hash);
    });

    it('without a wait, and after it, each entry names the last before it about its package', async () => {
      const [, two] = await race(['@b/x'], ['@b/y']);
      const [three] = await db.transaction((tx) => appendAuditBatch(tx, [publish('@b/x', '3.0.0')]));
      const [four] = await db.transaction((tx) => appendAuditBatch(tx, [publish('@b/y', '3.0.0')]));
      const rows = (
        await db.query<{ seq: string; package: string }>(
          `SELECT seq, package FROM audit_log WHERE package IN ('@b/x', '@b/y') ORDER BY seq`,
        )
      ).rows;
      assert.equal(three!.metadata[PACKAGE_PREVIOUS], Number(rows.find((r) => r.package === '@b/x')!.seq));
      assert.equal(four!.metadata[PACKAGE_PREVIOUS], two[0]!.seq);
    });
  },
);
